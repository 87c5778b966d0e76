"""Fabric topologies: fat_tree, rail_optimized, rail_only, planes, tiers = 1 and
fixed switch counts, with figures worked by hand; the layout's links for each;
and NVIDIA DGX SuperPOD reference-architecture tables reproduced by `plan`.

The running example: 60 nodes of 8 ports (480 endpoints, 8 rails, 60 per rail),
scalable units of 20 nodes (160 endpoints, 20 per rail), 64-port switches at 1:1
(a leaf has D = 32 down ports and cables 32 up links).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiled import cables_from, compile_verified

from factoryspec import api
from factoryspec.cli import main
from factoryspec.fabric import FabricError, FabricPlan, max_endpoints, size_fabric
from factoryspec.layout import wiring
from factoryspec.layout.problem import Cluster, FabricSpec, LayoutProblem
from factoryspec.layout.verify import TIERS, _expected_links
from factoryspec.checks.figures import plan_text
from factoryspec.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
TOPO = ROOT / "tests" / "topology"
FIDELITY = ROOT / "tests" / "fidelity"
RUNNING = dict(endpoints=480, radix=64, rails=8)


def plan(**kw) -> FabricPlan:
    result = size_fabric(**kw)
    assert isinstance(result, FabricPlan), result
    return result


def error(**kw) -> FabricError:
    result = size_fabric(**kw)
    assert isinstance(result, FabricError), result
    return result


# ---- the leaf rule of each topology ----------------------------------------------

def test_fat_tree_sizes_leaves_over_the_whole_cluster():
    # 60 endpoints per rail / 32 down ports -> 2 leaves per rail, 16 leaves of 30.
    # 16 leaves x 32 up links: a spine gives each leaf at most 64 // 16 = 4 links,
    # so the fewest spines are 32 / 4 = 8, 4 links from every leaf to each.
    p = plan(**RUNNING)
    assert (p.tiers, p.leaves, p.spines, p.leaf_down_ports) == (2, 16, 8, 30)
    assert (p.links_leaf_spine_per_pair, p.spine_down_ports, p.leaf_spine_links) == (4, 64, 512)
    assert (p.topology, p.units, p.unit_endpoints) == ("fat_tree", 1, 480)
    # the scalable unit does not change a fat tree
    assert plan(**RUNNING, unit_endpoints=160) == p


def test_rail_optimized_aligns_leaves_to_scalable_units():
    # An SU has 20 endpoints per rail: ceil(20 / 32) = 1 leaf per rail per SU,
    # 3 SUs x 8 rails = 24 leaves of 20 endpoints (fat tree: 16). A spine gives each
    # of 24 leaves at most 64 // 24 = 2 links: 32 / 2 = 16 spines, 24 x 32 = 768 links.
    p = plan(**RUNNING, topology="rail_optimized", unit_endpoints=160)
    assert (p.tiers, p.leaves, p.spines, p.leaf_down_ports) == (2, 24, 16, 20)
    assert (p.units, p.unit_endpoints, p.unit_leaves) == (3, 160, 8)
    assert (p.links_leaf_spine_per_pair, p.spine_down_ports, p.leaf_spine_links) == (2, 48, 768)
    assert p.endpoint_links == 480 and p.switches == 40


def test_rail_optimized_nvidia_su_of_32_nodes_has_8_leaves():
    # 32 nodes x 8 rails = 256 endpoints an SU, 32 per rail = one 64-port leaf's down ports.
    for sus in (1, 2, 3, 4):
        p = plan(endpoints=sus * 256, radix=64, rails=8, topology="rail_optimized", unit_endpoints=256)
        assert p.leaves == 8 * sus and p.leaf_down_ports == 32


def test_rail_optimized_short_last_unit_gets_a_whole_units_leaves():
    # 70 nodes in SUs of 20: 4 SUs (the last of 10 nodes), 4 x 8 = 32 leaves, as
    # NVIDIA builds the full SU's leaves and leaf-spine cables for a partial one.
    p = plan(endpoints=560, radix=64, rails=8, topology="rail_optimized", unit_endpoints=160)
    assert (p.units, p.leaves, p.leaf_down_ports) == (4, 32, 20)
    # 32 leaves x 32 up links: 64 // 32 = 2 links to each of 16 spines
    assert (p.spines, p.links_leaf_spine_per_pair) == (16, 2)


def test_rail_optimized_within_one_unit_is_the_fat_tree():
    fat = plan(**RUNNING)
    for unit in (0, 480, 1000):
        p = plan(**RUNNING, topology="rail_optimized", unit_endpoints=unit)
        assert (p.leaves, p.spines, p.leaf_down_ports, p.units) == (fat.leaves, fat.spines, 30, 1)


def test_rail_optimized_three_tiers_keep_whole_units_in_a_pod():
    # 8-port switches at 1:1: D = 4; a spine has 4 ports down, so a pod holds
    # 4 // 2 rails = 2 leaves per rail. SUs of 8 endpoints = 4 per rail = 1 leaf per
    # rail: 2 SUs a pod. 5 SUs (40 endpoints) -> 3 pods (2, 2, 1 SUs): 10 leaves
    # (a fat tree spreads 5 leaves per rail as 2 per pod over 3 pods: 12).
    p = plan(endpoints=40, radix=8, rails=2, topology="rail_optimized", unit_endpoints=8)
    assert (p.tiers, p.pods, p.leaves, p.leaves_per_pod) == (3, 3, 10, 4)
    fat = plan(endpoints=40, radix=8, rails=2)
    assert (fat.tiers, fat.pods, fat.leaves) == (3, 3, 12)
    # every leaf: 4 up links, one to each of 4 spines of its pod; 3 pods x 4 spines
    assert (p.spines_per_pod, p.spines, p.leaf_spine_links) == (4, 12, 10 * 4)


def test_rail_only_makes_each_rail_its_own_fabric():
    # 60 endpoints per rail fit on one 64-port switch: 8 rail switches, no spines.
    p = plan(**RUNNING, topology="rail_only")
    assert (p.tiers, p.copies, p.switches, p.spines, p.leaf_down_ports) == (1, 8, 8, 0, 60)
    assert p.tier_switches() == (8,) and p.endpoint_links == 480
    # 100 endpoints per rail exceed a switch: per rail ceil(100 / 32) = 4 leaves and
    # 32 / (64 // 4 = 16) = 2 spines, 16 links from each leaf to each; 8 rails of 4 + 2.
    p = plan(endpoints=800, radix=64, rails=8, topology="rail_only")
    assert (p.tiers, p.leaves, p.spines, p.links_leaf_spine_per_pair) == (2, 32, 16, 16)
    assert (p.leaves_per_pod, p.spines_per_pod) == (4, 2)        # one rail's, no spine joins rails
    assert p.leaf_spine_links == 32 * 32
    # a fat tree of the same ports shares 16 spines among all 32 leaves
    fat = plan(endpoints=800, radix=64, rails=8)
    assert (fat.leaves_per_pod, fat.spines_per_pod, fat.links_leaf_spine_per_pair) == (32, 16, 2)


def test_planes_are_independent_copies():
    # 2 planes: each takes 240 endpoints (4 rails of 60): 2 leaves per rail, 8 leaves;
    # 64 // 8 = 8 links to each of 32 / 8 = 4 spines. Fabric: 16 leaves, 8 spines.
    p = plan(endpoints=480, radix=64, rails=4, planes=2)
    assert (p.copies, p.leaves, p.spines, p.leaves_per_pod, p.spines_per_pod) == (2, 16, 8, 8, 4)
    assert (p.links_leaf_spine_per_pair, p.leaf_spine_links, p.endpoint_links) == (8, 512, 480)
    # rail_only on 2 planes of 4 rails: 8 copies of 60 endpoints, one switch each
    p = plan(endpoints=480, radix=64, rails=4, planes=2, topology="rail_only")
    assert (p.copies, p.tiers, p.switches) == (8, 1, 8)
    # planes multiply what fits: 2 planes of the 2,048-endpoint 2-tier maximum
    assert max_endpoints(64, 1, 1, 2, planes=2) == 4096
    assert plan(endpoints=4096, radix=64, planes=2).tiers == 2
    bad = error(endpoints=480, radix=64, rails=8, planes=7)
    assert "do not split evenly over 8 rails x 7 planes" in bad.message


def test_max_endpoints_by_topology():
    # rail_optimized, 2 tiers: a spine takes a link from every leaf, 8 rails x 1 leaf an SU:
    # 64 // 8 = 8 SUs of 160 = 1,280 (a fat tree of the same ports: 64 leaves x 32 = 2,048)
    ro = dict(rails=8, topology="rail_optimized", unit_endpoints=160)
    assert max_endpoints(64, 1, 1, 2, **ro) == 1280
    assert max_endpoints(64, 1, 1, 2, rails=8) == 2048
    assert plan(endpoints=1280, radix=64, tiers=2, **ro).leaves == 64
    e = error(endpoints=1440, radix=64, tiers=2, **ro)
    assert e.max_endpoints == 1280 and "2-tier rail-optimized fabric" in e.message
    # a cluster within one (large) unit is a fat tree
    assert max_endpoints(64, 1, 1, 2, topology="rail_optimized", unit_endpoints=4096) == 2048
    # rail_only in one tier: a 64-port switch per rail
    assert max_endpoints(64, 1, 1, 1, rails=8, topology="rail_only") == 512


# ---- tiers = 1 ----------------------------------------------------------------------

def test_one_tier_when_the_endpoints_fit_one_switch():
    p = plan(endpoints=60, radix=64, tiers=1)
    assert (p.tiers, p.switches, p.leaf_down_ports, p.endpoint_links) == (1, 1, 60, 60)
    assert plan(endpoints=64, radix=64, tiers=1).tiers == 1


def test_one_tier_too_many_endpoints_gives_the_numbers():
    # NVIDIA's 1-SU H100 SuperPOD: 31 nodes x 8 = 248 endpoints on 64-port switches.
    e = error(endpoints=248, radix=64, tiers=1)
    assert e.code == "fabric-size" and e.attr == "tiers" and e.max_endpoints == 64
    assert e.message == ("a single switch of 64 ports connects at most 64 endpoints; "
                         "this fabric needs 248")
    assert max_endpoints(64, 1, 1, 1) == 64


def test_plan_headroom_agrees_with_the_one_tier_error():
    # fixture: 60 racks x 8 ports = 480 endpoints, tiers = 1 on 64-port switches
    spec = ROOT / "tests" / "checks" / "fabric_counts_fail.fac"
    result = api.plan(spec)
    diags = [d for d in result.diagnostics if d.code == "fabric-size"]
    assert [d.span.line for d in diags] == [84]
    assert "at most 64 endpoints; this fabric needs 480" in diags[0].message
    assert "tiers must be" not in diags[0].message
    assert "fabric s.c.single endpoints: 480 of 64 [fabric-size]" in result.text()


# ---- fixed counts -------------------------------------------------------------------

RAIL_OPT = dict(RUNNING, topology="rail_optimized", unit_endpoints=160)


def test_fixed_counts_equal_to_the_sized_ones_change_nothing():
    sized = plan(**RAIL_OPT)
    assert plan(**RAIL_OPT, leaves=24, spines=16) == sized


def test_fixed_counts_valid():
    # 48 leaves: 2 per rail per SU of 10 endpoints; each still cables 32 up links
    # (its full down ports); 48 leaves leave a spine 64 // 48 = 1 link each: 32 spines.
    p = plan(**RAIL_OPT, leaves=48)
    assert (p.leaves, p.leaf_down_ports, p.spines, p.links_leaf_spine_per_pair) == (48, 10, 32, 1)
    # 32 spines for 24 leaves: 1 link from every leaf to each, 24 ports of a spine
    p = plan(**RAIL_OPT, spines=32)
    assert (p.spines, p.links_leaf_spine_per_pair, p.spine_down_ports, p.leaf_spine_links) == (32, 1, 24, 768)
    # cores imply 3 tiers
    p = plan(endpoints=40, radix=8, rails=2, cores=8)
    assert (p.tiers, p.cores) == (3, 8)


@pytest.mark.parametrize("counts, code, attr, words", [
    # 20 leaves over 8 rails x 3 SUs: not uniform
    (dict(leaves=20), "fabric-striping", "leaves", "do not split evenly over 8 rails x 3 scalable units"),
    # 12 spines: ceil(32 / 12) = 3 links each, 36 up ports of the 32 a leaf has
    (dict(spines=12), "fabric-ports", "spines", "36 up ports, but a 64-port leaf has 32 left"),
    # 1 spine: 32 links from each of 24 leaves = 768 ports of a 64-port spine
    (dict(spines=1), "fabric-ports", "spines", "each spine takes 32 links from each of 24 leaves: 768 ports"),
    # cores in a 2-tier fabric
    (dict(tiers=2, cores=4), "fabric-ports", "cores", "a 2-tier fabric has no cores"),
])
def test_fixed_counts_invalid(counts, code, attr, words):
    e = error(**RAIL_OPT, **counts)
    assert (e.code, e.attr) == (code, attr) and words in e.message, e
    assert e.hint


def test_fixed_leaves_too_few_for_the_endpoints():
    # fat tree, 8 leaves: 1 per rail of 60 endpoints, beyond the 32 down ports
    e = error(**RUNNING, leaves=8)
    assert (e.code, e.attr) == ("fabric-ports", "leaves")
    assert "put 60 endpoints on a leaf, but a 64-port leaf at 1:1 has 32 down ports" in e.message
    assert "at least 16 leaves" in e.hint


def test_fixed_three_tier_counts_must_stripe():
    # 40 endpoints on 8-port switches: 3 pods of 4 spines; 10 spines do not split over 3 pods,
    # 5 cores not over the 4 core planes (one per spine of a pod)
    assert plan(endpoints=40, radix=8, rails=2, spines=12).spines == 12
    e = error(endpoints=40, radix=8, rails=2, spines=10)
    assert (e.code, e.attr) == ("fabric-striping", "spines") and "over 3 pods" in e.message
    e = error(endpoints=40, radix=8, rails=2, cores=5)
    assert (e.code, e.attr) == ("fabric-striping", "cores") and "4 core planes" in e.message


def test_fixed_count_diagnostics_at_their_lines():
    """tests/checks/fabric_counts_fail.fac marks each expected code at its line;
    here, the numbers of each message."""
    result = check(str(ROOT / "tests" / "checks" / "fabric_counts_fail.fac"))
    by_line = {(d.span.line, d.code): d for d in result.diagnostics}
    assert "leaves = 20 do not split evenly over 8 rails x 6 scalable units" in by_line[(56, "fabric-striping")].message
    assert "3 to each, 36 up ports" in by_line[(63, "fabric-ports")].message
    blocking = by_line[(72, "fabric-blocking")]
    assert "42 down ports and 22 up links (2 to each of 11 spines): 21:11, not the 2:1" in blocking.message
    assert "1, 3, 7, 21" in blocking.hint
    assert "do not split evenly over 3 planes x 8 rails" in by_line[(78, "fabric-ports")].message


# ---- the layout's links ---------------------------------------------------------------

LEVELS = {1: "endpoint", 2: "leaf-spine", 3: "spine-core"}


def _wired(racks: int, ppr: int, p: FabricPlan, per: int = 8) -> tuple[Counter, Counter]:
    """(solver's links, verifier's links) of one fabric, switches racked as wiring does."""
    f = FabricSpec(id="f", plan=p, ports_per_rack=ppr, switch="sw", switches_per_rack=per)
    c = Cluster(id="c", racks=racks, system="sys", rack_power_w=1000.0, fabrics=[f])
    w = wiring.build(LayoutProblem(halls=(), clusters=(c,), media=()))
    got: Counter = Counter()
    for a, b, n, lvl in zip(w.la, w.lb, w.lcount, w.llevel):
        got[(w.ids[a], w.ids[b], LEVELS[int(lvl)])] += int(n)
    sizes = wiring._tier_sizes(p)
    switch_rack = {("c", "f", name): [f"c/f/{name}{i // per + 1}" for i in range(n)]
                   for name, n in zip(TIERS[p.tiers], sizes)}
    return got, _expected_links(c, f, switch_rack)


@pytest.mark.parametrize("racks, ppr, kw", [
    (15, 32, dict(radix=64, rails=8)),
    (15, 32, dict(radix=64, rails=8, topology="rail_optimized", unit_endpoints=160)),
    (17, 32, dict(radix=64, rails=8, topology="rail_optimized", unit_endpoints=160)),   # short last SU
    (15, 32, dict(radix=64, rails=8, topology="rail_only")),
    (25, 32, dict(radix=64, rails=8, topology="rail_only")),                             # 2 tiers a rail
    (15, 32, dict(radix=64, rails=4, planes=2)),
    (20, 2, dict(radix=8, rails=2, topology="rail_optimized", unit_endpoints=8)),        # 3 tiers
    (20, 4, dict(radix=8, rails=2, planes=2, topology="rail_optimized", unit_endpoints=16)),
    (20, 4, dict(radix=8, rails=2, planes=2, topology="rail_only")),
    (20, 2, dict(radix=8, rails=2, leaves=12, spines=12, cores=8)),
])
def test_solver_and_verifier_links_agree(racks, ppr, kw):
    p = plan(endpoints=racks * ppr, **kw)
    got, want = _wired(racks, ppr, p)
    assert got == want
    per_level = Counter()
    for (_, _, level), n in got.items():
        per_level[level] += n
    assert per_level["endpoint"] == p.endpoint_links
    assert per_level["leaf-spine"] == p.leaf_spine_links
    assert per_level["spine-core"] == p.spine_core_links


def test_rail_only_links_never_join_rails():
    # 25 racks x 32 ports, rail-only: each rail's 4 leaves meet only its own 2 spines
    p = plan(endpoints=800, radix=64, rails=8, topology="rail_only")
    got, _ = _wired(25, 32, p, per=1)                # one switch a rack: racks are switches
    for (a, b, level), n in got.items():
        if level == "leaf-spine":
            leaf, spine = int(a.rsplit("leaf", 1)[1]) - 1, int(b.rsplit("spine", 1)[1]) - 1
            assert leaf // 4 == spine // 2, (a, b)   # the same copy (rail)
            assert n == 16


@pytest.mark.parametrize("name", ["rail_optimized", "rail_only", "planes"])
def test_small_specs_compile_and_verify(name, tmp_path):
    spec = TOPO / f"{name}.fac"
    run = CliRunner()
    r = run.invoke(main, ["compile", str(spec), "-o", str(tmp_path / "out"), "--time-limit", "20",
                          "--jobs", "1"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = run.invoke(main, ["verify", str(spec), str(tmp_path / "out" / "layout.json")], catch_exceptions=False)
    assert r.exit_code == 0, r.output


# ---- fidelity: NVIDIA DGX SuperPOD reference architectures -----------------------------

def _compute_fabric(spec: Path, sus: int) -> dict:
    result = api.plan(spec, vars={"scalable_units": str(sus)})
    assert not [d for d in result.diagnostics if d.code.startswith("fabric")], result.diagnostics
    (fabric,) = result.figures["clusters"][0]["fabrics"]
    return fabric


# DGX SuperPOD B200 RA, "DGX SuperPOD Architecture" (docs.nvidia.com/dgx-superpod/
# reference-architecture-scalable-infrastructure-b200/latest/dgx-superpod-architecture.html),
# the table of InfiniBand switch and cable counts per SU count:
# SUs, leaf, spine, core, node-leaf, leaf-spine, spine-core cables.
B200_TABLE = [
    (2, 16, 8, 0, 512, 512, 0),
    (4, 32, 16, 0, 1024, 1024, 0),
    (8, 64, 32, 0, 2048, 2048, 0),
    (16, 128, 128, 64, 4096, 4096, 4096),
    (32, 256, 256, 128, 8192, 8192, 8192),
    (64, 512, 512, 256, 16384, 16384, 16384),
]


@pytest.mark.parametrize("row", B200_TABLE, ids=lambda r: f"{r[0]}su")
def test_b200_superpod_compute_fabric(row):
    sus, leaf, spine, core, node_leaf, leaf_spine, spine_core = row
    fb = _compute_fabric(FIDELITY / "b200_superpod.fac", sus)
    assert fb["switches"] == {"leaf": leaf, "spine": spine, "core": core, "total": leaf + spine + core}
    assert (fb["links"]["endpoint_leaf"], fb["links"]["leaf_spine"], fb["links"]["spine_core"]) == \
        (node_leaf, leaf_spine, spine_core)
    assert fb["tiers"] == (3 if core else 2)


# DGX SuperPOD H100 RA, "Network Fabrics", Table 4 "Compute fabric component count"
# (docs.nvidia.com/dgx-superpod/reference-architecture-scalable-infrastructure-h100/latest/
# network-fabrics.html): SUs, nodes, leaf, spine, compute-and-UFM cables, spine-leaf cables.
H100_TABLE = [
    (1, 31, 8, 4, 252, 256),
    (2, 63, 16, 8, 508, 512),
    (3, 95, 24, 16, 764, 768),
    (4, 127, 32, 16, 1020, 1024),
]


@pytest.mark.parametrize("row", H100_TABLE, ids=lambda r: f"{r[0]}su")
def test_h100_superpod_switches_and_leaf_spine_cables(row):
    # The RA builds every SU's leaves and leaf-spine cables whole (one node slot of
    # the 32 goes to UFM), which is what rail_optimized sizes for 32-node SUs.
    sus, _, leaf, spine, _, spine_leaf = row
    fb = _compute_fabric(FIDELITY / "h100_superpod.fac", sus)
    assert fb["switches"] == {"leaf": leaf, "spine": spine, "core": 0, "total": leaf + spine}
    assert fb["links"]["leaf_spine"] == spine_leaf


@pytest.mark.parametrize("row", H100_TABLE, ids=lambda r: f"{r[0]}su")
def test_h100_superpod_compute_and_ufm_cables(row):
    # 32 x SUs - 1 nodes of 8 ports and one UFM appliance with 4 ports (rails 1-4) in the
    # last node slot: 4 SUs give 127 x 8 + 4 = 1,020 cables on 1,024 sized positions.
    sus, nodes, _, _, compute_ufm, _ = row
    result = api.plan(FIDELITY / "h100_superpod.fac", vars={"scalable_units": str(sus)})
    (cluster,) = result.figures["clusters"]
    assert (cluster["nodes"], cluster["racks"], cluster["gpus"]) == (nodes, 8 * sus, 8 * nodes)
    fb = _compute_fabric(FIDELITY / "h100_superpod.fac", sus)
    assert fb["links"]["endpoint_leaf"] == compute_ufm == nodes * 8 + 4


# ---- node systems and appliances -------------------------------------------------------

NODES = TOPO / "nodes.fac"


def test_node_cluster_totals_are_exact_for_a_partly_filled_last_rack():
    # 13 DGX H100 nodes + 1 UFM = 14 node slots: ceil(14 / 4) = 4 racks, the last holding
    # 1 node, the UFM and 2 empty slots. GPUs 13 x 8 = 104 (not 4 x 32 = 128); compute
    # power 13 x 10.2 kW + 1 kW = 133.6 kW; the fullest rack 4 x 10.2 = 40.8 kW and the
    # heaviest 4 x 130 + 160 = 680 kg (the last: 130 + 25 + 160 = 315 kg).
    result = check(str(NODES))
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"], result.diagnostics
    (c,) = result.model.clusters
    assert (c.racks, c.node_count, c.gpus) == (4, 13, 104)
    assert c.compute_power.value == 133600
    assert (c.rack_power.value, c.rack_weight.value) == (40800, 680)
    assert [(g.count, g.nodes, [(a.name, n) for a, n in g.appliances]) for g in c.rack_groups()] == \
        [(3, 4, []), (1, 1, [("ufm_3", 1)])]
    assert [q.value for q in c.tail_powers()] == [11200]              # 10.2 kW + 1 kW
    (fab,) = c.fabrics
    # 4 racks x 32 positions sized; cabled: 13 x 8 node ports + 4 UFM ports
    assert (fab.endpoints, fab.ports, fab.sized.endpoint_links) == (128, 108, 108)
    assert (fab.sized.leaves, fab.sized.spines, fab.sized.leaf_spine_links) == (16, 8, 512)
    # cost: 13 x 0.375 MUSD + 50 kUSD
    assert c.cost.value == 13 * 375_000 + 50_000


def test_node_cluster_with_racks_is_as_before():
    # `racks = 15` of the node system: 60 nodes, every rack full, the figures of a
    # 32-GPU, 57.2 kW, 730 kg rack and 32 ports a rack (tests/topology/rail_optimized.fac).
    result = check(str(TOPO / "rail_optimized.fac"))
    (c,) = result.model.clusters
    assert (c.racks, c.node_count, c.gpus, c.compute_power.value) == (15, 60, 480, 15 * 57200)
    assert (c.rack_power.value, c.rack_weight.value, c.tail_powers()) == (57200, 730, [])
    assert c.fabrics[0].ports_per_rack == 32 and c.fabrics[0].ports == 480


def _nodes_layout(tmp_path):
    run = CliRunner()
    out = tmp_path / "out"
    r = run.invoke(main, ["compile", str(NODES), "-o", str(out), "--time-limit", "20", "--jobs", "1"],
                   catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return out / "layout.json"


def test_node_and_appliance_spec_compiles_and_verifies(tmp_path):
    import json
    path = _nodes_layout(tmp_path)
    r = CliRunner().invoke(main, ["verify", str(NODES), str(path)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    data = json.loads(path.read_text())
    by_level = Counter()
    for ln in data["links"]:
        by_level[ln["level"]] += ln["count"]
    assert (by_level["endpoint"], by_level["leaf-spine"]) == (108, 512)
    assert data["totals"]["cables"] == 620
    assert data["clusters"] == [{"id": "s.c", "system": "dgx_h100", "racks": 4, "nodes": 13, "nodes_per_rack": 4,
                                 "appliances": [{"name": "ufm", "appliance": "ufm_3", "count": 1,
                                                 "rails": [1, 2, 3, 4],
                                                 "ports": [{"fabric": "compute", "from": "ports",
                                                            "rails": [1, 2, 3, 4], "per_rail": 1}],
                                                 "rack": "s.c/c4", "slot": 2,
                                                 "own_racks": False}]}]
    # the last rack: one node (8 cables, one a rail) and the UFM (rails 1-4): 12 cables
    assert sum(ln["count"] for ln in data["links"] if ln["a"] == "s.c/c4") == 12
    last = [p for p in data["placements"] if p["id"] == "s.c/c4"][0]
    full = [p for p in data["placements"] if p["id"] == "s.c/c1"][0]
    assert last["power_w"] < full["power_w"]                # 11.2 kW of systems, not 40.8 kW
    assert data["totals"]["it_power_w"] == sum(p["power_w"] for p in data["placements"])


OWN = TOPO / "own_racks.fac"


def test_appliances_in_racks_of_their_own():
    # 13 nodes: racks 1-3 full, rack 4 one node and 3 empty slots; the 2 UFMs start
    # rack 5 (slots 16, 17 of the cluster), its last 2 slots empty. GPUs 13 x 8;
    # compute power 13 x 10.2 kW + 2 x 1 kW = 134.6 kW; the tail racks 10.2 kW, 2 kW.
    result = check(str(OWN))
    assert not [d for d in result.diagnostics if d.severity.name == "ERROR"], result.diagnostics
    (c,) = result.model.clusters
    assert (c.racks, c.node_count, c.gpus, c.compute_power.value) == (5, 13, 104, 134_600)
    assert [(g.count, g.nodes, [(a.name, n) for a, n in g.appliances]) for g in c.rack_groups()] == \
        [(3, 4, []), (1, 1, []), (1, 0, [("ufm_3", 2)])]
    assert [q.value for q in c.tail_powers()] == [10_200, 2_000]
    (fab,) = c.fabrics
    assert (fab.endpoints, fab.ports) == (160, 13 * 8 + 2 * 4)


def test_own_racks_in_a_cluster_counted_in_racks(tmp_path):
    # racks = 5 of 4 slots: the most nodes that leave the UFMs a rack of their own is 16
    # (racks 1-4 full, rack 5 the UFMs and 2 empty slots); 17 would push them to a 6th.
    text = OWN.read_text().replace("    nodes = 13\n", "    racks = 5\n")
    spec = tmp_path / "own.fac"
    spec.write_text(text)
    (c,) = check(str(spec)).model.clusters
    assert (c.racks, c.node_count, c.padding) == (5, 16, 2)
    assert [(g.count, g.nodes, [(a.name, n) for a, n in g.appliances]) for g in c.rack_groups()] == \
        [(4, 4, []), (1, 0, [("ufm_3", 2)])]
    # 6 UFMs need two racks of their own: 12 nodes in racks 1-3, UFMs in racks 4-5
    spec.write_text(text.replace("count = 2", "count = 6"))
    (c,) = check(str(spec)).model.clusters
    assert (c.node_count, [g.nodes for g in c.rack_groups()]) == (12, [4, 0, 0])
    assert [[(a.name, n) for a, n in g.appliances] for g in c.rack_groups()][1:] == [[("ufm_3", 4)], [("ufm_3", 2)]]


def test_own_rack_appliances_compile_and_verify(tmp_path):
    data = compile_verified(OWN, tmp_path / "out")
    (cl,) = data["clusters"]
    assert cl["appliances"] == [{"name": "ufm", "appliance": "ufm_3", "count": 2, "rails": [1, 2, 3, 4],
                                 "ports": [{"fabric": "compute", "from": "ports", "rails": [1, 2, 3, 4],
                                            "per_rail": 1}],
                                 "rack": "s.c/c5", "slot": 1, "own_racks": True}]
    assert cables_from(data, "s.c") == {"s.c/c1": 32, "s.c/c2": 32, "s.c/c3": 32, "s.c/c4": 8, "s.c/c5": 8}
    power = {p["id"]: p["power_w"] for p in data["placements"]}
    # rack 5: the UFMs' 2 kW and their 8 host modules; rack 4: one node and its 8
    assert power["s.c/c5"] - 2_000 == power["s.c/c4"] - 10_200 > 0


WHOLE = TOPO / "whole_rack_appliances.fac"


def test_appliances_of_a_whole_rack_cluster_stand_in_racks_of_their_own():
    # 8 GB300 NVL72 racks and 3 UFMs, 2 a rack: racks 9 and 10 hold 2 and 1 UFM.
    # GPUs 8 x 72; ports 8 x 72 + 3 x 4 = 588 of 10 x 72 = 720 positions.
    result = check(str(WHOLE))
    assert not result.diagnostics, result.diagnostics      # the appliance racks are no short unit
    (c,) = result.model.clusters
    assert (c.racks, c.node_count, c.gpus, c.appliance_racks) == (10, 8, 576, 2)
    assert [(g.count, g.nodes, [(a.name, n) for a, n in g.appliances]) for g in c.rack_groups()] == \
        [(8, 1, []), (1, 0, [("ufm_3", 2)]), (1, 0, [("ufm_3", 1)])]
    assert [q.value for q in c.tail_powers()] == [2_000, 1_000]
    (fab,) = c.fabrics
    assert (fab.endpoints, fab.ports) == (720, 588)
    text = plan_text(result.model, result.diagnostics)
    assert "s.train: 8 x gb300_nvl72 + 2 appliance racks = 576 GPUs" in text
    assert "appliances ufm: 3 x ufm_3, in 2 racks of their own, 12 ports on fabric compute" in text


def test_whole_rack_appliances_compile_verify_and_are_bought(tmp_path):
    import csv
    out = tmp_path / "out"
    data = compile_verified(WHOLE, out)
    assert cables_from(data, "s.train") == {**{f"s.train/c{i}": 72 for i in range(1, 9)}, "s.train/c9": 8, "s.train/c10": 4}
    assert data["clusters"][0]["appliances"][0]["rack"] == "s.train/c9"
    bom = {(row["category"], row["item"]): row for row in csv.DictReader((out / "bom.csv").open())}
    assert bom[("compute rack", "gb300_nvl72")]["quantity"] == "8"
    assert (bom[("appliance", "ufm_3")]["quantity"], bom[("appliance", "ufm_3")]["detail"]) == \
        ("3", "in racks of their own")
    assert "8 x gb300_nvl72 racks" in (out / "report.md").read_text()


def test_whole_rack_appliances_need_own_racks_and_room(tmp_path):
    spec = tmp_path / "w.fac"
    spec.write_text(WHOLE.read_text().replace("      own_racks = true\n", ""))
    (d,) = [d for d in check(str(spec)).diagnostics if d.severity.name == "ERROR"]
    assert d.code == "appliance-slots" and "own_racks = true" in d.hint
    # 20 UFMs of 4 ports on the one rail: 80 positions, a rack of the fabric has 72
    spec.write_text(WHOLE.read_text().replace("per_rack = 2", "per_rack = 20").replace("count = 3", "count = 20"))
    (d,) = [d for d in check(str(spec)).diagnostics if d.severity.name == "ERROR"]
    assert d.code == "appliance-rails" and "20 x ufm_3 a rack need 80 positions" in d.message
    assert d.hint == "set `per_rack = 18` or fewer, or name more rails"
    assert d.span.line == next(i for i, ln in enumerate(spec.read_text().splitlines(), 1) if "per_rack =" in ln)


def test_verify_rejects_an_appliance_cable_on_a_rail_it_does_not_use(tmp_path):
    import json
    path = _nodes_layout(tmp_path)
    data = json.loads(path.read_text())
    # In the last rack each leaf rack of SU 2 (two rails a rack: 1-2, 3-4, 5-6, 7-8)
    # takes 2 node cables, and 2 UFM cables on rails 1-4. Move one UFM cable from
    # the rails 1-2 leaf rack to the rails 5-6 one: same total, wrong rail.
    ends = sorted((ln for ln in data["links"] if ln["a"] == "s.c/c4" and ln["level"] == "endpoint"),
                  key=lambda ln: ln["b"])
    assert [ln["count"] for ln in ends] == [4, 4, 2, 2]
    ends[0]["count"] -= 1
    ends[2]["count"] += 1
    # the leaf racks' module power follows their cable ends: set it as verify recounts it,
    # so that the only thing wrong is where the cable goes
    import re
    racks = {p["id"]: p for p in data["placements"]}
    for _ in range(3):
        path.write_text(json.dumps(data))
        r = CliRunner().invoke(main, ["verify", str(NODES), str(path)], catch_exceptions=False)
        fixes = re.findall(r"rack (\S+): power \S+ W, expected (\S+) W", r.output)
        if not fixes:
            break
        for rid, want in fixes:
            racks[rid]["power_w"] = int(float(want)) if float(want).is_integer() else float(want)
    assert r.exit_code != 0
    assert "power" not in r.output and "s.c/c4" in r.output, r.output


def test_appliance_problem_is_checked():
    # a layout problem whose appliance ports overlap the nodes' is malformed
    import attrs
    from factoryspec.layout.to_problem import build_problem
    checked = check(str(NODES))
    p = build_problem(checked)
    (c,) = p.clusters
    (f,) = c.fabrics
    assert f.node_endpoints == 13 * 1 and f.appliance_ports == ((0, 13, 1), (1, 13, 1), (2, 13, 1), (3, 13, 1))
    assert c.tail_power_w == (11200.0,)
    bad = attrs.evolve(f, appliance_ports=((0, 12, 1),))
    p2 = attrs.evolve(p, clusters=[attrs.evolve(c, fabrics=[bad])])
    with pytest.raises(ValueError, match="not free positions"):
        p2.validate()
    p.validate()


# DGX SuperPOD B300 XDR RA, "DGX SuperPOD Architecture", Table 3 "Example Compute Fabric
# Components for DGX SuperPOD Counts" (docs.nvidia.com/dgx-superpod/reference-architecture/
# scalable-infrastructure-b300-xdr/latest/dgx-superpod-architecture.html): SUs, nodes, GPUs
# (as printed), leaf, spine, node-leaf cables, leaf-spine cables. 2 tiers throughout: a
# Q3400 spine's 144 ports meet at most 144 leaves. At 4 SUs, 32 leaves x 72 uplinks striped
# evenly: a spine gives each leaf at most 144 // 32 = 4 links, so 18 spines of 4 (not 16).
B300_TABLE = [
    (1, 72, 576, 8, 4, 576, 576),
    (2, 144, 1152, 16, 8, 1152, 1152),
    (4, 288, 2304, 32, 18, 2304, 2304),
    (8, 576, 4608, 64, 36, 4608, 4608),
    (18, 1296, 9216, 144, 72, 10368, 10368),
]


def _b300(sus: int, gpus: int):
    return api.plan(FIDELITY / "b300_xdr_superpod.fac",
                    vars={"scalable_units": str(sus), "published_gpus": str(gpus)})


@pytest.mark.parametrize("row", B300_TABLE, ids=lambda r: f"{r[0]}su")
def test_b300_xdr_superpod_compute_fabric(row):
    sus, nodes, gpus, leaf, spine, node_leaf, leaf_spine = row
    result = _b300(sus, gpus)
    assert not [d for d in result.diagnostics if d.code.startswith("fabric")], result.diagnostics
    cluster = result.figures["clusters"][0]
    (fb,) = cluster["fabrics"]
    assert cluster["racks"] * 4 == nodes                 # the catalog's 4-node racks
    assert fb["switches"] == {"leaf": leaf, "spine": spine, "core": 0, "total": leaf + spine}
    assert (fb["links"]["endpoint_leaf"], fb["links"]["leaf_spine"]) == (node_leaf, leaf_spine)
    assert fb["tiers"] == 2


@pytest.mark.parametrize("row", B300_TABLE, ids=lambda r: f"{r[0]}su")
def test_b300_tables_gpu_column_warns_where_it_disagrees_with_its_nodes(row):
    # Table 3's 18-SU row prints 9,216 GPUs for 1,296 nodes of 8 (10,368, which its
    # cable counts also give); every other row is nodes x 8.
    sus, nodes, gpus, *_ = row
    result = _b300(sus, gpus)
    warned = [d for d in result.diagnostics if d.code == "expect-failed"]
    assert result.figures["clusters"][0]["gpus"] == nodes * 8
    if nodes * 8 == gpus:
        assert warned == []
    else:
        (d,) = warned
        assert "superpod.gpus = 10,368, which is not == published_gpus (9216)" in d.message
        assert d.severity.value == "warning"


@pytest.mark.parametrize("spec", sorted(FIDELITY.glob("*.fac")), ids=lambda p: p.stem)
def test_fidelity_specs_lint_compile_and_verify(spec, tmp_path):
    run = CliRunner()
    r = run.invoke(main, ["lint", str(spec)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = run.invoke(main, ["compile", str(spec), "-o", str(tmp_path / "out"), "--time-limit", "10",
                          "--jobs", "1"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    r = run.invoke(main, ["verify", str(spec), str(tmp_path / "out" / "layout.json")], catch_exceptions=False)
    assert r.exit_code == 0, r.output
