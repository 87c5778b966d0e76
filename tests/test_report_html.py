"""report.html: one self-contained page, the same bytes from the same layout, and
in a real browser (Playwright driving Debian's Chromium) its tooltips and hall
links work without a console error."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from factoryspec import api
from factoryspec.emit import charts, floorplan

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "exact" / "two_halls.fac"


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    out = tmp_path_factory.mktemp("report-html")
    r = api.compile(SPEC, time_limit=20)
    assert r.ok
    r.write(out)
    return r, out


def test_the_page_needs_no_network_and_embeds_each_drawing_once(compiled):
    r, out = compiled
    page = (out / "report.html").read_text(encoding="utf-8")
    assert not re.search(r"<(script|link|img|iframe)[^>]*\b(src|href)=", page), "nothing loaded from elsewhere"
    assert set(re.findall(r"https?://[^\s\"'<>]+", page)) <= {"http://www.w3.org/2000/svg"}
    assert "@import" not in page and "url(http" not in page
    site = (out / "siteplan.svg").read_text(encoding="utf-8")
    assert page.count(site.strip()) == 1
    layout = json.loads((out / "layout.json").read_text())
    for hall in layout["halls"]:
        svg = (out / floorplan.file_name(hall["id"])).read_text(encoding="utf-8")
        assert page.count(svg.strip()) == 1, hall["id"]
    assert len(layout["halls"]) == 2


def test_the_tooltip_figures_are_the_layouts(compiled):
    r, out = compiled
    page = (out / "report.html").read_text(encoding="utf-8")
    blob = re.search(r'<script type="application/json" id="figures">(.*?)</script>', page, re.S).group(1)
    figures = json.loads(blob)
    layout = json.loads((out / "layout.json").read_text())
    names = figures["names"]
    assert set(figures["racks"]) == {p["id"] for p in layout["placements"]}
    for p in layout["placements"]:
        cluster, system, power, feeds, *_ , media = figures["racks"][p["id"]]
        assert (names[cluster], names[system], power, feeds) == (p["cluster"], p["system"], p["power_w"], p["feeds"])
        cables = sum(ln["count"] for ln in layout["links"] if p["id"] in (ln["a"], ln["b"]))
        assert sum(n for _, n in media) == cables == figures["racks"][p["id"]][5]


def test_the_same_layout_gives_the_same_bytes(compiled):
    r, _ = compiled
    again = api.compile(SPEC, time_limit=20)
    assert r.files()["report.html"] == again.files()["report.html"]


def test_the_report_has_every_headroom_measure_and_report_md_the_fullest_of_each_check(compiled):
    r, out = compiled
    page = (out / "report.html").read_text(encoding="utf-8")
    md = (out / "report.md").read_text(encoding="utf-8")
    layout = json.loads((out / "layout.json").read_text())
    measures = layout["totals"]["headroom"]
    assert page.count('<td class="pct"') == len(measures)
    table = md[md.index("## Headroom"):md.index("## Assumptions")]
    rows = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| check")]
    assert len(rows) == len({m["check"] for m in measures}) < len(measures)


def test_a_histogram_counts_every_cable_in_round_bins():
    svg = charts.histogram("m", [(0.5, 3), (7.0, 2), (20.0, 5)])
    bins = [int(n.replace(",", "")) for n in re.findall(r"m: ([\d,]+) cables</title>", svg)]
    assert sum(bins) == 10 and len(bins) == 3
    assert "bins of 1 m" in svg and "longest 20 m" in svg       # 20 m falls in the bin 20-21 m
    assert charts.nice_step(1000, 24) == 50 and charts.nice_step(3, 24) == 0.2


def _browser():
    """Playwright's Chromium launcher on Debian's browser, or the reason it cannot run."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, "playwright is not installed (pip install -e '.[test]')"
    exe = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if exe is None:
        return None, "no chromium browser (apt-get install chromium); Playwright's own download is not used"
    return (sync_playwright, exe), None


