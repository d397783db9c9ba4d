"""Land or sea at any point: the 1 km GLOBE land mask, bit-packed and memory-mapped.

The mask comes from global-land-mask (MIT), which ships NOAA's GLOBE 30-arc-second grid
(21,600 rows × 43,200 columns, lakes count as land) as a 2.4 MB compressed ``.npz``. Importing
that package inflates the whole grid into a ~930 MB boolean array (about 3 s and 930 MB per
process, so per Dask worker and per API worker). Instead, the first use here streams the
package's file once, row block by row block, packs eight cells per byte (~116 MB) and saves the
result in a user cache directory; every later process memory-maps it, so a lookup costs
milliseconds and only the pages touched are read.

The cache directory is :func:`rocketpost.world.cache.cache_dir`. The file name carries the
global-land-mask version, so upgrading the package rebuilds it. If the directory cannot be
written, the packed grid is kept in memory for the life of the process (116 MB, rebuilt by each
process) and a warning is logged.

What is asked of the mask near a coast (how far offshore a point is, whether a boat leg crosses
land) is in :mod:`.coast`.

Cells follow the package exactly (``globe.lat_to_index`` / ``lon_to_index``): the row of a
latitude is ``int((lat - lat[0]) / (lat[1] - lat[0]))`` after clipping to the grid's latitude
range, likewise for longitude, so :func:`is_land` answers exactly what ``globe.is_land`` answers.
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
import math
import os
import tempfile
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.errors import InputError
from rocketpost.world.cache import cache_dir, write_cache_file

__all__ = [
    "MASK_CELL_DEG",
    "checked_lat_lon",
    "coarse_mask",
    "is_land",
    "packed_mask_path",
]

_log = logging.getLogger(__name__)

MASK_CELL_DEG = 1.0 / 120.0
"""Cell size of the GLOBE grid (30 arc-seconds, ~0.93 km north-south)."""

_FORMAT = "land-packbits-v1"
"""Bumped whenever the cached layout changes, so stale caches are never read."""

_ROW_BLOCK = 512
"""Rows inflated at a time while building the cache: 512 × 43,200 B ≈ 22 MB of working memory."""


@dataclass(frozen=True)
class _Grid:
    """The packed land bits (1 = land, big-endian bit order along longitude) and the axes."""

    packed: NDArray[np.uint8]
    n_cols: int
    lat0: float
    dlat: float
    lat_min: float
    lat_max: float
    lon0: float
    dlon: float
    lon_min: float
    lon_max: float

    @property
    def n_rows(self) -> int:
        return int(self.packed.shape[0])


def _package_version() -> str:
    try:
        return metadata.version("global-land-mask")
    except metadata.PackageNotFoundError:  # pragma: no cover - installed as a dependency
        return "unknown"


def _source_path() -> Path:
    # Located, never imported: importing global_land_mask inflates the whole 930 MB grid.
    spec = importlib.util.find_spec("global_land_mask")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("package 'global_land_mask' is not installed")
    package_dir = Path(next(iter(spec.submodule_search_locations)))
    return package_dir / "globe_combined_mask_compressed.npz"


def packed_mask_path() -> Path:
    """Where the bit-packed land mask is (or will be) cached."""
    return cache_dir() / f"global-land-mask-{_package_version()}-{_FORMAT}.npy"


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise ValueError("land mask source ended early")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _fill_packed(source: Path, out: NDArray[np.uint8]) -> None:
    """Write the packed land bits of ``source`` (a global-land-mask ``.npz``) into ``out``.

    The ``mask`` member is inflated block by block straight from the zip stream, so the build
    needs ~50 MB of working memory instead of the 930 MB a plain ``np.load`` would take.
    """
    with zipfile.ZipFile(source) as archive, archive.open("mask.npy") as stream:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
        else:
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
        if fortran_order or dtype != np.dtype(bool) or len(shape) != 2:
            # Not the layout this package has always shipped: take the simple, memory-hungry way.
            ocean = np.load(source)["mask"]
            out[...] = np.packbits(~np.asarray(ocean, dtype=bool), axis=1)
            return
        n_rows, n_cols = shape
        for start in range(0, n_rows, _ROW_BLOCK):
            stop = min(start + _ROW_BLOCK, n_rows)
            raw = _read_exactly(stream, (stop - start) * n_cols)
            ocean_block = np.frombuffer(raw, dtype=bool).reshape(stop - start, n_cols)
            # The package stores "is ocean"; keep "is land" so that a set bit means land.
            out[start:stop] = np.packbits(~ocean_block, axis=1)


def _axes(source: Path) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    with np.load(source) as archive:
        return np.asarray(archive["lat"], dtype=np.float64), np.asarray(
            archive["lon"], dtype=np.float64
        )


def _load_grid(source: Path, cache_file: Path | None) -> _Grid:
    """Open the cached packed grid, building it first if it is missing or unreadable.

    ``cache_file`` ``None`` (or an unwritable location) keeps the packed grid in memory.
    """
    lat, lon = _axes(source)
    shape = (len(lat), (len(lon) + 7) // 8)
    packed: NDArray[np.uint8] | None = None
    if cache_file is not None:
        packed = _open_cached(cache_file, shape)
        if packed is None:
            packed = _build_cache_file(source, cache_file, shape)
    if packed is None:
        packed = np.empty(shape, dtype=np.uint8)
        _fill_packed(source, packed)
        packed.flags.writeable = False
    return _Grid(
        packed=packed,
        n_cols=len(lon),
        lat0=float(lat[0]),
        dlat=float(lat[1] - lat[0]),
        lat_min=float(lat.min()),
        lat_max=float(lat.max()),
        lon0=float(lon[0]),
        dlon=float(lon[1] - lon[0]),
        lon_min=float(lon.min()),
        lon_max=float(lon.max()),
    )


def _open_cached(cache_file: Path, shape: tuple[int, int]) -> NDArray[np.uint8] | None:
    if not cache_file.is_file():
        return None
    try:
        mapped = np.load(cache_file, mmap_mode="r")
    except (OSError, ValueError) as error:
        _log.warning("ignoring unreadable land-mask cache %s: %s", cache_file, error)
        return None
    if mapped.shape != shape or mapped.dtype != np.uint8:
        _log.warning("ignoring land-mask cache %s with shape %s", cache_file, mapped.shape)
        return None
    # A plain ndarray view of the map: fancy indexing then returns plain arrays.
    return mapped.view(np.ndarray)


def _build_cache_file(
    source: Path, cache_file: Path, shape: tuple[int, int]
) -> NDArray[np.uint8] | None:
    """Build the cache atomically (temp file + ``os.replace``); ``None`` if it cannot be written.

    Concurrent builders (two test workers, two API workers) each write their own temporary file;
    the last rename wins and every reader only ever sees a complete file.
    """
    temporary: str | None = None
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=cache_file.parent, prefix=cache_file.stem + ".", suffix=".tmp"
        )
        os.close(handle)
        out = np.lib.format.open_memmap(temporary, mode="w+", dtype=np.uint8, shape=shape)
        _fill_packed(source, out)
        out.flush()
        del out
        os.replace(temporary, cache_file)
        temporary = None
    except OSError as error:
        _log.warning(
            "cannot write the land-mask cache in %s (%s); keeping it in memory instead",
            cache_file.parent,
            error,
        )
        return None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.remove(temporary)
    return _open_cached(cache_file, shape)


@lru_cache(maxsize=1)
def _grid() -> _Grid:
    return _load_grid(_source_path(), packed_mask_path())


def checked_lat_lon(
    lat_deg: ArrayLike, lon_deg: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validated, broadcast coordinates; longitudes outside [-180, 180] wrapped into it.

    Every query of the mask takes its coordinates through here, so that they are all rejected
    with the same :class:`~rocketpost.errors.InputError` (``field`` ``"lat_deg"`` or
    ``"lon_deg"``, with the first offending value) and wrap the same way.
    """
    lat, lon = np.broadcast_arrays(
        np.asarray(lat_deg, dtype=np.float64), np.asarray(lon_deg, dtype=np.float64)
    )
    bad_lat = ~(np.abs(lat) <= 90.0)  # also catches NaN
    if bad_lat.any():
        raise InputError(
            "lat_deg", float(lat[bad_lat].flat[0]), "must be a latitude in [-90, 90] degrees"
        )
    bad_lon = ~np.isfinite(lon)
    if bad_lon.any():
        raise InputError("lon_deg", float(lon[bad_lon].flat[0]), "must be a finite longitude")
    outside = np.abs(lon) > 180.0
    if outside.any():
        lon = np.where(outside, (lon + 180.0) % 360.0 - 180.0, lon)
    return lat, lon


