"""NetBox export: the files' time for a spec, and push throughput to a local NetBox.

    python benchmarks/bench_netbox.py files [SPEC]        # default specs/childress.fac
    python benchmarks/bench_netbox.py push [SPEC] [HALL]  # default benchmarks/netbox-pod.fac

`files` compiles SPEC in this process (not timed) and times
`emit.netbox.files` (the design and every import file), with the objects per
file and the bytes. `push` starts a NetBox as the tests do
(tests/netbox_service.py: NetBox 4.7 under gunicorn, PostgreSQL and Redis on
loopback; its cache makes a second start quick), pushes SPEC (or one HALL of
it) with 1 and 4 requests in flight (a fresh NetBox each), and reports the
objects per second of each kind, from the progress of the bulk requests:
racks, devices (NetBox makes each device's interfaces from its type's
templates in the same request, so devices/s and interfaces/s are one
figure), cables.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _compiled(spec: Path):
    from factoryspec import api

    r = api.compile(spec, time_limit=120, jobs=2)
    assert r.ok, r.diagnostics[:3]
    return r


def files(spec: Path) -> None:
    from factoryspec.emit import netbox

    r = _compiled(spec)
    t, c = time.perf_counter(), time.process_time()
    out = netbox.files(r.problem, r.result.layout, r.checked.model)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    rows = {name: data.count(b"\n") - 1 for name, data in out.items() if name.endswith(".csv")}
    size = sum(len(b) for b in out.values())
    print(f"{spec.name}: {len(out)} files, {size / 2**20:,.1f} MB in {seconds:.1f} s ({cpu:.1f} s CPU)")
    for name, n in rows.items():
        print(f"  {name}: {n:,} rows")


def push(spec: Path, hall: str | None) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from netbox_service import start_netbox

    from factoryspec import api

    r = _compiled(spec)
    with tempfile.TemporaryDirectory() as tmp:
        layout = Path(tmp) / "out"
        r.write(layout)
        print("| requests in flight | racks/s | devices/s | interfaces/s | cables/s | whole push |")
        print("|---|---|---|---|---|---|")
        for workers in (1, 4):
            with contextlib.ExitStack() as stack:
                nb = start_netbox(stack, Path(tmp) / f"netbox-{workers}")
                events: list = []                    # (time, step, done) at each bulk request's answer

                def progress(step, done, total):
                    events.append((time.perf_counter(), step, done))

                t = time.perf_counter()
                res = api.push_netbox(spec, layout / "layout.json", nb.url, nb.token, scope=(hall,) if hall else (),
                                      workers=workers, progress=progress)
                whole = time.perf_counter() - t
                assert res.ok, [d.message for d in res.diagnostics]
                per = res.interfaces / max(res.objects["devices"], 1)

                def rate(kind):
                    """Objects a second, from the answer before the kind's first request
                    (or the push's start) to the answer of its last."""
                    mine = [k for k, e in enumerate(events) if e[1] == f"create {kind}"]
                    if not mine:
                        return 0.0
                    start = events[mine[0] - 1][0] if mine[0] else t
                    return events[mine[-1]][2] / max(events[mine[-1]][0] - start, 1e-9)

                dev = rate("devices")
                print(f"| {workers} | {rate('racks'):,.0f} | {dev:,.1f} | {dev * per:,.0f} | {rate('cables'):,.1f} "
                      f"| {whole:,.0f} s ({res.objects['cables']:,} cables, {res.objects['devices']:,} devices, "
                      f"{res.interfaces:,} interfaces) |")


def main() -> None:
    what = sys.argv[1] if len(sys.argv) > 1 else "files"
    if what == "files":
        files(Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "specs" / "childress.fac")
    else:
        push(Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "benchmarks" / "netbox-pod.fac",
             sys.argv[3] if len(sys.argv) > 3 else None)


if __name__ == "__main__":
    main()
