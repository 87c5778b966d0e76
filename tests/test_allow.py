"""`allow = [...]`: per-block silencing of warnings (factoryspec/model/allow.py).

The fixtures tests/checks/allow_pass.fac and allow_fail.fac cover the common
cases; these tests pin down the decisions around them.
"""

from factoryspec.diagnostics import codes
from factoryspec.lang import vocabulary
from factoryspec.diagnostics import Severity

SPEC = """
system r {
  gpus = 72
  power = 135 kW
  compute_ports = 72
  port_speed = 800 Gb/s
  nvlink_racks = 8
}
site s {
  %(site)s
  cooling {
    capacity = 20 MW
  }
  building b {
    floor_rating = 2500 kg/m2
    power ups {
      capacity = 20 MW
    }
    hall h1 {
      size = 4 m x 60 m
      rows = 10
      slots_per_row = 6
      busway = 2 MW
    }
  }
  cluster c {
    %(cluster)s
    system = r
    racks = 60
  }
}
"""


def _spec(site="", cluster=""):
    return SPEC % {"site": site, "cluster": cluster}


def _found(result):
    return {(d.code, d.severity) for d in result.diagnostics}


def test_every_kind_accepts_allow():
    for kind in vocabulary.KINDS.values():
        assert kind.attr("allow") is vocabulary.ALLOW, kind.name


def test_only_the_warnings_of_a_mixed_code_are_dropped(lint_text):
    # nvlink-domain is an error (no row holds 8 racks) and a warning (60 racks are not whole domains).
    before = _found(lint_text(_spec()))
    assert {("nvlink-domain", Severity.ERROR), ("nvlink-domain", Severity.WARNING)} <= before
    after = _found(lint_text(_spec(cluster='allow = ["nvlink-domain"]')))
    assert ("nvlink-domain", Severity.ERROR) in after and ("nvlink-domain", Severity.WARNING) not in after


def test_an_enclosing_block_allows_for_its_nested_blocks(lint_text):
    result = lint_text(_spec(site='allow = ["nvlink-domain"]'))
    assert ("nvlink-domain", Severity.WARNING) not in _found(result)
    assert not [d for d in result.diagnostics if d.code in ("unknown-attribute", "internal-error")]


def test_allow_elsewhere_does_not_reach(lint_text):
    # The warning is at the cluster's `racks`; an allow in the building does not cover it.
    text = _spec().replace("floor_rating = 2500 kg/m2", 'floor_rating = 2500 kg/m2\n    allow = ["nvlink-domain"]')
    assert ("nvlink-domain", Severity.WARNING) in _found(lint_text(text))


def test_bad_allow_values_are_errors_with_hints(lint_text):
    result = lint_text(_spec(cluster='allow = ["nvlink-domian", "cluster-space", "unused"]'))
    by_code = {d.code: d for d in result.diagnostics}
    assert by_code["unknown-code"].severity is Severity.ERROR
    assert "nvlink-domain" in by_code["unknown-code"].hint
    assert by_code["allow-error"].severity is Severity.ERROR and "cluster-space" in by_code["allow-error"].message
    assert ("nvlink-domain", Severity.WARNING) in _found(result)        # the misspelt code silenced nothing
    assert "invalid-value" in {d.code for d in lint_text(_spec(cluster="allow = 3")).diagnostics}


def test_allow_through_a_let(lint_text):
    text = 'let quiet = ["nvlink-domain"]\n' + _spec(cluster="allow = quiet")
    result = lint_text(text)
    assert ("nvlink-domain", Severity.WARNING) not in _found(result)
    assert "unused" not in {d.code for d in result.diagnostics}


def test_allow_codes_are_registered_warnings():
    assert codes.WARNINGS <= set(codes.CODES)
    for code in ("allow-error", "unknown-code"):
        assert codes.get(code) is not None and code not in codes.WARNINGS
