"""What the door-to-door kernel is asked: the rows (:class:`ParcelRows`) and the options that
hold for all of them (:class:`KernelOptions`).

Split from :mod:`rocketpost.core.doortodoor` (which re-exports both) so that a call reads as
"these parcels, under these options" rather than a dozen keyword arguments, and to keep the
kernel short. The rows are checked once, by :func:`checked_rows`, when the kernel starts: the
width of ``allowed`` depends on the options' origins, and a quote (one row of Python floats)
takes a cheaper path than an array of a million orders.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.networklegs import NetworkLegs, WaveWait
from rocketpost.errors import InputError

__all__ = ["BLOCK_ROWS", "BlockRows", "KernelOptions", "ParcelRows", "checked_rows"]

# Rows per vectorised block. Each block builds (rows × origins × destinations) temporaries: at
# 20,000 rows those were ~70 MB each, fresh pages the kernel had to fault in and zero every time;
# at 2,000 they stay in cache (1M planned orders: 7.5 s -> 5.0 s).
BLOCK_ROWS = 2_000


@dataclass(frozen=True, slots=True)
class ParcelRows:
    """The N rows the kernel routes: what varies per parcel (or per place).

    Every field but the places may be one value for all rows; ``None`` means the default for
    every row (no array is built for it).

    Attributes
    ----------
    lat_deg, lon_deg
        The N places (1-D, or Python floats for one row: a quote, checked without arrays).
    ready_s
        Per-row (or one) order time, epoch seconds: the wave wait is exact (waves leave at whole
        multiples of the hub's interval from 00:00 UTC; the pod is ready ``handling`` after the
        order). ``None``: the options' ``wave_wait`` policy decides.
    drone_ok
        Whether a drone may carry the parcel (payload, no dangerous goods). Default: yes.
    may_fly
        Whether the parcel may fly on the rocket (else ground only). Default: yes.
    allowed
        ``(N, origins)`` (or ``(origins,)``) mask of origins that hold the stock.
    """

    lat_deg: ArrayLike
    lon_deg: ArrayLike
    ready_s: ArrayLike | None = None
    drone_ok: ArrayLike | None = None
    may_fly: ArrayLike | None = None
    allowed: ArrayLike | None = None


@dataclass(frozen=True, slots=True)
class KernelOptions:
    """How the kernel routes every row: the same for the whole call.

    Attributes
    ----------
    wave_wait
        Wave-wait policy for rows without a ready time (:class:`WaveWait`).
    origins
        Hub positions considered as origins (default: every hub), in the order of ``allowed``'s
        columns and of the ``per_origin`` result.
    allow_ground
        Allow a ground delivery from an origin's own fulfilment centre.
    per_origin
        Return ``(origins, N)`` arrays (the fastest route from each origin) instead of the best
        origin per row.
    reach
        Compute ``nearest_port_s`` (NaN without: the quote's routing skips it and asks again
        only when the reason needs it).
    block_rows
        Rows evaluated per vectorised block (memory stays in cache for any N); the kernel keeps
        it between a floor and what fits the (rows × origins × sites) cube.
    vessel_drones
        Per landing site, whether its recovery vessel may launch drones now (wind and sea
        state: :func:`rocketpost.core.vesseldrone.vessel_drone_sites`); ``None``: open
        conditions, every site with vessel drones.

    Nothing to check here: ``origins`` come from ``NetworkLegs.origin_indices`` and a quote
    builds one per call, so a ``__post_init__`` would cost every quote.
    """

    wave_wait: WaveWait | str = WaveWait.WORST
    origins: NDArray[np.intp] | None = None
    allow_ground: bool = True
    per_origin: bool = False
    reach: bool = True
    block_rows: int = BLOCK_ROWS
    vessel_drones: NDArray[np.bool_] | None = None


class BlockRows(NamedTuple):
    """Checked rows as arrays (or ``None``/0-d for "the same for every row"), sliceable into
    blocks; a tuple, as the kernel builds one per block.

    A single row asked for its best origin (a quote) has no row axis: its place, ready time and
    flags are 0-d and ``allowed`` is ``(origins,)``. The kernel's expressions broadcast the same
    either way, elementwise the same floating-point operations, so the row's answer is bit for
    bit what it would be inside a block; without the axis NumPy skips its broadcasting machinery
    on every (1, k) by (k,) operation, most of a quote's routing time.
    """

    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    ready: NDArray[np.float64] | None
    drone_ok: NDArray[np.bool_] | None
    may_fly: NDArray[np.bool_] | None
    allowed: NDArray[np.bool_] | None

    def part(self, rows: slice) -> BlockRows:
        """The rows of one block."""
        return BlockRows(
            self.lat[rows],
            self.lon[rows],
            _part(self.ready, rows),
            _part(self.drone_ok, rows),
            _part(self.may_fly, rows),
            _part(self.allowed, rows),
        )


def _part(values: NDArray[Any] | None, rows: slice) -> Any:
    return values if values is None or values.ndim == 0 else values[rows]


def _per_row(value: ArrayLike | None, n: int, name: str, dtype: type) -> NDArray[Any] | None:
    """Per-row flags or times as an ``(n,)`` array; ``None`` or a scalar stays cheap (one row,
    or the same value for every row, needs no array of its own)."""
    if value is None or value is True:  # the default for every row: nothing to apply
        return None
    array: NDArray[Any] = np.asarray(value, dtype=dtype)
    if array.ndim == 0:
        return array
    if array.shape != (n,):
        raise InputError(name, array.shape, f"must have one value per row ({n})")
    return array


def _scalar(value: NDArray[Any] | None) -> NDArray[Any] | None:
    """A single row's value without its row axis (0-d)."""
    return value if value is None or value.ndim == 0 else value.reshape(())


