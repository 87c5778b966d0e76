"""The typed model: exact quantities, spans, catalog binding, templates, placement, bad input."""

import tracemalloc
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factoryspec.diagnostics import Severity
from factoryspec.model import Cluster, Factory, Hall
from factoryspec.lang.units import Quantity

ROOT = Path(__file__).resolve().parent.parent

SYSTEM = """
system gb300 {
  gpus = 72
  power = 135 kW
  weight = 1360 kg
  compute_ports = 72
  port_speed = 800 Gb/s
}
"""


def errors(result):
    return [d for d in result.diagnostics if d.severity is Severity.ERROR]


def test_exact_totals(lint_text):
    result = lint_text(SYSTEM + """
site s {
  building b {
    floor_rating = 2500 kg/m2
    hall h[1..8] {
      size = 60 m x 60 m
      rows = 10
      slots_per_row = 14
      network_slots = 1
      busway = 2 MW
    }
  }
  cluster c {
    system = gb300
    racks = 1024
  }
}
""")
    f = result.model
    (c,) = f.clusters
    # 1024 racks x 135 kW is exactly 138.24 MW: no float drift.
    assert c.compute_power == Quantity.of("138.24", "MW")
    assert c.compute_power.value == Fraction(138_240_000)
    assert sum(h.load.it_power.value for h in f.halls) == c.it_power.value
    assert sum(c.placement.values()) == 1024 and c.unplaced == 0
    assert c.gpus == 73_728


def test_objects_keep_their_spans(lint_text):
    result = lint_text(SYSTEM + "site s {\n  utility {\n    capacity = 200 MW\n  }\n}\n", name="spans.fac")
    f = result.model
    (s,) = f.sites
    (u,) = s.utilities
    assert s.span.line == 9 and s.name_span.line == 9
    assert u.at("capacity").line == 11 and u.at("capacity").column == 16
    assert u.at("redundancy") == u.span          # defaulted: the block itself
    (sys_,) = f.systems
    assert sys_.at("power").line == 4 and sys_.span.file.endswith("spans.fac")


def test_catalog_items_are_bound_with_their_properties(lint_text):
    result = lint_text("import catalog.nvidia\ncluster c {\n  system = gb300_nvl72\n  racks = 8\n"
                       "  fabric f {\n    switch = q3400\n  }\n}\n")
    f = result.model
    (c,) = f.clusters
    assert c.system.qualname == "gb300_nvl72" and c.system.span.file.endswith("nvidia.fac")
    assert c.system.power.dims == Quantity.of(1, "W").dims and c.system.gpus > 0
    assert c.fabrics[0].switch.qualname == "q3400"
    # no `media` given: every medium in scope (the catalog's) may be used
    assert c.fabrics[0].media and not c.fabrics[0].media_explicit
    assert {m.qualname for m in c.fabrics[0].media} == {m.qualname for m in f.media}


def test_templates_and_repetition(lint_text):
    result = lint_text(SYSTEM + """
template hall std {
  size = 30 m x 40 m
  rows = 8
  slots_per_row = 10
  busway = 1.6 MW
}
building b {
  hall h[1..3] = std {
    rows = 9
  }
}
""")
    f = result.model
    assert [h.qualname for h in f.halls] == ["b.h1", "b.h2", "b.h3"]
    assert all(h.rows == 9 and h.slots_per_row == 10 for h in f.halls)
    # inherited attributes point into the template, overrides into the instance
    h = f.halls[0]
    assert h.at("slots_per_row").line == 13 and h.at("rows").line == 18
    assert f.buildings[0].halls == f.halls and h.building is f.buildings[0]


def test_placement_explicit_halls_spread_evenly(lint_text):
    result = lint_text(SYSTEM + """
building b {
  floor_rating = 2500 kg/m2
  hall h[1..3] {
    size = 60 m x 60 m
    rows = 10
    slots_per_row = 10
    busway = 2 MW
  }
}
cluster c {
  system = gb300
  racks = 100
  halls = [b.h1, b.h3]
}
""")
    c = result.model.clusters[0]
    assert {h.qualname: k for h, k in c.placement.items()} == {"b.h1": 50, "b.h3": 50}


def test_a_building_in_halls_stands_for_all_its_halls(lint_text):
    result = lint_text(SYSTEM + """
building a {
  floor_rating = 2500 kg/m2
  hall h[1..2] {
    size = 60 m x 60 m
    rows = 10
    slots_per_row = 10
    busway = 2 MW
  }
}
building b {
  floor_rating = 2500 kg/m2
  hall h1 {
    size = 60 m x 60 m
    rows = 10
    slots_per_row = 10
    busway = 2 MW
  }
}
cluster c {
  system = gb300
  racks = 150
  halls = [b.h1, a, a.h2]
}
cluster d {
  system = gb300
  racks = 1
  halls = [gb300]
}
""")
    c = result.model.clusters[0]
    assert [h.qualname for h in c.halls] == ["b.h1", "a.h1", "a.h2"]      # in order, each once
    assert {h.qualname: k for h, k in c.placement.items()} == {"b.h1": 50, "a.h1": 50, "a.h2": 50}
    (bad,) = [d for d in result.diagnostics if d.code == "type-mismatch"]
    assert bad.message == "`halls` must name a `hall` or `building`; got the system `gb300`"


