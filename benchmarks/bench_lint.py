"""Parse and lint time of a generated 10,000-line spec.

Targets (2-core machine): parse + resolve (the front end's lint) <= 0.5 s
(issue 2); lint with the model and all engineering checks <= 1 s (issue 3). Run: python benchmarks/bench_lint.py [LINES]
Reports the median of several runs after one warm-up (the warm-up pays for
building the LALR tables once per process, as the language server does).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import spec_lines  # noqa: E402

from factoryspec.lang import loader  # noqa: E402
from factoryspec.lang.parser import parse  # noqa: E402
from factoryspec.pipeline import check, fewer_gc_pauses  # noqa: E402
from factoryspec.lang.resolve import resolve  # noqa: E402


def front_end(path: str) -> None:
    """Parse + imports + resolution: lint as the language issue defined it."""
    loader._cache.entries.clear()
    with fewer_gc_pauses():
        resolve(loader.load(path))


def timed(fn, runs: int = 5) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    lines = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    text = spec_lines(lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.fac"
        path.write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        parse("let warm = 1\n")
        startup = time.perf_counter() - t0
        t_parse = timed(lambda: parse(text, str(path)))
        result = check(str(path))
        t_front = timed(lambda: front_end(str(path)))
        t_lint = timed(lambda: (loader._cache.entries.clear(), check(str(path))))  # no parse cache hits
    n_lines = text.count("\n")
    print(f"spec: {n_lines:,} lines, {len(text):,} bytes, {len(result.diagnostics)} diagnostics")
    print(f"grammar load (once per process): {startup * 1000:.0f} ms")
    print(f"parse:        {t_parse * 1000:.0f} ms  ({n_lines / t_parse:,.0f} lines/s)")
    print(f"parse + resolve:              {t_front * 1000:.0f} ms  (target 500 ms)")
    print(f"lint (+ model and all checks): {t_lint * 1000:.0f} ms  (target 1000 ms)")


if __name__ == "__main__":
    main()
