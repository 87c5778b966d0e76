"""Every switch as a device and every cable down to its two ports.

The layout keeps links aggregated (a row per pair of racks with a count);
this expands them to cables with a port at each end, deterministically, by
the wiring rule of wiring.py, so the expansion is derivable from the spec
and the layout alone (the verifier re-derives it and checks it).

Devices. A network rack of a tier holds switches first_switch ..
first_switch + switches - 1 of that tier, stacked from the bottom: switch k
of the rack (0-based) stands at U 1 + k x rack_units (`switch_units`). A
switch is named `<cluster>/<fabric>/<tier>-<n>` (n: 1-based within the tier,
as the plan counts them). A compute rack is a device of its system, or, for
a node system, each node slot is one: `<rack>/n<slot>` (1-based).

Ports. A compute rack's P ports on a fabric (ports_per_rack) are split over
planes and rails; port p (0-based) is on rail p mod rails, plane (p div rails)
mod planes, and is position p div (rails x planes) of the rack on that rail
(so the ports of one node, which are consecutive, cover every rail: NIC r of
each node on rail r). A node slot holds P / nodes consecutive ports, named by
the system's `port_names` pattern (model/port_names.py) or `p1`.. (`s1`.. for
a storage fabric, `m1`.. for management).

A switch's ports, 0-based, each physical port run as `split` ports:
  leaf   down ports 0 .. leaf_down_ports - 1: its endpoints in order of
         position (an empty position leaves its port unused); then up port
         leaf_down_ports + s k + x to spine s of its pod (k links a pair)
  spine  down port i k + x from leaf i of its pod (in the copy's leaf order);
         then up port spine_down_ports + c m + y to core c of its plane
  core   down port pod m + y from the spine of that pod in its plane
  1-tier port t E + e: endpoint e of rail t of its copy (E endpoints a rail)
and port i is named by the switch's pattern at physical port i div split,
with `/<i mod split + 1>` appended when split > 1.
"""

from __future__ import annotations

from typing import Iterator

import attrs
import numpy as np

from ..model.port_names import named
from . import wiring
from .problem import LayoutProblem
from .wiring import rail_leaves


@attrs.frozen
class Device:
    name: str
    rack: str                    # the rack it stands in (its own rack for a compute device)
    kind: str                    # switch | compute
    model: str                   # switch model or system
    fabric: str | None
    tier: str | None
    u: int | None                # lowest U (switches)
    height_u: int | None


@attrs.define
class Ends:
    """One block of cables of one fabric and level: arrays, one entry a cable.
    Compute ends are (rack index in the wiring, port p); switch ends (switch index
    in its tier, port)."""
    fabric: int
    level: int
    a: np.ndarray
    a_port: np.ndarray
    b: np.ndarray
    b_port: np.ndarray


def switch_devices(problem: LayoutProblem, layout) -> list[Device]:
    """Every switch of the layout, rack by rack in the layout's order, bottom up."""
    per = {(c.id, f.id): f for c in problem.clusters for f in c.fabrics}
    out = []
    for p in layout.placements:
        if p.kind != "network":
            continue
        f = per[(p.cluster, p.fabric)]
        for k in range(p.switches):
            n = p.first_switch + k
            out.append(Device(name=f"{p.cluster}/{p.fabric}/{p.tier}-{n}", rack=p.id, kind="switch",
                              model=f.switch, fabric=p.fabric, tier=p.tier, u=1 + k * f.switch_units,
                              height_u=f.switch_units))
    return out


