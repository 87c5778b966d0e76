"""topology.graphml is streamed (emit/topology.py): the bytes networkx's own
writer gives, for laid-out specs and for odd strings and parallel edges."""

import re
from pathlib import Path

import networkx as nx
import pytest

from factoryspec import api
from factoryspec.emit import topology

ROOT = Path(__file__).resolve().parent.parent


def _reference(g) -> bytes:
    return ("\n".join(nx.generate_graphml(g)) + "\n").encode("utf-8")


@pytest.mark.parametrize("spec", ["tests/topology/shared_appliances.fac", "tests/compile/mixed_halls.fac"])
def test_streamed_graphml_is_what_networkx_writes(spec):
    r = api.compile(ROOT / spec, time_limit=5, jobs=1)
    assert r.ok, r.diagnostics
    g = topology.graph(r.problem, r.result)
    assert g.number_of_edges() > 10
    assert topology.emit(r.problem, r.result) == _reference(g)
    ids = list(g.nodes)                     # racks by number: c2 before c10
    assert any(re.search(r"\d{2}$", i) for i in ids)
    assert ids == sorted(ids, key=lambda i: (tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", i)), i))


def test_odd_strings_and_parallel_edges():
    g = nx.MultiGraph(spec_hash='a&b<c>"d\n')
    node = dict(kind="compute", cluster='c&"1', system="s<1>", hall="h\t1", row=1, slot=2, x_m=0.5,
                y_m=1e-7, tier="", fabric="")
    g.add_node('x&"y\n', **node)
    g.add_node("z>", **{**node, "row": 10**20})
    edge = dict(fabric="f", level="endpoint", medium="m&m", length_m=3.0, count=2)
    g.add_edge('x&"y\n', "z>", **edge)
    g.add_edge('x&"y\n', "z>", **{**edge, "length_m": 12345678.125})      # a parallel edge: id 1
    text = "".join(topology.lines(g)).encode("utf-8")
    assert text == _reference(g)
    back = nx.read_graphml(__import__("io").BytesIO(text))
    assert back.number_of_edges() == 2 and back.nodes['x&"y\n']["cluster"] == 'c&"1'
