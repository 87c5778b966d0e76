"""Shared fabrics: fabric blocks at site level that clusters join (`fabrics = [...]`).

* `fabric-unjoined` (error): a site fabric no cluster joins. It has no
  endpoints, so it cannot be sized, placed, cabled or billed; a network the
  spec writes but nothing uses is almost always a forgotten `fabrics = [...]`,
  and leaving it out silently would hide that. Said at the fabric's name,
  with the clusters of its site that could join it. (Not said when a cluster
  of the site was left out for its own errors: it may be the one that joins.)
* `fabric-join`: a cluster's `fabrics` names a fabric that is not at site
  level (a fabric block of a cluster belongs to that cluster), or names one
  fabric twice. (A name that is not a fabric at all is the resolver's
  `type-mismatch`; one that is not defined, its `undefined-reference`.)
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import Diagnostic, error
from ..model import Factory

CODES = ("fabric-unjoined", "fabric-join")


def check(f: Factory) -> Iterator[Diagnostic]:
    yield from f.join_faults
    for s in f.sites:
        if not s.complete:
            continue
        names = [c.qualname for c in s.clusters]
        for fab in s.fabrics:
            if fab.joined:
                continue
            hint = (f"add `fabrics = [{fab.name}]` to the clusters that use it ({', '.join(names)} could), "
                    "or remove the fabric" if names else
                    "the site has no cluster to join it: remove the fabric, or add clusters with "
                    f"`fabrics = [{fab.name}]`")
            yield error("fabric-unjoined", f"fabric {fab.qualname} stands at site level but no cluster joins it",
                        fab.at(), hint)
