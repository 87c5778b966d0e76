"""The vocabulary of the language: block kinds, their attributes and children.

One table serves every consumer: lint (unknown attributes and kinds, with
did-you-mean), the resolver (expected dimensions and defaults), the language
server (hover docs and completion) and the README.
"""

from __future__ import annotations

from fractions import Fraction

import attrs
from attrs import field as _field

from . import units as u

# Value types an attribute may take, beyond a dimensioned quantity.
COUNT = "count"
NUMBER = "number"
FRACTION = "fraction"
STRING = "string"
BOOL = "bool"
RATIO = "ratio"
SIZE = "size"
RANGE = "range"
REDUNDANCY = "redundancy"
CODE_LIST = "codes"      # ["excess-land", ...]: diagnostic codes (checked by factoryspec/model/allow.py)

# How a value of each type is written (`factoryspec explain` shows these).
TYPE_DOCS: dict[str, str] = {
    COUNT: "a whole number >= 0, no unit",
    NUMBER: "a plain number, e.g. a PUE of 1.25",
    FRACTION: "a share: 0.85 or 85 %",
    STRING: 'text in double quotes: "fat_tree"',
    BOOL: "true or false",
    RATIO: "two numbers: 1:1, 2:1",
    SIZE: "width x depth: 120 m x 60 m",
    RANGE: "first..last: 1..4",
    REDUNDANCY: '"N", "N+1", "2N", "4N/3", "2(N+1)"',
    CODE_LIST: 'a list of diagnostic codes: ["excess-land"]',
}


@attrs.frozen
class Attr:
    name: str
    type: object               # a Dims tuple, or one of the names above
    doc: str
    default: object = None     # a Quantity, Fraction, str, ... already normalised
    ref: str | None = None     # for references: the block kind they must name
    also: tuple[str, ...] = () # other kinds a reference may name (a building: all its halls)
    many: bool = False         # a list of `type`
    required: bool = False
    minimum: object = None     # smallest sensible value for counts and numbers
    instead: str | None = None # a required attribute another one may stand for (`busway_current` for `busway`)

    @property
    def refs(self) -> tuple[str, ...]:
        """Every block kind a reference may name."""
        return ((self.ref,) if self.ref else ()) + self.also


@attrs.frozen
class Kind:
    name: str
    doc: str
    attrs: tuple[Attr, ...] = ()
    children: tuple[str, ...] = ()
    named: bool = True           # must the block have a name?
    top_level: bool = False      # may it appear at the top of a file?
    _by_name: dict = _field(init=False, repr=False, eq=False)   # (`attrs` is a field name here)

    def __attrs_post_init__(self):
        # attr() runs for every attribute of every block: a dict, not a scan.
        object.__setattr__(self, "_by_name", {a.name: a for a in self.attrs})

    def attr(self, name: str) -> Attr | None:
        return self._by_name.get(name)


Q = u.Quantity.of
_F = Fraction

KINDS: dict[str, Kind] = {}


# Attributes every kind accepts, appended to each kind's own by _kind().
ALLOW = Attr("allow", CODE_LIST, "Warning codes silenced in this block and the blocks inside it (and, when "
             "every instance of a template allows a code, in that template's body), e.g. "
             "`allow = [\"excess-land\"]`. Only warnings can be allowed; `factoryspec explain CODE` says what "
             "each one means.")
COMMON = (ALLOW,)


def _kind(name: str, doc: str, attrs_: tuple[Attr, ...] = (), **kw) -> Kind:
    k = Kind(name, doc, tuple(attrs_) + COMMON, **kw)
    KINDS[k.name] = k
    return k


_kind("site", "A campus: land, utility power and the buildings on it.", (
    Attr("land", u.AREA, "Land area of the campus (e.g. `1000 acre`)."),
    Attr("location", STRING, "Where the site is, for the report."),
    Attr("pue", NUMBER, "Power usage effectiveness: facility power / IT power (>= 1).", _F(5, 4), minimum=1),
), children=("utility", "building", "cluster", "fabric", "cooling", "cabling", "solve"), top_level=True)