def is_land(lat_deg: ArrayLike, lon_deg: ArrayLike) -> NDArray[np.bool_]:
    """Whether each point lies on a land cell of the 1 km GLOBE grid (lakes count as land).

    Parameters
    ----------
    lat_deg, lon_deg
        Scalars or arrays, broadcast together. Longitudes outside [-180, 180] are wrapped.

    Returns
    -------
    numpy.ndarray of bool
        Broadcast shape of the inputs (0-d for scalars). A million points take ~0.05 s once the
        cache exists.

    Raises
    ------
    InputError
        A latitude outside [-90, 90] or a non-finite coordinate (``field`` ``"lat_deg"`` or
        ``"lon_deg"``, with the first offending value).
    """
    lat, lon = checked_lat_lon(lat_deg, lon_deg)
    grid = _grid()
    rows = ((np.clip(lat, grid.lat_min, grid.lat_max) - grid.lat0) / grid.dlat).astype(np.intp)
    cols = ((np.clip(lon, grid.lon_min, grid.lon_max) - grid.lon0) / grid.dlon).astype(np.intp)
    flat_index = rows * grid.packed.shape[1] + (cols >> 3)
    byte = np.take(grid.packed.reshape(-1), flat_index)
    bit = (byte >> (7 - (cols & 7)).astype(np.uint8)) & np.uint8(1)
    return np.asarray(bit, dtype=np.bool_)


