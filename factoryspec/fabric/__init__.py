"""Exact sizing of leaf/spine(/core) fat-tree fabrics, as network engineers build them.

Pure integer arithmetic, no I/O, no exceptions for infeasible input: `size_fabric`
returns a `FabricPlan` or a `FabricError` that says how large a fabric fits. The
work is O(1) plus a few loops bounded by the switch radix (memoised), never a
loop over endpoints, so it can run for every fabric of a multi-gigawatt campus.

Terms. `R` is the switch radix (ports). A leaf's ports split down:up in the
configured ratio `d:u`: `D = R*d // (d+u)` down ports (endpoints) and `R - D` up
ports, of which it cables `need = ceil(D*u/d)` or a little more (see striping).
1:1 is non-blocking (D = R/2). Oversubscription is allowed only at the leaf:
spines of a 3-tier fabric are non-blocking (up links >= down links, at most
`R // 2` ports face down).

Striping rule (how spine and core counts are chosen). Each leaf has the same
number `k >= 1` of links to every spine of its group, so a leaf uses `k*S` up
ports where `S` is the spines per group; likewise each spine has the same `m`
links to every core of its plane, using `m*C` up ports (`C` cores per plane).
For one tier, given the lower bound `lo` on a switch's up links, the most it may
use `hi`, and the most links `kmax` one upper switch can give each lower switch
(its usable ports // the lower switches it serves), we take the fewest upper
switches `S` for which `k = ceil(lo/S)` satisfies `k <= kmax` and `k*S <= hi`,
with that smallest `k` (fewest cables). `S = lo, k = 1` always works when
`kmax >= 1`, so the fabric is feasible exactly when every upper switch can take
one link from each switch below it.

- Leaves cable their up links for their full down capacity `D` (`lo = ceil(D*u/d)`,
  `hi = R - D`) whether or not every down port is used: partly filled leaves are
  fine, every leaf has the same up links, and an added endpoint never needs a
  new uplink.
- Rails (rails > 1): endpoints split evenly over the rails; each rail has its own
  leaves (a leaf serves one rail); spines are shared by all rails of a group.
- 1 tier: only when `tiers` is None and all endpoints fit on one switch (one
  switch then serves every rail).
- 2 tiers (one group): fewest leaves `r * ceil(E/r / D)`, then fewest spines,
  each spine taking `leaves * k <= R` ports.
- 3 tiers: uniform pods of leaves + spines; at most `(R//2) // r` leaves per rail
  in a pod (a spine gives them `k` links on at most `R//2` ports). Fewest pods
  `P`, then the leaves spread evenly over them (fewest per pod), then the fewest
  spines per pod, then the fewest cores per plane. Spine `j` of every pod meets
  the `C` cores of plane `j` (one plane per spine of a pod) with `m` links each:
  a core uses `P*m <= R` ports, a spine's up links `m*C` cover its down links.
  So that switch counts never fall as endpoints grow, `C` is at least the cores
  per plane of a full build with one pod fewer (that only matters where even
  striping forces a divisor: e.g. 64-port 1:1, 5 full pods take 4 cores per plane
  (32 = 8*4), 6 lightly filled pods could stripe 27 links as 9*3 but keep 4).

Full builds reproduce the textbook figures: a non-blocking 2-tier of radix R
reaches R^2/2 endpoints with R leaves and R/2 spines; a 3-tier is Al-Fares'
k-ary fat tree with k = R: k pods, (k/2)^2 cores, k^3/4 endpoints and 5k^2/4
switches. The lexicographic rule (pods, leaves, spines, cores) is what engineers
build; it is not a search for the global minimum of total switches.
"""

from __future__ import annotations

from functools import lru_cache

import attrs

