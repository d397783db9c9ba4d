"""The one eligibility rule: one-hour (rocket or ground) or standard, and the reason, per row."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from rocketpost.core.doortodoor import network_legs
from rocketpost.core.eligibility import (
    REASONS,
    SAME_DAY_WINDOW_S,
    Mode,
    Reason,
    assess_parcels,
    decide_same_day,
    decide_service,
    forbidden_dangerous_goods,
    parcel_routes,
    reason_code,
    same_day_reasons,
)
from rocketpost.errors import InputError
from rocketpost.network import Network, default_network
from rocketpost.service.quoting import QuoteEngine, ResolvedPlace

T0 = datetime(2026, 11, 25, 3, tzinfo=UTC).timestamp()


@pytest.fixture(scope="module")
def network() -> Network:
    return default_network("today")  # the hand-worked places assume its hub zones


def _places(network: Network) -> dict[str, tuple[float, float]]:
    pad = network.hub("HZB").pad
    port = network.hub("ICN").port_position
    return {
        "near": (pad[0] + 0.03, pad[1] + 0.03),  # a few km from HZB's fulfilment centre
        "icn": (port[0] + 0.02, port[1] + 0.02),  # next to Incheon's port
        "africa": (0.0, 22.0),
    }


def _assess(network: Network, where: list[str], **kwargs: object) -> list[Reason]:
    places = _places(network)
    lat = [places[w][0] for w in where]
    lon = [places[w][1] for w in where]
    n = len(where)
    kwargs.setdefault("mass_kg", np.full(n, 1.0))
    kwargs.setdefault("volume_m3", np.full(n, 0.004))
    result = assess_parcels(
        network_legs(network),
        lat,
        lon,
        ready_s=np.full(n, T0),
        origins=network_legs(network).origin_indices(["HZB"]),
        **kwargs,  # type: ignore[arg-type]
    )
    return [REASONS[r] for r in result.reason]


def test_dangerous_goods_go_by_van_when_that_keeps_the_hour(network: Network) -> None:
    legs = network_legs(network)
    places = _places(network)
    lat, lon = zip(places["near"], places["icn"], strict=True)
    result = assess_parcels(
        legs, list(lat) * 2, list(lon) * 2, ready_s=T0, mass_kg=1.0, volume_m3=0.004,
        dangerous=[True, True, False, False], origins=legs.origin_indices(["HZB"]),
    )  # fmt: skip
    assert [REASONS[r] for r in result.reason] == [
        Reason.OK,
        Reason.DANGEROUS_GOODS,
        Reason.OK,
        Reason.OK,
    ]
    assert result.mode.tolist() == [Mode.GROUND, Mode.STANDARD, Mode.GROUND, Mode.ROCKET]
    assert not result.routes.drone[0]  # a drone is an aircraft too: van
    assert result.routes.drone[2]  # the same parcel without dangerous goods: drone
    assert result.routes.ground[1]  # the rocket was never considered


def test_priority_of_the_reasons(network: Network) -> None:
    reasons = _assess(
        network,
        ["icn", "icn", "icn", "near", "icn", "africa", "icn"],
        held=[True, False, False, False, False, False, False],
        dangerous=[True, True, False, False, False, False, False],
        mass_kg=np.array([1.0, 1.0, 12_000.0, 12_000.0, 1.0, 1.0, 1.0]),
        volume_m3=np.array([0.004, 0.004, 20.0, 20.0, 0.004, 0.004, 0.004]),
        inspection_s=[0.0, 0.0, 0.0, 0.0, 3_000.0, 0.0, 60.0],
    )
    assert reasons == [
        Reason.CUSTOMS_HOLD,  # held wins over everything
        Reason.DANGEROUS_GOODS,
        Reason.TOO_HEAVY,
        Reason.OK,  # over the rocket's payload, but next to the origin: ground
        Reason.CUSTOMS_INSPECTION,  # keeps the hour, the inspection does not
        Reason.NO_LANDING_ZONE_IN_REACH,
        Reason.OK,  # a short inspection fits
    ]


def test_no_stock_and_codes(network: Network) -> None:
    legs = network_legs(network)
    result = assess_parcels(
        legs, [0.0], [0.0], ready_s=T0, mass_kg=1.0, volume_m3=0.004,
        allowed=np.zeros((1, len(network.hubs)), dtype=bool),
    )  # fmt: skip
    assert REASONS[result.reason[0]] is Reason.NO_STOCK
    assert reason_code(Reason.OK) == 0 and REASONS[9] is Reason.CUSTOMS_INSPECTION
    # Later codes are appended after it, never inserted (int8 codes on disk).
    assert REASONS[10:] == (
        Reason.SAME_DAY_REQUESTED,
        Reason.NO_ROCKET_ROUTE,
        Reason.BEYOND_SAME_DAY,
        Reason.BELOW_CONFIDENCE,
    )
    assert forbidden_dangerous_goods({"9", "3", "4.1", ""}) == ["3", "4.1"]
    with pytest.raises(InputError, match="inspection_delay_s"):
        assess_parcels(legs, [0.0], [0.0], ready_s=T0, mass_kg=1, volume_m3=1, inspection_s=-1)
    with pytest.raises(InputError, match="held"):
        assess_parcels(legs, [0.0], [0.0], ready_s=T0, mass_kg=1, volume_m3=1, held=[1, 0])


@pytest.mark.parametrize(
    ("where", "dangerous", "mass_kg"),
    [("near", {"3"}, 1.0), ("icn", {"3"}, 1.0), ("icn", {"9"}, 1.0), ("icn", set(), 12_000.0)],
)
def test_a_quote_is_one_row_of_the_rule(
    network: Network, where: str, dangerous: set[str], mass_kg: float
) -> None:
    engine = QuoteEngine(network)
    lat, lon = _places(network)[where]
    ready = datetime.fromtimestamp(T0, UTC)
    place = ResolvedPlace("p", "KR", lat, lon)
    route = engine.plan(
        place,
        mass_kg=mass_kg,
        volume_m3=0.004,
        ready_at=ready,
        origin_hub="HZB",
        dangerous_goods=dangerous,
    )
    quote = engine.assess(
        route,
        place,
        mass_kg=mass_kg,
        volume_m3=0.004,
        dangerous_goods=dangerous,
        customs=None,
        origin_hub="HZB",
    )
    # The route shown and booked is the one decided on: no rocket or drone for classes 1–8.
    if forbidden_dangerous_goods(dangerous):
        assert route.mode == "ground" or not quote.available
        assert route.legs_s["coast"] == 0.0 or not quote.available
    legs = network_legs(network)
    row = assess_parcels(
        legs, lat, lon, ready_s=T0, mass_kg=mass_kg, volume_m3=0.004,
        dangerous=bool(forbidden_dangerous_goods(dangerous)), origins=legs.origin_indices(["HZB"]),
    )  # fmt: skip
    assert quote.available == bool(row.mode[0] != Mode.STANDARD)
    assert (quote.reason or "ok") == REASONS[row.reason[0]].value
    assert quote.earliest_s == float(row.earliest_s[0])


def test_same_day_by_rocket_is_one_rule_with_its_own_reasons(network: Network) -> None:
    legs = network_legs(network)
    places = _places(network)
    where = ["icn", "icn", "near", "africa", "icn", "icn", "icn"]
    n = len(where)
    dangerous = np.array([False, False, False, False, True, False, False])
    held = np.array([False, False, False, False, False, True, False])
    has_stock = np.array([True] * (n - 1) + [False])
    routes = parcel_routes(
        legs,
        [places[w][0] for w in where],
        [places[w][1] for w in where],
        ready_s=np.full(n, T0),
        mass_kg=np.full(n, 1.0),
        volume_m3=np.full(n, 0.004),
        dangerous=dangerous,
        origins=legs.origin_indices(["HZB"]),
    )
    facts = {
        "held": held,
        "inspection_s": np.zeros(n),
        "dangerous": dangerous,
        "too_heavy": np.zeros(n, dtype=bool),
        "has_stock": has_stock,
    }
    codes = same_day_reasons(network, routes, **facts)
    assert [REASONS[c] for c in codes] == [
        Reason.OK,
        Reason.OK,
        Reason.NO_ROCKET_ROUTE,  # by van from the origin's centre: it does not fly
        Reason.BEYOND_SAME_DAY,
        Reason.DANGEROUS_GOODS,  # classes 1-8 never fly, whatever the tier
        Reason.CUSTOMS_HOLD,
        Reason.NO_STOCK,
    ]
    mode, reason = decide_service(network, routes, **facts)
    requested = np.array([False, True, True, False, False, False, False])
    sd_mode, sd_reason = decide_same_day(mode, reason, codes, requested=requested)
    # Within the hour it stays one-hour unless it asks; asked, it goes same-day and says so.
    assert sd_mode[0] == Mode.ROCKET and REASONS[sd_reason[0]] is Reason.OK
    assert sd_mode[1] == Mode.SAME_DAY and REASONS[sd_reason[1]] is Reason.SAME_DAY_REQUESTED
    assert sd_mode[2] == Mode.GROUND  # a one-hour ground delivery does not fly
    assert list(sd_mode[3:6]) == [Mode.STANDARD] * 3
    assert list(sd_reason[3:]) == list(reason[3:])
    assert sd_mode[6] == mode[6]  # no stock: never same-day (its route came without "allowed")

    # A parcel that misses the hour goes same-day and keeps the reason it missed it.
    tight_s = float(routes.total_s[0]) / 2
    late_mode, late_reason = decide_service(network, routes, **facts, one_hour_s=tight_s)
    assert late_mode[0] == Mode.STANDARD
    sd_mode, sd_reason = decide_same_day(late_mode, late_reason, codes)
    assert sd_mode[0] == Mode.SAME_DAY and sd_reason[0] == late_reason[0]
    # The window (buffer included) decides: a second short of the route, no same-day.
    short = same_day_reasons(network, routes, **facts, window_s=float(routes.total_s[0]) - 1.0)
    assert REASONS[short[0]] is Reason.BEYOND_SAME_DAY
    assert SAME_DAY_WINDOW_S == 12 * 3600
