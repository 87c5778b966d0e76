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
