"""Port naming patterns (model/port_names.py) that cannot name the ports.

* `port-names` (error): a system's or switch's `port_names` that is not a
  pattern of ranges `{a..b}`, or whose ranges name another number of ports
  than the system's `compute_ports` (per node) or the switch's `ports`. The
  layout names every cable end by it (cutsheet.csv, layout.json devices), so a
  pattern that names too few ports would give two cables one name.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model import Factory
from ..model.port_names import parse

CODES = ("port-names",)


def check(f: Factory) -> Iterator[Diagnostic]:
    for obj, count, what in [(s, s.compute_ports, "compute ports") for s in f.systems] + \
                            [(sw, sw.ports, "ports") for sw in f.switches]:
        text = obj.port_names
        if not text:
            continue
        p = parse(text)
        if isinstance(p, str):
            yield error("port-names", f"{obj.label}: port_names {text!r} is not a naming pattern: {p}",
                        obj.at("port_names"), "write ranges in text, e.g. \"tray{1..18}/nic{1..4}\"")
        elif p.size != count:
            yield error("port-names", f"{obj.label}: port_names {text!r} names {p.size:,} ports, but it has "
                        f"{count:,} {what}", obj.at("port_names"),
                        "make the ranges' sizes multiply to the port count")
