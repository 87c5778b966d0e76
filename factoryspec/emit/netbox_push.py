"""Push the NetBox design (netbox_design.py) into a running NetBox through its REST API.

Idempotent: every object is matched to what NetBox holds by its natural key
(a name, with its site, panel or manufacturer where NetBox scopes names so);
a missing one is created, one whose fields differ is updated (only the fields
that differ), one that matches is left alone. Objects the push creates carry
the tag `factoryspec`; an object it finds without the tag (a manufacturer or a
site someone made by hand) is used as it is and never changed or deleted. A
tagged object of the design's sites that the design no longer holds (within
the scope's halls, for the per-hall kinds) is deleted, cables first. So a
second push of the same layout changes nothing, and a changed layout moves
only what changed.

Bulk: creations, updates and deletions go in lists of `chunk` objects a
request, `workers` requests at a time (each of one kind, after the kinds it
refers to). Moves are made in two steps so that no intermediate state breaks
NetBox's rules: devices that change rack or U are first unracked, racks that
change position first lose their facility ID, and cables whose ends change
are deleted and made again.

NetBox has no transaction across requests: a push that fails part way (the
server refuses an object, the connection drops) leaves what it did; the
error names the kind and NetBox's message, and pushing again continues from
what is there.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import attrs

from .netbox_design import KINDS

TAG = {"name": "factoryspec", "slug": "factoryspec", "color": "76b900",
       "description": "made by factoryspec export netbox --push"}
HALL_KINDS = {"racks", "devices", "power_panels", "power_feeds", "cables"}
ENDS = ("a_terminations", "b_terminations")      # a cable whose ends change is made again
CHUNK = 250
WORKERS = 4


@attrs.define
class Tally:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0

    def changed(self) -> int:
        return self.created + self.updated + self.deleted


class Refused(Exception):
    """NetBox refused a request: the kind, what was asked and NetBox's answer."""


def push(design, url: str, token: str, *, workers: int = WORKERS, chunk: int = CHUNK,
         progress: Callable[[str, int, int], None] | None = None, api=None) -> dict[str, Tally]:
    """Make NetBox at `url` hold `design`; kind -> what was done. Raises Refused
    (the caller turns it into a diagnostic) when NetBox refuses a request."""
    import pynetbox
    import requests

    nb = api or pynetbox.api(url, token=token, threading=True)
    if api is None:
        adapter = requests.adapters.HTTPAdapter(pool_maxsize=max(workers, 4))
        nb.http_session.mount("http://", adapter)
        nb.http_session.mount("https://", adapter)
    p = _Push(nb, design, workers, chunk, progress or (lambda kind, done, total: None))
    try:
        return p.run()
    except pynetbox.RequestError as exc:         # outside a bulk request: the token, the tag, a read
        status = getattr(getattr(exc, "req", None), "status_code", "?")
        raise Refused(f"NetBox at {url} answered {status}: {_reason(exc)}") from None
    except pynetbox.ContentError as exc:
        raise Refused(f"{url} did not answer as NetBox's REST API does: {exc}") from None


