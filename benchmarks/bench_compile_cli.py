"""End-to-end `factoryspec compile` on generated campus specs, 10 MW to 10 GW.

Unlike bench_compile.py (the solver on a generated problem), this runs the
real command on a .fac spec: parse, checks, model, solve, verify and every
emitter (layout.json, bom.csv, report.md, report.html, one SVG per hall, graphml), in a
fresh process per size. Reports wall time, peak memory (max RSS of the child)
and the figures layout.json records.

    python benchmarks/bench_compile_cli.py [SIZES_MW ...] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import compile_campus_spec  # noqa: E402

SIZES = [10, 100, 200, 1000, 5000, 10000]
LIMITS = {10: 30, 100: 30, 200: 30, 1000: 120, 5000: 600, 10000: 600}


def run(mw: int, jobs: int, tmp: Path) -> dict:
    spec = tmp / f"campus-{mw}mw.fac"
    spec.write_text(compile_campus_spec(mw), encoding="utf-8")
    out = tmp / f"out-{mw}"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "factoryspec", "compile", str(spec), "-o", str(out),
                           "--time-limit", str(LIMITS.get(mw, 600)), "--jobs", str(jobs)],
                          capture_output=True, text=True)
    seconds = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        return {"mw": mw, "error": proc.stdout[-400:] + proc.stderr[-400:]}
    data = json.loads((out / "layout.json").read_text())
    s = data["solver"]
    size = sum(f.stat().st_size for f in out.iterdir())
    return {"mw": mw, "racks": sum(p["kind"] == "compute" for p in data["placements"]),
            "cables": sum(link["count"] for link in data["links"]), "seconds": seconds,
            "peak_mb": max(peak_kb, before) / 1024, "status": s["status"], "objective": s["objective"],
            "bound": s["lower_bound"], "gap": s["gap"], "baseline": s["baseline_objective"],
            "outputs_mb": size / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sizes", nargs="*", type=int, default=SIZES, help="campus sizes in MW")
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    jobs, sizes = args.jobs, args.sizes
    print(f"| size | racks | cables | compile s | peak MB | status | objective USD | lower bound | gap | "
          f"baseline USD | saving | outputs MB |  (jobs={jobs}, {os.cpu_count()} cores)")
    print("|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for mw in sizes:
            r = run(mw, jobs, Path(tmp))
            if "error" in r:
                print(f"| {mw} MW | failed: {r['error']!r} |")
                continue
            saving = (r["baseline"] - r["objective"]) / r["baseline"] * 100
            print(f"| {mw:,} MW | {r['racks']:,} | {r['cables']:,} | {r['seconds']:.1f} | {r['peak_mb']:,.0f} | "
                  f"{r['status']} | {r['objective']:,.0f} | {r['bound']:,.0f} | {r['gap'] * 100:.1f}% | "
                  f"{r['baseline']:,.0f} | {saving:.1f}% | {r['outputs_mb']:.1f} |", flush=True)


if __name__ == "__main__":
    main()
