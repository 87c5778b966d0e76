"""Exact sizing of leaf/spine(/core) fabrics, as network engineers build them.

Pure integer arithmetic, no I/O, no exceptions for infeasible input: `size_fabric`
returns a `FabricPlan` or a `FabricError` that says how large a fabric fits (or,
for counts a designer fixed, what cannot work and what would). The work is O(1)
plus a few loops bounded by the switch radix (memoised), never a loop over
endpoints, so it can run for every fabric of a multi-gigawatt campus.

Terms. `R` is the switch radix (ports). A leaf's ports split down:up in the
configured ratio `d:u`: `D = R*d // (d+u)` down ports (endpoints) and `R - D` up
ports, of which it cables `need = ceil(D*u/d)` or a little more (see striping).
1:1 is non-blocking (D = R/2). Oversubscription is allowed only at the leaf:
spines of a 3-tier fabric are non-blocking (up links >= down links, at most
`R // 2` ports face down). `E` is the endpoints (racks x ports per rack), `r` the
rails: port i of every rack goes to rail i, so each rail has E/r endpoints. A
fabric shared by several clusters (at site level) has E = the sum over its
members of racks x that member's ports per rack, each a multiple of r (x
planes), and no scalable unit of its own (unit_endpoints 0: the whole fabric
one unit); it is sized by the same rules, which see only E.

Endpoints are positions. For a node system (a rack of n node slots, some perhaps
empty or holding an appliance that uses only some rails) `E` counts every slot
position of every rack, filled or not, and the fabric is sized for them: an SU
of 32 slots keeps its whole rail leaves and up links when one slot holds a UFM
appliance or the last rack is partly filled. The cables to endpoints are only
the ports that exist: the caller sets `FabricPlan.endpoint_links` to that count
(model/derive.py), which can be below `endpoints`; everything else is as sized.

Copies and planes. A fabric is `copies` identical, independent copies, sized
once and counted `copies` times (switches and links; the shape fields describe
one copy):
- `planes = N` (multi-plane, as Spectrum-X builds it): each NIC port on its own
  plane, so every rack's ports split evenly over N planes and each plane is a
  copy carrying 1/N of every rack's ports (E/N endpoints, all r rails).
- `rail_only` (Wang et al., "How to Build Low-cost Networks for Large Language
  Models (without Sacrificing Performance)", arXiv 2307.12169): no tier joins
  the rails; each rail of each plane is a copy of one rail (E/(N*r) endpoints),
  sized as a fat tree: one switch when the rail fits on one, else the rail's own
  leaves and spines. Traffic between rails goes over the systems' own NVLink.

Topologies (the leaf rule, inside a copy):
- `fat_tree`: leaves are sized over the whole copy: per rail `ceil(E_r / D)`
  leaves, filled evenly; spines (and cores) are shared by all rails.
- `rail_optimized`: leaves are aligned to scalable units, as NVIDIA's reference
  architectures build them: an SU's rack port i goes to rail i's leaves of that
  SU. With `U` endpoints per SU (scalable_unit x ports per rack; per copy, U/N),
  each rail of each SU has `ceil(U/r / D)` leaves, and the cluster has
  `ceil(E/U)` SUs (a short last one still gets a whole SU's leaves, so it can be
  filled later). An SU of 32 nodes x 8 rails on 64-port leaves at 1:1: 32
  endpoints per rail = one leaf per rail, 8 leaves per SU. Spines are striped
  uniformly over all leaves as in a fat tree; in 3 tiers a pod holds whole SUs
  (`(R//2)//r // leaves-per-rail-per-SU` of them) unless an SU's leaves exceed a
  pod or whole-SU pods exceed the cores' R ports, and then pods are filled with
  leaves regardless of SU boundaries. A cluster within one SU (or a cluster
  without `scalable_unit`) is one SU: the same as `fat_tree`.
  Worked example, 60 nodes of 8 ports (480 endpoints, 8 rails, 60 per rail) in
  SUs of 20 nodes (160 endpoints, 20 per rail), 64-port switches at 1:1 (D = 32):
  `fat_tree` takes ceil(60/32) = 2 leaves per rail = 16 leaves; `rail_optimized`
  ceil(20/32) = 1 leaf per rail per SU x 3 SUs x 8 rails = 24 leaves.

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
- 1 tier: one switch per copy taking every port of the copy (it serves every
  rail): when `tiers` is None and every copy fits (E/copies <= R), or when
  `tiers = 1`; `tiers = 1` with E/copies > R is an error naming both numbers.
- 2 tiers (one group): fewest leaves (per rail `ceil(E_r/D)`, or per rail per SU
  under rail_optimized), then fewest spines, each spine taking `leaves * k <= R`
  ports.
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

Fixed counts. `leaves`, `spines`, `cores` fix the fabric's totals (every copy,
rail, SU and pod: the figures the plan prints). They must split uniformly
(`fabric-striping`): leaves over copies x rails x SUs, spines over copies x pods,
cores over copies x the spines of a pod (one core plane each); `cores` implies 3
tiers. The leaves still cable `lo = ceil(D*u/d)` up links (so writing out the
sized counts changes nothing); with `S` fixed spines per pod each leaf sends
`k = ceil(lo/S)` links to each. Ports (`fabric-ports`): fixed leaves must carry
their endpoints (`ceil(E_r per SU / leaves per rail per SU) <= D`), a leaf's
`k*S <= R - D`, a spine's `leaves per pod * k` within its ports (R, or R//2 in 3
tiers), and likewise for cores. The blocking check (`fabric-blocking`, a
warning) compares the result, `D : k*S`, with `d:u`: e.g. a 64-port leaf at 2:1
has D = 42 and lo = 21; 11 spines take 2 links each, 22 up links, 21:11.

Full builds reproduce the textbook figures: a non-blocking 2-tier of radix R
reaches R^2/2 endpoints with R leaves and R/2 spines; a 3-tier is Al-Fares'
k-ary fat tree with k = R: k pods, (k/2)^2 cores, k^3/4 endpoints and 5k^2/4
switches. The lexicographic rule (pods, leaves, spines, cores) is what engineers
build; it is not a search for the global minimum of total switches.
"""

