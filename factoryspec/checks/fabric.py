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
        if fab.plan is None or fab.cluster is None:
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
        c = fab.cluster
        if c is None:
            continue
        sysname = c.system.qualname
        if fab.role not in ROLES:
            yield error("invalid-value", f"unknown fabric role `{fab.role}`", fab.at("role"),
                        "roles: " + ", ".join(ROLES))
        if fab.topology not in TOPOLOGIES:
            yield error("invalid-value", f"unknown topology `{fab.topology}`", fab.at("topology"),
                        "topologies: " + ", ".join(TOPOLOGIES))
        rack_ports = c.system.compute_ports * c.system.slots     # a node system: its nodes' ports
        if fab.ports_per_rack > rack_ports:
            yield error("fabric-ports", f"fabric {fab.qualname} takes {fab.ports_per_rack} ports per rack but "
                        f"{sysname} has {rack_ports} compute ports", fab.at("ports_per_rack"),
                        f"at most {rack_ports}")
        yield from _split(fab)
        if fab.port_speed.value < c.system.port_speed.value:     # split ports at their share
            yield warning("fabric-ports", f"switch {fab.switch.qualname} runs {show(fab.port_speed)} per "
                          f"port, slower than {sysname}'s {show(c.system.port_speed)} ports: links run at the "
                          "lower speed", fab.at("switch"))
        if isinstance(fab.plan, FabricError):
            yield _plan_error(fab, fab.plan)
        elif fab.sized is not None:
            yield from _blocking(fab)


def _split(fab) -> Iterator[Diagnostic]:
    """Ports per rack must split evenly over the rails (and the planes)."""
    if fab.rails > 0 and fab.ports_per_rack % fab.rails:
        yield error("fabric-ports", f"{fab.ports_per_rack} ports per rack do not split evenly over "
                    f"{fab.rails} rails", fab.at("rails"),
                    "port i of every rack goes to rail i, so rails must divide the ports per rack")
    elif fab.rails > 0 and fab.planes > 0 and fab.ports_per_rack % (fab.rails * fab.planes):
        yield error("fabric-ports", f"{fab.ports_per_rack} ports per rack do not split evenly over "
                    f"{fab.planes} planes x {fab.rails} rails", fab.at("planes"),
                    "each plane takes the same ports of every rack and splits them over the rails, so "
                    "planes x rails must divide the ports per rack")


def _plan_error(fab, p: FabricError) -> Diagnostic:
    span = fab.at(p.attr) if p.attr and fab.is_set(p.attr) else _size_span(fab)
    hint = p.hint
    if p.code == "fabric-size" and hint is None and p.max_endpoints > 0 and fab.ports_per_rack > 0:
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
