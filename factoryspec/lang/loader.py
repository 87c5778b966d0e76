"""Loading a spec and everything it imports.

`import "halls.fac"` is relative to the importing file and may not leave the
project root; `import catalog.nvidia` names a module shipped in
factoryspec/catalog/. Cycles are diagnosed at the import that closes them.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Iterator

import attrs

from . import nodes as n
from ..diagnostics import Diagnostic, error
from .parser import ParseResult, parse
from .source import MAX_BYTES, MAX_TOTAL_BYTES, Unreadable, decode, read_limited, unreadable_diagnostic
from .suggest import did_you_mean

CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalog"   # factoryspec/catalog/


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


    def scope_order(self) -> list[str]:
        """The parsed modules whose imports reach no cycle, each after every
        module it imports: the order in which the resolver's depth-first walk
        from the entry finishes them. Building their scopes in this order
        keeps that walk one level deep however long an import chain is.
        Modules that reach a cycle are left to the walk itself, so that a
        cycle, an error anyway, resolves exactly as it always has."""
        order: list[str] = []
        if self.entry not in self.modules:
            return order
        seen, on_path, cyclic = {self.entry}, {self.entry}, set()
        stack = [(self.entry, iter(self._scope_imports(self.entry)))]
        while stack:
            path, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                stack.pop()
                on_path.discard(path)
                if path not in cyclic:
                    order.append(path)
                elif stack:
                    cyclic.add(stack[-1][0])   # an importer of a cyclic module reaches the cycle too
            elif target in on_path or target in cyclic:
                cyclic.add(path)
            elif target not in seen:
                seen.add(target)
                on_path.add(target)
                stack.append((target, iter(self._scope_imports(target))))
        return order

    def _scope_imports(self, path: str) -> list[str]:
        # The imports the resolver follows (resolve.Resolver._module_scope).
        return [t for _, t in self.imports.get(path, []) if t in self.modules and t != path]


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


# One spec and everything it reaches. Far beyond any hand-written campus; it
# bounds the work a generated chain of imports can cause.
MAX_FILES = 10_000


def _resolve(path: Path) -> Path:
    """An absolute path with symbolic links resolved where they can be: a
    link loop keeps its name, so that reading it reports the loop."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):   # RuntimeError: a symlink loop (Python < 3.13)
        return Path(os.path.abspath(path))


def load(entry: str, root: str | None = None, overlay: dict[str, str] | None = None) -> Program:
    """Parse `entry` and its imports. `overlay` maps resolved paths to unsaved
    editor text, which takes precedence over the disk."""
    entry_path = _resolve(Path(entry))
    root_path = _resolve(Path(root)) if root else entry_path.parent
    prog = Program(entry=_display(entry_path), root=str(root_path))
    overlay = {str(_resolve(Path(k))): v for k, v in (overlay or {}).items()}
    _Loader(prog, root_path, overlay).run(entry_path)
    return prog


def load_text(text: str, path: str, root: str | None = None) -> Program:
    return load(path, root, overlay={path: text})


@attrs.define
class _Frame:
    path: Path
    display: str
    imports: Iterator[n.Import]


