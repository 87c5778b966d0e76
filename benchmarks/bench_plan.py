"""`plan` of a generated 5 GW campus (target: at most 2 s on a 2-core machine).

Run: python benchmarks/bench_plan.py. Times check (parse, resolve, model,
checks) plus plan_json and plan_text, in process, median of 3 after a warm-up.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import campus_spec  # noqa: E402

from factoryspec.lang import loader  # noqa: E402
from factoryspec.pipeline import check  # noqa: E402
from factoryspec.checks.figures import plan_json, plan_text  # noqa: E402


def run(path: str) -> dict:
    loader._cache.entries.clear()
    result = check(path)
    plan_text(result.model, result.diagnostics)
    return plan_json(result.model, result.diagnostics)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "campus.fac")
        Path(path).write_text(campus_spec(), encoding="utf-8")
        j = run(path)
        samples = []
        for _ in range(3):
            t = time.perf_counter()
            run(path)
            samples.append(time.perf_counter() - t)
    totals = j["totals"]
    print(f"5 GW campus: {totals['racks']:,} racks, {len(j['halls'])} halls, {totals['switches']:,} switches, "
          f"IT {totals['it_power_w'] / 1e9:.3f} GW")
    print(f"check + plan: {statistics.median(samples) * 1000:.0f} ms (median of 3; target 2000 ms)")


if __name__ == "__main__":
    main()
