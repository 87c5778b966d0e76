"""`assert TEST, "message"`: design rules written in the spec, checked once the
model is built (pipeline.check, after the engineering checks).

A test is evaluated over the resolved values a `let` can use (lets, params,
block paths and attributes, catalog items) and over the figures the tool
derives from the model, which the spec never writes:

    plan.NAME       totals of the whole spec        (PLAN below)
    CLUSTER.NAME    per cluster, e.g. train.gpus    (FIGURES["cluster"])
    FABRIC.NAME     per fabric, train.compute.spines
    HALL.NAME       per hall, b1.h2.slots_free
    SITE.NAME       per site, childress.facility_power

The numbers are those `factoryspec plan` prints (factoryspec/checks/figures.py), as
exact quantities: counts are plain numbers, powers are watts. A figure of
an object the model left out (it has an erroneous value), of a fabric that
could not be sized, or any `plan.` figure of an incomplete model is ERROR:
the cause is already reported, and the assert stays silent.

Adding a figure is one line in the table of its kind (PLAN, or FIGURES[kind]):
its name, what it means (shown on hover and in completion) and a function of
the model object and the Factory (for PLAN both are the Factory), e.g.

    "optics": Figure("Transceivers of every fabric link.", lambda f, _: ...),
"""

from __future__ import annotations

from fractions import Fraction
from itertools import chain
from typing import Any, Callable

import attrs

from ..lang import limits, nodes as n
from . import figures as p
from ..diagnostics import Diagnostic, Span, error, warning
from ..model import Factory
from ..model.derive import site_it_power
from ..lang.resolve import ERROR, AssertSym, Entity, Resolved, Resolver, _describe
from ..lang.units import POWER, Quantity


@attrs.frozen
class Figure:
    doc: str
    # (model object, the Factory) -> int | Fraction | Quantity, or None when not known.
    # For PLAN the object is the Factory itself.
    value: Callable[[Any, Factory], Any]


def _sized(attr: str) -> Callable:
    """A fabric figure read off its sizing (unknown when it could not be sized)."""
    return lambda fab, f: getattr(fab.sized, attr) if fab.sized else None


def _links(fab, f) -> int | None:
    return p._tiers(fab)[1]["total"] if fab.sized else None


def _hall_used(h, f=None) -> int:
    return h.load.compute_racks + h.load.network_racks


def _power(watts: Fraction) -> Quantity:
    return Quantity(watts, POWER)


PLAN: dict[str, Figure] = {
    "it_power": Figure("IT power of every cluster: compute racks, fabric switches and optics.",
                       lambda f, _: f.it_power),
    "compute_power": Figure("Power of the compute racks' systems.", lambda f, _: _power(p.it_parts(f)["compute"])),
    "switch_power": Figure("Power of the fabric switches.", lambda f, _: _power(p.it_parts(f)["switches"])),
    "optics_power": Figure("Power of the optics: host modules and switch modules' share per cable at each "
                           "fabric's budget (the highest of its usable media).",
                           lambda f, _: _power(p.it_parts(f)["optics"])),
    "transceivers": Figure("Transceiver modules of every fabric: one per host end, ceil(switch ends / cables "
                           "per module) at the switches; none for copper media.", lambda f, _: p.transceivers(f)),
    "optics": Figure("Cable ends: two per fabric link (`transceivers` counts the optical modules serving them).",
                     lambda f, _: p.optics_ends(f)),
    "facility_power": Figure("Facility power: IT power x each site's PUE.", lambda f, _: p.facility_power(f)),
    "clusters": Figure("Clusters in the spec.", lambda f, _: len(f.clusters)),
    "racks": Figure("Compute racks of every cluster.", lambda f, _: sum(c.racks for c in f.clusters)),
    "gpus": Figure("GPUs in every cluster's racks.", lambda f, _: sum(c.gpus for c in f.clusters)),
    "network_racks": Figure("Network racks placed in the halls.",
                            lambda f, _: sum(h.load.network_racks for h in f.halls)),
    "unplaced_racks": Figure("Compute racks that fit no hall.", lambda f, _: sum(c.unplaced for c in f.clusters)),
    "switches": Figure("Fabric switches, every tier of every fabric.", lambda f, _: p.tier_totals(f)[0]["total"]),
    "links": Figure("Fabric links (cables): endpoint-leaf, leaf-spine and spine-core.",
                    lambda f, _: p.tier_totals(f)[1]["total"]),
    "slots": Figure("Rack positions in every hall.", lambda f, _: sum(h.slots for h in f.halls)),
    "slots_used": Figure("Positions taken by compute and network racks.", lambda f, _: sum(map(_hall_used, f.halls))),
    "slots_free": Figure("Positions left free.",
                         lambda f, _: sum(max(h.usable_slots - _hall_used(h), 0) for h in f.halls)),
    "cooling_liquid": Figure("Heat taken by liquid cooling, every hall.",
                             lambda f, _: Quantity(sum((h.load.liquid.value for h in f.halls), Fraction(0)), POWER)),
    "cooling_air": Figure("Heat taken by air, every hall.",
                          lambda f, _: Quantity(sum((h.load.air.value for h in f.halls), Fraction(0)), POWER)),
}