from __future__ import annotations

from functools import lru_cache

import attrs

__all__ = ["FabricPlan", "FabricError", "TOPOLOGIES", "size_fabric", "max_endpoints", "leaf_ports"]

TOPOLOGIES = ("fat_tree", "rail_optimized", "rail_only")
ROLES = ("compute", "storage", "management")     # what a fabric carries; all are sized by the same rules


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


@attrs.frozen(slots=True)
class FabricPlan:
    """A sized fabric. All counts are exact ints.

    `leaves`, `spines`, `cores`, `switches` and the link counts are totals over
    the whole fabric (every copy). The shape fields (`pods`, `leaves_per_pod`,
    `spines_per_pod`, `cores_per_plane`, `units`, `unit_endpoints`,
    `unit_leaves`) describe one copy: a fabric is `copies` identical copies
    (`planes`, times `rails` under `rail_only`), each with `copy_rails` rails.
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
    topology: str = "fat_tree"
    planes: int = 1
    copies: int = 1
    units: int = 1               # scalable units (1 unless rail_optimized)
    unit_endpoints: int = 0      # endpoints of one copy in one unit (all its rails)
    unit_leaves: int = 0         # leaves of one copy in one unit (all its rails); 0 for 1 tier

    @property
    def copy_rails(self) -> int:
        """Rails inside one copy: 1 under rail_only (each rail is its own copy)."""
        return 1 if self.topology == "rail_only" else self.rails

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

    def to_json(self) -> dict[str, object]:
        """A dict with stable keys (the field names, in declaration order)."""
        return attrs.asdict(self)


@attrs.frozen(slots=True)
class FabricError:
    """Why no fabric fits; `max_endpoints` is the most that fit with these inputs
    (0 when the inputs themselves are invalid). `code` is the diagnostic code
    (`fabric-size`, or `fabric-ports` / `fabric-striping` for explicit counts),
    `attr` the attribute it is about ("" for the fabric as a whole), `hint` what
    would work."""

    message: str
    max_endpoints: int
    code: str = "fabric-size"
    attr: str = ""
    hint: str | None = None

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


def leaf_ports(radix: int, down: int = 1, up: int = 1) -> int:
    """Down ports (endpoints) of a `radix`-port leaf at `down:up`."""
    return radix * down // (down + up)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(radix: object, down: object, up: object, rails: object, planes: object = 1) -> str | None:
    for name, value, least in (("radix", radix, 2), ("down", down, 1), ("up", up, 1),
                               ("rails", rails, 1), ("planes", planes, 1)):
        if not _is_int(value):
            return f"{name} must be an integer, got {value!r}"
        if value < least:
            return f"{name} must be at least {least}, got {value}"
    d_ports = radix * down // (down + up)  # type: ignore[operator]
    if d_ports < 1:
        return (f"a {radix}-port leaf at {down}:{up} has no port left for endpoints "
                f"(it needs at least {_ceil_div(down + up, down)} ports)")  # type: ignore[operator]
    return None


@attrs.frozen(slots=True)
class _Copy:
    """The inputs of one copy of a fabric: `rails` rails, `endpoints` endpoints
    in `units` scalable units of `unit` endpoints (units = 1, unit = endpoints
    when the leaves are sized over the whole copy)."""

    endpoints: int
    rails: int
    units: int
    unit: int
    aligned: bool                # rail_optimized: leaves per rail per unit
    per: str = ""                # how messages name a copy: "", " per plane", " per rail fabric"


def _copies(topology: str, rails: int, planes: int) -> tuple[int, int]:
    """(copies, rails of a copy)."""
    return (planes * rails, 1) if topology == "rail_only" else (planes, rails)


def _shape(endpoints: int, topology: str, rails: int, planes: int, unit_endpoints: int) -> _Copy:
    copies, rc = _copies(topology, rails, planes)
    per = "" if copies == 1 else " per rail fabric" if topology == "rail_only" else " per plane"
    ec = endpoints // copies
    uc = unit_endpoints // copies if topology == "rail_optimized" and unit_endpoints > 0 else 0
    if uc <= 0 or uc >= ec:  # a cluster within one unit is one unit: sized as a fat tree
        return _Copy(ec, rc, 1, ec, False, per)
    return _Copy(ec, rc, _ceil_div(ec, uc), uc, True, per)


def _max_copy(radix: int, down: int, up: int, tiers: int, rc: int, unit_rail: int) -> int:
    """Most endpoints of one copy; `unit_rail` > 0: whole units of that many
    endpoints per rail, leaves aligned to them."""
    d_ports = radix * down // (down + up)
    if tiers == 1:
        return rc * (radix // rc)
    if unit_rail > 0:
        unit_leaves = _ceil_div(unit_rail, d_ports)       # per rail
        if tiers == 2:  # a spine takes a link from every leaf of the copy
            return (radix // (rc * unit_leaves)) * unit_rail * rc
        # pods of whole units, or (beyond the cores' ports) of leaves: pods <= radix
        return (radix * ((radix // 2) // rc) // unit_leaves) * unit_rail * rc
    if tiers == 2:  # each spine takes >= 1 link from every leaf: leaves <= radix
        return rc * (radix // rc) * d_ports
    # tiers == 3: each core takes >= 1 link from one spine of every pod: pods <= radix
    return radix * rc * ((radix // 2) // rc) * d_ports


def max_endpoints(radix: int, down: int = 1, up: int = 1, tiers: int | None = None,
                  *, rails: int = 1, topology: str = "fat_tree", planes: int = 1,
                  unit_endpoints: int = 0) -> int:
    """The most endpoints a fabric of `radix`-port switches connects at leaf
    oversubscription `down:up` with `tiers` tiers (1, 2, 3, or None for the most
    of any), `rails` rails, `planes` planes and the topology's leaf rule
    (`unit_endpoints` per scalable unit under rail_optimized). 0 for invalid inputs."""
    if (_invalid(radix, down, up, rails, planes) is not None or tiers not in (None, 1, 2, 3)
            or topology not in TOPOLOGIES or not _is_int(unit_endpoints)):
        return 0
    copies, rc = _copies(topology, rails, planes)
    unit_rail = 0
    if topology == "rail_optimized" and unit_endpoints > 0 and unit_endpoints % (copies * rc) == 0:
        unit_rail = unit_endpoints // (copies * rc)
    most = 0
    for t in ((1, 2, 3) if tiers is None else (tiers,)):
        most = max(most, _max_copy(radix, down, up, t, rc, unit_rail))
        if unit_rail:  # a cluster within one unit is sized as a fat tree
            most = max(most, min(unit_rail * rc, _max_copy(radix, down, up, t, rc, 0)))
    return copies * most


def _too_big(endpoints: int, radix: int, down: int, up: int, rails: int, tiers: int | None,
             topology: str, planes: int, unit_endpoints: int) -> FabricError:
    def most_for(t: int) -> int:
        return max_endpoints(radix, down, up, t, rails=rails, topology=topology, planes=planes,
                             unit_endpoints=unit_endpoints)
    if tiers is None:
        tiers = max((1, 2, 3), key=lambda t: (most_for(t), t))
    most = most_for(tiers)
    extra = [f"{rails} rails"] if rails > 1 else []
    if planes > 1:
        extra.append(f"{planes} planes")
    extra_text = " with " + " and ".join(extra) if extra else ""
    shape = (f"{tiers}-tier fat tree" if topology == "fat_tree"
             else f"{tiers}-tier {topology.replace('_', '-')} fabric")
    if tiers == 1:
        copies, _ = _copies(topology, rails, planes)
        each = f" ({copies} switches, one per copy)" if copies > 1 else ""
        message = (f"a single switch of {radix} ports connects at most {radix} endpoints{each}; "
                   f"this fabric needs {endpoints // copies:,} on each switch ({endpoints:,} in all)"
                   if copies > 1 else
                   f"a single switch of {radix} ports connects at most {radix} endpoints; "
                   f"this fabric needs {endpoints:,}")
        return FabricError(message, most, attr="tiers",
                           hint="leave `tiers` out (or set 2) for leaves and spines, or use a switch "
                                f"with at least {_ceil_div(endpoints, copies)} ports")
    return FabricError(
        f"a {shape} of {radix}-port switches at {down}:{up}{extra_text} connects at most "
        f"{most:,} endpoints; this fabric needs {endpoints:,}",
        most,
    )


@attrs.frozen(slots=True)
class _Counts:
    """Switch counts a designer fixed, per copy (None: sized)."""
    leaves: int | None = None
    spines: int | None = None
    cores: int | None = None

    @property
    def any(self) -> bool:
        return self.leaves is not None or self.spines is not None or self.cores is not None


def _plan(cp: _Copy, radix: int, down: int, up: int, copies: int, topology: str, planes: int,
          rails: int, **per_copy: int) -> FabricPlan:
    """A FabricPlan from one copy's figures: counts and links times `copies`."""
    g = dict(pods=1, leaves_per_pod=0, spines_per_pod=0, cores_per_plane=0, leaf_up_ports=0,
             spine_down_ports=0, spine_up_ports=0, core_down_ports=0, links_leaf_spine_per_pair=0,
             links_spine_core_per_pair=0, leaf_spine_links=0, spine_core_links=0, unit_leaves=0,
             spines=0, cores=0)
    g.update(per_copy)
    leaves, spines, cores = g.pop("leaves"), g.pop("spines"), g.pop("cores")
    tiers = g.pop("tiers")
    switches = 1 if tiers == 1 else leaves + spines + cores
    return FabricPlan(
        tiers=tiers, endpoints=cp.endpoints * copies, rails=rails, radix=radix, down=down, up=up,
        pods=g["pods"], leaves=copies * leaves, spines=copies * spines, cores=copies * cores,
        switches=copies * switches, leaves_per_pod=g["leaves_per_pod"], spines_per_pod=g["spines_per_pod"],
        cores_per_plane=g["cores_per_plane"], leaf_down_ports=g["leaf_down_ports"],
        leaf_up_ports=g["leaf_up_ports"], spine_down_ports=g["spine_down_ports"],
        spine_up_ports=g["spine_up_ports"], core_down_ports=g["core_down_ports"],
        links_leaf_spine_per_pair=g["links_leaf_spine_per_pair"],
        links_spine_core_per_pair=g["links_spine_core_per_pair"], endpoint_links=cp.endpoints * copies,
        leaf_spine_links=copies * g["leaf_spine_links"], spine_core_links=copies * g["spine_core_links"],
        topology=topology, planes=planes, copies=copies, units=cp.units, unit_endpoints=cp.unit,
        unit_leaves=g["unit_leaves"],
    )


