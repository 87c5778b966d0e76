"""Render the README's pictures from the shipped specs, so they show what the
compiler draws today: a floor plan and a site plan, compiled here and
rasterised by Chromium (Debian's package, driven by Playwright).

    python docs/render_images.py [--time-limit S]

writes docs/images/floorplan-superpod.png (hall superpod.dc1.h1 of
specs/superpod.fac) and docs/images/siteplan-childress.png (specs/childress.fac).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from factoryspec import api
from factoryspec.emit import floorplan

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
# (image, spec, the drawing compile writes: a hall's floor plan or the site plan)
PICTURES = (("floorplan-superpod.png", "specs/superpod.fac", floorplan.file_name("superpod.dc1.h1")),
            ("siteplan-childress.png", "specs/childress.fac", "siteplan.svg"))


def browser(pw):
    exe = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(exe):
        raise SystemExit("no chromium: apt-get install chromium (Playwright's own download is not used)")
    return pw.chromium.launch(executable_path=exe, args=["--no-sandbox"] if os.geteuid() == 0 else [])


def rasterise(page, svg: bytes, out: Path) -> None:
    """The SVG at its own size on white, at 1.5 times the pixels for sharp text."""
    page.set_content('<!DOCTYPE html><html><body style="margin:0;background:#fff">' + svg.decode("utf-8")
                     + "</body></html>")
    page.locator("svg").first.screenshot(path=str(out))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--time-limit", type=float, default=30)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        b = browser(pw)
        page = b.new_page(device_scale_factor=1.5)
        for image, spec, drawing in PICTURES:
            result = api.compile(ROOT / spec, time_limit=args.time_limit, root=ROOT)
            if not result.ok:
                raise SystemExit(f"{spec} did not compile")
            rasterise(page, result.files()[drawing], IMAGES / image)
            print(f"{IMAGES / image} from {spec} ({drawing})")
        b.close()


if __name__ == "__main__":
    main()
