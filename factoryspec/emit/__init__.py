"""Emitters: a solved layout to the files `factoryspec compile` writes.

Each emitter is a pure function of (problem, result, context) returning
bytes, so outputs are deterministic (no clocks, no dict-order surprises) and
the CLI can write them all atomically (safe_write.py).
"""
