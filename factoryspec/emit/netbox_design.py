"""The layout as NetBox objects: what `export netbox` writes and `--push` loads.

One list of records per NetBox object type, in the order NetBox needs them
(each refers only to objects of types before it), every reference by name as
NetBox's bulk import takes it. The files (netbox.py) and the push
(netbox_push.py) are both made from this, so they hold the same objects.

What becomes what:
- the spec's site a site (`site` when the halls belong to none); each building
  a location, each hall a location in it, each row a location in its hall
  (`<hall>/row<r>`), so a rack's location says where it stands;
- every compute and network rack a rack in its row, `facility_id`
  `H<k>-R<row>-S<slot>` (the prefix of its cables' IDs in the cutsheets),
  48U or what its contents need (racked.py), status planned;
- the catalog's vendors manufacturers; its systems, switches and appliances
  device types in devicetype-library form, with an interface template per
  port, named as the cutsheets name them (layout/ports.py) and typed by the
  port's speed and its fabric's form factor (INTERFACE_TYPES);
- every switch, node (or whole-rack system) and appliance a device at its U
  (racked.py), named as the cutsheets name cable ends: a node `<rack>/n<k>`,
  a whole-rack system its rack, a switch `<cluster>/<fabric>/<tier>-<n>`; an
  appliance in a node slot takes that slot's name, and the appliances beside
  a whole-rack system, whose ports the cutsheet names on their rack, are one
  device named after that rack (their names in its description);
- every cable a cable between two interfaces, labelled with its cutsheet ID,
  with its length in metres and its type (cable_type);
- each hall's power a power panel per side (`<hall>/A`, and `<hall>/B` when
  every rack takes two feeds), and each row's busway a power feed from it
  (`<hall>/row<r>/A`): its voltage, its rated current (the spec's
  `busway_current`, or the rating over sqrt(3) x voltage for AC, over the
  voltage for DC, to the ampere), three-phase AC or DC, and `max_utilization`
  the hall's `busway_limit`.

A scope (halls) keeps the racks, devices, row locations and feeds of those
halls and the cables with both ends in them; what every hall shares (site,
buildings, the types, roles and manufacturers) is always there.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from fractions import Fraction

import attrs

from ..diagnostics import natural_key
from ..layout import wiring
from ..layout.ports import Namer
from ..model.busway import DEFAULT_VOLTS, SQRT3
from . import cutsheet
from .racked import RACK_UNITS, Equipment, contents, slot_heights

# Object types in the order NetBox needs them: (kind, the REST endpoint under /api/).
KINDS = (
    ("manufacturers", "dcim/manufacturers"),
    ("device_types", "dcim/device-types"),
    ("device_roles", "dcim/device-roles"),
    ("rack_roles", "dcim/rack-roles"),
    ("sites", "dcim/sites"),
    ("locations", "dcim/locations"),
    ("racks", "dcim/racks"),
    ("devices", "dcim/devices"),
    ("power_panels", "dcim/power-panels"),
    ("power_feeds", "dcim/power-feeds"),
    ("cables", "dcim/cables"),
)
STATUS = "planned"          # a design, not yet built
UNSPECIFIED = "Unspecified"

# (speed in Gb/s, form factor) -> NetBox's interface type (dcim.choices.InterfaceTypeChoices)
INTERFACE_TYPES = {
    (1, "RJ45"): "1000base-t", (10, "RJ45"): "10gbase-t", (10, "SFP+"): "10gbase-x-sfpp",
    (25, "SFP28"): "25gbase-x-sfp28", (100, "QSFP28"): "100gbase-x-qsfp28", (200, "QSFP56"): "200gbase-x-qsfp56",
    (400, "QSFP112"): "400gbase-x-qsfp112", (400, "QSFP-DD"): "400gbase-x-qsfpdd", (400, "OSFP"): "400gbase-x-osfp",
    (800, "OSFP"): "800gbase-x-osfp", (800, "QSFP-DD"): "800gbase-x-qsfpdd", (1600, "OSFP"): "1.6tbase-x-osfp1600",
}
OTHER = "other"
ROLE_COLOURS = {"compute": "4e79a7", "appliance": "9c755f", "leaf": "59a14f", "spine": "f28e2b", "core": "e15759",
                "network": "333333"}


@attrs.frozen
class Design:
    """kind -> records (dicts of NetBox import fields), in KINDS order."""
    records: dict
    interfaces: int          # interfaces the devices get from their types' templates
    halls: dict              # hall id -> its number k in the cable IDs (`H<k>-`), every hall of the spec
    scope: tuple             # the halls it holds (every hall when unscoped)

    def count(self, kind: str) -> int:
        return len(self.records[kind])


def slug(name: str) -> str:
    """NetBox's slug of a name: lower case letters, digits, - and _ (at most 100)."""
    return re.sub(r"[^a-z0-9_]+", "-", name.lower()).strip("-")[:100] or "x"


