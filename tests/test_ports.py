"""Devices, ports and cutsheets (layout/ports.py, emit/cutsheet.py): the
port-level expansion reproduces the aggregated links, never uses a port twice,
stays within every switch's radix, and the cutsheet traces back to the layout."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from factoryspec import api
from factoryspec.emit.safe_write import materialize
from factoryspec.layout import ports as ports_mod
from factoryspec.layout import wiring
from factoryspec.layout.ports import Namer, fabric_ends
from factoryspec.layout.verify import verify
from factoryspec.model.port_names import parse

ROOT = Path(__file__).resolve().parent.parent
TOPOLOGY = sorted((ROOT / "tests" / "topology").glob("*.fac"))


def _compiled(spec, limit=10):
    r = api.compile(spec, time_limit=limit)
    assert r.ok, [d.message for d in r.diagnostics]
    return r


@pytest.mark.parametrize("spec", TOPOLOGY, ids=[s.stem for s in TOPOLOGY])
def test_port_level_cables_add_up_to_the_links_and_use_each_port_once(spec):
    p = _compiled(spec).problem
    W = wiring.build(p)
    agg, used = Counter(), Counter()
    for f, info in enumerate(W.fabrics):
        per, radix = info.spec.switches_per_rack, info.spec.plan.radix
        for e in fabric_ends(p, W, f):
            assert (e.b_port < radix).all() and (e.b_port >= 0).all()
            if e.level > 1:
                assert (e.a_port < radix).all()
            else:
                assert info.spec.members or (e.a_port < info.spec.ports_per_rack).all()
            ra = e.a if e.level == 1 else info.tier_racks[e.level - 2][e.a // per]
            rb = info.tier_racks[e.level - 1][e.b // per]
            agg.update(zip([f] * len(ra), [e.level] * len(ra), ra.tolist(), rb.tolist()))
            used.update((f, e.level - 1, a, q) for a, q in zip(e.a.tolist(), e.a_port.tolist()))
            used.update((f, e.level, b, q) for b, q in zip(e.b.tolist(), e.b_port.tolist()))
    want = Counter()
    for i in range(len(W.la)):
        want[(int(W.lfab[i]), int(W.llevel[i]), int(W.la[i]), int(W.lb[i]))] += int(W.lcount[i])
    assert agg == want
    assert max(used.values()) == 1


def test_verify_rejects_a_port_used_twice(monkeypatch):
    r = _compiled(ROOT / "tests" / "topology" / "rail_optimized.fac")
    assert verify(r.problem, r.result.layout) == []
    real = ports_mod.fabric_ends

    def doubled(problem, W, f):
        for e in real(problem, W, f):
            if e.level == 1 and len(e.b_port) > 1:
                e.b_port = e.b_port.copy()
                e.b_port[1] = e.b_port[0]          # two endpoints on one leaf port
            yield e
    monkeypatch.setattr(ports_mod, "fabric_ends", doubled)
    bad = verify(r.problem, r.result.layout)
    assert any("ports carry two cables" in d.message for d in bad), [d.message for d in bad]


def test_devices_stack_every_switch_once_from_the_bottom(tmp_path):
    r = _compiled(ROOT / "specs" / "superpod.fac", 30)
    assert r.write(tmp_path) == []
    data = json.loads((tmp_path / "layout.json").read_text())
    devices = data["devices"]
    assert len({d["name"] for d in devices}) == len(devices) == r.built["totals"]["switches"] == 264
    racks = {p["id"]: p for p in data["placements"] if p["kind"] == "network"}
    by_rack = {}
    for d in devices:
        by_rack.setdefault(d["rack"], []).append(d)
    assert set(by_rack) == set(racks)
    for rid, ds in by_rack.items():
        assert [d["u"] for d in ds] == [1 + k * ds[0]["height_u"] for k in range(len(ds))]
        assert len(ds) == racks[rid]["switches"]
    # verify recomputes them: a switch moved up one U is caught
    devices[0]["u"] += 1
    (tmp_path / "layout.json").write_text(json.dumps(data))
    v = api.verify(ROOT / "specs" / "superpod.fac", tmp_path / "layout.json")
    assert not v.ok and any("devices" in d.message for d in v.diagnostics)


def test_the_cutsheet_traces_to_the_layout_and_the_bom(tmp_path):
    r = _compiled(ROOT / "specs" / "superpod.fac", 30)
    assert r.write(tmp_path) == []
    data = json.loads((tmp_path / "layout.json").read_text())
    place = {p["id"]: p for p in data["placements"]}
    links = {(x["a"], x["b"], x["level"]): x for x in data["links"]}
    (sheet,) = sorted(tmp_path.glob("cutsheet-*.csv"))
    rows = list(csv.DictReader(sheet.open(encoding="utf-8")))
    assert len(rows) == sum(x["count"] for x in data["links"]) == 6912
    assert len({x["cable_id"] for x in rows}) == len(rows)
    per_pair = Counter((x["a_rack"], x["b_rack"], x["level"]) for x in rows)
    assert per_pair == {k: v["count"] for k, v in links.items()}
    for x in rows[::97]:                       # a sample, traced by hand's route
        a, b = place[x["a_rack"]], place[x["b_rack"]]
        assert (x["a_hall"], int(x["a_row"]), int(x["a_slot"])) == (a["hall"], a["row"], a["slot"])
        assert (x["b_hall"], int(x["b_row"]), int(x["b_slot"])) == (b["hall"], b["row"], b["slot"])
        ln = links[(x["a_rack"], x["b_rack"], x["level"])]
        assert x["medium"] == ln["medium"] and float(x["length_m"]) == ln["length_m"]
        assert x["cable_id"].startswith(f"H1-R{a['row']:02d}-S{a['slot']:02d}-")
        assert x["label"].startswith(x["cable_id"] + f" > H1-R{b['row']:02d}-S{b['slot']:02d}-U")
        if x["medium"] == "mmf_sr_50m":                    # the catalog's modules: host and switch ends
            assert x["b_transceiver"] == "MMA4Z00-NS" and x["part"] == "MFP7E10"
            assert x["a_transceiver"] == ("MMA4Z00-NS400" if x["level"] == "endpoint" else "MMA4Z00-NS")
        elif x["medium"].startswith(("dac", "acc")):       # copper: its plugs are the cable's
            assert x["a_transceiver"] == x["b_transceiver"] == ""
    # the BOM counts the same cables per medium and length
    bom = list(csv.DictReader((tmp_path / "bom.csv").open(encoding="utf-8")))
    cables = Counter((x["medium"], float(x["length_m"])) for x in rows)
    listed = Counter()
    for b in bom:
        if b["category"] == "cable":
            length = float(b["detail"].split(", ")[1].removesuffix(" m"))
            listed[(b["item"], length)] += int(b["quantity"])
    assert cables == listed


def test_cutsheets_are_the_same_bytes_from_the_api_and_twice(tmp_path):
    spec = ROOT / "tests" / "topology" / "nodes.fac"
    a, b = _compiled(spec), _compiled(spec)
    fa, fb = materialize(a.files()), materialize(b.files())
    names = [n for n in fa if n.startswith("cutsheet-")]
    assert names and all(fa[n] == fb[n] for n in names)
    assert a.write(tmp_path) == []
    assert all((tmp_path / n).read_bytes() == fa[n] for n in names)


def test_node_systems_name_their_node_and_port(tmp_path):
    r = _compiled(ROOT / "tests" / "topology" / "nodes.fac")
    assert r.write(tmp_path) == []
    rows = [x for s in sorted(tmp_path.glob("cutsheet-*.csv")) for x in csv.DictReader(s.open())]
    ends = [x for x in rows if x["level"] == "endpoint"]
    assert all(x["a_device"].startswith(x["a_rack"] + "/n") for x in ends)
    assert all(f"-N{x['a_device'].rsplit('/n', 1)[1]}-" in x["cable_id"] for x in ends)


def test_port_names_patterns_name_the_cable_ends(tmp_path):
    p = parse("tray{1..18}/nic{1..4}")
    assert p.size == 72 and [p.name(i) for i in (0, 1, 4, 71)] == ["tray1/nic1", "tray1/nic2", "tray2/nic1",
                                                                    "tray18/nic4"]
    assert isinstance(parse("cage"), str) and isinstance(parse("{3..1}"), str)
    text = (ROOT / "tests" / "exact" / "one_row.fac").read_text()
    text = text.replace("  compute_ports = 4\n", "  compute_ports = 4\n  port_names = \"osfp{1..2}/{1..2}\"\n")
    text = text.replace("  ports = 16\n", "  ports = 16\n  port_names = \"swp{1..16}\"\n")
    spec = tmp_path / "named.fac"
    spec.write_text(text)
    r = api.compile(spec, time_limit=5, root=ROOT / "tests" / "exact")
    assert r.ok, [d.message for d in r.diagnostics]
    out = tmp_path / "out"
    assert r.write(out) == []
    rows = [x for s in sorted(out.glob("cutsheet-*.csv")) for x in csv.DictReader(s.open())]
    ends = [x for x in rows if x["level"] == "endpoint"]
    assert {x["a_port"] for x in ends} == {"osfp1/1", "osfp1/2", "osfp2/1", "osfp2/2"}
    assert all(x["b_port"].startswith("swp") for x in rows)
