"""Rack-and-interconnect layout: problem, solver, verifier and layout.json.

    from factoryspec.layout import LayoutProblem, solve, verify, layout_to_json

See problem.py for the model and its units, solve.py for the decomposition,
bound.py for why the lower bound is valid, verify.py for the independent check.
to_problem.py builds the problem from a checked spec; as_built.py puts a
solved layout back onto the model.
"""

from .jsonio import dumps, layout_from_json, layout_to_json, schema, validate_schema, verify_json
from .problem import Cabling, Cluster, FabricSpec, Hall, LayoutProblem, Medium
from .result import Layout, Link, Placement, SolveResult
from .solve import solve
from .verify import LAYOUT_CODES, verify

__all__ = ["Cabling", "Cluster", "FabricSpec", "Hall", "LayoutProblem", "Medium", "Layout", "Link",
           "Placement", "SolveResult", "solve", "verify", "layout_to_json", "layout_from_json", "dumps",
           "schema", "validate_schema", "verify_json", "LAYOUT_CODES"]
