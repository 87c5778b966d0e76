"""topology.graphml: placed racks as nodes, aggregated cables as edges."""

from __future__ import annotations

import networkx as nx

from ..layout.problem import LayoutProblem
from ..layout.result import SolveResult


def graph(problem: LayoutProblem, result: SolveResult) -> nx.MultiGraph:
    g = nx.MultiGraph(spec_hash=problem.spec_hash)
    for p in sorted(result.layout.placements, key=lambda p: p.id):
        g.add_node(p.id, kind=p.kind, cluster=p.cluster, system=p.system, hall=p.hall, row=p.row,
                   slot=p.slot, x_m=p.x_m, y_m=p.y_m, tier=p.tier or "", fabric=p.fabric or "")
    links = sorted(result.layout.links, key=lambda l: (l.a, l.b, l.level, l.medium, l.length_m))
    for link in links:
        g.add_edge(link.a, link.b, fabric=link.fabric, level=link.level, medium=link.medium,
                   length_m=link.length_m, count=link.count)
    return g


def emit(problem: LayoutProblem, result: SolveResult) -> bytes:
    return ("\n".join(nx.generate_graphml(graph(problem, result))) + "\n").encode("utf-8")
