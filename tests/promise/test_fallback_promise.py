"""One route's promise counting its fallback: the planner's number, its percentiles, and none
where no fallback is counted."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from rocketpost.core.doortodoor import network_legs
from rocketpost.core.eligibility import parcel_routes
from rocketpost.core.routes import Routes
from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.promise.conditions import Conditions, HubWeather
from rocketpost.promise.confidence import PromiseAtConfidence
from rocketpost.promise.decision import fallback_terms, kernel_p_on_time
from rocketpost.promise.fallback_promise import promise_with_fallback, stock_mask
from rocketpost.promise.kernelrows import kernel_rows

NETWORK = default_network("rocket-hour")
T0 = 1_795_651_200.0  # a whole multiple of every wave interval
PLACES = {"Busan": (35.10, 129.04), "Seoul": (37.57, 126.98), "Fukuoka": (33.59, 130.40)}
TARGET = NETWORK.promise.confidence
ONE_HOUR_S = NETWORK.promise.one_hour_s


def route_from(origin: str, place: str, ready_s: float = T0 + 1) -> Routes:
    lat, lon = PLACES[place]
    return parcel_routes(
        network_legs(NETWORK), np.array([lat]), np.array([lon]), ready_s=ready_s,
        mass_kg=np.ones(1), volume_m3=np.full(1, 0.005),
        origins=np.array([NETWORK.hub_index(origin)]),
    )  # fmt: skip


def front_at_sha(onsets: bool) -> Conditions:
    return Conditions(
        hubs={"SHA": HubWeather("front"), "HZB": HubWeather("clear")},
        known_ids=NETWORK.hub_ids,
        onsets=onsets,
    )


@pytest.mark.parametrize("onsets", [False, True])
@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("ready_s", [T0 + 1, T0 + 7 * 60 + 30, T0 + 3600 * 5])
def test_the_promise_is_the_planners_number(onsets: bool, place: str, ready_s: float) -> None:
    conditions = front_at_sha(onsets)
    route = route_from("SHA", place, ready_s)
    stock = stock_mask(NETWORK, ["SHA", "HZB", "SZX"])
    common = {"promise_s": ONE_HOUR_S, "cross_border": True, "inspection_p": 0.01}
    planner = kernel_p_on_time(NETWORK, route, conditions, stock=stock, **common)[0]
    counted = promise_with_fallback(
        NETWORK, route, conditions, stock=stock, target=TARGET, **common
    )
    assert counted is not None and counted.hub in ("HZB", "SZX")
    if np.isnan(planner):  # the bare ETA is past the hour: the planner does not look
        assert counted.p_on_time < 0.5 and not counted.kept
        return
    assert counted.p_on_time == pytest.approx(planner, abs=1e-12)
    assert counted.kept is bool(planner >= TARGET)
    assert 0.0 < counted.triggered_p <= 1.0


def test_the_percentiles_are_the_mixtures() -> None:
    conditions = front_at_sha(False)
    route = route_from("SHA", "Busan")
    stock = stock_mask(NETWORK, ["SHA", "HZB"])
    counted = promise_with_fallback(
        NETWORK, route, conditions, stock=stock, promise_s=ONE_HOUR_S, target=TARGET,
        cross_border=False,
    )  # fmt: skip
    assert counted is not None and counted.hub == "HZB"
    rows = kernel_rows(
        NETWORK, conditions, route, inspection_s=np.zeros(1), inspection_p=None,
        cross_border=np.zeros(1, dtype=bool), grounded_extra_s=np.full(1, np.inf),
    )  # fmt: skip
    terms = fallback_terms(NETWORK, conditions, rows, stock, route.launch_s)
    levels = [0.5, 0.9, 0.99, TARGET]
    times = [counted.p50_s, counted.p90_s, counted.p99_s, counted.earliest_at_target_s]
    for level, t in zip(levels, times, strict=True):
        at, before = terms.row_cdf(0)(np.array([t, t - 1.0]))
        assert at >= level - 1e-9 and before < level  # the first time it reaches the level
    assert counted.p50_s < counted.p90_s <= counted.p99_s
    assert terms.p_within(ONE_HOUR_S)[0] == pytest.approx(counted.p_on_time)


def test_no_fallback_is_counted_where_none_exists() -> None:
    common = {"promise_s": ONE_HOUR_S, "target": TARGET, "cross_border": False}
    front = front_at_sha(False)
    sha_only = stock_mask(NETWORK, ["SHA"])
    everywhere = np.ones(len(NETWORK.hubs), dtype=bool)
    route = route_from("SHA", "Busan")
    assert promise_with_fallback(NETWORK, route, front, stock=sha_only, **common) is None
    # A clear origin without onsets: nothing triggers it.
    clear = Conditions(hubs={"SHA": HubWeather("clear")}, onsets=False)
    assert promise_with_fallback(NETWORK, route, clear, stock=everywhere, **common) is None
    # Every hub of the country under the front: no clear hub stands in.
    china = front.with_hub("HZB", HubWeather("front")).with_hub("SZX", HubWeather("front"))
    assert promise_with_fallback(NETWORK, route, china, stock=everywhere, **common) is None
    # A ground route (a door near SHA) never flies.
    sha = NETWORK.hub("SHA").pad
    near = parcel_routes(
        network_legs(NETWORK), np.array([sha[0] + 0.02]), np.array([sha[1] + 0.02]),
        ready_s=T0 + 1, mass_kg=np.ones(1), volume_m3=np.full(1, 0.005),
        origins=np.array([NETWORK.hub_index("SHA")]),
    )  # fmt: skip
    assert near.ground[0]
    assert promise_with_fallback(NETWORK, near, front, stock=everywhere, **common) is None
    with pytest.raises(InputError, match="one kernel row"):
        two = Routes(**{k: np.repeat(v, 2) for k, v in vars(route).items()})
        promise_with_fallback(NETWORK, two, front, stock=everywhere, **common)


def test_stock_mask_names_bad_hubs() -> None:
    mask = stock_mask(NETWORK, ["HZB", "SHA"])
    assert mask.sum() == 2 and mask[NETWORK.hub_index("SHA")]
    with pytest.raises(InputError, match="unknown hub"):
        stock_mask(NETWORK, ["HZB", "XXX"])
    with pytest.raises(InputError, match="twice") as error:
        stock_mask(NETWORK, ["HZB", "HZB"], field="stock_at")
    assert error.value.field == "stock_at"


def test_applied_to_keeps_what_limits_a_failing_promise() -> None:
    conditions = front_at_sha(False)
    route = route_from("SHA", "Busan")
    stock = stock_mask(NETWORK, ["SHA", "HZB"])
    counted = promise_with_fallback(
        NETWORK, route, conditions, stock=stock, promise_s=ONE_HOUR_S, target=TARGET,
        cross_border=False,
    )  # fmt: skip
    assert counted is not None
    primary = PromiseAtConfidence(
        p_on_time=0.1, p50_s=1.0, p90_s=2.0, p99_s=3.0, target=TARGET, promise_s=ONE_HOUR_S,
        kept=False, earliest_at_target_s=4.0, limiting_cause="weather",
        limiting_leg="wave_wait", landing_loss_p=0.0,
    )  # fmt: skip
    kept = counted.applied_to(primary)
    assert kept.fallback_hub == "HZB" and kept.p_on_time == counted.p_on_time
    assert kept.limiting_leg is None if counted.kept else kept.limiting_leg == "wave_wait"
    failing = replace(counted, kept=False).applied_to(primary)
    assert failing.limiting_leg == "wave_wait" and not failing.kept
