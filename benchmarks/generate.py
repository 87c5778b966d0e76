"""Generators of large, valid specs for the benchmarks (and a few tests)."""

from __future__ import annotations


def spec_lines(target_lines: int = 10_000) -> str:
    """A realistic spec of about `target_lines` lines: params, lets, templates,
    buildings with halls, clusters with fabrics, comments."""
    out = [
        "# generated benchmark spec",
        "import catalog.nvidia",
        "",
        "## facility overhead",
        "param pue = 1.25",
        "let rack_power = 135 kW",
        "",
        "template hall std_hall {",
        "  size = 60 m x 48 m",
        "  rows = 10",
        "  slots_per_row = 40",
        "  busway = 8 MW",
        "  feeds = 2",
        "  floor_rating = 2500 kg/m2",
        "  cdu {",
        "    capacity = 2 MW",
        "    count = 4",
        '    redundancy = "N+1"',
        "  }",
        "  air {",
        "    capacity = 1 MW",
        "    count = 4",
        "  }",
        "}",
        "",
        "site campus {",
        "  land = 5000 acre",
        "  pue = pue",
        "  utility {",
        "    capacity = 5 GW",
        '    redundancy = "N"',
        "  }",
        "}",
    ]
    b = 0
    while len(out) < target_lines:
        b += 1
        out += [
            "",
            f"## building {b}",
            f"building b{b} {{",
            "  size = 400 m x 200 m",
            "  power ups {",
            "    capacity = 10 MW",
            "    modules = 12",
            '    redundancy = "N+1"',
            "  }",
        ]
        for h in range(1, 5):
            out += [
                f"  hall h{h} = std_hall {{",
                f"    busway = {6 + h} MW  # per-row rating",
                "    row_pitch = 4.2 m",
                "  }",
            ]
        out += ["}", "", f"let racks_b{b} = ceil(8 * rack_power / 135 kW) * 8",
                f"cluster c{b} {{",
                "  system = gb300_nvl72",
                f"  racks = racks_b{b}",
                "  scalable_unit = 8",
                f"  halls = [b{b}.h1, b{b}.h2]",
                "  fabric compute {",
                '    topology = "fat_tree"',
                "    switch = q3400",
                "    oversubscription = 1:1",
                "  }",
                "}"]
    return "\n".join(out) + "\n"


def campus_spec(gw: int = 5, clusters: int = 4) -> str:
    """A 5 GW campus: 39 buildings x 8 halls of 12 x 11 slots; 4 clusters of 7,400
    GB300-class racks (29,600 racks = 4 GW of compute) with 3-tier fabrics."""
    out = [
        "system rack {", "  gpus = 72", "  power = 135 kW", "  weight = 1360 kg", "  compute_ports = 72",
        "  port_speed = 800 Gb/s", "}",
        "switch q {", "  ports = 144", "  port_speed = 800 Gb/s", "  power = 2 kW", "}",
        "media fiber {", "  reach = 500 m", "}",
        "template hall std {", "  size = 10 m x 54 m", "  rows = 12", "  slots_per_row = 11", "  network_slots = 3",
        "  busway = 2 MW", "  feeds = 2",
        "  cdu {", "    capacity = 2 MW", "    count = 7", '    redundancy = "N+1"', "  }",
        "  air {", "    capacity = 500 kW", "    count = 7", '    redundancy = "N+1"', "  }", "}",
        "template building bt {", "  size = 120 m x 80 m", "  floor_rating = 2500 kg/m2",
        "  power ups {", "    capacity = 3.2 MW", "    modules = 48", '    redundancy = "4N/3"', "    feeds = 2", "  }",
        "  hall h[1..8] = std {}", "}",
        "site campus {", "  land = 5000 acre", "  pue = 1.2",
        "  utility {", f"    capacity = {gw} GW", "  }",
        "  building b[1..39] = bt {}",
    ]
    for i in range(1, clusters + 1):
        out += [f"  cluster c{i} {{", "    system = rack", f"    racks = {29_600 // clusters}",
                "    fabric f {", "      switch = q", "      rails = 8", "    }", "  }"]
    out.append("}")
    return "\n".join(out) + "\n"

def compile_campus_spec(mw: float, cluster_mw: float = 200) -> str:
    """A campus of `mw` MW of GB300 NVL72 racks as a .fac spec, shaped like the
    solver benchmark's (factoryspec/layout/generate.py): clusters of at most
    `cluster_mw`, each on halls of its own (12 rows x 16 compute + 6 network
    slots, ~26 MW), two halls per building, the catalog's LinkX media."""
    rack_kw, su = 135, 8
    total = int(mw * 1000 // rack_kw) // su * su
    per_cluster = int(cluster_mw * 1000 // rack_kw) // su * su
    out = [
        "import catalog.nvidia", "",
        "template hall std {", "  size = 16 m x 52 m", "  rows = 12", "  slots_per_row = 22", "  network_slots = 6",
        "  busway = 3 MW", "  feeds = 2", "  floor_rating = 2500 kg/m2",
        "  cdu {", "    capacity = 2 MW", "    count = 13", '    redundancy = "N+1"', "  }",
        "  air {", "    capacity = 1.2 MW", "    count = 7", '    redundancy = "N+1"', "  }", "}", "",
        "template building pair {", "  size = 50 m x 60 m",
        "  power ups {", "    capacity = 10 MW", "    modules = 8", '    redundancy = "N+1"', "  }",
        # the heat-rejection plant: 6 x 10 MW usable carries the building's two halls
        "  cooling {", "    capacity = 10 MW", "    modules = 7", '    redundancy = "N+1"', "  }",
        "  hall h[1..2] = std {}", "}", "",
        "site campus {", f"  land = {max(100, int(mw))} acre", "  pue = 1.2",
        "  utility {", f"    capacity = {int(mw * 1.4)} MW", "  }",
    ]
    clusters, hall_no, left = [], 0, total
    while left > 0:
        racks = min(per_cluster, left)
        left -= racks
        halls, need = [], racks
        while need > 0:
            b, h = divmod(hall_no, 2)
            halls.append(f"campus.b{b + 1}.h{h + 1}")
            need -= 12 * 16 - 8           # leave a little room in every hall
            hall_no += 1
        clusters.append((racks, halls))
    out.append(f"  building b[1..{(hall_no + 1) // 2}] = pair {{}}")
    for i, (racks, halls) in enumerate(clusters, 1):
        out += [f"  cluster c{i} {{", "    system = gb300_nvl72", f"    racks = {racks}", "    scalable_unit = 8",
                f"    halls = [{', '.join(halls)}]",
                "    fabric compute {", "      switch = q3400", "      rails = 8", "    }", "  }"]
    out.append("}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    import sys
    sys.stdout.write(spec_lines(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
