"""Fabric: radix and tier feasibility, port counts.

* `fabric-size`: `fabric.size_fabric` sizes each fabric (endpoints = racks x
  ports_per_rack) for the switch radix, the oversubscription, the rails and
  the tiers. A non-blocking two-tier leaf/spine of radix R reaches R^2/2
  endpoints, a three-tier fat tree R^3/4; a fabric beyond what the radix and
  the allowed tiers reach is an error that says the largest size that fits.
* `fabric-ports`: port counts that cannot work: more fabric ports per rack
  than the system has compute ports, ports that do not split evenly over the
  rails (rail-optimized: port i of every system goes to rail i), a topology
  other than `fat_tree` or `rail_optimized`; a switch slower than the system's
  ports gets a warning (the links run at the lower speed).
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error, warning
from ..fabric import FabricError, max_endpoints
from ..model import Factory
from ._base import Measure, show

CODES = ("fabric-size", "fabric-ports")
TOPOLOGIES = ("fat_tree", "rail_optimized")


def measure(f: Factory) -> Iterator[Measure]:
    for fab in f.fabrics:
        if fab.plan is None or fab.cluster is None:
            continue
        most = max_endpoints(fab.radix, fab.down, fab.up, fab.tiers, rails=fab.rails)
        if most > 0:
            yield Measure("fabric-size", f"fabric {fab.qualname} endpoints", fab.endpoints, most,
                          fab.at("tiers") if fab.is_set("tiers") else fab.at("switch"), "endpoints", fab)


def check(f: Factory) -> Iterator[Diagnostic]:
    for fab in f.fabrics:
        c = fab.cluster
        if c is None:
            continue
        sysname = c.system.qualname
        if fab.topology not in TOPOLOGIES:
            yield error("invalid-value", f"unknown topology `{fab.topology}`", fab.at("topology"),
                        "topologies: " + ", ".join(TOPOLOGIES))
        if fab.ports_per_rack > c.system.compute_ports:
            yield error("fabric-ports", f"fabric {fab.qualname} takes {fab.ports_per_rack} ports per rack but "
                        f"{sysname} has {c.system.compute_ports} compute ports", fab.at("ports_per_rack"),
                        f"at most {c.system.compute_ports}")
        if fab.rails > 0 and fab.ports_per_rack % fab.rails:
            yield error("fabric-ports", f"{fab.ports_per_rack} ports per rack do not split evenly over "
                        f"{fab.rails} rails", fab.at("rails"),
                        "rail-optimized: port i of every rack goes to rail i, so rails must divide the ports "
                        "per rack")
        if fab.port_speed.value < c.system.port_speed.value:     # split ports at their share
            yield warning("fabric-ports", f"switch {fab.switch.qualname} runs {show(fab.port_speed)} per "
                          f"port, slower than {sysname}'s {show(c.system.port_speed)} ports: links run at the "
                          "lower speed", fab.at("switch"))
        if isinstance(fab.plan, FabricError):
            p = fab.plan
            hint = None
            if p.max_endpoints > 0 and fab.ports_per_rack > 0:
                racks = p.max_endpoints // fab.ports_per_rack
                hint = (f"at most {p.max_endpoints:,} endpoints, i.e. {racks:,} racks of {fab.ports_per_rack} "
                        "ports: use a switch with more ports, allow a third tier, oversubscribe the leaves, "
                        "or split the cluster")
            yield error("fabric-size", f"fabric {fab.qualname}: {p.message}",
                        fab.at("tiers") if fab.is_set("tiers") else fab.at("switch"), hint)
