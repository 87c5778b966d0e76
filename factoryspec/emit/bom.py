"""bom.csv: the bill of materials: racks, switches, cables by fabric, medium and length bin (with their
speed and form factor), transceiver modules by fabric, medium and side."""

from __future__ import annotations

import csv
import io
from collections import Counter

from ..layout.problem import LayoutProblem, modules
from ..layout.result import SolveResult

HEADER = ["category", "item", "detail", "quantity", "unit", "unit_cost_usd", "total_cost_usd"]


def _money(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def rows(problem: LayoutProblem, result: SolveResult, prices: dict[str, float | None],
         optical: dict[str, bool]) -> list[list]:
    """BOM lines in a stable order. `prices` maps systems and switches to a
    unit price (None when the catalog has none); `optical` maps media ids to
    whether they need a transceiver at each end."""
    out: list[list] = []
    systems, per_rack, nodes, appliances = Counter(), {}, Counter(), Counter()
    for c in problem.clusters:
        # a node system's price is per node: full racks are priced as racks of
        # nodes_per_rack nodes (as before node systems), a cluster with a partly
        # filled rack or appliances by its nodes, and the appliances on their own line;
        # a whole-rack system's cluster with appliance racks by its system racks
        if c.nodes is None or (c.nodes == c.racks * c.nodes_per_rack and not c.appliances):
            systems[c.system] += c.racks
            per_rack[c.system] = c.nodes_per_rack
        elif c.nodes_per_rack == 1:
            systems[c.system] += c.nodes
            per_rack[c.system] = 1
        else:
            nodes[c.system] += c.nodes
        for _, kind, count, _, _, own, _ in c.appliances:
            appliances[(kind, own)] += count
    for name in sorted(systems):
        p = prices.get(name)
        p = p * per_rack[name] if p is not None else None
        out.append(["compute rack", name, "system", systems[name], "rack", _money(p),
                    _money(p * systems[name] if p is not None else None)])
    for name in sorted(nodes):
        p = prices.get(name)
        out.append(["compute node", name, "in compute racks", nodes[name], "node", _money(p),
                    _money(p * nodes[name] if p is not None else None)])
    for name, own in sorted(appliances):
        p, n = prices.get(name), appliances[(name, own)]
        out.append(["appliance", name, "in racks of their own" if own else "in compute racks", n, "appliance",
                    _money(p), _money(p * n if p is not None else None)])
    # One line per fabric: a buyer orders a storage network's switches apart
    # from the compute fabric's even when they are the same model.
    labels = problem.fabric_labels()
    for c in sorted(problem.clusters, key=lambda c: c.id):
        for f in sorted(c.fabrics, key=lambda f: f.id):
            p, n = prices.get(f.switch), f.plan.switches
            out.append(["switch", f.switch, f"{labels[(c.id, f.id)]}, {_tiers(f.plan)}"
                        f"{_at(f.link_speed_bps)}", n,
                        "switch", _money(p), _money(p * n if p is not None else None)])
    net_racks = sum(1 for p in result.layout.placements if p.kind == "network")
    out.append(["network rack", "network rack", "holds switches", net_racks, "rack", "", ""])
    media = {m.id: m for m in problem.media}
    cables = Counter()
    for link in result.layout.links:
        key = (link.cluster, link.fabric)
        cables[(labels.get(key, f"{link.cluster}/{link.fabric}"), link.medium, link.length_m)] += link.count
    for (fab, mid, length) in sorted(cables):
        m, n = media[mid], cables[(fab, mid, length)]
        unit = m.cost_fixed + m.cost_per_m * max(length, m.min_length_m)
        out.append(["cable", mid, f"{fab}, {length:g} m, {_kind(m)}", n, "cable", _money(unit), _money(unit * n)])
    out += _transceivers(problem, result, media, optical)
    return out


def _tiers(plan) -> str:
    """`leaf 1480 + spine 1512 + core 864`: the fabric's switches by tier."""
    if plan.tiers == 1:
        return "1 tier"
    tiers = [("leaf", plan.leaves), ("spine", plan.spines), ("core", plan.cores)][:plan.tiers]
    return " + ".join(f"{name} {n}" for name, n in tiers)


def _at(bps: float) -> str:
    if not bps:
        return ""
    return f", links at {bps / 1e12:g} Tb/s" if bps >= 1e12 else f", links at {bps / 1e9:g} Gb/s"


def _kind(m) -> str:
    """`800 Gb/s OSFP`: a medium's speed and form factor, as far as the spec says."""
    speed = ("speed unspecified" if not m.speed_bps else
             f"{m.speed_bps / 1e12:g} Tb/s" if m.speed_bps >= 1e12 else f"{m.speed_bps / 1e9:g} Gb/s")
    return f"{speed} {m.form_factor}" if m.form_factor else speed


def _transceivers(problem: LayoutProblem, result: SolveResult, media: dict, optical: dict) -> list[list]:
    """Transceiver modules of optical media per fabric and side, counted as the
    layout counts their power (layout.problem.modules): one per cable end at a
    host, ceil(ends / cables_per_transceiver) per network rack at the switches."""
    network = {p.id for p in result.layout.placements if p.kind == "network"}
    labels = problem.fabric_labels()
    count = Counter()
    for (rack, cl, fb, mid), n in modules(result.layout.links, network, media).items():
        if optical.get(mid):
            count[(labels.get((cl, fb), f"{cl}/{fb}"), mid, rack in network)] += n
    out = []
    for (fab, mid, at_switch) in sorted(count, key=lambda k: (k[0], k[1], not k[2])):
        m = media[mid]
        if at_switch:
            side = (f"switch end, {m.cables_per_transceiver} cables per module"
                    if m.cables_per_transceiver > 1 else "switch end")
            watts = m.power_per_end_w
        else:
            side, watts = "host end", m.host_w
        out.append(["transceiver", mid, f"{fab}, {side}, {_kind(m)}, {watts:g} W each (priced in the cable)",
                    count[(fab, mid, at_switch)], "module", "0.00", "0.00"])
    return out


def emit(problem: LayoutProblem, result: SolveResult, prices: dict, optical: dict) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows(problem, result, prices, optical))
    return buf.getvalue().encode("utf-8")