def test_placement_any_hall_takes_the_fewest_halls(lint_text):
    result = lint_text(SYSTEM + """
building b {
  floor_rating = 2500 kg/m2
  hall small {
    size = 60 m x 60 m
    rows = 5
    slots_per_row = 10
    busway = 2 MW
  }
  hall big {
    size = 60 m x 60 m
    rows = 10
    slots_per_row = 10
    busway = 2 MW
  }
}
cluster c {
  system = gb300
  racks = 90
}
cluster d {
  system = gb300
  racks = 40
}
""")
    c, d = result.model.clusters
    assert {h.name: k for h, k in c.placement.items()} == {"big": 90}
    # the next cluster takes what is left, largest first: 50 in `small`
    assert {h.name: k for h, k in d.placement.items()} == {"small": 40}


def test_multi_rack_nvlink_domains_stay_whole_and_are_recorded(lint_text):
    result = lint_text(SYSTEM.replace("port_speed = 800 Gb/s", "port_speed = 800 Gb/s\n  nvlink_racks = 8") + """
building b {
  floor_rating = 2500 kg/m2
  hall h[1..3] {
    size = 60 m x 60 m
    rows = 10
    slots_per_row = 10
    busway = 8 MW
  }
}
cluster c {
  system = gb300
  racks = 64
  halls = [b.h1, b.h2, b.h3]
}
""")
    c = result.model.clusters[0]
    assert c.nvlink_domains == 8 and c.system.nvlink_racks == 8
    assert all(k % 8 == 0 for k in c.placement.values()) and sum(c.placement.values()) == 64


def test_model_is_built_despite_errors(lint_text):
    result = lint_text(SYSTEM + """
building b {
  hall ok {
    size = 30 m x 40 m
    rows = 8
    slots_per_row = 10
    busway = 1.6 MW
  }
  hall bad {
    size = 30 m x 40 m
    rows = 8
    slots_per_row = 10
    busway = 1.6 m
  }
}
cluster c {
  system = gb300
  racks = nope
}
""")
    f = result.model
    assert isinstance(f, Factory)
    assert [h.name for h in f.halls] == ["ok"] and "b.bad" in f.skipped and "c" in f.skipped
    assert not f.complete and not f.buildings[0].complete
    assert {d.code for d in errors(result)} == {"unit-mismatch", "undefined-reference"}


def test_absurd_values_give_diagnostics_not_crashes(lint_text):
    cases = {
        "racks = 1000000000000": "invalid-value",    # 10^12 racks: the resolver
        "racks = 5000000": "invalid-value",          # 5 million racks: the sanity rule
        "racks = -3": "invalid-value",
    }
    for racks, code in cases.items():
        tracemalloc.start()
        result = lint_text(SYSTEM + f"""
site s {{
  pue = 1.2
  utility {{
    capacity = 100 MW
  }}
  building b {{
    floor_rating = 2500 kg/m2
    hall h {{
      size = 60 m x 60 m
      rows = 10000000
      slots_per_row = 10000000
      busway = 2 MW
    }}
  }}
  cluster c {{
    system = gb300
    {racks}
    fabric f {{
      switch = sw
    }}
  }}
}}
switch sw {{
  ports = 64
  port_speed = 800 Gb/s
}}
""")
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        # No giant allocation: 10^14 slots and 10^12 racks are never materialised.
        assert peak < 64 * 2**20, (racks, peak)
        got = {d.code for d in errors(result)}
        assert code in got, (racks, got)
        assert "internal-error" not in got
        # the hall of 10^14 positions is reported too
        assert any(d.code == "invalid-value" and "positions is absurd" in d.message for d in result.diagnostics)


def test_negative_power_zero_rows_low_pue(lint_text):
    result = lint_text(SYSTEM.replace("135 kW", "-135 kW") + """
site s {
  pue = 0.9
  building b {
    hall h {
      size = 10 m x 10 m
      rows = 0
      slots_per_row = 10
      busway = 1 MW
    }
  }
}
""")
    msgs = [(d.code, d.message) for d in errors(result)]
    assert sum(1 for c, _ in msgs if c == "invalid-value") == 3, msgs
    assert all(c != "internal-error" for c, _ in msgs)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.integers(1, 30), spr=st.integers(1, 40), net=st.integers(0, 5),
       racks=st.lists(st.integers(1, 900), min_size=1, max_size=3), nv=st.sampled_from([1, 2, 8]))
def test_placement_never_overfills(lint_text, rows, spr, net, racks, nv):
    clusters = "".join(f"""
cluster c{i} {{
  system = gb300
  racks = {r}
  fabric f {{
    switch = sw
    rails = 8
  }}
}}""" for i, r in enumerate(racks))
    result = lint_text(SYSTEM.replace("port_speed = 800 Gb/s", f"port_speed = 800 Gb/s\n  nvlink_racks = {nv}") + f"""
switch sw {{
  ports = 144
  port_speed = 800 Gb/s
}}
building b {{
  hall h[1..2] {{
    size = 600 m x 600 m
    rows = {rows}
    slots_per_row = {spr}
    network_slots = {net}
    busway = 80 MW
  }}
}}""" + clusters)
    f = result.model
    for c in f.clusters:
        assert sum(c.placement.values()) + c.unplaced == c.racks
        assert all(k > 0 for k in c.placement.values())
    for h in f.halls:
        assert h.load.compute_racks <= h.compute_slots
        assert all(isinstance(k, int) for k in h.load.compute.values())
    assert "internal-error" not in {d.code for d in result.diagnostics}


def test_every_shipped_spec_builds_a_complete_model():
    from factoryspec.pipeline import check

    specs = sorted((ROOT / "specs").glob("*.fac"))
    for spec in specs:
        result = check(str(spec))
        assert result.model is not None and result.model.complete, spec
        assert result.model.clusters and result.model.halls, spec
        assert all(isinstance(c, Cluster) for c in result.model.clusters)
        assert all(isinstance(h, Hall) for h in result.model.halls)
