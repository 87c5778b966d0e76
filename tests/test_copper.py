"""Short links across the rack tops: copper where it reaches.

Within a row segment (one hall, one row, no cross-aisle between) a cable at
most `in_row_max` long horizontally runs |dx| + 2 x (in_row_rise +
in_row_slack); everything else takes the trays, |dx| + ... + 2 x (rack_height
+ tray_height) + 2 x slack. Real compiles of a tiny spec: two compute racks
and one switch, 4 cables from each compute rack to the switch.
"""

from __future__ import annotations

import json

import pytest

from factoryspec import api
from factoryspec.layout.generate import small
from factoryspec.layout.solve import solve
from test_layout_solve import _brute_force_optimum

SPEC = """
system box {
  gpus = 8
  power = 20 kW
  liquid_fraction = 0 %
  weight = 800 kg
  compute_ports = 4
  port_speed = 400 Gb/s
}
switch sw8 {
  ports = 8
  port_speed = 400 Gb/s
  power = 500 W
  per_rack = 1
}
media cu {
  reach = 3 m
  cost = 100 USD
  cost_per_m = 20 USD/m
}
media acc {
  reach = 5 m
  cost = 300 USD
  cost_per_m = 30 USD/m
}
media fiber {
  reach = 100 m
  cost = 1000 USD
  cost_per_m = 3 USD/m
  optical = true
}
site s {
  land = 1 ha
  pue = 1.2
  utility { capacity = 1 MW }
  building b {
    size = 20 m x 20 m
    allow = ["no-cooling-plant", "no-power-train"]
    hall h {
      size = 4 m x 9 m
      allow = ["hall-underused"]
      air { capacity = 100 kW; count = 1 }
      busway = 500 kW
      @HALL@
    }
  }
  cluster c {
    system = box
    racks = 2
    halls = [b.h]
    fabric f { switch = sw8 }
  }
  cabling {
    tray_height = 1 m
    rack_height = 2.3 m
    slack = 1 m
    length_bin = 1 m
    @CABLING@
  }
}
"""

# one row of 3: compute racks in slots 1 and 2 (0.6 m and 1.2 m from the switch in slot 3)
ROW = "rows = 1\n slots_per_row = 3\n network_slots = 1"
# two rows of 2: the compute racks in slot 1 of each row, the switch in slot 2 of one of them
ROWS = "rows = 2\n slots_per_row = 2\n network_slots = 1"
# one row of 4 cut by a cross-aisle after slot 2, slot 1 reserved: compute racks in 2 and 3
AISLE = "rows = 1\n slots_per_row = 4\n network_slots = 1\n cross_aisles = 1\n reserved { row = 1\n slots = 1..1 }"


def compiled(tmp_path, hall=ROW, cabling=""):
    path = tmp_path / "copper.fac"
    path.write_text(SPEC.replace("@HALL@", hall).replace("@CABLING@", cabling), encoding="utf-8")
    r = api.compile(path, time_limit=10)
    assert r.ok, [d.message for d in r.diagnostics]
    return path, r


def links(r):
    """(compute rack, slot, row, length m, medium) per link, with the switch's position."""
    pos = {p.id: p for p in r.layout.placements}
    sw = next(p for p in r.layout.placements if p.kind == "network")
    return sw, sorted((pos[ln.a].slot, pos[ln.a].row, ln.length_m, ln.medium, ln.count) for ln in r.layout.links)


def test_neighbours_in_a_row_take_copper_across_the_rack_tops(tmp_path):
    _, r = compiled(tmp_path)
    sw, got = links(r)
    assert sw.slot == 3
    # 1.2 m + 2 x (0.5 + 0.5) m = 3.2 m -> 4 m: ACC; 0.6 m + 2 m = 2.6 m -> 3 m: the 3 m copper
    assert got == [(1, 1, 4.0, "acc", 4), (2, 1, 3.0, "cu", 4)]
    bom = r.files()["bom.csv"].decode()
    assert 'cable,acc,"s.c/f, 4 m, speed unspecified",4,' in bom
    assert 'cable,cu,"s.c/f, 3 m, speed unspecified",4,' in bom
    assert r.solver["lower_bound"] <= r.solver["objective"]


