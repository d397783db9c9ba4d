"""Where and when synthetic orders come from: population, scatter, local hours."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from rocketpost.core.geo import great_circle_km
from rocketpost.orders.generator import describe, generate_orders
from tests.orders import CITIES, DAY, generate


def test_destinations_follow_population() -> None:
    orders, _ = generate(40_000)
    shares = {cc: float(np.mean(orders.destination_country == cc)) for cc in ("CN", "KR", "US")}
    total = CITIES.population.sum()
    assert shares["CN"] == pytest.approx(20e6 / total, abs=0.01)
    assert shares["KR"] == pytest.approx(10e6 / total, abs=0.01)
    assert shares["US"] == pytest.approx(8e6 / total, abs=0.01)


def test_points_scatter_a_few_km_around_the_city() -> None:
    orders, _ = generate(20_000)
    seoul = orders.destination_country == "KR"
    km = great_circle_km(
        37.5665, 126.978, orders.destination_lat_deg[seoul], orders.destination_lon_deg[seoul]
    )
    # σ = 2 km × sqrt(10) ≈ 6.3 km per axis: the radial median is σ·sqrt(2 ln 2) ≈ 7.4 km.
    assert 6.5 < np.median(km) < 8.5
    assert km.max() < 8 * 6.33
    small = orders.destination_country == "DE"
    km_small = great_circle_km(
        50.0, 10.0, orders.destination_lat_deg[small], orders.destination_lon_deg[small]
    )
    assert np.median(km_small) < 1.0  # σ floor 0.5 km


def test_orders_are_placed_on_the_local_day_with_two_peaks() -> None:
    orders, _ = generate(30_000, b2b_share=0.0)
    local_hours = []
    for city, tz in zip(CITIES.country_code, CITIES.timezone, strict=True):
        rows = orders.destination_country == city
        offset = datetime(2025, 6, 1, 12, tzinfo=ZoneInfo(str(tz))).utcoffset()
        assert offset is not None
        local = orders.created_at_s[rows] + int(offset.total_seconds())
        day_start = int(datetime(2025, 6, 1, tzinfo=UTC).timestamp())
        assert np.all((local >= day_start) & (local < day_start + 86_400))
        local_hours.append((local - day_start) // 3600)
    counts = np.bincount(np.concatenate(local_hours), minlength=24)
    assert counts.argmax() in (20, 21)  # evening peak
    assert counts[12] > counts[9] and counts[12] > counts[15]  # lunch peak
    assert counts[4] < 0.25 * counts.max()  # trough before dawn


def test_real_cities_and_land() -> None:
    from rocketpost.world.cities import load_cities
    from rocketpost.world.landmask import is_land

    cities = load_cities()
    orders, _ = generate_orders(3000, day=DAY, rng=np.random.default_rng(7))
    lat, lon = orders.destination_lat_deg, orders.destination_lon_deg
    on_land = is_land(lat, lon)
    # Off-land points are only city centres whose own cell is sea (coastal GeoNames points).
    centre = np.isin(np.round(lat, 6), np.round(cities.lat_deg, 6))
    assert np.all(on_land | centre)
    assert describe(orders)["orders"] == 3000
    big = set(np.unique(orders.destination_country).tolist())
    assert {"CN", "IN", "US"} <= big