# Per block kind: figures of one model object (a Cluster, Fabric, Hall, Site).
FIGURES: dict[str, dict[str, Figure]] = {
    "cluster": {
        "racks": Figure("Compute racks of the cluster.", lambda c, f: c.racks),
        "gpus": Figure("GPUs: racks x the system's GPUs.", lambda c, f: c.gpus),
        "it_power": Figure("IT power: racks x system power plus its own fabrics' switches and optics (a shared "
                           "fabric's count once, in its site's).",
                           lambda c, f: c.it_power),
        "optics_power": Figure("Power of the cluster's optics, at each fabric's budget per end.",
                               lambda c, f: c.optics_power),
        "switches": Figure("Switches of all the cluster's own fabrics (not the site fabrics it joins).",
                           lambda c, f: c.switches),
        "unplaced_racks": Figure("Racks that fit none of the cluster's halls.", lambda c, f: c.unplaced),
        "nvlink_domains": Figure("NVLink domains of the cluster's racks.", lambda c, f: c.nvlink_domains),
    },
    "fabric": {
        "endpoints": Figure("Endpoints: racks x ports per rack (of a shared fabric, summed over its members).",
                            lambda fab, f: fab.endpoints),
        "tiers": Figure("Tiers of the sized fabric (1, 2 or 3).", _sized("tiers")),
        "switches": Figure("Switches, every tier.", _sized("switches")),
        "leaves": Figure("Leaf switches.", _sized("leaves")),
        "spines": Figure("Spine switches.", _sized("spines")),
        "cores": Figure("Core switches (0 below three tiers).", _sized("cores")),
        "links": Figure("Links (cables): endpoint-leaf, leaf-spine and spine-core.", _links),
        "optics": Figure("Cable ends: two per link (`transceivers` counts the modules serving them).",
                         lambda fab, f: fab.host_ends + fab.switch_ends),
        "optics_power": Figure("Power of the optics: host ends x the highest host module, switch ends x the "
                               "highest module share per cable, of the fabric's usable media.",
                               lambda fab, f: fab.optics_power),
        "transceivers": Figure("Transceiver modules: one per host end, and ceil(switch ends / the fewest "
                               "cables per module of its usable media) at the switches; 0 if all are copper.",
                               lambda fab, f: fab.transceivers if fab.sized else None),
        "network_racks": Figure("Network racks: switches / the switch's per_rack.",
                                lambda fab, f: fab.network_racks if fab.sized else None),
    },
    "hall": {
        "slots": Figure("Rack positions: rows x slots_per_row.", lambda h, f: h.slots),
        "slots_reserved": Figure("Positions held by `reserved` blocks.", lambda h, f: h.reserved_slots),
        "slots_used": Figure("Positions taken by compute and network racks.", _hall_used),
        "slots_free": Figure("Positions left free.", lambda h, f: max(h.usable_slots - _hall_used(h), 0)),
        "compute_racks": Figure("Compute racks placed in the hall.", lambda h, f: h.load.compute_racks),
        "network_racks": Figure("Network racks placed in the hall.", lambda h, f: h.load.network_racks),
        "gpus": Figure("GPUs in the hall's racks.", lambda h, f: h.load.gpus),
        "it_power": Figure("IT power of the hall's racks and switches.", lambda h, f: h.load.it_power),
    },
    "site": {
        "it_power": Figure("IT power the site's utility carries.", lambda s, f: site_it_power(f, s)),
        "facility_power": Figure("Facility power: the site's IT power x its PUE.",
                                 lambda s, f: Quantity(site_it_power(f, s).value * s.pue, POWER)),
    },
}


