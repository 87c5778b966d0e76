"""Where halls stand: `position` on buildings and halls, the default plan, and
the layout problem and solver measuring links on it."""

from __future__ import annotations

from pathlib import Path

import pytest

import xml.etree.ElementTree as ET

import siteplan_checks
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


def _site_plan(tmp_path, buildings: str, racks: int, land: str = "100 ha"):
    from factoryspec.emit import siteplan

    checked, p = _problem(tmp_path, _spec(buildings, racks=racks).replace("land = 100 ha", f"land = {land}"))
    r = solve(p, 20)
    assert r.layout is not None
    svg = siteplan.emit(checked.model, p, r)
    assert svg == siteplan.emit(checked.model, p, r)                # the same layout, the same bytes
    return checked, p, r, svg


def _lines(root) -> list[tuple[float, float, float, float, float, str]]:
    """Cable runs: (x1, y1, x2, y2, width, title) of every route ribbon, its
    media's lines side by side: their ends, their widths summed."""
    out = []
    for g in root.iter(NS + "g"):
        if g.get("class") == "route":
            lines = g.findall(NS + "line")
            ends = [tuple(float(el.get(k)) for k in ("x1", "y1", "x2", "y2")) for el in lines]
            assert all(x1 == x2 for x1, _, x2, _ in ends) or all(y1 == y2 for _, y1, _, y2 in ends)
            out.append((*ends[0], sum(float(el.get("stroke-width")) for el in lines), g.find(NS + "title").text))
    return out


NS = "{http://www.w3.org/2000/svg}"


def test_siteplan_svg_draws_every_hall_and_the_cables_between_them(tmp_path):
    checked, p, r, svg = _site_plan(tmp_path, """
  building b[1..2] {
    size = 60 m x 50 m
    position = [(index - 1) * 100 m, 0 m]
    hall h1 = small {}
  }""", racks=96)
    root = siteplan_checks.check(svg, checked.model)
    halls = {g.get("data-hall"): g for g in root.iter(NS + "g") if g.get("class") == "hall"}
    assert set(halls) == {"s.b1.h1", "s.b2.h1"}
    assert all(g.find(NS + "title").text.startswith(f"hall {k}:") for k, g in halls.items())
    (run,) = _lines(root)                       # both entries on y = 0: one straight run
    between = sum(link.count for link in r.layout.links if _hall_of(r, link.a) != _hall_of(r, link.b))
    # the entries (row ends of row 1) are 100 m apart, as the halls' origins
    assert run[5].startswith(f"{between:,} cables between halls over 100 m (1 pair of halls): ")
    assert run[1] == run[3]                     # along x
    texts = [t for _, t in siteplan_checks.text_boxes(root)]
    assert f"{between:,}" in texts              # its count on the plan
    assert "60 m x 50 m" in texts and texts.count("b1") == 1 and texts.count("h1") == 2


def test_cables_between_halls_run_where_the_length_model_measures_them(tmp_path):
    """Three buildings in an L: every run is along x or y; each pair's route
    leaves from and arrives at the entries the length model uses, and is as
    long as the model's |dx| + |dy| between them; each run carries the cables
    of every pair whose route it is on."""
    from factoryspec.emit import siteroutes
    from factoryspec.layout.geometry import build_slots

    checked, p, r, svg = _site_plan(tmp_path, """
  building b1 {
    size = 60 m x 50 m
    hall h1 = small {}
  }
  building b2 {
    size = 60 m x 50 m
    position = [200 m, 0 m]
    hall h1 = small {}
  }
  building b3 {
    size = 60 m x 50 m
    position = [0 m, 150 m]
    hall h1 = small {}
  }""", racks=160)
    siteplan_checks.check(svg, checked.model)
    table = build_slots(p.halls, p.cabling)
    entry = {h.id: (int(table.ex[table.base[k]]), int(table.ey[table.base[k]])) for k, h in enumerate(p.halls)}
    assert siteroutes.entries(p.halls) == entry
    pairs = siteroutes.between_halls(r.layout)
    assert len(pairs) >= 2
    runs = siteroutes.runs(p.halls, pairs)
    for pair in pairs:
        (xa, ya), (xb, yb) = entry[pair[0]], entry[pair[1]]
        route = siteroutes.path(entry[pair[0]], entry[pair[1]])
        assert {route[0], route[-1]} == {(xa, ya), (xb, yb)}
        assert all(a[0] == b[0] or a[1] == b[1] for a, b in zip(route, route[1:]))       # no diagonals
        assert sum(abs(a[0] - b[0]) + abs(a[1] - b[1]) for a, b in zip(route, route[1:])) == \
            abs(xa - xb) + abs(ya - yb)
    for run in runs:
        on = [pair for pair in pairs if _covers(siteroutes.path(*(entry[h] for h in pair)), run)]
        assert run.cables == sum(sum(pairs[pair].values()) for pair in on) and run.pairs == len(on)
    root = ET.fromstring(svg)
    lines = _lines(root)
    assert len(lines) == len(runs) and all(x1 == x2 or y1 == y2 for x1, y1, x2, y2, _, _ in lines)
    most = max(run.cables for run in runs)
    widest = max(lines, key=lambda line: line[4])
    assert widest[5].startswith(f"{most:,} cables ")


