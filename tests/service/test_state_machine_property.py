"""Random sequences of state changes, single and concurrent, through the real HTTP API.

A Hypothesis ``RuleBasedStateMachine`` books cross-border 800 kg shipments (each alone on its
flight) on a 2-worker ``rocketpost serve``, then sends them random requests — cancel, the
induction that holds, customs seizure or clearance, launch, scrub, landing — one at a time or
two at once. After every step, for the shipment touched: no 5xx; the answers and the final
state are explained by a serial order of the requests in the sequential model of
``test_races.py`` (started from the state the model had reached, so whole histories are
checked, not single moves); the counters of its flights equal their manifests, within
capacity. Bounded (a few short sequences per backend) to run in about half a minute.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, rule, run_state_machine_as_test

from tests.support.fleet import roomy_fleet_env
from tests.support.server import running_server

from .test_races import REQUESTS, Model, Race, race

EXAMPLES = 6
STEPS = 10


@dataclass
class Tracked:
    """A booked shipment and the model of where it should be."""

    shipment: dict[str, Any]
    model: Model


@pytest.fixture(scope="module")
def racer(database_url: str) -> Iterator[Race]:
    env = {
        "ROCKETPOST_RATE_LIMIT_PER_MIN": "0",
        "ROCKETPOST_WEBHOOKS": "0",
        # Each history books fresh waves: more flights a day than the shipped fleets fly.
        **roomy_fleet_env(),
    }
    with running_server(database_url, workers=2, env=env) as server:
        yield Race(server, itertools.count(1))


def test_random_histories_keep_the_invariants(racer: Race) -> None:
    class Shipments(RuleBasedStateMachine):
        shipments = Bundle("shipments")

        @rule(target=shipments)
        def book(self) -> Tracked:
            return Tracked(racer.book(), Model())

        @rule(tracked=shipments, request=st.sampled_from(REQUESTS))
        def one(self, tracked: Tracked, request: str) -> None:
            tracked.model = race(racer, (request,), tracked.shipment, tracked.model)

        @rule(
            tracked=shipments,
            first=st.sampled_from(REQUESTS),
            second=st.sampled_from(REQUESTS),
        )
        def two_at_once(self, tracked: Tracked, first: str, second: str) -> None:
            tracked.model = race(racer, (first, second), tracked.shipment, tracked.model)

        @rule(
            target=shipments,
            first=st.sampled_from(REQUESTS),
            second=st.sampled_from(REQUESTS),
        )
        def book_then_two_at_once(self, first: str, second: str) -> Tracked:
            # Most races that matter are on a shipment that still holds its seat.
            tracked = Tracked(racer.book(), Model())
            tracked.model = race(racer, (first, second), tracked.shipment, tracked.model)
            return tracked

    run_state_machine_as_test(
        Shipments,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            # No shrinking: every replay books new shipments on fresh waves, and a database
            # has room for a few hundred (ready_at at most 30 days ahead). The failing
            # history is printed as it ran.
            phases=[Phase.explicit, Phase.generate],
        ),
    )
