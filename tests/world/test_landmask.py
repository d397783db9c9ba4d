"""Land mask: the packed, memory-mapped GLOBE grid against the package it derives from.

These tests use the default cache (``$ROCKETPOST_CACHE_DIR``, else ``~/.cache/rocketpost``):
building it takes a few seconds once per machine and 116 MB of disk, and a throwaway directory
would rebuild it in every test session (and in each xdist worker). The cache mechanics
(building, atomic replacement, fallback to memory, rejecting a bad file) are tested on a small
synthetic source in a temporary directory instead.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rocketpost.errors import InputError
from rocketpost.world import landmask
from rocketpost.world.landmask import MASK_CELL_DEG, coarse_mask, is_land

PARIS = (48.8566, 2.3522)
MID_ATLANTIC = (30.0, -40.0)


@pytest.fixture(scope="module")
def globe() -> Iterator[object]:
    """The reference implementation (inflates 930 MB once for this module)."""
    from global_land_mask import globe as reference

    yield reference


def test_agrees_with_global_land_mask_everywhere(globe: object) -> None:
    rng = np.random.default_rng(20240331)
    lat = rng.uniform(-90.0, 90.0, 300_000)
    lon = rng.uniform(-180.0, 180.0, 300_000)
    # Cell edges, the poles and the antimeridian, where off-by-one errors live.
    edges_lat = np.concatenate([[90.0, -90.0, 0.0, 89.99, -89.99], 90.0 - np.arange(0, 200) / 120])
    edges_lon = np.concatenate([[-180.0, 180.0, 0.0, 179.999], -180.0 + np.arange(0, 200) / 120])
    grid_lat, grid_lon = np.meshgrid(edges_lat, edges_lon)
    lat = np.concatenate([lat, grid_lat.ravel()])
    lon = np.concatenate([lon, grid_lon.ravel()])
    expected = globe.is_land(lat.copy(), lon.copy())  # type: ignore[attr-defined]
    assert np.array_equal(is_land(lat, lon), expected)


def test_coastal_points_agree(globe: object) -> None:
    # Dense sampling across the Strait of Gibraltar: land, sea and coast cells side by side.
    lat, lon = np.meshgrid(np.linspace(35.7, 36.2, 301), np.linspace(-6.1, -5.2, 301))
    expected = globe.is_land(lat.copy(), lon.copy())  # type: ignore[attr-defined]
    assert 0.2 < expected.mean() < 0.8
    assert np.array_equal(is_land(lat, lon), expected)


def test_known_places() -> None:
    assert bool(is_land(*PARIS))
    assert not bool(is_land(*MID_ATLANTIC))
    assert bool(is_land(47.7, -87.5))  # Lake Superior: lakes count as land in GLOBE
    assert bool(is_land(-85.0, 0.0))  # Antarctica


def test_shapes_broadcast() -> None:
    assert is_land(*PARIS).shape == ()
    lat = np.full((3, 4), PARIS[0])
    assert is_land(lat, PARIS[1]).shape == (3, 4)
    assert is_land([0.0, 48.8566], [-30.0, 2.3522]).tolist() == [False, True]


def test_longitudes_wrap() -> None:
    assert bool(is_land(PARIS[0], PARIS[1] + 360.0))
    assert is_land(-85.0, 190.0) == is_land(-85.0, -170.0)


@pytest.mark.parametrize("lat", [91.0, -90.5, float("nan")])
def test_bad_latitude_is_an_input_error(lat: float) -> None:
    with pytest.raises(InputError, match="lat_deg") as caught:
        is_land([0.0, lat], 0.0)
    if not math.isnan(lat):
        assert str(lat) in str(caught.value)


def test_non_finite_longitude_is_an_input_error() -> None:
    with pytest.raises(InputError, match="lon_deg"):
        is_land(0.0, float("inf"))


def test_coarse_mask() -> None:
    mask = coarse_mask(0.25)
    assert mask.shape == (720, 1440)
    assert mask.dtype == np.bool_
    assert not mask.flags.writeable
    assert coarse_mask(0.25) is mask  # cached
    assert 0.25 < mask.mean() < 0.40  # per cell, not per area: polar land is over-counted
    assert not mask[0].any()  # row 0 is the Arctic Ocean at the pole: north is up
    assert mask[-1].all()  # the last row is Antarctica
    row = int((90.0 - PARIS[0]) / 0.25)
    col = int((PARIS[1] + 180.0) / 0.25)
    assert mask[row, col]
    centre_lat = 90.0 - (np.arange(720) + 0.5) * 0.25
    centre_lon = -180.0 + (np.arange(1440) + 0.5) * 0.25
    at_centres = is_land(centre_lat[:, None], centre_lon[None, :])
    assert (at_centres == mask).mean() > 0.97


@pytest.mark.parametrize("bad", [0.33, 7.0, 0.0, -0.25, float("nan"), True, "0.25"])
def test_coarse_mask_rejects_bad_resolutions(bad: object) -> None:
    with pytest.raises(InputError, match="resolution_deg"):
        coarse_mask(bad)  # type: ignore[arg-type]


def test_cell_size() -> None:
    assert pytest.approx(360.0) == MASK_CELL_DEG * 43_200


# --- cache mechanics, on a small synthetic source -------------------------------------------


def _synthetic_source(directory: Path, fortran: bool = False) -> tuple[Path, np.ndarray]:
    rng = np.random.default_rng(7)
    ocean = rng.random((12, 21)) < 0.6  # 21 columns: not a multiple of 8
    lat = 90.0 - np.arange(12) * 15.0
    lon = -180.0 + np.arange(21) * (360.0 / 21)
    source = directory / "mask.npz"
    np.savez_compressed(
        source, mask=np.asfortranarray(ocean) if fortran else ocean, lat=lat, lon=lon
    )
    return source, ocean


@pytest.mark.parametrize("fortran", [False, True])
def test_cache_is_built_once_and_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fortran: bool
) -> None:
    source, ocean = _synthetic_source(tmp_path, fortran)
    cache_file = tmp_path / "cache" / "packed.npy"
    grid = landmask._load_grid(source, cache_file)
    assert cache_file.is_file()
    assert np.array_equal(grid.packed, np.packbits(~ocean, axis=1))
    assert grid.n_cols == 21 and grid.n_rows == 12
    assert grid.dlat == pytest.approx(-15.0)
    assert list(cache_file.parent.iterdir()) == [cache_file]  # no temporary file left behind

    def no_rebuild(*args: object) -> None:
        raise AssertionError("the cache was rebuilt")

    monkeypatch.setattr(landmask, "_fill_packed", no_rebuild)
    again = landmask._load_grid(source, cache_file)
    assert np.array_equal(again.packed, grid.packed)
    assert not again.packed.flags.writeable


def test_coarse_cells_are_land_when_at_least_half_is_land(tmp_path: Path) -> None:
    source, ocean = _synthetic_source(tmp_path)
    grid = landmask._load_grid(source, None)
    coarse = landmask._compute_coarse(grid, 3)
    land_share = (~ocean).reshape(4, 3, 7, 3).mean(axis=(1, 3))
    assert np.array_equal(coarse, land_share >= 0.5)


def test_unwritable_cache_falls_back_to_memory(tmp_path: Path) -> None:
    source, ocean = _synthetic_source(tmp_path)
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    grid = landmask._load_grid(source, blocker / "packed.npy")
    assert np.array_equal(grid.packed, np.packbits(~ocean, axis=1))
    assert blocker.is_file()


def test_cache_with_the_wrong_shape_is_rebuilt(tmp_path: Path) -> None:
    source, ocean = _synthetic_source(tmp_path)
    cache_file = tmp_path / "packed.npy"
    np.save(cache_file, np.zeros((3, 3), dtype=np.uint8))
    grid = landmask._load_grid(source, cache_file)
    assert np.array_equal(grid.packed, np.packbits(~ocean, axis=1))
    assert np.load(cache_file).shape == (12, 3)


def test_garbage_cache_file_is_rebuilt(tmp_path: Path) -> None:
    source, ocean = _synthetic_source(tmp_path)
    cache_file = tmp_path / "packed.npy"
    cache_file.write_bytes(b"not a numpy file")
    grid = landmask._load_grid(source, cache_file)
    assert np.array_equal(grid.packed, np.packbits(~ocean, axis=1))


def test_no_cache_file_keeps_the_grid_in_memory(tmp_path: Path) -> None:
    source, ocean = _synthetic_source(tmp_path)
    grid = landmask._load_grid(source, None)
    assert np.array_equal(grid.packed, np.packbits(~ocean, axis=1))
    assert sorted(os.listdir(tmp_path)) == ["mask.npz"]


def test_cache_file_name_carries_the_package_version() -> None:
    from importlib import metadata

    assert metadata.version("global-land-mask") in landmask.packed_mask_path().name
