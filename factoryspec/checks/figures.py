"""The derived figures of a spec (`factoryspec plan`, `factoryspec.plan()`), without solving, like
`terraform plan`.

Figures come from the model (factoryspec.model): racks are spread over halls
by the even fill documented in model/derive.py, fabrics are sized by
factoryspec.fabric, and every rule of factoryspec.checks that has a limit
reports its headroom. Nothing here enumerates racks, ports or rows.

JSON output (`plan_json`), stable keys. Quantities are numbers in SI base
units named by suffix (`_w` watts); counts are integers.

    version            1
    spec               the entry file
    basis              "estimate" (racks spread evenly, optics at their
                       budget) or "layout" (counted from a solved layout)
    ok                 true when lint finds no error
    totals             clusters, racks, gpus, network_racks, switches,
                       unplaced_racks, compute_power_w, switch_power_w,
                       optics {ends, transceivers, power_w}, it_power_w (= compute +
                       switch + optics), facility_power_w,
                       cooling_liquid_w, cooling_air_w, slots,
                       slots_reserved, slots_used, slots_free
    sites[]            name, pue, it_power_w, facility_power_w,
                       utility_usable_w (null without a utility),
                       fabrics[]: its shared fabrics (at site level), as a
                       cluster's below plus members[] {cluster, racks,
                       ports_per_rack, endpoints} and it_power_w (its
                       switches and optics, counted here once)
    clusters[]         name, system, racks, nodes (a node system's; else null),
                       appliances[] {name, appliance, count, fabric, rails, ports},
                       gpus, it_power_w, unplaced_racks,
                       nvlink_domains, halls[] {hall, racks, gpus},
                       fabrics[] {name, role, switch, topology, endpoints, ports (that exist), rails, planes,
                       oversubscription ("1:1"), tiers, switches {leaf,
                       spine, core, total}, links {endpoint_leaf, leaf_spine,
                       spine_core, total}, network_racks, optics {ends,
                       transceivers, power_per_end_w and
                       host_power_per_end_w (the budget; null as built),
                       power_w}, error},
                       joins[] {fabric, ports_per_rack, endpoints}: the
                       shared fabrics it joins (its figures exclude them)
    halls[]            name, slots, slots_reserved, slots_used, slots_free,
                       compute_racks, network_racks, gpus, it_power_w,
                       cooling_liquid_w, cooling_air_w,
                       clusters[] {cluster, racks}
    switches_per_tier  {leaf, spine, core, total} over all fabrics
    links_per_tier     {endpoint_leaf, leaf_spine, spine_core, total}
    headroom[]         {check, subject, used, limit, unit, percent, span}:
                       one per measured limit, in rule order (see
                       factoryspec.checks); percent = used / limit x 100,
                       one decimal; span = {file, line, column, end_line,
                       end_column} of the value responsible
    diagnostics[]      lint's diagnostics (as `lint --format json`)

Facility power is IT x the site's PUE; IT power outside any site (a cluster
and halls not in a `site` block) is taken at the vocabulary's default PUE.

IT power is the compute racks' systems, the switches and the optics: two
cable ends per link, each in a transceiver module (system and switch `power`
exclude pluggable transceivers). A host end takes one module of its medium's
`host_power_per_end`; at the switches one module of `power_per_end` serves
`cables_per_transceiver` cables (twin-port OSFP: 2). Before solving a link's
medium is unknown, so host ends are budgeted at the highest host module of the
fabric's usable media (fast enough for its ports), switch ends at the highest
module share per cable, and transceivers as host ends + ceil(switch ends /
the fewest cables per module), or 0 where every usable medium is copper (its
ends are the cable's own plugs, with their power, if active, counted alike);
compile counts each link's own medium, modules per rack and medium, and only
optical media's modules as transceivers.

Network racks: per fabric and tier, ceil(switches / switch `per_rack`) (one
tier per rack, as compile racks them); the halls' shares add up to that.
"""