__all__ = ["FabricPlan", "FabricError", "size_fabric", "max_endpoints"]


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@attrs.frozen(slots=True)
class FabricPlan:
    """A sized fat-tree fabric. All counts are exact ints.

    Per-switch port fields are per switch of that tier (every switch of a tier is
    cabled alike; `leaf_down_ports` is the most endpoints on any leaf, leaves
    being filled as evenly as possible). Fields of absent tiers are 0.
    """

    tiers: int
    endpoints: int
    rails: int
    radix: int
    down: int
    up: int
    pods: int
    leaves: int
    spines: int
    cores: int
    switches: int
    leaves_per_pod: int
    spines_per_pod: int
    cores_per_plane: int
    leaf_down_ports: int
    leaf_up_ports: int
    spine_down_ports: int
    spine_up_ports: int
    core_down_ports: int
    links_leaf_spine_per_pair: int
    links_spine_core_per_pair: int
    endpoint_links: int
    leaf_spine_links: int
    spine_core_links: int

    def tier_switches(self) -> tuple[int, ...]:
        """Switches per tier, lowest first (one entry per tier)."""
        return (self.leaves, self.spines, self.cores)[:self.tiers] if self.tiers > 1 else (self.switches,)

    def switch_racks(self, per_rack: int) -> int:
        """Network racks for the fabric's switches: `per_rack` switches a rack and
        one tier per rack (a rack of leaves, a rack of spines), as the layout racks
        them, so the plan's count is the layout's."""
        if per_rack < 1:
            raise ValueError(f"per_rack must be at least 1, got {per_rack}")
        return sum(_ceil_div(n, per_rack) for n in self.tier_switches())

    def tier_ports(self) -> tuple[int, ...]:
        """Ports cabled on a switch of each tier (the most on any switch of it), lowest first."""
        if self.tiers == 1:
            return (self.leaf_down_ports,)
        leaf, spine = self.leaf_down_ports + self.leaf_up_ports, self.spine_down_ports + self.spine_up_ports
        return (leaf, spine) if self.tiers == 2 else (leaf, spine, self.core_down_ports)

    @property
    def switch_ends(self) -> int:
        """Cable ends on switch ports: one per endpoint link, two per link between tiers."""
        return self.endpoint_links + 2 * (self.leaf_spine_links + self.spine_core_links)

    def to_json(self) -> dict[str, int]:
        """A dict with stable keys (the field names, in declaration order)."""
        return attrs.asdict(self)


@attrs.frozen(slots=True)
class FabricError:
    """Why no fabric fits; `max_endpoints` is the most that fit with these inputs
    (0 when the inputs themselves are invalid)."""

    message: str
    max_endpoints: int

    def to_json(self) -> dict[str, object]:
        return {"error": self.message, "max_endpoints": self.max_endpoints}


# ---- internals -----------------------------------------------------------------

@lru_cache(maxsize=65536)
def _stripe(lo: int, hi: int, kmax: int, least: int = 1) -> tuple[int, int] | None:
    """Fewest upper switches S >= least, with k = ceil(lo/S) links from each lower
    switch to each of them, such that k <= kmax and lo <= k*S <= hi."""
    if lo < 1 or hi < lo or kmax < 1:
        return None
    s = max(least, _ceil_div(lo, kmax), 1)
    while s <= hi:  # s >= lo gives k = 1, so this ends within the radix
        k = _ceil_div(lo, s)
        if k * s <= hi:
            return s, k
        s += 1
    return None


def _leaf_split(radix: int, down: int, up: int) -> tuple[int, int, int]:
    """(down ports, minimum up links, up ports available) of a leaf."""
    d_ports = radix * down // (down + up)
    return d_ports, _ceil_div(d_ports * up, down), radix - d_ports


def _invalid(radix: object, down: object, up: object, rails: object) -> str | None:
    for name, value, least in (("radix", radix, 2), ("down", down, 1), ("up", up, 1),
                               ("rails", rails, 1)):
        if not isinstance(value, int) or isinstance(value, bool):
            return f"{name} must be an integer, got {value!r}"
        if value < least:
            return f"{name} must be at least {least}, got {value}"
    d_ports = radix * down // (down + up)  # type: ignore[operator]
    if d_ports < 1:
        return (f"a {radix}-port leaf at {down}:{up} has no port left for endpoints "
                f"(it needs at least {_ceil_div(down + up, down)} ports)")  # type: ignore[operator]
    return None


