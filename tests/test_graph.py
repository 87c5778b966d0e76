"""The factory graph: containment, power with A/B feeds, cooling, network; exports."""

import json
import re
from pathlib import Path

import networkx as nx
from click.testing import CliRunner

from factoryspec.cli import main
from factoryspec.model.graph import export, to_json
from factoryspec.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "checks" / "base_pass.fac"


def graph_of(path):
    result = check(str(path))
    return result.graph()


def rel(g, relation):
    return [(a, b, d) for a, b, k, d in g.edges(keys=True, data=True) if k == relation]


def test_every_node_keeps_its_span():
    g = graph_of(BASE)
    for n, d in g.nodes(data=True):
        assert d["span"], n
        assert re.fullmatch(r".+\.fac:\d+:\d+-\d+:\d+", d["span"]), (n, d["span"])
    line = int(g.nodes["hall:s.b.h1"]["span"].rsplit(":", 3)[1])
    assert BASE.read_text().splitlines()[line - 1].strip() == "hall h1 {"


def test_containment():
    g = graph_of(BASE)
    contains = {(a, b) for a, b, _ in rel(g, "contains")}
    assert ("site:s", "building:s.b") in contains
    assert ("building:s.b", "hall:s.b.h1") in contains
    assert all(("hall:s.b.h1", f"row:s.b.h1#{r}") in contains for r in range(1, 11))
    assert ("site:s", "cluster:s.c") in contains and ("cluster:s.c", "fabric:s.c.f") in contains
    rows = [d for n, d in g.nodes(data=True) if d["kind"] == "row"]
    assert sum(d["racks"] for d in rows) == 64 and max(d["racks"] for d in rows) == 7
    assert all(d["slots"] == 12 and d["compute_slots"] == 10 for d in rows)


def test_power_chain_single_feed():
    g = graph_of(BASE)
    assert ("utility:s#1", "power:s.b.ups") in {(a, b) for a, b, _ in rel(g, "feeds")}
    assert ("power:s.b.ups", "hall:s.b.h1") in {(a, b) for a, b, _ in rel(g, "feeds")}
    assert not rel(g, "feeds-A")
    into_racks = [d for a, b, d in rel(g, "feeds") if b == "racks:s.c@s.b.h1"]
    assert sum(d["racks"] for d in into_racks) == 64


def test_power_chain_ab_feeds(tmp_path):
    text = BASE.read_text().replace('      redundancy = "N+1"\n    }\n    cooling',
                                    '      redundancy = "N+1"\n      feeds = 2\n    }\n    cooling')
    text = text.replace("      busway = 2 MW\n", "      busway = 2 MW\n      feeds = 2\n")
    spec = tmp_path / "ab.fac"
    spec.write_text(text)
    (tmp_path / "common.fac").write_text((BASE.parent / "common.fac").read_text())
    g = graph_of(spec)
    a = {(x, y) for x, y, _ in rel(g, "feeds-A")}
    b = {(x, y) for x, y, _ in rel(g, "feeds-B")}
    assert ("power:s.b.ups", "hall:s.b.h1") in a and ("power:s.b.ups", "hall:s.b.h1") in b
    assert ("hall:s.b.h1", "busway:s.b.h1#1/A") in a and ("hall:s.b.h1", "busway:s.b.h1#1/B") in b
    # each rack group is fed from both busways of its rows
    fed = [x for x, y, _ in rel(g, "feeds") if y == "racks:s.c@s.b.h1"]
    assert {f.rsplit("/", 1)[1] for f in fed} == {"A", "B"}


def test_cooling_chain():
    g = graph_of(BASE)
    cools = rel(g, "cools")
    assert ("cooling:s.b.cooling", "cdu:s.b.h1#1") in {(a, b) for a, b, _ in cools}
    assert ("cooling:s.b.cooling", "air:s.b.h1#1") in {(a, b) for a, b, _ in cools}
    liquid = [d["heat_w"] for a, b, d in cools if a == "cdu:s.b.h1#1"]
    air = [d["heat_w"] for a, b, d in cools if a == "air:s.b.h1#1"]
    assert liquid == [7_344_000] and air == [1_296_000]     # 64 x 135 kW x 85 % / 15 %


def test_network_per_fabric_and_rail():
    g = graph_of(BASE)
    links = rel(g, "links")
    # 8 rails: ports of the rack group -> the leaves of each rail -> the spines
    ports = [(a, b, d) for a, b, d in links if a.startswith("ports:")]
    assert len(ports) == 8 and all(d["links"] == 576 for _, _, d in ports)     # 64 racks x 9 ports
    leaf_spine = [d["links"] for a, b, d in links if a.startswith("leaf:")]
    assert len(leaf_spine) == 8 and sum(leaf_spine) == 4608
    assert g.nodes["spine:s.c.f"]["switches"] == 36
    assert sum(g.nodes[f"leaf:s.c.f/rail{r}"]["switches"] for r in range(1, 9)) == 64


def test_exports_are_deterministic_and_parse():
    g1, g2 = graph_of(BASE), graph_of(BASE)
    for fmt in ("dot", "graphml", "json"):
        assert export(g1, fmt) == export(g2, fmt)
    parsed = nx.parse_graphml(export(g1, "graphml"), force_multigraph=True)
    assert parsed.number_of_nodes() == g1.number_of_nodes()
    assert parsed.number_of_edges() == g1.number_of_edges()
    doc = json.loads(export(g1, "json"))
    assert [n["id"] for n in doc["nodes"]] == sorted((n["id"] for n in doc["nodes"]), key=_numbers_as_numbers)
    assert doc == to_json(g1) | {}
    dot = export(g1, "dot")
    assert dot.startswith("digraph factory {") and '"hall:s.b.h1"' in dot


