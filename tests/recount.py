"""An independent recount of a compiled layout's headroom, for the tests.

Only the spec's own figures come from the model (system and switch power,
liquid fractions, media module power and cables per module, capacities); every load is summed here
from layout.json's placements and links, by the rules the README and
factoryspec/layout/as_built.py state, without calling either as_built or the checks.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from fractions import Fraction
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from factoryspec.checks._base import number
from factoryspec.emit import floorplan
from factoryspec.emit.report import _q
from factoryspec.pipeline import check


def _exact(x) -> Fraction:
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


def optics(media: dict, layout: dict) -> tuple[Counter, int]:
    """(rack id -> W of its cable ends' modules, transceivers in all): a module per
    cable end in a compute rack; in a network rack one module serves
    cables_per_transceiver ends of a medium, rounded up per rack. Only optical
    media's modules are transceivers (a copper cable's ends are its plugs)."""
    network = {p["id"] for p in layout["placements"] if p["kind"] != "compute"}
    ends: Counter = Counter()
    for ln in layout["links"]:
        for end in (ln["a"], ln["b"]):
            ends[(end, ln["medium"])] += ln["count"]
    watts: Counter = Counter()
    total = 0
    for (rack, mid), n in ends.items():
        x = media[mid]
        if rack in network:
            k = -(-n // x.cables_per_transceiver)
            watts[rack] += k * x.power_per_end.value
        else:
            k = n
            watts[rack] += n * (x.host_power_per_end or x.power_per_end).value
        total += k if x.optical else 0
    return watts, total


def recount(spec: Path, layout: dict) -> dict[tuple[str, str], Fraction | int]:
    """(check, subject) -> used, for the measures that depend on the layout."""
    m = check(str(spec)).model
    systems = {c.qualname: c.system for c in m.clusters}
    switch = {(c.qualname, f.name or f.qualname): f.switch for c in m.clusters for f in c.fabrics}
    media = {x.qualname: x for x in m.media}
    power: dict[str, Fraction] = {}
    for p in layout["placements"]:
        if p["kind"] == "compute":
            power[p["id"]] = systems[p["cluster"]].power.value
        else:
            power[p["id"]] = switch[(p["cluster"], p["fabric"])].power.value * p["switches"]
    for rack, w in optics(media, layout)[0].items():
        power[rack] += w
    rows: Counter = Counter()
    hall_it: Counter = Counter()
    liquid: Counter = Counter()
    cooled: Counter = Counter()
    slots: Counter = Counter()
    for p in layout["placements"]:
        w = power[p["id"]]
        rows[(p["hall"], p["row"])] += w
        hall_it[p["hall"]] += w
        slots[p["hall"]] += 1
        if p["kind"] == "compute":
            lf = systems[p["cluster"]].liquid_fraction
            liquid[p["hall"]] += systems[p["cluster"]].power.value * lf
            cooled[p["hall"]] += 1 if lf > 0 else 0
    out: dict = {}
    by_hall = defaultdict(list)
    for (hall, row), w in rows.items():
        by_hall[hall].append((-w, row))
    for hall, items in by_hall.items():
        w, row = min(items)
        out[("busway-overload", f"hall {hall} busway row {row}")] = -w
        out[("busway-overload", f"hall {hall} busways")] = hall_it[hall]
        out[("hall-slots", f"hall {hall} slots")] = slots[hall]
    for h in m.halls:
        q = h.qualname
        if liquid[q] and h.cdus:
            out[("cdu-capacity", f"hall {q} CDUs")] = liquid[q]
            if any(c.racks_per_cdu for c in h.cdus):
                out[("cdu-capacity", f"hall {q} CDU racks")] = cooled[q]
        if hall_it[q] - liquid[q] > 0 and h.air:
            out[("air-capacity", f"hall {q} air")] = hall_it[q] - liquid[q]
        if h.power and hall_it[q]:
            out[("power-train-capacity", f"hall {q} power")] = hall_it[q]
    for b in m.buildings:
        if b.power:
            load = sum((hall_it[h.qualname] for h in b.halls if not h.power), Fraction(0))
            if load:
                out[("power-train-capacity", f"building {b.qualname} power")] = load
        if b.cooling:
            heat = sum((hall_it[h.qualname] for h in b.halls), Fraction(0))
            if heat:
                out[("cooling-plant-capacity", f"building {b.qualname} cooling")] = heat
    for s in m.sites:
        it = sum((hall_it[h.qualname] for b in s.buildings for h in b.halls), Fraction(0))
        if s.utilities and it:
            out[("utility-capacity", f"site {s.qualname} utility")] = it * s.pue
    return out


def html_headroom(page: str) -> list[tuple[str, ...]]:
    """report.html's table of every headroom measure, as (check, subject, used,
    limit) text, read with the standard library's HTML parser."""
    class Rows(HTMLParser):
        def __init__(self):
            super().__init__()
            self.inside, self.rows, self.cell = False, [], None

        def handle_starttag(self, tag, attrs):
            if tag == "table" and ("class", "headroom") in attrs:
                self.inside = True
            elif self.inside and tag == "tr":
                self.rows.append([])
            elif self.inside and tag == "td":
                self.cell = ""

        def handle_endtag(self, tag):
            if tag == "table":
                self.inside = False
            elif self.inside and tag == "td":
                self.rows[-1].append(self.cell)
                self.cell = None

        def handle_data(self, data):
            if self.cell is not None:
                self.cell += data

    parser = Rows()
    parser.feed(page)
    return [tuple(r[:4]) for r in parser.rows if r]