def fabric_ends(problem: LayoutProblem, W: wiring.Wiring, f: int) -> Iterator[Ends]:
    """The cables of fabric f of the wiring of every cluster (wiring.build(problem)),
    block by block (see the module docstring)."""
    info = W.fabrics[f]
    plan = info.spec.plan
    comp, ports = _endpoints(problem, W, info)
    rc, copies = plan.copy_rails, plan.copies
    pos = _positions(comp)                # each endpoint's position within its rack on the rail
    E = len(comp)
    if plan.tiers == 1:
        for cp in range(copies):
            for t in range(rc):
                e = np.nonzero(ports(cp, t))[0]
                yield Ends(f, 1, comp[e], _host_port(cp, t, pos[e], plan), np.full(len(e), cp, np.int64),
                           t * E + e)
        return
    Lc, Sc, Cc = plan.leaves // copies, plan.spines // copies, plan.cores // copies
    j = rail_leaves(plan, E, 1)
    first = np.searchsorted(j, np.arange(int(j.max()) + 2 if E else 1))     # each leaf's first endpoint
    S, lpp = plan.spines_per_pod, plan.leaves_per_pod
    k, m = plan.links_leaf_spine_per_pair, plan.links_spine_core_per_pair
    for cp in range(copies):
        for t in range(rc):
            e = np.nonzero(ports(cp, t))[0]
            yield Ends(f, 1, comp[e], _host_port(cp, t, pos[e], plan), cp * Lc + j[e] * rc + t,
                       e - first[j[e]])
        # leaves -> spines: leaf o of the copy (pod o // lpp) to every spine of its pod, k links each
        o = np.arange(Lc, dtype=np.int64)
        pod = (o // rc) // (lpp // rc)
        s = np.arange(S, dtype=np.int64)
        x = np.arange(k, dtype=np.int64)
        oo, ss, xx = (a.ravel() for a in np.meshgrid(o, s, x, indexing="ij"))
        yield Ends(f, 2, cp * Lc + oo, plan.leaf_down_ports + ss * k + xx, cp * Sc + pod[oo] * S + ss,
                   (oo % lpp) * k + xx)
        if plan.tiers == 3:
            C = plan.cores_per_plane
            sq = np.arange(Sc, dtype=np.int64)
            c = np.arange(C, dtype=np.int64)
            y = np.arange(m, dtype=np.int64)
            qq, cc, yy = (a.ravel() for a in np.meshgrid(sq, c, y, indexing="ij"))
            plane, spod = qq % S, qq // S
            yield Ends(f, 3, cp * Sc + qq, plan.spine_down_ports + cc * m + yy, cp * Cc + plane * C + cc,
                       spod * m + yy)


def _endpoints(problem: LayoutProblem, W: wiring.Wiring, info):
    """(compute rack of each endpoint of a rail, ports(copy, rail)) as the wiring has
    them; W is the wiring of every cluster of the problem, in order."""
    if info.spec.members:
        base_of = {c.id: W.compute_base[ci] for ci, c in enumerate(problem.clusters)}
        return wiring._shared_endpoints(info.spec, base_of)
    c = problem.clusters[info.cluster]
    return wiring._own_endpoints(info.spec, c, W.compute_base[info.cluster])


def _positions(comp: np.ndarray) -> np.ndarray:
    """Each endpoint's position within its rack's run of endpoints on a rail."""
    if not len(comp):
        return comp
    start = np.r_[0, np.nonzero(np.diff(comp))[0] + 1]
    run = np.repeat(start, np.diff(np.r_[start, len(comp)]))
    return np.arange(len(comp)) - run


def _host_port(cp: int, t: int, k: np.ndarray, plan) -> np.ndarray:
    """Port p of a compute rack for position k on rail t of copy cp (module docstring)."""
    if plan.topology == "rail_only":
        rail, plane = cp % plan.rails, cp // plan.rails
    else:
        rail, plane = t, cp
    return (k * plan.planes + plane) * plan.rails + rail


# ---- names -----------------------------------------------------------------------------

class Namer:
    """Device and port names of one fabric's cable ends."""

    def __init__(self, problem: LayoutProblem, W: wiring.Wiring, f: int):
        info = W.fabrics[f]
        self.W, self.info, spec = W, info, info.spec
        self.c = problem.clusters[info.cluster]
        self.per = spec.switches_per_rack
        phys = spec.switch_ports or spec.plan.radix
        self.sw = named(spec.switch_port_names, "p", phys)
        self.split = max(spec.split, 1)
        self.tier_names = info.tier_names
        nodes = {c.id: max(c.nodes_per_rack, 1) for c in problem.clusters}
        self.cluster_ids = [c.id for c in problem.clusters]
        self.host = {}                     # cluster id -> (ports per node, pattern, nodes per rack)
        members = spec.members or ((self.c.id, self.c.racks, spec.ports_per_rack, -1, ()),)
        for cid, _, ppr, _, _ in members:
            n = nodes[cid]
            per_node = max(ppr // n, 1)
            pattern = spec.host_port_names if cid == self.c.id else None
            self.host[cid] = (per_node, named(pattern, spec.host_prefix, per_node), n)

    def switch(self, level: int, idx: int) -> tuple[str, str, int]:
        """(device name, rack id, U) of switch idx of tier `level`."""
        tier = self.tier_names[level - 1]
        rack = int(self.info.tier_racks[level - 1][idx // self.per])
        return (f"{self.c.id}/{self.info.spec.id}/{tier}-{idx + 1}", self.W.ids[rack],
                1 + (idx % self.per) * self.info.spec.switch_units)

    def switch_port(self, i: int) -> str:
        name = self.sw.name(i // self.split)
        return f"{name}/{i % self.split + 1}" if self.split > 1 else name

    def compute(self, rack: int, p: int) -> tuple[str, str]:
        """(device name, port name) of port p of compute rack `rack` (wiring index)."""
        rid = self.W.ids[rack]
        cid = self.cluster_ids[int(self.W.cluster[rack])]
        per_node, pattern, n = self.host[cid]
        slot, i = divmod(p, per_node)
        return (rid if n == 1 else f"{rid}/n{slot + 1}"), pattern.name(i)