def _places(
    lat_deg: ArrayLike, lon_deg: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The places as 1-D arrays, checked; one place given as two Python floats (a quote) as 0-d
    arrays, checked in Python (a dozen array calls cheaper)."""
    if isinstance(lat_deg, float) and isinstance(lon_deg, float):
        if not abs(lat_deg) <= 90.0:
            raise InputError("latitude", [lat_deg], "must be in [-90, 90]")
        if not abs(lon_deg) <= 180.0:
            raise InputError("longitude", [lon_deg], "must be in [-180, 180]")
        return np.array(lat_deg), np.array(lon_deg)
    lat = np.asarray(lat_deg, dtype=np.float64).reshape(-1)
    lon = np.asarray(lon_deg, dtype=np.float64).reshape(-1)
    if lat.shape != lon.shape or np.ndim(lat_deg) > 1 or np.ndim(lon_deg) > 1:
        raise InputError(
            "places",
            (np.shape(lat_deg), np.shape(lon_deg)),
            "latitudes and longitudes must be 1-D and equally long",
        )
    bad_lat = ~(np.abs(lat) <= 90.0)
    if bad_lat.any():
        raise InputError("latitude", lat[bad_lat][:1].tolist(), "must be in [-90, 90]")
    bad_lon = ~(np.abs(lon) <= 180.0)
    if bad_lon.any():
        raise InputError("longitude", lon[bad_lon][:1].tolist(), "must be in [-180, 180]")
    return lat, lon


def checked_rows(legs: NetworkLegs, rows: ParcelRows, options: KernelOptions) -> BlockRows:
    """The rows checked against the network and options, as arrays the blocks slice.

    One row whose best origin is asked for (a quote) comes back without its row axis: 0-d
    places, ready time and flags, ``allowed`` shaped ``(origins,)`` (see :class:`BlockRows`).
    """
    lat, lon = _places(rows.lat_deg, rows.lon_deg)
    n = lat.size
    single = n == 1 and not options.per_origin
    if single and lat.ndim:
        lat, lon = lat.reshape(()), lon.reshape(())
    elif not single and lat.ndim == 0:
        lat, lon = lat.reshape(1), lon.reshape(1)
    n_origins = legs.hub_count if options.origins is None else options.origins.size
    ready = _per_row(rows.ready_s, n, "ready_s", np.float64)
    if ready is not None and not single and ready.ndim == 0:
        ready = np.full(n, ready)  # one order time for every row: the waits are per row
    drone_ok = _per_row(rows.drone_ok, n, "drone_ok", np.bool_)
    may_fly = _per_row(rows.may_fly, n, "may_fly", np.bool_)
    if single:
        ready, drone_ok, may_fly = _scalar(ready), _scalar(drone_ok), _scalar(may_fly)
    mask = None
    if rows.allowed is not None:
        mask = np.asarray(rows.allowed, dtype=bool)
        if single and mask.shape == (1, n_origins):
            mask = mask.reshape(n_origins)
        elif not single and mask.shape == (n_origins,):
            mask = np.broadcast_to(mask, (n, n_origins))
        if mask.shape != (*lat.shape, n_origins):
            raise InputError(
                "allowed_origins", mask.shape, f"must be ({n_origins},) or ({n}, {n_origins})"
            )
    return BlockRows(lat, lon, ready, drone_ok, may_fly, mask)
