"""`factoryspec export netbox --push` against a real NetBox (tests/netbox_service.py).

A small two-hall spec (tests/netbox/two_halls.fac: 15 racks, 36 devices, 192
cables) is compiled, pushed, and read back through the REST API: the counts of
racks, devices, interfaces, cables and power feeds, and sampled cables' ends
and lengths against the cutsheets. A second push changes nothing. Then slots of
hall h1 are reserved, the spec recompiled and pushed again: only the racks that
moved, the cables whose ends or lengths changed and nothing else change, and
NetBox then holds the new layout exactly. A scoped push touches one hall only.
Skips, with the reason, where NetBox cannot be started.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from factoryspec import api
from factoryspec.emit import netbox_design

pynetbox = pytest.importorskip("pynetbox")

SPEC = Path(__file__).parent / "netbox" / "two_halls.fac"
RESERVE = """      reserved {
        row = 1
        slots = 1..2
      }
"""


def _compile(spec: Path, out: Path) -> Path:
    r = api.compile(spec, time_limit=20, seed=1)
    assert r.ok, r.diagnostics
    r.write(out)
    return out / "layout.json"


def _cutsheet(out: Path) -> dict:
    """cable ID -> (a device, a port, b device, b port, length) from the compile's cutsheets."""
    rows = {}
    for f in sorted(out.glob("cutsheet-*.csv")):
        with f.open(newline="") as fh:
            for r in csv.DictReader(fh):
                rows[r["cable_id"]] = (r["a_device"], r["a_port"], r["b_device"], r["b_port"], float(r["length_m"]))
    return rows


def _netbox_cables(nb, site_id: int) -> dict:
    out = {}
    for c in nb.dcim.cables.filter(site_id=site_id, limit=1000):
        (a,), (b,) = c.a_terminations, c.b_terminations
        out[c.label] = (a.object.device.name, a.object.name, b.object.device.name, b.object.name, float(c.length))
    return out


def _push(spec, layout, netbox, scope=()):
    r = api.push_netbox(spec, layout, netbox.url, netbox.token, scope=scope)
    assert r.ok, [d.message for d in r.diagnostics]
    return r


@pytest.fixture(scope="module")
def pushed(netbox, tmp_path_factory):
    base = tmp_path_factory.mktemp("netbox-push")
    spec = base / "two_halls.fac"
    shutil.copy(SPEC, spec)
    out = base / "out"
    layout = _compile(spec, out)
    first = _push(spec, layout, netbox)
    return netbox, spec, base, out, layout, first


def test_a_push_holds_the_layout(pushed):
    netbox, spec, _, out, layout, first = pushed
    nb = netbox.api()
    site = nb.dcim.sites.get(name="s")
    assert site is not None and site.status.value == "planned"
    c = api.check(spec)
    from factoryspec.layout.to_problem import build_problem
    lay, problems = api.verified_layout(c.checked, layout, c.variables)
    assert not problems
    d = netbox_design.design(build_problem(c.checked, variables=c.variables), lay, c.model)
    racks = list(nb.dcim.racks.filter(site_id=site.id))
    devices = list(nb.dcim.devices.filter(site_id=site.id))
    assert len(racks) == d.count("racks") == 15
    # 24 nodes, 20 switches (report.md): 12 leaves of 8 down and 8 up ports, 8 spines of 12 leaves' links
    assert len(devices) == d.count("devices") == 24 + 20
    assert sum(x.role.slug == "leaf" for x in devices) == 12 and sum(x.role.slug == "spine" for x in devices) == 8
    assert nb.dcim.interfaces.count(site_id=site.id) == d.interfaces == 24 * 4 + 20 * 16
    assert nb.dcim.power_feeds.count(site_id=site.id) == d.count("power_feeds") == 2 * 2 * 2   # 2 halls x 2 rows x A/B
    cables = _netbox_cables(nb, site.id)
    sheet = _cutsheet(out)
    assert len(sheet) == 192 and cables == sheet                  # every cable: its ends and length
    for key in sorted(sheet)[::37]:                                # and sampled, read one by one
        got = nb.dcim.cables.get(label=key)
        assert got.length_unit.value == "m" and float(got.length) == sheet[key][4]
        assert got.a_terminations[0].object.device.name == sheet[key][0]
    # where things stand: each rack in its row, each device at its U
    rack = nb.dcim.racks.get(name="s.c/c1", site_id=site.id)
    placed = {p.id: p for p in lay.placements}["s.c/c1"]
    assert rack.location.name == f"{placed.hall}/row{placed.row}"
    assert rack.facility_id.endswith(f"-R{placed.row:02d}-S{placed.slot:02d}")
    assert [float(x.position) for x in nb.dcim.devices.filter(rack_id=rack.id)] == [1.0, 25.0]
    feed = nb.dcim.power_feeds.get(name="s.b.h1/row1/B")
    assert (feed.voltage, feed.amperage, feed.max_utilization) == (415, 417, 80)
    assert feed.type.value == "redundant" and feed.phase.value == "three-phase" and feed.supply.value == "ac"
    assert first.done["cables"].created == 192 and first.done["devices"].created == 44