class _Loader:
    """Follows imports depth first with an explicit stack instead of
    recursion, so a chain of a thousand files is no harder than a chain of
    two. The stack is the chain of files being read, the one an import cycle
    closes on; each file is read once, however often it is imported."""

    def __init__(self, prog: Program, root: Path, overlay: dict[str, str]):
        self.prog, self.root, self.overlay = prog, root, overlay
        self.stack: list[_Frame] = []
        self.on_stack: set[Path] = set()
        self.over_budget = False
        self.bytes_read = 0          # of every file so far (MAX_TOTAL_BYTES)
        self.listings: dict[Path, list[str]] = {}    # directory -> its .fac files' names, listed once a load

    def run(self, entry: Path) -> None:
        got = self._read(entry)
        display = _display(entry)
        if isinstance(got, Unreadable):
            self._enter(entry, None, [unreadable_diagnostic(display, got)])
        else:
            self._enter(entry, *decode_text(display, got))
        while self.stack:
            frame = self.stack[-1]
            stmt = next(frame.imports, None)
            if stmt is None:
                self.stack.pop()
                self.on_stack.discard(frame.path)
            else:
                self._follow(frame, stmt)

    def _read(self, path: Path) -> bytes | str | Unreadable:
        """Editor text for the path, else its bytes on disk, else why not."""
        got = self.overlay[str(path)] if str(path) in self.overlay else read_limited(str(path), MAX_BYTES)
        if not isinstance(got, Unreadable):
            self.bytes_read += len(got)
        return got

    def _enter(self, path: Path, text: str | None, diags: list[Diagnostic]) -> None:
        """Record one file; a file that parses goes on the stack to have its imports followed."""
        prog, display = self.prog, _display(path)
        prog.files[display] = path
        prog.diagnostics.extend(diags)
        prog.sources[display] = text or ""
        if text is None:
            return
        if _is_within(path, CATALOG_DIR):
            prog.catalog.add(display)
        result = _cache.get(display, text)
        prog.diagnostics.extend(result.diagnostics)
        if result.module is None:
            return
        prog.modules[display] = result.module
        prog.imports[display] = []
        imports = (stmt for stmt in result.module.body if isinstance(stmt, n.Import))
        self.stack.append(_Frame(path, display, imports))
        self.on_stack.add(path)

    def _follow(self, frame: _Frame, stmt: n.Import) -> None:
        prog = self.prog
        target = _resolve_import(prog, stmt, frame.path, self.root)
        if target is None:
            return
        display = _display(target)
        loaded = display in prog.sources
        got = None
        if not loaded:
            if self._budget_spent(stmt):
                return
            got = self._read(target)
            if isinstance(got, Unreadable) and got.code != "file-too-large":
                prog.diagnostics.append(_not_found(stmt, target, frame.path, got, self.listings))
                return
        prog.imports[frame.display].append((stmt, display))
        if target in self.on_stack:
            chain = [f.path for f in self.stack]
            cycle = " -> ".join(_display(p) for p in chain[chain.index(target):] + [target])
            prog.diagnostics.append(error("import-cycle", f"import cycle: {cycle}", stmt.span,
                                          "move the shared definitions into a third file"))
            return
        if loaded:
            return
        if isinstance(got, Unreadable):   # too large: reported in the file itself, as for the entry
            self._enter(target, None, [unreadable_diagnostic(display, got)])
        else:
            self._enter(target, *decode_text(display, got))

    def _budget_spent(self, stmt: n.Import) -> bool:
        if len(self.prog.files) < MAX_FILES and self.bytes_read < MAX_TOTAL_BYTES:
            return False
        if not self.over_budget:   # one diagnostic, at the first import that is not followed
            self.over_budget = True
            what = (f"reach more than {MAX_FILES:,} files" if len(self.prog.files) >= MAX_FILES else
                    f"come to {self.bytes_read:,} bytes, at least the {MAX_TOTAL_BYTES:,} a spec may have")
            self.prog.diagnostics.append(error(
                "too-many-imports", f"this spec and its imports {what}; "
                f"`{stmt.target}` and the files after it are not read", stmt.span,
                "import shared files from one place instead of chaining them"))
        return True


def decode_text(display: str, data: bytes | str) -> tuple[str | None, list[Diagnostic]]:
    if isinstance(data, str):   # editor text: checked as the bytes it would be saved as
        data = data.encode("utf-8", "surrogatepass")
    source, diags = decode(display, data)
    return (source.text if source else None), diags


def _not_found(stmt: n.Import, target: Path, importer: Path, why: Unreadable,
               listings: dict[Path, list[str]]) -> Diagnostic:
    if not stmt.is_path:
        name = stmt.target.split(".")[1]
        hint = did_you_mean(name, catalog_modules())
        return error("import-not-found", f"no catalog module `{name}`", stmt.span,
                     hint or f"catalog modules: {', '.join(catalog_modules())}")
    if not why.missing:
        return error("import-not-found", f"cannot import `{stmt.target}`: {why.reason}", stmt.span,
                     "imports must name regular .fac files")
    # Never the importing file itself: `a.fac` importing itself is a cycle,
    # not the fix for a typo in the name of another file.
    if importer.parent not in listings:     # 5,000 failed imports of one file list its directory once
        listings[importer.parent] = sorted(p.name for p in importer.parent.glob("*.fac"))
    siblings = [name for name in listings[importer.parent] if name != importer.name]
    return error("import-not-found", f"cannot find `{stmt.target}` (looked for {_display(target)})",
                 stmt.span, did_you_mean(stmt.target, siblings))


def _resolve_import(prog: Program, stmt: n.Import, importer: Path, root: Path) -> Path | None:
    """Where an import points, or None with a diagnostic when it may not be
    followed. Whether the file is there is found out by reading it."""
    if not stmt.is_path:
        parts = stmt.target.split(".")
        if parts[0] != "catalog" or len(parts) != 2:
            prog.diagnostics.append(error(
                "import-not-found", f"`{stmt.target}` is not a catalog module",
                stmt.span, "catalog modules are imported as `catalog.NAME`; files as `import \"path.fac\"`"))
            return None
        return _resolve(CATALOG_DIR / f"{parts[1]}.fac")
    target = _resolve(importer.parent / stmt.target)
    if not _is_within(target, root) and not _is_within(importer, CATALOG_DIR):
        prog.diagnostics.append(error(
            "import-outside-root", f"`{stmt.target}` is outside the project root {_display(root)}",
            stmt.span, "imports must stay inside the project; use --root to widen it"))
        return None
    return target
