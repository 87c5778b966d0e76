"""Scalable-unit blocks to row segments, and racks to slots within blocks.

A constructive packing: each cluster's blocks, in scalable-unit order, go to
its halls in hall order (so a pod's blocks stay together and a pod split by a
hall boundary continues in the next hall); within a hall, first fit over rows
in order and segments left to right, respecting each row's busway. Racks of a
block take consecutive slots in rack order. `balanced` (the headroom
objective) instead takes the fitting row with the most busway headroom.
Hall totals (slots, CDU, air) were settled by assign_halls; a block that
still does not fit is reported so the hall model can be cut and re-solved.
"""

from __future__ import annotations

import numpy as np

from .assign_halls import Assignment, HallData
from .context import Ctx


def blocks_by_hall(ctx: Ctx, hd: HallData, asg: Assignment) -> list:
    """For each hall: [(cluster, first rack, size)] in cluster then block order."""
    per_hall: list[list] = [[] for _ in ctx.halls]
    for ci, c in enumerate(ctx.clusters):
        b = ctx.block[ci]
        order = [k for k in range(len(ctx.halls)) if asg.blocks[ci][k] > 0]
        if asg.partial[ci] is not None:   # the short last block ends the cluster
            order.remove(asg.partial[ci])
            order.append(asg.partial[ci])
        j = 0
        base = ctx.W.compute_base[ci]
        for k in order:
            for _ in range(asg.blocks[ci][k]):
                start = j * b
                size = min(b, c.racks - start)
                per_hall[k].append((ci, base + start, size))
                j += 1
    return per_hall


def pack(ctx: Ctx, hd: HallData, asg: Assignment, balanced: bool = False, reverse: bool = False) -> dict:
    """Place every compute rack; returns {(cluster, hall): blocks placed} for halls
    where a block did not fit (empty on success). `reverse` fills rows from the
    last (furthest from the hall's cable entry) to the first."""
    ctx.reset()
    failures: dict = {}
    for k, blocks in enumerate(blocks_by_hall(ctx, hd, asg)):
        fill = [[0] * len(segs) for segs in hd.segments[k]]
        rows = [int(r) for r in np.nonzero(ctx.row_hall == k)[0]]
        placed: dict = {}
        for ci, first, size in blocks:
            if (ci, k) in failures:
                continue
            spot = _find(ctx, hd, k, rows, fill, size, size * hd.power[ci], balanced, reverse)
            if spot is None:
                failures[(ci, k)] = placed.get(ci, 0)
                continue
            r, s = spot
            start = hd.segments[k][r][s][0] + fill[r][s]
            fill[r][s] += size
            ctx.place(np.arange(first, first + size), np.arange(start, start + size))
            placed[ci] = placed.get(ci, 0) + 1
    return failures


def _find(ctx: Ctx, hd: HallData, k: int, rows: list, fill: list, size: int, power: int,
          balanced: bool, reverse: bool):
    best, best_room = None, -1
    order = range(len(rows) - 1, -1, -1) if reverse else range(len(rows))
    for r in order:
        segs = hd.segments[k][r]
        room = int(ctx.row_cap[rows[r]] - ctx.row_load[rows[r]])
        if room < power:
            continue
        for s, (_, length) in enumerate(segs):
            if length - fill[r][s] >= size:
                if not balanced:
                    return r, s
                if room > best_room:
                    best, best_room = (r, s), room
                break
    return best
