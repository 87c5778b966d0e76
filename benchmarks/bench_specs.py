"""End-to-end `factoryspec compile` on the hand-written specs of benchmarks/specs/.

Each spec is a shape the generated campuses do not have (one hall, a hall per
building, an L-shaped campus, mixed clusters of different oversubscription,
oversized halls, tight CDU limits). Each compiles in a fresh process with its
own `solve { time_limit }`; the table gives wall time, peak memory (max RSS of
the child), and the figures layout.json records: status, objective, lower
bound, gap and the saving against the naive baseline.

    python benchmarks/bench_specs.py [SPEC ...] [--jobs N] [--time-limit S]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPECS = sorted((Path(__file__).resolve().parent / "specs").glob("*.fac"))


def run(spec: Path, jobs: int, limit: float | None, tmp: Path) -> dict:
    out = tmp / spec.stem
    cmd = [sys.executable, "-m", "factoryspec", "compile", str(spec), "-o", str(out), "--jobs", str(jobs)]
    if limit:
        cmd += ["--time-limit", str(limit)]
    log = tmp / f"{spec.stem}.log"
    t = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)           # this child's own peak memory
    seconds = time.perf_counter() - t
    peak_kb = usage.ru_maxrss
    if os.waitstatus_to_exitcode(status) != 0:
        return {"spec": spec.stem, "error": log.read_text()[-400:]}
    data = json.loads((out / "layout.json").read_text())
    s = data["solver"]
    kinds = [p["kind"] for p in data["placements"]]
    return {"spec": spec.stem, "racks": kinds.count("compute"), "network": kinds.count("network"),
            "cables": sum(link["count"] for link in data["links"]), "seconds": seconds,
            "peak_mb": peak_kb / 1024, "status": s["status"], "objective": s["objective"],
            "bound": s["lower_bound"], "gap": s["gap"], "baseline": s["baseline_objective"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("specs", nargs="*", type=Path, default=SPECS)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=None, help="override each spec's own limit")
    args = ap.parse_args()
    print("| spec | racks (compute + network) | cables | compile s | peak MB | status | objective USD "
          "| lower bound | gap | saving vs naive |")
    print("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for spec in args.specs:
            r = run(spec, args.jobs, args.time_limit, Path(tmp))
            if "error" in r:
                print(f"| {r['spec']} | failed: {r['error']!r} |", flush=True)
                continue
            saving = 1 - r["objective"] / r["baseline"] if r["baseline"] else 0.0
            print(f"| {r['spec']} | {r['racks'] + r['network']:,} ({r['racks']:,} + {r['network']:,}) "
                  f"| {r['cables']:,} | {r['seconds']:.1f} | {r['peak_mb']:,.0f} | {r['status']} "
                  f"| {r['objective']:,.0f} | {r['bound']:,.0f} | {r['gap']:.1%} | {saving:.1%} |", flush=True)


if __name__ == "__main__":
    main()
