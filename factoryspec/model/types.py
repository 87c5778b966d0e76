"""The typed semantic model of a factory: one attrs class per block kind.

Every object keeps the source span of its block (`span`), of its name
(`name_span`) and of each attribute set in the spec (`spans`), so a check can
report at the value responsible (`obj.at("capacity")`). Quantities stay exact:
`Quantity` (Fractions in SI base units) for dimensioned values, `int` for
counts, `Fraction` for shares and plain numbers.

Derived figures that need the whole factory (which cluster racks each hall
holds, hall loads, fabric sizes) are filled in by `derive.py` when the model
is built; they are estimates made before solving and documented there.
"""

from __future__ import annotations

from fractions import Fraction

import attrs

from ..diagnostics import Span
from ..fabric import FabricError, FabricPlan
from ..lang.resolve import Redundancy, SizeValue
from ..lang.units import Quantity, POWER

ZERO_W = Quantity(Fraction(0), POWER)
MAX_APPLIANCES = 10_000       # appliances of one `appliances` block (checks/nodes.py reports more)
RACK_UNITS = 42               # units of a rack appliances stand in, when `per_rack` is unwritten


@attrs.define(eq=False, kw_only=True, repr=False)
class Node:
    kind: str = ""
    name: str | None = None
    qualname: str = ""
    span: Span | None = None
    name_span: Span | None = None
    spans: dict[str, Span] = attrs.Factory(dict)    # attribute -> span of its value, when set

    def at(self, attr: str | None = None) -> Span | None:
        """Span of an attribute's value if the spec sets it, else of the block's name."""
        if attr and attr in self.spans:
            return self.spans[attr]
        return self.name_span or self.span

    def is_set(self, attr: str) -> bool:
        return attr in self.spans

    @property
    def label(self) -> str:
        return f"{self.kind} {self.qualname}"

    def __repr__(self) -> str:
        return f"<{self.kind} {self.qualname}>"


# ---- catalog items --------------------------------------------------------------

@attrs.define(eq=False, kw_only=True, repr=False)
class System(Node):
    kind: str = "system"
    vendor: str | None = None
    gpus: int
    power: Quantity
    weight: Quantity
    footprint: SizeValue
    compute_ports: int
    port_speed: Quantity
    liquid_fraction: Fraction
    nvlink_racks: int = 1
    cost: Quantity | None = None
    distribution: str = "ac"                    # the power the rack takes: "ac" or "dc"
    storage_ports: int = 0
    storage_port_speed: Quantity | None = None
    management_ports: int = 0
    management_port_speed: Quantity | None = None
    nodes_per_rack: int | None = None          # a node system: gpus, power, weight, ports, cost per node
    port_names: str | None = None              # compute ports' naming pattern (model/port_names.py)
    rack_weight: Quantity | None = None        # the rack holding the nodes (enclosure, PDUs, cabling)

    @property
    def slots(self) -> int:
        """Node slots of a rack: nodes_per_rack, or 1 for a whole-rack system (the rack
        is its one "node", so every per-rack formula below holds for both)."""
        return self.nodes_per_rack or 1

    def host_ports(self, role: str) -> tuple[int, Quantity | None]:
        """A rack's ports for a fabric of this role and their speed: the compute
        NICs are not the storage DPU ports or the management NICs. Counted per
        rack: a node system's per-node ports times its nodes_per_rack. (0, None)
        when the system declares none for the role."""
        if role == "storage":
            count, speed = self.storage_ports, self.storage_port_speed
        elif role == "management":
            count, speed = self.management_ports, self.management_port_speed
        else:
            count, speed = self.compute_ports, self.port_speed
        return count * self.slots, speed


@attrs.define(eq=False, kw_only=True, repr=False)
class Appliance(Node):
    """A fabric appliance (catalog item): node slots in a rack, ports on fabrics:
    `ports` on the fabric its block names, and per role (as a system's) on the
    cluster's fabric of that role."""
    kind: str = "appliance"
    vendor: str | None = None
    ports: int = 0
    port_speed: Quantity | None = None
    storage_ports: int = 0
    storage_port_speed: Quantity | None = None
    management_ports: int = 0
    management_port_speed: Quantity | None = None
    power: Quantity = ZERO_W
    weight: Quantity
    rack_units: int = 1
    node_slots: int = 1
    cost: Quantity | None = None

    # the roles whose ports go to the cluster's fabric of that role, not the block's
    ROLE_PORTS = (("storage", "storage_ports"), ("management", "management_ports"))

    def role_ports(self) -> list[tuple[str, int]]:
        """(role, ports) of each role it has ports of, besides `ports`."""
        return [(role, getattr(self, attr)) for role, attr in self.ROLE_PORTS if getattr(self, attr)]

    @property
    def all_ports(self) -> int:
        return self.ports + sum(n for _, n in self.role_ports())


@attrs.define(eq=False, kw_only=True, repr=False)
class Switch(Node):
    kind: str = "switch"
    vendor: str | None = None
    ports: int
    port_speed: Quantity
    power: Quantity = ZERO_W
    rack_units: int = 1
    per_rack: int = 8
    cost: Quantity | None = None
    port_names: str | None = None              # naming pattern (model/port_names.py)


