"""Consolidation: one-hour rocket orders packed into flights per lane and launch wave.

A *lane* is (origin hub, destination hub); a *lane-wave* is a lane at one launch time. Every
lane-wave is packed under both limits of the rocket (mass and volume). Large items (B2B pallets,
more than :data:`LARGE_SHARE` of either limit) go first-fit-decreasing by their binding
dimension; the many small parcels then fill the open bins and new ones with prefix sums
(``searchsorted`` on cumulative mass and volume), so a bin loses at most one small parcel's
worth of space and the packing stays vectorised.

A lane-wave whose last flight would leave nearly empty gets a :class:`LightLoadDecision`: *hold*
its parcels for the next wave of the lane when every one of them still keeps its promise one
interval later, else *fly* light (or *downgrade* when the cost per kilogram exceeds the
policy's ceiling). The record carries the fill, the cost per kg and the tightest slack.

Same-day orders (the second rocket tier) come after every one-hour order is packed: they fill
the room the one-hour flights of their lane leave and fly extra flights only when those are
full enough (:mod:`rocketpost.planning.sameday`); one-hour orders are never moved for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.planning.sameday import SAME_DAY_MIN_FILL, fill_same_day
from rocketpost.planning.service_choice import Mode, ServiceChoice

__all__ = [
    "LARGE_SHARE",
    "Consolidation",
    "ConsolidationPolicy",
    "LightLoadDecision",
    "consolidate",
    "lower_bound",
    "pack",
]

LARGE_SHARE = 0.02
"""Items above this share of the mass or volume limit are packed one by one (FFD)."""


@dataclass(frozen=True)
class ConsolidationPolicy:
    """When a nearly empty flight is held, flown light or downgraded.

    Parameters
    ----------
    hold_below_fill
        A lane-wave's last flight filled below this share (binding dimension) is held for the
        next wave when every parcel's promise allows it.
    max_cost_per_kg_usd
        A light flight that cannot be held flies only if its cost per kg stays under this
        ceiling; otherwise its parcels are downgraded (``light_load``). Default: US$2,800/kg,
        Space Epoch's target price of 20,000 CNY/kg (docs/architecture.md): a flight that
        cannot reach the operator's own price target is not flown for a handful of parcels.
        ``math.inf`` always flies.
    same_day
        Offer the same-day rocket tier: orders that miss the hour but reach the door within
        the same-day window fill the room one-hour flights leave.
    same_day_min_fill
        An extra flight carrying same-day orders alone flies only filled to this share
        (binding dimension); default :data:`~rocketpost.planning.sameday.SAME_DAY_MIN_FILL`.
    b2b_same_day
        B2B freight goes same-day even where it could fly within the hour: pallets wait for
        a flight with room instead of launching rockets of their own (with ``same_day``).
    """

    hold_below_fill: float = 0.5
    max_cost_per_kg_usd: float = 2800.0
    same_day: bool = True
    same_day_min_fill: float = SAME_DAY_MIN_FILL
    b2b_same_day: bool = True

    def __post_init__(self) -> None:
        if not (0.0 <= self.same_day_min_fill <= 1.0):
            raise InputError("same_day_min_fill", self.same_day_min_fill, "must be in [0, 1]")
        for name in ("same_day", "b2b_same_day"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(name, getattr(self, name), "must be true or false")
        if not (0.0 <= self.hold_below_fill <= 1.0):
            raise InputError("hold_below_fill", self.hold_below_fill, "must be in [0, 1]")
        if not (self.max_cost_per_kg_usd > 0):
            raise InputError("max_cost_per_kg_usd", self.max_cost_per_kg_usd, "must be positive")


@dataclass(frozen=True)
class LightLoadDecision:
    """What happened to a lane-wave's nearly empty last flight, with cost and promise."""

    origin: int
    destination: int
    launch_s: float
    action: str  # "hold", "fly" or "downgrade"
    orders: int
    mass_kg: float
    volume_m3: float
    fill: float
    cost_per_kg_usd: float
    min_slack_s: float
    next_launch_s: float


