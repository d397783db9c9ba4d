"""Service choice: one-hour where the legs keep the promise, otherwise standard with a reason."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import numpy as np
import pytest

from rocketpost.core.eligibility import SAME_DAY_WINDOW_S
from rocketpost.core.eta import EtaOptions, Parcel, eta_to_place
from rocketpost.errors import InputError
from rocketpost.network import Network, default_network
from rocketpost.orders.table import dangerous_goods_bits
from rocketpost.planning.service_choice import REASONS, Mode, Reason, choose_service

from . import make_orders

DAY_S = 1_795_651_200  # 2026-11-25 00:00 UTC


@pytest.fixture(scope="module")
def network() -> Network:
    return default_network("today")  # hand-worked on its hub zones and waves


def near_port(network: Network, hub: str, dlat: float = 0.02) -> tuple[float, float]:
    lat, lon = network.hub(hub).port_position
    return (lat + dlat, lon + 0.02)


def test_rocket_order_matches_the_eta_model_leg_by_leg(network: Network) -> None:
    created = DAY_S + 3 * 3600 + 17
    place = near_port(network, "ICN")
    orders = make_orders([place], [created], [1.0], [0.004], origin_hub=["HZB"])
    choice = choose_service(network, orders, promise_rule="buffer")
    assert choice.mode[0] == Mode.ROCKET
    assert network.hub_ids[choice.destination[0]] == "ICN"
    route = eta_to_place(
        network,
        "HZB",
        *place,
        parcel=Parcel(1.0, 0.004),
        options=EtaOptions(order_time=datetime.fromtimestamp(created, UTC)),
    )
    assert choice.delivery_s[0] - created == pytest.approx(route.total_s, abs=1e-3)
    assert choice.launch_s[0] % network.launch_wave_interval_s[0] == 0
    assert choice.promised_s[0] == created + 3600


def test_downgrade_reasons_each_rule(network: Network) -> None:
    icn = near_port(network, "ICN")
    inland = (network.hub("ICN").port_position[0] + 0.9, network.hub("ICN").port_position[1] + 1.2)
    central_africa = (0.0, 22.0)
    bits = dangerous_goods_bits(["", "3", "9", "", "", "", ""])
    orders = make_orders(
        [icn, icn, icn, icn, inland, central_africa, icn],
        [DAY_S + 3600] * 7,
        [1.0, 1.0, 1.0, 12_000.0, 1.0, 1.0, 1.0],
        [0.004] * 7,
        origin_hub=["HZB"] * 7,
        dangerous_goods_bits=bits.tolist(),
    )
    held = np.array([False] * 6 + [True])
    choice = choose_service(network, orders, held=held, promise_rule="buffer")
    reasons = [REASONS[r] for r in choice.reason]
    assert reasons == [
        Reason.OK,
        Reason.DANGEROUS_GOODS,
        Reason.OK,  # class 9 (lithium batteries) flies
        Reason.TOO_HEAVY,
        Reason.LAST_MILE_TOO_LONG,
        Reason.NO_LANDING_ZONE_IN_REACH,
        Reason.CUSTOMS_HOLD,
    ]
    standard = choice.mode == Mode.STANDARD
    assert (choice.promised_s[standard] == DAY_S + 3600 + 5 * 86400).all()
    assert np.isnan(choice.launch_s[standard]).all()


def test_inspection_delay_counts_and_can_break_the_promise(network: Network) -> None:
    icn = near_port(network, "ICN")
    orders = make_orders(
        [icn, icn], [DAY_S, DAY_S], [1.0, 1.0], [0.004, 0.004], origin_hub=["HZB", "HZB"]
    )
    plain = choose_service(network, orders, promise_rule="buffer")
    delayed = choose_service(
        network, orders, inspection_delay_s=[60.0, 3000.0], promise_rule="buffer"
    )
    assert delayed.delivery_s[0] == pytest.approx(plain.delivery_s[0] + 60.0)
    assert REASONS[delayed.reason[1]] is Reason.CUSTOMS_INSPECTION


def test_local_order_goes_by_ground_and_no_stock_is_a_reason(network: Network) -> None:
    pad = network.hub("LON").pad
    orders = make_orders([(pad[0] + 0.05, pad[1])] * 2, [DAY_S] * 2, [1.0] * 2, [0.004] * 2)
    allowed = np.ones((2, len(network.hubs)), dtype=bool)
    allowed[1] = False
    choice = choose_service(network, orders, allowed_origins=allowed, promise_rule="buffer")
    assert choice.mode[0] == Mode.GROUND and network.hub_ids[choice.origin[0]] == "LON"
    assert np.isnan(choice.launch_s[0])
    assert REASONS[choice.reason[1]] is Reason.NO_STOCK


def test_bad_hook_shapes_and_unknown_hubs_are_input_errors(network: Network) -> None:
    orders = make_orders([(0.0, 0.0)], [DAY_S], [1.0], [0.004])
    with pytest.raises(InputError, match="held"):
        choose_service(network, orders, held=[True, False])
    with pytest.raises(InputError, match="inspection_delay_s"):
        choose_service(network, orders, inspection_delay_s=[-1.0])
    small = dataclasses.replace(network, hubs=network.hubs[:2])
    other = make_orders([(0.0, 0.0)], [DAY_S], [1.0], [0.004], origin_hub=["LON"])
    with pytest.raises(InputError, match="origin_hub"):
        choose_service(small, other)


def test_promise_buffer_keeps_plans_inside_the_promise(network: Network) -> None:
    icn = near_port(network, "ICN")
    orders = make_orders([icn], [DAY_S], [1.0], [0.004], origin_hub=["HZB"])
    plain = choose_service(network, orders, promise_rule="buffer")
    assert plain.mode[0] == Mode.ROCKET
    spare_min = (plain.promised_s[0] - plain.delivery_s[0]) / 60.0
    tight = dataclasses.replace(
        network, promise=dataclasses.replace(network.promise, buffer_min=spare_min + 1.0)
    )
    loose = dataclasses.replace(
        network, promise=dataclasses.replace(network.promise, buffer_min=spare_min - 1.0)
    )
    assert choose_service(loose, orders, promise_rule="buffer").mode[0] == Mode.ROCKET
    downgraded = choose_service(tight, orders, same_day=False, promise_rule="buffer")
    assert downgraded.mode[0] == Mode.STANDARD
    assert REASONS[downgraded.reason[0]] is Reason.LAST_MILE_TOO_LONG
    # The promise itself never moves: one hour for the rocket, the standard days otherwise.
    assert choose_service(loose, orders, promise_rule="buffer").promised_s[0] == DAY_S + 3600
    assert downgraded.promised_s[0] == DAY_S + network.promise.standard_days * 86400
    # With the same-day tier (the default) the late parcel still flies, promised in 12 h,
    # keeping the reason it missed the hour.
    same_day = choose_service(tight, orders, promise_rule="buffer")
    assert same_day.mode[0] == Mode.SAME_DAY and not same_day.one_hour[0]
    assert REASONS[same_day.reason[0]] is Reason.LAST_MILE_TOO_LONG
    assert same_day.promised_s[0] == DAY_S + SAME_DAY_WINDOW_S
    assert same_day.launch_s[0] == plain.launch_s[0]


def test_the_choice_records_its_p_and_the_latest_launch_at_the_confidence() -> None:
    from datetime import date

    from rocketpost.network import default_network
    from rocketpost.orders.generator import generate_orders
    from rocketpost.promise.conditions import Conditions

    network = default_network("rocket-hour")
    orders, _ = generate_orders(
        400, day=date(2026, 11, 25), rng=np.random.default_rng(4), rocket=network.rocket
    )
    at_confidence = choose_service(network, orders, conditions=Conditions(), same_day=False)
    rocket = at_confidence.mode == Mode.ROCKET
    assert rocket.any()
    assert (at_confidence.p_on_time[rocket] >= network.promise.confidence).all()
    latest = at_confidence.latest_launch_s[rocket]
    assert (latest >= at_confidence.launch_s[rocket]).all()
    # Every launch up to the latest is a whole number of waves after the earliest.
    interval = network.launch_wave_interval_s[at_confidence.origin[rocket]]
    waves = (latest - at_confidence.launch_s[rocket]) / interval
    np.testing.assert_allclose(waves, np.round(waves), atol=1e-9)
    assert np.isnan(at_confidence.latest_launch_s[~rocket]).all()
    # The P at every wave up to the latest is recorded, at the confidence, and none after it.
    by_wave = at_confidence.p_by_wave[rocket]
    np.testing.assert_array_equal(by_wave[:, 0], at_confidence.p_on_time[rocket])
    k = np.arange(by_wave.shape[1])
    inside = k[None, :] <= np.round(waves)[:, None]
    assert (by_wave[inside] >= network.promise.confidence).all()
    assert np.isnan(by_wave[~inside]).all()
    assert (np.diff(by_wave, axis=1)[inside[:, 1:]] <= 1e-12).all()  # later is never likelier
    np.testing.assert_array_equal(
        at_confidence.p_at_launch(
            np.where(rocket, at_confidence.latest_launch_s, np.nan),
            network.launch_wave_interval_s[at_confidence.origin],
        )[rocket],
        by_wave[np.arange(len(waves)), np.round(waves).astype(int)],
    )
    by_buffer = choose_service(network, orders, same_day=False, promise_rule="buffer")
    assert np.isnan(by_buffer.p_on_time).all()
    flying = by_buffer.mode == Mode.ROCKET
    np.testing.assert_allclose(
        by_buffer.latest_launch_s[flying],
        (by_buffer.promised_s - (by_buffer.delivery_s - by_buffer.launch_s))[flying],
    )


def test_the_default_decides_at_the_confidence_under_the_climate() -> None:
    from datetime import date

    from rocketpost.network import default_network
    from rocketpost.orders.generator import generate_orders
    from rocketpost.promise.conditions import Conditions

    network = default_network("rocket-hour")
    orders, _ = generate_orders(
        400, day=date(2026, 11, 25), rng=np.random.default_rng(4), rocket=network.rocket
    )
    default = choose_service(network, orders, same_day=False)
    climate = choose_service(network, orders, conditions=Conditions(), same_day=False)
    np.testing.assert_array_equal(default.mode, climate.mode)
    np.testing.assert_array_equal(default.reason, climate.reason)
    np.testing.assert_array_equal(default.p_on_time, climate.p_on_time)
    rocket = default.mode == Mode.ROCKET
    assert rocket.any() and (default.p_on_time[rocket] >= network.promise.confidence).all()
    by_buffer = choose_service(network, orders, same_day=False, promise_rule="buffer")
    assert np.isnan(by_buffer.p_on_time).all()
    with pytest.raises(InputError, match="promise_rule"):
        choose_service(network, orders, promise_rule="flat")
    with pytest.raises(InputError, match="no conditions"):
        choose_service(network, orders, conditions=Conditions(), promise_rule="buffer")


def test_the_choice_records_the_inspection_odds_its_promise_counted() -> None:
    """Screened odds for the rocket parcels that cross a border, none for the rest: what the
    simulator draws inspections at (and NaN by the buffer, which counts none)."""
    from datetime import date

    from rocketpost.customs.rules import same_customs_territory
    from rocketpost.orders.generator import generate_orders
    from rocketpost.promise.conditions import Conditions

    network = default_network("rocket-hour")
    orders, _ = generate_orders(
        400, day=date(2026, 11, 25), rng=np.random.default_rng(4), rocket=network.rocket
    )
    odds = np.random.default_rng(5).uniform(0.001, 0.05, len(orders))
    choice = choose_service(
        network, orders, conditions=Conditions(), inspection_p=odds, same_day=False
    )
    rocket = choice.mode == Mode.ROCKET
    origin_country = np.array([h.country for h in network.hubs])[choice.origin]
    crossing = np.array(
        [
            not same_customs_territory(str(a), str(b))
            for a, b in zip(origin_country, orders.destination_country, strict=True)
        ]
    )
    assert (rocket & crossing).any() and (rocket & ~crossing).any()
    np.testing.assert_array_equal(choice.inspection_p[rocket & crossing], odds[rocket & crossing])
    assert (choice.inspection_p[rocket & ~crossing] == 0).all()
    by_buffer = choose_service(network, orders, same_day=False, promise_rule="buffer")
    assert np.isnan(by_buffer.inspection_p).all()
