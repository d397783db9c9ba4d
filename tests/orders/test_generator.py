"""Synthetic orders: reproducible, shaped as documented, and valid input for the reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from numpy.typing import NDArray

from rocketpost.core.geo import great_circle_km
from rocketpost.errors import InputError
from rocketpost.orders.generator import (
    GENERATOR_STAGES,
    describe,
    generate_orders,
    load_catalogue,
)
from rocketpost.orders.io import read_orders, write_orders
from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES

DAY = date(2025, 6, 1)


@dataclass(frozen=True)
class Cities:
    """A stand-in for rocketpost.world.cities.CityTable with hand-picked rows."""

    name: NDArray[np.str_]
    country_code: NDArray[np.str_]
    lat_deg: NDArray[np.float64]
    lon_deg: NDArray[np.float64]
    population: NDArray[np.int64]
    timezone: NDArray[np.str_]


CITIES = Cities(
    name=np.array(["Seoul", "New York", "Lisbon", "Shanghai", "Smalltown"]),
    country_code=np.array(["KR", "US", "PT", "CN", "DE"]),
    lat_deg=np.array([37.5665, 40.7128, 38.7223, 31.2304, 50.0]),
    lon_deg=np.array([126.978, -74.006, -9.1393, 121.4737, 10.0]),
    population=np.array([10_000_000, 8_000_000, 500_000, 20_000_000, 20_000]),
    timezone=np.array(
        ["Asia/Seoul", "America/New_York", "Europe/Lisbon", "Asia/Shanghai", "Europe/Berlin"]
    ),
)
BACKHAUL = {"ICN": "KR", "LIS": "PT", "KEL": "DE"}


def generate(n: int, seed: int = 1, **kwargs: object):  # type: ignore[no-untyped-def]
    options: dict[str, object] = {"cities": CITIES, "keep_on_land": False}
    options.update(kwargs)
    return generate_orders(n, day=DAY, rng=np.random.default_rng(seed), **options)  # type: ignore[arg-type]


def test_same_seed_same_tables_and_same_bytes(tmp_path: Path) -> None:
    first = generate(3000, seed=42, backhaul_origins=BACKHAUL, b2b_share=0.1)
    second = generate(3000, seed=42, backhaul_origins=BACKHAUL, b2b_share=0.1)
    for a, b in zip(first, second, strict=True):
        for name, column in a.columns().items():
            np.testing.assert_array_equal(column, getattr(b, name))
    for fmt in ("csv", "parquet", "jsonl"):
        write_orders(tmp_path / f"a.{fmt}", *first)
        write_orders(tmp_path / f"b.{fmt}", *second)
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()
    other = generate(3000, seed=43, backhaul_origins=BACKHAUL, b2b_share=0.1)
    assert not np.array_equal(other[0].destination_lat_deg, first[0].destination_lat_deg)


def test_generated_days_pass_validation(tmp_path: Path) -> None:
    orders, items = generate(2000, backhaul_origins=BACKHAUL, b2b_share=0.2)
    write_orders(tmp_path / "day.csv", orders, items)
    result = read_orders(tmp_path / "day.csv", known_hubs=set(BACKHAUL))
    assert result.rows_rejected == 0, list(result.rejects.reason[:5])
    assert len(result.orders) == 2000


def test_zero_orders() -> None:
    orders, items = generate(0)
    assert len(orders) == 0 and len(items) == 0


def test_ids_are_in_time_order() -> None:
    orders, _ = generate(500)
    assert orders.order_id[0] == "O20250601-0000000"
    assert np.all(np.diff(orders.created_at_s) >= 0)
    assert len(set(orders.order_id.tolist())) == 500


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


def test_b2c_parcels_have_the_documented_sizes() -> None:
    orders, items = generate(30_000, b2b_share=0.0)
    assert 0.7 < np.median(orders.mass_kg) < 1.2
    assert 3.0 < np.median(orders.volume_m3) * 1000 < 8.0
    assert orders.mass_kg.max() < 400
    light = orders.mass_kg < 1.0
    # Light parcels are less dense than the rest: they fill volume first.
    light_density = orders.mass_kg[light].sum() / orders.volume_m3[light].sum()
    heavy_density = orders.mass_kg[~light].sum() / orders.volume_m3[~light].sum()
    assert light_density < heavy_density
    share_dg = orders.carries_dangerous_goods("9").mean()
    assert 0.004 < share_dg < 0.02
    assert set(np.unique(items.dangerous_goods_class).tolist()) <= {"", *DANGEROUS_GOODS_CLASSES}


def test_b2b_freight_pallets_and_rocket_loads() -> None:
    orders, items = generate(20_000, b2b_share=0.5, full_load_share=0.3)
    b2b = orders.is_b2b
    assert b2b.mean() == pytest.approx(0.5, abs=0.02)
    lines = b2b[items.order_index]
    assert items.unit_mass_kg[lines].max() <= 1000.0
    assert np.median(items.unit_mass_kg[lines]) > 100.0
    assert items.unit_volume_m3[lines].max() <= 2.0
    assert np.all(np.char.endswith(items.sku[lines], "-PAL"))
    single = b2b & (orders.n_items == 1)
    big = single & (orders.mass_kg > 3000)
    assert big.sum() > 0.1 * b2b.sum()
    # Rocket loads never exceed one rocket.
    full = orders.mass_kg[b2b & (orders.n_items == 1)]
    assert full.max() <= 10_000.0


def test_backhaul_orders_leave_from_export_hubs_for_other_markets() -> None:
    orders, items = generate(20_000, b2b_share=0.2, backhaul_origins=BACKHAUL)
    pinned = orders.origin_hub != ""
    assert pinned.sum() > 0
    assert np.all(orders.is_b2b[pinned])
    assert set(np.unique(orders.origin_hub[pinned]).tolist()) == set(BACKHAUL)
    assert set(np.unique(orders.destination_country[pinned]).tolist()) <= {"CN", "US"}
    catalogue = load_catalogue()
    exports = dict(zip(catalogue.sku.tolist(), catalogue.export_countries, strict=True))
    korean = np.flatnonzero(orders.origin_hub == "ICN")
    for i in korean[:50]:
        sku = str(items.sku[orders.item_offsets[i]]).removesuffix("-PAL")
        assert "KR" in exports[sku]
        assert str(orders.merchant_id[i]).startswith("BKR")
    assert np.all(np.isin(orders.currency[orders.origin_hub == "LIS"], ["EUR"]))


def test_progress_reports_each_stage() -> None:
    stages: list[str] = []
    generate(10, progress=stages.append)
    assert tuple(stages) == GENERATOR_STAGES


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"b2b_share": 1.5}, "b2b_share"),
        ({"dangerous_goods_share": -0.1}, "dangerous_goods_share"),
        (
            {"backhaul_origins": {"X": "KR"}, "backhaul_markets": ("KR",), "b2b_share": 1.0},
            "backhaul_markets",
        ),
    ],
)
def test_bad_parameters(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as error:
        generate(100, **kwargs)
    assert error.value.field == field
    with pytest.raises(InputError, match="n"):
        generate(-1)


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


def test_every_catalogue_hs_code_is_in_the_customs_nomenclature() -> None:
    # Generated orders go through customs when planned: an unknown code would stop the day.
    from rocketpost.customs import nomenclature
    from rocketpost.orders.generator import load_catalogue

    hs = nomenclature()
    for code in load_catalogue().hs_code:
        hs.check(str(code))  # raises InputError for a code the customs data lacks