_kind("utility", "Utility (grid) power delivered to the site.", (
    Attr("capacity", u.POWER, "Contracted utility capacity (e.g. `750 MW`).", required=True),
    Attr("redundancy", REDUNDANCY, "Redundancy of the supply: N, N+1, 2N, 3N/2, 4N/3 ...", "N"),
    Attr("modules", COUNT, "Number of modules for N+k schemes (capacity is split evenly).", None, minimum=1),
    Attr("voltage", u.VOLTAGE, "Supply voltage, for the report."),
), named=False)

_kind("building", "A building on a site, holding data halls.", (
    Attr("size", SIZE, "Footprint `width x depth` (e.g. `250 m x 120 m`)."),
    Attr("floors", COUNT, "Number of floors with data halls.", _F(1), minimum=1),
    Attr("floor_rating", u.AREAL_DENSITY, "Design floor load (e.g. `1500 kg/m2`; slab-on-grade is higher).",
         Q(1500, "kg/m2")),
    Attr("position", u.LENGTH, "Corner of the building on the site plan, `[x, y]` from the site's origin "
         "(default: after the building written before it, along y). Links between halls are measured on "
         "this plan.", many=True),
), children=("hall", "power", "cooling"), top_level=True)

_kind("power", "A power train (substation, UPS or switchgear block) feeding halls.", (
    Attr("capacity", u.POWER, "Capacity of each module.", required=True),
    Attr("modules", COUNT, "Installed modules.", _F(1), minimum=1),
    Attr("redundancy", REDUNDANCY, "Redundancy scheme: N, N+1, 2N, 3N/2, 4N/3 ...", "N"),
    Attr("feeds", COUNT, "Independent feeds per rack (2 for A/B).", _F(1), minimum=1),
), top_level=False)

_kind("hall", "A data hall: rows of rack slots with busway power and cooling.", (
    Attr("size", SIZE, "Hall floor `width x depth`; rows run along the width.", required=True),
    Attr("rows", COUNT, "Rows of racks.", required=True, minimum=1),
    Attr("slots_per_row", COUNT, "Rack positions in each row.", required=True, minimum=1),
    Attr("row_pitch", u.LENGTH, "Centre-to-centre distance between rows (rack depth plus aisles).", Q("4.2", "m")),
    Attr("slot_width", u.LENGTH, "Width of one rack position.", Q(600, "mm")),
    Attr("busway", u.POWER, "Rated capacity of each row's busway (e.g. `1.6 MW`), or write `busway_current`.",
         required=True, instead="busway_current"),
    Attr("busway_current", u.CURRENT, "Rated current of each row's busway (e.g. `4000 A`), instead of `busway`: "
         "the rating is sqrt(3) x voltage x current x power_factor for AC (three-phase), voltage x current "
         "for DC."),
    Attr("distribution", STRING, "How the rows are powered: `\"ac\"` (three-phase AC busway) or `\"dc\"` "
         "(a DC busbar, as Kyber-class racks take at 800 V). A system that needs DC may stand only in DC "
         "halls.", "ac"),
    Attr("voltage", u.VOLTAGE, "Distribution voltage, for `busway_current`: line-to-line for AC (default "
         "415 V), pole-to-pole for DC (default 800 V)."),
    Attr("power_factor", FRACTION, "Real over apparent power of the racks' supplies on AC, for "
         "`busway_current` (default 1: planners size busways in kVA = kW).", _F(1)),
    Attr("busway_limit", FRACTION, "Continuous-load limit of a busway, as a share of its rating.", _F(4, 5)),
    Attr("feeds", COUNT, "Busways per row: 2 gives every rack A and B feeds.", _F(1), minimum=1),
    Attr("floor_rating", u.AREAL_DENSITY, "Floor load rating of the hall (defaults to its building's)."),
    Attr("cross_aisles", COUNT, "Cross-aisles cutting each row into segments (cable routes).", _F(0)),
    Attr("network_slots", COUNT, "Slots at each row's end kept for network racks.", _F(0)),
    Attr("position", u.LENGTH, "Corner of the hall in its building, `[x, y]` from the building's corner "
         "(default: beside the hall written before it, along x). Rows run along x; the cable entry is at the "
         "network end of row 1.", many=True),
), children=("cdu", "air", "reserved", "power"))

