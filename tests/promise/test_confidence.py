"""The promise at a stated confidence for a route's legs."""

from __future__ import annotations

import math

import pytest

from rocketpost.promise.conditions import Conditions, HubWeather, SiteSea
from rocketpost.promise.confidence import RouteFacts, promise_at_confidence, route_model

LEGS = {
    "origin_handling": 600.0,
    "wave_wait": 120.0,
    "ascent": 180.0,
    "coast": 900.0,
    "descent": 240.0,
    "sea_transfer": 120.0,
    "boat": 300.0,
    "port_handling": 180.0,
    "customs": 0.0,
    "last_mile": 420.0,
}


def model(conditions: Conditions, legs: dict[str, float] = LEGS, **kw: object):  # type: ignore[no-untyped-def]
    args = dict(
        rocket=True,
        origin_hub="HZB",
        landing_site="ICN",
        wave_interval_s=600.0,
        boat_speed_kmh=60.0,
        cross_border=True,
    )
    args.update(kw)
    return route_model(legs, conditions, RouteFacts(**args))  # type: ignore[arg-type]


def test_route_model_reads_the_legs() -> None:
    m = model(Conditions())
    assert m.fixed_s == pytest.approx(sum(LEGS.values()) - 300.0 - 420.0)
    assert m.launch_offset_s == 720.0 and m.landing_offset_s == 720.0 + 1320.0
    ground = model(Conditions(), rocket=False)
    assert ground.launch_offset_s is None and ground.inspection_p == 0.0
    assert model(Conditions(), inspection_known=True).inspection_p == 0.0
    detour = model(Conditions().with_site("ICN", SiteSea("closed", alternate=True)))
    assert detour.detour_s == pytest.approx(20.0 / 60.0 * 3600.0)


def test_clear_skies_keep_the_hour_a_front_breaks_it_on_the_wave_wait() -> None:
    clear = Conditions().with_hub("HZB", HubWeather("clear"))
    # Domestic: a cross-border parcel carries the 2 % base inspection risk (median 30 min),
    # which alone breaks 99 % with under half an hour of slack (next test).
    ok = promise_at_confidence(model(clear, cross_border=False), promise_s=3600.0, target=0.99)
    assert ok.kept and ok.p_on_time >= 0.99 and ok.limiting_leg is None
    assert ok.p50_s < ok.p90_s < ok.p99_s <= 3600.0
    front = Conditions().with_hub("HZB", HubWeather("front"))
    late = promise_at_confidence(model(front), promise_s=3600.0, target=0.99)
    assert not late.kept and late.p_on_time < 0.2
    assert late.limiting_cause == "weather" and late.limiting_leg == "wave_wait"
    assert late.earliest_at_target_s > 6 * 3600.0 * math.log(10)  # ≥ the front's 90 % time


def test_the_base_inspection_risk_breaks_a_tight_cross_border_promise() -> None:
    clear = Conditions().with_hub("HZB", HubWeather("clear"))
    late = promise_at_confidence(model(clear), promise_s=3600.0, target=0.99)
    assert not late.kept and late.limiting_leg == "customs"
    assert 0.97 < late.p_on_time < 0.99
    relaxed = promise_at_confidence(model(clear), promise_s=3600.0, target=0.95)
    assert relaxed.kept


def test_route_model_carries_the_shifts_of_the_route() -> None:
    """A lost landing's re-flight (the first wave after the flight and the handling), an onset
    (when counted) and, for a vessel route, its drones grounded at the landing."""
    from rocketpost.network import default_network
    from rocketpost.promise.onset import onset_p
    from rocketpost.promise.recovery import site_grounded_p

    m = model(Conditions(onsets=True))
    assert m.landing_loss_p == Conditions().rates.landing.failure_p
    assert m.reflight_s == 2400.0  # ⌈(1,320 s flight + 600 s handling) / 600⌉ · 600
    assert m.onset_p == pytest.approx(onset_p(Conditions(), "HZB", "ICN", None, 720.0, 2040.0))
    assert m.onset_p > 0 and model(Conditions(onsets=False)).onset_p == 0.0
    assert m.grounded_p == 0.0  # not a vessel route
    drone = default_network("rocket-hour").drone
    vessel_legs = {**LEGS, "vessel_transfer": 180.0, "sea_transfer": 0.0, "boat": 0.0}
    facts = RouteFacts(
        rocket=True,
        origin_hub="HZB",
        landing_site="ICN",
        wave_interval_s=600.0,
        boat_speed_kmh=60.0,
        cross_border=True,
        drone=drone,
        grounded_extra_s=900.0,
    )
    windy = Conditions().with_site("ICN", SiteSea(wind_ms=11.5))
    v = route_model(vessel_legs, windy, facts)
    assert v.grounded_p == pytest.approx(site_grounded_p(windy, drone, "ICN", v.landing_offset_s))
    assert 0.05 < v.grounded_p < 0.95 and v.grounded_extra_s == 900.0
    calm = promise_at_confidence(
        route_model(vessel_legs, Conditions(), facts), promise_s=3600.0, target=0.9
    )
    blown = promise_at_confidence(v, promise_s=3600.0, target=0.9)
    assert blown.p_on_time < calm.p_on_time


def test_the_quotes_of_a_lane_share_a_shape_whatever_their_wave_wait() -> None:
    """The onset (a front or a closure after the order) is rounded up to 10⁻⁴ as the kernel's
    rows round it, so a lane's quotes share one shape, its distribution and its quantiles
    (before, every wave wait made a new shape and a new quantile search: 0.2 ms a quote)."""
    from rocketpost.promise.decision import shape_of

    conditions = Conditions()  # the climate: hold_risk hubs, so fronts may start (onsets on)
    shapes = set()
    onsets = set()
    lane = {"wave_interval_s": 300.0, "cross_border": False}
    for wait_s in range(300):  # every second of a 5-minute slot
        m = model(conditions, {**LEGS, "wave_wait": float(wait_s)}, **lane)
        onsets.add(m.onset_p)
        shapes.add(shape_of(m)[0])
    assert all(p > 0 and round(p / 1e-4, 6).is_integer() for p in onsets)
    # One shape per onset value: ~35 for the 300 wave waits of a slot (the onset grows by
    # 0.003 over it at this climate's front rate), each searched once.
    assert len(shapes) == len(onsets) <= (max(onsets) - min(onsets)) / 1e-4 + 1.5
    # And the one explanation: a broken promise names its cause the same at any wave wait.
    tight = [
        promise_at_confidence(
            model(conditions, {**LEGS, "wave_wait": w}, **lane), promise_s=2700.0, target=0.99
        )
        for w in (0.0, 3.0)
    ]
    assert not tight[0].kept and tight[0].limiting_cause == tight[1].limiting_cause is not None
