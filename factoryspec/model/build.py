"""Resolved entities to the typed model.

The builder never raises for bad input. The resolver has already diagnosed
every bad value (it is `ERROR`) and every missing required attribute; an
object with such a value is left out of the model (its qualname goes to
`Factory.skipped`) and its container is marked incomplete, so that checks
which add capacities up can stay silent instead of reporting follow-on
errors (a hall left out must not make its cluster look homeless).
"""

from __future__ import annotations

from fractions import Fraction
from math import gcd

from ..diagnostics import error
from ..lang import limits, units as u
from ..lang.resolve import ERROR, Entity, RangeValue, RatioValue, Resolved, SizeValue, parse_redundancy
from . import types as t
from .busway import busway_rating

# A rack's footprint when its system does not say: the common 600 mm x 1200 mm
# enclosure (ai-factory-facts.md, "Rack footprint").
DEFAULT_FOOTPRINT = SizeValue(u.Quantity.of(600, "mm"), u.Quantity.of(1200, "mm"))



def _place_appliances(blocks, start: int, n: int) -> int:
    """Sets each block's first node slot, the appliances standing after the nodes
    (which end at slot `start`) in block order; returns the slot after the last.
    A block with `own_racks` starts at a rack's first slot (of n) and leaves
    the rest of its last rack empty, so nothing else shares its racks."""
    at = start
    for a in blocks:
        if a.own_racks:
            at = -(-at // n) * n
        a.first_slot = at
        at += a.slots
        if a.own_racks:
            at = -(-at // n) * n
    return at


def _nodes_before_appliances(blocks, slots: int, n: int) -> int | None:
    """The most nodes that leave room for the appliances in `slots` node slots
    (None if none do). The end only grows with the nodes, so bisect."""
    if _place_appliances(blocks, 0, n) > slots:
        return None
    lo, hi = 0, slots
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _place_appliances(blocks, mid, n) <= slots:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _link_appliances(a: t.Fitted, c: t.Cluster) -> None:
    """Where a block's ports go: `ports` to its `fabric` (a fabric of its own, or a
    site fabric it joins; default the cluster's first), and each role's ports to
    the cluster's first fabric of that role (none: not cabled, as a system's)."""
    fabrics = c.fabrics + c.joins
    a.fabric = next((fab for fab in fabrics if fab.name == a.fabric_name), None) \
        if a.fabric_name is not None else (c.fabrics[0] if c.fabrics else None)
    if a.appliance.ports:
        a.links.append(t.FabricPorts(fitted=a, fabric=a.fabric, attr="ports", ports=a.appliance.ports,
                                     rails=a.rails))
    for role, attr in t.Appliance.ROLE_PORTS:
        n = getattr(a.appliance, attr)
        fab = next((fab for fab in fabrics if fab.role == role), None)
        if not n or fab is None:
            continue
        if fab is a.fabric and a.appliance.ports:     # the same positions twice: checks/nodes.py's error
            a.clashes.append(attr)
        else:
            a.links.append(t.FabricPorts(fitted=a, fabric=fab, attr=attr, ports=n,
                                         rails=a.role_rails.get(attr.replace("_ports", "_rails"))))


class _Skip(Exception):
    """The entity has an erroneous or missing value: leave it out."""


class Builder:
    def __init__(self, resolved: Resolved):
        self.resolved = resolved
        self.resolver = resolved.resolver
        self.f = t.Factory(entry=resolved.program.entry)
        self.memo: dict[Entity, object] = {}
        self.pending_clusters: list[tuple[Entity, t.Site | None]] = []
        self._schemes: dict = {}
        self.memberships = 0        # cluster-hall pairs so far (limits.MAX_MEMBERSHIPS)
        self._halls_of: dict = {}   # see _every_hall

    # ---- values ----------------------------------------------------------------
    def val(self, ent: Entity, name: str, required: bool = False, default=None):
        v = self.resolver.attr(ent, name) if self.resolver is not None else None
        if v is ERROR:
            raise _Skip
        if v is None:
            if required:
                raise _Skip
            return default
        return v

    def count(self, ent: Entity, name: str, required: bool = False, default: int | None = None) -> int | None:
        v = self.val(ent, name, required)
        if v is None:
            return default
        if not isinstance(v, Fraction) or v.denominator != 1:
            raise _Skip
        return int(v)

    def redundancy(self, ent: Entity):
        text = self.val(ent, "redundancy", default="N")
        r = self._schemes.get(text)
        if r is None:
            r = self._schemes[text] = parse_redundancy(text)
        if r is None:
            raise _Skip
        return r

    @staticmethod
    def common(ent: Entity) -> dict:
        return dict(name=ent.name, qualname=ent.qualname, span=ent.span, name_span=ent.name_span,
                    spans={k: s.value.span for k, s in ent.exprs.items()})

    def skipped(self, ent: Entity) -> None:
        self.f.skipped.append(ent.qualname)
        self.memo[ent] = None

    def build(self, ent: Entity, fn, *args):
        """Build one object with `fn`, or record it as skipped (None)."""
        if ent in self.memo:
            return self.memo[ent]
        try:
            obj = fn(ent, *args)
        except _Skip:
            self.skipped(ent)
            return None
        self.memo[ent] = obj
        return obj

    def children(self, ent: Entity, owner, parts: dict) -> None:
        """Build each child of `ent` whose kind `parts` names, {kind: (builder, list, *its
        arguments)}, into that list; a child that cannot be built leaves `owner` incomplete."""
        for child in ent.children:
            if child.kind not in parts:
                continue
            fn, into, *args = parts[child.kind]
            obj = self.build(child, fn, *args)
            if obj is None:
                owner.complete = False
            else:
                into.append(obj)

    # ---- the factory ----------------------------------------------------------------
    def run(self) -> t.Factory:
        for root in self.resolved.roots:
            self.top(root, None)
        for ent, site in self.pending_clusters:
            c = self.build(ent, self.cluster, site)
            if c is not None:
                self.f.clusters.append(c)
                if site is not None:
                    site.clusters.append(c)
            elif site is not None:
                site.complete = False
        return self.f

    def top(self, ent: Entity, site: t.Site | None) -> None:
        k = ent.kind
        if k == "site" and site is None:
            s = self.build(ent, self.site)
            if s is not None:
                self.f.sites.append(s)
        elif k == "building":
            b = self.build(ent, self.building, site)
            if b is not None and site is not None:
                site.buildings.append(b)
            elif b is None and site is not None:
                site.complete = False
        elif k == "cluster":
            self.pending_clusters.append((ent, site))
        elif k == "fabric" and site is not None:
            fab = self.build(ent, self.fabric, None, site)      # its members join it with the clusters
            if fab is not None:
                site.fabrics.append(fab)
                self.f.fabrics.append(fab)
            else:
                site.complete = False
        elif k in ("system", "appliance", "switch", "media"):
            self.catalog_item(ent)
        elif k == "cabling":
            c = self.build(ent, self.cabling)
            if c is not None:
                if site is not None and site.cabling is None:
                    site.cabling = c
                if self.f.cabling is None:
                    self.f.cabling = c
        elif k == "cooling":
            p = self.build(ent, self.plant, site)
            if p is not None and site is not None:
                site.cooling.append(p)
            elif p is None and site is not None:
                site.complete = False
        elif k == "utility" and site is not None:
            ut = self.build(ent, self.utility, site)
            if ut is not None:
                site.utilities.append(ut)
            else:
                site.complete = False

    def site(self, ent: Entity) -> t.Site:
        s = t.Site(**self.common(ent), land=self.val(ent, "land"), location=self.val(ent, "location"),
                   pue=self.val(ent, "pue", required=True))
        # Register before the children so they can point back at it.
        self.memo[ent] = s
        for child in ent.children:
            self.top(child, s)
        return s

    def utility(self, ent: Entity, site: t.Site) -> t.Utility:
        return t.Utility(**self.common(ent), capacity=self.val(ent, "capacity", True),
                         redundancy=self.redundancy(ent), modules=self.count(ent, "modules"),
                         voltage=self.val(ent, "voltage"), site=site)

    def plant(self, ent: Entity, parent) -> t.CoolingPlant:
        p = t.CoolingPlant(**self.common(ent), capacity=self.val(ent, "capacity", True),
                           count=self.count(ent, "modules", default=1), redundancy=self.redundancy(ent),
                           parent=parent)
        self.f.cooling_plants.append(p)
        return p

    def power(self, ent: Entity, parent) -> t.PowerTrain:
        p = t.PowerTrain(**self.common(ent), capacity=self.val(ent, "capacity", True),
                         count=self.count(ent, "modules", default=1), redundancy=self.redundancy(ent),
                         feeds=self.count(ent, "feeds", default=1), parent=parent)
        self.f.power_trains.append(p)
        return p

    def building(self, ent: Entity, site: t.Site | None) -> t.Building:
        size = self.val(ent, "size")
        b = t.Building(**self.common(ent), size=size if isinstance(size, SizeValue) else None,
                       floors=self.count(ent, "floors", default=1),
                       floor_rating=self.val(ent, "floor_rating", True), position=self.val(ent, "position"),
                       site=site)
        self.memo[ent] = b
        self.f.buildings.append(b)
        self.children(ent, b, {"hall": (self.hall, b.halls, b), "power": (self.power, b.power, b),
                               "cooling": (self.plant, b.cooling, b)})
        return b

    def hall(self, ent: Entity, building: t.Building) -> t.Hall:
        size = self.val(ent, "size", True)
        if not isinstance(size, SizeValue):
            raise _Skip
        rating = self.val(ent, "floor_rating")
        if rating is not None:
            rating_span = ent.exprs["floor_rating"].value.span if "floor_rating" in ent.exprs else None
        else:
            rating = building.floor_rating
            rating_span = building.spans.get("floor_rating")
        h = t.Hall(**self.common(ent), size=size, rows=self.count(ent, "rows", True),
                   slots_per_row=self.count(ent, "slots_per_row", True),
                   row_pitch=self.val(ent, "row_pitch", True), slot_width=self.val(ent, "slot_width", True),
                   busway=self.busway(ent), busway_limit=self.val(ent, "busway_limit", True),
                   distribution=self.val(ent, "distribution", default="ac"),
                   busway_current=self.val(ent, "busway_current"), voltage=self.val(ent, "voltage"),
                   feeds=self.count(ent, "feeds", default=1), floor_rating=rating,
                   floor_rating_span=rating_span, cross_aisles=self.count(ent, "cross_aisles", default=0),
                   network_slots=self.count(ent, "network_slots", default=0), position=self.val(ent, "position"),
                   building=building)
        if "busway" not in h.spans and "busway_current" in h.spans:
            h.spans["busway"] = h.spans["busway_current"]   # checks report the rating where it comes from
        self.f.halls.append(h)
        self.children(ent, h, {"cdu": (self.cdu, h.cdus, h), "air": (self.air, h.air, h),
                               "reserved": (self.reserved, h.reserved), "power": (self.power, h.power, h)})
        return h

    def busway(self, ent: Entity) -> Quantity:
        """A row busway's rating: as written, or from its rated current by the
        hall's distribution (derive.busway_rating)."""
        rating = self.val(ent, "busway")
        if rating is not None:
            return rating
        current = self.val(ent, "busway_current", True)
        return busway_rating(current, self.val(ent, "distribution", default="ac"), self.val(ent, "voltage"),
                             self.val(ent, "power_factor", default=Fraction(1)))

    def cdu(self, ent: Entity, hall: t.Hall) -> t.Cdu:
        return t.Cdu(**self.common(ent), capacity=self.val(ent, "capacity", True),
                     count=self.count(ent, "count", default=1), redundancy=self.redundancy(ent),
                     racks_per_cdu=self.count(ent, "racks_per_cdu"), hall=hall)

    def air(self, ent: Entity, hall: t.Hall) -> t.AirHandling:
        return t.AirHandling(**self.common(ent), capacity=self.val(ent, "capacity", True),
                             count=self.count(ent, "count", default=1), redundancy=self.redundancy(ent),
                             hall=hall)

    def reserved(self, ent: Entity) -> t.Reserved:
        rng = self.val(ent, "slots", True)
        if not isinstance(rng, RangeValue):
            raise _Skip
        return t.Reserved(**self.common(ent), row=self.count(ent, "row", True), start=rng.start, end=rng.end)

    def cabling(self, ent: Entity) -> t.Cabling:
        return t.Cabling(**self.common(ent), tray_height=self.val(ent, "tray_height", True),
                         rack_height=self.val(ent, "rack_height", True), slack=self.val(ent, "slack", True),
                         length_bin=self.val(ent, "length_bin", True),
                         in_row_rise=self.val(ent, "in_row_rise", True),
                         in_row_slack=self.val(ent, "in_row_slack", True),
                         in_row_max=self.val(ent, "in_row_max", True))

    # ---- catalog items ---------------------------------------------------------------
    def catalog_item(self, ent: Entity):
        fn = {"system": self.system, "appliance": self.appliance, "switch": self.switch,
              "media": self.medium}[ent.kind]
        if ent in self.memo:
            return self.memo[ent]
        obj = self.build(ent, fn)
        if obj is not None:
            {"system": self.f.systems, "appliance": self.f.appliances, "switch": self.f.switches,
             "media": self.f.media}[ent.kind].append(obj)
        return obj

    def system(self, ent: Entity) -> t.System:
        fp = self.val(ent, "footprint")
        return t.System(**self.common(ent), vendor=self.val(ent, "vendor"), gpus=self.count(ent, "gpus", True),
                        power=self.val(ent, "power", True), weight=self.val(ent, "weight", True),
                        footprint=fp if isinstance(fp, SizeValue) else DEFAULT_FOOTPRINT,
                        compute_ports=self.count(ent, "compute_ports", True),
                        port_speed=self.val(ent, "port_speed", True),
                        liquid_fraction=self.val(ent, "liquid_fraction", True),
                        nvlink_racks=self.count(ent, "nvlink_racks", default=1), cost=self.val(ent, "cost"),
                        distribution=self.val(ent, "distribution", default="ac"),
                        storage_ports=self.count(ent, "storage_ports", default=0),
                        storage_port_speed=self.val(ent, "storage_port_speed"),
                        management_ports=self.count(ent, "management_ports", default=0),
                        management_port_speed=self.val(ent, "management_port_speed"),
                        nodes_per_rack=self.count(ent, "nodes_per_rack"), rack_weight=self.val(ent, "rack_weight"),
                        port_names=self.val(ent, "port_names"))

    def appliance(self, ent: Entity) -> t.Appliance:
        return t.Appliance(**self.common(ent), vendor=self.val(ent, "vendor"),
                           ports=self.count(ent, "ports", default=0), port_speed=self.val(ent, "port_speed"),
                           storage_ports=self.count(ent, "storage_ports", default=0),
                           storage_port_speed=self.val(ent, "storage_port_speed"),
                           management_ports=self.count(ent, "management_ports", default=0),
                           management_port_speed=self.val(ent, "management_port_speed"),
                           power=self.val(ent, "power", True),
                           weight=self.val(ent, "weight", True), rack_units=self.count(ent, "rack_units", default=1),
                           node_slots=self.count(ent, "node_slots", default=1), cost=self.val(ent, "cost"))

    def switch(self, ent: Entity) -> t.Switch:
        return t.Switch(**self.common(ent), vendor=self.val(ent, "vendor"), ports=self.count(ent, "ports", True),
                        port_speed=self.val(ent, "port_speed", True),
                        power=self.val(ent, "power", default=t.ZERO_W),
                        rack_units=self.count(ent, "rack_units", default=1),
                        per_rack=self.count(ent, "per_rack", default=8), cost=self.val(ent, "cost"),
                        port_names=self.val(ent, "port_names"))

    def medium(self, ent: Entity) -> t.Medium:
        return t.Medium(**self.common(ent), vendor=self.val(ent, "vendor"), part=self.val(ent, "part"),
                        module_part=self.val(ent, "module_part"), host_module_part=self.val(ent, "host_module_part"),
                        reach=self.val(ent, "reach", True), min_length=self.val(ent, "min_length", True),
                        cost=self.val(ent, "cost", True), cost_per_m=self.val(ent, "cost_per_m", True),
                        power_per_end=self.val(ent, "power_per_end", True),
                        optical=bool(self.val(ent, "optical", default=False)), speed=self.val(ent, "speed"),
                        form_factor=self.val(ent, "form_factor"),
                        cables_per_transceiver=self.count(ent, "cables_per_transceiver", default=1),
                        host_power_per_end=self.val(ent, "host_power_per_end"))

    def ref(self, value, kind: str):
        """A referenced catalog item's model object, or _Skip."""
        if not isinstance(value, Entity) or value.kind != kind:
            raise _Skip
        obj = self.catalog_item(value)
        if obj is None:
            raise _Skip
        return obj

    # ---- clusters -------------------------------------------------------------------
    def cluster(self, ent: Entity, site: t.Site | None) -> t.Cluster:
        system = self.ref(self.val(ent, "system", True), "system")
        c = t.Cluster(**self.common(ent), system=system, racks=0, site=site)
        self.children(ent, c, {"appliances": (self.fitted, c.appliances)})
        for a in c.appliances:
            a.cluster = c
        self.size_cluster(ent, c)
        refs = self.val(ent, "halls")
        if refs:
            c.halls_explicit = True
            seen = set()
            for r in refs if isinstance(refs, tuple) else (refs,):
                x = self.memo.get(r) if isinstance(r, Entity) else None
                if x is None:
                    c.complete = False     # a hall left out (or not a hall): say nothing about space
                    continue
                if isinstance(x, t.Building):
                    c.complete &= x.complete      # a building stands for all of its halls
                for h in x.halls if isinstance(x, t.Building) else (x,):
                    if h not in seen:
                        seen.add(h)
                        c.halls.append(h)
        else:
            # every hall of its site (or of the spec), worked out once per site: 10,000
            # clusters of a site of 10,000 halls rebuilt the list 10,000 times (fuzz); a
            # copy only when it fits the membership budget checked below
            halls, c.complete = self._every_hall(site)
            c.halls = list(halls) if self.memberships + len(halls) <= limits.MAX_MEMBERSHIPS else halls
        if c.site is None and c.halls and c.halls[0].building is not None:
            c.site = c.halls[0].building.site
        self.memberships += len(c.halls)
        if self.memberships > limits.MAX_MEMBERSHIPS:
            self.f.unchecked.append((c, len(c.halls)))    # checks.sanity says so
            c.halls, c.complete = [], False
        self.children(ent, c, {"fabric": (self.fabric, c.fabrics, c)})
        self.f.fabrics += c.fabrics
        self.join(ent, c)
        for a in c.appliances:
            _link_appliances(a, c)
        return c

    def _every_hall(self, site: t.Site | None) -> tuple[list, bool]:
        """The halls a cluster without `halls` may use (its site's, or every hall of a
        spec without sites) and whether all of them are complete: once per site and
        number of halls built so far (a cluster written before a building sees only
        the halls before it, as it always has)."""
        key = (id(site), len(self.f.halls), len(self.f.buildings))
        if key not in self._halls_of:
            if site is not None:
                found = ([h for b in site.buildings for h in b.halls],
                         site.complete and all(b.complete for b in site.buildings))
            else:
                found = (list(self.f.halls),
                         all(b.complete for b in self.f.buildings) and all(s.complete for s in self.f.sites))
            self._halls_of[key] = found
        return self._halls_of[key]

    def size_cluster(self, ent: Entity, c: t.Cluster) -> None:
        """Racks, nodes and the scalable unit in racks. A node system's cluster may
        count `nodes` (its unit then in node slots); both or neither, or `nodes` of a
        whole-rack system, or a unit that is not whole racks: checks/nodes.py says so
        and the cluster is left out."""
        n = c.system.nodes_per_rack
        racks, nodes = self.count(ent, "racks"), self.count(ent, "nodes")
        unit = self.count(ent, "scalable_unit", default=1)
        if nodes is not None and n is not None and "scalable_unit" not in ent.exprs:
            unit = n                         # unwritten: one rack, in node slots
        fault = _count_fault(c, racks, nodes, unit)
        if fault is not None:
            self.f.faults.append(fault)
            raise _Skip
        if nodes is not None:
            end = _place_appliances(c.appliances, nodes, n)
            c.nodes, c.racks, c.scalable_unit = nodes, -(-end // n), unit // n
        else:
            c.racks, c.scalable_unit = racks, unit
            if n is None:
                # a whole-rack system: its appliances' own racks stand after its racks
                c.racks = _place_appliances(c.appliances, racks, 1)
                return
            base = _nodes_before_appliances(c.appliances, racks * n, n)
            if base is None:
                slot = _place_appliances(c.appliances, 0, n)
                self.f.faults.append(error(
                    "cluster-nodes", f"cluster {c.qualname}: its appliances take {slot} node slots, more than "
                    f"its {racks} racks x {n} hold", c.at("racks"), "count `nodes` instead of `racks`: the "
                    "racks then hold the nodes and the appliances"))
                raise _Skip
            _place_appliances(c.appliances, base, n)
            # the node slots no node or appliance takes (before own racks, after the last)
            c.padding = racks * n - base - sum(a.slots for a in c.appliances)

    def fitted(self, ent: Entity) -> t.Fitted:
        role_rails = {attr.replace("_ports", "_rails"): self.rail_list(ent, attr.replace("_ports", "_rails"))
                      for _, attr in t.Appliance.ROLE_PORTS}
        return t.Fitted(**self.common(ent), appliance=self.ref(self.val(ent, "appliance", True), "appliance"),
                        count=self.count(ent, "count", default=1), fabric_name=self.val(ent, "fabric"),
                        rails=self.rail_list(ent, "rails"),
                        role_rails={k: v for k, v in role_rails.items() if v is not None},
                        own_racks=bool(self.val(ent, "own_racks", default=False)),
                        per_rack=self.count(ent, "per_rack"))

    def rail_list(self, ent: Entity, attr: str) -> tuple[int, ...] | None:
        rails = self.val(ent, attr)
        if rails is None:
            return None
        rails = rails if isinstance(rails, tuple) else (rails,)
        if not all(isinstance(r, Fraction) and r.denominator == 1 for r in rails):
            raise _Skip
        return tuple(int(r) for r in rails)

    def join(self, ent: Entity, c: t.Cluster) -> None:
        """The site fabrics a cluster joins (`fabrics = [...]`): its racks become
        endpoints of each. A fabric of a cluster (not at site level), or one
        joined twice, is a `fabric-join` error (checks/shared.py reports it)."""
        refs = self.val(ent, "fabrics")
        if not refs:
            return
        refs = refs if isinstance(refs, tuple) else (refs,)
        expr = ent.exprs["fabrics"].value
        spans = [x.span for x in expr.items] if hasattr(expr, "items") and len(expr.items) == len(refs) \
            else [expr.span] * len(refs)
        for r, span in zip(refs, spans):
            fab = self.memo.get(r) if isinstance(r, Entity) else None
            if fab is None:
                c.complete = False          # left out for its own errors: nothing more to say
                continue
            if not fab.shared:
                owner = fab.cluster.qualname if fab.cluster is not None else "another block"
                same = next((x for x in (c.site.fabrics if c.site is not None else ()) if x.name == fab.name), None)
                hint = (f"its own fabric `{fab.name}` hides the site's of that name: write "
                        f"`{same.qualname}` (or rename one of them)" if same is not None and fab.cluster is c else
                        "write the fabric block directly in the site to share it, or give the cluster its own "
                        "`fabric` block")
                self.f.join_faults.append(error(
                    "fabric-join", f"cluster {c.qualname} joins {fab.qualname}, a fabric of cluster {owner}, "
                    "not one at site level", span, hint))
                continue
            if c in fab.member_ports:
                self.f.join_faults.append(error(
                    "fabric-join", f"cluster {c.qualname} joins fabric {fab.qualname} twice", span,
                    "name each fabric once in `fabrics`: its racks are endpoints of it once"))
                continue
            role = fab.role
            ports = fab.ports_per_rack if fab.is_set("ports_per_rack") else c.system.host_ports(role)[0]
            fab.joined.append(c)
            fab.member_ports[c] = ports
            c.joins.append(fab)

    def fabric(self, ent: Entity, cluster: t.Cluster | None, site: t.Site | None = None) -> t.Fabric:
        switch = self.ref(self.val(ent, "switch", True), "switch")
        ratio = self.val(ent, "oversubscription", True)
        if isinstance(ratio, RatioValue):
            down, up = _whole_ratio(ratio.left, ratio.right)
        elif isinstance(ratio, tuple) and len(ratio) == 2:     # the vocabulary's default (1, 1)
            down, up = _whole_ratio(Fraction(ratio[0]), Fraction(ratio[1]))
        else:
            raise _Skip
        media = self.val(ent, "media")
        explicit = bool(media)
        if media:
            media = [self.ref(m, "media") for m in (media if isinstance(media, tuple) else (media,))]
        else:
            media = self.media_in_scope()
        tiers = self.count(ent, "tiers")
        role = self.val(ent, "role", default="compute")
        return t.Fabric(**self.common(ent), role=role,
                        topology=self.val(ent, "topology", default="fat_tree"),
                        switch=switch, down=down, up=up, rails=self.count(ent, "rails", default=1),
                        planes=self.count(ent, "planes", default=1), tiers=tiers,
                        leaves=self.count(ent, "leaves"), spines=self.count(ent, "spines"),
                        cores=self.count(ent, "cores"),
                        ports_per_rack=self.count(ent, "ports_per_rack", default=(
                            cluster.system.host_ports(role)[0] if cluster is not None else 0)),
                        media=media, media_explicit=explicit, cluster=cluster, site=site,
                        split=self.count(ent, "split", default=1))

    _scope_media: list | None = None

    def media_in_scope(self) -> list[t.Medium]:
        """Every medium the spec can name: its own and those of imported catalogs."""
        if self._scope_media is None:
            out = []
            for root in list(self.resolved.roots) + list(self.resolved.catalog):
                if root.kind == "media":
                    m = self.catalog_item(root)
                    if m is not None:
                        out.append(m)
            self._scope_media = out
        return self._scope_media


def _count_fault(c: t.Cluster, racks: int | None, nodes: int | None, unit: int):
    """Why a cluster's racks or nodes cannot be counted (a Diagnostic), or None."""
    n, name = c.system.nodes_per_rack, c.system.qualname
    if racks is not None and nodes is not None:
        return error("cluster-nodes", f"cluster {c.qualname} writes both `racks` and `nodes`", c.at("nodes"),
                     f"write one: `nodes = {nodes}` (racks follow: ceil(node slots / {n or 1})) or "
                     f"`racks = {racks}`")
    if racks is None and nodes is None:
        # what the resolver says of a required attribute: `racks` is one unless `nodes` may stand for it
        return error("missing-attribute", f"cluster {c.qualname} has no `racks`" + (" or `nodes`" if n else ""),
                     c.at(), f"write `racks = N` (or `nodes = N`, {name} has {n} nodes a rack)" if n
                     else "racks: compute racks in the cluster")
    if nodes is not None and n is None:
        return error("cluster-nodes", f"cluster {c.qualname} counts `nodes`, but {name} is a whole-rack system "
                     "(it has no `nodes_per_rack`)", c.at("nodes"), f"write `racks = {nodes}`, or give "
                     f"{name} `nodes_per_rack`")
    if nodes is not None and unit % n:
        return error("cluster-nodes", f"cluster {c.qualname}: a scalable unit of {unit} node slots is not whole "
                     f"racks of {n} nodes ({name})", c.at("scalable_unit"),
                     f"a multiple of {n}: " + " or ".join(str(k) for k in sorted({unit - unit % n or n,
                                                                                   unit - unit % n + n})))
    return None


def _whole_ratio(left: Fraction, right: Fraction) -> tuple[int, int]:
    """`1.5:1` -> (3, 2): the smallest whole numbers in the same ratio."""
    den = left.denominator * right.denominator // gcd(left.denominator, right.denominator)
    a, b = int(left * den), int(right * den)
    g = gcd(a, b) or 1
    return a // g, b // g
