"""The `factoryspec` command: a thin adapter over the pipeline.

This module holds the group (`main`, the console script) and lint, fmt,
explain and lsp; model.py adds plan, graph and schema, compile.py adds
compile. reference.py is the text `explain` prints, ci_formats.py the
`lint --format sarif|github` output.
"""

from __future__ import annotations

import difflib
import os
import stat
import sys
from pathlib import Path

import click

from .. import __version__
from ..diagnostics import Diagnostic, Severity, error
from ..diagnostics.render import render_json, render_text, summary

EXIT_OK, EXIT_ERRORS, EXIT_USAGE, EXIT_INFEASIBLE = 0, 1, 2, 3


def color_enabled(stream) -> bool:
    """Colour only on a terminal, and never with --no-color or NO_COLOR set to
    anything (https://no-color.org)."""
    ctx = click.get_current_context(silent=True)
    off = ctx is not None and ctx.find_root().meta.get(NO_COLOR, False)
    return stream.isatty() and not off and not os.environ.get("NO_COLOR")


def _style_for(stream) -> callable:
    if color_enabled(stream):
        return click.style
    return lambda text, **_: text


def _parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    """Every `param` value from the command line, the --var-file files and the
    FACTORYSPEC_VAR_name environment, by precedence (factoryspec/lang/varfiles.py);
    a bad variables file is reported as its diagnostics (exit 1)."""
    from ..lang.varfiles import merge

    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="--var")
        name, value = pair.split("=", 1)
        out[name.strip()] = value.strip()
    ctx = click.get_current_context(silent=True)
    files = tuple(ctx.meta.get(VAR_FILES, ())) if ctx is not None else ()
    values, problems = merge(out, files)
    if problems:
        _emit(problems, {}, "text", 1)
        sys.exit(EXIT_ERRORS)
    return values


def _stat_mode(path: Path | str) -> int | None:
    """The mode of what `path` names (links followed), None when it cannot be
    found out (missing, a link loop, a name too long): Path.is_dir raises on
    some of those."""
    try:
        return os.stat(path).st_mode
    except (OSError, ValueError):
        return None


def is_dir(path: Path | str) -> bool:
    mode = _stat_mode(path)
    return mode is not None and stat.S_ISDIR(mode)


def is_missing(path: Path | str) -> bool:
    """True only when nothing is there; a FIFO or a link loop is there, and
    reading it reports what it is (lang/source.py)."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False
    return False


def _expand(paths: tuple[str, ...]) -> list[tuple[Path, Path | None]]:
    """Files to check, each with the root its imports are confined to.

    A walk lists every `*.fac` entry that is not a directory, FIFOs and
    devices included: they are never opened for a blocking read (lang/source.py),
    and each is reported as a `not-a-file` error and skipped, so a walk that
    could not read one of its specs does not pass. rglob does not follow
    links to directories, so a link loop cannot make the walk endless."""
    out: list[tuple[Path, Path | None]] = []
    for raw in paths:
        p = Path(raw)
        if is_dir(p):
            out.extend((f, p) for f in sorted(p.rglob("*.fac")) if not is_dir(f))
        else:
            out.append((p, None))
    return out


class _Guarded(click.Group):
    """No command shows a Python traceback: a bug in factoryspec becomes an
    `internal-error` diagnostic and exit 1 (FACTORYSPEC_DEBUG=1 re-raises)."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("FACTORYSPEC_DEBUG"):
                raise
            d = error("internal-error", f"{type(exc).__name__}: {exc}", None,
                      "a bug in factoryspec, not in the spec; run with FACTORYSPEC_DEBUG=1 for the traceback "
                      "and report it with the spec")
            click.echo(render_text([d], {}), err=True)
            sys.exit(EXIT_ERRORS)


NO_COLOR = "factoryspec.no_color"


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="factoryspec")
@click.option("--no-color", is_flag=True, help="No colour in the output (as does a set NO_COLOR).")
@click.pass_context
def main(ctx, no_color) -> None:
    """factoryspec: compile .fac specs of AI factories into layouts."""
    ctx.meta[NO_COLOR] = no_color


VAR_FILES = "factoryspec.var_files"


def _keep_var_files(ctx, param, value):
    ctx.meta[VAR_FILES] = value
    return value


def var_option(f):
    """--var NAME=VALUE (also -var, as Terraform spells it) and --var-file FILE,
    both repeatable; the files reach _parse_vars through the click context."""
    f = click.option("--var-file", "var_files", multiple=True, metavar="FILE", expose_value=False,
                     callback=_keep_var_files, is_eager=True,
                     help="A .facvars file of `name = value` lines (repeatable; later files win, --var wins "
                          "over files, files over FACTORYSPEC_VAR_name).")(f)
    return click.option("--var", "-var", "variables", multiple=True, metavar="NAME=VALUE",
                        help="Override a `param` of the spec (repeatable), e.g. --var pue=1.3.")(f)


