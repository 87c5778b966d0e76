"""What factoryspec reads and writes: only regular files are read, bounded,
without blocking; imports are followed without recursion; --root must be a
directory; compile replaces its outputs as one set, even when killed.

Commands run in a subprocess with a timeout: a regression here is a hang,
and the timeout is only a safety net (no test asserts how fast anything is)."""

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from factoryspec.lang import loader, source
from factoryspec.cli.compile import is_output
from factoryspec.pipeline import check
from factoryspec.emit.safe_write import refusal, replace_dir

ROOT = Path(__file__).resolve().parent.parent
SUPERPOD = ROOT / "specs" / "superpod.fac"
SAFETY_NET = 60
OK_SPEC = "param x = 1\nlet y = x\n"


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "factoryspec", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=SAFETY_NET, stdin=subprocess.DEVNULL)


def codes_of(proc) -> list[str]:
    return [d["code"] for d in json.loads(proc.stdout)]


def lint_json(*args, cwd=None):
    proc = run("lint", "--format", "json", *args, cwd=cwd)
    return proc, json.loads(proc.stdout)


# ---- what is read -----------------------------------------------------------

@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "pipe.fac"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", ["lint", "plan", "graph", "compile"])
def test_a_fifo_as_the_spec_is_not_read(fifo, tmp_path, command):
    extra = ["-o", tmp_path / "out"] if command == "compile" else []
    proc = run(command, fifo, *extra)
    assert proc.returncode == 1
    assert "error[not-a-file]" in proc.stdout + proc.stderr and "FIFO" in proc.stdout + proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_fifo_in_a_linted_directory_is_reported_and_the_rest_checked(fifo, tmp_path):
    (tmp_path / "good.fac").write_text(OK_SPEC)
    (tmp_path / "bad.fac").write_text("hall {\n")
    proc, diags = lint_json(tmp_path)
    assert proc.returncode == 1
    by_file = {(Path(d["file"]).name, d["code"]) for d in diags}
    assert ("pipe.fac", "not-a-file") in by_file
    assert any(name == "bad.fac" for name, _ in by_file), "the other files are still checked"
    fifo_diag = next(d for d in diags if d["code"] == "not-a-file")
    assert fifo_diag["severity"] == "error" and fifo_diag["line"] == 1


@pytest.mark.parametrize("fmt", ["sarif", "github"])
def test_ci_formats_do_not_read_a_fifo_for_a_snippet(fifo, fmt):
    proc = run("lint", "--format", fmt, fifo)
    assert proc.returncode == 1 and "not-a-file" in proc.stdout


def test_fmt_reports_a_fifo_in_a_directory(fifo, tmp_path):
    (tmp_path / "good.fac").write_text(OK_SPEC)
    proc = run("fmt", "--check", tmp_path)
    assert proc.returncode == 1 and "error[not-a-file]" in proc.stderr


def test_dev_zero_as_the_spec(tmp_path):
    proc, diags = lint_json("/dev/zero")
    assert proc.returncode == 1 and [d["code"] for d in diags] == ["not-a-file"]
    assert "device" in diags[0]["message"]


def test_a_spec_that_links_to_dev_zero(tmp_path):
    (tmp_path / "zero.fac").symlink_to("/dev/zero")
    proc, diags = lint_json(tmp_path / "zero.fac")
    assert proc.returncode == 1 and [d["code"] for d in diags] == ["not-a-file"]
    proc, diags = lint_json(tmp_path)   # and found in a walk
    assert proc.returncode == 1 and [d["code"] for d in diags] == ["not-a-file"]


def test_an_import_of_a_link_to_dev_zero(tmp_path):
    (tmp_path / "zero.fac").symlink_to("/dev/zero")
    (tmp_path / "main.fac").write_text('\nimport "zero.fac"\n')
    proc, diags = lint_json(tmp_path / "main.fac", "--root", "/")
    assert proc.returncode == 1
    [d] = diags
    assert d["code"] == "import-not-found" and "device" in d["message"]
    assert (Path(d["file"]).name, d["line"]) == ("main.fac", 2)


def test_verify_does_not_read_dev_zero_or_a_fifo(fifo):
    for layout in ("/dev/zero", fifo):
        proc = run("verify", SUPERPOD, layout)
        assert proc.returncode == 1 and "error[not-a-file]" in proc.stdout, proc.stdout + proc.stderr


def test_a_symlink_loop(tmp_path):
    (tmp_path / "a.fac").symlink_to("b.fac")
    (tmp_path / "b.fac").symlink_to("a.fac")
    proc, diags = lint_json(tmp_path / "a.fac")
    assert proc.returncode == 1 and [d["code"] for d in diags] == ["not-a-file"]
    assert "loop" in diags[0]["message"]
    (tmp_path / "main.fac").write_text('import "a.fac"\n')
    proc, diags = lint_json(tmp_path / "main.fac")
    assert proc.returncode == 1 and [(d["code"], d["line"]) for d in diags] == [("import-not-found", 1)]
    assert "loop" in diags[0]["message"]
    proc = run("plan", tmp_path / "a.fac")
    assert proc.returncode == 1 and "error[not-a-file]" in proc.stderr