def _covers(route: list, run) -> bool:
    for (xa, ya), (xb, yb) in zip(route, route[1:]):
        if run.horizontal and ya == yb == run.at and min(xa, xb) <= run.start < run.end <= max(xa, xb):
            return True
        if not run.horizontal and xa == xb == run.at and min(ya, yb) <= run.start < run.end <= max(ya, yb):
            return True
    return False


def test_title_gives_the_buildings_sizes_and_land_too_large_goes_to_a_key_plan(tmp_path):
    checked, p, r, svg = _site_plan(tmp_path, """
  building big {
    size = 80 m x 60 m
    hall h[1..2] = small {}
  }
  building small1 {
    size = 30 m x 45 m
    hall h1 = small {}
  }""", racks=64)
    root = siteplan_checks.check(svg, checked.model)
    texts = [t for _, t in siteplan_checks.text_boxes(root)]
    title = next(t for t in texts if "together" in t)
    # big at (0, 0), small1 50 m beyond its 60 m depth: 80 m x 155 m together
    assert title == "1 building 80 m x 60 m, 1 building 30 m x 45 m; 3 halls; together 80 m x 155 m; land 100 ha"
    assert "key plan: the land" in texts         # 1 km x 1 km of land beside 80 m x 155 m


def test_land_close_to_the_buildings_is_drawn_in_the_plan(tmp_path):
    checked, p, r, svg = _site_plan(tmp_path, """
  building b1 {
    size = 60 m x 50 m
    hall h1 = small {}
  }""", racks=32, land="3600 m2")
    root = siteplan_checks.check(svg, checked.model)
    texts = [t for _, t in siteplan_checks.text_boxes(root)]
    assert "key plan: the land" not in texts and any(t.startswith("land boundary") for t in texts)
    assert "No cable runs between halls: every link stays in its hall." in texts


def test_overlapping_labels_are_caught():
    """The check itself: two texts at one place overlap, far apart they do not,
    and a label turned upright takes a tall box."""
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" font-size="10" width="200" height="200">'
           b'<text x="10" y="20">hall h1</text><text x="30" y="22">h2</text>'
           b'<text x="10" y="120">alone</text>'
           b'<text x="150" y="100" transform="rotate(-90 150 100)">upright label</text>'
           b'<text x="140" y="60">x</text></svg>')
    boxes = siteplan_checks.text_boxes(ET.fromstring(svg))
    assert siteplan_checks.overlapping(boxes) == [("hall h1", "h2"), ("x", "upright label")]


def test_legends_wrap_before_the_right_margin():
    from factoryspec.emit.floorplan import MARGIN, legend

    labels = ["sweetwater.inference1 (gb300_nvl72)", "network rack (L leaf, S spine, C core)", "reserved",
              "cable entry; lines: cables between halls (width by count)", "CDU"]
    out, bottom = legend([("#000", text) for text in labels], 100.0, 560)
    xs = [float(line.split('x="')[1].split('"')[0]) for line in out if line.startswith("<text")]
    assert all(x + 7 * len(text) <= 560 - MARGIN for x, text in zip(xs, labels))   # ~7 px a character
    assert bottom > 100.0                                                            # it did wrap


def _hall_of(r, rack_id: str) -> str:
    return next(p.hall for p in r.layout.placements if p.id == rack_id)
