"""The model's JSON Schema: valid draft 2020-12, every spec validates, violations map to spans."""

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

from factoryspec.cli import main
from factoryspec.model.export import locate, schema, to_json, validate
from factoryspec.pipeline import check

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted((ROOT / "specs").glob("*.fac")) + sorted(
    p for p in (ROOT / "tests" / "checks").glob("*.fac") if p.name != "common.fac")


def test_schema_is_valid_draft_2020_12():
    s = schema()
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(s)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_spec_model_validates(spec):
    result = check(str(spec))
    doc = to_json(result.model)
    assert validate(result.model, doc) == []
    json.dumps(doc)     # plain JSON


def test_export_is_deterministic():
    spec = str(ROOT / "tests" / "checks" / "base_pass.fac")
    a = json.dumps(to_json(check(spec).model))
    b = json.dumps(to_json(check(spec).model))
    assert a == b


def test_export_is_exact_where_whole():
    doc = to_json(check(str(ROOT / "tests" / "checks" / "base_pass.fac")).model)
    (c,) = doc["clusters"]
    assert c["it_power_w"] == 8_840_000 and isinstance(c["it_power_w"], int)
    (h,) = doc["halls"]
    assert h["load"]["liquid_w"] == 7_344_000 and h["busway_limit"] == 0.8


def test_violations_map_back_to_source_spans():
    spec = ROOT / "tests" / "checks" / "base_pass.fac"
    result = check(str(spec))
    doc = copy.deepcopy(to_json(result.model))
    doc["halls"][0]["rows"] = -1
    doc["clusters"][0]["fabrics"][0]["rails"] = "eight"
    diags = validate(result.model, doc)
    assert len(diags) == 2
    lines = spec.read_text().splitlines()
    by_where = {d.message.split(" at ")[1].split(":")[0]: d for d in diags}
    hall = by_where["halls/0/rows"]
    assert lines[hall.span.line - 1].strip().startswith("hall h1")
    fab = by_where["clusters/0/fabrics/0/rails"]
    assert lines[fab.span.line - 1].strip().startswith("fabric f")
    assert locate(doc, ()) is None


def test_cli_schema_model():
    r = CliRunner().invoke(main, ["schema", "model"], catch_exceptions=False)
    assert r.exit_code == 0
    assert json.loads(r.stdout) == schema()
    r = CliRunner().invoke(main, ["schema", "nope"])
    assert r.exit_code == 2
