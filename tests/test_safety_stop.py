"""The wall-clock safety stop (layout/work.py SafetyStop): it keeps the time the
outputs take in reserve, scaled by how slowly the process has been running, so a
compile on a loaded machine still ends near its limit. Clocks are replaced by
counters here, so the figures are exact."""

from __future__ import annotations

from factoryspec.layout import work


class Clocks:
    def __init__(self):
        self.wall, self.cpu = 0.0, 0.0

    def run(self, wall: float, cpu: float) -> None:
        self.wall += wall
        self.cpu += cpu


def _stop(monkeypatch, limit: float, reserve: float) -> tuple[work.SafetyStop, Clocks]:
    clocks = Clocks()
    monkeypatch.setattr(work.time, "perf_counter", lambda: clocks.wall)
    monkeypatch.setattr(work.time, "process_time", lambda: clocks.cpu)
    return work.SafetyStop(limit, reserve), clocks


def test_idle_the_reserve_is_its_seconds(monkeypatch):
    stop, clocks = _stop(monkeypatch, limit=30.0, reserve=2.0)
    clocks.run(27.9, 27.9)
    assert stop.slowdown() == 1.0 and not stop()
    clocks.run(0.2, 0.2)                      # 28.1 + 2 > 30
    assert stop()


def test_a_process_given_a_quarter_core_keeps_four_times_the_reserve(monkeypatch):
    stop, clocks = _stop(monkeypatch, limit=30.0, reserve=2.0)
    clocks.run(21.9, 21.9 / 4)
    assert stop.slowdown() == 4.0 and not stop()          # 21.9 + 8 < 30
    clocks.run(0.2, 0.05)
    assert stop()                                          # 22.1 + 8 > 30


def test_the_ratio_waits_for_some_cpu_time(monkeypatch):
    # a process that has hardly run yet (imports, a blocked read) is not called slow
    stop, clocks = _stop(monkeypatch, limit=30.0, reserve=2.0)
    clocks.run(5.0, 0.1)
    assert stop.slowdown() == 1.0


def test_a_budget_records_the_stop_as_an_interruption(monkeypatch):
    stop, clocks = _stop(monkeypatch, limit=10.0, reserve=1.0)
    budget = work.Budget(1e9, stop=stop)
    assert not budget.spend(10)
    clocks.run(9.5, 9.5)
    assert budget.spend(10) and budget.interrupted and not budget.cut


def test_later_components_are_kept_half_their_budgets_shared_by_the_jobs():
    from factoryspec.layout.solve import reserve_after
    assert reserve_after([12.0] * 50, 0, 2) == 0.5 * 49 * 12 / 2
    assert reserve_after([12.0] * 50, 49, 2) == 0.0
    assert reserve_after([10.0, 20.0, 30.0], 0, 1) == 25.0


def test_a_component_past_its_share_runs_on_while_the_compile_has_time():
    # a safety stop of 0 s fires at once, unless the whole compile's end lies ahead
    import time
    from factoryspec.layout.generate import small
    from factoryspec.layout.solve import components, solve_component
    p = small(racks=8, su=2, rows=2, slots=6, network=1, radix=8, ports=2, rails=1)
    cis, halls = components(p)[0]
    cut = solve_component(p, cis, halls, 5.0, 0, safety_s=0.0)
    assert cut["status"] == "ok" and cut["interrupted"]
    on = solve_component(p, cis, halls, 5.0, 0, safety_s=0.0, until=time.monotonic() + 60)
    assert on["status"] == "ok" and not on["interrupted"]