def design(problem, layout, model, scope: tuple = ()) -> Design:
    """The layout's NetBox objects, of the halls in `scope` (all when empty)."""
    halls = [h for h in problem.halls if not scope or h.id in scope]
    keep = {h.id for h in halls}
    placed = [p for p in layout.placements if p.hall in keep]
    inside = contents(problem, layout, model)
    ports = _ports(problem)
    site_of = _sites(problem, model)
    # types and roles of every hall, so a scoped push or file set has what the others share
    types, of_device, every = _devices(problem, model, layout.placements, inside, ports, site_of)
    devices = [d for d in every if d["_hall"] in keep]
    recs = {
        "manufacturers": _manufacturers(types),
        "device_types": sorted(types.values(), key=lambda t: (t["manufacturer"], t["model"])),
        "device_roles": _roles(every),
        "rack_roles": [_role("compute"), _role("network")],
        "sites": [{"name": s, "slug": slug(s), "status": STATUS} for s in sorted(set(site_of.values()))],
        "locations": _locations(problem, model, halls, site_of),
        "racks": _racks(problem, placed, inside, site_of),
        "devices": devices,
        "power_panels": [], "power_feeds": [],
    }
    recs["power_panels"], recs["power_feeds"] = _power(problem, model, halls, placed, site_of)
    recs["cables"] = _cables(problem, layout, keep, site_of)
    count = sum(len(types[of_device[d["name"]]]["interfaces"]) for d in devices)
    return Design(recs, count, {h.id: k + 1 for k, h in enumerate(problem.halls)}, tuple(h.id for h in halls))


# ---- ports and device types ---------------------------------------------------------------

def _ports(problem) -> dict:
    """Interface templates: ("host", cluster id) -> a node's ports on every fabric it
    is on, ("switch", fabric index) -> a switch's ports; each a list of (name, type)."""
    W = wiring.build(problem)
    media = {m.id: m for m in problem.media}
    out = defaultdict(list)
    for fi, info in enumerate(W.fabrics):
        spec = info.spec
        nm = Namer(problem, W, fi)
        forms = [media[m].form_factor for m in (spec.media or media) if m in media and media[m].form_factor]
        form = forms[0] if forms else None
        speed = spec.link_speed_bps
        out[("switch", fi)] = [(nm.switch_port(i), _type(speed, form)) for i in range(spec.plan.radix)]
        for cid, (per_node, pattern, _) in sorted(nm.host.items()):
            out[("host", cid)] += [(pattern.name(i), _type(speed, form)) for i in range(per_node)]
    return {k: _unique(v) for k, v in out.items()}


def _unique(ports: list) -> list:
    """Ports by name, the first of a name kept (two fabrics may name ports alike)."""
    seen, out = set(), []
    for name, kind in ports:
        if name not in seen:
            seen.add(name)
            out.append((name, kind))
    return out


def _type(speed_bps: float, form: str | None) -> str:
    return INTERFACE_TYPES.get((int(round(speed_bps / 1e9)), form), OTHER)


