"""Cutsheet writing time and memory on a generated campus (default 5 GW).

Compiles the campus of bench_compile_cli.py in this process (not timed), then
writes its cutsheets (emit/cutsheet.py, one file per hall) into a temporary
directory, as compile does, and reports the seconds, the cables, the bytes and
the peak memory the writing added (max RSS after, less the RSS before; an
upper bound when the compile's own peak was higher).

    python benchmarks/bench_cutsheet.py [SIZE_MW]
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import compile_campus_spec  # noqa: E402


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    from factoryspec import api
    from factoryspec.emit import cutsheet

    mw = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / f"campus-{mw}mw.fac"
        spec.write_text(compile_campus_spec(mw), encoding="utf-8")
        r = api.compile(spec, time_limit=600, jobs=2)
        assert r.ok, r.diagnostics[:3]
        out = Path(tmp) / "sheets"
        out.mkdir()
        before = _rss_kb()               # now, not the compile's peak, which may be higher
        t, c = time.perf_counter(), time.process_time()
        cutsheet.write(r.problem, r.result.layout, lambda name: (out / name).open("wb"))
        seconds, cpu = time.perf_counter() - t, time.process_time() - c
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        files = sorted(out.iterdir())
        lines = sum(sum(1 for _ in f.open("rb")) - 1 for f in files)
        size = sum(f.stat().st_size for f in files)
        print(f"| {mw:,} MW | {lines:,} cables | {len(files)} files | {size / 2**20:,.0f} MB | {seconds:.1f} s "
              f"({cpu:.1f} s CPU) | +{max(after - before, 0) / 1024:,.0f} MB peak |")


if __name__ == "__main__":
    main()
