"""layout.json: schema, round trip, canonical bytes."""

from __future__ import annotations

import json

import jsonschema
import pytest

from factoryspec.layout import solve
from factoryspec.layout.generate import small
from factoryspec.layout.jsonio import dumps, layout_from_json, layout_to_json, schema, validate_schema, verify_json


@pytest.fixture(scope="module")
def data():
    p = small(halls=2, racks=24, rows=3)
    r = solve(p, 20)
    return p, r, layout_to_json(p, r)


def test_schema_is_draft_2020_12():
    s = schema()
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(s)


def test_output_validates(data):
    _, _, d = data
    assert validate_schema(d) == []


def test_required_fields(data):
    p, r, d = data
    assert d["spec_hash"] == p.spec_hash
    s = d["solver"]
    assert s["status"] == r.status and s["objective"] == pytest.approx(r.objective)
    assert s["lower_bound"] <= s["objective"] <= s["baseline_objective"]
    assert "seconds" not in s                 # wall time would make bytes differ between runs
    x = d["placements"][0]
    assert set(x) >= {"id", "kind", "cluster", "system", "hall", "row", "slot", "x_m", "y_m"}
    ln = d["links"][0]
    assert set(ln) >= {"a", "b", "medium", "length_m", "count"}
    assert d["totals"]["cables"] == sum(x["count"] for x in d["links"])


def test_round_trip_verifies(data):
    p, r, d = data
    back = json.loads(dumps(d))
    assert layout_from_json(back) == r.layout
    assert verify_json(p, back) == []


def test_tampered_json_fails_verify(data):
    p, _, d = data
    bad = json.loads(dumps(d))
    bad["links"][0]["length_m"] += 3
    assert verify_json(p, bad)
    bad = json.loads(dumps(d))
    bad["totals"]["objective_units"] -= 1
    assert any("claims an objective" in x.message for x in verify_json(p, bad))
    bad = json.loads(dumps(d))
    bad["spec_hash"] = "other"
    assert any("was made from spec" in x.message for x in verify_json(p, bad))


def test_schema_rejects_junk(data):
    _, _, d = data
    bad = json.loads(dumps(d))
    bad["placements"][0]["kind"] = "storage"
    del bad["links"][0]["count"]
    assert len(validate_schema(bad)) >= 2