def _devices(problem, model, placed, inside, ports, site_of):
    """(device types by key, device name -> its type's key, device records)."""
    catalog = {x.name: x for x in [*model.systems, *model.switches, *model.appliances]}
    fabric_of = {(c.id, f.id): fi for fi, (c, f) in enumerate((c, f) for c in problem.clusters for f in c.fabrics)}
    heights = slot_heights(model)
    nodes = {c.qualname: c.system.nodes_per_rack for c in model.clusters}
    systems = {c.qualname: c.system.name for c in model.clusters}
    wanted = []                       # (device name, rack placement, model, height, u, role, ports, description)
    for p in placed:
        eq = inside.get(p.id, [])
        if p.kind == "network":
            for e in eq:
                fi = fabric_of[(p.cluster, e.tags[0])]
                wanted.append((e.name, p, e.type, e.height, e.u, e.tags[1], ports[("switch", fi)], ""))
            continue
        host = ports.get(("host", p.cluster), [])
        if nodes[p.cluster] is None and eq and all(e.group == "misc" for e in eq):
            top = max(e.u + e.height - 1 for e in eq)
            names = ", ".join(e.name for e in eq)
            wanted.append((p.id, p, eq[0].type, top - eq[0].u + 1, eq[0].u, "appliance", host,
                           f"{len(eq)} x {eq[0].type}: {names}"))
            continue
        h = heights.get(systems[p.cluster], RACK_UNITS)
        for e in eq:
            name = e.name if e.group == "nodes" else _slot_name(p.id, e, h, nodes[p.cluster])
            role = "compute" if e.group == "nodes" else "appliance"
            wanted.append((name, p, e.type, e.height, e.u, role, host, "" if e.group == "nodes" else e.name))
    variants = defaultdict(dict)      # model -> interfaces -> key
    for _, _, mdl, h, _, _, prt, _ in wanted:
        variants[mdl].setdefault((h, tuple(prt)), None)
    types, key_of = {}, {}
    for mdl, vs in variants.items():
        for k, (h, prt) in enumerate(vs):
            name = mdl if len(vs) == 1 else f"{mdl} ({k + 1})"
            item = catalog.get(mdl)
            maker = (getattr(item, "vendor", None) or UNSPECIFIED)
            key_of[(mdl, h, prt)] = name
            types[name] = {"manufacturer": maker, "model": name, "slug": slug(f"{maker}-{name}"), "u_height": h,
                           "is_full_depth": True, "interfaces": [{"name": n, "type": t} for n, t in prt]}
    of_device, records = {}, []
    for name, p, mdl, h, u, role, prt, desc in sorted(wanted, key=lambda w: (natural_key(w[0]), w[0])):
        t = key_of[(mdl, h, tuple(prt))]
        of_device[name] = t
        records.append({"name": name, "manufacturer": types[t]["manufacturer"], "device_type": t, "role": role,
                        "site": site_of[p.hall], "location": _row(p.hall, p.row), "rack": p.id, "position": u,
                        "face": "front", "status": STATUS, "description": desc, "_hall": p.hall})
    return types, of_device, records


def _slot_name(rack: str, e: Equipment, h: int, per_rack: int | None) -> str:
    """The cutsheets' name of the node slot an appliance stands in."""
    return f"{rack}/n{(e.u - 1) // h + 1}" if per_rack else rack


def _manufacturers(types) -> list[dict]:
    return [{"name": m, "slug": slug(m)} for m in sorted({t["manufacturer"] for t in types.values()})]


def _role(name: str) -> dict:
    return {"name": name, "slug": slug(name), "color": ROLE_COLOURS.get(name, ROLE_COLOURS["network"])}


def _roles(devices) -> list[dict]:
    return [_role(r) for r in sorted({d["role"] for d in devices})]


# ---- where things stand ----------------------------------------------------------------------

def _sites(problem, model) -> dict:
    """hall id -> its site's name."""
    halls = {h.qualname: h for h in model.halls}
    out = {}
    for h in problem.halls:
        site = model.site_of_hall(halls[h.id]) if h.id in halls else None
        out[h.id] = site.qualname if site is not None else "site"
    return out


def _row(hall: str, row: int) -> str:
    return f"{hall}/row{row}"


def _locations(problem, model, halls, site_of) -> list[dict]:
    """Buildings, then halls, then rows: each after its parent."""
    of_model = {h.qualname: h for h in model.halls}
    buildings, out_halls, rows = {}, [], []
    for h in problem.halls:
        b = of_model[h.id].building if h.id in of_model else None
        if b is not None:
            buildings[b.qualname] = _location(b.qualname, site_of[h.id], None)
        out_halls.append(_location(h.id, site_of[h.id], b.qualname if b is not None else None))
    for h in halls:
        rows += [_location(_row(h.id, r), site_of[h.id], h.id) for r in range(1, h.rows + 1)]
    return list(buildings.values()) + out_halls + rows


def _location(name: str, site: str, parent: str | None) -> dict:
    return {"site": site, "parent": parent, "name": name, "slug": slug(name), "status": STATUS}


def _racks(problem, placed, inside, site_of) -> list[dict]:
    k = {h.id: i + 1 for i, h in enumerate(problem.halls)}
    out = []
    for p in sorted(placed, key=lambda p: (natural_key(p.id), p.id)):
        top = max((e.u + e.height - 1 for e in inside.get(p.id, ())), default=0)
        what = p.system if p.kind == "compute" else f"{p.fabric} {p.tier}, {p.switches} x {p.system}"
        out.append({"site": site_of[p.hall], "location": _row(p.hall, p.row), "name": p.id,
                    "facility_id": f"H{k[p.hall]}-R{p.row:02d}-S{p.slot:02d}", "status": STATUS, "role": p.kind,
                    "width": 19, "u_height": max(RACK_UNITS, top),
                    "description": f"{what}; {_kw(p.power_w)} on feed {'+'.join(p.feeds)}", "_hall": p.hall})
    return out