def test_in_a_browser_racks_tell_their_figures_and_a_hall_link_opens_its_plan(compiled, tmp_path):
    found, reason = _browser()
    if found is None:
        pytest.skip(reason)
    sync_playwright, exe = found
    r, out = compiled
    layout = json.loads((out / "layout.json").read_text())
    halls = [h["id"] for h in layout["halls"]]
    rack = next(p for p in layout["placements"] if p["kind"] == "compute" and p["hall"] == halls[0])
    links = [ln for ln in layout["links"] if rack["id"] in (ln["a"], ln["b"])]
    errors = []
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=exe, args=["--no-sandbox"] if os.geteuid() == 0 else [])
        except Exception as e:                        # noqa: BLE001 - a browser that cannot start is a skip
            pytest.skip(f"chromium at {exe} does not start: {e}")
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto((out / "report.html").as_uri())
            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000

            assert page.locator("#floor-view svg").get_attribute("data-hall") == halls[0]
            page.locator(f'#floor-view .rack[data-rack="{rack["id"]}"]').hover()
            tip = page.locator("#tooltip")
            assert tip.is_visible()
            text = tip.inner_text()
            assert text.splitlines()[0] == rack["id"]
            assert f"cluster {rack['cluster']}" in text and f"feeds {rack['feeds']}" in text
            kw = f"{rack['power_w'] / 1000:,.3f}".rstrip("0").rstrip(".")
            assert f"power {kw} kW" in text
            groups = f"{len(links)} group" + ("s" if len(links) != 1 else "")
            assert f"links: {sum(ln['count'] for ln in links):,} cables in {groups}" in text

            page.locator(f'p.halls a.hall-link[data-hall="{halls[1]}"]').click()
            page.wait_for_function(f"document.querySelector('#floor-view svg').dataset.hall === {json.dumps(halls[1])}")
            assert page.evaluate("location.hash") == "#hall=" + halls[1]
            box = page.locator(f'#site-view .hall[data-hall="{halls[0]}"]').bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)   # cable lines may lie over it
            assert page.locator("#tooltip").inner_text().splitlines()[0] == halls[0]
            page.wait_for_function(f"document.querySelector('#floor-view svg').dataset.hall === {json.dumps(halls[0])}")

            view = page.locator("#floor-view svg")
            before = view.get_attribute("viewBox")
            view.hover()
            page.mouse.wheel(0, -400)
            assert view.get_attribute("viewBox") != before                  # zoomed
            page.locator("#floor-view button[data-zoom='0']").click()
            assert [float(x) for x in view.get_attribute("viewBox").split()] == [float(x) for x in before.split()]
        finally:
            browser.close()
    assert errors == []


def test_report_md_powers_per_hall_and_building_add_up_to_the_total(compiled):
    from factoryspec.emit import loads
    from factoryspec.emit.report import _w
    r, out = compiled
    md = (out / "report.md").read_text(encoding="utf-8")
    layout = json.loads((out / "layout.json").read_text())
    model = r.checked.model
    halls = loads.hall_loads(r.built, r.result, {h.qualname: h.size.area.value for h in model.halls})
    buildings = loads.building_loads(halls, {h.qualname: h.building.qualname for h in model.halls})
    it = loads.exact(layout["totals"]["it_power_w"])
    assert sum(h.it_w for h in halls) == sum(b.it_w for b in buildings) == it
    compute = [p for p in layout["placements"] if p["kind"] == "compute"]
    assert sum(h.compute_racks for h in halls) == len(compute)
    for b in buildings:
        assert f"| {b.name} | {b.halls} | {b.compute_racks:,} | {b.network_racks:,} | {_w(b.it_w)} |" in md
    for h in halls:
        racks = [p for p in compute if p["hall"] == h.name]
        mean = sum(loads.exact(p["power_w"]) for p in racks) / 1000 / len(racks)
        assert f" | {_w(h.it_w)} | {float(mean):,.1f} | {float(h.it_w / 1000 / h.area_m2):,.1f} |" in md