class _Push:
    def __init__(self, nb, design, workers, chunk, progress):
        self.nb, self.d, self.workers, self.chunk, self.progress = nb, design, workers, chunk, progress
        self.ids: dict[str, dict] = {}             # kind -> natural key -> NetBox id
        self.tally = {kind: Tally() for kind, _ in KINDS}
        self.tally["interface_templates"] = Tally()
        self.interfaces: dict | None = None        # (device, interface) -> id, read once devices exist

    def endpoint(self, kind: str):
        app, name = dict(KINDS)[kind].split("/")
        return getattr(getattr(self.nb, app), name.replace("-", "_"))

    def run(self) -> dict[str, Tally]:
        self.tag = self._tag()
        existing = {kind: self._existing(kind) for kind, _ in KINDS}
        for kind, _ in reversed(KINDS):           # stale objects go first, cables before their devices
            self._delete_stale(kind, existing[kind])
        for kind, _ in KINDS:
            self._sync(kind, existing[kind])
            if kind == "device_types":
                self._templates()
        return self.tally

    # ---- reading what NetBox holds ----------------------------------------------------------

    def _tag(self) -> int:
        ep = self.nb.extras.tags
        got = ep.get(slug=TAG["slug"])
        return (got or ep.create(TAG)).id

    def _existing(self, kind: str) -> dict:
        """natural key -> the object as a plain dict, of the design's sites (where the
        kind belongs to a site) or all of them."""
        ep = self.endpoint(kind)
        if kind in {"locations", "racks", "devices", "power_panels", "power_feeds", "cables"}:
            site_ids = [i for i in self._site_ids() if i is not None]
            rows = [dict(r) for r in ep.filter(site_id=site_ids, limit=1000)] if site_ids else []
        else:
            rows = [dict(r) for r in ep.all(limit=1000)]
        return {self._key_of(kind, r): r for r in rows}

    def _site_ids(self) -> list:
        names = [s["name"] for s in self.d.records["sites"]]
        got = {r.name: r.id for r in self.nb.dcim.sites.filter(name=names)} if names else {}
        return [got.get(n) for n in names]

    @staticmethod
    def _key_of(kind: str, r: dict):
        """The natural key of an object NetBox returned (as _key gives a record's)."""
        if kind == "device_types":
            return (r["manufacturer"]["name"], r["model"])
        if kind == "locations":
            return (r["site"]["name"], r["name"])
        if kind in {"racks", "devices", "power_panels"}:
            return (r["site"]["name"], r["name"])
        if kind == "power_feeds":
            return (r["power_panel"]["name"], r["name"])
        if kind == "cables":
            return r["label"]
        return r["name"]

    @staticmethod
    def _key(kind: str, rec: dict):
        if kind == "device_types":
            return (rec["manufacturer"], rec["model"])
        if kind in {"locations", "racks", "devices", "power_panels"}:
            return (rec["site"], rec["name"])
        if kind == "power_feeds":
            return (rec["power_panel"], rec["name"])
        if kind == "cables":
            return rec["label"]
        return rec["name"]

    def _ours(self, r: dict) -> bool:
        return any((t.get("id") if isinstance(t, dict) else t) == self.tag for t in r.get("tags") or ())

    def _hall_of(self, kind: str, r: dict) -> str | None:
        """The hall an existing object of a per-hall kind belongs to (None: unknown)."""
        if kind == "cables":
            label = r.get("label") or ""
            k = label[1:label.find("-")] if label.startswith("H") else ""
            return next((h for h, n in self.d.halls.items() if str(n) == k), None)
        if kind == "power_feeds":
            return (r["power_panel"]["name"]).rsplit("/", 1)[0]
        if kind == "power_panels":
            return r["name"].rsplit("/", 1)[0]
        loc = r.get("location")
        return loc["name"].rsplit("/row", 1)[0] if loc else None

    # ---- deleting ------------------------------------------------------------------------------------

    def _delete_stale(self, kind: str, existing: dict) -> None:
        want = {self._key(kind, rec): rec for rec in self.d.records[kind]}
        stale = []
        for key, r in existing.items():
            if not self._ours(r):
                continue
            if kind in HALL_KINDS and self._hall_of(kind, r) not in self.d.scope:
                continue
            if key not in want or (kind == "cables" and _ends(r) != _wanted_ends(want[key])):
                stale.append(r["id"])
        if kind not in HALL_KINDS and self.d.scope != tuple(self.d.halls):
            stale = []                              # a scoped push never removes what other halls share
        for key in [k for k, r in existing.items() if r["id"] in set(stale)]:
            del existing[key]
        self._bulk(kind, "delete", stale)
        self.tally[kind].deleted += len(stale)

    # ---- creating and updating -------------------------------------------------------------------------

    def _sync(self, kind: str, existing: dict) -> None:
        if kind == "locations":                     # parents before their children
            for depth in _depths(self.d.records[kind]):
                self._sync_records(kind, depth, existing)
        else:
            self._sync_records(kind, self.d.records[kind], existing)

    def _sync_records(self, kind: str, records: list, existing: dict) -> None:
        ids = self.ids.setdefault(kind, {})
        creates, updates, keys = [], [], []
        first_steps = []                            # moves made in two steps (module docstring)
        for rec in records:
            key = self._key(kind, rec)
            payload = self._payload(kind, rec)
            got = existing.get(key)
            if got is None:
                creates.append({**payload, "tags": [self.tag]})
                keys.append(key)
                continue
            ids[key] = got["id"]
            if not self._ours(got):
                self.tally[kind].unchanged += 1
                continue
            diff = {f: v for f, v in payload.items() if f not in ENDS and not _same(got.get(f), v)}
            if not diff:
                self.tally[kind].unchanged += 1
                continue
            if kind == "devices" and ({"rack", "position"} & set(diff)):
                first_steps.append({"id": got["id"], "rack": None, "position": None})
            if kind == "racks" and "facility_id" in diff and got.get("facility_id"):
                first_steps.append({"id": got["id"], "facility_id": None})
            updates.append({"id": got["id"], **diff})
        self._bulk(kind, "update", first_steps)
        self._bulk(kind, "update", updates)
        self.tally[kind].updated += len(updates)
        made = self._bulk(kind, "create", creates)
        for k, m in zip(keys, made):
            ids[k] = m["id"]
        self.tally[kind].created += len(creates)

    def _payload(self, kind: str, rec: dict) -> dict:
        """The record as the REST API takes it: references as ids."""
        ids = self.ids
        site = lambda name: ids["sites"][name]                      # noqa: E731
        loc = lambda s, name: ids["locations"][(s, name)] if name else None   # noqa: E731
        if kind in {"manufacturers", "device_roles", "rack_roles"}:
            return {k: rec[k] for k in ("name", "slug", "color") if k in rec}
        if kind == "device_types":
            return {"manufacturer": ids["manufacturers"][rec["manufacturer"]], "model": rec["model"],
                    "slug": rec["slug"], "u_height": rec["u_height"], "is_full_depth": rec["is_full_depth"]}
        if kind == "sites":
            return {"name": rec["name"], "slug": rec["slug"], "status": rec["status"]}
        if kind == "locations":
            return {"site": site(rec["site"]), "parent": loc(rec["site"], rec["parent"]),
                    "name": rec["name"], "slug": rec["slug"], "status": rec["status"]}
        if kind == "racks":
            return {"site": site(rec["site"]), "location": loc(rec["site"], rec["location"]), "name": rec["name"],
                    "facility_id": rec["facility_id"], "status": rec["status"],
                    "role": ids["rack_roles"][rec["role"]], "width": rec["width"], "u_height": rec["u_height"],
                    "description": rec["description"]}
        if kind == "devices":
            return {"name": rec["name"], "device_type": ids["device_types"][(rec["manufacturer"], rec["device_type"])],
                    "role": ids["device_roles"][rec["role"]], "site": site(rec["site"]),
                    "location": loc(rec["site"], rec["location"]), "rack": ids["racks"][(rec["site"], rec["rack"])],
                    "position": rec["position"], "face": rec["face"], "status": rec["status"],
                    "description": rec["description"]}
        if kind == "power_panels":
            return {"site": site(rec["site"]), "location": loc(rec["site"], rec["location"]), "name": rec["name"]}
        if kind == "power_feeds":
            out = {k: rec[k] for k in ("name", "status", "type", "supply", "phase", "voltage", "amperage",
                                       "max_utilization", "description")}
            return {"power_panel": ids["power_panels"][(rec["site"], rec["power_panel"])], **out}
        if kind == "cables":
            return {"a_terminations": [self._interface(rec["side_a_device"], rec["side_a_name"])],
                    "b_terminations": [self._interface(rec["side_b_device"], rec["side_b_name"])],
                    **{k: rec[k] for k in ("type", "status", "label", "length", "length_unit", "description")}}
        raise KeyError(kind)

    # ---- interfaces -----------------------------------------------------------------------------------

    def _templates(self) -> None:
        """Each device type's interface templates: the missing ones made (NetBox gives
        every device made from the type its interfaces)."""
        ep = self.nb.dcim.interface_templates
        creates = []
        for t in self.d.records["device_types"]:
            tid = self.ids["device_types"][(t["manufacturer"], t["model"])]
            have = {r.name for r in ep.filter(device_type_id=tid, limit=1000)}
            creates += [{"device_type": tid, "name": i["name"], "type": i["type"]}
                        for i in t["interfaces"] if i["name"] not in have]
        self._bulk("interface_templates", "create", creates, ep)
        self.tally["interface_templates"].created += len(creates)

    def _interface(self, device: str, name: str) -> dict:
        if self.interfaces is None:
            self.interfaces = self._load_interfaces()
        return {"object_type": "dcim.interface", "object_id": self.interfaces[(device, name)]}

    def _load_interfaces(self) -> dict:
        """(device name, interface name) -> id, of the design's devices."""
        out = {}
        dev_ids = {v: k[1] for k, v in self.ids["devices"].items()}
        ids = sorted(dev_ids)
        ep = self.nb.dcim.interfaces
        for k in range(0, len(ids), 100):
            for r in ep.filter(device_id=ids[k:k + 100], limit=1000):
                out[(dev_ids[r.device.id], r.name)] = r.id
        return out

    # ---- requests ---------------------------------------------------------------------------------------

    def _bulk(self, kind: str, verb: str, objects: list, ep=None) -> list[dict]:
        """Create, update or delete `objects` in chunks, `workers` requests at a time;
        what NetBox returned (created or updated objects), in order."""
        if not objects:
            return []
        import pynetbox

        ep = ep or self.endpoint(kind)
        chunks = [objects[k:k + self.chunk] for k in range(0, len(objects), self.chunk)]
        done = 0

        def one(part):
            try:
                if verb == "delete":
                    ep.delete(part)
                    return []
                got = getattr(ep, verb)(part)
                return [dict(r) for r in (got if isinstance(got, list) else [got])]
            except pynetbox.RequestError as exc:
                raise Refused(f"NetBox refused to {verb} {kind}: {_reason(exc)}") from None

        out = []
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            for got in pool.map(one, chunks):
                out += got
                done += min(self.chunk, len(objects) - done)
                self.progress(f"{verb} {kind}", done, len(objects))
        return out


