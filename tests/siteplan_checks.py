"""What every siteplan.svg must satisfy, checked from the SVG alone and the
model: shared by the site plan tests and the test that compiles every
shipped spec.

Text boxes are estimated as an emitter cannot measure them: CHAR_EM of the
font size per character (wider than Arial's or Liberation Sans' average
glyph, ~0.5-0.56 em), bold 10 % wider, from 0.8 font sizes above the
baseline to 0.2 below; a label turned by rotate(-90 x y) turns its box too.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

NS = "{http://www.w3.org/2000/svg}"
CHAR_EM = 0.6


def text_boxes(root: ET.Element) -> list[tuple[tuple[float, float, float, float], str]]:
    base = float(root.get("font-size", "11"))
    out = []
    for el in root.iter(NS + "text"):
        text = "".join(el.itertext())
        size = float(el.get("font-size", base))
        w = len(text) * size * CHAR_EM * (1.1 if el.get("font-weight") == "bold" else 1.0)
        x, y = float(el.get("x")), float(el.get("y"))
        u0 = {"start": 0.0, "middle": -w / 2, "end": -w}[el.get("text-anchor", "start")]
        up, down = 0.8 * size, 0.2 * size
        turn = el.get("transform")
        if turn is None:
            box = (x + u0, y - up, x + u0 + w, y + down)
        else:
            angle, cx, cy = (float(v) for v in re.fullmatch(r"rotate\((\S+) (\S+) (\S+)\)", turn).groups())
            assert (angle, cx, cy) == (-90.0, x, y), turn
            box = (x - up, y - u0 - w, x + down, y - u0)
        out.append((box, text))
    return out


def overlapping(boxes) -> list[tuple[str, str]]:
    """Pairs of texts whose boxes overlap (a sweep along x)."""
    order = sorted(boxes, key=lambda b: b[0][0])
    out = []
    for i, (a, ta) in enumerate(order):
        for b, tb in order[i + 1:]:
            if b[0] >= a[2]:
                break
            if a[1] < b[3] and b[1] < a[3]:
                out.append((ta, tb))
    return out


def check(svg: bytes, model) -> ET.Element:
    """Assert what a site plan promises; the parsed document."""
    assert b"<script" not in svg and not re.search(rb"\son[a-z]+=", svg)
    root = ET.fromstring(svg)
    halls = [g.get("data-hall") for g in root.iter(NS + "g") if g.get("class") == "hall"]
    placed = sorted(h.qualname for h in model.halls if h.origin is not None and h.complete)
    assert sorted(halls) == placed, "one clickable element per hall"
    boxes = text_boxes(root)
    assert not overlapping(boxes), overlapping(boxes)[:5]
    width, height = float(root.get("width")), float(root.get("height"))
    assert all(0 <= b[0] and b[2] <= width and 0 <= b[1] and b[3] <= height for b, _ in boxes), \
        [t for b, t in boxes if not (0 <= b[0] and b[2] <= width and 0 <= b[1] and b[3] <= height)][:5]
    texts = [t for _, t in boxes]
    _check_title(next(t for t in texts if "together" in t), model)
    for b in model.buildings:                        # every building named on the plan
        assert b.name in texts, b.name
    names = Counter(h.qualname[len(h.building.qualname) + 1:] for h in model.halls
                    if h.origin is not None and h.complete and h.building is not None)
    said = Counter(t for t in texts if t in names)
    assert said == names, "every hall labelled"
    return root


def _check_title(title: str, model) -> None:
    """The title's sizes are the spec's buildings' sizes, and their extent."""
    sizes = Counter((_m(b.size.width), _m(b.size.depth)) for b in model.buildings if b.size is not None)
    for (w, d), count in sizes.items():
        assert re.search(rf"\b{count} buildings? {_fig(w)} m x {_fig(d)} m\b", title), (title, w, d)
    rects = [(_m(b.origin[0]), _m(b.origin[1]), _m(b.size.width), _m(b.size.depth))
             for b in model.buildings if b.size is not None and b.origin is not None]
    if len(rects) == len(model.buildings) and rects:
        w = max(x + bw for x, _, bw, _ in rects) - min(x for x, _, _, _ in rects)
        d = max(y + bd for _, y, _, bd in rects) - min(y for _, y, _, _ in rects)
        assert f"together {_fig(w)} m x {_fig(d)} m" in title, (title, w, d)
    said = {(float(a.replace(",", "")), float(b.replace(",", "")))
            for a, b in re.findall(r"([\d,.]+) m x ([\d,.]+) m", title)}
    assert said - set(sizes) - ({(w, d)} if rects else set()) == set(), title     # no other sizes
    halls = sum(1 for h in model.halls if h.origin is not None and h.complete)
    assert f"{halls} hall" in title


def _m(q) -> float:
    return float(q.value)


def _fig(x: float) -> str:
    return f"{x:,.1f}".rstrip("0").rstrip(".")