_kind("cdu", "Coolant distribution units serving a hall's liquid-cooled racks.", (
    Attr("capacity", u.POWER, "Heat each CDU removes.", required=True),
    Attr("count", COUNT, "Installed CDUs.", _F(1), minimum=1),
    Attr("redundancy", REDUNDANCY, "Redundancy scheme for the CDUs.", "N"),
    Attr("racks_per_cdu", COUNT, "Racks one CDU can serve within its loop length."),
), named=False)

_kind("air", "Air handling (CRAH/fan walls) for the air-cooled share of the heat.", (
    Attr("capacity", u.POWER, "Heat each unit removes.", required=True),
    Attr("count", COUNT, "Installed units.", _F(1), minimum=1),
    Attr("redundancy", REDUNDANCY, "Redundancy scheme for the units.", "N"),
), named=False)

_kind("cooling", "A central cooling plant (chillers, dry coolers) for a site or building.", (
    Attr("capacity", u.POWER, "Heat rejection capacity of each module.", required=True),
    Attr("modules", COUNT, "Installed modules.", _F(1), minimum=1),
    Attr("redundancy", REDUNDANCY, "Redundancy scheme.", "N"),
), named=False)

_kind("reserved", "Slots of a hall that must stay empty (columns, egress, future use).", (
    Attr("row", COUNT, "The row (1-based).", required=True),
    Attr("slots", RANGE, "The slots in that row (e.g. `1..4`).", required=True),
), named=False)

_kind("system", "A system (catalog item): a whole rack (NVL72), or a node of which `nodes_per_rack` fill a rack "
      "(DGX H100). GPUs, power, weight, ports and cost are per rack, or per node when `nodes_per_rack` is set.", (
    Attr("vendor", STRING, "Maker."),
    Attr("gpus", COUNT, "GPUs (or GPU packages) per rack (per node with `nodes_per_rack`).", required=True,
         minimum=1),
    Attr("power", u.POWER, "IT power per rack (per node with `nodes_per_rack`).", required=True),
    Attr("weight", u.MASS, "Weight per rack (per node with `nodes_per_rack`: a rack then weighs its nodes, "
         "its appliances and `rack_weight`).", Q(1360, "kg")),
    Attr("nodes_per_rack", COUNT, "Make this a node system: this many nodes fill one rack, and `gpus`, `power`, "
         "`weight`, `compute_ports` and `cost` are per node. A cluster of it may count `nodes` instead of "
         "`racks`.", minimum=1),
    Attr("rack_weight", u.MASS, "Weight of the rack itself (enclosure, PDUs, cabling) holding the nodes of a "
         "node system: a rack weighs nodes x weight + rack_weight.", Q(0, "kg")),
    Attr("footprint", SIZE, "Rack `width x depth`.", None),
    Attr("compute_ports", COUNT, "Compute-fabric ports per rack (one per GPU on NVL72; per node with "
         "`nodes_per_rack`).", required=True, minimum=1),
    Attr("port_speed", u.DATA_RATE, "Speed of each compute port.", required=True),
    Attr("port_names", STRING, "How the compute ports are named, per node (per rack for a whole-rack "
         "system): ranges `{a..b}` in text, the last fastest, e.g. `\"tray{1..18}/nic{1..4}\"` for 72 "
         "ports; their sizes multiply to `compute_ports`. Default `p1`..`pN`."),
    Attr("storage_ports", COUNT, "Storage (converged, north-south) fabric ports per rack, e.g. BlueField-3 "
         "DPU ports; the default `ports_per_rack` of a `role = \"storage\"` fabric.", _F(0)),
    Attr("storage_port_speed", u.DATA_RATE, "Speed of each storage port (default: a storage fabric's links "
         "run at its switch's port speed)."),
    Attr("management_ports", COUNT, "Out-of-band management ports per rack; the default `ports_per_rack` "
         "of a `role = \"management\"` fabric.", _F(0)),
    Attr("management_port_speed", u.DATA_RATE, "Speed of each management port (default: the management "
         "fabric's switch port speed)."),
    Attr("liquid_fraction", FRACTION, "Share of the rack's heat taken by liquid cooling.", _F(17, 20)),
    Attr("nvlink_racks", COUNT, "Racks in one NVLink domain (1 for NVL72; 8 for NVL576).", _F(1), minimum=1),
    Attr("distribution", STRING, "The power the rack takes: `\"ac\"` or `\"dc\"` (Rubin Ultra's Kyber rack: "
         "800 V DC); it may stand only in halls of that `distribution`.", "ac"),
    Attr("cost", u.MONEY, "Price per rack (per node with `nodes_per_rack`), for the bill of materials."),
), top_level=True)

