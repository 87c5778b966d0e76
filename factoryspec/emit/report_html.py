"""report.html: the report to explore, one file that opens without a network.

It holds report.md's tables (rendered from report.md itself, so the two never
disagree), the full headroom list, charts drawn in Python (charts.py), the site
plan and every floor plan (each SVG embedded once, the floor plans in
<template>s that the page shows one at a time), and a JSON blob of what a
rack's tooltip says. The script and styles are package data (static/), inlined.

The page relies on the drawings' attributes alone: `class="hall"` with
`data-hall` in siteplan.svg (click opens that hall's plan), `data-hall` on a
floor plan's root and `class="rack"` with `data-rack` on its racks (hover shows
the rack's figures from the JSON, not from the SVG's text).

Deterministic: same layout, same bytes (no clock, sorted JSON, fixed formats).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from functools import cache
from html import escape
from importlib.resources import files

from ..layout.problem import LayoutProblem
from ..layout.result import SolveResult
from . import charts
from .loads import Load, exact, ratio, tightest
from .report import _q, _w, kw


@cache
def _static(name: str) -> str:
    return (files(__package__) / "static" / name).read_text(encoding="utf-8")


def emit(spec: str, problem: LayoutProblem, result: SolveResult, plan: dict, halls: list[Load],
         buildings: list[Load], report_md: bytes, siteplan: bytes, floorplans: dict[str, bytes]) -> bytes:
    """The page. `floorplans`: hall id -> its floorplan SVG, in the problem's hall order."""
    md = report_md.decode("utf-8")
    cut = md.index("\n## ")
    head, body = md[:cut], md[cut + 1:]
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>factoryspec report: {escape(spec)}</title>",
           f"<style>{_static('report.css')}</style></head><body>",
           '<div id="tooltip" role="tooltip" hidden></div>',
           markdown(head),
           '<nav><a href="#plans">plans</a> <a href="#charts">charts</a> <a href="#tables">tables</a> '
           '<a href="#headroom">every headroom measure</a></nav>',
           _cards(plan, result, halls),
           _plans(problem, siteplan, floorplans),
           _charts(problem, result, plan, halls, buildings),
           '<section id="tables"><h2 class="part">Tables</h2>', markdown(body, set(floorplans)), "</section>",
           _headroom(plan["headroom"], {h.id for h in problem.halls}),
           *(f'<template data-hall="{escape(hid)}">{svg.decode("utf-8")}</template>'
             for hid, svg in floorplans.items()),
           f'<script type="application/json" id="figures">{_json(_figures(problem, result, halls))}</script>',
           f"<script>{_static('report.js')}</script>", "</body></html>", ""]
    return "\n".join(out).encode("utf-8")


def _json(data) -> str:
    """JSON safe inside <script>: no "</" can close the element."""
    return json.dumps(data, sort_keys=True, separators=(",", ":")).replace("</", "<\\/")


def _cards(plan: dict, result: SolveResult, halls: list[Load]) -> str:
    t = plan["totals"]
    compute = sum(x.compute_racks for x in halls)
    per_rack = sum((x.compute_w for x in halls), exact(0)) / 1000 / compute if compute else None
    fullest = max(plan["headroom"], key=ratio, default=None)
    unit = "USD" if result.objective_kind != "length" else "m"
    cards = [("compute racks", f"{t['racks']:,}"), ("GPUs", f"{t['gpus']:,}"), ("IT power", _w(t["it_power_w"])),
             ("facility power", _w(t["facility_power_w"])), ("switches", f"{t['switches']:,}"),
             ("objective", f"{result.objective:,.0f} {unit}" if result.objective is not None else "n/a"),
             ("kW per compute rack", kw(per_rack))]
    if fullest is not None:
        cards.append(("fullest check", f"{fullest['percent']} % {fullest['check']}"))
    return '<div class="cards">' + "".join(f'<div class="card"><span>{escape(k)}</span><b>{escape(v)}</b></div>'
                                           for k, v in cards) + "</div>"