def _existing_dir(ctx, param, value):
    # click.Path(file_okay=False) rejects only regular files; a root must be a directory.
    if value is not None and not is_dir(value):
        raise click.BadParameter(f"{value!r} is not a directory.", ctx=ctx, param=param)
    return value


root_option = click.option("--root", type=click.Path(exists=True, file_okay=False), default=None,
                           callback=_existing_dir,
                           help="Project root that imports may not leave (default: the spec's directory).")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "github"]), default="text",
              show_default=True, help="Output format.")
@var_option
@root_option
def lint(paths, fmt, variables, root):
    """Check specs: parse, resolve and run every engineering check (no solve).

    A directory means every *.fac file below it. Exit 0 when clean (warnings
    allowed), 1 when there are errors, 2 on usage errors.
    """
    from ..api import check

    files = _expand(paths)
    variables = _parse_vars(variables)
    diags: list[Diagnostic] = []
    sources: dict[str, str] = {}
    imported: set[str] = set()
    for f, dir_root in files:
        if is_missing(f):
            diags.append(error("file-not-found", f"no such file or directory: {f}", None))
            continue
        result = check(str(f), vars=variables, root=root or (str(dir_root) if dir_root else None)).checked
        sources.update(result.sources)
        diags.extend(result.diagnostics)
        for importer, targets in result.program.imports.items():
            imported.update(t for _, t in targets)
    # A file that others import is a library: its definitions are used elsewhere.
    diags = [d for d in dict.fromkeys(diags)
             if not (d.code == "unused" and d.span and d.span.file in imported)]
    if not files:
        diags.append(error("file-not-found", "no .fac files found", None))
    _emit(diags, sources, fmt, len(files))
    sys.exit(EXIT_ERRORS if any(d.severity is Severity.ERROR for d in diags) else EXIT_OK)


def _emit(diags: list[Diagnostic], sources: dict[str, str], fmt: str, nfiles: int) -> None:
    if fmt == "json":
        click.echo(render_json(diags), nl=False)
    elif fmt in ("sarif", "github"):
        from . import ci_formats
        click.echo(ci_formats.sarif(diags) if fmt == "sarif" else ci_formats.github(diags), nl=False)
    else:
        text = render_text(diags, sources, _style_for(sys.stdout))
        if text:
            click.echo(text)
        click.echo(summary(diags, nfiles), err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", "check_only", is_flag=True, help="Do not write; exit 1 if any file would change.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Also print a unified diff of each change (as terraform fmt -diff: files are still "
                   "rewritten unless --check is given, and the exit code is --check's).")
def fmt(paths, check_only, show_diff):
    """Rewrite specs in the canonical layout (comments kept, meaning unchanged)."""
    from ..lang import fmt as formatter
    from ..lang.source import read

    files = _expand(paths)
    changed, failed = [], False
    for f, _ in files:
        source, diags = read(str(f))
        result = formatter.format_text(source.text, str(f)) if source else None
        diags = diags + (result.diagnostics if result else [])
        if result is None or result.text is None:
            click.echo(render_text(diags, {str(f): source.text} if source else {}), err=True)
            failed = True
            continue
        if result.text == source.text:
            continue
        changed.append(str(f))
        if show_diff:
            click.echo("".join(difflib.unified_diff(source.text.splitlines(True), result.text.splitlines(True),
                                                    f"a/{f}", f"b/{f}")), nl=False)
        if check_only:
            if not show_diff:
                click.echo(f"would reformat {f}", err=True)
        else:
            _write_atomic(f, result.text)
            click.echo(f"reformatted {f}", err=True)
    if not files:
        click.echo("error: no .fac files found", err=True)
        sys.exit(EXIT_USAGE)
    if failed or (check_only and changed):
        sys.exit(EXIT_ERRORS)


def _write_atomic(path: Path, text: str) -> None:
    from ..emit.safe_write import write_text
    write_text(path, text)


@main.command()
@click.argument("name", required=False)
def explain(name):
    """Explain a diagnostic code, a block kind or an attribute (no NAME: list codes and kinds).

    NAME is a code (rack-fit), a block kind (hall) or KIND.ATTR, where KIND may
    be a path of nested kinds (hall.busway, cluster.fabric.rails). Exit 2 when
    NAME is none of these.
    """
    from . import reference

    if not name:
        click.echo(reference.listing())
        return
    found = reference.explain(name)
    if found.error:
        click.echo(f"error: {found.error}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(found.text)


@main.command()
def lsp():
    """Run the language server on stdio (for editors)."""
    from ..lsp.server import serve
    serve()


# Commands of later pipeline phases register themselves on `main`.
from . import model  # noqa: E402,F401  (plan, graph, schema)
from . import compile  # noqa: E402,F401  (compile)
