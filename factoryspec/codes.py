"""The registry of diagnostic codes (as mypy's errorcodes).

Every diagnostic carries one of these stable kebab-case codes. `factoryspec
explain CODE` prints the explanation; SARIF output uses them as rule ids. A
test checks that every code used anywhere in the package is registered here.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Code:
    code: str
    title: str
    explanation: str
    phase: str


CODES: dict[str, Code] = {}


def _code(code: str, phase: str, title: str, explanation: str) -> str:
    CODES[code] = Code(code, title, explanation.strip(), phase)
    return code


# ---- reading and parsing --------------------------------------------------
_code("file-not-found", "input", "A file named on the command line does not exist",
      "The path given to factoryspec does not exist or cannot be read. Check the spelling and the working directory.")
_code("file-too-large", "input", "The file is too large to be a spec",
      "Specs are limited to 8 MiB. A file that large is almost certainly not a hand-written spec; "
      "split a very large campus into several files joined with `import`.")
_code("binary-file", "input", "The file is binary",
      "The file contains NUL bytes, so it is not a text .fac spec. Check that the right file was named.")
_code("encoding", "input", "The file is not UTF-8",
      "Specs are UTF-8 text. Re-save the file as UTF-8; the diagnostic points at the first byte that is not valid UTF-8.")
_code("syntax", "parse", "The text does not follow the .fac grammar",
      """The parser met something it did not expect. Common causes:
  - a missing or extra `{` or `}` (an unclosed `{` is reported where it opens, and the hint names
    the line where, by indentation, the `}` was probably forgotten);
  - two statements on one line: put each on its own line or separate them with `;`;
  - `name value` instead of `name = value`;
  - single quotes: strings use double quotes.
Example:
    hall h1 {
      rows = 20
      busway = 1.6 MW
    }""")
_code("too-deep", "parse", "The spec is nested too deeply",
      "Blocks, lists and parentheses may nest at most 64 levels, and one statement may hold at most 200 "
      "operators. Such structures are not written by hand; flatten them with `let` values or templates.")

_code("internal-error", "input", "factoryspec itself failed",
      "An internal error in factoryspec, not in your spec. Nothing was written. Please report it with the "
      "spec that triggers it; the message names the failing phase.")

# ---- names, imports, values -----------------------------------------------
_code("import-not-found", "resolve", "An import names a file or catalog module that does not exist",
      """`import "file.fac"` is relative to the importing file; `import catalog.NAME` names a module of the
shipped catalog (see `factoryspec catalog`). Check the spelling; the hint suggests the nearest name.""")
_code("import-outside-root", "resolve", "An import escapes the project root",
      """Imports may not reach outside the project root (by default the directory of the spec given on
the command line; `--root DIR` sets it). This keeps a spec self-contained and reproducible. Move the
shared file inside the project, or widen the root with `--root`.""")
_code("import-cycle", "resolve", "Files import each other in a cycle",
      "File A imports B which (directly or through others) imports A. Move the shared definitions to a "
      "third file that both import.")
_code("undefined-reference", "resolve", "A name is used but never defined",
      """The reference names no `let`, `param`, template, block or catalog item in scope. References are
`name` or `block.child.attribute`. Did you forget an `import catalog.nvidia`? The hint suggests the
nearest defined name.""")
_code("duplicate-name", "resolve", "Two definitions share one name in the same scope",
      "Names of lets, params, templates and named blocks must be unique within their scope (a file's top "
      "level, or one block's body). Rename one of them. The hint shows where the first one is.")
_code("duplicate-attribute", "resolve", "An attribute is set twice in one block",
      "Each attribute may be set once per block. Remove one of the two assignments (a template instance "
      "may override a template's attribute: that is not a duplicate).")
_code("reference-cycle", "resolve", "Values are defined in terms of each other",
      "A `let`, `param` or attribute depends on itself, directly or through other values. Break the cycle "
      "by giving one of them a literal value.")
_code("unknown-unit", "resolve", "A number carries a unit factoryspec does not know",
      """Units follow a number: `135 kW`, `120 m`, `1000 acre`, `1500 kg/m2`, `800 Gb/s`, `85 %`.
Known units: power W kW MW GW (kVA MVA), energy kWh MWh, length mm cm m km in ft, area m2 ft2 acre ha,
mass kg t lb, data rate Gb/s Tb/s, temperature degC, money USD, current A, voltage V kV, percent %.
Units are case-sensitive: `MW` is megawatts; `mW` is not accepted. The hint suggests the nearest unit.""")
_code("unit-mismatch", "resolve", "A value has the wrong dimension",
      """Quantities are dimension-checked: `750 MW + 20 m` has no meaning, and `busway = 2 m` is not a power.
Check the unit, or the expression: `racks * 135 kW` is a power, `racks * 135` is a plain number.""")
_code("type-mismatch", "resolve", "A value has the wrong type",
      "The attribute expects another kind of value (a string, a whole number, a ratio like `1:1`, a size "
      "like `120 m x 60 m`, a range like `1..4`, or a reference to a block of some kind).")
_code("invalid-value", "resolve", "A value is out of its allowed range",
      "The value has the right type but cannot be right: a negative power, zero rows, a PUE below 1, a "
      "share above 100 %, an absurdly large count. The message says which bound was crossed.")
_code("unknown-kind", "resolve", "A block has a kind factoryspec does not know",
      "Block kinds are: site, utility, building, power, hall, cdu, air, cooling, reserved, system, switch, "
      "media, cluster, fabric, cabling, solve. The hint suggests the nearest kind.")
_code("misplaced-block", "resolve", "A block sits inside a block that cannot hold it",
      "Each kind of block belongs in certain places: halls in buildings, CDUs in halls, fabrics in "
      "clusters, and so on. `factoryspec explain` of the kind, or hover in the editor, lists where it goes.")
_code("unknown-attribute", "resolve", "An attribute is not valid in this kind of block",
      "The attribute name is not part of this block kind's vocabulary. The hint suggests the nearest valid "
      "attribute; hover in the editor lists them all.")
_code("missing-attribute", "resolve", "A required attribute is missing",
      "The block kind requires this attribute and no template or default supplies it. Add it.")
_code("missing-name", "resolve", "A block that must be named has no name",
      "Blocks of this kind are referred to by name, so they need one: `hall h1 { ... }`.")
_code("unknown-var", "resolve", "`--var` names no param",
      "`--var NAME=VALUE` overrides a `param NAME` declared in the spec. Declare the param, or fix the name.")
_code("missing-param", "resolve", "A param has no default and no `--var`",
      "Give the param a default (`param pue = 1.25`) or pass `--var NAME=VALUE` on the command line.")
_code("bad-call", "resolve", "A function call is invalid",
      "Functions are min(a, b, ...), max(a, b, ...), ceil(x), floor(x), round(x). ceil, floor and round take a "
      "plain number; min and max take values of one dimension.")
_code("unused", "resolve", "A definition is never used",
      "A `let`, `param` or template is defined but nothing refers to it. Remove it or use it. (Warning.)")


def get(code: str) -> Code | None:
    return CODES.get(code)