from __future__ import annotations

from fractions import Fraction

from .. import checks
from ._base import number, show
from ..diagnostics import Diagnostic, Severity
from ..model import Factory
from ..model.derive import site_it_power
from ..lang.units import POWER, Quantity, format_number
from ..lang.vocabulary import KINDS

DEFAULT_PUE = KINDS["site"].attr("pue").default


def _w(x: Fraction) -> int | float:
    return number(x)


def _tiers(fab) -> tuple[dict, dict]:
    p = fab.sized
    if p is None:
        return ({"leaf": 0, "spine": 0, "core": 0, "total": 0},
                {"endpoint_leaf": 0, "leaf_spine": 0, "spine_core": 0, "total": 0})
    sw = {"leaf": p.leaves, "spine": p.spines, "core": p.cores, "total": p.switches}
    links = {"endpoint_leaf": p.endpoint_links, "leaf_spine": p.leaf_spine_links,
             "spine_core": p.spine_core_links,
             "total": p.endpoint_links + p.leaf_spine_links + p.spine_core_links}
    return sw, links


def facility_power(f: Factory) -> Quantity:
    """IT x each site's PUE, and the default PUE for IT outside any site."""
    in_sites = facility = Fraction(0)
    for s in f.sites:
        it = site_it_power(f, s).value
        in_sites += it
        facility += it * s.pue
    facility += max(f.it_power.value - in_sites, Fraction(0)) * DEFAULT_PUE
    return Quantity(facility, POWER)


def tier_totals(f: Factory) -> tuple[dict, dict]:
    """Switches per tier and links per level, summed over every fabric."""
    sw_tot = {"leaf": 0, "spine": 0, "core": 0, "total": 0}
    ln_tot = {"endpoint_leaf": 0, "leaf_spine": 0, "spine_core": 0, "total": 0}
    for fab in [fab for c in f.clusters for fab in c.fabrics] + f.shared_fabrics:
        sw, links = _tiers(fab)
        for k in sw_tot:
            sw_tot[k] += sw[k]
        for k in ln_tot:
            ln_tot[k] += links[k]
    return sw_tot, ln_tot


