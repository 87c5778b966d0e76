"""Large expansions stay linear: a generated spec of 19,000 halls (near the
expansion budget of 20,000 blocks) lints in a
subprocess with the diagnostics it should have. Only behaviour is asserted;
the timeout is a safety net against a step that grows quadratically again
(such a step took minutes on 100,000 halls)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAFETY_NET_S = 120

HALL = ("size = 13 m x 21 m\n  rows = 5\n  slots_per_row = 16\n  row_pitch = 4.2 m\n"
        "  busway = 2.5 MW\n")

# 190 buildings one after another along y, 100 halls side by side in each:
# each column of x holds a hall of every building (what made the overlap
# sweep quadratic). The last building stands on the first one's corner, so
# its one hall overlaps b1.h1, and only that one.
SPEC = (f"site s {{\n  building b[1..190] {{ hall h[1..100] {{\n  {HALL}}} }}\n"
        f"  building x {{\n    position = [0 m, 0 m]\n    hall h {{\n  {HALL}}}\n  }}\n}}\n")

_RUN = """
import json, sys
from factoryspec.pipeline import check
c = check(sys.argv[1])
print(json.dumps({"halls": len(c.model.halls),
                  "diags": [[d.code, d.span.line if d.span else None, d.message] for d in c.diagnostics]}))
"""


def test_nineteen_thousand_halls(tmp_path):
    f = tmp_path / "scale.fac"
    f.write_text(SPEC, encoding="utf-8")
    r = subprocess.run([sys.executable, "-c", _RUN, str(f)], capture_output=True, text=True,
                       timeout=SAFETY_NET_S, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout)
    assert out["halls"] == 19_001
    assert out["diags"] == [["hall-overlap", SPEC.splitlines().index("    position = [0 m, 0 m]") + 1,
                             "halls s.b1.h1 and s.x.h overlap on the site plan: 13 m x 21 m at (0 m, 0 m) "
                             "and 13 m x 21 m at (0 m, 0 m)"]]