@dataclass(frozen=True, eq=False)
class Consolidation:
    """Packed flights (bins) and the per-lane-wave report.

    ``order_bin[i]`` is the bin of order ``i`` (-1 if it does not fly). Bins are sorted by launch
    time. ``launch_s`` of held orders moved to the later wave is in ``order_launch_s``, as is
    the wave each same-day order flies on. ``bin_same_day`` marks the extra flights that carry
    same-day orders only; ``bin_one_hour_mass_kg`` / ``_volume_m3`` are each bin's load before
    the same-day top-up; ``same_day_no_room`` (a one-hour flight in their window was full) and
    ``same_day_too_light`` (no flight, and too little for one) are same-day orders that do not
    fly.
    """

    order_bin: NDArray[np.int64]
    order_launch_s: NDArray[np.float64]
    bin_origin: NDArray[np.intp]
    bin_destination: NDArray[np.intp]
    bin_launch_s: NDArray[np.float64]
    bin_mass_kg: NDArray[np.float64]
    bin_volume_m3: NDArray[np.float64]
    bin_orders: NDArray[np.int64]
    lane_waves: dict[str, NDArray[Any]]
    decisions: list[LightLoadDecision] = field(default_factory=list)
    downgraded: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    bin_same_day: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))
    bin_one_hour_mass_kg: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    bin_one_hour_volume_m3: NDArray[np.float64] = field(default_factory=lambda: np.zeros(0))
    same_day_no_room: NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    same_day_too_light: NDArray[np.int64] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64)
    )


def lower_bound(mass_kg: float, volume_m3: float, cap_kg: float, cap_m3: float) -> int:
    """max(⌈Σkg / cap⌉, ⌈Σm³ / cap⌉): no packing can use fewer flights."""
    eps = 1e-9
    return max(math.ceil(mass_kg / cap_kg - eps), math.ceil(volume_m3 / cap_m3 - eps), 0)


def pack(
    mass_kg: NDArray[np.float64], volume_m3: NDArray[np.float64], cap_kg: float, cap_m3: float
) -> NDArray[np.int64]:
    """Bin of each item, packed under both limits (see the module docstring).

    Every item must fit alone (checked by service choice: ``too_heavy``).
    """
    n = len(mass_kg)
    out = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return out
    size = np.maximum(mass_kg / cap_kg, volume_m3 / cap_m3)
    if size.max() > 1.0 + 1e-9:
        raise InputError("mass_kg/volume_m3", float(size.max()), "an item exceeds one flight")
    order = np.argsort(-size, kind="stable")
    large = order[size[order] > LARGE_SHARE]
    small = order[size[order] <= LARGE_SHARE]
    used_m: list[float] = []
    used_v: list[float] = []
    for i in large.tolist():
        m, v = float(mass_kg[i]), float(volume_m3[i])
        for b in range(len(used_m)):
            if used_m[b] + m <= cap_kg + 1e-9 and used_v[b] + v <= cap_m3 + 1e-9:
                used_m[b] += m
                used_v[b] += v
                out[i] = b
                break
        else:
            used_m.append(m)
            used_v.append(v)
            out[i] = len(used_m) - 1
    if len(small):
        cm = np.concatenate(([0.0], np.cumsum(mass_kg[small])))
        cv = np.concatenate(([0.0], np.cumsum(volume_m3[small])))
        start, b = 0, 0
        while start < len(small):
            if b >= len(used_m):
                used_m.append(0.0)
                used_v.append(0.0)
            room_m = cap_kg - used_m[b] + 1e-9
            room_v = cap_m3 - used_v[b] + 1e-9
            stop = min(
                int(np.searchsorted(cm, cm[start] + room_m, side="right")) - 1,
                int(np.searchsorted(cv, cv[start] + room_v, side="right")) - 1,
            )
            if stop > start:
                out[small[start:stop]] = b
                used_m[b] += float(cm[stop] - cm[start])
                used_v[b] += float(cv[stop] - cv[start])
                start = stop
            b += 1
    return out


