"""bom.csv: the bill of materials: racks, switches, cables by medium and length bin, transceivers."""

from __future__ import annotations

import csv
import io
from collections import Counter

from ..layout.problem import LayoutProblem
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
    systems = Counter()
    for c in problem.clusters:
        systems[c.system] += c.racks
    for name in sorted(systems):
        p = prices.get(name)
        out.append(["compute rack", name, "system", systems[name], "rack", _money(p),
                    _money(p * systems[name] if p is not None else None)])
    switches, net_racks = Counter(), 0
    for c in problem.clusters:
        for f in c.fabrics:
            switches[f.switch] += f.plan.switches
    net_racks = sum(1 for p in result.layout.placements if p.kind == "network")
    for name in sorted(switches):
        p = prices.get(name)
        out.append(["switch", name, "all tiers", switches[name], "switch", _money(p),
                    _money(p * switches[name] if p is not None else None)])
    out.append(["network rack", "network rack", "holds switches", net_racks, "rack", "", ""])
    media = {m.id: m for m in problem.media}
    cables = Counter()
    for link in result.layout.links:
        cables[(link.medium, link.length_m)] += link.count
    transceivers = Counter()
    for (mid, length) in sorted(cables):
        m, n = media[mid], cables[(mid, length)]
        unit = m.cost_fixed + m.cost_per_m * max(length, m.min_length_m)
        out.append(["cable", mid, f"{length:g} m", n, "cable", _money(unit), _money(unit * n)])
        if optical.get(mid):
            transceivers[mid] += 2 * n
    for mid in sorted(transceivers):
        out.append(["transceiver", mid, f"2 per optical cable, {media[mid].power_per_end_w:g} W each "
                    "(priced in the cable)", transceivers[mid], "transceiver", "0.00", "0.00"])
    return out


def emit(problem: LayoutProblem, result: SolveResult, prices: dict, optical: dict) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows(problem, result, prices, optical))
    return buf.getvalue().encode("utf-8")
