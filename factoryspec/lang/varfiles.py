"""Where a spec's `param` values come from, like Terraform's variables.

In increasing precedence (a later source wins for the same name):

1. the `param`'s default in the spec;
2. `FACTORYSPEC_VAR_<name>` environment variables (like `TF_VAR_name`);
3. `.facvars` files (`--var-file`), in the order given: one `name = value`
   per line, `#` or `//` comments and blank lines ignored, the value written
   as in a spec (`pue = 1.3`, `phase1 = 250 MW`, `site = "childress"`);
4. `--var name=value` on the command line (or the API's `vars`).

Values stay text here; the resolver parses each as a spec expression and
reports a bad one at its `param`. A malformed line of a `.facvars` file is a
`var-file` diagnostic at that line.
"""

from __future__ import annotations

import os
import re

from ..diagnostics import Diagnostic, Span, error

ENV_PREFIX = "FACTORYSPEC_VAR_"
_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$")
MAX_VAR_FILE = 1 << 20        # a variables file is a few lines; refuse anything near a megabyte


def _strip_comment(line: str) -> str:
    """The line without a trailing `#` or `//` comment outside double quotes."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif not quoted and (ch == "#" or line.startswith("//", i)):
            return line[:i]
    return line


def read_var_file(path: str) -> tuple[dict[str, str], list[Diagnostic]]:
    """The `name = value` pairs of a .facvars file, and diagnostics for bad lines."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_VAR_FILE + 1)
    except OSError as exc:
        return {}, [error("file-not-found", f"cannot read variables file {path}: {exc.strerror or exc}", None)]
    if len(raw) > MAX_VAR_FILE:
        return {}, [error("file-too-large", f"variables file {path} is larger than 1 MiB", None)]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return {}, [error("encoding", f"variables file {path} is not UTF-8", None)]
    out: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for n, line in enumerate(text.splitlines(), start=1):
        body = _strip_comment(line)
        if not body.strip():
            continue
        m = _LINE.match(body)
        if m is None or not m.group(2):
            diags.append(error("var-file", f"expected `name = value`, got {body.strip()[:80]!r}",
                               Span(path, n, 1, n, len(line) + 1), "one variable per line, e.g. `pue = 1.3`"))
            continue
        out[m.group(1)] = m.group(2)
    return out, diags


def from_environment(environ=None) -> dict[str, str]:
    """`FACTORYSPEC_VAR_name=value` variables, by name."""
    env = os.environ if environ is None else environ
    return {k[len(ENV_PREFIX):]: v for k, v in env.items() if k.startswith(ENV_PREFIX) and len(k) > len(ENV_PREFIX)}


def merge(explicit: dict[str, str], files: tuple[str, ...] = (), environ=None) -> tuple[dict[str, str], list]:
    """Every source in precedence order (module docstring): the values by name
    and the diagnostics of the files."""
    out = dict(from_environment(environ))
    diags: list[Diagnostic] = []
    for path in files:
        values, problems = read_var_file(path)
        out.update(values)
        diags.extend(problems)
    out.update({str(k): str(v) for k, v in explicit.items()})
    return out, diags