def consolidate(
    network: Network,
    choice: ServiceChoice,
    mass_kg: NDArray[np.float64],
    volume_m3: NDArray[np.float64],
    *,
    policy: ConsolidationPolicy = ConsolidationPolicy(),
) -> Consolidation:
    """Pack the rocket orders of ``choice`` into flights per lane-wave.

    Holding moves parcels to the next wave of their lane (never past their promise); the
    decision of every nearly empty lane-wave is recorded in :attr:`Consolidation.decisions`.
    """
    rocket = network.rocket
    cap_kg, cap_m3 = rocket.payload_mass_kg, rocket.payload_volume_m3
    n = len(choice.mode)
    order_launch = choice.launch_s.copy()
    order_bin = np.full(n, -1, dtype=np.int64)
    flying = np.flatnonzero(choice.mode == Mode.ROCKET)
    # Latest launch at which each parcel still keeps its promise (made explicit by the choice).
    slack_launch = choice.latest_launch_s
    keys = np.lexsort((order_launch[flying], choice.destination[flying], choice.origin[flying]))
    rows = flying[keys]
    lane = choice.origin[rows] * len(network.landing_sites) + choice.destination[rows]
    lane_starts = np.flatnonzero(np.diff(lane, prepend=-1))
    lane_ends = np.append(lane_starts[1:], len(rows)) if len(rows) else lane_starts

    bins_o: list[int] = []
    bins_d: list[int] = []
    bins_t: list[float] = []
    lw: dict[str, list[float]] = {
        k: []
        for k in (
            "origin",
            "destination",
            "launch_s",
            "orders",
            "mass_kg",
            "volume_m3",
            "lower_bound",
            "flights",
        )
    }
    decisions: list[LightLoadDecision] = []
    downgraded: list[NDArray[np.int64]] = []
    for a, z in zip(lane_starts.tolist(), lane_ends.tolist(), strict=True):
        lane_rows = rows[a:z]
        o, d = int(choice.origin[lane_rows[0]]), int(choice.destination[lane_rows[0]])
        interval = float(network.launch_wave_interval_s[o])
        times = order_launch[lane_rows]
        wave_starts = np.flatnonzero(np.diff(times, prepend=-np.inf))
        waves = np.split(lane_rows, wave_starts[1:])
        carry = np.zeros(0, dtype=np.int64)
        w = 0
        while w < len(waves) or len(carry):
            if len(carry) and (
                w >= len(waves) or order_launch[waves[w][0]] > order_launch[carry[0]]
            ):
                group, t = carry, float(order_launch[carry[0]])
            else:
                group = waves[w]
                t = float(order_launch[group[0]])
                w += 1
                if len(carry) and float(order_launch[carry[0]]) == t:
                    group = np.concatenate((carry, group))
            carry = np.zeros(0, dtype=np.int64)
            b = pack(mass_kg[group], volume_m3[group], cap_kg, cap_m3)
            nb = int(b.max()) + 1
            last = group[b == nb - 1]
            fill = max(mass_kg[last].sum() / cap_kg, volume_m3[last].sum() / cap_m3)
            if fill < policy.hold_below_fill:
                slack = float((slack_launch[last] - t).min())
                cost_kg = rocket.cost_per_flight_usd / max(float(mass_kg[last].sum()), 1e-9)
                if slack >= interval - 1e-6:
                    action = "hold"
                elif cost_kg > policy.max_cost_per_kg_usd:
                    action = "downgrade"
                else:
                    action = "fly"
                decisions.append(
                    LightLoadDecision(
                        o,
                        d,
                        t,
                        action,
                        len(last),
                        float(mass_kg[last].sum()),
                        float(volume_m3[last].sum()),
                        float(fill),
                        cost_kg,
                        slack,
                        t + interval,
                    )
                )
                if action != "fly":
                    keep = b < nb - 1
                    group, b, nb = group[keep], b[keep], nb - 1
                    if action == "hold":
                        order_launch[last] += interval
                        carry = last
                    else:
                        downgraded.append(last)
            if nb == 0:
                continue
            order_bin[group] = b + len(bins_o)
            bins_o.extend([o] * nb)
            bins_d.extend([d] * nb)
            bins_t.extend([t] * nb)
            m_sum, v_sum = float(mass_kg[group].sum()), float(volume_m3[group].sum())
            for key, value in (
                ("origin", o),
                ("destination", d),
                ("launch_s", t),
                ("orders", len(group)),
                ("mass_kg", m_sum),
                ("volume_m3", v_sum),
                ("lower_bound", lower_bound(m_sum, v_sum, cap_kg, cap_m3)),
                ("flights", nb),
            ):
                lw[key].append(value)

    nbins = len(bins_o)
    carried = order_bin >= 0
    one_hour_kg = np.bincount(order_bin[carried], weights=mass_kg[carried], minlength=nbins)
    one_hour_m3 = np.bincount(order_bin[carried], weights=volume_m3[carried], minlength=nbins)
    same_day_rows = np.flatnonzero(choice.mode == Mode.SAME_DAY)
    no_room = too_light = np.zeros(0, dtype=np.int64)
    if policy.same_day and len(same_day_rows):
        sites = len(network.landing_sites)
        o_sd, d_sd = choice.origin[same_day_rows], choice.destination[same_day_rows]
        after_launch = choice.delivery_s[same_day_rows] - choice.launch_s[same_day_rows]
        sd = fill_same_day(
            same_day_rows,
            (o_sd * sites + d_sd).astype(np.int64),
            choice.launch_s[same_day_rows],
            choice.promised_s[same_day_rows] - network.promise.buffer_s - after_launch,
            np.asarray(network.launch_wave_interval_s, dtype=np.float64)[o_sd],
            mass_kg,
            volume_m3,
            n_orders=n,
            bin_lane=np.asarray(bins_o, dtype=np.int64) * sites + np.asarray(bins_d, np.int64),
            bin_launch_s=np.asarray(bins_t, dtype=np.float64),
            bin_room_kg=np.asarray(cap_kg - one_hour_kg, dtype=np.float64),
            bin_room_m3=np.asarray(cap_m3 - one_hour_m3, dtype=np.float64),
            lane_ends=(
                np.repeat(np.arange(len(network.hubs)), sites),
                np.tile(np.arange(sites), len(network.hubs)),
            ),
            cap_kg=cap_kg,
            cap_m3=cap_m3,
            min_fill=policy.same_day_min_fill,
        )
        on = sd.order_bin >= 0
        order_bin[on] = sd.order_bin[on]
        order_launch[same_day_rows] = sd.order_launch_s[same_day_rows]
        bins_o.extend(sd.new_origin)
        bins_d.extend(sd.new_destination)
        bins_t.extend(sd.new_launch_s)
        no_room, too_light = sd.no_room, sd.too_light
        carried = order_bin >= 0
    else:
        order_launch[same_day_rows] = np.nan
        too_light = same_day_rows
    extra = len(bins_o) - nbins
    same_day_bin = np.r_[np.zeros(nbins, dtype=bool), np.ones(extra, dtype=bool)]
    one_hour_kg = np.r_[one_hour_kg, np.zeros(extra)]
    one_hour_m3 = np.r_[one_hour_m3, np.zeros(extra)]
    nbins = len(bins_o)
    bin_mass = np.asarray(
        np.bincount(order_bin[carried], weights=mass_kg[carried], minlength=nbins), dtype=np.float64
    )
    bin_volume = np.asarray(
        np.bincount(order_bin[carried], weights=volume_m3[carried], minlength=nbins),
        dtype=np.float64,
    )
    bin_count = np.bincount(order_bin[carried], minlength=nbins).astype(np.int64)
    # Renumber bins by launch time so that fleet scheduling walks them in time order.
    by_time = np.argsort(np.asarray(bins_t), kind="stable")
    rank = np.empty(nbins, dtype=np.int64)
    rank[by_time] = np.arange(nbins)
    order_bin[carried] = rank[order_bin[carried]]
    lane_waves = {
        k: np.asarray(
            v, dtype=np.float64 if k in ("launch_s", "mass_kg", "volume_m3") else np.int64
        )
        for k, v in lw.items()
    }
    return Consolidation(
        order_bin=order_bin,
        order_launch_s=order_launch,
        bin_origin=np.asarray(bins_o, dtype=np.intp)[by_time],
        bin_destination=np.asarray(bins_d, dtype=np.intp)[by_time],
        bin_launch_s=np.asarray(bins_t, dtype=np.float64)[by_time],
        bin_mass_kg=bin_mass[by_time],
        bin_volume_m3=bin_volume[by_time],
        bin_orders=bin_count[by_time],
        lane_waves=lane_waves,
        decisions=decisions,
        downgraded=np.concatenate(downgraded) if downgraded else np.zeros(0, dtype=np.int64),
        bin_same_day=same_day_bin[by_time],
        bin_one_hour_mass_kg=one_hour_kg[by_time],
        bin_one_hour_volume_m3=one_hour_m3[by_time],
        same_day_no_room=no_room,
        same_day_too_light=too_light,
    )