def _reason(exc) -> str:
    err = getattr(exc, "error", None) or str(exc)
    return str(err)[:2000]


def _same(have, want) -> bool:
    """An existing field (as NetBox returns it) equals the wanted value."""
    if isinstance(have, dict):
        have = have.get("id", have.get("value"))
    if isinstance(have, (int, float)) and isinstance(want, (int, float)) and not isinstance(want, bool):
        return float(have) == float(want)
    if have is None and want == "":
        return True
    return have == want


def _ends(r: dict) -> tuple:
    """(A ends, B ends) of an existing cable, as (device name, interface name) sets."""
    def side(ts):
        return frozenset((t["object"]["device"]["name"], t["object"]["name"]) for t in ts or ()
                         if t.get("object") and t["object"].get("device"))
    return side(r.get("a_terminations")), side(r.get("b_terminations"))


def _wanted_ends(rec: dict) -> tuple:
    return (frozenset({(rec["side_a_device"], rec["side_a_name"])}),
            frozenset({(rec["side_b_device"], rec["side_b_name"])}))


def _depths(records: list) -> list[list]:
    """Location records in rounds: each round's parents are in earlier rounds."""
    depth = {}
    for r in records:                              # the design lists parents first
        depth[r["name"]] = depth[r["parent"]] + 1 if r["parent"] in depth else 0
    rounds = [[] for _ in range(max(depth.values(), default=-1) + 1)]
    for r in records:
        rounds[depth[r["name"]]].append(r)
    return rounds