def _kw(watts) -> str:
    """Kilowatts to the watt (rack powers are kept to the milliwatt)."""
    return f"{float(watts) / 1000:,.3f}".rstrip("0").rstrip(".") + " kW"


# ---- power --------------------------------------------------------------------------------------

def _power(problem, model, halls, placed, site_of) -> tuple[list, list]:
    """A panel per hall and side, a feed per row busway and side."""
    of_model = {h.qualname: h for h in model.halls}
    load = defaultdict(lambda: [0, 0])        # (hall, row) -> [racks, W]
    for p in placed:
        x = load[(p.hall, p.row)]
        x[0] += 1
        x[1] += p.power_w
    panels, feeds = [], []
    for h in halls:
        mh = of_model.get(h.id)
        sides = "AB" if h.feeds >= 2 else "A"
        dc = mh is not None and mh.distribution == "dc"
        volts = _volts(mh)
        amps = _amps(mh, h, volts, dc)
        limit = int(round(h.busway_limit * 100))
        for side in sides:
            panels.append({"site": site_of[h.id], "location": h.id, "name": f"{h.id}/{side}", "_hall": h.id})
        for r in range(1, h.rows + 1):
            n, w = load.get((h.id, r), (0, 0))
            for side in sides:
                feeds.append({
                    "site": site_of[h.id], "power_panel": f"{h.id}/{side}", "name": f"{h.id}/row{r}/{side}", "status": STATUS,
                    "type": "primary" if side == "A" else "redundant", "supply": "dc" if dc else "ac",
                    "phase": "single-phase" if dc else "three-phase", "voltage": volts, "amperage": amps,
                    "max_utilization": limit,
                    "description": f"row {r} busway {side}: {n} racks, {_kw(w)} of {_kw(h.busway_w_per_feed * h.busway_limit)}"
                                   f" ({limit} % of {_kw(h.busway_w_per_feed)})",
                    "_hall": h.id})
    return panels, feeds


def _volts(mh) -> int:
    if mh is not None and mh.voltage is not None:
        return int(round(mh.voltage.value))
    return int(DEFAULT_VOLTS["dc" if mh is not None and mh.distribution == "dc" else "ac"])


def _amps(mh, h, volts: int, dc: bool) -> int:
    """The busway's rated current: as written, or its rating's current (power factor 1)."""
    if mh is not None and mh.busway_current is not None:
        return int(round(mh.busway_current.value))
    watts = Fraction(h.busway_w_per_feed)
    return int(round(watts / volts if dc else watts / (SQRT3 * volts)))


# ---- cables --------------------------------------------------------------------------------------

def cable_type(m) -> str:
    """NetBox's cable type of a medium: copper DAC, passive or active (it draws power
    at its ends), an optical medium's fibre when its id says multimode or single
    mode, else none (NetBox leaves the type blank)."""
    if not m.optical:
        return "dac-active" if m.power_per_end_w > 0.5 else "dac-passive"
    ident = m.id.rsplit(".", 1)[-1].lower()
    return "mmf" if ident.startswith("mmf") else "smf" if ident.startswith("smf") else ""


def _cables(problem, layout, keep, site_of) -> list[dict]:
    """The cutsheets' cables with both ends in the scope, in cutsheet order."""
    media = {m.id: m for m in problem.media}
    col = {name: i for i, name in enumerate(cutsheet.HEADER)}
    out = []
    for row in csv.reader(line for _, line in cutsheet.lines(problem, layout)):
        ha, hb = row[col["a_hall"]], row[col["b_hall"]]
        if ha not in keep or hb not in keep:
            continue
        a, b = row[col["a_device"]], row[col["b_device"]]
        m = media[row[col["medium"]]]
        out.append({"side_a_site": site_of[ha], "side_a_device": a, "side_a_type": "dcim.interface",
                    "side_a_name": row[col["a_port"]], "side_b_site": site_of[hb], "side_b_device": b,
                    "side_b_type": "dcim.interface", "side_b_name": row[col["b_port"]], "type": cable_type(m),
                    "status": STATUS, "label": row[col["cable_id"]], "length": float(row[col["length_m"]]),
                    "length_unit": "m", "description": f"{row[col['fabric']]} {row[col['level']]}: {m.id}",
                    "_hall": ha, "_hall_b": hb})
    return out