_kind("appliance", "A fabric appliance (catalog item), e.g. a UFM server or a storage head: it takes node "
      "slots in a node system's compute racks (or racks of its own) and its ports are endpoints of fabrics: "
      "`ports` of the fabric its `appliances` block names, on the rails it names, and `storage_ports` and "
      "`management_ports` of the cluster's fabric of that role.", (
    Attr("vendor", STRING, "Maker."),
    Attr("ports", COUNT, "Ports of one appliance on the fabric its `appliances` block names (`fabric`).",
         _F(0)),
    Attr("port_speed", u.DATA_RATE, "Speed of each of those ports."),
    Attr("storage_ports", COUNT, "Ports of one appliance on the cluster's `role = \"storage\"` fabric (its "
         "first), on the rails its block's `storage_rails` name; not cabled when the cluster has none.", _F(0)),
    Attr("storage_port_speed", u.DATA_RATE, "Speed of each storage port."),
    Attr("management_ports", COUNT, "Ports of one appliance on the cluster's `role = \"management\"` fabric "
         "(its first), on the rails its block's `management_rails` name; not cabled when the cluster has none.",
         _F(0)),
    Attr("management_port_speed", u.DATA_RATE, "Speed of each management port."),
    Attr("power", u.POWER, "Power of one appliance.", Q(0, "W")),
    Attr("weight", u.MASS, "Weight of one appliance.", Q(0, "kg")),
    Attr("rack_units", COUNT, "Height in rack units.", _F(1), minimum=1),
    Attr("node_slots", COUNT, "Node slots of a rack one appliance takes (the slots a node would stand in).",
         _F(1), minimum=1),
    Attr("cost", u.MONEY, "Price per appliance (relative figures are fine)."),
), top_level=True)

_kind("switch", "A network switch model (catalog item).", (
    Attr("vendor", STRING, "Maker."),
    Attr("ports", COUNT, "Ports (radix).", required=True, minimum=1),
    Attr("port_speed", u.DATA_RATE, "Speed of each port.", required=True),
    Attr("port_names", STRING, "How the ports are named: ranges `{a..b}` in text, the last fastest, e.g. "
         "`\"{1..32}/{1..2}\"` for 32 twin-port cages; their sizes multiply to `ports`. Default "
         "`p1`..`pN`."),
    Attr("power", u.POWER, "Power per switch."),
    Attr("rack_units", COUNT, "Height in rack units.", _F(1), minimum=1),
    Attr("per_rack", COUNT, "Switches mounted in one network rack.", _F(8), minimum=1),
    Attr("cost", u.MONEY, "Price per switch (relative figures are fine)."),
), top_level=True)

_kind("media", "A cable type (catalog item): reach, speed, cost by length and its transceiver modules.", (
    Attr("vendor", STRING, "Maker."),
    Attr("part", STRING, "Part number (of the cable itself; for optics, the fibre)."),
    Attr("module_part", STRING, "Part number of the transceiver module at a switch end (optical media)."),
    Attr("host_module_part", STRING, "Part number of the module at a host end (default: `module_part`)."),
    Attr("reach", u.LENGTH, "Longest supported length.", required=True),
    Attr("min_length", u.LENGTH, "Shortest available length.", Q(0, "m")),
    Attr("cost", u.MONEY, "Fixed cost per cable, including both transceivers if any.", Q(0, "USD")),
    Attr("cost_per_m", u.MONEY_PER_LENGTH, "Cost per metre of cable.", Q(0, "USD/m")),
    Attr("power_per_end", u.POWER, "Power of one transceiver module (or active cable end) at a switch end; "
         "one module serves `cables_per_transceiver` cables there.", Q(0, "W")),
    Attr("optical", BOOL, "Whether the cable needs transceivers.", False),
    Attr("speed", u.DATA_RATE, "Data rate of one cable (e.g. `800 Gb/s`). A fabric uses a medium only if it "
         "is at least the fabric's port speed (the switch's, split ports at their share, and the system's "
         "on host links). Unset: unspecified, taken to match any port."),
    Attr("form_factor", STRING, "Connector or module form factor, for the bill of materials: \"OSFP\", "
         "\"QSFP112\" ..."),
    Attr("cables_per_transceiver", COUNT, "Cables one module serves at a switch end: 2 for a twin-port OSFP "
         "(2 x 400G, 2 x 800G) or a breakout cable's single plug. A rack's modules of a medium are "
         "ceil(its switch-side cable ends / this).", _F(1), minimum=1),
    Attr("host_power_per_end", u.POWER, "Power of the module at a host (compute rack) end, one per cable "
         "(hosts take single-port modules). Default: `power_per_end`."),
), top_level=True)

