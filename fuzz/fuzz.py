"""Fuzzing factoryspec: mutated specs, tampered layouts and broken LSP streams.

    python fuzz/fuzz.py --target lint --count 100000 --jobs 2
    python -m fuzz.fuzz --target verify --seconds 600 --seed 7 --out /tmp/findings

Every case is run in a forked worker with a CPU-time budget (fuzz/pool.py:
a case's own work, whatever else the machine runs; a case blocked without
using CPU is caught by wall time at three budgets). A
finding is a traceback, an `internal-error` diagnostic, a diagnostic with no
registered code, a hang, a crashed worker, a wrong exit code, a tampered
layout that verify accepts (or an untouched one it rejects), or a language
server that stops answering or dies. Findings are deduplicated by (kind,
exception type, innermost factoryspec frame), shrunk, and written to --out
with one summary line each in findings.txt (written as they are found,
rewritten once shrunk). Exit 0 when there were no
findings, 1 when there were.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from random import Random

if __package__ in (None, ""):
    # Run as a script (python fuzz/fuzz.py): this file's directory would
    # shadow the fuzz package with this very module, so put the checkout there.
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from fuzz import lsp_cases, mutate                                   # noqa: E402
from fuzz.findings import Finding, Store, innermost_frame               # noqa: E402
from fuzz.pool import WAIT, Pool                                        # noqa: E402
from fuzz.shrink import ddmin, shrink_bytes                             # noqa: E402
from fuzz import work as worker_files                                  # noqa: E402
from fuzz.work import HANDLERS                                          # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HANG = 10.0                      # CPU seconds: a case that takes longer is a hang
COMPILE_TIMEOUT = 60.0           # CPU seconds for a `compile --time-limit 3` before it counts as a hang
SLOWEST = 5                      # the slowest cases (CPU time) the summary names
VERIFY_SPECS = ["specs/superpod.fac", "tests/checks/base_pass.fac"]
_CODED = re.compile(r"^(error|warning|info)\[[a-z0-9-]+\]:", re.M)


@dataclass
class Corpus:
    files: list[tuple[str, bytes, str]]      # (directory, bytes, name)
    tokens: list[str]


# the shipped specs, the test cases and checks, and the topology and fidelity specs
# (nodes, appliances on several fabrics, shared fabrics, planes: nothing else has them)
CORPUS = ("specs/*.fac", "tests/cases/*.fac", "tests/checks/*.fac", "tests/topology/*.fac", "tests/fidelity/*.fac")


def load_corpus(patterns=CORPUS) -> Corpus:
    files = []
    for pattern in patterns:
        for f in sorted(ROOT.glob(pattern)):
            files.append((str(f.parent), f.read_bytes(), str(f.relative_to(ROOT))))
    toks = sorted({t for _, data, _ in files for t in mutate.tokens(data.decode("utf-8", "replace"))
                   if t.strip() and len(t) < 40})
    return Corpus(files, toks)


def case_rng(seed: int, target: str, i: int) -> Random:
    """Each case its own generator: the same seed gives the same cases whatever the job count."""
    return Random(f"{seed}:{target}:{i}")


# ---- lint ---------------------------------------------------------------------------
def lint_findings(result: dict, data: bytes, name: str, target: str = "lint") -> list[Finding]:
    """What is wrong in one lint result (nothing, usually)."""
    status = result["status"]
    base = dict(target=target, data=data, note=f"mutant of {name}")
    if status == "timeout":
        return [Finding("hang", message=f"check() took more than {HANG:g} s of CPU (or was blocked)",
                        where=innermost_frame(result.get("stack", "")), **base)]
    if status == "died":
        return [Finding("crash", message=f"the worker died (exit code {result.get('exitcode')})", **base)]
    if status == "exception":
        return [Finding("traceback", message=result["message"], where=result["where"], **base)]
    if status == "harness-error":
        return [Finding("harness-error", message=result["message"], **base)]
    out = []
    for i, message in enumerate(result.get("internal", [])):
        captured = result.get("captured") or []
        where = innermost_frame(captured[i]) if i < len(captured) else ""
        out.append(Finding("internal-error", message=_exception_part(message), where=where, **base))
    for code in result.get("uncoded", []):
        out.append(Finding("uncoded", message=f"diagnostic code {code!r} is not registered", **base))
    return out


def _exception_part(message: str) -> str:
    """'building the model failed: TypeError: x' -> 'TypeError: x' (the key uses the type)."""
    m = re.search(r"\b([A-Z][A-Za-z]*(Error|Exception|Exit|Interrupt)\b.*)", message)
    return m.group(1) if m else message


def lint_jobs(corpus: Corpus, seed: int, target: str = "lint", mutators=mutate.MUTATORS):
    i = 0
    while True:
        rng = case_rng(seed, target, i)
        directory, data, name = rng.choice(corpus.files)
        mutant, ops = mutate.mutate(data, rng, corpus, mutators)
        yield (dict(i=i, name=name, dir=directory, ops=ops, data=mutant), target, (directory, mutant))
        i += 1


def lint_still_fails(pool: Pool, finding: Finding, directory: str):
    def test(data: bytes) -> bool:
        for _, result in pool.run([(None, "lint", (directory, data))]):
            return any(f.key == finding.key for f in lint_findings(result, data, ""))
        return False
    return test


# ---- compile ------------------------------------------------------------------------
def compile_findings(result: dict, data: bytes, name: str) -> list[Finding]:
    base = dict(target="compile", data=data, note=f"mutant of {name}; factoryspec compile FILE --time-limit 3")
    status = result["status"]
    if status == "timeout":
        return [Finding("hang", message=f"the case took more than {COMPILE_TIMEOUT + 10:g} s of CPU (or was blocked)",
                        where=innermost_frame(result.get("stack", "")), **base)]
    if status in ("died", "exception", "harness-error"):
        return lint_findings(result, data, name, "compile")
    if status == "skipped":
        return [f for f in lint_findings(result["lint"], data, name, "compile")]
    out, err, rc = result["stdout"], result["stderr"], result["rc"]
    if "Traceback (most recent call last)" in err:
        last = err.strip().splitlines()[-1] if err.strip() else ""
        return [Finding("traceback", message=last, where=innermost_frame(err), **base)]
    found = []
    for m in re.finditer(r"error\[internal-error\]: (.*)", out + err):
        found.append(Finding("internal-error", message=_exception_part(m.group(1)), **base))
    if rc not in (0, 1, 3):
        found.append(Finding("wrong-exit", message=f"exit code {rc}", **base))
    elif rc != 0 and not _CODED.search(out + err):
        found.append(Finding("uncoded", message=f"exit {rc} without a coded diagnostic", **base))
    return found


# Compiles of these take 30-40 s each whatever the time limit (emitting a
# layout of 80,000 links): a thousand mutants of them would take hours. Their
# mutants are linted; their compiles are the test suite's and the benchmarks'.
SLOW_COMPILES = ("specs/sweetwater-2gw.fac", "specs/vera-rubin-1gw.fac")


def compile_jobs(corpus: Corpus, seed: int, time_limit: float):
    """Gently mutated specs that compile: the shipped specs (but SLOW_COMPILES)
    and the passing check fixtures."""
    compilable = Corpus([f for f in corpus.files if (f[2].startswith("specs/") or f[2].endswith("_pass.fac"))
                         and f[2] not in SLOW_COMPILES], corpus.tokens)
    for job, _, (directory, mutant) in lint_jobs(compilable, seed, "compile", mutate.GENTLE):
        yield job, "compile", (directory, mutant, time_limit, 1, COMPILE_TIMEOUT)


def compile_still_fails(pool: Pool, finding: Finding, directory: str, time_limit: float):
    def test(data: bytes) -> bool:
        for _, result in pool.run([(None, "compile", (directory, data, time_limit, 10**9, COMPILE_TIMEOUT))]):
            return any(f.key == finding.key for f in compile_findings(result, data, ""))
        return False
    return test


def with_debug_frame(finding: Finding, directory: str) -> None:
    """An internal-error from the CLI names no place: rerun with
    FACTORYSPEC_DEBUG=1, which re-raises, to learn the innermost frame."""
    from fuzz.work import run_cli, scratch
    work = scratch(directory)
    path = work / "fuzz_debug.fac"
    path.write_bytes(finding.data)
    out = tempfile.mkdtemp(dir=work)
    ran = run_cli(["compile", str(path), "--time-limit", "3", "-o", out], COMPILE_TIMEOUT, work,
                  {"FACTORYSPEC_DEBUG": "1"})
    shutil.rmtree(out, ignore_errors=True)
    if ran["status"] == "ran":
        finding.where = innermost_frame(ran["stderr"]) or finding.where


# ---- verify -------------------------------------------------------------------------
def base_layouts(specs: list[str], work: Path) -> list[tuple[str, dict, bytes]]:
    """Compile each spec once: its layout.json is what the tampers start from."""
    out = []
    for spec in specs:
        dest = work / Path(spec).stem
        proc = subprocess.run([sys.executable, "-m", "factoryspec", "compile", str(ROOT / spec), "--time-limit", "3",
                               "-o", str(dest)], capture_output=True, cwd=work)
        if proc.returncode != 0:
            raise SystemExit(f"cannot compile {spec} for the verify target:\n{proc.stderr.decode()}")
        text = (dest / "layout.json").read_bytes()
        out.append((str(ROOT / spec), json.loads(text), text))
    return out


def verify_jobs(layouts, seed: int):
    i = 0
    while True:
        rng = case_rng(seed, "verify", i)
        spec, doc, text = rng.choice(layouts)
        if rng.random() < 0.15:
            data, desc, changed = mutate.raw_tamper(text, rng)
        else:
            data, desc, changed = mutate.tamper(doc, rng)
        yield (dict(i=i, name=spec, desc=desc, changed=changed, data=data), "verify", (spec, data))
        i += 1


def verify_findings(job: dict, result: dict) -> list[Finding]:
    spec = str(Path(job["name"]).relative_to(ROOT))
    base = dict(target="verify", data=job["data"], ext=".json",
                note=f"factoryspec verify {spec} FILE  ({job['desc']})")
    status = result["status"]
    if status == "timeout":
        return [Finding("hang", message=f"verify took more than {HANG:g} s of CPU (or was blocked)",
                        where=innermost_frame(result.get("stack", "")), **base)]
    if status == "died":
        return [Finding("crash", message=f"the worker died (exit code {result.get('exitcode')})", **base)]
    if status in ("exception", "harness-error"):
        kind = "traceback" if status == "exception" else status
        return [Finding(kind, message=result["message"], where=result.get("where", ""), **base)]
    rc, text = result["rc"], result["stdout"] + result["stderr"]
    field = _field_pattern(job["desc"])
    if "internal-error" in text:
        return [Finding("internal-error", message=_first_line(text, "internal-error"), where=field, **base)]
    if rc not in (0, 1):
        return [Finding("wrong-exit", message=f"exit code {rc}", where=field, **base)]
    if job["changed"] and rc == 0:
        return [Finding("accepted-tamper", message=f"verify accepted: {job['desc']}", where=field, **base)]
    if not job["changed"] and rc != 0:
        return [Finding("rejected-noop", message=f"verify rejected a no-op: {job['desc']}", where=field, **base)]
    if rc == 1 and not _CODED.search(text):
        return [Finding("uncoded", message="exit 1 without a coded diagnostic", where=field, **base)]
    return []


def _field_pattern(desc: str) -> str:
    """'set placements/12/x_m from 1 to 2' -> 'set placements/*/x_m': one field, one finding."""
    words = desc.split(" ")
    shown = words[1] if len(words) > 1 else ""
    return f"{words[0]} {re.sub(r'/[0-9]+(?=/|$)', '/*', shown)}".strip()


def _first_line(text: str, needle: str) -> str:
    return next((line for line in text.splitlines() if needle in line), needle)


# ---- lsp ----------------------------------------------------------------------------
def lsp_jobs(corpus: Corpus, seed: int, probe_timeout: float):
    i = 0
    while True:
        rng = case_rng(seed, "lsp", i)
        messages, desc = lsp_cases.case(rng, corpus)
        yield (dict(i=i, name=desc, data=messages), "lsp", (messages, probe_timeout, False))
        i += 1


def lsp_findings(job: dict, result: dict) -> list[Finding]:
    stream = b"".join(lsp_cases.replay_stream(job["data"]))
    base = dict(target="lsp", data=stream, ext=".bin",
                note=f"bytes for `factoryspec lsp` stdin, run in an empty directory ({job['name']})")
    status = result["status"]
    if status in ("deaf", "dead"):
        more = f" (exit code {result.get('exitcode')})" if status == "dead" else ""
        return [Finding(f"{status}-server", message=f"no answer to a valid request after: {job['name']}{more}",
                        **base)]
    if status == "timeout":
        return [Finding("hang", message=f"case took more than the budget: {job['name']}", **base)]
    if status in ("died", "exception", "harness-error"):
        return [Finding(status, message=result.get("message", status), **base)]
    out = []
    for problem in result.get("problems", []):
        kind, _, message = problem.partition(": ")
        out.append(Finding(kind, message=_exception_part(message.splitlines()[0]) if kind == "internal-error"
                           else message.splitlines()[0][:200], where=innermost_frame(message), **base))
    return out


def lsp_still_fails(pool: Pool, finding: Finding, probe_timeout: float):
    def test(messages: list[bytes]) -> bool:
        job = dict(name="shrinking", data=messages)
        for _, result in pool.run([(None, "lsp", (messages, probe_timeout, True))]):
            return any(f.key[:2] == finding.key[:2] for f in lsp_findings(job, result))
        return False
    return test


# ---- the run ------------------------------------------------------------------------
@dataclass
class Options:
    target: str
    count: int | None = None
    seconds: float | None = None
    seed: int = 0
    jobs: int = 1
    out: Path = ROOT / "fuzz" / "findings"
    shrink_seconds: float = 60.0
    quiet: bool = False
    stop_after: int | None = None   # distinct findings after which to stop (the quick test needs only one)


def run(opt: Options) -> dict:
    """Fuzz one target; returns statistics and the deduplicated findings."""
    started = time.monotonic()
    corpus = load_corpus()
    store = Store(opt.out)
    work = Path(tempfile.mkdtemp(prefix="factoryspec-fuzz-run-"))
    worker_files.BASE = str(work)      # workers' scratch copies live (and die) with the run
    timeout = {"compile": COMPILE_TIMEOUT + 10, "lsp": 60.0}.get(opt.target, HANG)
    # The server's work runs in its own process: its cases are bounded by wall time.
    pool = Pool(HANDLERS, opt.jobs, timeout, cpu=opt.target != "lsp")
    try:
        jobs, classify = _target(opt, corpus, work)
        stats = _drive(opt, pool, jobs, classify, store, started)
        for finding in store.seen.values():
            _shrink(opt, pool, finding)
            path = store.write(finding)
            if not opt.quiet:
                print(f"  {finding.kind} [{finding.target}] {finding.message[:120]} -> {path}", file=sys.stderr)
    finally:
        pool.close()
        shutil.rmtree(work, ignore_errors=True)
    stats.update(seconds=round(time.monotonic() - started, 1), findings=list(store.seen.values()),
                 occurrences={" / ".join(map(str, k)): n for k, n in store.counts.items()})
    return stats


def _target(opt: Options, corpus: Corpus, work: Path):
    if opt.target == "lint":
        return (lint_jobs(corpus, opt.seed),
                lambda job, result: lint_findings(result, job["data"], job["name"]))
    if opt.target == "compile":
        return (compile_jobs(corpus, opt.seed, 3.0),
                lambda job, result: compile_findings(result, job["data"], job["name"]))
    if opt.target == "verify":
        return verify_jobs(base_layouts(VERIFY_SPECS, work), opt.seed), verify_findings
    if opt.target == "lsp":
        return lsp_jobs(corpus, opt.seed, 10.0), lsp_findings
    raise SystemExit(f"unknown target {opt.target!r}")


def _drive(opt: Options, pool: Pool, jobs, classify, store: Store, started: float) -> dict:
    """Run cases until --count have run (compile: skipped ones do not count) or --seconds pass."""
    stats = {"target": opt.target, "cases": 0, "skipped": 0, "occurrences_total": 0, "slowest": []}
    wanted = opt.count if opt.count is not None else (None if opt.seconds else 1000)

    def before_deadline():
        for job in jobs:
            if opt.seconds is not None and time.monotonic() - started > opt.seconds:
                return
            yield job

    for job, result in pool.run(_bounded(before_deadline(), stats, wanted)):
        if result.get("status") == "skipped":
            stats["skipped"] += 1
            if stats["skipped"] > 50 * (wanted or 1000):
                break
        else:
            stats["cases"] += 1
            _note_slow(stats["slowest"], job[0], result)
        for finding in classify(job[0], result):
            finding.extra = {"job": job[0], "args": job[2]}
            stats["occurrences_total"] += 1
            if store.add(finding) and not opt.quiet:
                print(f"finding: {finding.kind} [{finding.target}] {finding.message[:150]}", file=sys.stderr)
        if opt.stop_after is not None and len(store.seen) >= opt.stop_after:
            break
        if not opt.quiet and stats["cases"] and stats["cases"] % 500 == 0 and result.get("status") != "skipped":
            print(f"{stats['cases']} cases, {len(store.seen)} distinct findings, "
                  f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    return stats


def _note_slow(slowest: list, job: dict, result: dict) -> None:
    """Keep the SLOWEST cases by CPU time: how close the run came to a hang."""
    cpu = result.get("cpu_seconds")
    if cpu is None:
        return
    slowest.append((cpu, result.get("seconds"), job.get("i"), job.get("name"), str(job.get("ops", job.get("desc", "")))[:120]))
    slowest.sort(key=lambda row: (-row[0], row[2]))
    del slowest[SLOWEST:]


def _bounded(jobs, stats: dict, wanted):
    """Hand out jobs only while fewer than `wanted` cases have run or are
    running. When enough are running, wait for them (WAIT): a case that ends
    skipped makes room for another, so exactly `wanted` cases run."""
    issued = 0
    for job in jobs:
        while wanted is not None and issued - stats["skipped"] >= wanted:
            if stats["cases"] >= wanted:
                return
            yield WAIT
        issued += 1
        yield job


def _shrink(opt: Options, pool: Pool, finding: Finding) -> None:
    """Reduce the finding's input while it still shows the same finding."""
    if opt.shrink_seconds <= 0:
        return
    job, args = finding.extra["job"], finding.extra["args"]
    if finding.target == "lint":
        seconds = opt.shrink_seconds * (3 if finding.kind == "hang" else 1)
        finding.data = shrink_bytes(finding.data, lint_still_fails(pool, finding, args[0]), seconds)
    elif finding.target == "compile":
        finding.data = shrink_bytes(finding.data, compile_still_fails(pool, finding, args[0], args[2]),
                                    opt.shrink_seconds)
        if finding.kind == "internal-error" and not finding.where:
            with_debug_frame(finding, args[0])
    elif finding.target == "lsp":
        deadline = time.monotonic() + opt.shrink_seconds
        messages = ddmin(list(job["data"]), lsp_still_fails(pool, finding, 10.0), deadline)
        finding.data = b"".join(lsp_cases.replay_stream(messages))
    # verify: the tamper is already one change to one field, named in the summary line.


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="fuzz", description=__doc__.split("\n\n")[0])
    p.add_argument("--target", choices=["lint", "compile", "verify", "lsp"], required=True)
    p.add_argument("--count", type=int, default=None, help="cases to run (default 1000 unless --seconds)")
    p.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--out", type=Path, default=ROOT / "fuzz" / "findings", help="directory for reproducers")
    p.add_argument("--shrink-seconds", type=float, default=60.0, help="time to shrink each finding (0: do not)")
    p.add_argument("--stop-after", type=int, default=None, help="stop after this many distinct findings")
    a = p.parse_args(argv)
    stats = run(Options(a.target, a.count, a.seconds, a.seed, a.jobs, a.out, a.shrink_seconds,
                        stop_after=a.stop_after))
    print(f"{stats['target']}: {stats['cases']} cases ({stats['skipped']} skipped) in {stats['seconds']} s: "
          f"{len(stats['findings'])} distinct findings, {stats['occurrences_total']} occurrences; see {a.out}")
    for cpu, wall, i, name, what in stats["slowest"]:
        print(f"  slowest: case {i} ({name}) {cpu:.2f} s CPU, {wall:.2f} s wall: {what}")
    return 1 if stats["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
