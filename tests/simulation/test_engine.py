"""The discrete-event model: the hand-worked one-flight day, scrubs, failures, sea state."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rocketpost.core.networklegs import network_legs
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.planning import Mode, Plan, plan_orders
from rocketpost.planning.params import PlanParams
from rocketpost.promise.fallbacks import best_fallbacks
from rocketpost.simulation import (
    Disruptions,
    FlightStatus,
    ReplanAction,
    ReplanPolicy,
    SimConfig,
    SimInputs,
    inputs_from_plan,
    simulate_flights,
)
from rocketpost.simulation.disruptions import LandingModel, SeaStateModel
from rocketpost.simulation.engine import replicate_conditions
from rocketpost.simulation.eventlog import EventKind
from rocketpost.simulation.flight_record import FlightRecord

from .conftest import DAY_S, FLY_ALWAYS, one_order

SEED = np.random.SeedSequence(7)
CALM = SimConfig(disruptions=Disruptions.none())


def test_the_hand_worked_plan(one_flight: tuple[Plan, SimInputs]) -> None:
    _, inputs = one_flight
    # Order at 01:00, 5 min handling -> ready 01:05 -> first wave 01:10; 1,000 km flight.
    assert inputs.n_flights == 1 and inputs.n_orders == 1
    assert inputs.flight_launch_s[0] == DAY_S + 3600 + 600
    assert inputs.order_mode[0] == Mode.ROCKET
    # Landing 16 min 13.78 s later (ballistics), +5 min transfer +10 min boat (10 km at
    # 60 km/h) = port at 01:41:13.78, + 5.56 km by drone at 60 km/h (333.6 s): 13 min 12.6 s
    # before the 02:00 promise.
    slack = inputs.order_promised_s[0] - inputs.order_planned_s[0]
    assert slack == pytest.approx(792.6, abs=0.1)
    assert inputs.order_port_s[0] - inputs.flight_launch_s[0] == pytest.approx(1873.78, abs=0.01)


def test_no_disruptions_reproduce_the_plan(one_flight: tuple[Plan, SimInputs]) -> None:
    _, inputs = one_flight
    record = simulate_flights(inputs, CALM, SEED)
    assert record.status.tolist() == [FlightStatus.DELIVERED]
    assert record.launch_s[0] == inputs.flight_launch_s[0]
    assert record.landing_s[0] == pytest.approx(
        inputs.flight_launch_s[0] + inputs.flight_duration_s[0]
    )
    assert record.port_s[0] == pytest.approx(inputs.order_port_s[0], abs=1e-3)
    assert record.scrubs.tolist() == [0]


def test_one_scrub_flies_at_the_next_wave(one_flight: tuple[Plan, SimInputs]) -> None:
    _, inputs = one_flight
    wave = float(inputs.flight_launch_s[0])
    config = dataclasses.replace(CALM, scripted_scrubs=(("A", wave),))
    record = simulate_flights(inputs, config, SEED)
    assert record.scrubs.tolist() == [1]
    assert record.launch_s[0] == wave + 600.0  # next 10-minute wave
    assert record.port_s[0] == pytest.approx(inputs.order_port_s[0] + 600.0, abs=1e-3)
    kinds = record.log.kind
    assert kinds[:2] == ["scrub", "launch"]


def _two_waves(network: Network) -> SimInputs:
    """Two orders A → B ten minutes apart: flights at 01:10 and 01:20 (one pad each)."""
    from dataclasses import fields

    a, b = one_order(network, DAY_S + 3600), one_order(network, DAY_S + 4200)
    two = OrderTable(
        **{f.name: np.concatenate([getattr(a, f.name), getattr(b, f.name)]) for f in fields(a)}
    )
    two = dataclasses.replace(two, order_id=np.array(["o0", "o1"]))
    plan = plan_orders(network, two, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer")
    return inputs_from_plan(plan, network)


@pytest.mark.parametrize(
    ("pads", "turnaround_min", "planned_min", "launches_min", "busy"),
    [
        (2, 10.0, [70, 80], [80, 80], 0),  # both pads: the scrubbed flight and the next go together
        (1, 10.0, [70, 80], [80, 90], 1),  # one pad, turned round by the next wave
        # One pad turned round in two waves: the plan itself leaves a wave between the two
        # (planning.pads), and the scrubbed first flight still takes the pad from the second.
        (1, 20.0, [70, 90], [80, 100], 1),
    ],
)
def test_the_simulator_launches_on_the_networks_pads(
    tiny_network: Network,
    pads: int,
    turnaround_min: float,
    planned_min: list[int],
    launches_min: list[int],
    busy: int,
) -> None:
    """The pads and their turnaround are the network's (``Hub.pads``, ``pad_turnaround_min``):
    the flight scrubbed at 01:10 retries at the next wave, with the flight planned there."""
    a = dataclasses.replace(tiny_network.hub("A"), pads=pads, pad_turnaround_min=turnaround_min)
    network = dataclasses.replace(tiny_network, hubs=(a, tiny_network.hub("B")))
    inputs = _two_waves(network)
    assert ((inputs.flight_launch_s - DAY_S) / 60.0).tolist() == planned_min
    config = dataclasses.replace(CALM, scripted_scrubs=(("A", DAY_S + 4200.0),))
    record = simulate_flights(inputs, config, SEED)
    assert sorted(((record.launch_s - DAY_S) / 60.0).tolist()) == launches_min
    assert record.log.kind.count(EventKind.PAD_BUSY) == busy


def test_the_dispatcher_gives_the_pad_to_the_flight_that_still_keeps_its_promise(
    tiny_network: Network,
) -> None:
    """Scrubs at 01:10 and 01:20 with one pad: at 01:30 the first flight's promise (launch by
    01:23, 13.2 min of slack) is broken whatever it does, the second's (by 01:33) is kept only
    by launching now. The dispatcher launches the second first; taking them in planned order
    would break both."""
    a = dataclasses.replace(tiny_network.hub("A"), pads=1, pad_turnaround_min=10.0)
    network = dataclasses.replace(tiny_network, hubs=(a, tiny_network.hub("B")))
    inputs = _two_waves(network)
    latest_min = inputs.flight_launch_s + inputs.order_promised_s - inputs.order_planned_s - DAY_S
    assert np.round(latest_min / 60.0, 1).tolist() == [83.2, 93.2]
    scrubs = (("A", DAY_S + 4200.0), ("A", DAY_S + 4800.0))
    record = simulate_flights(inputs, dataclasses.replace(CALM, scripted_scrubs=scrubs), SEED)
    assert ((record.launch_s - DAY_S) / 60.0).tolist() == [100.0, 90.0]
    # The flight that lost the pad is the late one, and it is logged.
    busy = [f for k, f in zip(record.log.kind, record.log.flight, strict=True) if k == "pad_busy"]
    assert busy == [0]


def test_scrub_with_standard_policy_breaks_the_promise(one_flight: tuple[Plan, SimInputs]) -> None:
    _, inputs = one_flight
    config = dataclasses.replace(
        CALM,
        scripted_scrubs=(("A", float(inputs.flight_launch_s[0])),),
        policy=ReplanPolicy(ReplanAction.STANDARD),
    )
    record = simulate_flights(inputs, config, SEED)
    assert record.status.tolist() == [FlightStatus.STANDARD]
    assert np.isnan(record.launch_s[0])
    assert record.log.kind == ["scrub", "standard"]


def test_lost_landing_redispatches_on_a_spare(one_flight: tuple[Plan, SimInputs]) -> None:
    _, inputs = one_flight
    d = dataclasses.replace(Disruptions.none(), landing=LandingModel(failure_p=1.0))
    # Every landing fails: the re-dispatch on the second airframe at A fails too, then no
    # airframe is left at A and the cargo goes standard.
    record = simulate_flights(inputs, dataclasses.replace(CALM, disruptions=d), SEED)
    assert record.status.tolist() == [FlightStatus.LOST, FlightStatus.LOST, FlightStatus.STANDARD]
    assert record.parent.tolist() == [-1, 0, 1]
    assert record.replaced_by.tolist() == [1, 2, -1]
    assert record.airframes_lost == 2
    # Re-picked at A (5 min handling) after the failed landing, next wave.
    landing = record.landing_s[0]
    assert record.launch_s[1] == np.ceil((landing + 300.0) / 600.0 - 1e-9) * 600.0


def test_closed_landing_zone_holds_then_diverts(one_flight: tuple[Plan, SimInputs]) -> None:
    _, inputs = one_flight
    closed = dataclasses.replace(Disruptions.none(), sea_state=SeaStateModel(closed_share=1.0))
    held = simulate_flights(inputs, dataclasses.replace(CALM, disruptions=closed), SEED)
    assert held.status.tolist() == [FlightStatus.STANDARD]  # held past max_hold
    assert held.holds[0] == 360 / 10 + 1
    # With two zones both closed the flight still holds; the alternate is used when open.
    two = dataclasses.replace(CALM, disruptions=closed, landing_zones=2)
    assert simulate_flights(inputs, two, SEED).status.tolist() == [FlightStatus.STANDARD]


def test_same_seed_same_record(small_plan: tuple[Plan, SimInputs]) -> None:
    _, inputs = small_plan
    a = simulate_flights(inputs, SimConfig(), np.random.SeedSequence(11))
    b = simulate_flights(inputs, SimConfig(), np.random.SeedSequence(11))
    np.testing.assert_array_equal(a.launch_s, b.launch_s)
    np.testing.assert_array_equal(a.port_s, b.port_s)
    assert a.log.kind == b.log.kind
    c = simulate_flights(inputs, SimConfig(), np.random.SeedSequence(12))
    assert not np.array_equal(np.nan_to_num(a.launch_s), np.nan_to_num(c.launch_s))


def test_other_hub_policy_flies_from_a_clear_hub(small_plan: tuple[Plan, SimInputs]) -> None:
    _, inputs = small_plan
    weather = dataclasses.replace(
        Disruptions.none().weather, scrub_share=0.5, front_share_of_scrubs=1.0, mean_front_h=12.0
    )
    d = dataclasses.replace(Disruptions.none(), weather=weather)
    config = SimConfig(disruptions=d, policy=ReplanPolicy(ReplanAction.OTHER_HUB))
    moved = 0
    for k in range(6):
        record = simulate_flights(inputs, config, np.random.SeedSequence(k))
        replaced = record.status == FlightStatus.REPLACED
        moved += int(replaced.sum())
        # A replacement leaves from another hub of the same country, to the same destination.
        for f in np.flatnonzero(replaced):
            g = record.replaced_by[f]
            assert record.origin[g] != record.origin[f]
            assert record.destination[g] == record.destination[f]
    assert moved > 0


def test_config_is_validated() -> None:
    with pytest.raises(InputError, match="landing_zones"):
        SimConfig(landing_zones=3)
    with pytest.raises(InputError, match="boats_per_hub"):
        SimConfig(boats_per_hub=0)
    with pytest.raises(InputError, match="policy"):
        ReplanPolicy(action="pray")  # type: ignore[arg-type]


FRONTS = dataclasses.replace(
    Disruptions.none(),
    weather=dataclasses.replace(
        Disruptions.none().weather, scrub_share=0.5, front_share_of_scrubs=1.0, mean_front_h=12.0
    ),
)


def _front_moves(
    inputs: SimInputs, config: SimConfig, seeds: int
) -> list[tuple[int, int, int, float, FlightRecord]]:
    """``(seed, flight, replacement, time, record)`` of every re-dispatch after a front."""
    moves = []
    for k in range(seeds):
        record = simulate_flights(inputs, config, np.random.SeedSequence(k))
        log = record.log
        for t, kind, f, detail in zip(log.time, log.kind, log.flight, log.detail, strict=True):
            if kind == EventKind.REDISPATCH and detail.startswith("front"):
                moves.append((k, f, int(record.replaced_by[f]), t, record))
    return moves


def test_the_fallback_the_promise_counts_is_the_one_flown(
    small_plan: tuple[Plan, SimInputs], small_day: tuple[object, object, np.ndarray]
) -> None:
    plan, inputs = small_plan
    allowed = small_day[2][np.flatnonzero(plan.outcomes.one_hour)]  # as inputs_from_plan keeps
    inputs = dataclasses.replace(inputs, order_stock=allowed)
    config = SimConfig(disruptions=FRONTS, spare_airframes_per_hub=1)
    assert config.policy.action is ReplanAction.OTHER_HUB  # the default policy
    legs = network_legs(inputs.network)
    moves = _front_moves(inputs, config, 4)
    assert moves
    first_of_seed = {}
    for k, f, g, t, record in moves:
        first_of_seed.setdefault(k, (f, g, t, record))
        conditions = replicate_conditions(inputs, config, np.random.SeedSequence(k))
        o, h, d = int(record.origin[f]), int(record.origin[g]), int(record.destination[f])
        assert conditions.in_front(o, t) and not conditions.in_front(h, t)
        assert record.destination[g] == d and allowed[0, h]  # the stock is there
    for k, (f, g, t, record) in first_of_seed.items():
        # The first move of a day finds every reserve airframe in place: the hub is the one
        # the promise counts (the one rule), flying at its first wave after re-picking.
        conditions = replicate_conditions(inputs, config, np.random.SeedSequence(k))
        o, d = int(record.origin[f]), int(record.destination[f])
        clear = np.array([not conditions.in_front(j, t) for j in range(allowed.shape[1])])
        best, launch, _ = best_fallbacks(legs, o, d, t, allowed[0], clear)
        assert record.origin[g] == best[0]
        assert record.planned_s[g] == pytest.approx(launch[0])
        assert record.status[g] != FlightStatus.STANDARD  # its airframe was set aside


def test_a_fallback_never_takes_the_spare_kept_for_a_reflight(
    small_plan: tuple[Plan, SimInputs], small_day: tuple[object, object, np.ndarray]
) -> None:
    """The hub the fallback picks keeps its last spare for a lost landing's re-flight (what
    every promise counts): left with one, the fallback goes elsewhere or not at all."""
    from rocketpost.simulation.engine import KEEP_FOR_REFLIGHT, _Engine

    plan, inputs = small_plan
    allowed = small_day[2][np.flatnonzero(plan.outcomes.one_hour)]
    inputs = dataclasses.replace(inputs, order_stock=allowed)
    config = SimConfig(disruptions=FRONTS, spare_airframes_per_hub=1)
    k, f, g, t, record = _front_moves(inputs, config, 4)[0]
    best = int(record.origin[g])
    engine = _Engine(inputs, config, np.random.SeedSequence(k))
    pool = engine.airframes
    assert pool.spares(best) > KEEP_FOR_REFLIGHT
    assert int(engine.fl.origin[engine.other_hub(f, t)]) == best  # the control
    engine = _Engine(inputs, config, np.random.SeedSequence(k))
    pool = engine.airframes
    spares = [a for a in range(len(pool)) if pool.location[a] == best and pool.remaining[a] <= 0]
    for a in spares[KEEP_FOR_REFLIGHT:]:
        pool.lost[a] = True
    assert pool.spares(best) == KEEP_FOR_REFLIGHT
    moved = engine.other_hub(f, t)
    assert moved < 0 or int(engine.fl.origin[moved]) != best


def test_no_fallback_where_the_stock_is_nowhere_else(small_plan: tuple[Plan, SimInputs]) -> None:
    _, inputs = small_plan
    only_origin = np.zeros((inputs.n_orders, len(inputs.network.hubs)), dtype=bool)
    only_origin[np.arange(inputs.n_orders), inputs.order_origin] = True
    inputs = dataclasses.replace(inputs, order_stock=only_origin)
    config = SimConfig(disruptions=FRONTS, spare_airframes_per_hub=1)
    assert not _front_moves(inputs, config, 4)
    # The same day with its stock at every Chinese hub does move (the control).
    china = np.zeros_like(only_origin)
    china[:, [inputs.network.hub_index(h) for h in ("HZB", "SHA", "SZX")]] = True
    assert _front_moves(dataclasses.replace(inputs, order_stock=china), config, 4)


def test_a_ferry_waits_out_the_weather_while_its_next_flight_can_still_use_it(
    tiny_network: Network,
) -> None:
    """B's only airframe is ferried to A days ahead of A's flight (A has none): a front at B
    longer than the cargo's six-hour hold keeps the ferry on the ground, yet it has the slack
    to fly after it and put the airframe at A in time."""
    from rocketpost.planning.fleet import Airframe

    hour = 3600.0
    orders = one_order(tiny_network, DAY_S + 80 * hour)
    fleet = [Airframe("B-01", 1, 1, 0, DAY_S)]
    plan = plan_orders(
        tiny_network,
        orders,
        PlanParams(consolidation=FLY_ALWAYS),
        fleet=fleet,
        promise_rule="buffer",
    )
    inputs = inputs_from_plan(plan, tiny_network)
    assert inputs.flight_repositioning.tolist() == [True, False]
    assert inputs.flight_launch_s[0] == DAY_S
    cargo_s = float(inputs.flight_launch_s[1])
    front = tuple(("B", DAY_S + k * 600.0) for k in range(7 * 6))  # seven hours of waves at B
    record = simulate_flights(inputs, dataclasses.replace(CALM, scripted_scrubs=front), SEED)
    assert record.scrubs.tolist()[0] == 42
    assert record.launch_s[0] == DAY_S + 7 * hour  # past the policy's 6 h hold
    assert record.launch_s[1] == cargo_s  # the cargo flies on time, on the ferried airframe
    assert record.status.tolist() == [FlightStatus.DELIVERED, FlightStatus.DELIVERED]
    # Held past the last wave that still serves the cargo, the ferry is given up, and the cargo
    # has no airframe.
    cycle = tiny_network.rocket.reuse_cycle_s
    latest = cargo_s + 6 * hour - float(inputs.flight_duration_s[0]) - cycle
    waves = int((latest - DAY_S) // 600.0) + 2
    storm = tuple(("B", DAY_S + k * 600.0) for k in range(waves))
    record = simulate_flights(inputs, dataclasses.replace(CALM, scripted_scrubs=storm), SEED)
    assert np.isnan(record.launch_s).all()
    assert record.status.tolist()[1] == FlightStatus.STANDARD
