"""The factory as a networkx graph, and its export (`factoryspec graph`).

A `networkx.MultiDiGraph` whose nodes are the parts of the factory and whose
edges say how they relate, each keyed by its relation:

* containment (`contains`): site -> building -> hall -> row; site -> cluster ->
  fabric; site -> shared fabric (one at site level), which each member cluster
  `joins`; hall -> rack group; row -> rack group (`racks` in that row); cluster
  -> appliances block, which `links` to the fabric its ports are cabled to.
* power (`feeds`, `feeds-A`, `feeds-B`): utility -> power train -> hall -> row
  busway -> rack group. A hall's own trains feed it; otherwise its building's;
  otherwise the utility directly. With `feeds = 2` on a train or hall the
  edges come in A and B pairs, and each row has an A and a B busway.
* cooling (`cools`): plant -> CDU group / air handling of each hall -> rack
  group, with the heat each carries (`heat_w`: the liquid and the air share).
* network (`links`): rack group -> endpoint ports of each rail -> leaf tier of
  that rail -> spine tier -> core tier, per fabric, with link counts.

It is aggregated so that a 5 GW campus stays small: one rack-group node per
cluster and hall (not per rack), one port-group node per rack group and rail
(not per port), one node per switch tier and rail (not per switch). Rows get
a node each (with their busways) unless a hall has more than MAX_ROW_NODES
rows, and rails a node each unless a fabric has more than MAX_RAIL_NODES:
then one node stands for all of them. Every node keeps the span of the
block it comes from (`span`: "file:line:column-end_line:end_column").

Which racks stand in which row: before solving, the even fill that the
busway check assumes (model/derive.py); with a layout applied (`factoryspec
graph SPEC --layout layout.json`, factoryspec/layout/as_built.py), the rows as the
layout placed them, each with its busway load (`power_w`), as the floor plan
draws them.

`lint` never builds this graph; `graph` and `Checked.graph()` build it on
demand. Exports (dot, graphml, json) list nodes and edges sorted by id, with
the numbers in ids compared as numbers (rail2 before rail10, row #9 before
row #12: diagnostics.natural_key), so the output is deterministic and reads
in order.

Quantities are attributes in SI base units (`heat_w`, `power_w`,
`capacity_w`: watts), plain numbers that GraphML and JSON readers compute
with; the unit is in the name. Only the dot export, which is for people
(Graphviz), prints them as figures with units on its edges ("576 kW
liquid", "8 racks, 1.08 MW").
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import networkx as nx

from .derive import level
from ..diagnostics import Span, natural_key
from ..lang.units import POWER, Quantity, format_quantity
from . import Factory, Hall
from . import types as t

MAX_ROW_NODES = 500
MAX_RAIL_NODES = 512


def _n(x) -> int | float:
    if hasattr(x, "value"):
        x = x.value
    x = Fraction(x)
    return int(x) if x.denominator == 1 else float(x)


def _span(s: Span | None) -> str:
    if s is None:
        return ""
    return f"{s.file}:{s.line}:{s.column}-{s.end_line}:{s.end_column}"


class _G:
    def __init__(self):
        self.g = nx.MultiDiGraph()

    def node(self, nid: str, kind: str, label: str, span: Span | None, **attrs: Any) -> str:
        clean = {k: v for k, v in attrs.items() if v is not None}
        self.g.add_node(nid, kind=kind, label=label, span=_span(span), **clean)
        return nid

    def edge(self, a: str, b: str, relation: str, **attrs: Any) -> None:
        clean = {k: v for k, v in attrs.items() if v is not None}
        self.g.add_edge(a, b, key=relation, relation=relation, **clean)


def _id(o: t.Node) -> str:
    return f"{o.kind}:{o.qualname}"


def row_fill(h: Hall) -> list[int]:
    """Compute racks per row (index 0 = row 1) for the even fill of the hall."""
    racks = h.load.compute_racks
    L, at_level, _ = level(h, racks)
    out = []
    left_at_level = at_level
    for r in range(1, h.rows + 1):
        cap = h.row_compute_slots(r)
        if cap >= L and left_at_level > 0:
            out.append(L)
            left_at_level -= 1
        else:
            out.append(min(cap, max(L - 1, 0)))
    return out


def _row_groups(h: Hall, groups: list) -> list[list[tuple]]:
    """Per row (index 0 = row 1), its (cluster, compute racks): as the layout
    placed them once one is applied (layout/as_built.py), else the even fill with the
    clusters taken in order."""
    if h.load.row_racks is not None:
        return [sorted(h.load.row_racks.get(r, {}).items(), key=lambda ck: ck[0].qualname)
                for r in range(1, h.rows + 1)]
    queue = [[c, k] for c, k in groups]
    out = []
    for racks in row_fill(h):
        parts, left = [], racks
        while left > 0 and queue:
            c, k = queue[0]
            take = min(k, left)
            parts.append((c, take))
            left -= take
            queue[0][1] -= take
            if queue[0][1] == 0:
                queue.pop(0)
        out.append(parts)
    return out


def build_graph(f: Factory) -> nx.MultiDiGraph:
    G = _G()
    # ---- containment and facility nodes
    for s in f.sites:
        G.node(_id(s), "site", s.qualname, s.span, pue=_n(s.pue), land_m2=_n(s.land) if s.land else None)
        for i, u in enumerate(s.utilities):
            uid = f"utility:{s.qualname}#{i + 1}"
            G.node(uid, "utility", f"utility {s.qualname}", u.span, capacity_w=_n(u.capacity),
                   usable_w=_n(u.usable), redundancy=u.redundancy.text)
            G.edge(_id(s), uid, "contains")
        for p in s.cooling:
            G.node(f"cooling:{p.qualname}", "cooling", f"cooling {p.qualname}", p.span,
                   capacity_w=_n(p.capacity), usable_w=_n(p.usable))
            G.edge(_id(s), f"cooling:{p.qualname}", "contains")
        for c in s.clusters:
            G.edge(_id(s), _id(c), "contains")
    for b in f.buildings:
        G.node(_id(b), "building", b.qualname, b.span, floors=b.floors)
        if b.site is not None:
            G.edge(_id(b.site), _id(b), "contains")
        for p in b.power:
            _train(G, p)
            G.edge(_id(b), _id(p), "contains")
        for p in b.cooling:
            G.node(f"cooling:{p.qualname}", "cooling", f"cooling {p.qualname}", p.span,
                   capacity_w=_n(p.capacity), usable_w=_n(p.usable))
            G.edge(_id(b), f"cooling:{p.qualname}", "contains")
    for h in f.halls:
        _hall(G, f, h)
    # ---- clusters, rack groups, network
    for c in f.clusters:
        G.node(_id(c), "cluster", c.qualname, c.span, racks=c.racks, gpus=c.gpus, system=c.system.qualname,
               unplaced=c.unplaced, nvlink_racks=c.system.nvlink_racks)
        for fab in c.fabrics:
            _fabric(G, _id(c), fab)
    for s in f.sites:                    # shared fabrics: in their site, joined by their members
        for fab in s.fabrics:
            _fabric(G, _id(s), fab)
            for c in fab.joined:
                G.edge(_id(c), _id(fab), "joins")
    for c in f.clusters:                 # appliances: in their cluster, cabled to its fabrics
        for a in c.appliances:
            G.node(_id(a), "appliances", f"{a.count:,} x {a.appliance.qualname}", a.span,
                   appliance=a.appliance.qualname, count=a.count, own_racks=a.own_racks,
                   ports=a.count * a.appliance.all_ports)
            G.edge(_id(c), _id(a), "contains")
            for p in a.links:
                if p.valid:
                    G.edge(_id(a), _id(p.fabric), "links", cables=p.cables)
    # ---- power chain upstream of halls
    for s in f.sites:
        utilities = [f"utility:{s.qualname}#{i + 1}" for i in range(len(s.utilities))]
        for b in s.buildings:
            if b.power:
                targets = [_id(p) for p in b.power]
            else:
                targets = [_id(h) for h in b.halls if not h.power] + [_id(p) for h in b.halls for p in h.power]
            for uid in utilities:
                for tgt in targets:
                    G.edge(uid, tgt, "feeds")
    for b in f.buildings:
        for p in b.power:
            for h in b.halls:
                for tgt in ([_id(x) for x in h.power] or [_id(h)]):
                    _feed(G, _id(p), tgt, p.feeds)
    for h in f.halls:
        for p in h.power:
            _feed(G, _id(p), _id(h), p.feeds)
    # ---- cooling chain upstream of halls
    for h in f.halls:
        b = h.building
        plants = (b.cooling if b and b.cooling else (b.site.cooling if b and b.site else [])) if b else []
        for p in plants:
            for i, _ in enumerate(h.cdus):
                G.edge(f"cooling:{p.qualname}", f"cdu:{h.qualname}#{i + 1}", "cools")
            for i, _ in enumerate(h.air):
                G.edge(f"cooling:{p.qualname}", f"air:{h.qualname}#{i + 1}", "cools")
    return _sorted(G.g)


def _train(G: _G, p: t.PowerTrain) -> None:
    G.node(_id(p), "power", f"power {p.qualname}", p.span, capacity_w=_n(p.capacity), modules=p.count,
           usable_w=_n(p.usable), redundancy=p.redundancy.text, feeds=p.feeds)


def _feed(G: _G, a: str, b: str, feeds: int) -> None:
    if feeds >= 2:
        G.edge(a, b, "feeds-A")
        G.edge(a, b, "feeds-B")
    else:
        G.edge(a, b, "feeds")


def _group(c: t.Cluster, h: Hall) -> str:
    return f"racks:{c.qualname}@{h.qualname}"


def _hall(G: _G, f: Factory, h: Hall) -> None:
    hid = _id(h)
    ld = h.load
    G.node(hid, "hall", h.qualname, h.span, rows=h.rows, slots=h.slots, usable_slots=h.usable_slots,
           compute_racks=ld.compute_racks, network_racks=ld.network_racks, it_power_w=_n(ld.it_power),
           busway_w=_n(h.busway), feeds=h.feeds)
    if h.building is not None:
        G.edge(_id(h.building), hid, "contains")
    for p in h.power:
        _train(G, p)
        G.edge(hid, _id(p), "contains")
    feeds = ("A", "B") if h.feeds >= 2 else ("",)
    groups = list(ld.compute.items())
    for c, k in groups:
        gid = _group(c, h)
        power = c.share_power(k)
        G.node(gid, "racks", f"{k:,} x {c.system.qualname}", c.span, cluster=c.qualname, hall=h.qualname,
               racks=k, gpus=c.share_gpus(k), power_w=_n(power), system=c.system.qualname,
               nvlink_racks=c.system.nvlink_racks)
        G.edge(hid, gid, "contains")
        G.edge(_id(c), gid, "places", racks=k)
    # rows and busways
    if h.rows <= MAX_ROW_NODES:
        for r, parts in enumerate(_row_groups(h, groups), start=1):
            rid = f"row:{h.qualname}#{r}"
            row_w = h.load.rows.get(r) if h.load.rows is not None else None
            G.node(rid, "row", f"{h.qualname} row {r}", h.span, row=r, slots=h.row_free(r),
                   compute_slots=h.row_compute_slots(r), racks=sum(k for _, k in parts),
                   power_w=_n(row_w) if row_w is not None else None)
            G.edge(hid, rid, "contains")
            bus = []
            for fd in feeds:
                bid = f"busway:{h.qualname}#{r}" + (f"/{fd}" if fd else "")
                G.node(bid, "busway", f"busway {h.qualname} row {r}{' ' + fd if fd else ''}", h.at("busway"),
                       rating_w=_n(h.busway), continuous_w=_n(h.busway_continuous), feed=fd or None)
                G.edge(hid, bid, f"feeds-{fd}" if fd else "feeds")
                bus.append(bid)
            for c, take in parts:
                gid = _group(c, h)
                G.edge(rid, gid, "contains", racks=take)
                for bid in bus:
                    G.edge(bid, gid, "feeds", racks=take, power_w=_n(c.share_power(take)))
    else:
        rid = f"row:{h.qualname}#*"
        G.node(rid, "row", f"{h.qualname} rows 1..{h.rows}", h.span, rows=h.rows, slots=h.usable_slots,
               racks=ld.compute_racks)
        G.edge(hid, rid, "contains")
        for fd in feeds:
            bid = f"busway:{h.qualname}#*" + (f"/{fd}" if fd else "")
            G.node(bid, "busway", f"busways {h.qualname}{' ' + fd if fd else ''}", h.at("busway"),
                   rating_w=_n(h.busway), continuous_w=_n(h.busway_continuous), rows=h.rows, feed=fd or None)
            G.edge(hid, bid, f"feeds-{fd}" if fd else "feeds")
            for c, k in groups:
                G.edge(bid, _group(c, h), "feeds", racks=k, power_w=_n(c.share_power(k)))
        for c, k in groups:
            G.edge(rid, _group(c, h), "contains", racks=k)
    # cooling
    for i, cdu in enumerate(h.cdus):
        cid = f"cdu:{h.qualname}#{i + 1}"
        G.node(cid, "cdu", f"CDUs {h.qualname}", cdu.span, capacity_w=_n(cdu.capacity), count=cdu.count,
               usable_w=_n(cdu.usable), redundancy=cdu.redundancy.text)
        G.edge(hid, cid, "contains")
        for c, k in groups:
            heat = c.share_liquid(k) / len(h.cdus)
            if heat > 0:
                G.edge(cid, _group(c, h), "cools", heat_w=_n(heat), medium="liquid")
    for i, air in enumerate(h.air):
        aid = f"air:{h.qualname}#{i + 1}"
        G.node(aid, "air", f"air handling {h.qualname}", air.span, capacity_w=_n(air.capacity),
               count=air.count, usable_w=_n(air.usable), redundancy=air.redundancy.text)
        G.edge(hid, aid, "contains")
        for c, k in groups:
            heat = (c.share_power(k) - c.share_liquid(k)) / len(h.air)
            if heat > 0:
                G.edge(aid, _group(c, h), "cools", heat_w=_n(heat), medium="air")


def _fabric(G: _G, parent: str, fab: t.Fabric) -> None:
    fid = _id(fab)
    p = fab.sized
    G.node(fid, "fabric", fab.qualname, fab.span, switch=fab.switch.qualname, topology=fab.topology,
           rails=fab.rails, endpoints=fab.endpoints, tiers=p.tiers if p else None,
           switches=p.switches if p else None, error=fab.plan.message if fab.plan is not None and not p else None)
    G.edge(parent, fid, "contains")
    if p is None:
        return
    rails = fab.rails
    # One node per rail, unless there are absurdly many: then one node for all.
    groups = rails if rails <= MAX_RAIL_NODES else 1
    spine = core = None
    if p.spines:
        spine = G.node(f"spine:{fab.qualname}", "spine", f"spines {fab.qualname}", fab.span, switches=p.spines,
                       switch=fab.switch.qualname)
        G.edge(fid, spine, "contains")
    if p.cores:
        core = G.node(f"core:{fab.qualname}", "core", f"cores {fab.qualname}", fab.span, switches=p.cores,
                      switch=fab.switch.qualname)
        G.edge(fid, core, "contains")
        G.edge(spine, core, "links", links=p.spine_core_links)
    for r in range(1, groups + 1):
        name = f"rail{r}" if groups == rails else "rails"
        if p.tiers == 1:
            leaf = f"leaf:{fab.qualname}"
            if r == 1:
                G.node(leaf, "leaf", f"switch {fab.qualname}", fab.span, switches=p.switches,
                       switch=fab.switch.qualname)
                G.edge(fid, leaf, "contains")
        else:
            leaf = G.node(f"leaf:{fab.qualname}/{name}", "leaf", f"leaves {fab.qualname} {name}", fab.span,
                          switches=p.leaves // groups, rail=r if groups == rails else None,
                          rails=None if groups == rails else rails, switch=fab.switch.qualname)
            G.edge(fid, leaf, "contains")
            if spine:
                G.edge(leaf, spine, "links", links=p.leaf_spine_links // groups)
        for c in fab.members:
            per_group_ports = fab.ports_of(c) // groups
            for h, k in c.placement.items():
                pid = f"ports:{c.qualname}@{h.qualname}/{fab.qualname if fab.shared else fab.name}/{name}"
                G.node(pid, "ports", f"{k * per_group_ports:,} ports {name}", fab.span, ports=k * per_group_ports,
                       rail=r if groups == rails else None, fabric=fab.qualname)
                G.edge(_group(c, h), pid, "contains")
                G.edge(pid, leaf, "links", links=k * per_group_ports)


def node_order(node_id: str) -> tuple:
    """Sort key of a node id: its numbers as numbers, then the id itself (a total order)."""
    return natural_key(node_id), node_id


def _edge_order(e: tuple) -> tuple:
    return node_order(e[0]), node_order(e[1]), e[2]


def _nodes(g: nx.MultiDiGraph) -> list:
    return sorted(g.nodes, key=node_order)


def _edges(g: nx.MultiDiGraph) -> list:
    return sorted(g.edges(keys=True, data=True), key=_edge_order)


def _sorted(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """The same graph with nodes and edges inserted in sorted order."""
    out = nx.MultiDiGraph()
    for n in _nodes(g):
        out.add_node(n, **dict(sorted(g.nodes[n].items())))
    for a, b, k, d in _edges(g):
        out.add_edge(a, b, key=k, **dict(sorted(d.items())))
    return out


# ---- export ------------------------------------------------------------------------

def to_json(g: nx.MultiDiGraph) -> dict:
    return {
        "directed": True,
        "multigraph": True,
        "nodes": [{"id": n, **g.nodes[n]} for n in _nodes(g)],
        "edges": [{"source": a, "target": b, "key": k, **d} for a, b, k, d in _edges(g)],
    }


def to_json_text(g: nx.MultiDiGraph) -> str:
    return json.dumps(to_json(g), indent=2, sort_keys=True) + "\n"


def to_graphml(g: nx.MultiDiGraph) -> str:
    return "\n".join(nx.generate_graphml(g)) + "\n"


def _q(s: Any) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


_SHAPES = {"site": "folder", "building": "box3d", "hall": "box", "row": "box", "racks": "box",
           "utility": "invhouse", "power": "invtrapezium", "busway": "cds", "cooling": "cylinder",
           "cdu": "cylinder", "air": "cylinder", "cluster": "tab", "fabric": "tab", "leaf": "ellipse",
           "spine": "ellipse", "core": "ellipse", "ports": "point", "appliances": "component"}
_COLORS = {"contains": "gray60", "feeds": "firebrick", "feeds-A": "firebrick", "feeds-B": "darkorange",
           "cools": "steelblue", "links": "darkgreen", "places": "gray40"}


def to_dot(g: nx.MultiDiGraph) -> str:
    lines = ["digraph factory {", "  rankdir=LR;", "  node [fontname=\"Helvetica\", fontsize=10];",
             "  edge [fontname=\"Helvetica\", fontsize=8];"]
    for n in _nodes(g):
        d = g.nodes[n]
        shape = _SHAPES.get(d.get("kind", ""), "box")
        lines.append(f"  {_q(n)} [label={_q(d.get('label', n))}, shape={shape}, "
                     f"tooltip={_q(d.get('span', ''))}];")
    for a, b, k, d in _edges(g):
        label = edge_label(d)
        extra = f", label={_q(label)}" if label else ""
        lines.append(f"  {_q(a)} -> {_q(b)} [color={_COLORS.get(k, 'black')}{extra}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def edge_label(d: dict) -> str:
    """What an edge carries, for people: counts with their nouns and watts as
    figures with units ("8 racks, 1.08 MW", "576 kW liquid"); "" for none."""
    parts = [f"{d[key]:,} {noun}" for key, noun in (("links", "links"), ("cables", "cables"), ("racks", "racks"))
             if key in d]
    if "heat_w" in d:
        parts.append(f"{_watts(d['heat_w'])} {d['medium']}" if d.get("medium") else _watts(d["heat_w"]))
    if "power_w" in d:
        parts.append(_watts(d["power_w"]))
    return ", ".join(parts)


def _watts(value: int | float) -> str:
    # str() first: a float's decimal digits (13.96703e6), not its binary expansion
    return format_quantity(Quantity(Fraction(str(value)), POWER))


def export(g: nx.MultiDiGraph, fmt: str) -> str:
    if fmt == "dot":
        return to_dot(g)
    if fmt == "graphml":
        return to_graphml(g)
    if fmt == "json":
        return to_json_text(g)
    raise ValueError(f"unknown graph format {fmt!r}")
