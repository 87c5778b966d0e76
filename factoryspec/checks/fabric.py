"""Fabric: radix and tier feasibility, port counts, fixed switch counts.

* `fabric-size`: `fabric.size_fabric` sizes each fabric (endpoints = racks x
  ports_per_rack) for the switch radix, the oversubscription, the rails, the
  planes, the topology and the tiers. A non-blocking two-tier leaf/spine of
  radix R reaches R^2/2 endpoints, a three-tier fat tree R^3/4, one switch R
  (`tiers = 1`); a fabric beyond what the radix and the allowed tiers reach is
  an error that says the largest size that fits.
* `fabric-ports`: port counts that cannot work: more fabric ports per rack
  than the system has compute ports, ports that do not split evenly over the
  rails and planes (port i of every system goes to rail i), a topology not in
  `fabric.TOPOLOGIES`, fixed `leaves`/`spines`/`cores` whose ports cannot carry
  the endpoints or the up links (with the numbers); a switch slower than the
  system's ports gets a warning (the links run at the lower speed).
* `fabric-striping`: fixed counts that cannot be striped uniformly: leaves that
  do not split evenly over planes x rails x scalable units, spines over planes
  x pods, cores over the core planes (one per spine of a pod).
* `fabric-blocking` (warning): fixed counts whose leaves end up with another
  down:up ratio than `oversubscription` (e.g. more spines than the up links
  need: each leaf still sends a link to each).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..fabric import ROLES, TOPOLOGIES, FabricError, leaf_ports, max_endpoints
from ..model import Factory
from ._base import Measure, show

CODES = ("fabric-size", "fabric-ports", "fabric-striping", "fabric-blocking")
COUNTS = ("leaves", "spines", "cores")


def _size_span(fab):
    return fab.at("tiers") if fab.is_set("tiers") else fab.at("switch")


def measure(f: Factory) -> Iterator[Measure]:
    for fab in f.fabrics:
        if fab.plan is None or not fab.members:
            continue
        if isinstance(fab.plan, FabricError) and fab.plan.code != "fabric-size":
            continue  # fixed counts that cannot work: no size limit to show
        most = max_endpoints(fab.radix, fab.down, fab.up, fab.tiers, rails=fab.rails,
                             topology=fab.topology, planes=fab.planes, unit_endpoints=fab.unit_endpoints)
        if most > 0:
            yield Measure("fabric-size", f"fabric {fab.qualname} endpoints", fab.endpoints, most,
                          _size_span(fab), "endpoints", fab)


def check(f: Factory) -> Iterator[Diagnostic]:
    for fab in f.fabrics:
        members = fab.members
        if not members:
            continue
        if fab.role not in ROLES:
            yield error("invalid-value", f"unknown fabric role `{fab.role}`", fab.at("role"),
                        "roles: " + ", ".join(ROLES))
        if fab.topology not in TOPOLOGIES:
            yield error("invalid-value", f"unknown topology `{fab.topology}`", fab.at("topology"),
                        "topologies: " + ", ".join(TOPOLOGIES))
        for c in members:
            yield from _host_ports(fab, c)
        for ports in dict.fromkeys(fab.ports_of(c) for c in members):    # each count once, in member order
            yield from _split(fab, ports)
        host = fab.host_speed
        if host is not None and fab.port_speed.value < host.value:     # split ports at their share
            sysname = next(c.system.qualname for c in members
                           if (q := c.system.host_ports(fab.role)[1]) is not None and q.value == host.value)
            yield warning("fabric-ports", f"switch {fab.switch.qualname} runs {show(fab.port_speed)} per "
                          f"port, slower than {sysname}'s {show(host)} {_port_kind(fab.role)} ports: links "
                          "run at the lower speed", fab.at("switch"))
        if isinstance(fab.plan, FabricError):
            yield _plan_error(fab, fab.plan)
        elif fab.sized is not None:
            yield from _blocking(fab)


def _port_kind(role: str) -> str:
    return {"storage": "storage", "management": "management"}.get(role, "compute")


def _host_ports(fab, c) -> Iterator[Diagnostic]:
    """A fabric takes the rack's ports of its role: no more than the system has;
    a storage or management fabric of a system that declares none of those
    ports must say how many it takes. Of a shared fabric, for each member."""
    have, _ = c.system.host_ports(fab.role)
    sysname, ports = c.system.qualname, fab.ports_of(c)
    kind = _port_kind(fab.role)
    of = f" (joined by cluster {c.qualname})" if fab.shared else ""
    if have == 0 and not fab.is_set("ports_per_rack"):
        yield error("fabric-ports", f"{fab.role} fabric {fab.qualname}{of}: system {sysname} declares no {kind} "
                    "ports, so the fabric's ports per rack are unknown", fab.at("role"),
                    f"write `{kind}_ports` on the system or `ports_per_rack` on the fabric")
    elif have and ports > have:
        yield error("fabric-ports", f"fabric {fab.qualname}{of} takes {ports} ports per rack but "
                    f"{sysname} has {have} {kind} ports", fab.at("ports_per_rack"), f"at most {have}")


def _split(fab, ports: int) -> Iterator[Diagnostic]:
    """Ports per rack must split evenly over the rails (and the planes): of a
    shared fabric, every member's."""
    if fab.rails > 0 and ports % fab.rails:
        yield error("fabric-ports", f"{ports} ports per rack do not split evenly over "
                    f"{fab.rails} rails", fab.at("rails"),
                    "port i of every rack goes to rail i, so rails must divide the ports per rack")
    elif fab.rails > 0 and fab.planes > 0 and ports % (fab.rails * fab.planes):
        yield error("fabric-ports", f"{ports} ports per rack do not split evenly over "
                    f"{fab.planes} planes x {fab.rails} rails", fab.at("planes"),
                    "each plane takes the same ports of every rack and splits them over the rails, so "
                    "planes x rails must divide the ports per rack")