@pytest.mark.parametrize("target", ['"' + "a" * 300 + '.fac"', "catalog." + "a" * 300])
def test_a_300_character_import_name(tmp_path, target):
    (tmp_path / "main.fac").write_text(f"param x = 1\nimport {target}\n")
    proc, diags = lint_json(tmp_path / "main.fac")
    assert proc.returncode == 1
    assert [(d["code"], d["line"]) for d in diags if d["severity"] == "error"] == [("import-not-found", 2)]


def test_a_300_character_spec_name():
    proc, diags = lint_json("a" * 300 + ".fac")
    assert proc.returncode == 1 and [d["code"] for d in diags] == ["not-a-file"]


def test_a_file_over_the_limit_is_not_read(tmp_path):
    big = tmp_path / "big.fac"
    with open(big, "wb") as fh:
        fh.truncate(source.MAX_BYTES + 1)   # sparse: no 8 MiB written
    proc, diags = lint_json(big)
    assert proc.returncode == 1 and [d["code"] for d in diags] == ["file-too-large"]


def test_the_limit_holds_while_reading():
    # A pipe stands in for a file whose size says nothing (growing, /proc):
    # the reader stops one byte past the limit.
    r, w = os.pipe()
    try:
        os.write(w, b"x" * 100)
        got = source._read_at_most(r, 10)
    finally:
        os.close(r)
        os.close(w)
    assert isinstance(got, source.Unreadable) and got.code == "file-too-large" and got.size == 11


def _chain(tmp_path: Path, length: int) -> Path:
    for i in range(length):
        body = f'import "c{i + 1}.fac"\n' if i + 1 < length else ""
        (tmp_path / f"c{i}.fac").write_text(body + f"let v{i} = {i}\n")
    return tmp_path / "c0.fac"


def test_a_chain_of_1000_imports_is_not_nesting(tmp_path):
    proc, diags = lint_json(_chain(tmp_path, 1000))
    assert [d["code"] for d in diags if d["severity"] == "error"] == []
    assert proc.returncode == 0, proc.stderr


def test_the_file_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_FILES", 20)
    result = check(str(_chain(tmp_path, 30)))
    over = [d for d in result.diagnostics if d.code == "too-many-imports"]
    assert len(over) == 1 and over[0].span.file.endswith("c19.fac") and over[0].span.line == 1
    assert len(result.program.files) == 20


@pytest.mark.parametrize("command", ["lint", "compile", "plan", "graph", "verify"])
def test_root_must_exist(tmp_path, command):
    spec = tmp_path / "s.fac"
    spec.write_text(OK_SPEC)
    extra = [tmp_path / "layout.json"] if command == "verify" else []
    proc = run(command, spec, *extra, "--root", "/nonexistent")
    assert proc.returncode == 2 and "--root" in proc.stderr and "does not exist" in proc.stderr


def test_root_must_be_a_directory(tmp_path, fifo):
    spec = tmp_path / "s.fac"
    spec.write_text(OK_SPEC)
    for root in (spec, fifo):
        proc = run("lint", spec, "--root", root)
        assert proc.returncode == 2 and "--root" in proc.stderr


# ---- what compile writes ----------------------------------------------------

OLD = {"layout.json": b"old layout", "bom.csv": b"old bom", "report.md": b"old report",
       **{f"floorplan-h{i}.svg": b"old plan %d" % i for i in range(8)}}
NEW = {"layout.json": b"new layout" * 1000, "bom.csv": b"new bom", "report.md": b"new report",
       "siteplan.svg": b"new site", **{f"floorplan-h{i}.svg": b"new plan %d" % i for i in range(5)}}


def contents(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir()}


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(out.name + ".tmp-"))


def test_replace_dir_replaces_the_set(tmp_path):
    out = tmp_path / "out"
    assert replace_dir(out, OLD, is_output) is None
    assert contents(out) == OLD
    assert replace_dir(out, NEW, is_output) is None
    assert contents(out) == NEW, "old files the new compile does not write are gone too"
    assert leftovers(out) == []


def test_replace_dir_refuses_a_directory_that_is_not_an_output(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "layout.json").write_bytes(b"mine")
    (out / "notes.txt").write_bytes(b"keep me")
    problem = replace_dir(out, NEW, is_output)
    assert problem.code == "output-dir-foreign" and "notes.txt" in problem.message
    assert contents(out) == {"layout.json": b"mine", "notes.txt": b"keep me"}
    assert leftovers(out) == []
    (out / "notes.txt").unlink()
    (out / "sub").mkdir()
    assert replace_dir(out, NEW, is_output).code == "output-dir-foreign"


