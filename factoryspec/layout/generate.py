"""Generated layout problems: GB300-class campuses for tests and benchmarks.

A campus of `mw` megawatts of 135 kW NVL72-class racks in scalable units of 8,
split into clusters of at most `cluster_mw` (each with its own Q3400 XDR fabric,
144 ports, rails = 8, sized by fabric.size_fabric) on halls of their own.
A standard hall holds 12 rows of 16 compute + 6 network slots (~26 MW);
two halls side by side form a building, buildings stand on a 60 m x 80 m grid.
Media follow NVIDIA LinkX reaches with the catalog's relative costs.
"""

from __future__ import annotations

from ..fabric import FabricPlan, size_fabric
from .problem import Cabling, Cluster, FabricSpec, Hall, LayoutProblem, Medium

LINKX = (
    Medium(id="dac_2m", reach_m=2, cost_fixed=100, cost_per_m=20, min_length_m=0.5),
    Medium(id="acc_5m", reach_m=5, cost_fixed=300, cost_per_m=30, min_length_m=4),
    Medium(id="mmf_sr_50m", reach_m=50, cost_fixed=1000, cost_per_m=3, optical=True),
    Medium(id="smf_dr_100m", reach_m=100, cost_fixed=1300, cost_per_m=2, optical=True),
    Medium(id="smf_2xdr4_500m", reach_m=500, cost_fixed=1600, cost_per_m=2, optical=True),
    Medium(id="smf_2xfr4_2km", reach_m=2000, cost_fixed=2200, cost_per_m=1, optical=True),
)

RACK_W = 135_000
SU = 8


def hall(hid: str, origin: tuple, rows: int = 12, compute: int = 16, network: int = 6, **kw) -> Hall:
    slots = compute + network
    args = dict(id=hid, rows=rows, slots_per_row=slots, busway_w_per_feed=3e6, busway_limit=0.8, feeds=2,
                network_slots_per_row_end=network, cdu_capacity_w_usable=rows * compute * RACK_W * 0.95,
                air_capacity_w_usable=rows * (compute * RACK_W * 0.15 + network * 16_000) * 1.1,
                floor_rating_kg_m2=2500, origin_xy_m=origin)
    args.update(kw)
    return Hall(**args)


def fabric(racks: int, ports: int = 72, radix: int = 144, rails: int = 8, **kw) -> FabricSpec:
    plan = size_fabric(endpoints=racks * ports, radix=radix, rails=rails)
    assert isinstance(plan, FabricPlan), plan
    args = dict(id="compute", plan=plan, ports_per_rack=ports, switch="q3400", switches_per_rack=8,
                switch_power_w=2000)
    args.update(kw)
    return FabricSpec(**args)


def cluster(cid: str, racks: int, halls: tuple = (), **kw) -> Cluster:
    args = dict(id=cid, racks=racks, system="gb300_nvl72", rack_power_w=RACK_W, rack_weight_kg=1360,
                footprint_m2=0.72, liquid_fraction=0.85, scalable_unit=SU, allowed_halls=halls,
                fabrics=(fabric(racks),))
    args.update(kw)
    return Cluster(**args)


def campus(mw: float, cluster_mw: float = 200, seed: int = 0, objective: str = "cost") -> LayoutProblem:
    racks_total = int(mw * 1e6 // RACK_W) // SU * SU
    per_cluster = int(cluster_mw * 1e6 // RACK_W) // SU * SU
    halls, clusters = [], []
    left, g = racks_total, 0
    while left > 0:
        racks = min(per_cluster, left)
        left -= racks
        ids = []
        need = racks
        while need > 0:
            rows = min(12, -(-need // 16) + 1)       # small clusters get a small hall
            b, w = divmod(g, 2)
            halls.append(hall(f"h{g + 1}", (float((b % 10) * 60 + w * 20), float((b // 10) * 80)), rows=rows))
            ids.append(f"h{g + 1}")
            need -= rows * 16 - 8                    # leave a little room in every hall
            g += 1
        clusters.append(cluster(f"c{len(clusters) + 1}", racks, tuple(ids)))
    return LayoutProblem(halls=halls, clusters=clusters, media=LINKX,
                         cabling=Cabling(tray_height_m=0.6, rack_height_m=2.3, slack_m=1.0, length_bin_m=1.0),
                         objective=objective, seed=seed, spec_hash=f"generated-{mw:g}MW")


# Small instances of different shapes for tests: keyword arguments of small().
SMALL_SHAPES = (
    dict(),                                                                   # 2-tier
    dict(racks=32, rows=6, slots=12, radix=8, ports=2, rails=1),              # 3-tier
    dict(halls=2, racks=24, rows=3),                                          # two halls
    dict(racks=12, rows=4, slots=12, cross_aisles=1, reserved={(1, 1), (2, 5)}),
    dict(objective="length"),
)


def small(racks: int = 16, *, rows: int = 3, slots: int = 10, network: int = 2, su: int = 4,
          radix: int = 16, ports: int = 4, rails: int = 2, halls: int = 1, objective: str = "cost",
          seed: int = 0, cabling: Cabling | None = None, **hall_kw) -> LayoutProblem:
    """A problem small enough for tests: `halls` halls of rows x slots (the last
    `network` slots of a row kept for switches), one cluster of `racks` 40 kW
    racks in scalable units of `su`, a 2- or 3-tier fabric of `radix`-port switches."""
    hs = []
    for k in range(halls):
        args = dict(id=f"h{k + 1}", rows=rows, slots_per_row=slots, busway_w_per_feed=1e6, busway_limit=0.8,
                    feeds=2, network_slots_per_row_end=network, cdu_capacity_w_usable=2e6,
                    air_capacity_w_usable=1e6, floor_rating_kg_m2=2000, origin_xy_m=(k * 15.0, 0.0))
        args.update(hall_kw)
        hs.append(Hall(**args))
    plan = size_fabric(endpoints=racks * ports, radix=radix, rails=rails)
    assert isinstance(plan, FabricPlan), plan
    fab = FabricSpec(id="compute", plan=plan, ports_per_rack=ports, switch="sw", switches_per_rack=4,
                     switch_power_w=500)
    c = Cluster(id="train", racks=racks, system="box", rack_power_w=40_000, rack_weight_kg=800,
                footprint_m2=0.72, liquid_fraction=0.8, scalable_unit=su, fabrics=(fab,))
    return LayoutProblem(halls=hs, clusters=(c,), media=LINKX,
                         cabling=cabling or Cabling(tray_height_m=0.6, rack_height_m=2.3, slack_m=1.0,
                                                    length_bin_m=1.0),
                         objective=objective, seed=seed, spec_hash="small")
