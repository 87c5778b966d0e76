"""Fat-tree fabric sizing: hand-checked figures and properties."""

from __future__ import annotations


import pytest
from hypothesis import given, settings, strategies as st

from factoryspec.fabric import FabricError, FabricPlan, max_endpoints, size_fabric

SETTINGS = settings(max_examples=300, deadline=None)


def plan(**kw) -> FabricPlan:
    result = size_fabric(**kw)
    assert isinstance(result, FabricPlan), result
    return result


# ---- hand-checked figures -----------------------------------------------------

def test_two_tier_64_port_max_is_r_squared_over_two():
    assert max_endpoints(64, 1, 1, 2) == 64 * 64 // 2 == 2048
    p = plan(endpoints=2048, radix=64)
    # 64 leaves x 32 down; each leaf's 32 uplinks go 1 to each of 32 spines;
    # each spine takes one link from each of the 64 leaves (all 64 ports).
    assert (p.tiers, p.leaves, p.spines, p.cores) == (2, 64, 32, 0)
    assert (p.leaf_down_ports, p.leaf_up_ports, p.links_leaf_spine_per_pair) == (32, 32, 1)
    assert p.spine_down_ports == 64
    assert p.switches == 96
    assert size_fabric(endpoints=2049, radix=64).tiers == 3


