"""The shipped catalog's items, for completion of names not yet imported."""

from __future__ import annotations

import functools
import os

import attrs

from ..lang import loader
from ..lang import nodes as n
from ..lang.parser import parse


@attrs.frozen
class Item:
    module: str      # catalog module name: `nvidia` for `import catalog.nvidia`
    kind: str
    name: str
    doc: str | None


@functools.lru_cache(maxsize=64)
def _items_of(path: str, mtime: float) -> tuple[Item, ...]:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return ()
    module = parse(text, path).module
    name = os.path.splitext(os.path.basename(path))[0]
    return tuple(Item(name, s.kind, s.name, s.doc) for s in (module.body if module else ())
                 if isinstance(s, n.Block) and s.name)


def items() -> list[Item]:
    out: list[Item] = []
    for path in sorted(loader.CATALOG_DIR.glob("*.fac")):
        try:
            out.extend(_items_of(str(path), path.stat().st_mtime))
        except OSError:
            continue
    return out


def modules() -> list[str]:
    return loader.catalog_modules()