@pytest.mark.parametrize("hall", [ROWS, AISLE], ids=["other row", "across a cross-aisle"])
def test_other_rows_and_cross_aisles_keep_the_tray(tmp_path, hall):
    _, r = compiled(tmp_path, hall)
    sw, got = links(r)
    tray = 2 * (2.3 + 1) + 2 * 1                       # drops and slack: 8.6 m
    for slot, row, length, medium, _ in got:
        if row == sw.row and abs(slot - sw.slot) * 0.6 <= 3 and (hall == ROWS or slot > 2):
            assert (length, medium) == (3.0, "cu")    # the neighbour in the same segment
        else:
            assert length >= tray and medium == "fiber"
    assert {m for *_, m, _ in got} == {"cu", "fiber"}
    if hall == AISLE:                                  # slot 2 to slot 4: 1.2 m of row + the 1.2 m aisle
        assert [g[2] for g in got if g[0] == 2] == [11.0]


def test_verify_recomputes_in_row_lengths(tmp_path):
    path, r = compiled(tmp_path)
    out = tmp_path / "out"
    assert r.write(out) == []
    assert api.verify(path, out / "layout.json").ok
    data = json.loads((out / "layout.json").read_text())
    link = next(ln for ln in data["links"] if ln["medium"] == "cu")
    link["length_m"] = 2.0                            # a bin short of the rack-top route's 3 m
    (out / "layout.json").write_text(json.dumps(data), encoding="utf-8")
    v = api.verify(path, out / "layout.json")
    assert not v.ok
    assert any(d.code == "layout-invalid" and "stored length 2 m, the positions give 3 m" in d.message
               for d in v.diagnostics), [d.message for d in v.diagnostics]


def test_bound_stays_below_the_optimum_where_copper_is_chosen():
    # the brute-force twin of test_layout_solve's two-tier test, with the rack tops open:
    # neighbours take ACC (0.6 m + 2 m), farther hops fibre
    p = small(racks=4, su=1, rows=2, slots=3, network=0, radix=4, ports=2, rails=1)
    r = solve(p, time_limit_s=20)
    assert r.ok and p.clusters[0].fabrics[0].plan.tiers == 2
    media = {ln.medium for ln in r.layout.links}
    assert "acc_5m" in media or "dac_2m" in media
    opt = _brute_force_optimum(p)
    assert r.lower_bound_units <= opt <= r.objective_units


def test_shipped_superpod_bound_stays_below_its_copper_layout():
    from pathlib import Path
    spec = Path(__file__).resolve().parent.parent / "specs" / "superpod.fac"
    r = api.compile(spec, time_limit=30)
    assert r.ok
    by = r.result.totals["by_medium"]
    assert {"dac_split_3m", "acc_5m"} <= set(by)
    assert r.result.lower_bound_units <= r.result.objective_units


@pytest.mark.parametrize("cabling, lengths", [
    ("", [4.0, 3.0]),                                          # defaults: 1.2 / 0.6 m + 2 x (0.5 + 0.5) m
    ("in_row_rise = 0.25 m\n in_row_slack = 0.25 m", [3.0, 2.0]),   # 1.2 / 0.6 m + 1 m
    ("in_row_slack = 1 m", [5.0, 4.0]),                        # 1.2 / 0.6 m + 2 x (0.5 + 1) m
    ("in_row_max = 1 m", [10.0, 3.0]),                         # 1.2 m is beyond it: 1.2 + 8.6 m on the trays
    ("in_row_max = 0 m", [10.0, 10.0]),                        # every cable on the trays: 1.2 / 0.6 + 8.6 m
])
def test_cabling_attributes_set_the_in_row_lengths(tmp_path, cabling, lengths):
    _, r = compiled(tmp_path, cabling=cabling)
    _, got = links(r)
    assert [g[2] for g in got] == lengths


def test_a_rise_above_the_rack_is_an_invalid_value(tmp_path):
    path = tmp_path / "bad.fac"
    path.write_text(SPEC.replace("@HALL@", ROW).replace("@CABLING@", "in_row_rise = 2.5 m"), encoding="utf-8")
    r = api.check(path)
    errors = [d for d in r.diagnostics if d.severity.value == "error"]
    assert [d.code for d in errors] == ["invalid-value"]
    assert "in_row_rise of 2.5 m is more than the rack_height of 2.3 m" in errors[0].message
    assert errors[0].span is not None
