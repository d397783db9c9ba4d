"""Airframes of a replicate: the planned one when free, else a spare at the hub."""

from __future__ import annotations

import simpy

from rocketpost.simulation.airframes import AirframePool


def test_planned_airframe_then_spare_then_none() -> None:
    env = simpy.Environment()
    # Airframe 0 at hub 0 has one planned flight; airframe 1 at hub 0 is a spare; 2 at hub 1.
    pool = AirframePool(env, [0, 0, 1], [1, 0, 0])
    assert pool.spare(0) == 1 and pool.spare(1) == 2 and pool.spare(2) == -1

    got: list[int] = []

    def flight(planned: int, hub: int) -> object:
        got.append((yield from pool.acquire(planned, hub)))

    env.process(flight(0, 0))  # the planned airframe
    env.process(flight(-1, 0))  # a spare
    env.process(flight(-1, 0))  # none left at hub 0
    env.run()
    assert got == [0, 1, -1]
    assert pool.busy == [True, True, False]


def test_a_flight_waits_for_its_airframe_and_a_lost_one_is_replaced() -> None:
    env = simpy.Environment()
    pool = AirframePool(env, [0, 0], [2, 0])
    got: list[tuple[float, int]] = []

    def flight(planned: int) -> object:
        a = yield from pool.acquire(planned, 0)
        got.append((env.now, a))

    pool.take(0)
    pool.ready_after(0, 30.0)
    env.process(flight(0))
    env.run()
    assert got == [(30.0, 0)]  # waited for recovery and turnaround
    pool.lost[0] = True
    pool.release(0)
    env.process(flight(0))
    env.run()
    assert got[-1] == (30.0, 1)  # the planned airframe is lost: the spare flies


def test_a_reserved_spare_waits_for_its_flight() -> None:
    env = simpy.Environment()
    pool = AirframePool(env, [0, 1], [0, 0])  # one spare at each hub
    assert pool.reserve_spare(0) == 0
    assert pool.spare(0) == -1 and pool.reserve_spare(0) == -1  # set aside: nobody else
    got: list[int] = []

    def flight(planned: int, hub: int) -> object:
        got.append((yield from pool.acquire(planned, hub)))

    env.process(flight(0, 0))  # the fallback flight it was set aside for
    env.run()
    assert got == [0] and pool.busy[0]


def test_a_moved_airframe_is_a_spare_at_its_new_hub_only() -> None:
    env = simpy.Environment()
    pool = AirframePool(env, [0, 0, 1], [0, 0, 0])
    pool.move(0, 1)  # landed at hub 1 (or back from sea there)
    assert pool.location == [1, 0, 1]
    assert pool.spare(0) == 1 and pool.spares(0) == 1
    assert pool.spare(1) == 0 and pool.spares(1) == 2  # lowest index first
    pool.move(2, 3)  # a hub no airframe started at
    assert pool.spares(1) == 1 and pool.spare(3) == 2 and pool.spares(4) == 0
