"""NetBox export: bulk-import files of the layout (`factoryspec export netbox`).

One file per object type, numbered in the order NetBox must import them
(Import in each list view of the web UI, or the push, netbox_push.py):
CSV for every type but device types, which are YAML documents in the
devicetype-library's form (one per type, `---` between them), the form
NetBox's device-type import and the library's tooling read. What the objects
are is netbox_design.py's; each interface comes from its device type's
template when the device is made, so there is no interface file.

CSV cells are written as NetBox's importer reads them: references by name,
booleans `true`/`false`, empty cells for what is unset.
"""

from __future__ import annotations

import csv
import io

from . import netbox_design
from .yaml_text import dump

# kind -> columns, in the order of netbox_design.KINDS (device types are YAML)
COLUMNS = {
    "manufacturers": ("name", "slug"),
    "device_roles": ("name", "slug", "color"),
    "rack_roles": ("name", "slug", "color"),
    "sites": ("name", "slug", "status"),
    "locations": ("site", "parent", "name", "slug", "status"),
    "racks": ("site", "location", "name", "facility_id", "status", "role", "width", "u_height", "description"),
    "devices": ("name", "manufacturer", "device_type", "role", "site", "location", "rack", "position", "face",
                "status", "description"),
    "power_panels": ("site", "location", "name"),
    "power_feeds": ("site", "power_panel", "name", "status", "type", "supply", "phase", "voltage",
                    "amperage", "max_utilization", "description"),
    "cables": ("side_a_site", "side_a_device", "side_a_type", "side_a_name", "side_b_site", "side_b_device",
               "side_b_type", "side_b_name", "type", "status", "label", "length", "length_unit", "description"),
}
DEVICE_TYPE_FIELDS = ("manufacturer", "model", "slug", "u_height", "is_full_depth", "interfaces")


def file_name(k: int, kind: str) -> str:
    ext = "yaml" if kind == "device_types" else "csv"
    return f"{k:02d}-{kind.replace('_', '-')}.{ext}"


FILES = tuple(file_name(k, kind) for k, (kind, _) in enumerate(netbox_design.KINDS, start=1))


def is_output(name: str) -> bool:
    return name in FILES


def files(problem, layout, model, scope: tuple = ()) -> dict[str, bytes]:
    """The import files, by name (same layout, same bytes)."""
    d = netbox_design.design(problem, layout, model, scope)
    out = {}
    for k, (kind, _) in enumerate(netbox_design.KINDS, start=1):
        recs = d.records[kind]
        text = device_types_yaml(recs) if kind == "device_types" else _csv(COLUMNS[kind], recs)
        out[file_name(k, kind)] = text.encode("utf-8")
    return out


def device_types_yaml(types: list[dict]) -> str:
    """One devicetype-library document per device type."""
    docs = [dump({k: t[k] for k in DEVICE_TYPE_FIELDS}, DEVICE_TYPE_FIELDS) for t in types]
    return "".join(f"---\n{doc}" for doc in docs)


def _csv(columns: tuple, recs: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in recs:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue()


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)
