"""Media: the speed of a fabric's cables against its ports, and port splits.

* `media-speed`: every link of a fabric runs at its link speed
  (`Fabric.link_speed`: the switch's `port_speed`, divided by the fabric's
  `split`, or the system's `port_speed` if that is faster, for the host
  links). A medium whose `speed` is below it cannot carry the link. A medium
  the fabric lists in `media` that is too slow is an error at that list; among
  the default media (every medium in scope) the slow ones are simply not used,
  and only a fabric left with none fast enough is an error. A medium with no
  `speed` is unspecified and taken to match any port (specs written before
  media had a speed keep working); the catalog gives every medium its speed.
* `port-split`: a split port must divide evenly: `split` must cut the switch's
  port speed into whole Gb/s (800G as 2 x 400G, not 3 x 266.67G), and a medium
  the fabric lists whose module serves `cables_per_transceiver` cables (a
  twin-port OSFP, a breakout cable's plug) must fill the switch's ports
  (ports x split) exactly, with no module left half used.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..lang.units import DATA_RATE, Quantity
from ..model import Fabric, Factory
from ._base import show

CODES = ("media-speed", "port-split")

GBPS = Fraction(10**9)      # bit/s in 1 Gb/s (DATA_RATE is in bit/s)


def _why(fab: Fabric) -> str:
    """Where the fabric's link speed comes from, for messages."""
    sw, host = fab.port_speed, fab.host_speed
    if host is not None and host.value > sw.value:
        c = next(c for c in fab.members
                 if (q := c.system.host_ports(fab.role)[1]) is not None and q.value == host.value)
        return f"the {show(host)} {fab.role} ports of system {c.system.qualname}"
    split = f" split {fab.split} ways" if fab.split > 1 else ""
    return f"the {show(fab.switch.port_speed)} ports of switch {fab.switch.qualname}{split}"


def _speed(fab: Fabric) -> Iterator[Diagnostic]:
    need = fab.link_speed
    slow = [m for m in fab.media if not m.fast_enough(need)]
    if fab.media_explicit:
        for m in slow:
            yield error("media-speed", f"fabric {fab.qualname} lists medium {m.qualname} of {show(m.speed)} per "
                        f"cable, slower than its links: {show(need)} ({_why(fab)})", fab.at("media"),
                        f"use media of at least {show(need)} (the catalog's are named by speed), or split "
                        "the switch ports (`split = 2` on the fabric) to run them at half speed")
        return
    if fab.media and not fab.usable_media:
        fastest = max((m for m in fab.media if m.speed is not None), key=lambda m: m.speed.value)
        yield error("media-speed", f"fabric {fab.qualname} runs its links at {show(need)} ({_why(fab)}) but no "
                    f"medium in scope is that fast: the fastest, {fastest.qualname}, carries "
                    f"{show(fastest.speed)}", fab.at("switch"),
                    f"import or define media of at least {show(need)} (`import catalog.nvidia` has 800G and "
                    "1.6T parts), or split the switch ports (`split` on the fabric)")


def _split(fab: Fabric) -> Iterator[Diagnostic]:
    if fab.split > 1:
        per = fab.switch.port_speed.value / fab.split
        if (per / GBPS).denominator != 1:
            yield error("port-split", f"fabric {fab.qualname} splits the {show(fab.switch.port_speed)} ports of "
                        f"switch {fab.switch.qualname} {fab.split} ways: {show(Quantity(per, DATA_RATE))} each "
                        "is not a whole Gb/s", fab.at("split"),
                        "split a port into 2 or 4 (800G as 2 x 400G or 4 x 200G)")
    if not fab.media_explicit:
        return
    for m in fab.media:
        k = m.cables_per_transceiver
        if k > 1 and fab.radix % k:
            yield error("port-split", f"fabric {fab.qualname}: medium {m.qualname} serves {k} cables per module "
                        f"but switch {fab.switch.qualname} has {fab.radix} ports"
                        + (f" ({fab.switch.ports} x split {fab.split})" if fab.split > 1 else "")
                        + f", not a multiple of {k}", fab.at("media"),
                        f"use a medium whose modules serve a divisor of {fab.radix} cables, or change `split`")


def check(f: Factory) -> Iterator[Diagnostic]:
    for fab in f.fabrics:
        if not fab.members:
            continue
        yield from _split(fab)
        yield from _speed(fab)