def plan_json(f: Factory, diagnostics: list[Diagnostic] | None = None) -> dict:
    diagnostics = diagnostics or []
    sites = []
    for s in f.sites:
        it = site_it_power(f, s).value
        sites.append({"name": s.qualname, "pue": number(s.pue), "it_power_w": _w(it),
                      "facility_power_w": _w(it * s.pue),
                      "utility_usable_w": (_w(sum((u.usable.value for u in s.utilities), Fraction(0)))
                                           if s.utilities else None),
                      "fabrics": [_fabric_json(fab) for fab in s.fabrics]})
    it_total = f.it_power.value
    facility = facility_power(f).value

    sw_tot, ln_tot = tier_totals(f)
    clusters = []
    for c in f.clusters:
        fabrics = [_fabric_json(fab) for fab in c.fabrics]
        clusters.append({"name": c.qualname, "system": c.system.qualname, "racks": c.racks,
                         "nodes": c.node_count if c.counts_nodes else None,
                         "appliances": [_appliances_json(a) for a in c.appliances],
                         "gpus": c.gpus,
                         "it_power_w": _w(c.it_power.value), "unplaced_racks": c.unplaced,
                         "nvlink_domains": c.nvlink_domains,
                         "halls": [{"hall": h.qualname, "racks": k, "gpus": c.share_gpus(k)}
                                   for h, k in c.placement.items()],
                         "fabrics": fabrics,
                         "joins": [{"fabric": fab.qualname, "ports_per_rack": fab.ports_of(c),
                                    "endpoints": fab.member_endpoints(c)} for fab in c.joins]})
    halls = []
    liquid = air = Fraction(0)
    slots = reserved = used = 0
    for h in f.halls:
        ld = h.load
        u = ld.compute_racks + ld.network_racks
        slots += h.slots
        reserved += h.reserved_slots
        used += u
        liquid += ld.liquid.value
        air += ld.air.value
        halls.append({"name": h.qualname, "slots": h.slots, "slots_reserved": h.reserved_slots,
                      "slots_used": u, "slots_free": max(h.usable_slots - u, 0),
                      "compute_racks": ld.compute_racks, "network_racks": ld.network_racks, "gpus": ld.gpus,
                      "it_power_w": _w(ld.it_power.value), "cooling_liquid_w": _w(ld.liquid.value),
                      "cooling_air_w": _w(ld.air.value),
                      "clusters": [{"cluster": c.qualname, "racks": k} for c, k in ld.compute.items()]})
    errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
    parts = it_parts(f)
    totals = {
        "clusters": len(f.clusters),
        "racks": sum(c.racks for c in f.clusters),
        "gpus": sum(c.gpus for c in f.clusters),
        "network_racks": sum(h.load.network_racks for h in f.halls),
        "switches": sw_tot["total"],
        "unplaced_racks": sum(c.unplaced for c in f.clusters),
        "compute_power_w": _w(parts["compute"]),
        "switch_power_w": _w(parts["switches"]),
        "optics": {"ends": optics_ends(f), "transceivers": transceivers(f),
                   "transceivers_exact": all(map(transceivers_exact, f.fabrics)), "power_w": _w(parts["optics"])},
        "it_power_w": _w(it_total),
        "facility_power_w": _w(facility),
        "cooling_liquid_w": _w(liquid),
        "cooling_air_w": _w(air),
        "slots": slots,
        "slots_reserved": reserved,
        "slots_used": used,
        "slots_free": sum(h["slots_free"] for h in halls),
    }
    return {
        "version": 1,
        "spec": f.entry,
        "basis": "layout" if any(h.load.rows is not None for h in f.halls) else "estimate",
        "ok": errors == 0,
        "totals": totals,
        "sites": sites,
        "clusters": clusters,
        "halls": halls,
        "switches_per_tier": sw_tot,
        "links_per_tier": ln_tot,
        "headroom": [m.to_json() for m in checks.measures(f)],
        "diagnostics": [d.to_json() for d in diagnostics],
    }


def links_text(a: dict, number) -> str:
    """An appliances block's ports and where they are cabled: "12 ports on fabric
    compute rails 1, 2", or per fabric, "6 ports: 4 on fabric storage rails 1; 2 on ..."."""
    where = [f"on fabric {x['fabric']} rails {', '.join(map(str, x['rails']))}" for x in a["links"]]
    if len(where) == 1 and a["links"][0]["cables"] == a["ports"]:
        return f"{number(a['ports'])} ports {where[0]}"
    parts = [f"{number(x['cables'])} {w}" for x, w in zip(a["links"], where)]
    left = a["ports"] - sum(x["cables"] for x in a["links"])
    return f"{number(a['ports'])} ports: " + "; ".join(parts + ([f"{number(left)} not cabled"] if left else []))


def _appliances_json(a) -> dict:
    """An appliances block in the plan: its ports on each fabric they are cabled to
    (`cables`: count x ports there; a link checks/nodes.py rejects has none)."""
    return {"name": a.name, "appliance": a.appliance.qualname, "count": a.count,
            "ports": a.count * a.appliance.all_ports, "own_racks": a.own_rack_count,
            "links": [{"fabric": p.fabric.name if p.fabric is not None else None, "from": p.attr,
                       "rails": list(p.rail_list()), "cables": p.cables if p.valid else 0} for p in a.links]}


