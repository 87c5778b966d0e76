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
b_transceiver (module part numbers; none for copper, whose plugs are the
cable's), label (the ID and the B end's hall-row-slot-U-port, as printed on the
tag). The cable ID is `H<k>-R<row>-S<slot>-<A port>` (k the
hall's number in the spec's order; a switch A end adds `U<u>`, a node A end
`N<node>`), unique because an A port carries one cable.
"""

from __future__ import annotations

import re
from typing import Iterator

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


FLUSH_LINES = 8192          # lines a hall's buffer holds before they go to its file


def _q(text: str) -> str:
    """A CSV field as the csv module writes it (quoted only when it must be)."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


class _Sheet:
    """One hall's file: lines buffered and written as UTF-8 in large pieces
    (csv.writer through a text wrapper costs ~14 us a line)."""

    def __init__(self, fh):
        self.fh, self.lines = fh, []

    def add(self, line: str) -> None:
        self.lines.append(line)
        if len(self.lines) >= FLUSH_LINES:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.fh.write("".join(self.lines).encode("utf-8"))
            self.lines = []


def write(problem, layout, opener) -> None:
    """Write every hall's cutsheet through `opener(name) -> binary file`."""
    sheets = {}
    for h in problem.halls:
        sheets[h.id] = _Sheet(opener(file_name(h.id)))
        sheets[h.id].add(",".join(HEADER) + "\n")
    for hall, line in lines(problem, layout):
        sheets[hall].add(line)
    for sheet in sheets.values():
        sheet.flush()


def lines(problem, layout) -> Iterator[tuple[str, str]]:
    """(hall of the A end, CSV line) of every cable, fabric by fabric: what the
    cutsheets hold, for them and for the exports that list cables (so the two
    never disagree). Names of devices, ports and positions are tabulated once
    (per rack, per switch, per port number), already as CSV fields, so a cable
    costs a few lookups and one formatted line."""
    halls = {h.id: k + 1 for k, h in enumerate(problem.halls)}
    media = {m.id: m for m in problem.media}
    labels = problem.fabric_labels()
    W = wiring.build(problem)
    index = {rid: i for i, rid in enumerate(W.ids)}
    where = [None] * W.n                      # per rack: (hall, "hall,row,slot,rack", id prefix)
    for p in layout.placements:
        where[index[p.id]] = (p.hall, f"{_q(p.hall)},{p.row},{p.slot},{_q(p.id)}",
                              f"H{halls[p.hall]}-R{p.row:02d}-S{p.slot:02d}-")
    for fi, info in enumerate(W.fabrics):
        c = problem.clusters[info.cluster]
        fid = info.spec.id
        nm = Namer(problem, W, fi)
        fabric = _q(labels[(c.id, fid)])
        cable = {}                            # (level, rack a, rack b) -> "medium,part,length,module,module"
        for x in layout.links:
            if x.cluster == c.id and x.fabric == fid:
                m = media[x.medium]
                at_switch, at_host = _modules(m)
                a_mod = at_host if x.level == "endpoint" else at_switch
                cable[(x.level, index[x.a], index[x.b])] = \
                    f"{_q(m.id)},{_q(m.part or '')},{x.length_m:g},{_q(a_mod)},{_q(at_switch)}"
        sw_ports = [nm.switch_port(i) for i in range(info.spec.plan.radix)]
        sw_q = [_q(x) for x in sw_ports]
        switches = []                         # per tier, per switch: (device, rack index, U, "device,u")
        for level, n in enumerate(info.spec.plan.tier_switches(), start=1):
            tier = []
            for i in range(n):
                dev, rack, u = nm.switch(level, i)
                tier.append((dev, index[rack], u, f"{_q(dev)},{u}", f"U{u:02d}-"))
            switches.append(tier)
        hosts: dict = {}
        for e in fabric_ends(problem, W, fi):
            level = LEVELS[e.level]
            b_tier = switches[e.level - 1]
            a_tier = switches[e.level - 2] if e.level > 1 else None
            for a, ap, b, bp in zip(e.a.tolist(), e.a_port.tolist(), e.b.tolist(), e.b_port.tolist()):
                if a_tier is None:
                    key = (a, ap)
                    if key not in hosts:
                        hosts[key] = _host_end(nm, W, a, ap)
                    a_dev, a_port, tail, a_fields = hosts[key]
                    ra = a
                else:
                    a_dev, ra, a_u, dev_u, _ = a_tier[a]
                    a_port = sw_ports[ap]
                    tail = f"U{a_u:02d}-{a_port.replace('/', '.')}"
                    a_fields = f"{dev_u},{sw_q[ap]}"
                b_dev, rb, _, b_fields, _ = b_tier[b]
                ha, hb = where[ra], where[rb]
                fields = cable[(level, ra, rb)]
                cid = ha[2] + tail
                # the label: both ends as an installer reads them on the racks
                yield ha[0], (f"{_q(cid)},{fabric},{level},{ha[1]},{a_fields},{hb[1]},{b_fields},{sw_q[bp]},"
                              f"{fields},{_q(f'{cid} > {hb[2]}{b_tier[b][4]}{sw_ports[bp]}')}\n")
        hosts.clear()


def _modules(m) -> tuple[str, str]:
    """Part numbers of the module at a switch end and at a host end: an optical
    medium's modules (its part, when it names no modules); a copper cable's ends
    are its own plugs, so none."""
    if not m.optical:
        return "", ""
    switch = m.module_part or m.part or m.id
    return switch, m.host_module_part or switch


def _host_end(nm, W, rack: int, p: int) -> tuple[str, str, str, str]:
    """(device, port, cable ID tail, "device,u,port" fields) of a compute rack's port."""
    dev, port = nm.compute(rack, p)
    node = f"N{dev.rsplit('/n', 1)[1]}-" if dev != W.ids[rack] else ""
    return dev, port, node + port.replace("/", "."), f"{_q(dev)},,{_q(port)}"