def _plans(problem: LayoutProblem, siteplan: bytes, floorplans: dict) -> str:
    options = "".join(f'<option value="{escape(h)}">{escape(h)}</option>' for h in floorplans)
    tools = ('<span class="tools"><button data-zoom="1.25" title="zoom in">+</button>'
             '<button data-zoom="0.8" title="zoom out">&#8722;</button>'
             '<button data-zoom="0" title="fit">fit</button></span>')
    links = " ".join(f'<a class="hall-link" href="#hall={escape(h)}" data-hall="{escape(h)}">{escape(h)}</a>'
                     for h in floorplans)
    return ('<section id="plans"><h2 class="part">Site plan and floor plans</h2>'
            '<p class="hint">Scroll to zoom, drag to pan. Click a hall on the site plan (or below) to open its '
            'floor plan; hover a rack for its figures.</p><div class="plans">'
            f'<figure class="viewer" id="site-view"><figcaption>site plan {tools}</figcaption>'
            f'<div class="pan">{siteplan.decode("utf-8")}</div></figure>'
            f'<figure class="viewer" id="floor-view"><figcaption><select id="hall-select" '
            f'aria-label="hall">{options}</select> {tools}</figcaption><div class="pan"></div></figure>'
            f'</div><p class="halls">halls: {links}</p></section>')


def _charts(problem: LayoutProblem, result: SolveResult, plan: dict, halls: list[Load],
            buildings: list[Load]) -> str:
    cards = [("Cable cost by medium", _cost_chart(problem, result)),
             ("Power by building", _building_chart(buildings, plan["headroom"])),
             ("Fullest measure of each check", _check_chart(plan["headroom"])),
             ("Headroom per hall (fullest measure of each check, %)", _hall_chart(problem, plan["headroom"]))]
    hist = _histograms(problem, result)
    out = ['<section id="charts"><h2 class="part">Charts</h2><div class="charts">']
    out += [f'<div class="chart-card"><h3>{escape(t)}</h3>{svg}</div>' for t, svg in cards if svg]
    out.append("</div>")
    if hist:
        out.append('<h3>Cable lengths per medium</h3><div class="histograms">' + "".join(hist) + "</div>")
    out.append("</section>")
    return "".join(out)


def _cost_chart(problem: LayoutProblem, result: SolveResult) -> str:
    media = {m.id: m for m in problem.media}
    cost: dict = defaultdict(float)
    for link in result.layout.links:
        m = media[link.medium]
        cost[link.medium] += (m.cost_fixed + m.cost_per_m * max(link.length_m, m.min_length_m)) * link.count
    whole = sum(cost.values()) or 1.0
    items = [(mid, c, f"{c:,.0f} USD ({c / whole * 100:.1f} %)", charts.NEUTRAL)
             for mid, c in sorted(cost.items(), key=lambda kv: (-kv[1], kv[0]))]
    return charts.bars(items, "cable cost by medium") if items else ""


def _building_chart(buildings: list[Load], headroom: list[dict]) -> str:
    if not buildings:
        return ""
    train = {m["subject"][len("building "):-len(" power")]: m for m in headroom
             if m["check"] == "power-train-capacity" and m["subject"].startswith("building ")}
    groups = []
    for b in buildings:
        m = train.get(b.name)
        text = _w(b.it_w) + (f" of {_q(m['limit'], m['unit'])}" if m else "") + f", {kw(b.kw_per_rack)} kW/rack"
        groups.append((b.name, [(b.name, float(b.it_w), _w(b.it_w))], text,
                       float(exact(m["limit"])) if m else None))
    return charts.stacked(groups, "IT power per building (red tick: its power train)")


def _check_chart(headroom: list[dict]) -> str:
    items = [(m["check"], float(m["percent"]), f"{m['percent']} % {m['subject']}" + (f" (of {n:,})" if n > 1 else ""),
              charts.fullness(m["percent"])) for m, n in tightest(headroom)]
    return charts.bars(items, "fullest measure of each check", limit=100.0) if items else ""


def _hall_chart(problem: LayoutProblem, headroom: list[dict]) -> str:
    ids = [h.id for h in problem.halls]
    cells, cols = {}, []
    for m in headroom:
        hall = next((h for h in ids if m["subject"].startswith(f"hall {h} ")), None)
        if hall is None:
            continue
        if m["check"] not in cols:
            cols.append(m["check"])
        key = (hall, m["check"])
        if key not in cells or m["percent"] > cells[key][0]:
            cells[key] = (m["percent"], f"{m['subject']}: {_q(m['used'], m['unit'])} of "
                                        f"{_q(m['limit'], m['unit'])} ({m['percent']} %)")
    if not cells:
        return ""
    return charts.heatmap(ids, cols, cells, "headroom per hall", links={h: h for h in ids})