class _PlanRoot:
    """What `plan` names inside an assert."""

    def __repr__(self) -> str:
        return "plan"


PLAN_ROOT = _PlanRoot()
ROOTS = {"plan": PLAN}


def is_figure(owner, name: str) -> bool:
    """Whether `owner.name` is a derived figure (for hints outside asserts)."""
    return isinstance(owner, Entity) and name in FIGURES.get(owner.kind, ())


def _as_value(x):
    if x is None:
        return ERROR
    return x if isinstance(x, Quantity) else Quantity(Fraction(x))


class Figures:
    """The resolver's view of the derived figures while asserts are checked
    (Resolver.derived): `root`, `is_root`, `member`, `names`."""

    def __init__(self, model: Factory):
        self.model = model
        self.objects = {(o.kind, o.qualname, o.span): o
                        for o in chain(model.clusters, model.fabrics, model.halls, model.sites)}
        self.memo: dict[tuple, Any] = {}

    def root(self, name: str):
        return PLAN_ROOT if name == "plan" else None

    def is_root(self, sym) -> bool:
        return sym is PLAN_ROOT

    def names(self, owner) -> list[str]:
        if owner is PLAN_ROOT:
            return list(PLAN)
        return list(FIGURES.get(getattr(owner, "kind", None), ()))

    def member(self, owner, name: str):
        """The figure's value, ERROR when it is not known, None when `name` is no figure."""
        if owner is PLAN_ROOT:
            fig, obj = PLAN.get(name), (self.model if self.model.complete else None)
        else:
            fig = FIGURES.get(owner.kind, {}).get(name)
            obj = self.objects.get((owner.kind, owner.qualname, owner.span))
        if fig is None:
            return None
        if obj is None:
            return ERROR
        key = (id(obj), name)
        if key not in self.memo:
            self.memo[key] = _as_value(fig.value(obj, self.model))
        return self.memo[key]


def figure_value(model: Factory | None, owner, name: str):
    """A figure's value outside a check (for hover and completion); owner is
    PLAN_ROOT or an Entity. None when `name` is no figure, ERROR if unknown."""
    if model is None:
        return ERROR if (owner is PLAN_ROOT and name in PLAN) or is_figure(owner, name) else None
    return Figures(model).member(owner, name)


def figure_doc(owner_kind: str, name: str) -> str | None:
    """What a figure means (`plan` or a block kind), for hover and completion."""
    table = PLAN if owner_kind == "plan" else FIGURES.get(owner_kind, {})
    fig = table.get(name)
    return fig.doc if fig else None


# ---- checking -----------------------------------------------------------------

def check_asserts(resolved: Resolved, model: Factory) -> list[Diagnostic]:
    """Every assert's diagnostics: failures, and bad names, units or types in them."""
    r = resolved.resolver
    if not resolved.asserts or r is None:
        return []
    start = len(r.diags)
    out: list[Diagnostic] = []
    r.derived = Figures(model)
    lines = _Lines(resolved.program.sources)
    failed: dict[int, list] = {}     # id(assert node) -> [the node, failures past the cap]
    try:
        for a in resolved.asserts:
            seen = failed.setdefault(id(a.node), [a.node, 0, 0])
            found = _check(r, a, lines, explain=seen[1] < limits.MAX_ASSERT_REPORTS)
            if any(d.code in _FAILED for d in found):
                seen[1] += 1
                if seen[1] > limits.MAX_ASSERT_REPORTS:
                    seen[2] += 1
                    found = [d for d in found if d.code not in _FAILED]
            out.extend(found)
    finally:
        r.derived = None
    out.extend(_more_failures(node, more) for node, _, more in failed.values() if more)
    # Evaluation reported into the resolver's list, already handed on: take them back.
    found = r.diags[start:]
    del r.diags[start:]
    return found + out


_FAILED = ("assert-failed", "expect-failed")


def _more_failures(node, more: int) -> Diagnostic:
    """One line for the instances of a repeated block past the first few: a
    spec of 10,000 sites that all break one rule says so once, not 10,000 times
    (and the reasons of those not shown are never formatted)."""
    code, what = ("expect-failed", "expectation not met") if node.soft else ("assert-failed", "assertion failed")
    make = warning if node.soft else error
    # At the statement's end, so it sorts after the failures it follows.
    s = node.span
    end = Span(s.file, s.end_line, max(1, s.end_column - 1), s.end_line, max(2, s.end_column))
    return make(code, f"{what} in {more:,} more instances of this block (the first "
                f"{limits.MAX_ASSERT_REPORTS} are shown)", end,
                "the instances repeat one block: fix it once")


