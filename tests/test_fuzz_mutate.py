"""The fuzzer's mutators stay within MAX_MUTANT however they stack: a 30 kB
block repeated 1,000 times, then that again, once asked the harness itself
for gigabytes (MemoryError in the parent, after 35,000 cases of a long run)."""

from random import Random

from fuzz import mutate


def test_stacked_repetitions_stay_within_the_mutant_limit():
    block = "site s {\n" + "  hall h { rows = 4 }\n" * 1500 + "}\n"        # ~33 kB, one brace block
    data = block.encode()
    for seed in range(40):
        rng = Random(seed)
        out = data
        for fn in (mutate.repeat_block, mutate.repeat_block, mutate.repeat_line, mutate.repeat_block):
            out = fn(out, rng, None)
            assert len(out) <= mutate.MAX_MUTANT + len(data), (seed, fn.__name__, len(out))


def test_mutate_truncates_to_the_limit():
    rng = Random(3)
    big = b"x = 1\n" * (mutate.MAX_MUTANT // 3)
    out, _ = mutate.mutate(big, rng, None, [mutate.repeat_line])
    assert len(out) <= mutate.MAX_MUTANT


def test_a_byte_flip_that_only_changes_the_seed_is_no_change(monkeypatch):
    # seed 0 -> 2 by one flipped bit is informational and consistent, so verify rightly
    # accepts it (a long run's only finding once was this, from the raw-bytes oracle);
    # a flip in a recomputed figure is a change
    import json
    doc = {"format": "x", "seed": 0, "solver": {"status": "optimal", "unit": "USD", "objective": 1.0,
           "lower_bound": 1.0, "gap": 0.0, "baseline_objective": 2.0, "saving_vs_baseline": 0.5},
           "totals": {"cables": 3}}
    text = json.dumps(doc).encode()
    always_flip = Random(0)
    always_flip.random = lambda: 0.0                   # raw_tamper's byte-flip branch
    for damaged, change in ((b'"seed": 2', False), (b'"cables": 7', True)):
        key = damaged.split(b":")[0]
        out = text.replace(key + b": " + (b"0" if key == b'"seed"' else b"3"), damaged)
        monkeypatch.setattr(mutate, "flip_bytes", lambda data, rng, corpus, out=out: out)
        assert mutate.raw_tamper(text, always_flip)[2] is change