def _plan_error(fab, p: FabricError) -> Diagnostic:
    span = fab.at(p.attr) if p.attr and fab.is_set(p.attr) else _size_span(fab)
    hint = p.hint
    if p.code == "fabric-size" and hint is None and p.max_endpoints > 0 and fab.shared:
        hint = (f"at most {p.max_endpoints:,} endpoints: use a switch with more ports, allow a third tier, "
                "oversubscribe the leaves, or let fewer clusters join it")
    elif p.code == "fabric-size" and hint is None and p.max_endpoints > 0 and fab.ports_per_rack > 0:
        racks = p.max_endpoints // fab.ports_per_rack
        hint = (f"at most {p.max_endpoints:,} endpoints, i.e. {racks:,} racks of {fab.ports_per_rack} "
                "ports: use a switch with more ports, allow a third tier, oversubscribe the leaves, "
                "or split the cluster")
    return error(p.code, f"fabric {fab.qualname}: {p.message}", span, hint)


def _blocking(fab) -> Iterator[Diagnostic]:
    """With fixed counts, the leaf's down:up can differ from what was asked."""
    p = fab.sized
    fixed = [n for n in COUNTS if fab.is_set(n)]
    if not fixed or p.tiers < 2:
        return
    cap = leaf_ports(p.radix, p.down, p.up)  # leaves cable up links for their full down ports
    need = -(-cap * fab.up // fab.down)
    got, asked = Fraction(cap, p.leaf_up_ports), Fraction(fab.down, fab.up)
    if p.leaf_up_ports != need:  # beyond the rounding up of a whole number of links
        where = "spines" if fab.is_set("spines") else fixed[0]
        yield warning("fabric-blocking",
                      f"fabric {fab.qualname}: each leaf has {cap} down ports and {p.leaf_up_ports} up "
                      f"links ({p.links_leaf_spine_per_pair} to each of {p.spines_per_pod} spines): "
                      f"{_ratio(got)}, not the {_ratio(asked)} of `oversubscription`",
                      fab.at(where),
                      f"spine counts that give {_ratio(asked)} divide the {need} up links a leaf needs: "
                      + ", ".join(str(n) for n in range(1, need + 1) if need % n == 0)
                      + "; or leave the counts out to have them sized")


def _ratio(r: Fraction) -> str:
    return f"{r.numerator}:{r.denominator}"