def assert_agrees(spec: Path, out_dir: Path) -> int:
    """The recount, layout.json's totals.headroom, report.md's headroom table (each
    check's fullest), report.html's (every measure) and the floor plans agree exactly on every layout-dependent figure; returns how
    many were recounted."""
    layout = json.loads((out_dir / "layout.json").read_text())
    mine = recount(spec, layout)
    written = {(h["check"], h["subject"]): h for h in layout["totals"]["headroom"]}
    for key, used in mine.items():
        assert key in written, f"layout.json has no headroom line for {key}"
        assert _exact(written[key]["used"]) == used, (key, written[key]["used"], used)
    report = (out_dir / "report.md").read_text()
    table = report[report.index("## Headroom"):]
    fullest = {}
    for h in layout["totals"]["headroom"]:                    # report.md: each check's fullest measure
        best = fullest.get(h["check"])
        if best is None or _exact(h["used"]) * _exact(best["limit"]) > _exact(best["used"]) * _exact(h["limit"]):
            fullest[h["check"]] = h
    for h in fullest.values():
        line = f"| {h['check']} | {h['subject']} | {_q(h['used'], h['unit'])} | {_q(h['limit'], h['unit'])} |"
        assert line in table, line
    assert table.count("\n| ") == len(fullest) + 1, "report.md has one headroom row per check"
    rows = html_headroom((out_dir / "report.html").read_text())   # report.html: every measure
    assert rows == [(h["check"], h["subject"], _q(h["used"], h["unit"]), _q(h["limit"], h["unit"]))
                    for h in layout["totals"]["headroom"]]
    for hall in layout["halls"]:
        svg = (out_dir / floorplan.file_name(hall["id"])).read_text()
        for h in layout["totals"]["headroom"]:
            prefix = f"hall {hall['id']} "
            if h["subject"].startswith(prefix):
                line = f"{h['subject'][len(prefix):]}: {_q(h['used'], h['unit'])} of {_q(h['limit'], h['unit'])}"
                assert escape(line) in svg, (hall["id"], line)
    media = {x.qualname: x for x in check(str(spec)).model.media}
    watts, modules = optics(media, layout)
    assert layout["totals"]["optics"]["transceivers"] == modules
    assert _exact(layout["totals"]["optics"]["power_w"]) == sum(watts.values(), Fraction(0))
    it = sum(_exact(p["power_w"]) for p in layout["placements"])
    assert _exact(layout["totals"]["it_power_w"]) == it
    assert number(it) == layout["totals"]["it_power_w"]
    return len(mine)
