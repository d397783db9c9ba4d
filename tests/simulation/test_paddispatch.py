"""The dispatcher's order at a full wave, on the plan's pad book."""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import simpy

from rocketpost.network import Network
from rocketpost.planning.pads import PadBook
from rocketpost.simulation.paddispatch import PadDispatcher

WAVE_S = 600.0
T0 = 86_400.0


def _rank() -> Any:
    # Flights: 0 ferry; 1 promise broken (latest launch before now); 2 can wait a wave;
    # 3 and 4 must launch now, 4 with more promises on board; 5 cargo without promises.
    latest = [math.inf, T0 - 60.0, T0 + 2 * WAVE_S, T0 + 300.0, T0 + 500.0, math.inf]
    promises = [0, 9, 3, 2, 5, 0]
    planned = [T0 - 900.0, T0 - 1200.0, T0, T0 - 600.0, T0, T0 - 300.0]
    ferry = [True, False, False, False, False, False]
    return PadDispatcher.priority(latest, promises, planned, ferry, lambda f: WAVE_S)


def test_the_order_of_what_is_still_at_stake() -> None:
    rank = _rank()
    order = sorted(range(6), key=lambda f: rank(f, T0))
    # Must go now (most promises first), then can wait, then broken or none (planned order),
    # then the ferry.
    assert order == [4, 3, 2, 1, 5, 0]


def test_the_pads_go_out_in_that_order_and_late_comers_take_what_is_left(
    tiny_network: Network,
) -> None:
    env = simpy.Environment(initial_time=T0 - WAVE_S)
    hub = tiny_network.hub_index("A")
    pads = PadDispatcher(env, PadBook(tiny_network, pads=2, turnaround_min=10.0), _rank())
    got: dict[int, bool] = {}

    def flight(f: int, extra_hops: int) -> Generator[Any, Any, None]:
        yield env.timeout(T0 - env.now)
        for _ in range(extra_hops):  # ready later in the same instant
            yield env.timeout(0)
        got[f] = yield pads.request(f, hub, env.now)

    for f in (0, 1, 2, 3, 4):  # process order: the ferry would come first
        env.process(flight(f, 0))
    env.process(flight(5, 3))
    env.run()
    assert got == {0: False, 1: False, 2: False, 3: True, 4: True, 5: False}