def _one_tier(cp: _Copy) -> dict:
    return dict(tiers=1, leaves=1, leaves_per_pod=1, leaf_down_ports=cp.endpoints)


class _Fail(Exception):
    """Internal only: an explicit count that cannot work (turned into a FabricError
    by `_size`, never raised out of this module)."""

    def __init__(self, code: str, attr: str, message: str, hint: str | None = None):
        super().__init__(message)
        self.error = FabricError(message, 0, code=code, attr=attr, hint=hint)


def _leaf_shape(cp: _Copy, d_ports: int, fixed: int | None) -> tuple[int, int]:
    """(leaves per rail per unit, the most endpoints on a leaf)."""
    per_rail = cp.unit // cp.rails
    per_unit = fixed // (cp.units * cp.rails) if fixed is not None else _ceil_div(per_rail, d_ports)
    return per_unit, _ceil_div(per_rail, per_unit)


def _leaf_up(cp: _Copy, eleaf: int, d_ports: int, radix: int, down: int, up: int,
             fixed: int | None) -> tuple[int, int]:
    """(least up links, most up ports) of a leaf: cabled for its full down ports
    whether or not they are all used, so writing out the sized counts changes nothing.
    Fixed leaves too few for the endpoints are an error."""
    if fixed is not None and eleaf > d_ports:
        least = cp.units * cp.rails * _ceil_div(cp.unit // cp.rails, d_ports)
        raise _Fail("fabric-ports", "leaves",
                    f"{fixed} leaves{cp.per} put {eleaf} endpoints on a leaf, but a {radix}-port leaf at "
                    f"{down}:{up} has {d_ports} down ports",
                    f"at least {least} leaves{cp.per} ({least // (cp.units * cp.rails)} per rail per unit)")
    return _ceil_div(d_ports * up, down), radix - d_ports


_PLURAL = {"leaf": "leaves", "spine": "spines", "core": "cores"}


def _fixed_stripe(lo: int, hi: int, n: int, lower: int, cap: int, upper_name: str, lower_name: str,
                  radix: int, attr: str) -> tuple[int, int]:
    """(n, k) for `n` fixed upper switches: k = ceil(lo/n) links from each lower switch
    to each; the lower switch needs k*n <= hi up ports, an upper one lower*k <= cap."""
    k = _ceil_div(lo, n)
    if k * n > hi:
        raise _Fail("fabric-ports", attr,
                    f"each {lower_name} needs {lo} up links; over {n} {_PLURAL[upper_name]} that is {k} to each, "
                    f"{k * n} up ports, but a {radix}-port {lower_name} has {hi} left",
                    f"{upper_name} counts that carry a {lower_name}'s {lo} up links within its {hi} up "
                    f"ports: {_divisors_text(lo, hi)}")
    if lower * k > cap:
        raise _Fail("fabric-ports", attr,
                    f"each {upper_name} takes {k} links from each of {lower} {_PLURAL[lower_name]}: {lower * k} ports, "
                    f"but a {radix}-port {upper_name} has {cap} for them",
                    f"more {_PLURAL[upper_name]} (at least {_ceil_div(lo, max(1, cap // lower))}), "
                    f"fewer {_PLURAL[lower_name]}, "
                    "or a switch with more ports")
    return n, k


def _divisors_text(lo: int, hi: int) -> str:
    ok = [s for s in range(1, lo + 1) if _ceil_div(lo, s) * s <= hi]
    exact = [s for s in ok if lo % s == 0]
    return ", ".join(map(str, exact[:12] or ok[:12]))


def _two_tier(cp: _Copy, radix: int, down: int, up: int, fix: _Counts) -> dict | None:
    d_ports = leaf_ports(radix, down, up)
    per_unit, eleaf = _leaf_shape(cp, d_ports, fix.leaves)
    leaves = cp.rails * cp.units * per_unit
    lo, hi = _leaf_up(cp, eleaf, d_ports, radix, down, up, fix.leaves)
    if leaves > radix:  # a spine cannot take a link from every leaf: a third tier
        return None
    if fix.spines is not None:
        spines, k = _fixed_stripe(lo, hi, fix.spines, leaves, radix, "spine", "leaf", radix, "spines")
    else:
        stripe = _stripe(lo, hi, radix // leaves)
        if stripe is None:
            return None
        spines, k = stripe
    return dict(tiers=2, leaves=leaves, spines=spines, leaves_per_pod=leaves, spines_per_pod=spines,
                leaf_down_ports=eleaf, leaf_up_ports=k * spines, spine_down_ports=leaves * k,
                links_leaf_spine_per_pair=k, leaf_spine_links=leaves * k * spines,
                unit_leaves=cp.rails * per_unit)


def _whole_units(cp: _Copy, per_unit: int, pod_lpr: int, radix: int) -> bool:
    """Whether the pods of a 3-tier copy hold whole units: aligned leaves, a unit's
    leaves of a rail fit a pod, and the pods so made fit the cores' ports."""
    return (cp.aligned and per_unit <= pod_lpr
            and _ceil_div(cp.units, pod_lpr // per_unit) <= radix)


def _pods(cp: _Copy, per_unit: int, pod_lpr: int, fixed_leaves: bool, radix: int) -> tuple[int, int, int]:
    """(pods, leaves per rail in a pod, leaves per rail) of a 3-tier copy."""
    if _whole_units(cp, per_unit, pod_lpr, radix):
        units_per_pod = pod_lpr // per_unit
        pods = _ceil_div(cp.units, units_per_pod)
        return pods, _ceil_div(cp.units, pods) * per_unit, cp.units * per_unit
    # a unit larger than a pod, or whole-unit pods beyond the cores' ports: pods are
    # filled with leaves regardless of unit boundaries (a unit may straddle two)
    wanted = cp.units * per_unit
    pods = _ceil_div(wanted, pod_lpr)
    lrp = _ceil_div(wanted, pods)
    # sized fat-tree leaves spread evenly over the pods (every pod alike); aligned or
    # fixed ones stay as they are (the last pod may hold fewer)
    return pods, lrp, wanted if (fixed_leaves or cp.aligned) else pods * lrp


def _three_tier(cp: _Copy, radix: int, down: int, up: int, fix: _Counts) -> dict | None:
    d_ports = leaf_ports(radix, down, up)
    spine_down_max, spine_up_max = radix // 2, radix - radix // 2
    pod_lpr = spine_down_max // cp.rails
    if pod_lpr < 1:
        return None
    per_unit, _ = _leaf_shape(cp, d_ports, fix.leaves)
    pods, lrp, lr = _pods(cp, per_unit, pod_lpr, fix.leaves is not None, radix)
    if pods < 1 or pods > radix:
        if not fix.any:
            return None
        raise _Fail("fabric-ports", "leaves" if fix.leaves is not None else "cores",
                    f"{per_unit} leaves per rail per unit need {max(pods, 1)} pods; a core takes a link from "
                    f"one spine of each pod and has {radix} ports",
                    "fewer leaves, or a switch with more ports")
    # the most endpoints on a leaf: units filled evenly over their leaves
    eleaf = _ceil_div(cp.unit // cp.rails, lr // cp.units) if cp.aligned else _ceil_div(cp.endpoints // cp.rails, lr)
    lo, hi = _leaf_up(cp, eleaf, d_ports, radix, down, up, fix.leaves)
    leaves_per_pod = cp.rails * lrp
    if fix.spines is not None:
        if fix.spines % pods:
            raise _Fail("fabric-striping", "spines",
                        f"{fix.spines} spines{cp.per} do not split evenly over {pods} pods",
                        f"a multiple of {pods}")
        spines_per_pod, k = _fixed_stripe(lo, hi, fix.spines // pods, leaves_per_pod, spine_down_max,
                                          "spine", "leaf", radix, "spines")
    else:
        leaf_stripe = _stripe(lo, hi, spine_down_max // leaves_per_pod)
        if leaf_stripe is None:
            return None
        spines_per_pod, k = leaf_stripe
    spine_down = leaves_per_pod * k
    if fix.cores is not None:
        if fix.cores % spines_per_pod:
            raise _Fail("fabric-striping", "cores",
                        f"{fix.cores} cores{cp.per} do not split evenly over the {spines_per_pod} core planes "
                        "(one per spine of a pod)", f"a multiple of {spines_per_pod}")
        per_plane, m = _fixed_stripe(spine_down, spine_up_max, fix.cores // spines_per_pod, pods, radix,
                                     "core", "spine", radix, "cores")
    else:
        floor = 1
        if pods > 1:  # cores per plane of a full build with one pod fewer
            full_lrp = (pod_lpr // per_unit) * per_unit if _whole_units(cp, per_unit, pod_lpr, radix) else pod_lpr
            full = _stripe(cp.rails * full_lrp, spine_up_max, radix // (pods - 1))
            if full is None:
                return None
            floor = full[0]
        core_stripe = _stripe(spine_down, spine_up_max, radix // pods, floor)
        if core_stripe is None:
            return None
        per_plane, m = core_stripe
    leaves = cp.rails * lr
    spines = pods * spines_per_pod
    return dict(tiers=3, pods=pods, leaves=leaves, spines=spines, cores=spines_per_pod * per_plane,
                leaves_per_pod=leaves_per_pod, spines_per_pod=spines_per_pod, cores_per_plane=per_plane,
                leaf_down_ports=eleaf, leaf_up_ports=k * spines_per_pod, spine_down_ports=spine_down,
                spine_up_ports=m * per_plane, core_down_ports=pods * m, links_leaf_spine_per_pair=k,
                links_spine_core_per_pair=m, leaf_spine_links=leaves * k * spines_per_pod,
                spine_core_links=spines * m * per_plane, unit_leaves=cp.rails * (lr // cp.units))


def _per_copy(name: str, total: int | None, parts: list[tuple[int, str]]) -> int | None:
    """A fixed total switch count split over copies/rails/units; it must split evenly."""
    if total is None:
        return None
    whole = 1
    for n, _ in parts:
        whole *= n
    if total < 1 or total % whole:
        over = " x ".join(f"{n} {what}" for n, what in parts if n > 1) or "1"
        raise _Fail("fabric-striping", name,
                    f"{name} = {total} do not split evenly over {over} (every one gets the same {name})",
                    f"a multiple of {whole}: e.g. {max(1, _ceil_div(total, whole)) * whole}")
    return total


def _tier_clash(fix: _Counts, tiers: int | None) -> None:
    names = [n for n, v in (("leaves", fix.leaves), ("spines", fix.spines), ("cores", fix.cores)) if v is not None]
    have = {1: (), 2: ("leaves", "spines"), 3: ("leaves", "spines", "cores")}
    if tiers is None:
        return
    for name in names:
        if name not in have[tiers]:
            raise _Fail("fabric-ports", name, f"`{name}` is set but a {tiers}-tier fabric has no {name}",
                        f"drop `{name}`, or set tiers = {3 if name == 'cores' else 2}")


@lru_cache(maxsize=65536)
def _size(endpoints: int, radix: int, down: int, up: int, rails: int, tiers: int | None,
          topology: str, planes: int, unit_endpoints: int, leaves: int | None, spines: int | None,
          cores: int | None) -> FabricPlan | FabricError:
    copies, rc = _copies(topology, rails, planes)
    def most() -> int:
        return max_endpoints(radix, down, up, tiers, rails=rails, topology=topology, planes=planes,
                             unit_endpoints=unit_endpoints)
    if endpoints % (rails * planes):
        split = f"{rails} rails x {planes} planes" if planes > 1 else f"{rails} rails"
        return FabricError(f"{endpoints:,} endpoints do not split evenly over {split}", most())
    cp = _shape(endpoints, topology, rails, planes, unit_endpoints)
    if cp.unit % rc:
        return FabricError(f"{cp.unit:,} endpoints of a scalable unit do not split evenly over {rc} rails",
                           most())
    try:
        _tier_clash(_Counts(leaves, spines, cores), tiers)
        fix = _Counts(
            _per_copy("leaves", leaves, [(planes, "planes"), (rails, "rails"), (cp.units, "scalable units")]),
            _per_copy("spines", spines, [(copies, "planes" if topology != "rail_only" else "rail fabrics")]),
            _per_copy("cores", cores, [(copies, "planes" if topology != "rail_only" else "rail fabrics")]),
        )
        fix = _Counts(*(None if v is None else v // copies for v in (fix.leaves, fix.spines, fix.cores)))
        if tiers is None and cores is not None:
            tiers = 3
        shape = _build(cp, radix, down, up, tiers, fix)
    except _Fail as fail:
        return fail.error
    if shape is None:
        return _too_big(endpoints, radix, down, up, rails, tiers, topology, planes, unit_endpoints)
    return _plan(cp, radix, down, up, copies, topology, planes, rails, **shape)


def _build(cp: _Copy, radix: int, down: int, up: int, tiers: int | None, fix: _Counts) -> dict | None:
    if tiers == 1 or (tiers is None and not fix.any and cp.endpoints <= radix):
        return _one_tier(cp) if cp.endpoints <= radix else None
    shape = None
    if tiers in (None, 2):
        shape = _two_tier(cp, radix, down, up, fix)
    if shape is None and tiers in (None, 3):
        shape = _three_tier(cp, radix, down, up, fix)
    return shape


def size_fabric(*, endpoints: int, radix: int, down: int = 1, up: int = 1, rails: int = 1,
                tiers: int | None = None, topology: str = "fat_tree", planes: int = 1,
                unit_endpoints: int = 0, leaves: int | None = None, spines: int | None = None,
                cores: int | None = None) -> FabricPlan | FabricError:
    """Size a fabric connecting `endpoints` compute ports with `radix`-port switches
    at leaf oversubscription `down:up`, over `rails` rails and `planes` planes, by
    the `topology`'s rule (`unit_endpoints`: endpoints per scalable unit, used by
    rail_optimized). `leaves`, `spines`, `cores` fix those totals.

    `tiers` forces 1, 2 or 3; None takes the fewest that fit (1 when every copy
    fits on one switch). See the module docstring for the rules.
    Returns a FabricPlan, or a FabricError (never raises for bad input).
    """
    problem = _invalid(radix, down, up, rails, planes)
    if problem is None and not _is_int(endpoints):
        problem = f"endpoints must be an integer, got {endpoints!r}"
    if problem is None and tiers not in (None, 1, 2, 3):
        problem = f"tiers must be 1, 2 or 3 (or left out to take the fewest that fit), got {tiers!r}"
    if problem is None and topology not in TOPOLOGIES:
        problem = f"unknown topology {topology!r}: one of {', '.join(TOPOLOGIES)}"
    if problem is None and not (_is_int(unit_endpoints) and unit_endpoints >= 0):
        problem = f"unit_endpoints must be a whole number, got {unit_endpoints!r}"
    for name, value in (("leaves", leaves), ("spines", spines), ("cores", cores)):
        if problem is None and value is not None and not (_is_int(value) and value >= 1):
            problem = f"{name} must be a whole number of at least 1, got {value!r}"
    if problem is not None:
        return FabricError(problem, 0)
    if endpoints < 1:
        return FabricError(f"a fabric needs at least one endpoint, got {endpoints}",
                           max_endpoints(radix, down, up, tiers, rails=rails, topology=topology,
                                         planes=planes, unit_endpoints=unit_endpoints))
    return _size(endpoints, radix, down, up, rails, tiers, topology, planes, unit_endpoints,
                 leaves, spines, cores)
