"""Engineering checks: one small module per rule, as sqlglot's optimizer rules.

Each rule module has a generator `check(factory) -> Iterator[Diagnostic]`
yielding diagnostics at the source span responsible, and a `CODES` tuple of
the codes it emits (registered in factoryspec/diagnostics/codes.py). Rules whose figures
have a limit also have `measure(factory) -> Iterator[Measure]`: how much of
each limit is used. `factoryspec plan` lists those as headroom; `check`
reports the ones over their limit.

Rules (in the order they run):

    sanity   zero and absurd values the resolver cannot see (invalid-value,
             implausible-value)
    nodes    a node system's cluster counting `nodes` or `racks`, and its
             appliances' fabric, rails and ports
    power    IT x PUE against the utility; IT against power trains
    busway   the heaviest row of each hall against its busway limit (80 %)
    cooling  liquid heat to CDUs, the rest to air handling, all to the plants
    omissions  IT load with no power train, or no cooling plant, upstream
    space    racks against slots, halls against buildings against land,
             hall geometry, rack fit, reserved slots
    contiguity  scalable units and NVLink domains against the runs of
             compute positions in rows, and against one row's busway
    proportions  halls far larger than their rows, land far beyond the
             buildings, scalable units that do not divide the racks
    floor    rack weight over its footprint against the floor rating
    fabric   radix and tier feasibility (fabric.size_fabric), port counts
    shared   fabrics at site level: joined by no cluster, or joined wrongly
    media    cable speed against the fabric's ports, port splits and breakouts
    reach    halls whose geometry makes a link longer than every medium reaches
    ports    port naming patterns that cannot name the ports

Beside the rules: figures.py, the plan's derived figures (from the rules'
measures), and asserts.py, the spec's own `assert`s over those figures.

Cycles in the power chain: `power` blocks cannot refer to each other (the
vocabulary gives them no reference attribute; they are fed by their
container), so no such cycle can be written and there is no rule for it.
References, duplicates, value cycles and unused definitions are the
resolver's (undefined-reference, duplicate-name, reference-cycle, unused).
"""

from __future__ import annotations

from typing import Iterator

from itertools import islice

from ..diagnostics import Diagnostic, error
from ..lang import limits
from . import (busway, contiguity, cooling, fabric, floor, media, nodes, omissions, ports, power, proportions,
               reach, sanity, shared, space)
from ._base import Measure

RULES = (sanity, nodes, power, busway, cooling, omissions, space, contiguity, proportions, floor, fabric, shared, media,
         reach, ports)

__all__ = ["RULES", "Measure", "run", "measures"]


def run(factory) -> list[Diagnostic]:
    """Every rule's diagnostics, at most limits.MAX_DIAGNOSTICS from each: a
    rule is a generator, so past that it is not asked for more (ten thousand
    halls stacked on one spot are 50 million overlapping pairs; nobody reads
    past the first screen). A rule that fails (a bug, not bad input) gives
    an `internal-error` diagnostic instead of taking the others down."""
    out: list[Diagnostic] = []
    for rule in RULES:
        name = rule.__name__.rsplit(".", 1)[-1]
        try:
            found = list(islice(rule.check(factory), limits.MAX_DIAGNOSTICS + 1))
            out.extend(found[:limits.MAX_DIAGNOSTICS])
            if len(found) > limits.MAX_DIAGNOSTICS:
                out.append(error("too-many-diagnostics", f"the {name} check has more than "
                                 f"{limits.MAX_DIAGNOSTICS:,} diagnostics; the rest are not shown",
                                 found[-1].span, "fix the first ones: most are probably repeats"))
        except Exception as exc:  # noqa: BLE001: never raise from lint
            out.append(error("internal-error", f"the {name} check failed: "
                             f"{type(exc).__name__}: {exc}", None,
                             "please report this with the spec that caused it"))
    return out


def measures(factory) -> Iterator[Measure]:
    """Every rule's headroom measures, rule by rule, in model order."""
    for rule in RULES:
        fn = getattr(rule, "measure", None)
        if fn is not None:
            yield from fn(factory)
