// report.html's script (inlined into the page by report_html.py): pan and zoom
// on the plans, the floor plan of the hall chosen (from the site plan, a link or
// the list), rack and hall tooltips from the page's JSON figures, and the
// headroom filter. It reads the drawings' attributes only: .hall[data-hall] on
// the site plan, [data-hall] on a floor plan's root, .rack[data-rack] on its racks.
"use strict";
(function () {
  const figures = JSON.parse(document.getElementById("figures").textContent);
  const names = figures.names;
  const tip = document.getElementById("tooltip");
  const floorBox = document.querySelector("#floor-view .pan");
  const select = document.getElementById("hall-select");
  const templates = new Map();
  document.querySelectorAll("template[data-hall]").forEach((t) => templates.set(t.dataset.hall, t));

  // Pan and zoom by rewriting the viewBox: wheel zooms about the pointer, a drag
  // pans, the buttons zoom about the centre or fit the whole drawing again.
  function panZoom(box) {
    let svg = null, home = null, view = null, drag = null;
    box.attach = function () {
      svg = box.querySelector("svg");
      if (!svg) return;
      const b = svg.viewBox.baseVal;
      home = b && b.width ? [b.x, b.y, b.width, b.height]
                          : [0, 0, svg.width.baseVal.value, svg.height.baseVal.value];
      view = home.slice();
      svg.setAttribute("viewBox", home.join(" "));
    };
    function set() { svg.setAttribute("viewBox", view.map((v) => v.toFixed(2)).join(" ")); }
    function toSvg(x, y) {
      return new DOMPoint(x, y).matrixTransform(svg.getScreenCTM().inverse());
    }
    function zoom(k, x, y) {              // k > 1 zooms in, about the svg point (x, y)
      view = [x - (x - view[0]) / k, y - (y - view[1]) / k, view[2] / k, view[3] / k];
      set();
    }
    box.zoomBy = function (k) {
      if (!svg) return;
      if (k === 0) { view = home.slice(); set(); return; }
      zoom(k, view[0] + view[2] / 2, view[1] + view[3] / 2);
    };
    box.addEventListener("wheel", (e) => {
      if (!svg) return;
      e.preventDefault();
      const p = toSvg(e.clientX, e.clientY);
      zoom(Math.exp(-e.deltaY * 0.0015), p.x, p.y);
    }, { passive: false });
    box.addEventListener("pointerdown", (e) => {
      if (!svg || e.button !== 0) return;
      const r = svg.getBoundingClientRect();
      drag = { x: e.clientX, y: e.clientY, view: view.slice(), moved: false,
               per: Math.max(view[2] / r.width, view[3] / r.height) };
    });
    window.addEventListener("pointermove", (e) => {
      if (!drag) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      drag.moved = true;
      box.classList.add("dragging");
      view = [drag.view[0] - dx * drag.per, drag.view[1] - dy * drag.per, view[2], view[3]];
      set();
    });
    window.addEventListener("pointerup", () => {
      if (drag && drag.moved) box.dataset.dragged = "1";   // the click that ends a drag opens nothing
      drag = null;
      box.classList.remove("dragging");
    });
    box.addEventListener("click", (e) => {
      if (box.dataset.dragged) { delete box.dataset.dragged; e.stopPropagation(); e.preventDefault(); }
    }, true);
    box.attach();
    return box;
  }

  document.querySelectorAll(".viewer").forEach((v) => {
    const box = panZoom(v.querySelector(".pan"));
    v.querySelectorAll("button[data-zoom]").forEach((b) =>
      b.addEventListener("click", () => box.zoomBy(Number(b.dataset.zoom))));
  });

  // The floor plan of one hall, cloned from its template (the drawing's own
  // <title>s are dropped: the tooltip says more).
  function showHall(id) {
    const t = templates.get(id);
    if (!t) return;
    floorBox.replaceChildren(t.content.cloneNode(true));
    floorBox.querySelectorAll(".rack title").forEach((n) => n.remove());
    floorBox.attach();
    select.value = id;
    document.querySelectorAll("#site-view .hall").forEach((h) =>
      h.classList.toggle("open", h.dataset.hall === id));
  }
  function fromHash() {
    const m = /^#hall=(.+)$/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }
  function open(id) {
    if (fromHash() === id) showHall(id);
    else location.hash = "hall=" + encodeURIComponent(id);   // back and forward walk the halls seen
  }
  window.addEventListener("hashchange", () => {
    const id = fromHash();
    if (id) { showHall(id); document.getElementById("plans").scrollIntoView(); }
  });
  select.addEventListener("change", () => open(select.value));
  document.addEventListener("click", (e) => {
    // a hall under a cable line drawn over it opens all the same
    const el = e.target.closest(".hall-link[data-hall], #site-view .hall[data-hall]") ||
      (e.target.closest("#site-view") &&
       hallAt(e.clientX, e.clientY));
    if (!el) return;
    e.preventDefault();
    open(el.dataset.hall);
    if (!el.closest("#plans")) document.getElementById("plans").scrollIntoView();
  });
  showHall(fromHash() || (templates.keys().next().value));
  document.querySelectorAll("#site-view .hall title").forEach((n) => n.remove());   // the tooltip instead

  // Tooltips: a rack's ID, cluster, power, feeds and links; a hall's load.
  const count = (n, one) => n.toLocaleString("en-US") + " " + one + (n === 1 ? "" : "s");
  const kw = (w) => (w / 1000).toLocaleString("en-US", { maximumFractionDigits: 3 }) + " kW";
  function rackText(id) {
    const r = figures.racks[id];
    if (!r) return id;
    const [cluster, system, power, feeds, tier, cables, groups, peers, media] = r;
    const lines = [id, "cluster " + names[cluster], (tier ? tier + " rack, switch " : "system ") + names[system],
                   "power " + kw(power) + ", feeds " + feeds,
                   "links: " + count(cables, "cable") + " in " + count(groups, "group") + " to " + count(peers, "rack")];
    media.forEach(([m, n]) => lines.push("  " + names[m] + " " + n.toLocaleString("en-US")));
    return lines.join("\n");
  }
  function hallText(id) {
    const h = figures.halls[id];
    if (!h) return id;
    return [id, h[0] + " compute + " + h[1] + " network racks", "IT " + h[2],
            h[3] + " kW per compute rack, " + h[4] + " kW per m2", "click to open its floor plan"].join("\n");
  }
  // The site plan's hall at a point, whatever is drawn over it (a hall may be a
  // group: its shapes are what the point hits).
  function hallAt(x, y) {
    for (const n of document.elementsFromPoint(x, y)) {
      const h = n.closest("#site-view .hall[data-hall]");
      if (h) return h;
    }
    return null;
  }

  // What the pointer is over: a rack, or a hall (also under a cable line drawn over it).
  function under(e) {
    const rack = e.target.closest("#floor-view .rack[data-rack]");
    if (rack) return { rack };
    if (!e.target.closest("#site-view")) return null;
    const hall = e.target.closest("#site-view .hall[data-hall]") ||
      hallAt(e.clientX, e.clientY);
    return hall ? { hall } : null;
  }
  document.addEventListener("mousemove", (e) => {
    const at = under(e);
    if (!at) { tip.hidden = true; return; }
    tip.textContent = at.rack ? rackText(at.rack.dataset.rack) : hallText(at.hall.dataset.hall);
    tip.hidden = false;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.min(e.clientX + 14, innerWidth - w - 4) + "px";
    tip.style.top = (e.clientY + 16 + h > innerHeight ? e.clientY - h - 10 : e.clientY + 16) + "px";
  });
  document.addEventListener("mouseleave", () => { tip.hidden = true; });

  // The headroom filter: rows whose text holds every word typed.
  const filter = document.getElementById("headroom-filter");
  const rows = Array.from(document.querySelectorAll("table.headroom tbody tr"));
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    rows.forEach((r) => {
      const text = r.textContent.toLowerCase();
      r.hidden = !words.every((w) => text.includes(w));
    });
  });
})();
