"""Cities: the GeoNames extracts as column tables."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.world.cities import CityTable, city_file_for, load_cities
from rocketpost.world.countries import CONTINENT_NAMES, country_codes


@pytest.fixture(scope="module")
def cities() -> CityTable:
    return load_cities()


def test_default_table_is_the_15000_extract(cities: CityTable) -> None:
    # cities15000 lists 34,006 cities; 45 of them now count fewer than 15,000 people.
    assert 33_900 <= len(cities) <= 34_006
    assert cities.population.min() >= 15_000
    assert cities.total_population == pytest.approx(3.93e9, rel=0.01)


def test_columns_are_aligned_typed_and_read_only(cities: CityTable) -> None:
    for column in fields(cities):
        array = getattr(cities, column.name)
        assert len(array) == len(cities)
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[1]
    assert cities.geoname_id.dtype == np.int64
    assert cities.population.dtype == np.int64
    assert cities.lat_deg.dtype == np.float64
    assert np.all(np.abs(cities.lat_deg) <= 90) and np.all(np.abs(cities.lon_deg) <= 180)
    assert len(np.unique(cities.geoname_id)) == len(cities)


def test_codes_are_known(cities: CityTable) -> None:
    assert set(cities.country_code) <= country_codes()
    assert set(cities.continent_code) <= set(CONTINENT_NAMES)


def test_known_city(cities: CityTable) -> None:
    (row,) = np.flatnonzero(cities.name == "New York City")
    assert cities.country_code[row] == "US"
    assert cities.continent_code[row] == "NA"
    assert cities.admin1_code[row] == "NY"
    assert cities.lat_deg[row] == pytest.approx(40.71, abs=0.05)
    assert cities.lon_deg[row] == pytest.approx(-74.01, abs=0.05)
    assert cities.timezone[row] == "America/New_York"
    assert cities.population[row] > 8_000_000


def test_loading_is_cached(cities: CityTable) -> None:
    assert load_cities() is cities
    assert load_cities(15_000) is cities


def test_higher_threshold_filters_the_same_file(cities: CityTable) -> None:
    big = load_cities(1_000_000)
    assert big.population.min() >= 1_000_000
    assert len(big) == int((cities.population >= 1_000_000).sum())


@pytest.mark.parametrize(
    ("threshold", "stem"),
    [
        (1_000_000, "cities15000"),
        (15_000, "cities15000"),
        (14_999, "cities5000"),
        (5_000, "cities5000"),
        (1_000, "cities1000"),
        (999, "cities500"),
        (500, "cities500"),
    ],
)
def test_smallest_covering_file_is_chosen(threshold: int, stem: str) -> None:
    assert city_file_for(threshold) == stem


@pytest.mark.parametrize("bad", [499, 0, -1, 15_000.0, "15000", True])
def test_bad_thresholds_are_input_errors(bad: object) -> None:
    with pytest.raises(InputError, match="min_population"):
        load_cities(bad)  # type: ignore[arg-type]


def test_lower_threshold_reads_a_bigger_file(cities: CityTable) -> None:
    more = load_cities(5_000)
    assert len(more) > 2 * len(cities)
    assert more.population.min() >= 5_000


def test_subset_by_mask_and_by_index(cities: CityTable) -> None:
    korean = cities.subset(cities.country_code == "KR")
    assert len(korean) > 50
    assert set(korean.country_code) == {"KR"}
    assert not korean.name.flags.writeable
    first_three = cities.subset(np.array([0, 1, 2]))
    assert list(first_three.geoname_id) == list(cities.geoname_id[:3])


def test_subset_rejects_bad_selectors(cities: CityTable) -> None:
    with pytest.raises(InputError, match="mask_or_index"):
        cities.subset(np.array([True, False]))
    with pytest.raises(InputError, match="mask_or_index"):
        cities.subset(np.array([0.5]))


def test_table_rejects_ragged_columns(cities: CityTable) -> None:
    columns = {column.name: getattr(cities, column.name)[:3] for column in fields(cities)}
    columns["population"] = np.array([1, 2], dtype=np.int64)
    with pytest.raises(InputError, match="population"):
        CityTable(**columns)