def _fabric_json(fab) -> dict:
    """One fabric of the plan; a shared fabric (at site level) with its members."""
    sw, links = _tiers(fab)
    err = None
    if fab.plan is not None and fab.sized is None:
        err = fab.plan.message
    elif fab.plan is None and fab.shared and not fab.members:
        err = "not sized: no cluster joins it"
    elif fab.plan is None:
        err = "not sized: the ports per rack do not split over the rails and planes, or the topology is unknown"
    out = {"name": fab.name, "role": fab.role, "switch": fab.switch.qualname,
           "topology": fab.topology,
           "endpoints": fab.endpoints, "ports": fab.ports, "rails": fab.rails,
           "planes": fab.planes,
           "oversubscription": f"{fab.down}:{fab.up}",
           "tiers": fab.sized.tiers if fab.sized else None, "switches": sw, "links": links,
           "network_racks": fab.network_racks,
           "optics": {"ends": fab.host_ends + fab.switch_ends,
                      "transceivers": fab.transceivers if fab.sized else 0,
                      "transceivers_exact": transceivers_exact(fab),
                      "power_per_end_w": (None if fab.built_optics is not None
                                          else _w(fab.power_per_end.value)),
                      "host_power_per_end_w": (None if fab.built_optics is not None
                                               else _w(fab.host_power_per_end.value)),
                      "power_w": _w(fab.optics_power.value)},
           "error": err}
    if fab.shared:
        out["members"] = [{"cluster": c.qualname, "racks": c.racks, "ports_per_rack": fab.ports_of(c),
                           "endpoints": fab.member_endpoints(c)} for c in fab.joined]
        out["it_power_w"] = _w(_shared_power(fab))
    return out


def _shared_power(fab) -> Fraction:
    """A shared fabric's switches and optics (W): counted once, under its site."""
    if fab.sized is None:
        return Fraction(0)
    return fab.switch.power.value * fab.sized.switches + fab.optics_power.value


def optics_ends(f: Factory) -> int:
    """Cable ends of every fabric, the clusters' own and the shared ones."""
    return (sum(c.optics_ends for c in f.clusters)
            + sum(fab.host_ends + fab.switch_ends for fab in f.shared_fabrics if fab.sized))


def transceivers_exact(fab) -> bool:
    """Whether a fabric's transceiver count is known before solving: as built,
    or where every link takes the same kind of module. Where copper (no
    module) or optics of several cables per module may serve a link, the
    estimate is the most it may need."""
    if fab.built_transceivers is not None or not fab.sized:
        return True
    media = fab.usable_media
    return all(m.optical for m in media) and len({m.cables_per_transceiver for m in media}) <= 1


def transceivers(f: Factory) -> int:
    """Transceiver modules of every fabric, the clusters' own and the shared ones."""
    return (sum(c.transceivers for c in f.clusters)
            + sum(fab.transceivers for fab in f.shared_fabrics if fab.sized))


def it_parts(f: Factory) -> dict[str, Fraction]:
    """IT power by part, exact: the compute racks' systems, the switches, the
    optics (a shared fabric's once). Their sum is `Factory.it_power`."""
    shared = [fab for fab in f.shared_fabrics if fab.sized is not None]
    return {"compute": sum((c.compute_power.value for c in f.clusters), Fraction(0)),
            "switches": sum((c.switch_power.value for c in f.clusters), Fraction(0))
            + sum((fab.switch.power.value * fab.sized.switches for fab in shared), Fraction(0)),
            "optics": sum((c.optics_power.value for c in f.clusters), Fraction(0))
            + sum((fab.optics_power.value for fab in shared), Fraction(0))}


# ---- text ------------------------------------------------------------------------

def _p(w) -> str:
    return show(Quantity(Fraction(w), POWER))


def _c(n) -> str:
    return f"{n:,}"


def _per_tier(sw: dict) -> str:
    """Switches per tier, as the text plan prints them."""
    return f"leaf {_c(sw['leaf'])}, spine {_c(sw['spine'])}, core {_c(sw['core'])}"


