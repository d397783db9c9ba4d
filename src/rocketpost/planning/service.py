"""Service choice: the one-hour rocket where the physics keeps the promise, else standard.

Every order is timed leg by leg from the same building blocks as :mod:`rocketpost.core.eta`
(flight matrix, per-hub handling and wave interval, boat and port legs,
:func:`~rocketpost.core.eta.last_mile_s`) but with its own parcel and its exact launch wave,
vectorised over orders in chunks so that a million orders never build the full
``orders × origins × destinations`` cube at once.

A downgrade always carries a :class:`Reason`; reasons are checked in a fixed priority (customs
hold, dangerous goods, too heavy, no stock, then reach) so that the first rule that bites is the
one reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.eta import Parcel, flight_matrix, landing_to_port_s, last_mile_s
from rocketpost.core.geo import great_circle_km
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable

__all__ = [
    "FORBIDDEN_DANGEROUS_GOODS",
    "Mode",
    "Reason",
    "ServiceChoice",
    "choose_service",
]

FORBIDDEN_DANGEROUS_GOODS: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "8")
"""UN classes that may not fly on the rocket. Class 9 (lithium batteries packed with equipment)
flies, as it does as air cargo under IATA DGR with the right packing; the rest go standard."""

# Orders per vectorised block. Each block builds (orders × ports) and (orders × hubs × hubs)
# temporaries: at 20,000 orders those were ~70 MB each, fresh pages the kernel had to fault in
# and zero every time; at 2,000 they stay in cache. 1M orders: 7.5 s -> 5.0 s (1,000: same,
# 5,000: 6.0 s; `python benchmarks/bench_planning.py`).
_CHUNK = 2_000
_INF = np.inf


class Reason(StrEnum):
    """Why an order is not delivered within the hour by rocket (``ok`` when it is)."""

    OK = "ok"
    CUSTOMS_HOLD = "customs_hold"
    DANGEROUS_GOODS = "dangerous_goods"
    TOO_HEAVY = "too_heavy"
    NO_STOCK = "no_stock"
    NO_LANDING_ZONE_IN_REACH = "no_landing_zone_in_reach"
    LAST_MILE_TOO_LONG = "last_mile_too_long"
    NO_CAPACITY = "no_capacity"
    LIGHT_LOAD = "light_load"


REASONS: tuple[Reason, ...] = tuple(Reason)
"""Reason codes in the order of their int8 index in :attr:`ServiceChoice.reason`."""


class Mode(IntEnum):
    """How a one-hour order travels (standard orders leave the one-hour network)."""

    STANDARD = 0
    ROCKET = 1
    GROUND = 2


def reason_code(reason: Reason) -> np.int8:
    """Index of ``reason`` in :data:`REASONS` (the int8 stored per order)."""
    return np.int8(REASONS.index(reason))


@dataclass(frozen=True, eq=False)
class ServiceChoice:
    """Per-order service and timing, aligned with the order table's rows.

    Times are float UTC epoch seconds. ``launch_s``, ``landing_s`` and ``port_s`` are NaN for
    orders that do not fly; ``delivery_s`` is the planned delivery for one-hour orders and the
    standard promise for the rest.
    """

    mode: NDArray[np.int8]
    reason: NDArray[np.int8]
    origin: NDArray[np.intp]
    destination: NDArray[np.intp]
    created_s: NDArray[np.float64]
    launch_s: NDArray[np.float64]
    landing_s: NDArray[np.float64]
    port_s: NDArray[np.float64]
    last_mile_s: NDArray[np.float64]
    inspection_s: NDArray[np.float64]
    delivery_s: NDArray[np.float64]
    promised_s: NDArray[np.float64]
    best_total_s: NDArray[np.float64]

    @property
    def one_hour(self) -> NDArray[np.bool_]:
        """True for orders that keep the one-hour service (rocket or ground)."""
        return np.asarray(self.mode != Mode.STANDARD)

    def reason_names(self) -> NDArray[np.str_]:
        """Reason codes as strings."""
        return np.array([r.value for r in REASONS])[self.reason]


def _per_order_last_mile(
    network: Network, km: NDArray[np.float64], drone_ok: NDArray[np.bool_]
) -> NDArray[np.float64]:
    # last_mile_s takes one parcel; evaluate a drone-sized and an oversized parcel and pick per
    # order, so the formula stays in one place (eta.py).
    drone = network.drone
    small = Parcel(drone.max_parcel_kg, drone.max_parcel_m3)
    large = Parcel(drone.max_parcel_kg * 2.0, drone.max_parcel_m3 * 2.0)
    small_s, _ = last_mile_s(network, km, small)
    large_s, _ = last_mile_s(network, km, large)
    return np.where(drone_ok, small_s, large_s)


def _optional(values: ArrayLike | None, n: int, name: str, dtype: type) -> NDArray[Any]:
    if values is None:
        return np.zeros(n, dtype=dtype)
    array: NDArray[Any] = np.asarray(values, dtype=dtype)
    if array.shape != (n,):
        raise InputError(name, array.shape, f"must have one value per order ({n})")
    return array


def choose_service(
    network: Network,
    orders: OrderTable,
    *,
    promise_s: float = 3600.0,
    standard_days: float | None = None,
    inspection_delay_s: ArrayLike | None = None,
    held: ArrayLike | None = None,
    allowed_origins: ArrayLike | None = None,
) -> ServiceChoice:
    """Choose the service, origin and destination hub and the planned timing of every order.

    Parameters
    ----------
    network
        The network.
    orders
        The day's orders.
    promise_s
        The one-hour promise (seconds after the order).
    standard_days
        Promise of the standard service (default: the network's ``promise.standard_days``).
    inspection_delay_s
        Hook for customs: per-order extra seconds at the destination port (default 0).
    held
        Hook for customs: per-order "held" flag; a held order goes standard (``customs_hold``).
    allowed_origins
        Inventory hook: boolean ``(orders, hubs)`` matrix of hubs holding the stock (default:
        stock everywhere). An order's ``origin_hub`` column always restricts it to that hub.

    Returns
    -------
    ServiceChoice
        Aligned with ``orders``.
    """
    n, h = len(orders), len(network.hubs)
    # The plan must land inside the promise minus the calibrated buffer, so that disruptions
    # (scrubs, sea state, customs) eat the buffer rather than the promise.
    plan_within_s = promise_s - network.promise.buffer_s
    inspection = _optional(inspection_delay_s, n, "inspection_delay_s", np.float64)
    is_held = _optional(held, n, "held", np.bool_)
    if np.any(inspection < 0) or not np.all(np.isfinite(inspection)):
        raise InputError("inspection_delay_s", "negative or not finite", "must be ≥ 0 seconds")
    allowed = (
        np.ones((n, h), dtype=bool)
        if allowed_origins is None
        else np.asarray(allowed_origins, dtype=bool)
    )
    if allowed.shape != (n, h):
        raise InputError("allowed_origins", allowed.shape, f"must be ({n}, {h})")
    fixed_origin = orders.origin_hub != ""
    if fixed_origin.any():
        codes = {hub: i for i, hub in enumerate(network.hub_ids)}
        unknown = sorted(set(np.unique(orders.origin_hub[fixed_origin]).tolist()) - set(codes))
        if unknown:
            raise InputError("origin_hub", unknown[0], "is not a hub of this network")
        origin_index = np.array([codes.get(x, -1) for x in orders.origin_hub.tolist()])
        mask = np.zeros((n, h), dtype=bool)
        mask[np.flatnonzero(fixed_origin), origin_index[fixed_origin]] = True
        allowed = np.where(fixed_origin[:, None], allowed & mask, allowed)

    rocket = network.rocket
    drone = network.drone
    flights = np.asarray(flight_matrix(network).flight_s, dtype=np.float64).copy()
    np.fill_diagonal(flights, _INF)  # a hub never flies to its own landing zone
    arrival = landing_to_port_s(network)
    handling = network.handling_s
    interval = network.launch_wave_interval_s
    created = orders.created_at_s.astype(np.float64)
    drone_ok = (orders.mass_kg <= drone.max_parcel_kg) & (orders.volume_m3 <= drone.max_parcel_m3)

    out = {
        name: np.full(n, np.nan)
        for name in ("launch_s", "landing_s", "port_s", "last_mile_s", "delivery_s", "best_total_s")
    }
    origin = np.zeros(n, dtype=np.intp)
    destination = np.zeros(n, dtype=np.intp)
    ground = np.zeros(n, dtype=bool)
    port_reachable = np.zeros(n, dtype=bool)
    for start in range(0, n, _CHUNK):
        s = slice(start, min(n, start + _CHUNK))
        c = created[s]
        lat, lon = orders.destination_lat_deg[s], orders.destination_lon_deg[s]
        port_km = great_circle_km(
            lat[:, None], lon[:, None], network.port_lat_deg[None, :], network.port_lon_deg[None, :]
        )
        pad_km = great_circle_km(
            lat[:, None], lon[:, None], network.pad_lat_deg[None, :], network.pad_lon_deg[None, :]
        )
        port_lm = _per_order_last_mile(network, port_km, drone_ok[s][:, None])  # (N, D)
        pad_lm = _per_order_last_mile(network, pad_km, drone_ok[s][:, None])  # (N, O)
        ready = c[:, None] + handling[None, :]  # (N, O)
        launch = np.ceil(ready / interval[None, :] - 1e-9) * interval[None, :]
        launch = np.where(allowed[s], launch, _INF)
        at_port = launch[:, :, None] + flights[None, :, :] + arrival[None, None, :]  # (N, O, D)
        total = at_port + port_lm[:, None, :]
        flat = total.reshape(len(c), -1)
        best = np.argmin(flat, axis=1)
        rows = np.arange(len(c))
        best_o, best_d = np.divmod(best, h)
        rocket_total = flat[rows, best]
        ground_total = np.where(allowed[s], ready + pad_lm, _INF)
        best_g = np.argmin(ground_total, axis=1)
        g_total = ground_total[rows, best_g]
        use_ground = g_total <= rocket_total
        ground[s] = use_ground
        origin[s] = np.where(use_ground, best_g, best_o)
        destination[s] = np.where(use_ground, best_g, best_d)
        chosen_launch = launch[rows, best_o]
        out["launch_s"][s] = np.where(use_ground, np.nan, chosen_launch)
        out["landing_s"][s] = np.where(use_ground, np.nan, chosen_launch + flights[best_o, best_d])
        out["port_s"][s] = np.where(use_ground, np.nan, at_port[rows, best_o, best_d])
        out["last_mile_s"][s] = np.where(use_ground, pad_lm[rows, best_g], port_lm[rows, best_d])
        out["best_total_s"][s] = np.minimum(g_total, rocket_total) - c
        # "In reach" means the port nearest the door (by last mile) can be reached in time.
        nearest = np.argmin(port_lm, axis=1)
        port_reachable[s] = at_port[rows, :, nearest].min(axis=1) - c <= plan_within_s

    out["delivery_s"] = (
        np.where(ground, created + handling[origin], out["port_s"])
        + out["last_mile_s"]
        + inspection
    )
    reason = np.full(n, reason_code(Reason.OK), dtype=np.int8)
    late = ~(out["delivery_s"] - created <= plan_within_s + 1e-6)
    late_by_inspection = late & (out["delivery_s"] - inspection - created <= plan_within_s + 1e-6)
    rules = [
        (is_held | late_by_inspection, Reason.CUSTOMS_HOLD),
        (orders.carries_dangerous_goods(*FORBIDDEN_DANGEROUS_GOODS), Reason.DANGEROUS_GOODS),
        (
            (orders.mass_kg > rocket.payload_mass_kg)
            | (orders.volume_m3 > rocket.payload_volume_m3),
            Reason.TOO_HEAVY,
        ),
        (~allowed.any(axis=1), Reason.NO_STOCK),
        (late & ~port_reachable, Reason.NO_LANDING_ZONE_IN_REACH),
        (late, Reason.LAST_MILE_TOO_LONG),
    ]
    for mask, why in reversed(rules):  # the first rule in the list wins
        reason[np.asarray(mask, dtype=bool)] = reason_code(why)
    # Ground deliveries need no rocket: weight and dangerous goods do not bar them.
    reason[ground & ~late & ~is_held & allowed.any(axis=1)] = reason_code(Reason.OK)
    standard = reason != reason_code(Reason.OK)
    mode = np.where(standard, Mode.STANDARD, np.where(ground, Mode.GROUND, Mode.ROCKET)).astype(
        np.int8
    )
    days = network.promise.standard_days if standard_days is None else standard_days
    promised = np.where(standard, created + days * 86400.0, created + promise_s)
    for name in ("launch_s", "landing_s", "port_s"):
        out[name] = np.where(mode == Mode.ROCKET, out[name], np.nan)
    out["delivery_s"] = np.where(standard, promised, out["delivery_s"])
    return ServiceChoice(
        mode=mode,
        reason=reason,
        origin=origin,
        destination=destination,
        created_s=created,
        launch_s=out["launch_s"],
        landing_s=out["landing_s"],
        port_s=out["port_s"],
        last_mile_s=out["last_mile_s"],
        inspection_s=inspection,
        delivery_s=out["delivery_s"],
        promised_s=promised,
        best_total_s=out["best_total_s"],
    )