_kind("cluster", "A training/inference cluster: systems, their count and their fabrics.", (
    Attr("system", None, "The rack system (a `system` block or catalog name).", ref="system", required=True),
    Attr("racks", COUNT, "Compute racks in the cluster (or write `nodes` for a node system).", minimum=1),
    Attr("nodes", COUNT, "Nodes in the cluster, for a system with `nodes_per_rack` (instead of `racks`): "
         "racks = ceil((nodes + the node slots of its appliances) / nodes_per_rack), the last one perhaps "
         "partly filled.", minimum=1),
    Attr("scalable_unit", COUNT, "Racks per scalable unit, kept contiguous on the floor (node slots per unit, "
         "a multiple of nodes_per_rack, when the cluster counts `nodes`).", _F(1), minimum=1),
    Attr("halls", None, "Halls the cluster may use, or buildings for all their halls (default: any).",
         ref="hall", also=("building",), many=True),
    Attr("fabrics", None, "Fabrics at site level the cluster joins (shared with the other clusters that join "
         "them): its racks are endpoints of each, with the system's ports of the fabric's role per rack unless "
         "the fabric writes `ports_per_rack`.", ref="fabric", many=True),
), children=("fabric", "appliances"), top_level=True)

_kind("appliances", "Appliances a cluster holds (e.g. UFM servers): they take the node slots after its "
      "nodes, or racks of their own (`own_racks`; the only way in a whole-rack system's cluster), and their "
      "ports are endpoints of its fabrics.", (
    Attr("appliance", None, "The appliance model (an `appliance` block or catalog name).", ref="appliance",
         required=True),
    Attr("count", COUNT, "How many.", _F(1), minimum=1),
    Attr("fabric", STRING, "Name of the cluster's fabric (or a site fabric it joins) the appliance's `ports` "
         "are endpoints of (default: its first). Storage and management ports go to its fabric of that role.",
         None),
    Attr("rails", COUNT, "The rails (1-based) of `fabric` its `ports` go to, the same number of ports on each "
         "(default: the first `ports` rails).", many=True),
    Attr("storage_rails", COUNT, "The rails of the cluster's storage fabric its `storage_ports` go to "
         "(default: the first ones).", many=True),
    Attr("management_rails", COUNT, "The rails of the cluster's management fabric its `management_ports` go "
         "to (default: the first ones).", many=True),
    Attr("own_racks", BOOL, "Stand in racks of their own (e.g. a management rack): the first appliance at the "
         "start of a rack after the nodes and earlier appliances, and nothing after them in those racks. "
         "Default: in the next free node slots. In a whole-rack system's cluster (NVL72), which has no node "
         "slots, appliances need it: their racks stand after the system's racks.", False),
    Attr("per_rack", COUNT, "Appliances one of their own racks holds, in a whole-rack system's cluster "
         "(default: as many as 42 U hold, by the appliance's `rack_units`).", minimum=1),
), named=True)

