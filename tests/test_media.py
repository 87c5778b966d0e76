"""Media speed, twin-port transceivers and split ports, end to end: the model's
budgets, the solver's medium choice and module power, verify's own recount,
the BOM and layout.json."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import attrs
import pytest

from factoryspec.emit import bom
from factoryspec.layout import solve
from factoryspec.layout.generate import LINKX, small
from factoryspec.layout.jsonio import layout_to_json
from factoryspec.layout.verify import verify
from factoryspec.pipeline import check

HERE = Path(__file__).parent / "checks"


def _speeds(p, fast: set, speed: float):
    """The problem with every medium at 400G except `fast` (800G), and its fabric at `speed`."""
    media = tuple(attrs.evolve(m, speed_bps=8e11 if m.id in fast else 4e11) for m in LINKX)
    c = p.clusters[0]
    fab = attrs.evolve(c.fabrics[0], link_speed_bps=speed)
    return attrs.evolve(p, media=media, clusters=(attrs.evolve(c, fabrics=(fab,)),))


def test_solver_and_verify_take_only_media_fast_enough():
    p = _speeds(small(racks=16, rows=4, slots=12, cross_aisles=0), {"smf_dr_100m", "smf_2xdr4_500m"}, 8e11)
    r = solve(p, 20)
    assert r.layout is not None
    assert {ln.medium for ln in r.layout.links} == {"smf_dr_100m"}      # mmf_sr_50m would be cheaper
    assert verify(p, r.layout, r.objective_units) == []
    links = list(r.layout.links)
    links[0] = attrs.evolve(links[0], medium="mmf_sr_50m")
    msgs = [d.message for d in verify(p, attrs.evolve(r.layout, links=tuple(links)))]
    assert any("uses mmf_sr_50m, not a medium of" in m for m in msgs)


def test_no_medium_fast_enough_is_a_coded_error():
    p = _speeds(small(racks=16, rows=4, slots=12, cross_aisles=0), set(), 8e11)
    r = solve(p, 20)
    assert r.layout is None and any(d.code == "fabric-media" for d in r.diagnostics)


def _twin(p):
    """smf_dr_100m and mmf_sr_50m as twin-port at the switches, single-port at the hosts."""
    twin = {"mmf_sr_50m": (15.0, 8.0), "smf_dr_100m": (17.0, 9.0)}
    media = tuple(attrs.evolve(m, cables_per_transceiver=2, power_per_end_w=twin[m.id][0],
                               host_power_per_end_w=twin[m.id][1]) if m.id in twin else m for m in p.media)
    return attrs.evolve(p, media=media)


def test_twin_port_modules_are_counted_per_rack_by_solver_verify_json_and_bom():
    p = _twin(small(racks=16, rows=4, slots=12, cross_aisles=0))
    r = solve(p, 20)
    assert r.layout is not None
    assert verify(p, r.layout, r.objective_units) == []          # verify recounts every rack's modules
    network = {x.id for x in r.layout.placements if x.kind == "network"}
    ends: dict = {}
    for ln in r.layout.links:
        for rack in (ln.a, ln.b):
            ends[(rack, ln.medium)] = ends.get((rack, ln.medium), 0) + ln.count
    media = {m.id: m for m in p.media}
    # transceivers are optical media's modules; a DAC's ends are its own plugs
    modules = sum(-(-n // media[m].cables_per_transceiver) if rack in network else n
                  for (rack, m), n in ends.items() if media[m].optical)
    assert modules and any(not media[m].optical for _, m in ends)
    watts = sum((-(-n // media[m].cables_per_transceiver) * media[m].power_per_end_w) if rack in network
                else n * media[m].host_w for (rack, m), n in ends.items())
    t = layout_to_json(p, r)["totals"]
    assert t["optics"]["transceivers"] == modules < t["optics"]["ends"]
    assert t["optics"]["power_w"] == pytest.approx(watts)
    optical = {m.id: m.optical for m in p.media}
    rows = list(csv.reader(io.StringIO(bom.emit(p, r, {}, optical).decode())))
    listed = sum(int(row[3]) for row in rows if row[0] == "transceiver")
    assert listed == t["optics"]["transceivers"] == sum(m["transceivers"] for m in t["by_medium"])
    assert any("2 cables per module" in row[2] for row in rows if row[0] == "transceiver")


def test_split_ports_double_the_radix_at_half_speed():
    m = check(str(HERE / "media_pass.fac")).model
    fab = next(f for f in m.fabrics if f.cluster.name == "d")
    assert (fab.radix, fab.port_speed.value, fab.link_speed.value) == (128, 400 * 10**9, 400 * 10**9)
    assert fab.sized.leaves == 8                 # 512 endpoints / 64 down ports of a 128-port leaf


def test_default_media_take_the_slowest_class_fast_enough():
    m = check(str(HERE / "media_pass.fac")).model
    fab = next(f for f in m.fabrics if f.cluster.name == "c")
    assert {x.name for x in fab.usable_media} == {"dac", "fiber", "optic800x2"}   # not dac400, nor 400G twin
    # host ends at the 17 W host module, switch ends at half a 30 W twin-port module
    assert fab.optics_power.value == fab.host_ends * 17 + fab.switch_ends * 15
    assert fab.transceivers == fab.host_ends + fab.switch_ends      # the DAC: one per end at the most
