"""Loading a spec and everything it imports.

`import "halls.fac"` is relative to the importing file and may not leave the
project root; `import catalog.nvidia` names a module shipped in
factoryspec/catalog/. Cycles are diagnosed at the import that closes them.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path

import attrs

from . import nodes as n
from .diagnostics import Diagnostic, error
from .parser import ParseResult, parse
from .source import decode, read
from .suggest import did_you_mean

CATALOG_DIR = Path(__file__).resolve().parent / "catalog"


@attrs.define
class Program:
    """The entry module and every module it reaches through imports."""
    entry: str
    root: str
    sources: dict[str, str] = attrs.Factory(dict)           # display path -> text
    modules: dict[str, n.Module] = attrs.Factory(dict)       # display path -> AST
    imports: dict[str, list[tuple[n.Import, str]]] = attrs.Factory(dict)  # importer -> [(stmt, path)]
    diagnostics: list[Diagnostic] = attrs.Factory(list)
    catalog: set[str] = attrs.Factory(set)                   # display paths of catalog modules
    files: dict[str, Path] = attrs.Factory(dict)             # display path -> resolved absolute path

    def is_catalog(self, path: str) -> bool:
        # Decided once per file at load time: the resolver asks for every definition.
        return path in self.catalog

    def project_name(self, path: str) -> str:
        """The name of a loaded file that does not depend on where factoryspec
        runs or is installed: a catalog file is its module name
        (`catalog.nvidia`), any other file its path relative to the project
        root, with `/` separators. Display paths depend on the working
        directory, so outputs and hashes use this instead."""
        absolute = self.files.get(path, Path(path).resolve())
        if _is_within(absolute, CATALOG_DIR):
            return ".".join(("catalog", *absolute.relative_to(CATALOG_DIR).with_suffix("").parts))
        # os.path.relpath, not Path.relative_to: an entry outside --root still gets a stable name.
        return Path(os.path.relpath(absolute, self.root)).as_posix()


def catalog_modules() -> list[str]:
    return sorted(p.stem for p in CATALOG_DIR.glob("*.fac"))


class _ParseCache:
    """Parses keyed by (path, text): the language server re-lints on every
    keystroke, and imported files (the catalog above all) rarely change."""

    def __init__(self, size: int = 64):
        self.size = size
        self.entries: OrderedDict[tuple[str, str], ParseResult] = OrderedDict()

    def get(self, path: str, text: str) -> ParseResult:
        key = (path, text)
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            return hit
        result = parse(text, path)
        self.entries[key] = result
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)
        return result


_cache = _ParseCache()


def _is_within(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _display(path: Path) -> str:
    """Paths are shown relative to the working directory when below it."""
    try:
        return os.path.relpath(path) if _is_within(path, Path.cwd().resolve()) else str(path)
    except ValueError:
        return str(path)


def load(entry: str, root: str | None = None, overlay: dict[str, str] | None = None) -> Program:
    """Parse `entry` and its imports. `overlay` maps resolved paths to unsaved
    editor text, which takes precedence over the disk."""
    entry_path = Path(entry).resolve()
    root_path = Path(root).resolve() if root else entry_path.parent
    prog = Program(entry=_display(entry_path), root=str(root_path))
    overlay = {str(Path(k).resolve()): v for k, v in (overlay or {}).items()}
    _load_file(prog, entry_path, root_path, overlay, stack=[])
    return prog


def load_text(text: str, path: str, root: str | None = None) -> Program:
    return load(path, root, overlay={path: text})


def _read(path: Path, overlay: dict[str, str]) -> tuple[str | None, list[Diagnostic]]:
    display = _display(path)
    if str(path) in overlay:
        source, diags = decode(display, overlay[str(path)].encode("utf-8", "surrogatepass"))
    else:
        source, diags = read(str(path))
        diags = [attrs.evolve(d, span=attrs.evolve(d.span, file=display)) if d.span else d for d in diags]
    return (source.text if source else None), diags


def _load_file(prog: Program, path: Path, root: Path, overlay: dict[str, str], stack: list[Path]) -> None:
    display = _display(path)
    if display in prog.sources or display in prog.modules:
        return
    prog.files[display] = path
    text, diags = _read(path, overlay)
    prog.diagnostics.extend(diags)
    if text is None:
        prog.sources[display] = ""
        return
    prog.sources[display] = text
    if _is_within(path, CATALOG_DIR):
        prog.catalog.add(display)
    result = _cache.get(display, text)
    prog.diagnostics.extend(result.diagnostics)
    if result.module is None:
        return
    prog.modules[display] = result.module
    prog.imports[display] = []
    stack = stack + [path]
    for stmt in result.module.body:
        if isinstance(stmt, n.Import):
            target = _resolve_import(prog, stmt, path, root, stack)
            if target is None:
                continue
            prog.imports[display].append((stmt, _display(target)))
            if target in stack:
                cycle = " -> ".join(_display(p) for p in stack[stack.index(target):] + [target])
                prog.diagnostics.append(error("import-cycle", f"import cycle: {cycle}", stmt.span,
                                              "move the shared definitions into a third file"))
                continue
            _load_file(prog, target, root, overlay, stack)


def _resolve_import(prog: Program, stmt: n.Import, importer: Path, root: Path,
                    stack: list[Path]) -> Path | None:
    if not stmt.is_path:
        parts = stmt.target.split(".")
        if parts[0] != "catalog" or len(parts) != 2:
            prog.diagnostics.append(error(
                "import-not-found", f"`{stmt.target}` is not a catalog module",
                stmt.span, "catalog modules are imported as `catalog.NAME`; files as `import \"path.fac\"`"))
            return None
        target = CATALOG_DIR / f"{parts[1]}.fac"
        if not target.is_file():
            hint = did_you_mean(parts[1], catalog_modules())
            prog.diagnostics.append(error(
                "import-not-found", f"no catalog module `{parts[1]}`", stmt.span,
                hint or f"catalog modules: {', '.join(catalog_modules())}"))
            return None
        return target.resolve()
    target = (importer.parent / stmt.target).resolve()
    if not _is_within(target, root) and not _is_within(importer, CATALOG_DIR):
        prog.diagnostics.append(error(
            "import-outside-root", f"`{stmt.target}` is outside the project root {_display(root)}",
            stmt.span, "imports must stay inside the project; use --root to widen it"))
        return None
    if not target.is_file():
        siblings = [str(p.relative_to(importer.parent)) for p in importer.parent.glob("*.fac")]
        prog.diagnostics.append(error(
            "import-not-found", f"cannot find `{stmt.target}` (looked for {_display(target)})",
            stmt.span, did_you_mean(stmt.target, siblings)))
        return None
    return target
