"""Where halls stand: `position` on buildings and halls, the default plan, and
the layout problem and solver measuring links on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from factoryspec.layout import solve
from factoryspec.pipeline import check
from factoryspec.layout.to_problem import build_problem

ROOT = Path(__file__).resolve().parent.parent

HALL = """
template hall small {
  size = 20 m x 40 m
  rows = 8
  slots_per_row = 12
  floor_rating = 2500 kg/m2
  network_slots = 3
  busway = 3 MW
  cdu {
    capacity = 2 MW
    count = 4
  }
  air {
    capacity = 1 MW
    count = 2
  }
}
"""


def _spec(buildings: str, racks: int = 64) -> str:
    return f"""import catalog.nvidia
{HALL}
site s {{
  land = 100 ha
  utility {{
    capacity = 100 MW
  }}
{buildings}
  cluster c {{
    system = gb300_nvl72
    racks = {racks}
    scalable_unit = 8
    fabric f {{
      switch = q3400
      rails = 8
    }}
  }}
}}
"""


def _problem(tmp_path, text: str):
    path = tmp_path / "site.fac"
    path.write_text(text, encoding="utf-8")
    checked = check(str(path))
    assert checked.ok, [d.message for d in checked.diagnostics]
    return checked, build_problem(checked)


def _origins(problem) -> dict:
    return {h.id: h.origin_xy_m for h in problem.halls}


def test_default_plan_halls_side_by_side_buildings_one_after_another(tmp_path):
    _, p = _problem(tmp_path, _spec("""
  building b1 {
    size = 60 m x 40 m
    hall h[1..2] = small {}
  }
  building b2 {
    hall h1 = small {}
  }
  building b3 {
    hall h1 = small {}
  }"""))
    assert _origins(p) == {
        "s.b1.h1": (0.0, 0.0), "s.b1.h2": (30.0, 0.0),     # 20 m wide + 10 m apart
        "s.b2.h1": (0.0, 90.0),                            # b1 is 40 m deep, + 50 m
        "s.b3.h1": (0.0, 180.0),                           # b2 has no size: its hall is 40 m deep
    }


def test_positions_place_buildings_and_halls(tmp_path):
    checked, p = _problem(tmp_path, _spec("""
  building b1 {
    size = 100 m x 40 m
    position = [200 m, 0 m]
    hall h1 = small {}
    hall h2 = small {
      position = [35 m, 0 m]
    }
    hall h3 = small {
      position = [7000 cm, 0 m]
    }
  }
  building b2 {
    size = 60 m x 40 m
    hall h1 = small {}
  }"""))
    assert _origins(p) == {
        "s.b1.h1": (200.0, 0.0), "s.b1.h2": (235.0, 0.0), "s.b1.h3": (270.0, 0.0),
        "s.b2.h1": (200.0, 90.0),          # after b1, which stands at x = 200 m
    }
    halls = {h["qualname"]: h for h in _model_json(checked)["halls"]}
    assert halls["s.b1.h3"]["origin_m"] == [270, 0]


def _model_json(checked):
    from factoryspec.model.export import to_json
    return to_json(checked.model)


def test_buildings_far_apart_make_longer_links(tmp_path):
    near = """
  building b1 {
    size = 30 m x 40 m
    hall h1 = small {}
  }
  building b2 {
    size = 30 m x 40 m
    position = [0 m, %s]
    hall h1 = small {}
  }"""
    _, p_near = _problem(tmp_path, _spec(near % "60 m", racks=96))      # more than one hall holds
    _, p_far = _problem(tmp_path, _spec(near % "400 m", racks=96))
    r_near, r_far = solve(p_near, 20), solve(p_far, 20)
    assert r_near.layout is not None and r_far.layout is not None
    longest = lambda r: max(link.length_m for link in r.layout.links)  # noqa: E731
    assert longest(r_far) > 340 > longest(r_near)
    assert r_far.objective > r_near.objective
    assert r_far.lower_bound > r_near.lower_bound


@pytest.mark.parametrize("position, code", [
    ("[0 m]", "invalid-value"),
    ("[1 m, 2 m, 3 m]", "invalid-value"),
    ("[1 kW, 2 m]", "unit-mismatch"),
    ("[-5 m, 0 m]", "invalid-value"),
])
def test_bad_positions_are_diagnosed_at_the_value(tmp_path, position, code):
    path = tmp_path / "bad.fac"
    path.write_text(_spec(f"""
  building b1 {{
    position = {position}
    hall h1 = small {{}}
  }}"""), encoding="utf-8")
    checked = check(str(path))
    hits = [d for d in checked.diagnostics if d.code == code]
    assert hits and not checked.ok
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1) if "position =" in text)
    assert hits[0].span.line == line


def test_index_places_the_copies_of_a_repetition(tmp_path):
    _, p = _problem(tmp_path, _spec("""
  building b[1..4] {
    size = 60 m x 50 m
    # a 2 x 2 grid: copies 1, 2 in the first row, 3, 4 in the second
    position = [(index - 1 - 2 * floor((index - 1) / 2)) * 100 m, floor((index - 1) / 2) * 100 m]
    hall h[0..1] = small {
      position = [index * 30 m, 0 m]
    }
  }"""))
    assert _origins(p) == {
        "s.b1.h0": (0.0, 0.0), "s.b1.h1": (30.0, 0.0), "s.b2.h0": (100.0, 0.0), "s.b2.h1": (130.0, 0.0),
        "s.b3.h0": (0.0, 100.0), "s.b3.h1": (30.0, 100.0), "s.b4.h0": (100.0, 100.0), "s.b4.h1": (130.0, 100.0),
    }


def test_index_exists_only_in_repetitions_and_cannot_be_redefined(tmp_path):
    path = tmp_path / "idx.fac"
    path.write_text(_spec("""
  building one {
    position = [index * 10 m, 0 m]
    hall h1 = small {}
  }
  building b[1..2] {
    let index = 7
    hall h1 = small {}
  }"""), encoding="utf-8")
    codes = {d.code for d in check(str(path)).diagnostics}
    assert {"undefined-reference", "duplicate-name"} <= codes


def test_siteplan_svg_draws_every_hall_and_the_cables_between_them(tmp_path):
    import xml.etree.ElementTree as ET

    from factoryspec.emit import siteplan

    checked, p = _problem(tmp_path, _spec("""
  building b[1..2] {
    size = 60 m x 50 m
    position = [(index - 1) * 100 m, 0 m]
    hall h1 = small {}
  }""", racks=96))
    r = solve(p, 20)
    svg = siteplan.emit(p, r)
    assert svg == siteplan.emit(p, r)                          # the same layout, the same bytes
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    titles = [t.text for t in root.iter(ns + "title")]
    assert sum(t.startswith("hall s.b") for t in titles) == 2
    (cable,) = [t for t in titles if " cables " in t]
    between = sum(link.count for link in r.layout.links if _hall_of(r, link.a) != _hall_of(r, link.b))
    assert cable.startswith(f"s.b1.h1 - s.b2.h1: {between:,} cables")


def _hall_of(r, rack_id: str) -> str:
    return next(p.hall for p in r.layout.placements if p.id == rack_id)


def test_legends_wrap_before_the_right_margin():
    from factoryspec.emit.floorplan import MARGIN, legend

    labels = ["sweetwater.inference1 (gb300_nvl72)", "network rack (L leaf, S spine, C core)", "reserved",
              "cable entry; lines: cables between halls (width by count)", "CDU"]
    out, bottom = legend([("#000", text) for text in labels], 100.0, 560)
    xs = [float(line.split('x="')[1].split('"')[0]) for line in out if line.startswith("<text")]
    assert all(x + 7 * len(text) <= 560 - MARGIN for x, text in zip(xs, labels))   # ~7 px a character
    assert bottom > 100.0                                                            # it did wrap
