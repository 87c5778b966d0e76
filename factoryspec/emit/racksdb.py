"""RacksDB export: the layout as a RacksDB database (`factoryspec export racksdb`).

Three files, which `RacksDB.load(db=DIR)` reads as one database (each top-level
file is the key it is named after): types.yml (rack, node, network and misc
equipment types), datacenters.yml (each site a datacenter, its halls rooms,
their rows and racks) and infrastructures.yml (each cluster an
infrastructure: what stands in each of its racks, at which U).

What it holds. A room per hall, `size` wide and deep (at least the rows'
extent: the row length by rows x row_pitch); every row of the hall, at its
pitch from the room's corner; every compute and network rack at its slot
(RacksDB counts slots from 0, the layout from 1). In compute racks the nodes
(a whole-rack system such as an NVL72 is one node filling its rack, a node
system's `nodes_per_rack` nodes are stacked bottom up) and the appliances in
their node slots (misc equipment); in network racks every switch at its U
(layout/ports.py). Names are the layout's rack ids and the cutsheets' device
names (`<rack>/n<slot>` for a node), an appliance `<cluster>/<block>-<k>`.

What RacksDB cannot hold: power (rack power, busways and feeds, power trains,
CDUs and air, liquid cooling), cables, ports and media (the cutsheets and
bom.csv have them), hall positions on the site plan, cross-aisles (RacksDB
draws a row's racks edge to edge, so racks after a cross-aisle are drawn that
much nearer the row start; their slot numbers are exact), costs and weights.

What is approximated. Racks are 48U (see RACK_UNITS), as wide as the hall's
slot, as deep as their footprint over that width and as tall as the
cabling's rack height. The spec gives no node heights: a node system's slot
is an even share of the rack. Nor CPUs, memory, GPU models or the kind of
network (Ethernet or InfiniBand), which RacksDB's node types and network
interfaces require: node types carry zero CPUs and memory, and the GPU
count, the port counts and speeds are written in the types' model text
instead of GPU and network interface entries.
"""

from __future__ import annotations

from collections import defaultdict

from .floorplan import slot_x
from .racked import RACK_UNITS, contents
from .yaml_text import dump as _yaml

FILES = ("datacenters.yml", "infrastructures.yml", "types.yml")
UNSPECIFIED = "unspecified"


def is_output(name: str) -> bool:
    return name in FILES


def files(problem, layout, model) -> dict[str, bytes]:
    """The database's files, by name (same layout, same bytes)."""
    inside = contents(problem, layout, model)
    racks = _rack_types(problem, layout, inside)
    docs = {
        "datacenters.yml": _datacenters(problem, layout, model, racks),
        "infrastructures.yml": _infrastructures(problem, layout, inside),
        "types.yml": _types(problem, model, inside, racks),
    }
    return {name: _yaml(doc).encode("utf-8") for name, doc in docs.items()}


# ---- rack types --------------------------------------------------------------------

def _rack_types(problem, layout, inside) -> dict[str, tuple[int, int, int]]:
    """rack id -> (U, width mm, depth mm): the hall's slot wide, its footprint
    deep, RACK_UNITS tall or what its contents need."""
    footprint = {c.id: c.footprint_m2 for c in problem.clusters}
    footprint.update({(c.id, f.id): f.rack_footprint_m2 for c in problem.clusters for f in c.fabrics})
    halls = {h.id: h for h in problem.halls}
    out = {}
    for p in layout.placements:
        slot_m = halls[p.hall].slot_width_m
        area = footprint[(p.cluster, p.fabric) if p.kind == "network" else p.cluster]
        top = max((e.u + e.height - 1 for e in inside.get(p.id, ())), default=0)
        out[p.id] = (max(RACK_UNITS, top), _mm(slot_m), _mm(area / slot_m))
    return out


def _type_id(t: tuple[int, int, int]) -> str:
    return f"{t[0]}u-{t[1]}x{t[2]}mm"


def _mm(metres: float) -> int:
    return int(round(metres * 1000))


# ---- the three documents -------------------------------------------------------------

