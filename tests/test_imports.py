"""The package layout follows the pipeline: no phase imports a later one.

Every module of factoryspec/ is parsed (never imported) and each of its
imports resolved, relative ones included, at module level and inside
functions alike. A module's phase is its folder (or, for the modules on top,
its own name), and the phases are ordered as the pipeline runs:

    diagnostics < lang < fabric < model < checks < pipeline < layout < emit < api < lsp < cli

`fabric` (pure fat-tree sizing) sits below `model`, which stores its plans;
the plan figures and asserts live in `checks` because they read the checks'
measures; `layout` comes after `pipeline` because the layout problem is built
from a checked spec (layout/to_problem.py). The root package (its __init__
re-exports api) counts as `api`, and `__main__` as `cli`.

Two rules: (a) at module level the phases import each other without a cycle;
(b) no import, lazy or not, goes from a phase to a later one, except the
few in ALLOWED, each with its reason.
"""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parent.parent / "factoryspec"

ORDER = ["diagnostics", "lang", "fabric", "model", "checks", "pipeline", "layout", "emit", "api", "lsp", "cli"]
ALIASES = {"": "api", "__main__": "cli"}     # the root package, `python -m factoryspec`

# (importer, imported) -> why this import may go to a later phase.
ALLOWED = {
    ("factoryspec.lang.resolve", "factoryspec.checks.asserts"):
        "lazy, on one error path: a derived figure named outside an `assert` gets a hint, and the asserts' "
        "figure table is what knows the figures' names",
    ("factoryspec.layout.to_problem", "factoryspec"):
        "only `__version__` (part of the spec hash), which the root package sets before it imports anything",
}


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = path.relative_to(PKG.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = modules()


def phase(module: str) -> str:
    rest = module.split(".")[1:]
    name = rest[0] if rest else ""
    return ALIASES.get(name, name)


def _runtime(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Whether an import runs when its module is imported: not inside a
    function, nor under `if TYPE_CHECKING:`."""
    while node in parents:
        node = parents[node]
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            return False
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            return False
    return True


def imports(module: str, path: Path) -> list[tuple[str, int, bool]]:
    """(imported factoryspec module, line, at module level) for every import in `module`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                assert base, f"{path}:{node.lineno}: relative import beyond the package"
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # `from pkg import mod` imports the submodule; `from mod import name`, the module.
            targets = [f"{source}.{a.name}" if f"{source}.{a.name}" in MODULES else source for a in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            while target not in MODULES and "." in target:   # `import factoryspec.x.y` -> the deepest module
                target = target.rpartition(".")[0]
            if target.split(".")[0] == "factoryspec" and target in MODULES:
                found.append((target, node.lineno, _runtime(node, parents)))
    return found


EDGES = [(m, *imp) for m, path in MODULES.items() for imp in imports(m, path)]


def test_every_module_has_a_phase():
    unplaced = sorted(m for m in MODULES if phase(m) not in ORDER)
    assert not unplaced, f"modules outside every phase (add their folder to ORDER): {unplaced}"


def test_the_walk_sees_relative_and_lazy_imports():
    # A canary for the parser above: pipeline.check imports the checks inside a function.
    lazy = {(t, runtime) for m, t, _, runtime in EDGES if m == "factoryspec.pipeline"}
    assert ("factoryspec.checks", False) in lazy
    assert ("factoryspec.diagnostics", True) in lazy


def test_no_cycle_between_phases_at_module_level():
    graph: dict[str, set[str]] = {p: set() for p in ORDER}
    for importer, imported, _, runtime in EDGES:
        a, b = phase(importer), phase(imported)
        if runtime and a != b and (importer, imported) not in ALLOWED:
            graph[a].add(b)

    def cycle_from(start):
        stack = [(start, [start])]
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(graph[node]):
                if nxt == start:
                    return trail + [start]
                if nxt not in trail:
                    stack.append((nxt, trail + [nxt]))
        return None

    cycles = [c for c in map(cycle_from, ORDER) if c]
    assert not cycles, "phases importing each other at module level: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_phase_imports_a_later_one():
    rank = {p: i for i, p in enumerate(ORDER)}
    upward = sorted(f"{MODULES[importer].relative_to(PKG.parent)}:{line}: {importer} ({phase(importer)}) imports "
                    f"{imported} ({phase(imported)}){'' if runtime else ' lazily'}"
                    for importer, imported, line, runtime in EDGES
                    if rank[phase(importer)] < rank[phase(imported)] and (importer, imported) not in ALLOWED)
    assert not upward, "imports against the pipeline order:\n" + "\n".join(upward)


def test_every_allowed_import_is_still_there():
    present = {(importer, imported) for importer, imported, _, _ in EDGES}
    stale = sorted(set(ALLOWED) - present)
    assert not stale, f"ALLOWED names imports that no longer exist; remove them: {stale}"
