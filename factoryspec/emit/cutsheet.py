"""Cutsheets: one line per cable, both ends down to the port, for installers.

One file per hall, `cutsheet-<hall>.csv`, holding the cables whose A end (the
lower tier's: compute rack, then leaf, then spine) stands in that hall, so a
crew cabling a hall works from one file and a cable between halls is listed
once, at its A end. One file for a 5 GW campus would be ~8 million lines
(over a gigabyte); per hall it is tens of thousands.

Written in one pass over the fabrics' cables (layout/ports.py), block by
block, straight into the files: memory holds one block of one fabric at a
time, never the whole cable plant.

Columns: cable_id, fabric, level, then for each end (a_, b_) hall, row,
slot, rack, device, u, port; medium, part, length_m, a_transceiver,
b_transceiver, label. The cable ID is `H<k>-R<row>-S<slot>-<A port>` (k the
hall's number in the spec's order; a switch A end adds `U<u>`, a node A end
`N<node>`), unique because an A port carries one cable.
"""

from __future__ import annotations

import csv
import io
import re

from ..layout import wiring
from ..layout.ports import Namer, fabric_ends

HEADER = ("cable_id", "fabric", "level", "a_hall", "a_row", "a_slot", "a_rack", "a_device", "a_u", "a_port",
          "b_hall", "b_row", "b_slot", "b_rack", "b_device", "b_u", "b_port", "medium", "part", "length_m",
          "a_transceiver", "b_transceiver", "label")
LEVELS = {1: "endpoint", 2: "leaf-spine", 3: "spine-core"}


def file_name(hall_id: str) -> str:
    return f"cutsheet-{re.sub(r'[^A-Za-z0-9_.-]+', '-', hall_id)}.csv"


def names(problem) -> list[str]:
    return [file_name(h.id) for h in problem.halls]


def write(problem, layout, opener) -> None:
    """Write every hall's cutsheet through `opener(name) -> binary file`."""
    halls = {h.id: k + 1 for k, h in enumerate(problem.halls)}
    place = {p.id: p for p in layout.placements}
    links = {(x.cluster, x.fabric, x.a, x.b, x.level): x for x in layout.links}
    media = {m.id: m for m in problem.media}
    labels = problem.fabric_labels()
    out, buffers = {}, {}
    for h in problem.halls:
        fh = opener(file_name(h.id))
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        w = csv.writer(text, lineterminator="\n")
        w.writerow(HEADER)
        out[h.id], buffers[h.id] = w, text
    W = wiring.build(problem)
    for fi, info in enumerate(W.fabrics):
        c = problem.clusters[info.cluster]
        nm = Namer(problem, W, fi)
        fabric = labels[(c.id, info.spec.id)]
        for e in fabric_ends(problem, W, fi):
            level = LEVELS[e.level]
            for a, ap, b, bp in zip(e.a.tolist(), e.a_port.tolist(), e.b.tolist(), e.b_port.tolist()):
                if e.level == 1:
                    a_dev, a_port = nm.compute(a, ap)
                    a_rack, a_u = W.ids[a], ""
                else:
                    a_dev, a_rack, a_u = nm.switch(e.level - 1, a)
                    a_port = nm.switch_port(ap)
                b_dev, b_rack, b_u = nm.switch(e.level, b)
                b_port = nm.switch_port(bp)
                pa, pb = place[a_rack], place[b_rack]
                ln = links[(c.id, info.spec.id, a_rack, b_rack, level)]
                m = media[ln.medium]
                tail = (f"U{a_u:02d}-" if a_u != "" else (f"N{a_dev.rsplit('/n', 1)[1]}-" if a_dev != a_rack
                                                           else "")) + a_port.replace("/", ".")
                cid = f"H{halls[pa.hall]}-R{pa.row:02d}-S{pa.slot:02d}-{tail}"
                module = (m.part or m.id) if m.optical else ""
                out[pa.hall].writerow((
                    cid, fabric, level, pa.hall, pa.row, pa.slot, a_rack, a_dev, a_u, a_port,
                    pb.hall, pb.row, pb.slot, b_rack, b_dev, b_u, b_port, m.id, m.part or "",
                    f"{ln.length_m:g}", module, module,
                    f"{cid} | {a_dev} {a_port} > {b_dev} {b_port} | {m.id} {ln.length_m:g} m"))
    for text in buffers.values():
        text.flush()
        text.detach()
