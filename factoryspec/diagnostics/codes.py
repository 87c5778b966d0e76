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
      "Specs are limited to 1 MiB a file and 2 MiB with all their imports (a layout.json given to `verify` to 512 MiB). A spec that large is "
      "almost certainly not hand-written; split a very large campus into several files joined with `import`.")
_code("not-a-file", "input", "The path is not a regular file",
      """factoryspec reads specs (and `verify` reads layouts) only from regular files. A FIFO, a device such
as /dev/zero, a socket, a symbolic link loop, or a name too long for the system to open is reported
here instead of being read: reading a FIFO would wait forever for a writer and reading a device could
run out of memory. In a directory given to `lint` or `fmt`, such a `*.fac` entry is reported as an
error and skipped, and the other files are still checked. Name the file itself, or fix the link.""")
_code("binary-file", "input", "The file is binary",
      "The file contains NUL bytes, so it is not a text .fac spec. Check that the right file was named.")
_code("encoding", "input", "The file is not UTF-8",
      "Specs are UTF-8 text. Re-save the file as UTF-8; the diagnostic points at the first byte that is not valid UTF-8.")
_code("syntax", "parse", "The text does not follow the .fac grammar",
      """The parser met something it did not expect. Common causes:
  - a missing or extra `{` or `}` (an unclosed `{` is reported where it opens, and the hint names
    the line where, by indentation, the `}` was probably forgotten; an info note marks that line,
    and the rest of the file is read as if the `}` were there);
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
      "An internal error in factoryspec, not in your spec. Nothing was written. When a check or the model "
      "builder failed, the other checks still ran. Please report it with the spec (or a reduced copy) that "
      "triggers it; the message names the failing phase.")

_code("number-too-large", "parse", "A number is beyond the range factoryspec works in",
      """A literal may have at most 100 digits and an exponent of at most 100 either way, and every value,
in SI base units (after its unit and after each `+ - * /`), must be 0 or between 1e-30 and 1e30 in
magnitude, with an exact value of at most 100 digits. No physical quantity of a data centre comes near
this (1e30 W is 1e21 GW; 1e30 m is 1e14 light years); the bound keeps every phase's arithmetic, its
formatting and the solver's number conversions fast and exact. Values that are allowed but physically
absurd are a separate warning (`implausible-value`). Example: `size = 1e1000000 m x 21 m`.""")
_code("too-many-instances", "resolve", "Repetitions expand to too many blocks",
      """A spec may expand to at most 20,000 block instances in all, which keeps lint within a few seconds.
Nested repetitions multiply: `building b[1..1000] { hall h[1..100] { } }` makes 1,000 buildings and 100,000 halls. The message
names the product; the repetition that crosses the budget is not expanded at all (none of its copies),
so the rest of the spec is still checked. Model fewer, larger blocks, or split the campus into several
specs. Clusters also may list at most 100,000 halls in all (a building counts as its halls, a cluster
without `halls` has every hall of its site): past that, the remaining clusters are not checked.""")
_code("template-cycle", "resolve", "A template instantiates itself",
      """A template's body contains a block made from the same template, directly or through other
templates (`template hall t { hall x = t { } }`): expanding it would never end. The block that closes
the cycle is built without its template.""")
_code("too-many-diagnostics", "resolve", "More diagnostics than are worth showing",
      """At most 1,000 resolver diagnostics are reported per file; the rest are counted in one closing
diagnostic. A spec that repeats one mistake over thousands of blocks says so once per block otherwise.
Fix the first ones: most of the rest are probably repeats.""")

_code("check-timeout", "input", "Checking the document took too long",
      "The language server checks each document in a separate process with a time budget (10 s unless the "
      "client sets `checkTimeoutMs`), so that one document cannot stall the others. This check overran it "
      "and was stopped; the document's other diagnostics are missing until an edit lets it finish. A number "
      "with a huge exponent (such as `1e100000000`) is a common cause; `factoryspec lint` shows the rest.")
_code("check-out-of-memory", "input", "Checking the document needed too much memory",
      "The language server checks each document in a separate process whose memory is limited (2 GiB more "
      "than it needs at rest, where the system allows setting a limit). This check exceeded it and was "
      "stopped; the document's other diagnostics are missing until an edit lets it finish.")
_code("out-of-sync", "input", "The language server's copy of the document may differ from the editor's",
      "The editor sent a change the server could not apply (a range outside the document, or a version "
      "that does not increase), so the server no longer knows the exact text and shows no other "
      "diagnostics. Save the file (the server then reads it again) or close and reopen it.")

# ---- names, imports, values -----------------------------------------------
_code("import-not-found", "resolve", "An import names a file or catalog module that does not exist",
      """`import "file.fac"` is relative to the importing file; `import catalog.NAME` names a module of the
shipped catalog (see `factoryspec catalog`). Check the spelling; the hint suggests the nearest name.""")
_code("too-many-imports", "resolve", "A spec imports more files than factoryspec will load",
      """One spec and everything it imports, directly or through other files, may be at most 10,000 files
and 2 MiB. No hand-written campus comes near that; a generated chain of imports that does is stopped at the
import that would load one file too many, and the files beyond it are not read. Import the shared
files from one place instead of chaining them.""")
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


_code("var-file", "input", "A variables file has a line that is not `name = value`",
      """A `.facvars` file given with `--var-file` holds one `param` value per line, written as in a spec:
    pue = 1.3
    phase1 = 250 MW     # comments with # or //
Blank lines and comments are ignored. A later file wins over an earlier one for the same name, `--var`
wins over every file, and files win over FACTORYSPEC_VAR_name environment variables.""")
_code("unknown-code", "resolve", "`allow` names a diagnostic code that does not exist",
      """`allow = ["code", ...]` silences warnings by their code, so each string must be a code
`factoryspec explain` lists (without an argument it lists them all). The hint suggests the nearest one.
A misspelt code would silence nothing, hence an error.""")
_code("allow-error", "resolve", "`allow` names an error code",
      """Only warnings can be silenced with `allow`. An error means the spec cannot be built as written
(or would be built wrong), so it must be fixed, not hidden: remove the code from `allow` and fix what the
error reports. Codes that are sometimes a warning and sometimes an error (air-capacity, fabric-ports,
nvlink-domain) may be allowed; only their warnings are silenced.""")

# ---- design rules written in the spec -----------------------------------------
_code("assert-failed", "check", "A design rule of the spec does not hold",
      """`assert TEST, "message"` states a rule the design must keep; it is checked once the model is
built, so TEST may use the figures the tool derives (`plan.it_power`, `CLUSTER.gpus`, `FABRIC.spines`,
`HALL.slots_free` ...; the list is in factoryspec/checks/asserts.py and on hover) besides lets, params, block
attributes and catalog items. The message gives the rule's own message and the values that broke it:
    assert train.racks * gb300_nvl72.power <= 200 MW, "phase 1 is 200 MW of critical IT"
    assertion failed: phase 1 is 200 MW of critical IT: train.racks * gb300_nvl72.power = 207.576 MW,
    which is not <= 200 MW
Comparisons are exact (no rounding) and dimension-checked. An assert inside a template or a repeated
block is checked for each instance, and the message names the instance.
Fix: the design, or the rule if the design is right.""")
_code("expect-failed", "check", "A soft rule of the spec does not hold",
      """`expect TEST, "message"` is an `assert` whose failure is a warning, not an error: the spec still
compiles. It is for figures a spec means to reproduce but need not, such as a published table known to
disagree with itself (tests/fidelity/b300_xdr_superpod.fac expects the GPU count NVIDIA's table prints
and is told, at that line, what the tool counts instead), or a soft target (`expect HALL.slots_free
<= 10, "the hall is nearly full"`). The message is built as for `assert-failed`.
Fix: correct the figure, or keep the warning as the record of the disagreement (`allow` it where a
block should not show it).""")
_code("assert-not-boolean", "check", "An assert's test is not a condition",
      """The test of an `assert` must be true or false: a comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`),
conditions joined with `and`/`or`, `not` a condition, or a `let` holding one. `assert plan.racks, "..."` is
a number, not a condition: write `assert plan.racks <= 1480, "..."`.""")
_code("assert-message", "check", "An assert's message is not a string",
      """The part after the comma of `assert TEST, MESSAGE` is shown when the test fails, so it must be a
string: `assert plan.racks <= 1480, "phase 1 has 1,480 racks"` (a `let` holding a string also works).""")


def get(code: str) -> Code | None:
    return CODES.get(code)


# ---- engineering checks ----------------------------------------------------
# Emitted by the rules in factoryspec/checks/ (one module per rule); `factoryspec
# plan` lists each rule's headroom. Figures before solving are estimates: see
# factoryspec/model/derive.py for how racks are spread over halls.
_code("utility-capacity", "check", "The site draws more than its utility can supply",
      """The site's facility power, its IT load x PUE, exceeds the usable utility capacity. IT load is the
compute racks (racks x system power) plus the fabric switches (switches x switch power) placed in the
site's halls, and racks that fit no hall. The usable capacity is the contracted capacity times the share
the redundancy scheme leaves for the load:
  N 100 %;  N+1 with `modules` = n+1 modules: n/(n+1) (N+1 over 4 modules: 75 %);
  2N 50 %;  3N/2 (three to carry two) 67 %;  4N/3 (block redundant) 75 %;  2(N+1) half of N+1.
Example: 1,024 GB300 NVL72 racks x 135 kW = 138.24 MW IT; at PUE 1.25 that is 172.8 MW, more than a
200 MW supply under 2N (100 MW usable).
Fix: raise `capacity`, choose a scheme that leaves more usable, lower the PUE, or place fewer racks.""")
_code("power-train-capacity", "check", "Halls draw more than their power trains can deliver",
      """A `power` block (UPS, substation or switchgear) must carry the IT load of what it feeds: a hall's
trains feed that hall, a building's trains feed its halls that have none of their own. Trains carry IT
load only (no PUE: the mechanical plant is fed separately). Usable capacity = capacity of each module x
`modules` x the redundancy share (N 100 %, N+1 n/(n+1), 2N 50 %, 3N/2 67 %, 4N/3 75 %).
Example: 12 modules of 10 MW under N+1 give 110 MW; four halls of 400 racks x 135 kW draw 216 MW.
Fix: add modules, raise their capacity, give halls their own trains, or move racks.""")
_code("busway-overload", "check", "A row's busway would run above its continuous-load limit",
      """Each row is fed by a busway rated `busway`; it may carry `busway x busway_limit` continuously. The
default limit is 80 % of the rating (the continuous-load rule; NetBox models a feed's max utilization the
same way). With `feeds = 2` each row has an A and a B busway and either must carry the whole row alone,
so the limit is not doubled. Before solving, the hall's compute racks are spread over its rows as evenly
as the free positions allow; the heaviest row holds L racks, and its load is L x the hall's average rack
power plus an even share of the hall's switch power.
Example: an 800 A busway at 415 V is ~575 kVA; at 80 % it carries ~460 kW, three NVL72 racks of 135 kW
(405 kW) but not four (540 kW).
Fix: raise `busway`, add rows (so fewer racks per row), or move racks to another hall.""")
_code("distribution-mismatch", "check", "A system stands in a hall fed the other kind of power",
      """A hall's rows are fed AC (a three-phase busway, `distribution = "ac"`, the default) or DC (a DC
busbar, `distribution = "dc"`: Rubin Ultra's Kyber racks take 800 V DC). A system takes one of them (its own
`distribution`), and a cluster may use only halls that match it: a DC rack cannot plug into an AC busway.
Example: `system = rubin_ultra_nvl576` (DC) in a cluster whose halls are all the default AC.
Fix: set `distribution = "dc"` (and `busway_current` with `voltage`, or `busway`) on the halls the cluster
uses, or list in `halls` only halls of the system's distribution.""")
_code("cdu-capacity", "check", "A hall's liquid-cooled heat exceeds its CDUs",
      """The liquid share of a hall's heat (racks x power x the system's `liquid_fraction`, 85 % by default for
NVL72-class racks) must fit its coolant distribution units: capacity x count x the redundancy share
(N 100 %, N+1 with count = n+1: n/(n+1), 2N 50 % ...). When `racks_per_cdu` is set, the liquid-cooled racks
must also fit the usable CDUs x racks_per_cdu (the racks one CDU reaches within its loop length). A hall
with liquid-cooled racks and no `cdu` block is also reported.
Example: 64 racks x 135 kW x 85 % = 7.344 MW of liquid heat; 4 CDUs of 2 MW under N+1 give 6 MW.
Fix: add CDUs, raise their capacity or racks_per_cdu, or move racks.""")
_code("air-capacity", "check", "A hall's air-side heat exceeds its air handling",
      """The heat that does not go to liquid (the racks' 1 - liquid_fraction share: NICs, storage, power
shelves) plus all switch heat must fit the hall's `air` blocks (CRAH units or fan walls): capacity x count
x the redundancy share. A hall with air-side heat and no `air` block gets a warning, since the spec does
not say how that heat leaves.
Example: 64 racks x 135 kW x 15 % = 1.296 MW, plus 100 switches x 3 kW = 1.596 MW; 4 units of 500 kW under
N+1 give 1.5 MW.
Fix: add units or raise their capacity (or state the air handling with an `air` block).""")
_code("cooling-plant-capacity", "check", "The heat to reject exceeds the cooling plant",
      """Every watt of IT power ends as heat. A building's `cooling` plant (chillers, dry coolers) must reject
the IT heat of its halls; a site's plant that of its halls not served by a building plant (and of racks
that fit no hall). Usable capacity = capacity of each module x `modules` x the redundancy share
(N 100 %, N+1 n/(n+1), 2N 50 % ...).
Fix: add modules or raise their capacity.""")
_code("hall-slots", "check", "A hall must hold more racks than it has positions",
      """The compute racks placed in a hall plus its network racks must fit its positions that are not
`reserved` (rows x slots_per_row minus reservations). Network racks per hall = ceil(switches placed there /
switch `per_rack`), per fabric; until a layout exists, a hall's share of a fabric's switches is its share
of the cluster's racks. Network racks take the `network_slots` at the row ends first.
Fix: add rows or slots, mount more switches per rack (`per_rack`), or give the clusters more halls.""")
_code("cluster-space", "check", "A cluster's racks do not fit its halls",
      """Before solving, a cluster's racks are spread over its halls (its `halls`, or every hall of its site)
in proportion to the positions each can still take, in whole NVLink domains, after clusters earlier in the
spec and keeping room for the network racks the cluster brings. Racks that fit nowhere are reported here,
with the count that does fit; a cluster in a spec with no halls is reported too.
Example: 1,024 racks and two halls of 20 rows x 24 slots (960 positions, less network racks).
Fix: add halls or name more of them in `halls`, add rows, or reduce `racks`.""")
_code("hall-geometry", "check", "A hall's rows do not fit its floor",
      """Rows run along the hall's width. `rows x row_pitch` (rack depth plus hot and cold aisles; 4.2 m by
default, e.g. 7 tiles of 600 mm) must fit the hall's depth, and `slots_per_row x slot_width` (600 mm by
default) plus 1.2 m per `cross_aisles` (the TIA-942 aisle) must fit its width.
Example: 20 rows x 4.2 m = 84 m in a hall 60 m deep.
Fix: fewer rows or slots, a tighter pitch, or a larger hall (`size = width x depth`).""")
_code("hall-area", "check", "A building's halls cover more than the building",
      """The halls of a building (width x depth each) must fit the building's footprint x `floors`.
Fix: make the building larger or add floors, or make the halls smaller.""")
_code("check-budget", "check", "A check stopped early: the spec asks too much work of it",
      """A check whose work grows faster than the spec (comparing every pair of halls that stand on one
another, say) stops at a fixed budget, so that lint stays within seconds on any input, and says so
here: whatever it did not reach is not checked. Real specs come nowhere near the budgets (a million
pairs of halls on one spot); the spec is almost certainly generated wrong at the line shown.""")
_code("building-land", "check", "A site's buildings cover more than its land",
      """The buildings of a site (their `size` footprints) must fit the site's `land` (1 acre = 4,046.86 m2).
Fix: more land, smaller buildings, or more floors.""")
_code("hall-overlap", "check", "Two halls overlap on the site plan",
      """Links between halls are measured on a site plan: a building stands at its `position = [x, y]`, or
after the building written before it (along y, 50 m beyond its depth); a hall stands at its `position` in its
building, or beside the hall written before it (along x, 10 m beyond its width). Two halls whose floors
overlap on that plan would make every length between them wrong. Halls of a building with several
`floors` may stand above each other and are not compared.
Fix: give the halls or their buildings positions that keep them apart.""")
_code("rack-fit", "check", "A system's rack does not fit a hall's positions",
      """A rack must fit the position it stands in: its width (from the system's `footprint`, 600 mm x
1200 mm when unset) within the hall's `slot_width`, and its depth less than the `row_pitch` (the pitch is
rack depth plus the aisles). Reported for each system placed in the hall. (A scalable unit or NVLink
domain longer than the rows is `scalable-unit-fit` or `nvlink-domain`.)
Fix: widen `slot_width` or `row_pitch` for that hall, or place the system elsewhere.""")
_code("port-names", "check", "A port naming pattern cannot name the ports",
      """A system's or switch's `port_names` names its ports for the cutsheet and layout.json: text with
ranges `{a..b}`, the last fastest (`tray{1..18}/nic{1..4}` names tray1/nic1, tray1/nic2, ... tray18/nic4).
The ranges' sizes must multiply to the system's `compute_ports` (per node for a node system) or the
switch's `ports`, so that every port has one name and no two share it.
Fix: correct the ranges, or drop `port_names` for the default p1..pN.""")
_code("nvlink-domain", "check", "A multi-rack NVLink domain cannot stay together",
      """A multi-rack NVLink domain (`nvlink_racks` > 1, e.g. the eight-rack NVL576 concept) is cabled with
copper within the domain and must stand on consecutive compute positions of one row. A row's compute
positions are its slots less the `network_slots` at its end, cut into runs by `reserved` slots and by
`cross_aisles`. It is an error when the domain is longer than every run in the rows of the cluster's halls
(those its racks may stand in), and a warning when the cluster's racks are not a whole number of domains.
Example: 4-rack domains in rows of 6 slots with one cross-aisle (two runs of 3).
Fix: use halls with longer rows (fewer network slots, reservations or cross-aisles), or make `racks` a
multiple of `nvlink_racks`.""")
_code("scalable-unit-fit", "check", "A scalable unit is longer than every row of its halls",
      """A cluster's `scalable_unit` stands on consecutive compute positions of one row: a row's slots less the
`network_slots` at its end, cut into runs by `reserved` slots and by `cross_aisles`. When the system has
multi-rack NVLink domains that do not divide the scalable unit (or the reverse), the block kept together
is their least common multiple (units of 6 with 4-rack domains: 12 racks). It is an error when that block
is longer than every run in the rows of the cluster's halls (those its racks may stand in: placed, and
rated for its floor load). Reported at `scalable_unit` (at `system` when it is unset).
Example: scalable units of 48 racks in halls of 19-slot rows.
Fix: a scalable unit no longer than the longest run, or rows with that many consecutive compute
positions (longer rows, fewer network slots, reservations or cross-aisles).""")
_code("scalable-unit-busway", "check", "A scalable unit draws more than one row's busway carries",
      """A scalable unit stands in one row, so one row busway must carry all of it: its racks x system power
must fit `busway x busway_limit` (80 % by default) of some hall the cluster may use. With `feeds = 2`
either busway must carry the whole row, so the limit is not doubled.
Example: units of 8 racks x 135 kW = 1.08 MW against 1 MW busways (800 kW continuous).
Fix: a smaller `scalable_unit`, or a larger `busway`.""")
_code("scalable-unit-rows", "check", "A cluster's halls hold too few whole scalable units",
      """A cluster's racks stand in whole scalable units (or NVLink domains, or their least common multiple),
each on consecutive compute positions of one row. A row holds as many units as fit in each of its runs of
compute positions (cut by network slots, reservations and cross-aisles), and no more than its busway
carries. It is an error when the halls have enough compute positions for the racks but their rows hold
fewer whole units than the cluster needs; the positions left over in each run cannot be used.
Example: 30 racks in units of 6 in four rows of 10 slots: each row holds one unit, 4 units for 5.
Fix: a scalable unit that divides the rows' runs, more rows or halls.""")
_code("reserved-out-of-range", "check", "A reservation names a row or slot the hall does not have",
      """A `reserved { row = R  slots = A..B }` block must name a row between 1 and `rows` and slots between 1
and `slots_per_row`. Out-of-range parts are ignored when counting free positions.
Fix: correct the row or the range, or the hall's size.""")
_code("floor-load", "check", "A rack is heavier than the floor is rated for",
      """A rack's weight over its footprint must not exceed the floor rating (the hall's `floor_rating`, else
its building's; 1,500 kg/m2 by default). An NVL72 rack of ~1,360 kg on 600 mm x 1200 mm (0.72 m2) puts
~1,890 kg/m2 on its footprint; a typical building floor is designed for ~340 kg/m2 (70 lb/ft2), so AI
halls are slab-on-grade or specially rated.
Fix: set `floor_rating` to what the slab is really rated for, use a lighter rack, or spread the load (a
larger footprint with load-spreading plates).""")
_code("fabric-size", "check", "A fabric is too large for its switch radix and tiers",
      """Each fabric is sized as leaf/spine(/core) tiers by its topology (fat_tree, rail_optimized, rail_only):
endpoints = racks x ports per rack (the system's compute ports by default), split over the planes and the
rails, with the leaves' ports split down:up by the oversubscription. One switch connects R endpoints
(`tiers = 1`), a non-blocking two-tier fabric of radix R R^2/2 and a three-tier one R^3/4 (with striping,
every leaf having the same number of links to each spine); `planes` multiply that. The message gives the
largest size that fits with the fabric's switch, oversubscription, rails, planes, topology and tiers.
Example: 1,024 NVL72 racks x 72 ports = 73,728 endpoints; 64-port switches in two tiers reach 2,048.
Fix: a switch with more ports, allow more tiers (unset `tiers`), oversubscribe the leaves, add planes, or
split the cluster into several fabrics.""")
_code("fabric-unjoined", "check", "A fabric at site level is joined by no cluster",
      """A `fabric` block may stand directly in a `site`: a network several clusters share (a converged storage
or north-south fabric, an out-of-band management network). A cluster joins it with `fabrics = [name]`; its
racks are then endpoints of the fabric, with the system's ports of the fabric's role per rack unless the
fabric writes `ports_per_rack`. A site fabric no cluster joins has no endpoints: it cannot be sized, placed
or billed, and it is an error rather than left out, since it is almost always a forgotten `fabrics = [...]`.
Example: `fabric storage { role = "storage" switch = sn5600 }` in the site and no cluster writing
`fabrics = [storage]`.
Fix: add `fabrics = [storage]` to the clusters that use it (the hint names the site's clusters), or remove
the fabric.""")
_code("fabric-join", "check", "A cluster joins a fabric it cannot join",
      """A cluster's `fabrics = [...]` names fabrics at site level, each once. A fabric block inside a cluster
belongs to that cluster and cannot be joined by another (write it in the site to share it); a fabric named
twice would count the cluster's racks twice. (A name that is not a fabric at all is a `type-mismatch`.)
Example: `fabrics = [storage, storage]`, or `fabrics = [train.ib]` where `ib` is a fabric of cluster
`train`.
Fix: name each site fabric once; move a fabric to share into the site.""")
_code("cluster-nodes", "check", "A cluster's nodes or racks cannot be counted",
      """A cluster of a node system (a `system` with `nodes_per_rack`, as DGX H100: 4 nodes a rack) writes
`nodes = N` or `racks = N`, not both; a whole-rack system (NVL72) writes `racks` only. With `nodes`, racks =
ceil((nodes + the node slots of its appliances) / nodes_per_rack), the last perhaps partly filled, and
`scalable_unit` counts node slots: it must be whole racks (a multiple of nodes_per_rack). With `racks`, its
appliances take the last node slots of those racks, so they must fit. A fabric's `ports_per_rack` must split
evenly over the nodes of a rack.
Example: `system = dgx_h100` with `nodes = 127` and `scalable_unit = 30` (not a multiple of 4).
Fix: write one of `nodes` and `racks`; a scalable unit of whole racks (32 slots = 8 racks).""")
_code("appliance-fabric", "check", "An appliance's ports have no fabric, or two sets share one",
      """An `appliances` block puts the appliance's `ports` on one of its cluster's fabrics, named in `fabric`
(default: the cluster's first fabric), and its `storage_ports` and `management_ports` on the cluster's fabric
of that role. The name must be a fabric of that cluster (or a site fabric it joins); an appliance needs some
port; `fabric` needs `ports`; and `ports` and a role's ports cannot both go to one fabric (they would take the
same positions).
Example: `fabric = "compute"` in a cluster whose only fabric is `fabric ib { ... }`; or a storage head with
`ports = 2` and `storage_ports = 2` whose block names the storage fabric.
Fix: name the fabric as the cluster writes it; write the ports on a fabric once.""")
_code("appliance-rails", "check", "An appliance's ports do not fit the rails it names",
      """An appliance's ports are endpoints of its fabric on the rails its block names only (`rails` for
`ports`, `storage_rails` and `management_rails` for those roles; default: the first rails, one a port),
the same number on each. Endpoints are indexed by node-slot position: a slot has
ports_per_rack / (nodes_per_rack x rails) positions a rail, so an appliance of `node_slots` slots can have
at most that many ports a rail. A rail must exist (1..rails), be named once, and the fabric must have one
plane.
Example: UFM with 4 ports and `rails = [1, 2, 3]` (4 do not split over 3), or `rails = [9]` on 8 rails.
Fix: name as many rails as it has ports (a DGX H100 SuperPOD's UFM: `rails = [1, 2, 3, 4]`).""")
_code("appliance-slots", "check", "Appliances where there are no node slots",
      """Appliances stand in the node slots of a node system's compute racks (after its nodes). A whole-rack
system (NVL72: no `nodes_per_rack`) has no node slots, so there they need racks of their own (`own_racks`);
and one block holds at most 10,000.
Fix: write `own_racks = true` (racks of their own after the system's, `per_rack` a rack), or use a node
system's cluster.""")
_code("fabric-ports", "check", "A fabric's port counts cannot work",
      """Port counts that cannot be cabled: more fabric ports per rack (`ports_per_rack`) than the system has
ports of the fabric's role (`compute_ports`, `storage_ports` or `management_ports`); a storage or
management fabric of a system that declares no such ports and whose `ports_per_rack` is not written; ports per rack that do not split evenly over the `rails` (port i of every system goes to
rail i's leaves) and the `planes`; fixed `leaves`, `spines` or `cores` whose switches have too few ports
for the endpoints and up links they must carry (the message gives the ports needed and the switch's).
A switch slower than the system's ports of the role gets a warning: the links run at the lower speed.
Example: 24 leaves of 32 endpoints at 1:1 need 32 up links each; with `spines = 12` that is 3 links to
each spine, 36 up ports, but a 64-port leaf has 32 left.
Fix: set `ports_per_rack`, `rails` and `planes` so that they divide the ports; choose counts the hint
lists, or leave them out to have them sized; or choose a matching switch.""")
_code("fabric-striping", "check", "Fixed switch counts cannot be striped uniformly",
      """Every rail of every scalable unit has the same leaves, every pod the same spines and every core plane
(one per spine of a pod) the same cores, so each switch has the same links to every switch above it. A
fixed `leaves` must be a multiple of planes x rails x scalable units, `spines` of planes x pods, `cores`
of planes x spines per pod (under `rail_only`, each rail's fabric counts as a plane).
Example: 60 nodes of 8 rails in units of 20: 3 units x 8 rails = 24 rail leaves, so `leaves = 20` cannot
be uniform.
Fix: a count the hint gives, or leave it out.""")
_code("fabric-blocking", "check", "Fixed switch counts give another oversubscription than asked",
      """With fixed counts each leaf still sends the same number of links to every spine, at least the up links
its down ports need at `oversubscription`; a spine count that does not divide them cables more up links,
and the leaf's down:up ratio differs from the one written.
Example: a 64-port leaf at 2:1 has 42 down ports and needs 21 up links; `spines = 11` cables 2 links to
each, 22 up links: 21:11.
Fix: a spine count that divides the up links a leaf needs, or set `oversubscription` to what is built.""")
_code("cable-reach", "check", "Some link in a hall is longer than any medium reaches",
      """Cables run along trays: along and across the rows, plus a vertical drop (`tray_height`) and `slack` at
each end; a short one within a row segment (at most `in_row_max` long) may cross the rack tops instead,
plus `in_row_rise` and `in_row_slack` at each end. The racks a fabric has in a hall, placed compactly,
span a route of row length + (rows - 1) x row_pitch; every rack must reach the switch above it (a single
switch, or every spine from every leaf), so wherever those stand, some link is at least half that span
plus the drops and slack (or the rises and in-row slack, when half the span is within `in_row_max`).
When that lower bound exceeds the reach of every medium the fabric may use (its `media`, or all in scope) no layout can
cable it. Reach: copper DAC 2-3 m, ACC 5 m, multimode 50 m, single-mode DR 100 m, 2xDR4 500 m, 2xFR4 2 km.
Fix: allow an optical medium in the fabric's `media`, or use smaller halls.""")
_code("shortest-link-reach", "check", "Even adjacent racks are farther apart than any medium reaches",
      """A link on the trays runs from a port down or up to the cable tray and back at the other end: the solver
counts `2 x (rack_height + tray_height) + 2 x slack` (a port may sit at the bottom of its rack; `cabling`
block, 2.3 m, 1 m and 1 m by default) plus the horizontal run, at least one `slot_width` between two
racks. Neighbours in a row segment may instead be cabled across the rack tops, `2 x (in_row_rise +
in_row_slack)` (0.5 m each by default) plus the run, when the run is at most `in_row_max` (3 m). The
length is rounded up to whole `length_bin`s; a medium covers only the whole bins within its reach. When
the shortest possible link is beyond every medium the fabric may use (its `media`, or all in scope), no
layout can cable it, whatever the halls. Reported at the fabric's `media`.
Example: copper of 2 m reach with the default cabling: adjacent racks need 0.6 m + 2 m = 3 m across the
rack tops (and 0.6 m + 8.6 m = 10 m on the trays).
Fix: allow a longer-reach medium in `media`, or a cabling model with shorter rises, drops, slack or bins.""")
_code("fabric-media", "check", "A fabric may use no cable medium",
      """A fabric's links need a cable medium: the ones its `media` lists, else every `media` block in scope
(`import catalog.nvidia` brings copper and optics). A fabric with an empty list, or in a spec with no media
at all, cannot be cabled.
Fix: import or define media, or list them in the fabric's `media`.""")
_code("media-speed", "check", "A cable medium is slower than the fabric's ports",
      """Every link of a fabric runs at its port speed: the switch's `port_speed` (divided by the fabric's
`split`), or the system's `port_speed` when that is faster (host links; a non-blocking fabric carries that
traffic up through its tiers, so the rule holds between switches too). A medium's `speed` is what one
cable carries. A medium the fabric lists in `media` that is slower is an error; among the default media
(every one in scope) the slow ones are not used, and a fabric left with none fast enough is an error.
A medium without `speed` is unspecified and matches any port. The layout (solver and verify) picks only
among the media fast enough.
Example: a Quantum-X800 Q3400 fabric (800 Gb/s ports) listing `dac_2m` (400 Gb/s NDR copper).
Fix: list media of the fabric's speed (the catalog's XDR parts: `dac_800g_2m`, `smf_800g_dr4_100m`, ...),
or run the switch ports split (`split = 2` runs 800G ports as 2 x 400G).""")
_code("port-split", "check", "A split port or breakout does not divide",
      """`split = k` on a fabric runs each switch port as k ports of 1/k its speed (an 800G port as 2 x 400G),
so the switch offers ports x k ports for sizing the fabric. The split must give whole Gb/s per port. A
medium listed in the fabric's `media` whose module serves `cables_per_transceiver` cables at the switch
(a twin-port OSFP, the single plug of a breakout cable) must fill the switch's ports exactly: ports x
split must be a multiple of it, or a module is left half used.
Fix: split 2 or 4 ways; choose media whose cables per module divide the switch's ports.""")
_code("implausible-value", "check", "A value is allowed but implausible",
      """A warning for values that parse and pass the vocabulary's bounds but are far outside what real
factories use: a PUE above 3 (industry average ~1.56; liquid-cooled AI halls ~1.1-1.25), a rack above
2 MW (Rubin Ultra NVL576 is ~600 kW), a rack above 10 t. Check the unit (`kW` vs `MW`, `kg` vs `t`).""")
_code("no-power-train", "check", "IT load with no power train feeding it",
      """A building holds IT load (racks placed in its halls) but neither the building nor those halls has a
`power` block (UPS, substation or switchgear). The spec then assumes that the utility feeds the racks
directly: no power train is sized and `power-train-capacity` checks nothing. Trains cannot stand at the
site (it has only its `utility`), so a building's or a hall's own trains are what cover it.
Example: a building of four halls drawing 53 MW of IT with only the site's 750 MW utility.
Fix: add `power NAME { capacity = ... modules = ... redundancy = ... }` to the building (or each hall), or
`allow = ["no-power-train"]` in the building when the utility really feeds the racks. (Warning.)""")
_code("no-cooling-plant", "check", "IT load with no heat rejection plant",
      """A building holds IT load but there is no `cooling` plant (chillers, dry coolers) in the building nor
in its site; a site's plant covers all of its buildings. The spec then models no heat rejection: the CDUs
and air handling move the heat out of the racks but nothing rejects it, and `cooling-plant-capacity`
checks nothing.
Fix: add `cooling { capacity = ... modules = ... }` to the building or the site, or
`allow = ["no-cooling-plant"]` in the building when the plant is outside the spec. (Warning.)""")
_code("hall-underused", "check", "A hall's rows use little of its floor",
      """The rows of a hall with their aisles, `rows x row_pitch` deep by `slots_per_row x slot_width` wide (plus
1.2 m per `cross_aisles`), cover less than 25 % of the hall's `size`. The row pitch already includes the hot
and cold aisles, so in real halls the rows take about 50-80 % of the floor; the rest is end-of-row and
perimeter aisles, in-room CDUs or PDUs and egress. Under 25 % the hall is more than four times what its
rows need: usually a size in the wrong unit or a draft row count.
Example: a hall 120 m x 60 m whose 14 rows x 4.2 m fill 58.8 m of its depth but whose 20 slots x 600 mm
fill 12 m of its width: 705.6 m2 of 7,200 m2, 9.8 %.
Fix: make `size` fit the rows plus aisles, or add rows or slots; `allow = ["hall-underused"]` in the hall
when the floor is kept for rows not yet written. (Warning.)""")
_code("excess-land", "check", "A site's land is a hundred times what its buildings cover",
      """The site's `land` is 100 times (or more) the sum of its buildings' `size` footprints: they cover 1 %
of it or less. Campuses usually build on 10-40 % of their land (setbacks, substations, cooling yards,
roads and later phases take the rest), so 1 % points at a unit slip (`acre` for `m2`, `km2` for `ha`;
1 acre = 4,046.86 m2, 1 ha = 10,000 m2) or a parcel bought for buildings the spec does not hold yet.
Sites with a building of unknown `size` are not compared.
Fix: check the unit; add the later phases' buildings, or `allow = ["excess-land"]` in the site when the
parcel is meant to be larger. (Warning.)""")
_code("scalable-unit-remainder", "check", "A cluster's racks are not a whole number of scalable units",
      """A scalable unit (`scalable_unit` racks, e.g. 8 NVL72 racks in NVIDIA's SuperPOD) is the block a cluster
is built, cabled and placed in; the layout keeps each one contiguous. When `racks` is not a multiple of it
the last unit is short, which is rarely what was meant. The message gives the remainder and the nearest
multiples.
Example: 100 racks in units of 8 are 12 units and 4 racks left over; 96 or 104 would be whole.
Fix: make `racks` a multiple of `scalable_unit` (or choose a unit that divides it). (Warning.)""")

# ---- compile and verify ----------------------------------------------------
_code("infeasible", "solve", "No layout satisfies the spec",
      "The solver proved that no placement of racks and cables meets every constraint, but could not name "
      "a single binding one. Usually a more specific code is reported instead (rack-fit, hall-slots, "
      "cable-reach, busway-overload ...). Give the clusters more halls, relax the constraint, or split "
      "the cluster. `compile` exits 3 and writes nothing.")
_code("time-limit-short", "compile", "The time limit is less than the spec needs",
      """`compile` divides `--time-limit` (or `solve { time_limit }`, default 120 s) by fixed work rules:
the outputs (verify, the as-built recount, layout.json, topology.graphml, drawings) are reserved
time by the number of link groups and halls, and the solver's starts by the number of compute racks.
When the limit is less than one full start and the outputs, the solver still makes one layout (with
its bound cut to what the limit allows) and the compile runs past the limit; the warning says about
how long the rules expect. Give a limit at least that long; the same limit always gives the same
layout.""")
_code("output-dir-foreign", "compile", "The output directory is not one compile may replace",
      """`compile` replaces the whole output directory (-o DIR, default `out`) as one set, so it never mixes
files of two compiles. It does so only when DIR is missing, empty, or holds nothing but files compile
writes (layout.json, bom.csv, report.md, topology.graphml, siteplan.svg, floorplan-*.svg, floorplan-*.dxf); otherwise,
or when DIR is not a directory or holds the working directory, it refuses and writes nothing, before
solving. Choose another -o directory, or move the other files away.""")
_code("output-write-failed", "compile", "The outputs could not be written",
      """Writing the new outputs beside the output directory, or moving them into place, failed (a full
disk, no permission to write the parent directory ...). The previous outputs, if any, are left as
they were unless the message says otherwise; a leftover DIR.tmp-* directory is never a finished
compile and the next compile removes it.""")
_code("netbox-refused", "export", "NetBox refused part of a push",
      """`factoryspec export netbox ... --push URL` loads the layout into NetBox through its REST API, kind by
kind (manufacturers, device types, roles, sites, locations, racks, devices, power panels and feeds,
cables). NetBox answered a request with an error: the message names the kind and NetBox's reason (a
token without write permission answers 403; an object NetBox's rules reject, such as a rack name
already used in that location by an object not made by factoryspec, answers 400). NetBox has no
transaction across requests, so what was pushed before stays; fix the cause and push again: the push
is idempotent and continues from what NetBox holds.""")
_code("netbox-unreachable", "export", "NetBox could not be reached",
      """The URL given to `--push` did not answer: nothing listens there, the name does not resolve, TLS
failed or the connection dropped. Check the URL (the NetBox web address, e.g. https://netbox.example.com,
without /api) and that this machine can reach it. Nothing was changed if the first request failed;
otherwise push again, which continues from what NetBox holds.""")
_code("layout-invalid", "verify", "A layout.json does not satisfy its spec",
      """`factoryspec verify SPEC LAYOUT` re-checks a layout independently of the solver: every rack placed
exactly once, no slot used twice, reserved slots empty, busway, CDU and air capacities, floor rating,
contiguity of scalable units and NVLink domains, every fabric link present, each cable's length
recomputed from the rack positions, the cheapest medium that reaches it, and the totals. The message
names the first thing that does not hold. A layout edited by hand, or made from another version of
the spec (the spec hash differs), fails here.""")


# Codes that some diagnostic reports as a warning: the codes `allow` may name.
# (tests/test_codes.py keeps this in step with the warning() calls of the package.)
WARNINGS = frozenset({
    "unused", "implausible-value", "air-capacity", "fabric-ports", "fabric-blocking", "nvlink-domain",
    "no-power-train", "no-cooling-plant", "hall-underused", "excess-land", "scalable-unit-remainder",
    "check-budget", "expect-failed", "time-limit-short",
})
