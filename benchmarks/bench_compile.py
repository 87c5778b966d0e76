"""Layout solve time, memory and quality on generated GB300 campuses.

Sizes 10 MW .. 5 GW of 135 kW NVL72-class racks in scalable units of 8, in
clusters of at most 200 MW (each a 3-tier Q3400 XDR fabric on 8 or 9 halls of
~26 MW, four to five two-hall buildings), LinkX-like media
(factoryspec/layout/generate.py). Each size runs in a fresh process so its peak
memory is its own. Targets on a 2-core machine: 200 MW <= 30 s, 1 GW <= 2 min,
5 GW <= 10 min and 4 GB, gap <= 5 %.

    python benchmarks/bench_compile.py [SIZES_MW ...] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = [10, 100, 200, 1000, 5000]
LIMITS = {10: 30, 100: 30, 200: 30, 1000: 120, 5000: 600}


def one(mw: float, jobs: int) -> dict:
    from factoryspec.layout import solve
    from factoryspec.layout.generate import campus
    from factoryspec.layout.jsonio import dumps, layout_to_json
    from factoryspec.layout.verify import verify

    t = time.perf_counter()
    p = campus(mw)
    gen = time.perf_counter() - t
    t = time.perf_counter()
    r = solve(p, time_limit_s=LIMITS.get(int(mw), 600), seed=0, jobs=jobs)
    secs = time.perf_counter() - t
    t = time.perf_counter()
    bad = verify(p, r.layout, r.objective_units)
    ver = time.perf_counter() - t
    t = time.perf_counter()
    text = dumps(layout_to_json(p, r))
    js = time.perf_counter() - t
    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return {"mw": mw, "racks": len(r.layout.placements), "compute": sum(c.racks for c in p.clusters),
            "clusters": len(p.clusters), "halls": len(p.halls), "link_groups": len(r.layout.links),
            "cables": r.totals["cables"], "seconds": secs, "verify_s": ver, "json_s": js, "gen_s": gen,
            "json_mb": len(text) / 1e6, "peak_mb": peak, "status": r.status, "objective": r.objective,
            "bound": r.lower_bound, "gap": r.gap, "baseline": r.baseline_objective, "verified": not bad}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=float, default=SIZES, help="campus sizes in MW")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--one", type=float, help=argparse.SUPPRESS)   # one size, in a child process
    args = ap.parse_args()
    jobs = args.jobs
    if args.one is not None:
        print(json.dumps(one(args.one, jobs)))
        return
    sizes = args.sizes
    rows = []
    for mw in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(mw), "--jobs", str(jobs)],
                             capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        if out.returncode:
            print(out.stderr, file=sys.stderr)
            continue
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(_row(rows[-1]), flush=True) if len(rows) > 1 else print(_header() + "\n" + _row(rows[-1]),
                                                                        flush=True)


def _header() -> str:
    return ("| size | racks (compute + network) | cables (link rows) | solve s | verify s | peak MB "
            "| objective USD | lower bound | gap | baseline USD | saving |\n"
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")


def _row(r: dict) -> str:
    size = f"{r['mw'] / 1000:g} GW" if r["mw"] >= 1000 else f"{r['mw']:g} MW"
    saving = 1 - r["objective"] / r["baseline"] if r["baseline"] else float("nan")
    return (f"| {size} | {r['racks']:,} ({r['compute']:,} + {r['racks'] - r['compute']:,}) "
            f"| {r['cables']:,} ({r['link_groups']:,}) | {r['seconds']:.1f} | {r['verify_s']:.1f} "
            f"| {r['peak_mb']:,.0f} | {r['objective']:,.0f} | {r['bound']:,.0f} | {r['gap']:.1%} "
            f"| {r['baseline']:,.0f} | {saving:.1%} |" + ("" if r["verified"] else " NOT VERIFIED"))


if __name__ == "__main__":
    main()
