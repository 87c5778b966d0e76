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


def test_the_bom_lists_each_fabrics_switches_by_tier_and_speed(tmp_path):
    result = api.compile(str(SPEC), time_limit=10, root=str(TESTS))
    assert result.write(tmp_path) == []
    lines = [ln for ln in (tmp_path / "bom.csv").read_text().splitlines() if ln.startswith("switch,")]
    assert lines == ['switch,sw144,"s.c/f, leaf 64 + spine 36, links at 800 Gb/s",100,switch,,',
                     'switch,sw64,"s.c/oob, 1 tier, links at 800 Gb/s",1,switch,,',
                     'switch,sw64,"s.c/store, leaf 4 + spine 2, links at 800 Gb/s",6,switch,,']


# ---- a fabric takes the rack's ports of its role ---------------------------------------

ROLE_SPEC = """import "common.fac"
system dpu_rack {
  gpus = 72
  power = 135 kW
  compute_ports = 72
  port_speed = 800 Gb/s
  storage_ports = 36
  storage_port_speed = 400 Gb/s
  management_ports = 2
  management_port_speed = 1 Gb/s
  liquid_fraction = 85 %
}
switch eth128 {
  ports = 128
  port_speed = 400 Gb/s
  power = 1 kW
}
switch oob48 {
  ports = 48
  port_speed = 1 Gb/s
  power = 100 W
}
media sr400 {
  reach = 50 m
  speed = 400 Gb/s
}
media rj45 {
  reach = 100 m
  speed = 10 Gb/s
}
site s {
  land = 10 ha
  utility {
    capacity = 30 MW
  }
  building b {
    size = 100 m x 60 m
    hall h1 {
      size = 20 m x 50 m
      rows = 10
      slots_per_row = 12
      network_slots = 2
      busway = 2 MW
    }
  }
  cluster c {
    system = SYSTEM
    racks = 16
    FABRICS
  }
}
"""
STORE = 'fabric store {\n role = "storage"\n switch = eth128\n media = [sr400]\n EXTRA }'
OOB = 'fabric oob {\n role = "management"\n switch = oob48\n media = [rj45]\n }'


def _fabric_diagnostics(plan):
    return [d for d in plan.diagnostics if d.code.startswith(("fabric", "media", "port"))]


def _plan(tmp_path, fabrics, system="dpu_rack", extra=""):
    (tmp_path / "common.fac").write_text((TESTS / "checks" / "common.fac").read_text())
    spec = tmp_path / "roles.fac"
    spec.write_text(ROLE_SPEC.replace("SYSTEM", system).replace("FABRICS", fabrics).replace("EXTRA", extra))
    return api.plan(str(spec), root=str(tmp_path))


def test_storage_and_management_fabrics_take_their_ports_and_speeds(tmp_path):
    # 16 racks x 36 storage ports = 576 endpoints at 400G (a 400G switch and 400G media
    # suffice although the compute ports are 800G); 16 x 2 management ports at 1G
    # on copper rated 10G.
    plan = _plan(tmp_path, STORE.replace("EXTRA", "") + "\n" + OOB)
    assert not _fabric_diagnostics(plan), plan.diagnostics
    fabrics = {f["name"]: f for c in plan.figures["clusters"] for f in c["fabrics"]}
    assert fabrics["store"]["endpoints"] == 576 and fabrics["oob"]["endpoints"] == 32
    # 576 endpoints, 64 down a leaf at 1:1: 9 leaves of 64 up links; spines: the fewest S
    # with k = ceil(64 / S) <= 128 // 9 = 14 and k x S <= 64 up ports: S = 8, k = 8.
    assert fabrics["store"]["switches"] == {"leaf": 9, "spine": 8, "core": 0, "total": 17}
    assert fabrics["oob"]["tiers"] == 1 and fabrics["oob"]["switches"]["total"] == 1


def test_a_role_the_system_has_no_ports_for_needs_ports_per_rack(tmp_path):
    plan = _plan(tmp_path, STORE.replace("EXTRA", ""), system="rack135")
    (d,) = [d for d in plan.diagnostics if d.code == "fabric-ports"]
    assert "system rack135 declares no storage ports" in d.message
    assert d.hint == "write `storage_ports` on the system or `ports_per_rack` on the fabric"
    assert d.span.line == ROLE_SPEC.count("\n", 0, ROLE_SPEC.index("FABRICS")) + 2   # the `role` line
    assert not _fabric_diagnostics(_plan(tmp_path, STORE.replace("EXTRA", "ports_per_rack = 4\n"), system="rack135"))


def test_more_ports_than_the_role_has_is_an_error(tmp_path):
    plan = _plan(tmp_path, STORE.replace("EXTRA", "ports_per_rack = 40\n"))
    (d,) = [d for d in plan.diagnostics if d.code == "fabric-ports"]
    assert d.message == "fabric s.c.store takes 40 ports per rack but dpu_rack has 36 storage ports"


def test_media_slower_than_the_roles_ports_are_refused(tmp_path):
    slow = STORE.replace("media = [sr400]", "media = [rj45]").replace("EXTRA", "")
    plan = _plan(tmp_path, slow)
    (d,) = [d for d in plan.diagnostics if d.code == "media-speed"]
    assert "slower than its links: 400 Gb/s" in d.message


def test_the_report_counts_each_fabrics_switches_and_network_racks(tmp_path):
    result = api.compile(str(SPEC), time_limit=10, root=str(TESTS))
    assert result.write(tmp_path) == []
    report = (tmp_path / "report.md").read_text()
    assert "| s.c/store | storage | sw64 | 4 | 2 | 0 | 6 | 2 | 256 |" in report      # 6 switches, 8 a rack
    assert "| s.c/oob | management | sw64 | 1 | 0 | 0 | 1 | 1 | 64 |" in report
    layout = result.layout
    racks = {f: sum(1 for p in layout.placements if p.kind == "network" and p.fabric == f) for f in ("f", "store", "oob")}
    assert racks == {"f": 13, "store": 2, "oob": 1}      # 100 switches at 8 a rack, one tier a rack: 8 + 5
