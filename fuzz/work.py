"""What a worker process does with one case of each target.

Handlers run in a forked pool worker (fuzz/pool.py) and return a plain dict;
the parent decides what is a finding. Cases are written to a per-worker
temporary directory that holds a copy of the case's corpus directory, so a
mutant of tests/checks/x.fac can still `import "common.fac"`.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from .findings import describe_exception

_TMP: str | None = None
BASE: str | None = None         # the run's directory (set before the pool forks): removed with it
_CAPTURED: list[str] = []       # tracebacks of exceptions the pipeline turns into internal-error


def scratch(corpus_dir: str) -> Path:
    """This worker's copy of a corpus directory (made on first use)."""
    global _TMP
    if _TMP is None or not os.path.isdir(_TMP):
        _TMP = tempfile.mkdtemp(prefix="factoryspec-fuzz-", dir=BASE)
    dest = Path(_TMP) / str(abs(hash(corpus_dir)))
    if not dest.exists():
        dest.mkdir()
        for f in Path(corpus_dir).glob("*.fac"):
            shutil.copy(f, dest / f.name)
    return dest


def _capture(module, name: str, materialize: bool = False) -> None:
    """Wrap module.name so an exception it raises leaves its traceback in
    _CAPTURED: the pipeline catches it into an `internal-error` diagnostic,
    and the traceback tells which bug that was."""
    fn = getattr(module, name)
    if getattr(fn, "_fuzz_wrapped", False):
        return

    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:
            _CAPTURED.append(traceback.format_exc())
            raise

    def lazy_wrapper(*args, **kwargs):
        # A rule's check is a generator: it fails while being consumed, and
        # checks.run stops consuming it past its budget, so stay lazy.
        try:
            yield from fn(*args, **kwargs)
        except Exception:
            _CAPTURED.append(traceback.format_exc())
            raise
    wrapper = lazy_wrapper if materialize else wrapper
    wrapper._fuzz_wrapped = True
    setattr(module, name, wrapper)


def _instrument() -> None:
    from factoryspec import checks, model
    from factoryspec.checks import asserts
    _capture(model, "build_model")
    _capture(asserts, "check_asserts")
    for rule in checks.RULES:          # checks.run turns a failing rule into internal-error
        _capture(rule, "check", materialize=True)


def lint(corpus_dir: str, data: bytes) -> dict:
    """factoryspec.pipeline.check on the mutant, in this process."""
    from factoryspec.diagnostics import Severity, codes
    from factoryspec.pipeline import check

    _instrument()
    path = scratch(corpus_dir) / "fuzz_case.fac"
    path.write_bytes(data)
    del _CAPTURED[:]
    try:
        result = check(str(path))
    except BaseException as exc:  # noqa: BLE001: this is what the fuzzer looks for
        return {"status": "exception", **describe_exception(exc)}
    diags = result.diagnostics
    internal = [d.message for d in diags if d.code == "internal-error"]
    return {"status": "ok",
            "errors": sum(d.severity is Severity.ERROR for d in diags),
            "internal": internal, "captured": list(_CAPTURED) if internal else [],
            "uncoded": sorted({d.code for d in diags if codes.get(d.code) is None})}


def compile_case(corpus_dir: str, data: bytes, time_limit: float, max_errors: int, timeout: float) -> dict:
    """`factoryspec compile` on a mutant that lints (nearly) clean, through the
    CLI's own entry point in this worker (an interpreter start and the solver's
    import per case would double the cost; the pool's timeout still bounds it)."""
    checked = lint(corpus_dir, data)
    if checked["status"] != "ok" or checked["errors"] > max_errors:
        return {"status": "skipped", "lint": checked}
    work = scratch(corpus_dir)
    path = work / "fuzz_case.fac"
    out = Path(tempfile.mkdtemp(prefix="out-", dir=work))
    try:
        return _in_process(["compile", str(path), "--time-limit", str(time_limit), "-o", str(out)], work)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _in_process(args: list[str], cwd) -> dict:
    """The CLI's main on `args`, its output captured. FACTORYSPEC_DEBUG makes
    the CLI re-raise instead of printing internal-error, so a bug comes with
    its traceback."""
    from factoryspec.cli import main

    out, err = io.StringIO(), io.StringIO()
    os.environ["FACTORYSPEC_DEBUG"] = "1"
    rc = 0
    here = os.getcwd()
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(args, standalone_mode=False, prog_name="factoryspec")
    except SystemExit as exc:
        rc = exc.code if isinstance(exc.code, int) else 1
    except BaseException as exc:  # noqa: BLE001: this is what the fuzzer looks for
        return {"status": "exception", **describe_exception(exc)}
    finally:
        os.chdir(here)
    return {"status": "ran", "rc": rc, "stdout": _ends(out.getvalue()), "stderr": _ends(err.getvalue())}


def run_cli(args: list[str], timeout: float, cwd, env_extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "FACTORYSPEC_DEBUG"}
    env.update(env_extra or {})
    try:
        proc = subprocess.run([sys.executable, "-m", "factoryspec", *args], cwd=cwd, env=env,
                              capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"status": "timeout"}
    return {"status": "ran", "rc": proc.returncode,
            "stdout": _ends(proc.stdout.decode("utf-8", "replace")),
            "stderr": _ends(proc.stderr.decode("utf-8", "replace"))}


def _ends(text: str, keep: int = 20000) -> str:
    """The first and last lines of a long output: the first diagnostic's
    header (its code) and the summary are what the findings look at."""
    return text if len(text) <= keep else text[:keep // 4] + "\n...\n" + text[-(keep - keep // 4):]


def verify_case(spec: str, layout: bytes) -> dict:
    """`factoryspec verify SPEC LAYOUT` through the CLI's own entry point, in
    this process (an interpreter start per tamper would triple the cost)."""
    path = scratch(os.path.dirname(spec)) / "fuzz_layout.json"
    path.write_bytes(layout)
    return _in_process(["verify", spec, str(path)], os.getcwd())


def lsp_case(messages: list[bytes], probe_timeout: float, fresh: bool) -> dict:
    """Send a case's raw messages to this worker's language server, then a
    valid request; report whether it was answered (lsp_client.py)."""
    from .lsp_client import session
    return session(fresh).run_case(messages, probe_timeout)


HANDLERS = {"lint": lint, "compile": compile_case, "verify": verify_case, "lsp": lsp_case}
