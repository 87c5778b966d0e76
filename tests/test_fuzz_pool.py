"""The fuzz pool's budget is CPU time: a case that computes past it is a
hang, a case that waits (as on a busy machine) is not, unless it waits for
three budgets of wall time using almost no CPU (a blocked read burns none)."""

import time

import pytest

from fuzz.pool import BLOCKED_SHARE, WALL_FACTOR, Pool

BUDGET = 0.5


def spin():
    while True:
        pass


def sleep(seconds):
    time.sleep(seconds)
    return {"status": "ok"}


def starved(seconds, share):
    """What a case gets on a crowded machine: `share` of a CPU, for `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        burst = time.process_time() + 0.02
        while time.process_time() < burst:
            pass
        time.sleep(0.02 / share - 0.02)
    return {"status": "ok"}


HANDLERS = {"spin": spin, "sleep": sleep, "starved": starved}


@pytest.fixture
def pool():
    p = Pool(HANDLERS, jobs=2, timeout=BUDGET)
    yield p
    p.close()


def _run(pool, name, *args):
    [(_, result)] = list(pool.run([("case", name, args)]))
    return result


def test_a_case_that_computes_past_the_budget_is_a_hang(pool):
    result = _run(pool, "spin")
    assert result["status"] == "timeout"
    assert result["cpu_seconds"] >= BUDGET


def test_waiting_longer_than_the_budget_is_not_a_hang(pool):
    # What a loaded machine does to a short case: wall time passes, CPU does not.
    result = _run(pool, "sleep", BUDGET * 2)
    assert result["status"] == "ok"
    assert result["seconds"] >= BUDGET * 2
    assert result["cpu_seconds"] < BUDGET


def test_a_case_starved_of_cpu_past_three_budgets_is_not_a_hang(pool):
    # 20 % of a CPU for 3.5 budgets: 0.7 budgets of CPU, more than BLOCKED_SHARE.
    result = _run(pool, "starved", BUDGET * 3.5, 0.2)
    assert result["status"] == "ok"
    assert result["seconds"] > BUDGET * WALL_FACTOR
    assert BLOCKED_SHARE * result["seconds"] < result["cpu_seconds"] < BUDGET


def test_a_case_blocked_for_three_budgets_is_a_hang(pool):
    result = _run(pool, "sleep", 60)
    assert result["status"] == "timeout"
    assert BUDGET * WALL_FACTOR <= result["seconds"] < 30
    assert result["cpu_seconds"] < BUDGET


def test_the_pool_runs_on_after_a_hang(pool):
    results = [r for _, r in pool.run([("a", "spin", ()), ("b", "sleep", (0.01,)), ("c", "sleep", (0.01,))])]
    assert sorted(r["status"] for r in results) == ["ok", "ok", "timeout"]