def _numbers_as_numbers(text: str) -> tuple:
    """The order a reader expects: the runs of digits in an id compared as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text)), text


def test_rails_and_rows_are_listed_by_number_in_every_export():
    """rail2 before rail10 and row #9 before row #10, not as text sorts them
    (rail1, rail10, rail2, ...)."""
    g = graph_of(BASE)
    rows = [n for n in g.nodes if n.startswith("row:s.b.h1#")]
    assert len(rows) == 10 and rows == [f"row:s.b.h1#{r}" for r in range(1, len(rows) + 1)]
    doc = json.loads(export(g, "json"))
    json_rows = [n["id"] for n in doc["nodes"] if n["id"].startswith("row:")]
    assert json_rows == rows
    dot_rows = re.findall(r'^  "(row:[^"]+)" \[', export(g, "dot"), re.M)
    assert dot_rows == rows
    graphml_rows = re.findall(r'<node id="(row:[^"]+)"', export(g, "graphml"))
    assert graphml_rows == rows
    rails = [n for n in g.nodes if n.startswith("leaf:s.c.f/rail")]
    assert rails == [f"leaf:s.c.f/rail{r}" for r in range(1, 9)]


def test_dot_labels_carry_units_and_graphml_keeps_numbers():
    """Edges in dot (for people) say "576 links", "1.08 MW", "3.26 MW liquid";
    graphml and json keep heat_w and power_w as numbers of watts."""
    g = graph_of(BASE)
    dot = export(g, "dot")
    labels = re.findall(r'label="([^"]*)"\]', dot)
    assert not [text for text in labels if "=" in text or "_w" in text]
    cools = [(a, b, d) for a, b, d in rel(g, "cools") if a == "cdu:s.b.h1#1"]
    heat = cools[0][2]["heat_w"]
    assert isinstance(heat, (int, float)) and heat > 1e5
    edge = f'"{cools[0][0]}" -> "{cools[0][1]}"'
    line = next(text for text in dot.splitlines() if text.startswith("  " + edge))
    from factoryspec.lang.units import POWER, Quantity, format_quantity
    from fractions import Fraction
    assert f'label="{format_quantity(Quantity(Fraction(str(heat)), POWER))} liquid"' in line
    assert re.search(r'label="[0-9.,]+ [kMG]?W liquid"', line)
    doc = json.loads(export(g, "json"))
    assert any(isinstance(e.get("heat_w"), (int, float)) for e in doc["edges"])
    parsed = nx.parse_graphml(export(g, "graphml"), force_multigraph=True)
    assert any(isinstance(d.get("heat_w"), (int, float)) for _, _, d in parsed.edges(data=True))


def test_lint_does_not_build_the_graph():
    result = check(str(BASE))
    assert result._graph is None
    assert result.graph() is result.graph()


def test_graph_of_a_5_gw_campus_is_aggregated(tmp_path):
    from generate import campus_spec

    spec = tmp_path / "campus.fac"
    spec.write_text(campus_spec())
    result = check(str(spec))
    g = result.graph()
    # 29,600 racks and 2.1 million ports, but one node per rack group, rail and tier
    assert g.number_of_nodes() < 25_000
    racks = sum(d["racks"] for _, d in g.nodes(data=True) if d["kind"] == "racks")
    assert racks == 29_600


def test_cli_graph(tmp_path):
    runner = CliRunner()
    for fmt in ("dot", "graphml", "json"):
        r = runner.invoke(main, ["graph", str(BASE), "--format", fmt], catch_exceptions=False)
        assert r.exit_code == 0, r.output
        assert r.stdout
    r = runner.invoke(main, ["graph", str(BASE), "--format", "png"])
    assert r.exit_code == 2
    r = runner.invoke(main, ["graph", str(ROOT / "tests" / "checks" / "power_fail.fac")])
    assert r.exit_code == 1 and r.stdout.startswith("digraph")


def test_graph_with_a_layout_has_the_layouts_rows(tmp_path):
    """`graph --layout`: each row holds the compute racks the layout put there
    (what the floor plan draws), with its busway load; a layout of another
    spec is refused."""
    spec = ROOT / "specs" / "superpod.fac"
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(main, ["compile", str(spec), "-o", str(out), "--time-limit", "20"]).exit_code == 0
    layout = json.loads((out / "layout.json").read_text())
    placed: dict = {}
    for p in layout["placements"]:
        if p["kind"] == "compute":
            placed[(p["hall"], p["row"])] = placed.get((p["hall"], p["row"]), 0) + 1
    r = runner.invoke(main, ["graph", str(spec), "--format", "json", "--layout", str(out / "layout.json")])
    assert r.exit_code == 0, r.output
    rows = [n for n in json.loads(r.stdout)["nodes"] if n.get("kind") == "row"]
    assert rows and all(n["racks"] == placed.get((n["id"].split(":", 1)[1].rsplit("#", 1)[0], n["row"]), 0)
                        for n in rows)
    assert all("power_w" in n for n in rows)
    bad = runner.invoke(main, ["graph", str(BASE), "--layout", str(out / "layout.json")])
    assert bad.exit_code == 1 and "layout-invalid" in bad.output


def test_appliances_are_nodes_of_their_cluster_linked_to_their_fabric():
    from factoryspec.model.graph import build_graph
    spec = Path(__file__).parent / "topology" / "shared_appliances.fac"
    G = build_graph(check(str(spec)).model)
    node = G.nodes["appliances:s.pod.heads"]
    assert (node["kind"], node["count"], node["ports"], node["own_racks"]) == ("appliances", 2, 4, True)
    assert G.has_edge("cluster:s.pod", "appliances:s.pod.heads", "contains")
    assert G.edges["appliances:s.pod.heads", "fabric:s.storage", "links"]["cables"] == 4