def _datacenters(problem, layout, model, racks) -> list[dict]:
    halls = {h.qualname: h for h in model.halls}
    by_row = defaultdict(list)
    for p in layout.placements:
        by_row[(p.hall, p.row)].append(p)
    sites: dict = {}
    for h in problem.halls:
        site = model.site_of_hall(halls[h.id]) if h.id in halls else None
        rows = [{"name": f"{h.id}/row{r}", "position": {"width": "0mm", "depth": f"{_mm((r - 1) * h.row_pitch_m)}mm"},
                 "racks": [{"name": p.id, "slot": p.slot - 1, "type": _type_id(racks[p.id]), "tags": _tags(p)}
                           for p in sorted(by_row[(h.id, r)], key=lambda p: p.slot)]}
                for r in range(1, h.rows + 1)]
        room = {"name": h.id, "dimensions": _room(h, halls.get(h.id)), "rows": rows}
        sites.setdefault(site.qualname if site is not None else "site", []).append(room)
    return [{"name": name, "rooms": rooms} for name, rooms in sites.items()]


def _tags(p) -> list[str]:
    """compute, or network with its fabric and tier: what RacksDB can filter racks by."""
    return [p.kind] if p.kind == "compute" else [p.kind, p.fabric, p.tier]


def _room(h, hall) -> dict:
    """The hall's `size`, never smaller than its rows (problem.Hall's geometry)."""
    width, depth = slot_x(h, h.slots_per_row + 1), h.rows * h.row_pitch_m
    if hall is not None:
        width, depth = max(width, float(hall.size.width.value)), max(depth, float(hall.size.depth.value))
    return {"width": f"{_mm(width)}mm", "depth": f"{_mm(depth)}mm"}


def _infrastructures(problem, layout, inside) -> list[dict]:
    parts = defaultdict(list)
    for p in layout.placements:
        if inside.get(p.id):
            parts[p.cluster].append(_part(p.id, inside[p.id]))
    return [{"name": c.id, "description": _describe(c), "layout": parts[c.id]} for c in problem.clusters]


def _part(rack: str, inside: list[Equipment]) -> dict:
    part: dict = {"rack": rack}
    for e in inside:
        part.setdefault(e.group, []).append({"name": e.name, "type": e.type, "slot": e.u, "tags": list(e.tags)})
    return part


def _describe(c) -> str:
    nodes = f"{c.nodes} nodes of {c.system}" if c.nodes is not None else f"{c.racks} racks of {c.system}"
    return f"cluster {c.id}: {nodes}"


def _types(problem, model, inside, racks) -> dict:
    used = defaultdict(set)
    for es in inside.values():
        for e in es:
            used[e.group].add((e.type, e.height))
    systems = {s.name: s for s in model.systems}
    switches = {s.name: s for s in model.switches}
    appliances = {a.name: a for a in model.appliances}
    height = f"{_mm(problem.cabling.rack_height_m)}mm"
    return {
        "racks": [{"id": _type_id(t), "height": height, "width": f"{t[1]}mm", "depth": f"{t[2]}mm",
                   "slots": f"{t[0]}u"} for t in sorted(set(racks.values()))],
        "nodes": [_node_type(systems[name], h) for name, h in sorted(used["nodes"])],
        "network": [{"id": name, "model": _vendor(switches[name], _ports(switches[name])), "height": f"{h}u"}
                    for name, h in sorted(used["network"])],
        "misc": [{"id": name, "model": _vendor(appliances[name], _ports(appliances[name])), "height": f"{h}u"}
                 for name, h in sorted(used["misc"])],
    }


def _node_type(s, height: int) -> dict:
    what = f"{s.gpus} GPUs, {'whole rack' if s.nodes_per_rack is None else f'{s.nodes_per_rack} a rack'}"
    return {"id": s.name, "model": _vendor(s, what), "height": f"{height}u", "width": "full",
            "cpu": {"model": UNSPECIFIED, "sockets": 0, "cores": 0}, "ram": {"dimm": 0, "size": "0GB"}}


def _ports(item) -> str:
    """`64 x 400 Gb/s ports` of a switch or an appliance (which may not say their speed)."""
    if item.port_speed is None:
        return f"{item.ports} ports"
    return f"{item.ports} x {_speed(float(item.port_speed.value))} ports"


def _vendor(item, what: str) -> str:
    name = f"{item.vendor} {item.name}" if item.vendor else item.name
    return f"{name}: {what}"


def _speed(bps: float) -> str:
    return f"{bps / 1e12:g} Tb/s" if bps >= 1e12 else f"{bps / 1e9:g} Gb/s"
