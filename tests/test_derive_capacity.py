"""derive._capacity finds by bisection what stepping down from the estimate
found: the most racks (whole NVLink domains) a hall can take with the network
racks they bring. Bisection, because a cluster of a thousand fabrics made the
step-down cost a million terms a hall (a fuzz case of 1,000 `fabric oob`
copies in vera-rubin took 15 s of CPU)."""

from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from factoryspec.model import derive


def _stepping(nets, R, free, netfree, n):
    """The rule as first written: from the proportional estimate down, n at a time."""
    free, netfree = max(free, 0), max(netfree, 0)
    k = min(free, (free + netfree) * R // (R + sum(nets)))
    k -= k % n
    while k > 0:
        extra = sum(-(-r * k // R) for r in nets)
        if k + max(extra - netfree, 0) <= free:
            break
        k -= n
    return max(k, 0)


@settings(max_examples=400, deadline=None)
@given(nets=st.lists(st.integers(0, 60), max_size=40), R=st.integers(1, 5000),
       free=st.integers(-5, 400), netfree=st.integers(-5, 200), n=st.integers(1, 8))
def test_bisection_finds_what_stepping_down_found(nets, R, free, netfree, n):
    fabrics = [SimpleNamespace(shared=False, network_racks=r, sized=True) for r in nets]
    c = SimpleNamespace(racks=R, fabrics=fabrics, joins=[])
    assert derive._capacity(c, free, netfree, n) == _stepping(nets, R, free, netfree, n)