def test_three_tier_64_port_is_al_fares_k_ary_fat_tree():
    k = 64
    assert max_endpoints(k, 1, 1, 3) == k**3 // 4 == 65_536
    p = plan(endpoints=65_536, radix=k)
    assert p.tiers == 3
    assert p.pods == k
    assert p.cores == (k // 2) ** 2 == 1024
    assert p.switches == 5 * k * k // 4 == 5120
    assert (p.leaves_per_pod, p.spines_per_pod, p.cores_per_plane) == (32, 32, 32)
    assert (p.links_leaf_spine_per_pair, p.links_spine_core_per_pair) == (1, 1)
    assert p.core_down_ports == 64  # one link from each pod


@pytest.mark.parametrize("k", [4, 6, 8, 16, 24, 48])
def test_full_three_tier_matches_fat_tree_formulas(k):
    p = plan(endpoints=k**3 // 4, radix=k)
    assert (p.pods, p.cores, p.switches) == (k, k * k // 4, 5 * k * k // 4)
    assert p.leaves == p.spines == k * k // 2


def test_q3400_two_tier_max():
    assert max_endpoints(144, 1, 1, 2) == 144**2 // 2 == 10_368
    p = plan(endpoints=10_368, radix=144)
    assert (p.tiers, p.leaves, p.spines) == (2, 144, 72)
    assert size_fabric(endpoints=10_368, radix=144, tiers=2).spines == 72
    assert isinstance(size_fabric(endpoints=10_369, radix=144, tiers=2), FabricError)


def test_superpod_like_32_racks_of_72_ports_on_q3400():
    # 32 NVL72 racks x 72 compute ports = 2,304 endpoints, 144-port switches, 1:1.
    # Leaf: 72 down / 72 up -> 2,304 / 72 = 32 leaves, each with 72 uplinks.
    # A spine takes k links from each of 32 leaves: 32k <= 144 -> k <= 4.
    # Even striping: k * S = 72 with k <= 4 -> S >= 18 and S | 72 -> S = 18, k = 4
    # (16 spines would need k = 4.5). Each spine then uses 32 * 4 = 128 of 144 ports.
    p = plan(endpoints=32 * 72, radix=144)
    assert (p.tiers, p.leaves, p.spines, p.cores, p.switches) == (2, 32, 18, 0, 50)
    assert p.links_leaf_spine_per_pair == 4
    assert (p.leaf_down_ports, p.leaf_up_ports, p.spine_down_ports) == (72, 72, 128)
    assert p.leaf_spine_links == 2304
    assert p.switch_racks(per_rack=16) == 4  # ceil(50 / 16)


def test_two_to_one_oversubscription():
    # 64 ports at 2:1 -> 64*2//3 = 42 down, 22 up available, 21 needed (42/2).
    assert max_endpoints(64, 2, 1, 2) == 64 * 42 == 2688
    p = plan(endpoints=2688, radix=64, down=2)
    # 64 leaves; a spine takes 1 link per leaf (64 ports) -> k = 1, S = 21.
    assert (p.leaves, p.spines, p.links_leaf_spine_per_pair) == (64, 21, 1)
    assert (p.leaf_down_ports, p.leaf_up_ports) == (42, 21)
    assert p.leaf_spine_links * 2 == p.endpoints
    # 1,000 endpoints: ceil(1000/42) = 24 leaves; k <= 64 // 24 = 2;
    # S = ceil(21/2) = 11 with k = 2 -> 22 uplinks (<= 22 available).
    p = plan(endpoints=1000, radix=64, down=2)
    assert (p.leaves, p.spines, p.links_leaf_spine_per_pair, p.leaf_up_ports) == (24, 11, 2, 22)
    # 3 tiers at 2:1: 64 pods x 32 leaves x 42 endpoints.
    assert max_endpoints(64, 2, 1, 3) == 64 * 32 * 42 == 86_016
    p = plan(endpoints=86_016, radix=64, down=2)
    assert (p.pods, p.spines_per_pod, p.cores_per_plane, p.cores) == (64, 21, 32, 21 * 32)
    assert p.spine_up_ports == p.spine_down_ports == 32  # spines stay non-blocking


def test_rail_optimized_dgx_h100_superpod():
    # 4 SUs x 32 DGX H100 x 8 rails = 1,024 endpoints on 64-port QM9700.
    # Per rail: 128 endpoints / 32 = 4 leaves -> 32 leaves; k <= 64 // 32 = 2,
    # S = 32 / 2 = 16 spines shared by all rails (NVIDIA's 4-SU design: 32 + 16).
    p = plan(endpoints=1024, radix=64, rails=8)
    assert (p.tiers, p.rails, p.leaves, p.spines, p.links_leaf_spine_per_pair) == (2, 8, 32, 16, 2)
    assert p.leaves % 8 == 0
    # One SU: 8 leaves (one per rail), k <= 8, S = 32 / 8 = 4.
    p = plan(endpoints=256, radix=64, rails=8)
    assert (p.leaves, p.spines, p.links_leaf_spine_per_pair) == (8, 4, 8)
    # A rail with only 1 endpoint still gets its own leaf.
    p = plan(endpoints=16, radix=64, rails=8, tiers=2)
    assert (p.leaves, p.leaf_down_ports) == (8, 2)


def test_rails_must_divide_endpoints_and_limit_the_fabric():
    err = size_fabric(endpoints=1001, radix=64, rails=8)
    assert isinstance(err, FabricError) and "8 rails" in err.message
    # 3 rails on 64 ports: 2-tier leaves <= 63 (21 per rail), pods hold 10 leaves a rail.
    assert max_endpoints(64, 1, 1, 2, rails=3) == 3 * 21 * 32
    assert max_endpoints(64, 1, 1, 3, rails=3) == 64 * 3 * 10 * 32


def test_three_tier_partial_build():
    # 2,049 endpoints on 64 ports: 65 leaves needed, pods hold 32 -> 3 pods of
    # ceil(65/3) = 22 leaves; 22 leaves leave k = 1 -> 32 spines a pod;
    # a spine has 22 down; cores take <= 64 // 3 = 21 links per spine:
    # C = 2 cores per plane with m = 11 (22 up) -> 32 * 2 = 64 cores.
    p = plan(endpoints=2049, radix=64)
    assert (p.pods, p.leaves_per_pod, p.leaves, p.spines_per_pod, p.spines) == (3, 22, 66, 32, 96)
    assert (p.cores_per_plane, p.links_spine_core_per_pair, p.cores) == (2, 11, 64)
    assert p.switches == 66 + 96 + 64
    # 5 full pods: 32 spine uplinks, m <= 64 // 5 = 12, C | 32 -> C = 4 (m = 8).
    p5 = plan(endpoints=5 * 32 * 32, radix=64)
    assert (p5.pods, p5.cores_per_plane, p5.links_spine_core_per_pair) == (5, 4, 8)
    # One more endpoint: 6 pods of 27 leaves could stripe 27 as 9 x 3, but
    # cores never drop below the full 5-pod build: C = 4, m = 7 (28 up links).
    p6 = plan(endpoints=5 * 32 * 32 + 1, radix=64)
    assert (p6.pods, p6.leaves_per_pod, p6.cores_per_plane) == (6, 27, 4)
    assert p6.links_spine_core_per_pair == 7 and p6.cores >= p5.cores


def test_one_tier_and_forced_tiers():
    p = plan(endpoints=48, radix=64)
    assert (p.tiers, p.leaves, p.spines, p.cores, p.pods, p.switches) == (1, 1, 0, 0, 1, 1)
    assert (p.leaf_down_ports, p.leaf_up_ports) == (48, 0)
    p = plan(endpoints=64, radix=64)
    assert p.tiers == 1
    # Forced 2 tiers: 48 > 32 down ports -> 2 leaves, 1 spine taking 32 links from each.
    p = plan(endpoints=48, radix=64, tiers=2)
    assert (p.tiers, p.leaves, p.spines, p.links_leaf_spine_per_pair) == (2, 2, 1, 32)
    p = plan(endpoints=48, radix=64, tiers=3)
    assert (p.tiers, p.pods) == (3, 1) and p.cores >= 1
    assert plan(endpoints=2048, radix=64, tiers=3).tiers == 3


def test_too_big_message_and_max():
    err = size_fabric(endpoints=70_000, radix=64)
    assert err == FabricError(
        "a 3-tier fat tree of 64-port switches at 1:1 connects at most 65,536 endpoints;"
        " this fabric needs 70,000", 65_536)
    err = size_fabric(endpoints=3000, radix=64, tiers=2)
    assert isinstance(err, FabricError)
    assert err.max_endpoints == 2048 and "2-tier" in err.message and "3,000" in err.message
    assert err.to_json() == {"error": err.message, "max_endpoints": 2048}


@pytest.mark.parametrize("kw", [
    dict(endpoints=10, radix=1), dict(endpoints=10, radix=64, down=0),
    dict(endpoints=10, radix=64, up=-1), dict(endpoints=10, radix=64, rails=0),
    dict(endpoints=0, radix=64), dict(endpoints=-5, radix=64),
    dict(endpoints=10, radix=64, tiers=4), dict(endpoints=100, radix=64, tiers=1),
    dict(endpoints=10, radix=2, down=1, up=5), dict(endpoints=10.5, radix=64),
    dict(endpoints=10, radix="64"),
])
def test_bad_input_is_an_error_value_not_an_exception(kw):
    assert isinstance(size_fabric(**kw), FabricError)


def test_max_endpoints_defaults_and_invalid():
    assert max_endpoints(64) == 65_536
    assert max_endpoints(64, tiers=1) == 64
    assert max_endpoints(64, 1, 1, 1, rails=6) == 60
    assert max_endpoints(1) == 0
    assert max_endpoints(64, 1, 1, 5) == 0
    # More rails than half the radix: no 3-tier pod fits, 2 tiers still do.
    assert max_endpoints(64, 1, 1, 3, rails=40) == 0
    assert max_endpoints(64, 1, 1, None, rails=40) == 40 * 1 * 32
    err = size_fabric(endpoints=40 * 33, radix=64, rails=40)
    assert isinstance(err, FabricError) and err.max_endpoints == 1280 and "2-tier" in err.message


def test_to_json_and_switch_racks():
    p = plan(endpoints=1024, radix=64, rails=8)
    j = p.to_json()
    assert list(j)[:4] == ["tiers", "endpoints", "rails", "radix"]
    for key in ("tiers", "endpoints", "rails", "leaves", "spines", "cores", "pods",
                "leaf_down_ports", "leaf_up_ports", "links_leaf_spine_per_pair",
                "links_spine_core_per_pair", "endpoint_links", "leaf_spine_links",
                "spine_core_links", "switches", "leaves_per_pod", "spines_per_pod"):
        assert type(j[key]) is int
    assert j == plan(endpoints=1024, radix=64, rails=8).to_json()
    # one tier per rack: 32 leaves and 16 spines take a rack each even at 48 a rack
    assert (p.leaves, p.spines, p.switches) == (32, 16, 48)
    assert (p.switch_racks(48), p.switch_racks(16), p.switch_racks(1)) == (2, 3, 48)
    with pytest.raises(ValueError):
        p.switch_racks(0)


# ---- properties ---------------------------------------------------------------

@st.composite
def fabric_inputs(draw, too_big=False):
    radix = draw(st.integers(2, 160))
    down = draw(st.integers(1, 4))
    up = draw(st.integers(1, 4))
    rails = draw(st.sampled_from([1, 1, 2, 3, 4, 8]))
    tiers = draw(st.sampled_from([None, 2, 3]))
    most = max_endpoints(radix, down, up, tiers, rails=rails)
    if most == 0:
        return None
    units = most // rails
    n = draw(st.integers(units + 1, units + 50) if too_big else st.integers(1, units))
    return dict(endpoints=n * rails, radix=radix, down=down, up=up, rails=rails, tiers=tiers)


def check_plan(p: FabricPlan, radix: int, down: int, up: int) -> None:
    # Every switch's used ports fit.
    assert 1 <= p.leaf_down_ports and p.leaf_down_ports + p.leaf_up_ports <= radix
    assert p.spine_down_ports + p.spine_up_ports <= radix
    assert p.core_down_ports <= radix
    # Ports balance.
    assert p.endpoint_links == p.endpoints
    assert p.leaves * p.leaf_down_ports >= p.endpoints > p.leaves * (p.leaf_down_ports - 1)
    assert p.endpoints % p.rails == 0 and p.leaves % p.rails == 0 or p.tiers == 1
    assert p.leaf_spine_links == p.leaves * p.leaf_up_ports
    assert p.spine_core_links == p.spines * p.spine_up_ports == p.cores * p.core_down_ports
    assert p.switches == p.leaves + p.spines + p.cores
    assert p.leaves == p.pods * p.leaves_per_pod and p.spines == p.pods * p.spines_per_pod
    if p.tiers == 1:
        assert (p.leaves, p.spines, p.cores, p.leaf_spine_links) == (1, 0, 0, 0)
        assert p.endpoints <= radix
        return
    # Even striping: the same k links from every leaf to every spine of its pod,
    # the same m links from every spine to every core of its plane.
    k, m = p.links_leaf_spine_per_pair, p.links_spine_core_per_pair
    assert k >= 1
    assert p.leaf_up_ports == k * p.spines_per_pod
    assert p.leaf_spine_links == p.leaves_per_pod * p.spines_per_pod * k * p.pods
    assert p.spine_down_ports == p.leaves_per_pod * k
    # Oversubscription only at the leaf, never worse than down:up.
    assert p.leaf_up_ports * down >= p.leaf_down_ports * up
    if p.tiers == 2:
        assert (p.pods, p.cores, m, p.spine_up_ports, p.spine_core_links) == (1, 0, 0, 0, 0)
        assert p.spine_down_ports <= radix
    else:
        assert m >= 1 and p.cores == p.spines_per_pod * p.cores_per_plane
        assert p.spine_down_ports <= radix // 2
        assert p.spine_up_ports == m * p.cores_per_plane >= p.spine_down_ports
        assert p.core_down_ports == p.pods * m
        assert p.spine_core_links == p.spines_per_pod * p.cores_per_plane * m * p.pods


@SETTINGS
@given(fabric_inputs())
def test_plans_balance_fit_and_stripe_evenly(kw):
    if kw is None:
        return
    p = plan(**kw)
    if kw["tiers"] is not None:
        assert p.tiers == kw["tiers"]
    assert (p.endpoints, p.rails, p.radix, p.down, p.up) == (
        kw["endpoints"], kw["rails"], kw["radix"], kw["down"], kw["up"])
    check_plan(p, kw["radix"], kw["down"], kw["up"])


@SETTINGS
@given(radix=st.integers(2, 160), rails=st.sampled_from([1, 2, 4, 8]),
       tiers=st.sampled_from([None, 2, 3]), permille=st.integers(0, 1000))
def test_non_blocking_at_one_to_one(radix, rails, tiers, permille):
    most = max_endpoints(radix, 1, 1, tiers, rails=rails)
    if most == 0:
        return
    e = max(rails, most * permille // 1000 // rails * rails)
    p = plan(endpoints=e, radix=radix, rails=rails, tiers=tiers)
    assert p.leaf_up_ports >= p.leaf_down_ports or p.tiers == 1
    assert p.leaf_spine_links >= p.endpoints or p.tiers == 1
    if p.tiers == 3:
        assert p.spine_up_ports >= p.spine_down_ports
        assert p.spine_core_links >= p.leaf_spine_links


def counts(p: FabricPlan) -> tuple[int, ...]:
    return (p.leaves, p.spines, p.cores, p.switches, p.pods)


@SETTINGS
@given(fabric_inputs(), st.integers(0, 5000))
def test_switch_counts_never_fall_as_endpoints_grow(kw, extra):
    if kw is None:
        return
    most = max_endpoints(kw["radix"], kw["down"], kw["up"], kw["tiers"], rails=kw["rails"])
    bigger = min(most, kw["endpoints"] + extra * kw["rails"])
    a, b = plan(**kw), plan(**{**kw, "endpoints": bigger})
    assert all(x <= y for x, y in zip(counts(a), counts(b))), (counts(a), counts(b))
    # And one step at a time around the smaller size.
    step = kw["endpoints"] + kw["rails"]
    if step <= most:
        assert all(x <= y for x, y in zip(counts(a), counts(plan(**{**kw, "endpoints": step}))))


@pytest.mark.parametrize("radix,down,up,rails,tiers", [
    (8, 1, 1, 1, None), (9, 1, 1, 1, None), (12, 2, 1, 2, None), (16, 1, 1, 3, 3),
    (16, 1, 1, 1, None), (18, 3, 1, 4, None), (10, 1, 2, 1, 3), (24, 1, 1, 8, None),
])
def test_switch_counts_never_fall_exhaustive_small(radix, down, up, rails, tiers):
    most = max_endpoints(radix, down, up, tiers, rails=rails)
    prev = None
    for e in range(rails, most + 1, rails):
        p = plan(endpoints=e, radix=radix, down=down, up=up, rails=rails, tiers=tiers)
        check_plan(p, radix, down, up)
        if prev is not None:
            assert all(x <= y for x, y in zip(prev, counts(p))), (e, prev, counts(p))
        prev = counts(p)
    assert isinstance(size_fabric(endpoints=most + rails, radix=radix, down=down, up=up,
                                  rails=rails, tiers=tiers), FabricError)


@SETTINGS
@given(fabric_inputs(too_big=True))
def test_too_big_reports_the_largest_that_fits(kw):
    if kw is None:
        return
    result = size_fabric(**kw)
    most = max_endpoints(kw["radix"], kw["down"], kw["up"], kw["tiers"], rails=kw["rails"])
    assert isinstance(result, FabricError)
    assert result.max_endpoints == most < kw["endpoints"]
    assert f"{most:,}" in result.message and f"{kw['endpoints']:,}" in result.message
    assert isinstance(size_fabric(**{**kw, "endpoints": result.max_endpoints}), FabricPlan)


def test_sizing_across_the_whole_range():
    n = 0
    for radix in (64, 144, 512):
        most = max_endpoints(radix)
        for i in range(1, 1001):
            e = most * i // 1000
            assert isinstance(size_fabric(endpoints=e, radix=radix, rails=1), FabricPlan)
            n += 1
    assert size_fabric(endpoints=max_endpoints(512), radix=512).switches == 5 * 512 * 512 // 4
    assert n == 3000