def _per_level(ln: dict) -> str:
    """Links per level, as the text plan prints them."""
    return (f"endpoint-leaf {_c(ln['endpoint_leaf'])}, leaf-spine {_c(ln['leaf_spine'])}, "
            f"spine-core {_c(ln['spine_core'])}")


def _fabric_text(fb: dict) -> list[str]:
    """A fabric of the plan as text lines (a cluster's, or a shared one under its site)."""
    out = []
    planes = f", {fb['planes']} planes" if fb["planes"] != 1 else ""
    shared = "shared " if "members" in fb else ""
    head = (f"    {shared}{fb['role']} fabric {fb['name']} ({fb['topology']}, {fb['switch']}, "
            f"{fb['oversubscription']}, "
            f"{fb['rails']} rail{'s' if fb['rails'] != 1 else ''}{planes}): "
            f"{_c(fb['endpoints'])} endpoints"
            + (f" ({_c(fb['ports'])} with a port)" if fb["ports"] != fb["endpoints"] else ""))
    if fb["error"]:
        return [f"{head}: {fb['error']}"]
    s, l, o = fb["switches"], fb["links"], fb["optics"]
    out.append(f"{head}, {fb['tiers']} tier{'s' if fb['tiers'] != 1 else ''}")
    out.append(f"      switches {_per_tier(s)} = {_c(s['total'])} in {_c(fb['network_racks'])} "
               f"network rack{'s' if fb['network_racks'] != 1 else ''}")
    out.append(f"      links {_per_level(l)}")
    budget = (f" (host ends x {_p(o['host_power_per_end_w'])}, switch ends x "
              f"{_p(o['power_per_end_w'])}: the highest of its media)"
              if o["power_per_end_w"] is not None else "")
    most = "" if o["transceivers_exact"] else "at most "
    out.append(f"      optics {_c(o['ends'])} cable ends in {most}{_c(o['transceivers'])} transceivers"
               f"{budget} = {_p(o['power_w'])}")
    return out