def _histograms(problem: LayoutProblem, result: SolveResult) -> list[str]:
    lengths: dict = defaultdict(Counter)
    for link in result.layout.links:
        lengths[link.medium][link.length_m] += link.count
    return [charts.histogram(mid, sorted(lengths[mid].items())) for mid in sorted(lengths)]


def _headroom(headroom: list[dict], halls: set) -> str:
    rows = []
    for m in headroom:
        subject = escape(m["subject"])
        parts = m["subject"].split(" ")
        if len(parts) > 1 and parts[0] == "hall" and parts[1] in halls:
            link = f'<a class="hall-link" href="#hall={escape(parts[1])}" data-hall="{escape(parts[1])}">' \
                   f'{escape(parts[1])}</a>'
            subject = "hall " + link + escape(m["subject"][len("hall ") + len(parts[1]):])
        rows.append(f'<tr><td>{escape(m["check"])}</td><td>{subject}</td><td>{escape(_q(m["used"], m["unit"]))}'
                    f'</td><td>{escape(_q(m["limit"], m["unit"]))}</td><td class="pct" '
                    f'style="--p:{min(float(m["percent"]), 100):g}%;--c:{charts.fullness(m["percent"])}80">'
                    f'{m["percent"]}</td></tr>')
    return ('<section id="headroom"><h2 class="part">Every headroom measure</h2>'
            f'<p><input id="headroom-filter" type="search" placeholder="filter {len(headroom):,} measures" '
            'aria-label="filter"></p><table class="headroom"><thead><tr><th>check</th><th>subject</th>'
            '<th>used</th><th>limit</th><th>%</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table></section>")


def _figures(problem: LayoutProblem, result: SolveResult, halls: list[Load]) -> dict:
    """What the tooltips say, compact: names once in lists, each rack as
    [cluster, system, power W, feeds, tier, cables, link groups, racks linked,
    [[medium, cables], ...]] with indexes into the lists."""
    names: dict = {}

    def idx(name: str) -> int:
        return names.setdefault(name, len(names))

    cables, groups = Counter(), Counter()
    peers: dict = defaultdict(set)
    media: dict = defaultdict(Counter)
    for link in result.layout.links:
        for a, b in ((link.a, link.b), (link.b, link.a)):
            cables[a] += link.count
            groups[a] += 1
            peers[a].add(b)
            media[a][link.medium] += link.count
    racks = {}
    for p in result.layout.placements:
        racks[p.id] = [idx(p.cluster), idx(p.system), p.power_w, p.feeds, p.tier or "", cables[p.id], groups[p.id],
                       len(peers[p.id]), [[idx(m), n] for m, n in sorted(media[p.id].items())]]
    hall_rows = {x.name: [x.compute_racks, x.network_racks, _w(x.it_w), kw(x.kw_per_rack), kw(x.kw_per_m2)]
                 for x in halls}
    return {"names": list(names), "racks": racks, "halls": hall_rows}


NUMBER = re.compile(r"^[\d,.]+( [a-zA-Z/%0-9]+)?$")


def markdown(text: str, halls: set = frozenset()) -> str:
    """report.md's own markdown as HTML: headings, pipe tables, bullets and
    paragraphs, with `code` and **bold** inline (the forms report.py writes).
    A cell that is a hall's id links to its plan; figures are right-aligned."""
    out, table, items = [], [], []

    def cell(c: str) -> str:
        if c in halls:
            return f'<td><a class="hall-link" href="#hall={escape(c)}" data-hall="{escape(c)}">{escape(c)}</a></td>'
        return f'<td class="num">{_inline(c)}</td>' if NUMBER.match(c) else f"<td>{_inline(c)}</td>"

    def flush():
        if table:
            head, rows = table[0], table[2:]
            out.append("<table><thead><tr>" + "".join(f"<th>{_inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(cell(c) for c in r) + "</tr>" for r in rows)
                       + "</tbody></table>")
            table.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in text.splitlines():
        if line.startswith("|"):
            table.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        if line.startswith("- "):
            items.append(line[2:])
            continue
        flush()
        if line.startswith("## "):
            out.append(f"<h2>{_inline(line[3:])}</h2>")
        elif line.startswith("# "):
            out.append(f"<h1>{_inline(line[2:])}</h1>")
        elif line.strip():
            out.append(f"<p>{_inline(line)}</p>")
    flush()
    return "\n".join(out)


def _inline(text: str) -> str:
    text = escape(text, quote=False)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return re.sub(r"\*\*([^*]+)\*\*", r"<b>\1</b>", text)