def test_replace_dir_refuses_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert refusal(".", is_output).code == "output-dir-foreign"
    assert refusal(tmp_path.parent, is_output).code == "output-dir-foreign"


def test_compile_refuses_before_solving(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    proc = run("compile", SUPERPOD, "-o", out)
    assert proc.returncode == 1 and "error[output-dir-foreign]" in proc.stdout
    assert contents(out) == {"notes.txt": b"keep me"}


def test_the_next_compile_removes_leftovers_of_a_dead_one(tmp_path):
    out = tmp_path / "out"
    replace_dir(out, OLD, is_output)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f"out.tmp-{dead}-abc"
    stale.mkdir()
    (stale / "layout.json").write_bytes(b"half")
    running = tmp_path / f"out.tmp-{os.getppid()}-xyz"   # a live process's: left alone
    running.mkdir()
    assert replace_dir(out, NEW, is_output) is None
    assert leftovers(out) == [running.name] and contents(out) == NEW


# The write phase made slow in a child process (each fsync sleeps), so that a
# SIGKILL at a random moment lands anywhere in it: while files are written,
# between the swap and removing the old set, or after.
_SLOW_CHILD = textwrap.dedent("""
    import os, sys, time
    from factoryspec.emit import safe_write
    from factoryspec.cli.compile import is_output
    real = os.fsync
    def slow(fd):
        time.sleep(0.01)
        real(fd)
    safe_write.os.fsync = slow
    new = {k: v.encode("latin-1") for k, v in eval(sys.argv[2]).items()}
    print("go", flush=True)
    assert safe_write.replace_dir(sys.argv[1], new, is_output) is None
""")


def _kill_at_random(out: Path, rng: random.Random) -> None:
    new = repr({k: v.decode("latin-1") for k, v in NEW.items()})
    child = subprocess.Popen([sys.executable, "-c", _SLOW_CHILD, str(out), new], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "go\n"
        time.sleep(rng.uniform(0, 0.25))
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=SAFETY_NET)
        child.stdout.close()


def test_a_killed_write_leaves_the_old_set_or_the_new_one(tmp_path):
    rng = random.Random(1)
    out = tmp_path / "out"
    seen = set()
    for _ in range(30):
        assert replace_dir(out, OLD, is_output) is None   # as the next compile would: cleans up first
        assert contents(out) == OLD and leftovers(out) == []
        _kill_at_random(out, rng)
        found = contents(out)
        assert found in (OLD, NEW), sorted(found)
        seen.add("old" if found == OLD else "new")
        seen.add("leftovers" if leftovers(out) else "clean")
    assert {"old", "new"} <= seen, "the kills should land both before and after the swap"


def test_a_killed_compile_leaves_the_old_outputs_or_the_new_ones(tmp_path):
    args = ["--time-limit", "20"]   # CP-SAT's limit is deterministic: equal limits, equal layouts
    old_ref, new_ref = tmp_path / "old", tmp_path / "new"
    assert run("compile", SUPERPOD, "-o", old_ref, "--seed", "1", *args).returncode == 0
    started = time.monotonic()
    assert run("compile", SUPERPOD, "-o", new_ref, "--seed", "0", *args).returncode == 0
    duration = time.monotonic() - started   # only to spread the kills over a run, never asserted
    old, new = contents(old_ref), contents(new_ref)
    assert old != new
    rng = random.Random(2)
    out = tmp_path / "out"
    for _ in range(4):
        replace_dir(out, old, is_output)
        child = subprocess.Popen([sys.executable, "-m", "factoryspec", "compile", str(SUPERPOD), "-o", str(out),
                                  "--seed", "0", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            child.wait(timeout=rng.uniform(0.6, 1.0) * duration)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
        child.wait(timeout=SAFETY_NET)
        assert contents(out) in (old, new)


def test_imports_are_budgeted_in_bytes(tmp_path):
    """Files each under the per-file limit still stop at the spec's total."""
    n = source.MAX_TOTAL_BYTES // source.MAX_BYTES + 2
    pad = "#" * (source.MAX_BYTES - 100) + "\n"
    for i in range(n):
        nxt = f'import "p{i + 1}.fac"\n' if i + 1 < n else ""
        (tmp_path / f"p{i}.fac").write_text(nxt + pad, encoding="utf-8")
    proc, diags = lint_json(tmp_path / "p0.fac")
    found = [d for d in diags if d["code"] == "too-many-imports"]
    assert proc.returncode == 1 and len(found) == 1, diags
    assert f"at least the {source.MAX_TOTAL_BYTES:,} a spec may have" in found[0]["message"]