def plan_text(f: Factory, diagnostics: list[Diagnostic] | None = None, *, per_check: int = 3) -> str:
    j = plan_json(f, diagnostics)
    t = j["totals"]
    out = [f"Plan for {j['spec']} (estimate: racks spread evenly, optics at their budget; "
           "compile reports the layout's figures)", ""]
    out.append("Totals")
    unplaced = f" ({_c(t['unplaced_racks'])} without a slot)" if t["unplaced_racks"] else ""
    plural = "s" if t["clusters"] != 1 else ""
    out.append(f"  racks      {_c(t['racks'])} compute + {_c(t['network_racks'])} network{unplaced}, "
               f"{_c(t['gpus'])} GPUs in {t['clusters']} cluster{plural}")
    out.append(f"  power      IT {_p(t['it_power_w'])} = compute {_p(t['compute_power_w'])} + switches "
               f"{_p(t['switch_power_w'])} + optics {_p(t['optics']['power_w'])}; "
               f"facility {_p(t['facility_power_w'])}")
    basis = "at each fabric's budget per end" if j["basis"] == "estimate" else "at each cable's medium"
    most = "" if t["optics"]["transceivers_exact"] else "at most "
    out.append(f"  optics     {_c(t['optics']['ends'])} cable ends in {most}{_c(t['optics']['transceivers'])} "
               f"transceivers, {_p(t['optics']['power_w'])} ({basis})")
    out.append(f"  cooling    liquid {_p(t['cooling_liquid_w'])}, air {_p(t['cooling_air_w'])}")
    out.append(f"  slots      {_c(t['slots'])} ({_c(t['slots_reserved'])} reserved): {_c(t['slots_used'])} used, "
               f"{_c(t['slots_free'])} free")
    sw, ln = j["switches_per_tier"], j["links_per_tier"]
    out.append(f"  switches   {_per_tier(sw)}: {_c(sw['total'])}")
    out.append(f"  links      {_per_level(ln)}: {_c(ln['total'])}")
    if j["sites"]:
        out += ["", "Sites"]
        for s in j["sites"]:
            util = f", utility {_p(s['utility_usable_w'])} usable" if s["utility_usable_w"] is not None else ""
            out.append(f"  {s['name']}: IT {_p(s['it_power_w'])} x PUE {format_number(Fraction(s['pue']))} = "
                       f"{_p(s['facility_power_w'])}{util}")
            for fb in s["fabrics"]:
                out += _fabric_text(fb)
                members = ", ".join(f"{m['cluster']} {_c(m['racks'])} racks x {m['ports_per_rack']} = "
                                    f"{_c(m['endpoints'])}" for m in fb["members"]) or "none"
                out.append(f"      shared by {members}; switches and optics {_p(fb['it_power_w'])}")
    if j["clusters"]:
        out += ["", "Clusters"]
        for c in j["clusters"]:
            own = sum(a["own_racks"] or 0 for a in c["appliances"])
            what = (f"{_c(c['nodes'])} x {c['system']} nodes in {_c(c['racks'])} racks" if c["nodes"] is not None
                    else f"{_c(c['racks'] - own)} x {c['system']}"
                    + (f" + {_c(own)} appliance rack{'s' if own != 1 else ''}" if own else ""))
            out.append(f"  {c['name']}: {what} = {_c(c['gpus'])} GPUs, IT {_p(c['it_power_w'])}")
            for a in c["appliances"]:
                own = (f", in {_c(a['own_racks'])} rack{'s' if a['own_racks'] != 1 else ''} of their own"
                       if a["own_racks"] else "")
                out.append(f"    appliances {a['name']}: {_c(a['count'])} x {a['appliance']}{own}, "
                           + links_text(a, _c))
            for h in c["halls"]:
                out.append(f"    in {h['hall']}: {_c(h['racks'])} racks, {_c(h['gpus'])} GPUs")
            if c["unplaced_racks"]:
                out.append(f"    without a slot: {_c(c['unplaced_racks'])} racks")
            for fb in c["fabrics"]:
                out += _fabric_text(fb)
            for jn in c["joins"]:
                out.append(f"    joins shared fabric {jn['fabric']}: {_c(jn['endpoints'])} endpoints "
                           f"({jn['ports_per_rack']} per rack; sized, powered and counted under its site)")
    if j["halls"]:
        out += ["", "Halls"]
        for h in j["halls"]:
            res = f" ({_c(h['slots_reserved'])} reserved)" if h["slots_reserved"] else ""
            out.append(f"  {h['name']}: {_c(h['slots'])} slots{res}: {_c(h['compute_racks'])} compute + "
                       f"{_c(h['network_racks'])} network, {_c(h['slots_free'])} free; IT {_p(h['it_power_w'])} "
                       f"(liquid {_p(h['cooling_liquid_w'])}, air {_p(h['cooling_air_w'])})")
    ms = list(checks.measures(f))
    if ms:
        # The fullest few of each check, fullest first (the JSON has them all).
        def fullness(m):
            return m.percent if m.percent is not None else Fraction(-1)
        by_check: dict[str, list] = {}
        for m in ms:
            by_check.setdefault(m.check, []).append(m)
        shown = []
        for group in by_check.values():
            shown += sorted(group, key=lambda m: -fullness(m))[:per_check]
        shown.sort(key=lambda m: -fullness(m))
        out += ["", "Headroom (the fullest of each check)"]
        for m in shown:
            pct = f"{float(m.percent):6.1f}%" if m.percent is not None else "   n/a "
            mark = "  OVER" if m.exceeded else ""
            out.append(f"  {pct}  {m.subject}: {show(m.used)} of {show(m.limit)} [{m.check}]{mark}")
        if len(ms) > len(shown):
            out.append(f"  ({len(ms) - len(shown):,} more in --format json)")
    return "\n".join(out) + "\n"
