"""Slots of a set of halls and cable lengths between them (vectorised).

Implements the cable model documented in problem.py (the tray route, and the
rack-top route for short links within a row segment), in integer millimetres.
Slot ids are dense: hall k's slots are base[k] + (row-1)*slots_per_row + (slot-1).
"""

from __future__ import annotations

import attrs
import numpy as np

from .problem import Cabling, Hall, mm

SLOT_COMPUTE, SLOT_NETWORK, SLOT_RESERVED = 0, 1, 2


def cross_after(h: Hall) -> list[int]:
    """Slots after which each cross-aisle lies (1-based slot numbers)."""
    c, n = h.cross_aisles, h.slots_per_row
    return sorted({k * n // (c + 1) for k in range(1, c + 1)} & set(range(1, n)))


def vertical_mm(cab: Cabling) -> int:
    """Both ends' drops from port to tray, plus slack at both ends."""
    return 2 * (mm(cab.rack_height_m) + mm(cab.tray_height_m)) + 2 * mm(cab.slack_m)


def in_row_mm(cab: Cabling) -> int:
    """A rack-top cable's rise from the port at both ends, plus in-row slack at both ends."""
    return 2 * (mm(cab.in_row_rise_m) + mm(cab.in_row_slack_m))


@attrs.define(eq=False)
class SlotTable:
    halls: list                  # Hall objects, in order
    base: np.ndarray             # first slot id of each hall
    hall: np.ndarray             # per slot: hall position in `halls`
    row: np.ndarray              # 1-based
    slot: np.ndarray             # 1-based
    x: np.ndarray                # mm within the hall
    y: np.ndarray
    ox: np.ndarray               # hall origin, mm
    oy: np.ndarray
    ex: np.ndarray               # hall cable entry (network end of row 1), site mm
    ey: np.ndarray
    run: np.ndarray              # tray run from the slot to its hall's entry
    sec: np.ndarray              # cross-aisle section of the slot
    xl: np.ndarray               # crossing points bounding the section
    xr: np.ndarray
    kind: np.ndarray
    row_id: np.ndarray           # dense row id across halls
    row_len: np.ndarray          # per hall: row length in mm
    v_mm: int                    # tray route: drops and slack of both ends
    in_mm: int                   # rack-top route: rises and in-row slack of both ends
    in_max_mm: int               # longest horizontal run across the rack tops
    same_rack_mm: int
    bin_mm: int

    @property
    def n(self) -> int:
        return len(self.hall)

    def sid(self, k: int, row: int, slot: int) -> int:
        return int(self.base[k] + (row - 1) * self.halls[k].slots_per_row + slot - 1)

    def horizontal(self, a, b) -> np.ndarray:
        """Horizontal tray run (mm) between slot ids a and b (arrays)."""
        a = np.asarray(a, np.int64)
        b = np.asarray(b, np.int64)
        same_hall = self.hall[a] == self.hall[b]
        xa, xb, ya, yb = self.x[a], self.x[b], self.y[a], self.y[b]
        lo, hi = np.minimum(xa, xb), np.maximum(xa, xb)
        same_sec = self.sec[a] == self.sec[b]
        detour = np.where(same_sec, 2 * np.minimum(lo - self.xl[a], self.xr[a] - hi), 0)
        same_row = self.row_id[a] == self.row_id[b]
        intra = np.where(same_row, hi - lo, hi - lo + np.abs(ya - yb) + np.maximum(detour, 0))
        inter = (self.run[a] + self.run[b] + np.abs(self.ex[a] - self.ex[b])
                 + np.abs(self.ey[a] - self.ey[b]))
        return np.where(same_hall, intra, inter)

    def horizontal_matrix(self, a, b) -> np.ndarray:
        """horizontal(a_i, b_j) for every pair: inter-hall runs for all pairs
        (cheap, separable), then the exact in-hall rule where halls match."""
        a = np.asarray(a, np.int64)
        b = np.asarray(b, np.int64)
        out = (self.run[a][:, None] + self.run[b][None, :] + np.abs(self.ex[a][:, None] - self.ex[b][None, :])
               + np.abs(self.ey[a][:, None] - self.ey[b][None, :]))
        i, j = np.nonzero(self.hall[a][:, None] == self.hall[b][None, :])
        if len(i):
            out[i, j] = self.horizontal(a[i], b[j])
        return out

    def raw_mm(self, h, a, b) -> np.ndarray:
        """Unrounded cable length between slots a and b (broadcast) whose horizontal
        tray run is h: the tray route, or across the rack tops where both stand in
        one row segment (row ids and sections are unique across halls) at most
        in_max_mm apart and that is shorter; through the rack when a == b."""
        tray = h + self.v_mm
        short = (self.row_id[a] == self.row_id[b]) & (self.sec[a] == self.sec[b]) & (h <= self.in_max_mm)
        raw = np.where(short, np.minimum(tray, h + self.in_mm), tray)
        return np.where(a == b, self.same_rack_mm, raw)

    def length_bins_matrix(self, a, b) -> np.ndarray:
        a = np.asarray(a, np.int64)
        b = np.asarray(b, np.int64)
        raw = self.raw_mm(self.horizontal_matrix(a, b), a[:, None], b[None, :])
        return -(-raw // self.bin_mm)

    def length_bins(self, a, b) -> np.ndarray:
        """Cable length in bins (length = bins * bin_mm), rounded up."""
        a = np.asarray(a, np.int64)
        b = np.asarray(b, np.int64)
        return -(-self.raw_mm(self.horizontal(a, b), a, b) // self.bin_mm)

    def shortest_mm(self, sw: int) -> int:
        """The least unrounded length of a link between two racks at least sw apart."""
        return sw + (self.v_lo_mm if sw <= self.in_max_mm else self.v_mm)

    @property
    def v_lo_mm(self) -> int:
        """The least vertical part (both ends) of any link between two racks: the
        tray route's, or the rack-top route's where that is open and shorter."""
        return min(self.v_mm, self.in_mm) if self.in_max_mm > 0 else self.v_mm

    def lift(self, n) -> np.ndarray:
        """For links whose horizontal run h has h + v_lo_mm in bin n (((n - 1) * bin,
        n * bin]), the least bin their real length can fall in. A link is on the
        rack tops only when h <= in_max_mm, so beyond in_max_mm + v_lo_mm every
        link pays the tray's full v_mm; up to it, at least h + v_lo_mm. The
        result never falls below n and never falls as n grows, so lower bounds
        that price a link of horizontal h at bin(h + v_lo_mm) stay valid."""
        n = np.asarray(n, np.int64)
        e = (n - 1) * self.bin_mm + 1                 # the least length of bin n
        real = np.where(e > self.in_max_mm + self.v_lo_mm, e + (self.v_mm - self.v_lo_mm), e)
        return np.where(n > 0, -(-real // self.bin_mm), n)


def build_slots(halls: list, cab: Cabling) -> SlotTable:
    cols: dict[str, list] = {k: [] for k in
                             ("hall", "row", "slot", "x", "y", "ox", "oy", "sec", "xl", "xr", "kind")}
    base, row_len = [], []
    for k, h in enumerate(halls):
        base.append(sum(len(c) for c in cols["hall"]))
        xs, secs, xl, xr, length = _row_x(h)
        row_len.append(length)
        n = h.slots_per_row
        rows = np.repeat(np.arange(1, h.rows + 1), n)
        slots = np.tile(np.arange(1, n + 1), h.rows)
        kind = np.where(slots > n - min(h.network_slots_per_row_end, n), SLOT_NETWORK, SLOT_COMPUTE)
        for r, s in h.reserved:
            if 1 <= r <= h.rows and 1 <= s <= n:
                kind[(r - 1) * n + s - 1] = SLOT_RESERVED
        ox, oy = mm(h.origin_xy_m[0]), mm(h.origin_xy_m[1])
        vals = dict(hall=np.full(len(rows), k), row=rows, slot=slots, x=np.tile(xs, h.rows),
                    y=(rows - 1) * mm(h.row_pitch_m), ox=np.full(len(rows), ox),
                    oy=np.full(len(rows), oy), sec=np.tile(secs, h.rows), xl=np.tile(xl, h.rows),
                    xr=np.tile(xr, h.rows), kind=kind)
        for key, v in vals.items():
            cols[key].append(np.asarray(v, np.int64))
    arr = {k: (np.concatenate(v) if v else np.zeros(0, np.int64)) for k, v in cols.items()}
    # dense row ids
    row_id = np.zeros(len(arr["hall"]), np.int64)
    off = 0
    for k, h in enumerate(halls):
        s = base[k]
        row_id[s:s + h.rows * h.slots_per_row] = off + arr["row"][s:s + h.rows * h.slots_per_row] - 1
        off += h.rows
    # sections must differ between halls too: offset them
    sec = arr["sec"].copy()
    off = 0
    for k, h in enumerate(halls):
        s = base[k]
        sec[s:s + h.rows * h.slots_per_row] += off
        off += h.cross_aisles + 1
    rl = np.asarray(row_len, np.int64)[arr["hall"]] if len(arr["hall"]) else np.zeros(0, np.int64)
    return SlotTable(halls=list(halls), base=np.asarray(base, np.int64), hall=arr["hall"],
                     row=arr["row"], slot=arr["slot"], x=arr["x"], y=arr["y"], ox=arr["ox"],
                     oy=arr["oy"], ex=arr["ox"] + rl, ey=arr["oy"], run=rl - arr["x"] + arr["y"],
                     sec=sec, xl=arr["xl"], xr=arr["xr"],
                     kind=arr["kind"].astype(np.int8), row_id=row_id,
                     row_len=np.asarray(row_len, np.int64), v_mm=vertical_mm(cab), in_mm=in_row_mm(cab),
                     in_max_mm=mm(cab.in_row_max_m),
                     same_rack_mm=mm(cab.rack_height_m) + 2 * mm(cab.in_row_slack_m),
                     bin_mm=max(mm(cab.length_bin_m), 1))


def _row_x(h: Hall):
    """Slot centres, section index and the crossings bounding each section."""
    sw, caw = mm(h.slot_width_m), mm(h.cross_aisle_width_m)
    cuts = cross_after(h)
    xs, secs = [], []
    crossings = [0]
    sec = 0
    for s in range(1, h.slots_per_row + 1):
        xs.append((2 * s - 1) * sw // 2 + sec * caw)
        secs.append(sec)
        if sec < len(cuts) and s == cuts[sec]:
            crossings.append(s * sw + sec * caw + caw // 2)
            sec += 1
    length = h.slots_per_row * sw + len(cuts) * caw
    crossings.append(length)
    xl = [crossings[k] for k in secs]
    xr = [crossings[k + 1] for k in secs]
    return np.asarray(xs), np.asarray(secs), np.asarray(xl), np.asarray(xr), length