def _check(r: Resolver, a: AssertSym, lines: "_Lines", explain: bool = True) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    text = lambda e: _source(lines, e.span)  # noqa: E731
    ok, why = _test(r, a.node.test, a.scope, text, out, explain)
    message = r.eval(a.node.message, a.scope)
    if message is not ERROR and not isinstance(message, str):
        out.append(error("assert-message", f"an assert's message is a string; got {_describe(message)}",
                         a.node.message.span, 'write it in double quotes: assert x <= 1, "why"'))
        message = ERROR
    if ok is False:
        where = f" in {a.owner.label}" if a.owner is not None else ""
        said = f": {message}" if isinstance(message, str) else ""
        if a.node.soft:
            out.append(warning("expect-failed", f"expectation not met{where}{said}: {why}", a.node.span))
        else:
            out.append(error("assert-failed", f"assertion failed{where}{said}: {why}", a.node.span))
    return out


def _test(r: Resolver, e, scope, text, out: list, explain: bool = True) -> tuple[Any, str | None]:
    """(True | False | ERROR, why it is false) for the condition `e`; the why
    only if `explain` (formatting it costs more than the test)."""
    if isinstance(e, n.Compare):
        a, b = r.eval(e.left, scope), r.eval(e.right, scope)
        value = r.compare(e, a, b)
        return value, (_why_compare(e, a, b, text) if value is False and explain else None)
    if isinstance(e, n.Logic):
        (x, wx), (y, wy) = _test(r, e.left, scope, text, out, explain), _test(r, e.right, scope, text, out, explain)
        if x is ERROR or y is ERROR:
            return ERROR, None
        value = (x and y) if e.op == "and" else (x or y)
        return value, (None if value else "; ".join(w for w in (wx, wy) if w))
    if isinstance(e, n.Not):
        x, _ = _test(r, e.operand, scope, text, out, explain)
        if x is ERROR:
            return ERROR, None
        return (not x), (f"{text(e.operand)} holds" if x and explain else None)
    value = r.eval(e, scope)
    if value is ERROR:
        return ERROR, None
    if not isinstance(value, bool):
        out.append(error("assert-not-boolean", f"an assert needs a condition; `{text(e)}` is {_describe(value)}",
                         e.span, "compare it, e.g. `plan.it_power <= 200 MW`"))
        return ERROR, None
    return value, (None if value or not explain else f"{text(e)} is false")


def _why_compare(e: n.Compare, a, b, text) -> str:
    """`train.racks * gb300_nvl72.power = 207.576 MW, which is not <= 200 MW`."""
    sa, sb = _show(a), _show(b)
    if sa == sb and isinstance(a, Quantity) and a.value != b.value:
        # Rounded for display, but not equal: show the exact values.
        sa, sb = _exact(a), _exact(b)
    left = sa if text(e.left) == sa else f"{text(e.left)} = {sa}"
    right = sb if text(e.right) == sb else f"{text(e.right)} ({sb})"
    return f"{left}, which is not {e.op} {right}"


def _show(x) -> str:
    if isinstance(x, str):
        return f'"{x}"'
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, Entity):
        return x.qualname
    return str(x)


def _exact(q: Quantity) -> str:
    return f"{q.value} (exactly, in SI base units)"


class _Lines(dict):
    """Each source's lines, split once: a failed assert quotes its operands,
    and splitting a large file for each of thousands would be quadratic."""

    def __init__(self, sources: dict[str, str]):
        super().__init__()
        self.sources = sources

    def __missing__(self, file):
        got = self[file] = self.sources.get(file, "").splitlines()
        return got


def _source(lines_of: _Lines, span: Span) -> str:
    """The text of an expression as written, on one line."""
    lines = lines_of[span.file]
    if not lines or span.end_line > len(lines):
        return "?"
    if span.line == span.end_line:
        piece = lines[span.line - 1][span.column - 1:span.end_column - 1]
    else:
        piece = "\n".join([lines[span.line - 1][span.column - 1:], *lines[span.line:span.end_line - 1],
                           lines[span.end_line - 1][:span.end_column - 1]])
    return " ".join(piece.split())
