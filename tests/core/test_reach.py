"""Reach: coverage aggregates, thresholds, stock restrictions, GeoJSON and the map."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rocketpost.cli.reach_map import render_reach_map
from rocketpost.core.reach import compute_reach
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.world.cities import load_cities


@pytest.fixture(scope="module")
def reach60(network: Network):  # type: ignore[no-untyped-def]
    return compute_reach(network, threshold_min=60.0)


def test_totals_add_up(reach60) -> None:  # type: ignore[no-untyped-def]
    cities = reach60.cities
    assert reach60.population_total == int(cities.population.sum())
    assert reach60.population_covered == int(cities.population[reach60.covered].sum())
    assert sum(r.population_covered for r in reach60.countries) == reach60.population_covered
    assert sum(r.population_total for r in reach60.continents) == reach60.population_total
    assert 0.0 < reach60.share < 1.0


def test_covered_means_within_threshold(reach60) -> None:  # type: ignore[no-untyped-def]
    assert np.all(reach60.best_s[reach60.covered] <= 3600.0 + 1e-6)
    assert np.all(reach60.best_s[~reach60.covered] > 3600.0)


def test_hub_cities_are_covered_and_remote_ones_are_not(reach60) -> None:  # type: ignore[no-untyped-def]
    names = reach60.cities.name.astype(str)
    covered = set(names[reach60.covered])
    assert "Singapore" in covered
    assert "Lisbon" in covered
    assert "Ulaanbaatar" not in covered  # 1,000 km from the nearest port, inland
    assert "La Paz" not in covered


def test_more_time_never_covers_fewer_people(network: Network) -> None:
    shares = [compute_reach(network, threshold_min=m).population_covered for m in (30, 60, 90, 120)]
    assert shares == sorted(shares)
    assert shares[-1] > shares[0]


def test_stock_restricted_to_named_hubs(network: Network, reach60) -> None:  # type: ignore[no-untyped-def]
    china = compute_reach(network, threshold_min=60.0, stock_hubs=["HZB", "SZX"])
    assert china.stock_hubs == ("HZB", "SZX")
    assert china.population_covered < reach60.population_covered
    assert set(np.unique(china.best_origin)) <= {network.hub_index("HZB"), network.hub_index("SZX")}
    with pytest.raises(InputError, match="hub"):
        compute_reach(network, stock_hubs=["NOPE"])


def test_bad_threshold(network: Network) -> None:
    with pytest.raises(InputError, match="minutes"):
        compute_reach(network, threshold_min=-5)


def test_summary_and_geojson_are_json(reach60) -> None:  # type: ignore[no-untyped-def]
    summary = json.loads(json.dumps(reach60.summary()))
    assert {"population_covered", "population_total", "share", "countries", "continents"} <= set(
        summary
    )
    assert (
        summary["countries"][0]["population_covered"]
        >= summary["countries"][-1]["population_covered"]
    )
    geo = json.loads(json.dumps(reach60.geojson()))
    kinds = [f["properties"]["kind"] for f in geo["features"]]
    assert kinds.count("hub") == len(reach60.network.hubs)
    assert kinds.count("landing_zone") == len(reach60.network.hubs)
    assert kinds.count("city") == int(reach60.covered.sum())
    lon, lat = geo["features"][0]["geometry"]["coordinates"]
    assert (lat, lon) == pytest.approx(reach60.network.hubs[0].pad, abs=1e-4)


def test_smaller_city_threshold_adds_cities(network: Network) -> None:
    small = load_cities(5_000)
    assert len(small) > len(load_cities(15_000))
    result = compute_reach(network, cities=small.subset(small.country_code == "PT"))
    assert result.population_covered > 0


def test_map_is_a_png(tmp_path: Path, reach60) -> None:  # type: ignore[no-untyped-def]
    path = render_reach_map(reach60, tmp_path / "reach.png", width_px=800)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InputError, match=r"\.png"):
        render_reach_map(reach60, tmp_path / "reach.jpg")


def test_with_threshold_matches_a_fresh_analysis(network: Network, reach60) -> None:  # type: ignore[no-untyped-def]
    fresh = compute_reach(network, threshold_min=90.0)
    derived = reach60.with_threshold(90.0)
    np.testing.assert_array_equal(derived.covered, fresh.covered)
    assert derived.summary() == fresh.summary()
    with pytest.raises(InputError, match="minutes"):
        reach60.with_threshold(0)


def test_reach_at_the_confidence_follows_the_declared_weather() -> None:
    from rocketpost.core.reach import reach_at_confidence
    from rocketpost.network import default_network
    from rocketpost.promise.conditions import Conditions, HubWeather

    network = default_network("rocket-hour")
    stock = ["HZB", "SHA", "SZX"]
    base = compute_reach(network, stock_hubs=stock, min_population=1_000_000)
    climate = reach_at_confidence(base, Conditions())
    assert climate.p_on_time is not None
    covered = climate.covered
    assert covered.any()
    assert (climate.p_on_time[covered] >= network.promise.confidence).all()
    assert climate.population_covered <= base.population_covered  # 99 % asks more than ETA
    fronts = Conditions(hubs={h: HubWeather("front") for h in stock})
    under_fronts = reach_at_confidence(base, fronts)
    rockets = covered & (climate.best_mode == "rocket")
    assert rockets.any() and not (under_fronts.covered & rockets).any()
