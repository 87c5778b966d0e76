"""`factoryspec verify` is total: every field of layout.json is recomputed,
checked against the spec, or informational and checked for consistency, and
no JSON value, however odd, gets past it or makes it fail internally."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from factoryspec.cli import main

ROOT = Path(__file__).resolve().parent.parent
SUPERPOD = ROOT / "specs" / "superpod.fac"
RAW = "__raw__"          # a value replaced, in the written text, by raw JSON that Python cannot dump


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("superpod")
    r = run("compile", SUPERPOD, "-o", out, "--time-limit", "30")
    assert r.exit_code == 0, r.output
    return (out / "layout.json").read_text(encoding="utf-8")


def _network(d):
    return next(p for p in d["placements"] if p["kind"] == "network")


def _compute(d):
    return next(p for p in d["placements"] if p["kind"] == "compute")


def _set(get, key, value):
    """A tamper: set get(data)[key] to value, or to value(old) when callable."""
    def change(d):
        box = get(d)
        box[key] = value(box[key]) if callable(value) else value
    return change


def _raw(get, key, text):
    """A tamper writing `text` verbatim as the value (NaN, 1e400, 5,001 digits)."""
    return _set(get, key, RAW), text


def _delete(get, key):
    def change(d):
        del get(d)[key]
    return change


root = lambda d: d                           # noqa: E731
totals = lambda d: d["totals"]               # noqa: E731
solver = lambda d: d["solver"]               # noqa: E731
medium = lambda d: d["totals"]["by_medium"][0]   # noqa: E731
optics = lambda d: d["totals"]["optics"]     # noqa: E731
hall = lambda d: d["halls"][0]               # noqa: E731
link = lambda d: d["links"][0]               # noqa: E731
headroom = lambda d: d["totals"]["headroom"][0]  # noqa: E731

TAMPERS: dict = {}
for field in ("racks", "compute_racks", "network_racks", "link_groups", "cables", "length_m", "cost_usd",
              "objective_units", "it_power_w"):
    TAMPERS[f"totals.{field}+1"] = _set(totals, field, lambda v: v + 1)
    TAMPERS[f"totals.{field}-1"] = _set(totals, field, lambda v: v - 1)
    TAMPERS[f"totals.{field}=NaN"] = _raw(totals, field, "NaN")
    TAMPERS[f"totals.{field}=str"] = _set(totals, field, lambda v: str(v))
for field in ("cables", "length_m", "cost_usd", "power_per_end_w", "optics_w"):
    TAMPERS[f"by_medium.{field}+1"] = _set(medium, field, lambda v: v + 1)
TAMPERS["by_medium.medium"] = _set(medium, "medium", "smf_dr_100m")
TAMPERS["by_medium.extra-entry"] = lambda d: d["totals"]["by_medium"].append(dict(medium(d), medium="zz"))
TAMPERS["by_medium.empty"] = _set(totals, "by_medium", [])
TAMPERS["optics.ends+1"] = _set(optics, "ends", lambda v: v + 1)
TAMPERS["optics.power_w+1"] = _set(optics, "power_w", lambda v: v + 1)
TAMPERS["optics.power_w=Infinity"] = _raw(optics, "power_w", "Infinity")
TAMPERS["headroom.percent+1"] = _set(headroom, "percent", lambda v: v + 1)
TAMPERS["headroom.used=NaN"] = _raw(headroom, "used", "NaN")

TAMPERS["solver.status=optimal"] = _set(solver, "status", "optimal")       # its gap is not 0
TAMPERS["solver.status=infeasible"] = _set(solver, "status", "infeasible")
TAMPERS["solver.unit=m"] = _set(solver, "unit", "m")
TAMPERS["solver.objective+1"] = _set(solver, "objective", lambda v: v + 1)
TAMPERS["solver.objective=1e400"] = _raw(solver, "objective", "1e400")
TAMPERS["solver.lower_bound-above"] = lambda d: solver(d).update(lower_bound=solver(d)["objective"] + 1)
# 1 % lower: enough to move the gap at its 6-place rounding, whatever the figures
TAMPERS["solver.lower_bound-1%"] = _set(solver, "lower_bound", lambda v: round(v * 0.99, 2))
TAMPERS["solver.lower_bound=NaN"] = _raw(solver, "lower_bound", "NaN")
TAMPERS["solver.lower_bound+1e-9"] = _set(solver, "lower_bound", lambda v: v + 1e-9)   # not rounded as written
TAMPERS["solver.baseline+1e-9"] = _set(solver, "baseline_objective", lambda v: v + 1e-9)
TAMPERS["solver.gap+0.001"] = _set(solver, "gap", lambda v: v + 0.001)
TAMPERS["solver.gap=0"] = _set(solver, "gap", 0.0)
TAMPERS["solver.gap=-Infinity"] = _raw(solver, "gap", "-Infinity")
# informational: +1 USD moves saving_vs_baseline by less than its 6 places, so it is consistent
TAMPERS["solver.baseline+1e6"] = _set(solver, "baseline_objective", lambda v: v + 1e6)
TAMPERS["solver.baseline=null"] = _set(solver, "baseline_objective", None)
TAMPERS["solver.baseline-below"] = _set(solver, "baseline_objective", 1.0)
TAMPERS["solver.saving+0.01"] = _set(solver, "saving_vs_baseline", lambda v: v + 0.01)
TAMPERS["solver.saving=null"] = _set(solver, "saving_vs_baseline", None)
TAMPERS["solver.missing-gap"] = _delete(solver, "gap")
TAMPERS["solver.extra-key"] = _set(solver, "seconds", 1.0)

TAMPERS["hall.racks+1"] = _set(hall, "racks", lambda v: v + 1)
TAMPERS["hall.origin"] = _set(hall, "origin_m", [1.0, 0.0])
TAMPERS["hall.origin=NaN"] = lambda d: hall(d).update(origin_m=[RAW, 0.0]), "NaN"
TAMPERS["hall.rows+1"] = _set(hall, "rows", lambda v: v + 1)
TAMPERS["hall.slots_per_row-1"] = _set(hall, "slots_per_row", lambda v: v - 1)
TAMPERS["hall.id"] = _set(hall, "id", "elsewhere")
TAMPERS["halls.empty"] = _set(root, "halls", [])
TAMPERS["halls.extra"] = lambda d: d["halls"].append(dict(hall(d), id="other"))

TAMPERS["seed=-1"] = _set(root, "seed", -1)
TAMPERS["seed=str"] = _set(root, "seed", "0")
TAMPERS["seed=true"] = _set(root, "seed", True)
TAMPERS["seed=1.5"] = _set(root, "seed", 1.5)
TAMPERS["seed=5001-digits"] = _raw(root, "seed", "9" * 5001)
TAMPERS["objective=length"] = _set(root, "objective", "length")
TAMPERS["objective=cost_then_headroom"] = _set(root, "objective", "cost_then_headroom")
TAMPERS["format"] = _set(root, "format", "factoryspec.layout/2")
TAMPERS["spec_hash-missing"] = _delete(root, "spec_hash")
TAMPERS["root-extra-key"] = _set(root, "comment", "hand edited")
TAMPERS["totals-missing"] = _delete(root, "totals")

TAMPERS["compute.system"] = _set(_compute, "system", "gb300_nvl72")
TAMPERS["network.system"] = _set(_network, "system", "qm8700")
TAMPERS["compute.x_m=NaN"] = _raw(_compute, "x_m", "NaN")
TAMPERS["compute.y_m=Infinity"] = _raw(_compute, "y_m", "Infinity")
TAMPERS["compute.x_m=1e400"] = _raw(_compute, "x_m", "1e400")
TAMPERS["compute.x_m=1e308"] = _set(_compute, "x_m", 1e308)
TAMPERS["compute.x_m=-1e300"] = _set(_compute, "x_m", -1e300)
TAMPERS["compute.x_m=1e18"] = _set(_compute, "x_m", 1e18)
TAMPERS["compute.x_m+0.4mm"] = _set(_compute, "x_m", lambda v: v + 0.0004)
TAMPERS["compute.x_m=str"] = _set(_compute, "x_m", "0.3")
TAMPERS["compute.power_w+0.4mW"] = _set(_compute, "power_w", lambda v: v + 0.0004)
TAMPERS["compute.power_w=NaN"] = _raw(_compute, "power_w", "NaN")
TAMPERS["compute.row=5001-digits"] = _raw(_compute, "row", "1" * 5001)
TAMPERS["compute.row=4000-digits"] = _raw(_compute, "row", "1" * 4000)
TAMPERS["compute.row=true"] = _set(_compute, "row", True)
TAMPERS["compute.slot=1.5"] = _set(_compute, "slot", lambda v: v + 0.5)     # 1.0 would be the integer 1 (JSON Schema)
TAMPERS["compute.feeds=A"] = _set(_compute, "feeds", "A")
TAMPERS["compute.with-fabric"] = _set(_compute, "fabric", "compute")
TAMPERS["compute.extra-key"] = _set(_compute, "color", "red")
TAMPERS["compute.missing-hall"] = _delete(_compute, "hall")
TAMPERS["network.missing-first_switch"] = _delete(_network, "first_switch")
TAMPERS["network.switches=false"] = _set(_network, "switches", False)
TAMPERS["network.first_switch=1e400"] = _raw(_network, "first_switch", "1e400")
TAMPERS["link.length_m=NaN"] = _raw(link, "length_m", "NaN")
TAMPERS["link.length_m=1e400"] = _raw(link, "length_m", "1e400")
TAMPERS["link.length_m+0.4mm"] = _set(link, "length_m", lambda v: v + 0.0004)
TAMPERS["link.count=5001-digits"] = _raw(link, "count", "2" * 5001)
TAMPERS["link.count=true"] = _set(link, "count", True)
TAMPERS["link.count=10**18"] = _set(link, "count", 10 ** 18)
TAMPERS["link.count=10**18+1"] = _set(link, "count", 10 ** 18 + 1)
TAMPERS["link.extra-key"] = _set(link, "note", "")
TAMPERS["links.not-a-list"] = _set(root, "links", {})

# whole-text tampers: the file itself is odd
TEXTS = {
    "nested-100000-deep": "[" * 100_000 + "]" * 100_000,
    "nested-in-a-field": None,        # built from the layout below
    "not-an-object": "[1, 2, 3]",
    "empty": "",
    "truncated": None,
}


def _tampered_text(layout: str, name: str) -> str:
    if name in TEXTS:
        if name == "nested-in-a-field":
            return layout.replace('"seed": 0', '"seed": ' + "[" * 100_000 + "]" * 100_000, 1)
        if name == "truncated":
            return layout[: len(layout) // 2]
        return TEXTS[name]
    tamper = TAMPERS[name]
    raw = None
    if isinstance(tamper, tuple):
        tamper, raw = tamper
    data = json.loads(layout)
    tamper(data)
    text = json.dumps(data, indent=1)
    assert text != json.dumps(json.loads(layout), indent=1), f"tamper {name} changed nothing"
    if raw is not None:
        assert f'"{RAW}"' in text
        text = text.replace(f'"{RAW}"', raw)
    return text


ALL = sorted(TAMPERS) + sorted(TEXTS)


def test_enough_distinct_tampers():
    assert len(set(ALL)) >= 80


def test_untampered_layout_verifies(layout, tmp_path):
    path = tmp_path / "layout.json"
    path.write_text(layout, encoding="utf-8")
    r = run("verify", SUPERPOD, path)
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("name", ALL)
def test_tamper_is_rejected_cleanly(layout, tmp_path, name):
    path = tmp_path / "layout.json"
    path.write_text(_tampered_text(layout, name), encoding="utf-8")
    r = run("verify", SUPERPOD, path)
    assert r.exit_code == 1, r.output
    assert "error[layout-invalid]" in r.output, r.output
    assert "internal-error" not in r.output, r.output
    assert "Traceback" not in r.output, r.output
    assert len(r.output) < 20_000, "a diagnostic quotes a whole value"


def test_the_fuzzers_oracle_for_informational_fields(layout):
    """fuzz/mutate.py counts a tamper of an informational field that keeps
    every documented rule as no change (verify rightly accepts it), and any
    other tamper as a change."""
    import copy
    import sys
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from fuzz.mutate import informational_and_consistent as consistent

    doc = json.loads(layout)
    def after(change):
        d = copy.deepcopy(doc)
        change(d)
        return consistent(doc, d)
    assert after(lambda d: d.update(seed=doc["seed"] + 1))
    assert not after(lambda d: d.update(seed=-1))
    assert after(lambda d: d.update(seed=10 ** 18))
    assert not after(lambda d: d.update(seed=10 ** 57))       # past the schema's 10^18: verify rejects it
    # an int too large for a float is a change, not a crash of the oracle
    assert not after(lambda d: d["solver"].update(lower_bound=10 ** 400))
    assert not after(lambda d: d["solver"].update(baseline_objective=10 ** 400, saving_vs_baseline=None))
    assert not after(lambda d: d["solver"].update(lower_bound=doc["solver"]["lower_bound"] + 1e-9))
    assert not after(lambda d: d["solver"].update(lower_bound=doc["solver"]["objective"] + 1))
    assert not after(lambda d: d["totals"].update(cables=doc["totals"]["cables"] + 1))
    # no baseline at all, and so no saving: consistent (verify does not re-place the
    # naive layout); a baseline without its saving, or one below the objective, is not
    assert after(lambda d: d["solver"].update(baseline_objective=None, saving_vs_baseline=None))
    assert not after(lambda d: d["solver"].update(baseline_objective=None))
    assert not after(lambda d: d["solver"].update(baseline_objective=doc["solver"]["objective"] / 2))


def test_an_integer_written_with_a_zero_fraction_is_that_integer(layout, tmp_path):
    # JSON Schema counts 72.0 as an integer; verify reads it as 72 (and 72.5 is not one).
    doc = json.loads(layout)
    units = doc["totals"]["objective_units"]
    same = layout.replace(f'"objective_units": {units}', f'"objective_units": {units}.0', 1)
    assert same != layout
    (tmp_path / "same.json").write_text(same)
    assert run("verify", SUPERPOD, tmp_path / "same.json").exit_code == 0
    half = layout.replace(f'"objective_units": {units}', f'"objective_units": {units}.5', 1)
    (tmp_path / "half.json").write_text(half)
    r = run("verify", SUPERPOD, tmp_path / "half.json")
    assert r.exit_code == 1 and "is not an integer" in r.output
