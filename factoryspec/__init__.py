"""factoryspec: infrastructure-as-code for AI factories.

The Python API is the pipeline the CLI and the language server use:

    check(path)   parse, resolve and check a spec (`factoryspec lint`)
    plan(path)    its derived figures without solving (`factoryspec plan`)
    compile(path) the solved, verified layout and every output file
    verify(spec, layout)  re-check a layout.json against its spec

Each returns a result object (CheckResult, PlanResult, CompileResult,
VerifyResult) with `diagnostics`, `ok`, `errors` and `to_json()`; none
prints, exits or raises for bad input. See factoryspec/api.py.
"""

__version__ = "0.1.0"

from .api import CheckResult, CompileResult, PlanResult, VerifyResult, check, compile, plan, verify  # noqa: E402

__all__ = ["check", "plan", "compile", "verify", "CheckResult", "PlanResult", "CompileResult", "VerifyResult",
           "__version__"]