def test_a_second_push_changes_nothing(pushed):
    netbox, spec, _, _, layout, _ = pushed
    nb = netbox.api()
    before = {k: nb.dcim.__getattr__(k).count() for k in ("racks", "devices", "interfaces", "cables", "power_feeds")}
    again = _push(spec, layout, netbox)
    assert all(t.changed() == 0 for t in again.done.values()), again.done
    after = {k: nb.dcim.__getattr__(k).count() for k in before}
    assert after == before


def test_a_changed_layout_moves_only_the_difference(pushed):
    netbox, spec, base, out, _, _ = pushed
    nb = netbox.api()
    site = nb.dcim.sites.get(name="s")
    old_sheet = _cutsheet(out)
    old_racks = {r.name: (r.location.name, r.facility_id) for r in nb.dcim.racks.filter(site_id=site.id)}
    text = spec.read_text()
    moved_spec = base / "moved" / "two_halls.fac"
    moved_spec.parent.mkdir()
    moved_spec.write_text(text.replace("      network_slots = 2\n", "      network_slots = 2\n" + RESERVE, 1))
    out2 = base / "out2"
    layout2 = _compile(moved_spec, out2)
    new_sheet = _cutsheet(out2)
    assert new_sheet != old_sheet
    r = _push(moved_spec, layout2, netbox)
    new_racks = {r.name: (r.location.name, r.facility_id) for r in nb.dcim.racks.filter(site_id=site.id)}
    moved = {k for k in new_racks if new_racks[k] != old_racks.get(k)}
    assert moved and r.done["racks"].updated == len(moved)
    both = set(old_sheet) & set(new_sheet)
    rewired = {k for k in both if old_sheet[k][:4] != new_sheet[k][:4]}       # other ends: made again
    longer = {k for k in both - rewired if old_sheet[k][4] != new_sheet[k][4]}  # same ends: updated
    t = r.done["cables"]
    assert (t.deleted, t.created, t.updated) == (len(set(old_sheet) - both) + len(rewired),
                                                 len(set(new_sheet) - both) + len(rewired), len(longer))
    assert t.unchanged == len(both) - len(rewired) - len(longer)
    assert r.done["devices"].created == r.done["devices"].deleted == 0
    assert r.done["sites"].changed() == r.done["device_types"].changed() == 0
    assert _netbox_cables(nb, site.id) == new_sheet


def test_a_scoped_push_touches_one_hall(pushed, tmp_path):
    netbox, spec, base, _, _, _ = pushed
    layout, moved_spec = base / "out2" / "layout.json", base / "moved" / "two_halls.fac"
    if not layout.exists():                               # run alone: the first layout
        layout, moved_spec = base / "out" / "layout.json", spec
    _push(moved_spec, layout, netbox)
    nb = netbox.api()
    site = nb.dcim.sites.get(name="s")
    h2 = [d for d in nb.dcim.devices.filter(site_id=site.id) if d.location.name.startswith("s.b.h2/")]
    nb.dcim.devices.delete([h2[0].id])                    # someone removed a device of h2 by hand
    one = _push(moved_spec, layout, netbox, scope=["s.b.h1"])
    assert one.done["devices"].created == 0              # h2 is out of scope: its device stays missing
    assert nb.dcim.devices.get(name=h2[0].name) is None
    both = _push(moved_spec, layout, netbox)
    assert both.done["devices"].created == 1 and nb.dcim.devices.get(name=h2[0].name) is not None


def test_a_bad_token_is_a_coded_diagnostic(pushed):
    netbox, spec, _, _, layout, _ = pushed
    r = api.push_netbox(spec, layout, netbox.url, "nbt_notatoken.nope")
    assert not r.ok and [d.code for d in r.errors] == ["netbox-refused"]
    assert "403" in r.errors[0].message


def test_nothing_listening_is_a_coded_diagnostic(pushed):
    _, spec, _, _, layout, _ = pushed
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = api.push_netbox(spec, layout, f"http://127.0.0.1:{port}", "nbt_x.y")
    assert not r.ok and [d.code for d in r.errors] == ["netbox-unreachable"]


def test_the_command_pushes_with_the_token_from_the_environment(pushed, tmp_path):
    import os
    import subprocess
    import sys

    netbox, spec, base, _, _, _ = pushed
    layout, moved = base / "out2" / "layout.json", base / "moved" / "two_halls.fac"
    if not layout.exists():
        layout, moved = base / "out" / "layout.json", spec
    _push(moved, layout, netbox)                      # whatever ran before: NetBox holds this layout
    env = {**os.environ, "NETBOX_TOKEN": netbox.token}
    run = subprocess.run([sys.executable, "-m", "factoryspec", "export", "netbox", str(moved), str(layout),
                          "--push", netbox.url, "-o", str(tmp_path / "files")], capture_output=True, text=True,
                         env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    assert f"pushed to {netbox.url}: no changes" in run.stdout
    assert "cables: 0 created, 0 updated, 0 deleted, 192 unchanged" in run.stdout
    assert (tmp_path / "files" / "11-cables.csv").exists()
    bad = subprocess.run([sys.executable, "-m", "factoryspec", "export", "netbox", str(moved), str(layout),
                          "--push", netbox.url], capture_output=True, text=True,
                         env={**env, "NETBOX_TOKEN": "nbt_bad.token"}, timeout=600)
    assert bad.returncode == 1 and "error[netbox-refused]" in bad.stderr + bad.stdout
