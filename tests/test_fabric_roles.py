"""Several fabrics in one cluster, each with its role: compute, storage and
management are sized by the same rules, placed, cabled, billed and verified
together (tests/compile/three_fabrics.fac, figures checked by hand below)."""

from pathlib import Path

from factoryspec import api

TESTS = Path(__file__).resolve().parent
SPEC = TESTS / "compile" / "three_fabrics.fac"


def test_each_fabric_is_sized_with_its_role():
    plan = api.plan(str(SPEC), root=str(TESTS))
    assert plan.ok, plan.diagnostics
    fabrics = {f["name"]: f for c in plan.figures["clusters"] for f in c["fabrics"]}
    assert {n: f["role"] for n, f in fabrics.items()} == {"f": "compute", "store": "storage", "oob": "management"}
    # storage: 64 racks x 2 ports = 128 endpoints; 64-port leaves at 1:1 take 32 down: 4 leaves,
    # 4 x 32 uplinks / 64 ports = 2 spines
    assert fabrics["store"]["switches"]["leaf"] == 4 and fabrics["store"]["switches"]["spine"] == 2
    # management: 64 endpoints fit one 64-port switch: one tier
    assert fabrics["oob"]["tiers"] == 1 and fabrics["oob"]["switches"]["total"] == 1


def test_every_fabric_is_cabled_billed_and_verified(tmp_path):
    result = api.compile(str(SPEC), time_limit=10, root=str(TESTS))
    assert result.ok, result.diagnostics
    out = tmp_path / "out"
    assert result.write(out) == []
    fabrics = {link.fabric for link in result.layout.links}
    assert len(fabrics) == 3, fabrics
    bom = (out / "bom.csv").read_text()
    assert "s.c/store" in bom and "s.c/oob" in bom
    assert api.verify(str(SPEC), str(out / "layout.json"), root=str(TESTS)).ok