def _coarse_block(resolution_deg: float, grid: _Grid) -> int:
    cells = resolution_deg / MASK_CELL_DEG
    block = round(cells) if math.isfinite(cells) else 0
    if block < 1 or abs(cells - block) > 1e-6 or grid.n_rows % block or grid.n_cols % block:
        raise InputError(
            "resolution_deg",
            resolution_deg,
            "must be a whole number of 1/120° cells dividing 180° (e.g. 0.05, 0.1, 0.25, 0.5, 1)",
        )
    return block


def coarse_mask(resolution_deg: float = 0.25) -> NDArray[np.bool_]:
    """Downsampled land mask for drawing coastlines on a world map.

    A coarse cell is land when at least half of its 1 km cells are land (lakes included).

    Parameters
    ----------
    resolution_deg
        Cell size; a whole number of 1/120° cells that divides 180° (0.25 -> 720 × 1440).

    Returns
    -------
    numpy.ndarray of bool, read-only, shape ``(180 / res, 360 / res)``
        Row 0 is the northernmost band (90° N down to 90° − res) and column 0 starts at 180° W,
        i.e. ``imshow(mask, extent=(-180, 180, -90, 90), origin="upper")``. Computed once from
        the packed grid (~1 s) and cached in memory and next to the packed grid on disk.
    """
    if isinstance(resolution_deg, bool) or not isinstance(
        resolution_deg, int | float | np.floating | np.integer
    ):
        raise InputError("resolution_deg", resolution_deg, "must be a number of degrees")
    return _coarse_mask(_coarse_block(float(resolution_deg), _grid()))


@lru_cache(maxsize=4)
def _coarse_mask(block: int) -> NDArray[np.bool_]:
    grid = _grid()
    cached_file = packed_mask_path().with_name(packed_mask_path().stem + f"-coarse{block}.npy")
    mask: NDArray[np.bool_] | None = None
    if cached_file.is_file():
        try:
            loaded = np.load(cached_file)
            if loaded.shape == (grid.n_rows // block, grid.n_cols // block):
                mask = loaded.astype(bool)
        except (OSError, ValueError):
            mask = None
    if mask is None:
        mask = _compute_coarse(grid, block)
        _save_quietly(cached_file, mask)
    mask.flags.writeable = False
    return mask


def _compute_coarse(grid: _Grid, block: int) -> NDArray[np.bool_]:
    out_rows, out_cols = grid.n_rows // block, grid.n_cols // block
    land_cells = np.empty((out_rows, out_cols), dtype=np.int64)
    bands = max(1, 512 // block)  # coarse rows per pass: bounded working memory
    for first in range(0, out_rows, bands):
        last = min(first + bands, out_rows)
        fine = np.unpackbits(
            grid.packed[first * block : last * block], axis=1, count=grid.n_cols
        ).reshape(last - first, block, out_cols, block)
        land_cells[first:last] = fine.sum(axis=(1, 3), dtype=np.int64)
    return np.asarray(2 * land_cells >= block * block)


def _save_quietly(path: Path, array: NDArray[Any]) -> None:
    """Cache a small derived array; a read-only cache directory is not an error."""
    write_cache_file(path, lambda stream: np.save(stream, array))