_kind("fabric", "A network fabric of a cluster, or at site level one that clusters join (`fabrics = [...]` "
      "in the cluster): topology, switch, oversubscription, rails, planes.", (
    Attr("role", STRING, "What the fabric carries: `compute` (east-west GPU traffic), `storage` (converged "
         "storage and north-south) or `management` (out-of-band). Every role is sized, placed, cabled and "
         "priced alike; the role names it in the plan, report and bill of materials.", "compute"),
    Attr("topology", STRING, "`fat_tree` (leaf/spine[/core] sized over the whole cluster), `rail_optimized` "
         "(leaves per rail per scalable unit, spines joining the rails) or `rail_only` (each rail its own "
         "fabric, no tier joining rails).", "fat_tree"),
    Attr("switch", None, "The switch model.", ref="switch", required=True),
    Attr("oversubscription", RATIO, "Leaf down:up ratio (1:1 is non-blocking).", (_F(1), _F(1))),
    Attr("rails", COUNT, "Rails (each system's port i goes to rail i's leaves).", _F(1), minimum=1),
    Attr("planes", COUNT, "Independent planes (multi-plane: each NIC port on its own plane; the fabric is "
         "this many copies, each carrying 1/planes of every rack's ports).", _F(1), minimum=1),
    Attr("tiers", COUNT, "Force 1, 2 or 3 tiers (default: the fewest that fit)."),
    Attr("leaves", COUNT, "Fix the total leaves of the fabric (all planes, rails and scalable units).",
         minimum=1),
    Attr("spines", COUNT, "Fix the total spines of the fabric (all planes and pods).", minimum=1),
    Attr("cores", COUNT, "Fix the total cores of the fabric (all planes); implies 3 tiers.", minimum=1),
    Attr("ports_per_rack", COUNT, "Fabric ports per rack (default: the system's ports of the fabric's role; "
         "of a site fabric, each joining cluster's system's)."),
    Attr("media", None, "Cable types allowed (default: all in scope that are fast enough).", ref="media",
         many=True),
    Attr("split", COUNT, "Run each switch port as this many ports of 1/split its speed (an 800G port as "
         "2 x 400G): the switch then has ports x split ports for sizing the fabric.", _F(1), minimum=1),
), named=True)

_kind("cabling", "How cable lengths are measured: along the trays, or across the rack tops of a row segment.", (
    Attr("tray_height", u.LENGTH, "Height of the cable tray above the rack tops (vertical drop).", Q(1, "m")),
    Attr("rack_height", u.LENGTH, "Rack height (port to tray).", Q("2.3", "m")),
    Attr("slack", u.LENGTH, "Slack added at each end of every cable along the trays.", Q(1, "m")),
    Attr("length_bin", u.LENGTH, "Cables are ordered in whole multiples of this length.", Q(1, "m")),
    # Short links skip the tray: within a rack, or across the rack tops of one row segment
    # (no cross-aisle between), which is what lets 2-5 m copper reach neighbouring racks.
    Attr("in_row_rise", u.LENGTH, "Run at each end of a cable between racks of one row segment, from the port "
         "up to the rack top where it crosses to the other rack (at most rack_height).", Q("0.5", "m")),
    Attr("in_row_slack", u.LENGTH, "Slack at each end of a cable that stays in its rack or in its row "
         "segment (instead of `slack`).", Q("0.5", "m")),
    Attr("in_row_max", u.LENGTH, "Longest horizontal run a cable takes across the rack tops; longer ones "
         "use the tray (0 m: every cable between racks uses the tray).", Q(3, "m")),
), named=False, top_level=True)

_kind("solve", "Solver settings.", (
    Attr("objective", STRING, "`cost` (default), `length`, or `cost_then_headroom`.", "cost"),
    Attr("time_limit", u.TIME, "Time for the whole compile (default 120 s; `--time-limit` overrides it), "
         "divided by fixed work rules, so the same limit always gives the same layout."),
    Attr("gap", FRACTION, "Stop searching once a layout is proven this close to the optimum: (objective - "
         "lower bound) / objective at or below it skips the starts left.", _F(1, 100)),
), named=False, top_level=True)

# Redundancy schemes spelt the way engineers write them.
REDUNDANCY_HELP = "one of N, N+1, N+2, 2N, 2(N+1), 3N/2, 4N/3 (xN/y: x modules carry the load of y)"


def kind_names() -> list[str]:
    return sorted(KINDS)