@attrs.define(eq=False, kw_only=True, repr=False)
class Medium(Node):
    kind: str = "media"
    vendor: str | None = None
    part: str | None = None
    module_part: str | None = None              # the transceiver at a switch end (optical)
    host_module_part: str | None = None         # at a host end; None: module_part
    reach: Quantity
    min_length: Quantity
    cost: Quantity
    cost_per_m: Quantity
    power_per_end: Quantity                     # one module at a switch end
    optical: bool = False
    speed: Quantity | None = None               # per cable; None: unspecified, matches any port
    form_factor: str | None = None
    cables_per_transceiver: int = 1             # cables one module serves at a switch end
    host_power_per_end: Quantity | None = None  # one module at a host end; None: power_per_end

    @property
    def host_power(self) -> Quantity:
        return self.host_power_per_end if self.host_power_per_end is not None else self.power_per_end

    def fast_enough(self, speed: Quantity | None) -> bool:
        """Whether one cable carries a port of `speed` (an unspecified speed matches any port)."""
        return self.speed is None or speed is None or self.speed.value >= speed.value

    def switch_modules(self, ends: int) -> int:
        """Modules for `ends` cable ends of this medium at the switches of one rack."""
        return -(-ends // self.cables_per_transceiver)

    @property
    def switch_end_power(self) -> Fraction:
        """W per switch-side cable end, a module's power shared by the cables it serves."""
        return self.power_per_end.value / self.cables_per_transceiver


# ---- facility ---------------------------------------------------------------------

@attrs.define(eq=False, kw_only=True, repr=False)
class Redundant(Node):
    """A group of identical modules under a redundancy scheme."""
    capacity: Quantity              # of each module (for a utility: the whole supply)
    count: int = 1                  # installed modules
    redundancy: Redundancy

    @property
    def share(self) -> Fraction:
        """Usable share of the installed capacity (N 1, N+1 n/(n+1), 2N 1/2, 3N/2 2/3, 4N/3 3/4)."""
        return self.redundancy.usable_share(self.count)

    @property
    def installed(self) -> Quantity:
        return Quantity(self.capacity.value * self.count, self.capacity.dims)

    @property
    def usable(self) -> Quantity:
        return Quantity(self.capacity.value * self.count * self.share, self.capacity.dims)


@attrs.define(eq=False, kw_only=True, repr=False)
class Utility(Redundant):
    """Utility supply. `capacity` is the whole contracted supply; for N+k schemes it
    is split evenly over `modules` (so `installed` is `capacity`, not capacity x modules)."""
    kind: str = "utility"
    modules: int | None = None
    voltage: Quantity | None = None
    site: "Site | None" = None

    @property
    def installed(self) -> Quantity:
        return self.capacity

    @property
    def share(self) -> Fraction:
        return self.redundancy.usable_share(self.modules)

    @property
    def usable(self) -> Quantity:
        return Quantity(self.capacity.value * self.share, self.capacity.dims)


@attrs.define(eq=False, kw_only=True, repr=False)
class PowerTrain(Redundant):
    """A substation/UPS/switchgear block: `count` modules of `capacity` each."""
    kind: str = "power"
    feeds: int = 1
    parent: "Building | Hall | None" = None


@attrs.define(eq=False, kw_only=True, repr=False)
class CoolingPlant(Redundant):
    kind: str = "cooling"
    parent: "Site | Building | None" = None


@attrs.define(eq=False, kw_only=True, repr=False)
class Cdu(Redundant):
    kind: str = "cdu"
    racks_per_cdu: int | None = None
    hall: "Hall | None" = None

    @property
    def usable_units(self) -> Fraction:
        """CDUs that may carry load with the redundancy respected (may be fractional)."""
        return self.count * self.share


@attrs.define(eq=False, kw_only=True, repr=False)
class AirHandling(Redundant):
    kind: str = "air"
    hall: "Hall | None" = None


@attrs.define(eq=False, kw_only=True, repr=False)
class Reserved(Node):
    kind: str = "reserved"
    row: int
    start: int
    end: int


@attrs.define(eq=False, kw_only=True, repr=False)
class HallLoad:
    """What a hall holds: estimated before solving (derive.py), counted from the
    placements after (layout/as_built.py)."""
    compute: dict["Cluster", int] = attrs.Factory(dict)        # cluster -> compute racks
    network: dict["Fabric", int] = attrs.Factory(dict)         # fabric -> network racks
    switches: dict["Fabric", Fraction] = attrs.Factory(dict)   # fabric -> share of its switches
    optics_ends: Fraction = Fraction(0)      # cable ends (transceivers) in the hall's racks
    optics: Quantity = ZERO_W                # their power (part of it_power and of air)
    it_power: Quantity = ZERO_W
    liquid: Quantity = ZERO_W
    air: Quantity = ZERO_W
    rows: dict[int, Quantity] | None = None  # row -> IT load on its busway; None before solving
    longest: dict["Fabric", Quantity] | None = None   # fabric -> its longest cable here; None before solving
    row_racks: dict[int, dict["Cluster", int]] | None = None   # row -> cluster -> compute racks; as built

    @property
    def compute_racks(self) -> int:
        return sum(self.compute.values())

    @property
    def network_racks(self) -> int:
        return sum(self.network.values())

    @property
    def gpus(self) -> int:
        return sum(c.share_gpus(n) for c, n in self.compute.items())


@attrs.define(eq=False, kw_only=True, repr=False)
class Hall(Node):
    kind: str = "hall"
    size: SizeValue
    rows: int
    slots_per_row: int
    row_pitch: Quantity
    slot_width: Quantity
    busway: Quantity
    busway_limit: Fraction
    feeds: int = 1
    distribution: str = "ac"                  # "ac" or "dc" (checks/busway.py)
    busway_current: Quantity | None = None    # as written, when the rating comes from it
    voltage: Quantity | None = None           # as written (busway_rating's defaults otherwise)
    floor_rating: Quantity
    floor_rating_span: Span | None = None     # where the rating in force is written
    cross_aisles: int = 0
    network_slots: int = 0
    position: tuple | None = None        # as written: should be two lengths [x, y] in the building
    cdus: list[Cdu] = attrs.Factory(list)
    air: list[AirHandling] = attrs.Factory(list)
    reserved: list[Reserved] = attrs.Factory(list)
    power: list[PowerTrain] = attrs.Factory(list)
    building: "Building | None" = None
    # derived
    reserved_by_row: dict[int, int] = attrs.Factory(dict)      # row -> reserved slots in it
    reserved_net_by_row: dict[int, int] = attrs.Factory(dict)  # row -> of those, in the network slots
    reserved_spans_by_row: dict[int, list] = attrs.Factory(dict)  # row -> merged (first, last) slots reserved
    origin: tuple | None = None          # (x, y) of its corner on the site plan, Quantities (derive.plan)
    load: HallLoad = attrs.Factory(HallLoad)
    complete: bool = True

    @property
    def slots(self) -> int:
        """Rack positions in the hall (rows x slots_per_row)."""
        return self.rows * self.slots_per_row

    @property
    def reserved_slots(self) -> int:
        return sum(self.reserved_by_row.values())

    @property
    def usable_slots(self) -> int:
        """Positions not reserved."""
        return self.slots - self.reserved_slots

    @property
    def net_per_row(self) -> int:
        """Slots at each row's end kept for network racks (the last `network_slots`)."""
        return min(self.network_slots, self.slots_per_row)

    @property
    def network_only_slots(self) -> int:
        """Network-only slots not reserved."""
        return self.net_per_row * self.rows - sum(self.reserved_net_by_row.values())

    @property
    def compute_slots(self) -> int:
        """Positions compute racks may take: neither reserved nor kept for the network."""
        return self.usable_slots - self.network_only_slots

    def row_free(self, row: int) -> int:
        """Positions of one row (1-based) that are not reserved."""
        return self.slots_per_row - self.reserved_by_row.get(row, 0)

    def row_compute_slots(self, row: int) -> int:
        """Compute positions of one row (1-based)."""
        res = self.reserved_by_row.get(row, 0) - self.reserved_net_by_row.get(row, 0)
        return self.slots_per_row - self.net_per_row - res

    def row_classes(self) -> list[tuple[int, int, int]]:
        """Rows grouped by compute capacity, without looping over every row:
        (compute slots, number of rows, first row), in row order of the first row.
        Only rows with reserved slots differ from the rest."""
        special = sorted(self.reserved_by_row)
        out: dict[int, list[int]] = {}
        plain = self.rows - len(special)
        if plain > 0:
            first = 1
            for r in special:        # first row without reservations
                if r != first:
                    break
                first += 1
            out[self.slots_per_row - self.net_per_row] = [plain, first]
        for r in special:
            cap = self.row_compute_slots(r)
            if cap in out:
                out[cap][0] += 1
                out[cap][1] = min(out[cap][1], r)
            else:
                out[cap] = [1, r]
        return sorted(((cap, n, first) for cap, (n, first) in out.items()), key=lambda t: t[2])

    @property
    def busway_continuous(self) -> Quantity:
        """What one row's busway may carry continuously (rating x busway_limit)."""
        return Quantity(self.busway.value * self.busway_limit, self.busway.dims)


@attrs.define(eq=False, kw_only=True, repr=False)
class Building(Node):
    kind: str = "building"
    size: SizeValue | None = None
    floors: int = 1
    floor_rating: Quantity
    position: tuple | None = None        # as written: should be two lengths [x, y]
    origin: tuple | None = None          # (x, y) of its corner on the site plan, Quantities (derive.plan)
    halls: list[Hall] = attrs.Factory(list)
    power: list[PowerTrain] = attrs.Factory(list)
    cooling: list[CoolingPlant] = attrs.Factory(list)
    site: "Site | None" = None
    complete: bool = True


@attrs.define(eq=False, kw_only=True, repr=False)
class Cabling(Node):
    kind: str = "cabling"
    tray_height: Quantity
    rack_height: Quantity
    slack: Quantity
    length_bin: Quantity
    in_row_rise: Quantity
    in_row_slack: Quantity
    in_row_max: Quantity


@attrs.define(eq=False, kw_only=True, repr=False)
class Site(Node):
    kind: str = "site"
    land: Quantity | None = None
    location: str | None = None
    pue: Fraction
    utilities: list[Utility] = attrs.Factory(list)
    buildings: list[Building] = attrs.Factory(list)
    clusters: list["Cluster"] = attrs.Factory(list)
    fabrics: list["Fabric"] = attrs.Factory(list)     # fabrics at site level, shared by the clusters joining them
    cooling: list[CoolingPlant] = attrs.Factory(list)
    cabling: Cabling | None = None
    complete: bool = True


# ---- compute and network ----------------------------------------------------------

@attrs.define(eq=False, kw_only=True, repr=False)
class Fabric(Node):
    kind: str = "fabric"
    role: str = "compute"                       # compute, storage or management (fabric.ROLES)
    topology: str = "fat_tree"
    switch: Switch
    down: int = 1                 # oversubscription down:up, as whole numbers
    up: int = 1
    rails: int = 1
    planes: int = 1               # independent copies, each with 1/planes of every rack's ports
    tiers: int | None = None
    leaves: int | None = None     # fixed totals (None: sized); see fabric/__init__.py
    spines: int | None = None
    cores: int | None = None
    ports_per_rack: int           # of its cluster; of a shared fabric, as written (0: per member, below)
    media: list[Medium] = attrs.Factory(list)   # allowed media (explicit, or all in scope)
    media_explicit: bool = False
    cluster: "Cluster | None" = None            # its cluster; None for a fabric at site level
    site: "Site | None" = None                  # a fabric at site level (shared): its site
    joined: list["Cluster"] = attrs.Factory(list)          # a shared fabric's members, as they join
    member_ports: dict = attrs.Factory(dict)    # a shared fabric: member cluster -> its ports per rack
    member_net: dict = attrs.Factory(dict)      # derived: member cluster -> its share of the network racks
    split: int = 1                              # each switch port run as `split` ports of 1/split speed
    built_optics: Quantity | None = None        # as built: its cable ends at their own media (layout/as_built.py)
    built_transceivers: int | None = None       # as built: modules counted per rack (layout/as_built.py)
    # derived
    plan: FabricPlan | FabricError | None = None

    _usable: list | None = attrs.field(default=None, init=False)    # usable_media, once asked

    @property
    def shared(self) -> bool:
        """A fabric at site level, joined by clusters (`fabrics = [...]`)."""
        return self.site is not None

    @property
    def members(self) -> list["Cluster"]:
        """The clusters whose racks are its endpoints: its cluster, or the members of a
        shared fabric in the order they are written."""
        if self.shared:
            return self.joined
        return [self.cluster] if self.cluster is not None else []

    def ports_of(self, c: "Cluster") -> int:
        """Ports per rack of member `c` on this fabric."""
        return self.member_ports.get(c, 0) if self.shared else self.ports_per_rack

    def member_endpoints(self, c: "Cluster") -> int:
        return c.racks * self.ports_of(c)

    @property
    def endpoints(self) -> int:
        """Endpoint positions the fabric is sized for: every node slot of every
        compute rack (racks x ports_per_rack), filled or not; of a shared fabric,
        the sum over its members."""
        return sum(self.member_endpoints(c) for c in self.members)

    def member_appliances(self, c: "Cluster") -> list["FabricPorts"]:
        """Member c's appliances' ports cabled to this fabric, a block's at a time
        (valid: in a whole-rack system's cluster only those in racks of their own)."""
        return [p for a in c.appliances for p in a.links if p.fabric is self and p.valid]

    @property
    def appliances(self) -> list["FabricPorts"]:
        """The appliances cabled to this fabric: its cluster's, or of a shared
        fabric every member's that name it."""
        return [a for c in self.members for a in self.member_appliances(c)]

    def _member_ports_that_exist(self, c: "Cluster") -> int:
        if c.full:          # every slot a node: every position a port, however they split over nodes
            return self.member_endpoints(c)
        return (c.node_count * (self.ports_of(c) // c.system.slots)
                + sum(a.cables for a in self.member_appliances(c)))

    @property
    def ports(self) -> int:
        """Ports that exist, each an endpoint cable: the nodes' and its appliances'
        (empty slots and the rails an appliance does not use have none), over
        its members."""
        return sum(self._member_ports_that_exist(c) for c in self.members)

    @property
    def unit_endpoints(self) -> int:
        """Endpoints of one scalable unit (the cluster's unit x ports per rack); 0 when
        the cluster writes no `scalable_unit` (then the whole cluster is one unit).
        A shared fabric has no scalable units of its own: 0, the whole fabric one
        unit (a `rail_optimized` shared fabric is sized as one unit over all members)."""
        c = self.cluster
        return c.scalable_unit * self.ports_per_rack if c is not None and c.is_set("scalable_unit") else 0

    @property
    def placement(self) -> dict:
        """hall -> compute racks of its members there (before solving: derive.py)."""
        out: dict = {}
        for c in self.members:
            for h, k in c.placement.items():
                out[h] = out.get(h, 0) + k
        return out

    @property
    def halls(self) -> list:
        """Candidate halls of its members, each once, in member order."""
        out: list = []
        for c in self.members:
            out += [h for h in c.halls if h not in out]
        return out

    @property
    def complete(self) -> bool:
        return bool(self.members) and all(c.complete for c in self.members)

    @property
    def sized(self) -> FabricPlan | None:
        return self.plan if isinstance(self.plan, FabricPlan) else None

    @property
    def network_racks(self) -> int:
        p = self.sized
        return p.switch_racks(self.switch.per_rack) if p else 0

    @property
    def radix(self) -> int:
        """Ports of the switch for sizing: a split port counts as `split` ports."""
        return self.switch.ports * max(self.split, 1)

    @property
    def port_speed(self) -> Quantity:
        """Speed of one switch port as the fabric runs it (split ports at their share)."""
        q = self.switch.port_speed
        return Quantity(q.value / max(self.split, 1), q.dims)

    @property
    def host_speed(self) -> Quantity | None:
        """The speed of the racks' ports on this fabric: those of its role
        (System.host_ports); None when the system does not say. Of a shared
        fabric, the fastest of its members' systems."""
        speeds = [q for c in self.members if (q := c.system.host_ports(self.role)[1]) is not None]
        return max(speeds, key=lambda q: q.value) if speeds else None

    @property
    def link_speed(self) -> Quantity:
        """What every medium of the fabric must carry: its switch port speed, or the
        racks' if faster (host links; a non-blocking fabric carries host traffic
        up through the tiers, so the same medium rule holds between switches)."""
        sw, host = self.port_speed, self.host_speed
        return host if host is not None and host.value > sw.value else sw

    @property
    def usable_media(self) -> list[Medium]:
        """The media the fabric cables with: those fast enough for its links
        (checks/media.py reports a listed one that is not). Among the defaults
        (every medium in scope) only the slowest speed that carries its ports is
        taken, with those of unspecified speed: a 400G fabric does not buy 800G
        optics because the catalog has them, nor an 800G one 1.6T parts."""
        if self._usable is None:         # asked per hall and per check: worked out once
            speed = self.link_speed
            fast = [m for m in self.media if m.fast_enough(speed)]
            rated = [m.speed.value for m in fast if m.speed is not None]
            if not (self.media_explicit or not rated):
                least = min(rated)
                fast = [m for m in fast if m.speed is None or m.speed.value == least]
            self._usable = fast
        return self._usable

    @property
    def power_per_end(self) -> Quantity:
        """The power budgeted for each switch-side cable end before solving: the
        highest share of a module per cable (`power_per_end / cables_per_transceiver`)
        of the fabric's usable media (which medium a link takes depends on its
        length, known only after solving; the layout counts each link's own)."""
        return Quantity(max((m.switch_end_power for m in self.usable_media), default=Fraction(0)), POWER)

    @property
    def host_power_per_end(self) -> Quantity:
        """The power budgeted for each host-side cable end (one module each)."""
        return max((m.host_power for m in self.usable_media), key=lambda q: q.value, default=ZERO_W)

    @property
    def transceivers(self) -> int:
        """Transceiver modules: one per host end, and at the switches ceil(ends /
        cables per module) at the fewest cables per module of its usable media
        (the most modules it may need) before solving; counted per rack as built.
        Only optical media have them: 0 for a fabric whose media are all copper."""
        if self.built_transceivers is not None:
            return self.built_transceivers
        if not any(m.optical for m in self.usable_media):
            return 0                # copper only: a cable's ends are its own plugs
        per = min((m.cables_per_transceiver for m in self.usable_media), default=1)
        return self.host_ends + -(-self.switch_ends // per)

    @property
    def host_ends(self) -> int:
        """Cable ends in compute racks (one per endpoint link)."""
        p = self.sized
        return p.endpoint_links if p else 0

    @property
    def switch_ends(self) -> int:
        """Cable ends on switch ports."""
        p = self.sized
        return p.switch_ends if p else 0

    @property
    def optics_power(self) -> Quantity:
        """Transceiver power of every cable end: at the budgeted power per end
        before solving, at each link's own medium once a layout is applied."""
        if self.built_optics is not None:
            return self.built_optics
        return Quantity(self.host_ends * self.host_power_per_end.value
                        + self.switch_ends * self.power_per_end.value, POWER)


@attrs.define(eq=False, kw_only=True, repr=False)
class Fitted(Node):
    """An `appliances` block of a cluster: `count` appliances in the node slots after
    its nodes (in block order). Their `ports` go to `fabric`'s `rails` (1-based): a
    fabric of the cluster or a site fabric it joins; their storage and management
    ports to the cluster's fabric of that role (`links`, one per fabric)."""
    kind: str = "appliances"
    appliance: Appliance
    count: int = 1
    fabric_name: str | None = None             # as written; None: the cluster's first fabric
    fabric: "Fabric | None" = None             # resolved; None when the cluster has no such fabric
    rails: tuple[int, ...] | None = None       # as written; None: the first `ports` rails
    role_rails: dict = attrs.Factory(dict)     # as written: "storage_rails" -> rails of its storage ports
    own_racks: bool = False                    # in racks of its own, from a rack's first slot
    per_rack: int | None = None                # as written: how many one of its own racks holds (whole-rack)
    first_slot: int = 0                        # derived: its first appliance's node slot in the cluster
    cluster: "Cluster | None" = None           # the cluster it stands in
    links: list["FabricPorts"] = attrs.Factory(list)   # derived: its ports on each fabric (model/build.py)
    clashes: list[str] = attrs.Factory(list)   # derived: role ports (`storage_ports`, ...) meeting `ports` on its fabric

    # A whole-rack system's cluster (NVL72) has no node slots: there a block with
    # `own_racks` stands in racks of its own after the system's racks, `per_rack` of
    # them a rack; a whole rack is one "slot", so first_slot is its first rack.
    @property
    def whole_racks(self) -> bool:
        c = self.cluster
        return c is not None and c.system.nodes_per_rack is None

    def in_one_rack(self) -> int:
        """Appliances one of its own racks holds (whole-rack systems): `per_rack`,
        else as many as RACK_UNITS hold."""
        return self.per_rack or max(RACK_UNITS // max(self.appliance.rack_units, 1), 1)

    def slot_of(self, i: int) -> int:
        """The node slot (the rack, in a whole-rack system's cluster) of appliance i."""
        if self.whole_racks:
            return self.first_slot + i // self.in_one_rack()
        return self.first_slot + i * self.appliance.node_slots

    @property
    def slots(self) -> int:
        """Node slots it takes (racks, in a whole-rack system's cluster: none
        without `own_racks`, which checks/nodes.py reports)."""
        if self.whole_racks:
            return -(-min(self.count, MAX_APPLIANCES) // self.in_one_rack()) if self.own_racks else 0
        return self.count * self.appliance.node_slots

    @property
    def own_rack_count(self) -> int | None:
        """Racks it stands in with `own_racks` (None without: it takes the next free slots)."""
        n = self.cluster.system.slots if self.cluster is not None else 0
        return -(-self.slots // n) if self.own_racks and n else None

    def fullest_rack(self) -> int:
        """Appliances in the fullest of its own racks (whole-rack systems)."""
        return max(min(self.in_one_rack(), self.count), 1)

    def main_rails(self) -> tuple[int, ...]:
        """The rails of its appliance's `ports` on its fabric (() when it has none, or no fabric)."""
        p = next((p for p in self.links if p.attr == "ports"), None)
        return p.rail_list() if p is not None and p.fabric is not None else ()


@attrs.define(eq=False, kw_only=True, repr=False)
class FabricPorts:
    """An `appliances` block's ports on one fabric, each appliance's `ports` on
    `rails` (None: the first `ports` rails), at the positions of its node slots.
    `attr` is the appliance's attribute they come from: `ports` (the block's
    `fabric`), `storage_ports` or `management_ports` (the cluster's fabric of
    that role)."""
    fitted: Fitted
    fabric: "Fabric | None"
    attr: str
    ports: int
    rails: tuple[int, ...] | None = None

    @property
    def rails_attr(self) -> str:
        """The block's attribute naming its rails: `rails`, `storage_rails`, ..."""
        return "rails" if self.attr == "ports" else self.attr.replace("_ports", "_rails")

    # what placing them needs of the block
    @property
    def count(self) -> int:
        return self.fitted.count

    @property
    def appliance(self) -> Appliance:
        return self.fitted.appliance

    @property
    def cluster(self) -> "Cluster | None":
        return self.fitted.cluster

    @property
    def whole_racks(self) -> bool:
        return self.fitted.whole_racks

    def position(self, i: int, per_slot: int) -> int:
        """The first endpoint position of appliance i on each of its rails, where a
        node slot (a whole rack) has per_slot positions a rail."""
        a = self.fitted
        if a.whole_racks:
            return a.slot_of(i) * per_slot + i % a.in_one_rack() * self.per_rail()
        return a.slot_of(i) * per_slot

    def slot_positions(self) -> int:
        """Positions one node slot of its cluster has on each rail of its fabric."""
        f, c = self.fabric, self.cluster
        if f is None or c is None or not f.rails or not c.system.slots:
            return 0
        return f.ports_of(c) // c.system.slots // f.rails

    def rail_list(self) -> tuple[int, ...]:
        """The rails (1-based) its ports go to."""
        if self.rails is not None:
            return self.rails
        n = self.fabric.rails if self.fabric is not None else 1
        return tuple(range(1, min(self.ports, n) + 1))

    def per_rail(self) -> int:
        """Ports of one appliance on each of its rails (0 when they do not split evenly)."""
        rails = self.rail_list()
        return self.ports // len(rails) if rails and self.ports % len(rails) == 0 else 0

    @property
    def cables(self) -> int:
        return self.count * self.per_rail() * len(self.rail_list())

    @property
    def valid(self) -> bool:
        """Whether its ports can be cabled (checks/nodes.py reports why not): a fabric of the
        cluster with one plane, rails that exist, ports that split evenly and fit its slots."""
        f, a = self.fabric, self.fitted
        if f is None or f.planes != 1 or not 1 <= a.count <= MAX_APPLIANCES or self.ports < 1:
            return False
        if a.whole_racks and not a.own_racks:
            return False
        rails = self.rail_list()
        return (bool(rails) and len(set(rails)) == len(rails) and all(1 <= r <= f.rails for r in rails)
                and 0 < self.per_rail() <= self.rail_capacity())

    def rail_capacity(self) -> int:
        """The most ports one appliance may have on a rail: the positions of its node
        slots, or its share of one of its own racks' (whole-rack systems)."""
        if self.whole_racks:
            return self.slot_positions() // self.fitted.fullest_rack()
        return self.slot_positions() * self.appliance.node_slots


@attrs.frozen
class RackGroup:
    """`count` compute racks holding alike: `nodes` nodes and `appliances` ((Appliance, n), ...)."""
    count: int
    nodes: int
    appliances: tuple = ()


@attrs.define(eq=False, kw_only=True, repr=False)
class Cluster(Node):
    kind: str = "cluster"
    system: System
    racks: int
    scalable_unit: int = 1                      # in racks (a `nodes` cluster writes it in node slots)
    nodes: int | None = None                    # as written; None: racks x nodes_per_rack (or whole racks)
    padding: int = 0                            # derived: node slots left empty before own-rack appliances
    appliances: list[Fitted] = attrs.Factory(list)
    halls: list[Hall] = attrs.Factory(list)     # candidate halls (explicit, or all of its site)
    halls_explicit: bool = False
    fabrics: list[Fabric] = attrs.Factory(list)    # its own (the blocks inside it)
    joins: list[Fabric] = attrs.Factory(list)      # site fabrics it joins (`fabrics = [...]`), as written
    site: Site | None = None
    complete: bool = True
    # derived
    placement: dict[Hall, int] = attrs.Factory(dict)   # hall -> compute racks (even fill, see derive.py)
    unplaced: int = 0
    _groups: list | None = attrs.field(default=None, init=False)    # rack_groups, once asked

    # ---- what the racks hold (node slots fill in order: nodes, then appliances) ----
    @property
    def node_count(self) -> int:
        """Nodes (for a whole-rack system, racks: a rack is its one node)."""
        if self.nodes is not None:
            return self.nodes
        if self.system.nodes_per_rack is None:
            return self.racks - self.appliance_slots        # its appliances' own racks hold no system
        # `racks` of a node system: its appliances take the last slots of those racks
        return max(self.racks * self.system.slots - self.appliance_slots - self.padding, 0)

    @property
    def full(self) -> bool:
        """Whether every node slot of every rack holds a node (always, for a whole-rack system)."""
        return self.node_count == self.racks * self.system.slots and not self.appliances

    @property
    def counts_nodes(self) -> bool:
        """Whether the plan shows nodes: a node system's cluster."""
        return self.system.nodes_per_rack is not None

    def rack_groups(self) -> list[RackGroup]:
        """The compute racks, grouped by what they hold, in rack order: full racks of
        nodes, then the few racks where the nodes end and the appliances stand (an
        appliance counts in the rack of its first slot), the last perhaps partly full.
        A loop over appliances and the racks they touch, never over every rack."""
        if self._groups is not None:
            return self._groups
        n, N, R = self.system.slots, self.node_count, self.racks
        nodes_in = {}                              # rack -> nodes, for the racks that are not full
        full = min(N // n, R)
        if N % n and full < R:
            nodes_in[full] = N % n
        apps: dict[int, dict] = {}
        for a in self.appliances:
            if not a.slots:
                continue                # stands nowhere (checks/nodes.py says why)
            for i in range(min(a.count, MAX_APPLIANCES)):
                r = a.slot_of(i) // n
                if r < R:
                    apps.setdefault(r, {})
                    apps[r][a.appliance] = apps[r].get(a.appliance, 0) + 1
        out: list[RackGroup] = [RackGroup(full, n)] if full else []
        at = full
        # only the racks something stands in are visited; those between (an appliance
        # of many slots) and after hold nothing and are grouped
        for r in sorted(k for k in set(nodes_in) | set(apps) if k >= full):
            if r > at:
                out.append(RackGroup(r - at, 0))
            out.append(RackGroup(1, nodes_in.get(r, 0), tuple(apps.get(r, {}).items())))
            at = r + 1
        if at < R:
            out.append(RackGroup(R - at, 0))
        self._groups = out
        return out

    def _group_power(self, g: RackGroup) -> Fraction:
        return g.nodes * self.system.power.value + sum((a.power.value * k for a, k in g.appliances), Fraction(0))

    def _group_weight(self, g: RackGroup) -> Fraction:
        rack = self.system.rack_weight.value if self.system.rack_weight is not None else Fraction(0)
        return (g.nodes * self.system.weight.value + rack
                + sum((a.weight.value * k for a, k in g.appliances), Fraction(0)))

    @property
    def rack_power(self) -> Quantity:
        """IT power of its fullest compute rack: the one figure per rack that per-rack
        checks (busway, contiguity) and the layout take, never below any rack's own."""
        return Quantity(max((self._group_power(g) for g in self.rack_groups()), default=Fraction(0)), POWER)

    @property
    def rack_weight(self) -> Quantity:
        """Weight of its heaviest compute rack (for the floor-load check and the layout)."""
        return Quantity(max((self._group_weight(g) for g in self.rack_groups()), default=Fraction(0)),
                        self.system.weight.dims)

    @property
    def rack_gpus(self) -> int:
        """GPUs of its fullest rack."""
        return max((g.nodes for g in self.rack_groups()), default=0) * self.system.gpus

    @property
    def liquid_power(self) -> Quantity:
        """Heat its racks send to liquid: the nodes' share (appliances are air-cooled)."""
        return Quantity(self.node_count * self.system.power.value * self.system.liquid_fraction, POWER)

    def share_power(self, k: int) -> Fraction:
        """IT power (W, without optics) of k of its racks, as a share of the cluster's:
        exact for uniform racks, and hall totals add up to the cluster's."""
        return self.compute_power.value * k / self.racks if self.racks else Fraction(0)

    def share_liquid(self, k: int) -> Fraction:
        return self.liquid_power.value * k / self.racks if self.racks else Fraction(0)

    def share_gpus(self, k: int) -> int:
        """GPUs in k of its racks (the share, rounded down)."""
        return self.gpus * k // self.racks if self.racks else 0

    def rack_contents(self, i: int) -> RackGroup:
        """What compute rack i (0-based) holds."""
        at = 0
        for g in self.rack_groups():
            if i < at + g.count:
                return attrs.evolve(g, count=1)
            at += g.count
        return RackGroup(1, 0)

    def tail_powers(self) -> list[Quantity]:
        """The power of each rack after the leading full ones (the few where the nodes
        end and the appliances stand; each group there is one rack)."""
        groups = self.rack_groups()
        lead = groups[0] if groups else None
        rest = groups[1:] if lead is not None and lead.nodes == self.system.slots and not lead.appliances \
            else groups
        if sum(g.count for g in rest) > MAX_APPLIANCES + 1:
            return []       # absurd appliances (checks/nodes.py reports them): nothing to lay out
        return [Quantity(self._group_power(g), POWER) for g in rest for _ in range(g.count)]

    def rack_power_of(self, i: int) -> Quantity:
        return Quantity(self._group_power(self.rack_contents(i)), POWER)

    @property
    def appliance_slots(self) -> int:
        return sum(a.slots for a in self.appliances)

    @property
    def appliance_racks(self) -> int:
        """Racks its `own_racks` appliances stand in (outside its scalable units)."""
        return sum(a.own_rack_count or 0 for a in self.appliances)

    @property
    def gpus(self) -> int:
        return self.node_count * self.system.gpus

    @property
    def nvlink_domains(self) -> int:
        """NVLink domains; a multi-rack domain (nvlink_racks > 1) must stay contiguous."""
        n = self.system.nvlink_racks
        return -(-self.racks // n)

    @property
    def compute_power(self) -> Quantity:
        """Its nodes and appliances, exactly (a partly filled last rack counts what it holds)."""
        apps = sum((a.appliance.power.value * a.count for a in self.appliances), Fraction(0))
        return Quantity(self.system.power.value * self.node_count + apps, POWER)

    @property
    def cost(self) -> Quantity | None:
        """Price of its nodes and appliances (None when the system has no cost)."""
        if self.system.cost is None:
            return None
        apps = sum((a.appliance.cost.value * a.count for a in self.appliances if a.appliance.cost is not None),
                   Fraction(0))
        return Quantity(self.system.cost.value * self.node_count + apps, self.system.cost.dims)

    @property
    def switches(self) -> int:
        return sum(f.sized.switches for f in self.fabrics if f.sized)

    @property
    def switch_power(self) -> Quantity:
        return Quantity(sum((f.switch.power.value * f.sized.switches for f in self.fabrics if f.sized),
                            Fraction(0)), POWER)

    @property
    def optics_power(self) -> Quantity:
        return Quantity(sum((f.optics_power.value for f in self.fabrics if f.sized), Fraction(0)), POWER)

    @property
    def optics_ends(self) -> int:
        return sum(f.host_ends + f.switch_ends for f in self.fabrics if f.sized)

    @property
    def transceivers(self) -> int:
        return sum(f.transceivers for f in self.fabrics if f.sized)

    @property
    def it_power(self) -> Quantity:
        """Racks, switches and the optics of their cables (system and switch
        `power` exclude pluggable transceivers: see the catalog's README)."""
        return self.compute_power + self.switch_power + self.optics_power


@attrs.define(eq=False, kw_only=True, repr=False)
class Factory:
    """The whole spec as a model. Lists are in source order (deterministic)."""
    sites: list[Site] = attrs.Factory(list)
    buildings: list[Building] = attrs.Factory(list)
    halls: list[Hall] = attrs.Factory(list)
    power_trains: list[PowerTrain] = attrs.Factory(list)
    cooling_plants: list[CoolingPlant] = attrs.Factory(list)
    systems: list[System] = attrs.Factory(list)
    appliances: list[Appliance] = attrs.Factory(list)
    switches: list[Switch] = attrs.Factory(list)
    media: list[Medium] = attrs.Factory(list)
    clusters: list[Cluster] = attrs.Factory(list)
    fabrics: list[Fabric] = attrs.Factory(list)
    cabling: Cabling | None = None
    skipped: list[str] = attrs.Factory(list)     # qualnames left out because of errors
    faults: list = attrs.Factory(list)           # Diagnostics of clusters left out for their counts (checks/nodes.py)
    unchecked: list[tuple[Cluster, int]] = attrs.Factory(list)   # over limits.MAX_MEMBERSHIPS: (cluster, its halls)
    join_faults: list = attrs.Factory(list)      # Diagnostics of `fabrics = [...]` joins (checks/shared.py)
    entry: str | None = None

    @property
    def complete(self) -> bool:
        return not self.skipped

    @property
    def shared_fabrics(self) -> list[Fabric]:
        return [fab for fab in self.fabrics if fab.shared]

    @property
    def it_power(self) -> Quantity:
        """Every cluster's IT power, and the switches and optics of the shared fabrics
        (a cluster's own figures count only its own fabrics)."""
        shared = sum((fab.switch.power.value * fab.sized.switches + fab.optics_power.value
                      for fab in self.fabrics if fab.shared and fab.sized), Fraction(0))
        return Quantity(sum((c.it_power.value for c in self.clusters), Fraction(0)) + shared, POWER)

    def site_of_hall(self, hall: Hall) -> Site | None:
        return hall.building.site if hall.building else None