def _max_for(radix: int, down: int, up: int, tiers: int, rails: int) -> int:
    d_ports = radix * down // (down + up)
    if tiers == 1:
        return rails * (radix // rails)
    if tiers == 2:  # each spine takes >= 1 link from every leaf: leaves <= radix
        return rails * (radix // rails) * d_ports
    # tiers == 3: each core takes >= 1 link from one spine of every pod: pods <= radix
    return radix * rails * ((radix // 2) // rails) * d_ports


def max_endpoints(radix: int, down: int = 1, up: int = 1, tiers: int | None = None,
                  *, rails: int = 1) -> int:
    """The most endpoints a fat tree of `radix`-port switches connects at leaf
    oversubscription `down:up` with `tiers` tiers (1, 2, 3, or None for the most
    of any) and `rails` rails. 0 for invalid inputs."""
    if _invalid(radix, down, up, rails) is not None or tiers not in (None, 1, 2, 3):
        return 0
    if tiers is None:
        return max(_max_for(radix, down, up, t, rails) for t in (1, 2, 3))
    return _max_for(radix, down, up, tiers, rails)


def _too_big(endpoints: int, radix: int, down: int, up: int, rails: int,
             tiers: int | None) -> FabricError:
    if tiers is None:
        tiers = max((1, 2, 3), key=lambda t: (_max_for(radix, down, up, t, rails), t))
    most = _max_for(radix, down, up, tiers, rails)
    rails_text = f" with {rails} rails" if rails > 1 else ""
    shape = "single switch" if tiers == 1 else f"{tiers}-tier fat tree"
    return FabricError(
        f"a {shape} of {radix}-port switches at {down}:{up}{rails_text} connects at most "
        f"{most:,} endpoints; this fabric needs {endpoints:,}",
        most,
    )


def _one_tier(e: int, radix: int, down: int, up: int, rails: int) -> FabricPlan:
    return FabricPlan(
        tiers=1, endpoints=e, rails=rails, radix=radix, down=down, up=up, pods=1,
        leaves=1, spines=0, cores=0, switches=1, leaves_per_pod=1, spines_per_pod=0,
        cores_per_plane=0, leaf_down_ports=e, leaf_up_ports=0, spine_down_ports=0,
        spine_up_ports=0, core_down_ports=0, links_leaf_spine_per_pair=0,
        links_spine_core_per_pair=0, endpoint_links=e, leaf_spine_links=0,
        spine_core_links=0,
    )


def _two_tier(e: int, radix: int, down: int, up: int, rails: int) -> FabricPlan | None:
    d_ports, need, avail = _leaf_split(radix, down, up)
    per_rail = e // rails
    leaves_per_rail = _ceil_div(per_rail, d_ports)
    leaves = rails * leaves_per_rail
    if leaves > radix:
        return None
    stripe = _stripe(need, avail, radix // leaves)
    if stripe is None:
        return None
    spines, k = stripe
    return FabricPlan(
        tiers=2, endpoints=e, rails=rails, radix=radix, down=down, up=up, pods=1,
        leaves=leaves, spines=spines, cores=0, switches=leaves + spines,
        leaves_per_pod=leaves, spines_per_pod=spines, cores_per_plane=0,
        leaf_down_ports=_ceil_div(per_rail, leaves_per_rail), leaf_up_ports=k * spines,
        spine_down_ports=leaves * k, spine_up_ports=0, core_down_ports=0,
        links_leaf_spine_per_pair=k, links_spine_core_per_pair=0, endpoint_links=e,
        leaf_spine_links=leaves * k * spines, spine_core_links=0,
    )


def _three_tier(e: int, radix: int, down: int, up: int, rails: int) -> FabricPlan | None:
    d_ports, need, avail = _leaf_split(radix, down, up)
    spine_down_max, spine_up_max = radix // 2, radix - radix // 2
    pod_leaves_per_rail = spine_down_max // rails
    if pod_leaves_per_rail < 1:
        return None
    per_rail = e // rails
    leaves_needed = _ceil_div(per_rail, d_ports)            # per rail, whole fabric
    pods = _ceil_div(leaves_needed, pod_leaves_per_rail)
    if pods > radix:
        return None
    leaves_per_rail_pod = _ceil_div(leaves_needed, pods)
    leaves_per_pod = rails * leaves_per_rail_pod
    leaf_stripe = _stripe(need, avail, spine_down_max // leaves_per_pod)
    if leaf_stripe is None:
        return None
    spines_per_pod, k = leaf_stripe
    spine_down = leaves_per_pod * k                         # <= rails * pod_leaves_per_rail
    floor = 1
    if pods > 1:  # cores per plane of a full build with one pod fewer
        full = _stripe(rails * pod_leaves_per_rail, spine_up_max, radix // (pods - 1))
        if full is None:
            return None
        floor = full[0]
    core_stripe = _stripe(spine_down, spine_up_max, radix // pods, floor)
    if core_stripe is None:
        return None
    per_plane, m = core_stripe
    leaves = pods * leaves_per_pod
    spines = pods * spines_per_pod
    cores = spines_per_pod * per_plane
    return FabricPlan(
        tiers=3, endpoints=e, rails=rails, radix=radix, down=down, up=up, pods=pods,
        leaves=leaves, spines=spines, cores=cores, switches=leaves + spines + cores,
        leaves_per_pod=leaves_per_pod, spines_per_pod=spines_per_pod,
        cores_per_plane=per_plane,
        leaf_down_ports=_ceil_div(per_rail, pods * leaves_per_rail_pod),
        leaf_up_ports=k * spines_per_pod, spine_down_ports=spine_down,
        spine_up_ports=m * per_plane, core_down_ports=pods * m,
        links_leaf_spine_per_pair=k, links_spine_core_per_pair=m, endpoint_links=e,
        leaf_spine_links=leaves * k * spines_per_pod,
        spine_core_links=spines * m * per_plane,
    )


@lru_cache(maxsize=65536)
def _size(endpoints: int, radix: int, down: int, up: int, rails: int,
          tiers: int | None) -> FabricPlan | FabricError:
    if endpoints % rails:
        return FabricError(
            f"{endpoints:,} endpoints do not split evenly over {rails} rails",
            max_endpoints(radix, down, up, tiers, rails=rails),
        )
    if tiers is None and endpoints <= radix:
        return _one_tier(endpoints, radix, down, up, rails)
    plan = None
    if tiers in (None, 2):
        plan = _two_tier(endpoints, radix, down, up, rails)
    if plan is None and tiers in (None, 3):
        plan = _three_tier(endpoints, radix, down, up, rails)
    return plan if plan is not None else _too_big(endpoints, radix, down, up, rails, tiers)


def size_fabric(*, endpoints: int, radix: int, down: int = 1, up: int = 1, rails: int = 1,
                tiers: int | None = None) -> FabricPlan | FabricError:
    """Size a fat-tree fabric connecting `endpoints` compute ports with `radix`-port
    switches at leaf oversubscription `down:up`, rail-optimized over `rails` rails.

    `tiers` forces 2 or 3; None takes the fewest that fit (1 when everything fits
    on one switch). See the module docstring for the sizing and striping rule.
    Returns a FabricPlan, or a FabricError (never raises for bad input).
    """
    problem = _invalid(radix, down, up, rails)
    if problem is None and (not isinstance(endpoints, int) or isinstance(endpoints, bool)):
        problem = f"endpoints must be an integer, got {endpoints!r}"
    if problem is None and tiers not in (None, 2, 3):
        problem = (f"tiers must be 2 or 3 (or left out to take the fewest that fit), "
                   f"got {tiers!r}")
    if problem is not None:
        return FabricError(problem, 0)
    if endpoints < 1:
        return FabricError(f"a fabric needs at least one endpoint, got {endpoints}",
                           max_endpoints(radix, down, up, tiers, rails=rails))
    return _size(endpoints, radix, down, up, rails, tiers)
