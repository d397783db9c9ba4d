"""KPIs of a replicate and their 95 % confidence intervals over replicates.

A replicate's KPIs are a flat ``{name: float}`` dict (NaN when undefined, e.g. the rocket share
of a day with no rocket orders) so that replicates stack into a table. Replicates are independent
by construction (their seeds are children of one ``SeedSequence``); the interval of the mean
respects each KPI's support:

* shares (``*_share``, ``airframe_utilisation``, in [0, 1]) and non-negative amounts (kg, USD,
  minutes late): a percentile bootstrap of the mean, which stays inside the values' range, so a
  share never reads "100.02 %" and a mass never goes below zero;
* counts of events (flights lost, orders late, …): the union of that bootstrap and the exact
  Poisson (Garwood) interval of the mean count, so that a count seen 0 times in every replicate
  still gets an upper bound (−ln(α/2)/n) and an over-dispersed one (scrubs cluster under fronts)
  keeps the bootstrap's width;
* unbounded KPIs (lateness percentiles, negative when early): mean ± t₀.₉₇₅,ₙ₋₁ · s/√n;
* what the plan fixes (one-hour orders, planned flights): the values' range, a point.

The t-interval of a KPI bounded at zero used to read "-0.08 – 0.38" flights lost.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import stats

from rocketpost.planning.service_choice import Mode
from rocketpost.simulation.flight_record import FlightRecord, FlightStatus
from rocketpost.simulation.inputs import SimInputs
from rocketpost.simulation.outcomes import OrderOutcomes

if TYPE_CHECKING:
    from rocketpost.simulation.promises import DispatcherPromises

__all__ = [
    "COUNT_KPIS",
    "KPI_NAMES",
    "NON_NEGATIVE_KPIS",
    "PLAN_KPIS",
    "SHARE_KPIS",
    "Interval",
    "replicate_kpis",
    "summarise",
]

KPI_NAMES = (
    "one_hour_orders",
    "promises_kept_share",
    "rocket_promises_kept_share",
    "ground_promises_kept_share",
    "late_orders",
    "to_standard_orders",
    "redispatched_orders",
    "withdrawn_promises",
    "lateness_p50_min",
    "lateness_p90_min",
    "lateness_p95_min",
    "lateness_p99_min",
    "late_mean_min",
    "flights_planned",
    "flights_flown",
    "flights_scrubbed",
    "wave_scrubs",
    "flights_lost",
    "flights_diverted",
    "flights_held",
    "flights_cancelled",
    "redispatch_flights",
    "airframe_utilisation",
    "airframes_lost",
    "delivered_kg",
    "cost_usd",
    "cost_per_kg_usd",
    "events",
)
"""Every KPI of a replicate, in table order."""

SHARE_KPIS = frozenset(
    {
        "promises_kept_share",
        "rocket_promises_kept_share",
        "ground_promises_kept_share",
        "airframe_utilisation",
    }
)
"""KPIs in [0, 1]."""

PLAN_KPIS = frozenset({"one_hour_orders", "flights_planned"})
"""KPIs the plan fixes (the same in every replicate): their interval is the value itself, not
a Poisson interval around a count of events (19 planned flights read "18 – 20")."""

COUNT_KPIS = frozenset(
    {
        "late_orders",
        "to_standard_orders",
        "redispatched_orders",
        "withdrawn_promises",
        "flights_flown",
        "flights_scrubbed",
        "wave_scrubs",
        "flights_lost",
        "flights_diverted",
        "flights_held",
        "flights_cancelled",
        "redispatch_flights",
        "airframes_lost",
        "events",
    }
)
"""KPIs that count events (whole numbers ≥ 0)."""

NON_NEGATIVE_KPIS = frozenset({"late_mean_min", "delivered_kg", "cost_usd", "cost_per_kg_usd"})
"""Other KPIs that cannot go below zero."""

BOOTSTRAP_RESAMPLES = 2000
_BOOTSTRAP_SEED = 20261125  # fixed: a summary is a pure function of its replicates


def _share(mask: np.ndarray, within: np.ndarray) -> float:
    count = int(within.sum())
    return float((mask & within).sum() / count) if count else math.nan


def replicate_kpis(
    inputs: SimInputs,
    record: FlightRecord,
    outcomes: OrderOutcomes,
    dispatch: DispatcherPromises | None = None,
) -> dict[str, float]:
    """The KPIs of one replicate (see :data:`KPI_NAMES`).

    With ``dispatch``, the shares kept are over the promises a dispatcher at each order's time
    made (:mod:`rocketpost.simulation.promises`); ``withdrawn_promises`` counts the plan's
    one-hour orders it would not have promised.
    """
    n = inputs.n_orders
    everyone = np.ones(n, dtype=bool) if dispatch is None else dispatch.promised.copy()
    rocket = (inputs.order_mode == Mode.ROCKET) & everyone
    late = ~outcomes.on_time & everyone
    # Lateness of orders actually delivered late by the one-hour network (not re-booked).
    late_fast = late & (outcomes.delivered_by != Mode.STANDARD)
    lateness_min = outcomes.lateness_s / 60.0
    percentiles = np.percentile(lateness_min, [50, 90, 95, 99]) if n else np.full(4, math.nan)
    launched = np.isfinite(record.launch_s)
    cargo = ~record.repositioning
    delivered = cargo & (record.status == FlightStatus.DELIVERED) & np.isfinite(record.port_s)
    delivered_kg = float(record.mass_kg[delivered].sum())
    rocket_class = inputs.network.rocket
    landed = np.isfinite(record.landing_s) & (record.status != FlightStatus.LOST)
    days_at_sea = float(inputs.site_return_s[record.destination[landed]].sum()) / 86400.0
    cost = (
        float(launched.sum()) * rocket_class.cost_per_flight_usd
        + days_at_sea * rocket_class.airframe_day_cost_usd  # shipped home from sites, no pad
    )
    planned = inputs.n_flights
    return {
        "one_hour_orders": float(n),
        "promises_kept_share": _share(outcomes.on_time, everyone),
        "rocket_promises_kept_share": _share(outcomes.on_time, rocket),
        "ground_promises_kept_share": _share(outcomes.on_time, everyone & ~rocket),
        "late_orders": float(late.sum()),
        "to_standard_orders": float((outcomes.delivered_by == Mode.STANDARD).sum()),
        "redispatched_orders": float(outcomes.redispatched.sum()),
        "withdrawn_promises": float(n - everyone.sum()),
        "lateness_p50_min": float(percentiles[0]),
        "lateness_p90_min": float(percentiles[1]),
        "lateness_p95_min": float(percentiles[2]),
        "lateness_p99_min": float(percentiles[3]),
        "late_mean_min": float(lateness_min[late_fast].mean()) if late_fast.any() else math.nan,
        "flights_planned": float(planned),
        "flights_flown": float(launched.sum()),
        "flights_scrubbed": float((record.scrubs > 0).sum()),
        "wave_scrubs": float(record.scrubs.sum()),
        "flights_lost": float((record.status == FlightStatus.LOST).sum()),
        "flights_diverted": float(record.diverted.sum()),
        "flights_held": float((record.holds > 0).sum()),
        "flights_cancelled": float((record.status == FlightStatus.STANDARD).sum()),
        "redispatch_flights": float((record.parent >= 0).sum()),
        "airframe_utilisation": record.airframes_flown / record.airframes_total
        if record.airframes_total
        else math.nan,
        "airframes_lost": float(record.airframes_lost),
        "delivered_kg": delivered_kg,
        "cost_usd": cost,
        "cost_per_kg_usd": cost / delivered_kg if delivered_kg > 0 else math.nan,
        "events": float(record.events_processed),
    }


@dataclass(frozen=True)
class Interval:
    """Mean of a KPI over replicates with its 95 % confidence interval."""

    mean: float
    low: float
    high: float
    std: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0


def _bootstrap(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean (inside ``[min, max]`` of the values)."""
    rng = np.random.default_rng(_BOOTSTRAP_SEED)
    k = len(values)
    means = values[rng.integers(0, k, size=(BOOTSTRAP_RESAMPLES, k))].mean(axis=1)
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def _garwood(values: np.ndarray, confidence: float) -> tuple[float, float]:
    """Exact Poisson interval of the mean count per replicate (χ² form of Garwood 1936)."""
    k = len(values)
    total = float(values.sum())
    tail = (1.0 - confidence) / 2.0
    low = 0.0 if total <= 0 else float(stats.chi2.ppf(tail, 2.0 * total)) / 2.0
    high = float(stats.chi2.ppf(1.0 - tail, 2.0 * total + 2.0)) / 2.0
    return low / k, high / k


def _interval(name: str, values: np.ndarray, confidence: float) -> tuple[float, float]:
    """The interval of the mean of ``values`` by the method that fits the KPI's support."""
    if name in PLAN_KPIS:
        return float(values.min()), float(values.max())
    if name in SHARE_KPIS or name in NON_NEGATIVE_KPIS:
        return _bootstrap(values, confidence)
    if name in COUNT_KPIS and (values >= 0).all():
        boot = _bootstrap(values, confidence)
        poisson = _garwood(values, confidence)
        return min(boot[0], poisson[0]), max(boot[1], poisson[1])
    mean = float(values.mean())
    k = len(values)
    half = float(stats.t.ppf(0.5 + confidence / 2.0, k - 1)) * float(values.std(ddof=1))
    half /= math.sqrt(k)
    return mean - half, mean + half


def summarise(rows: Sequence[Mapping[str, float]], confidence: float = 0.95) -> dict[str, Interval]:
    """Mean and confidence interval of every KPI over replicates (NaNs ignored per KPI); the
    method follows the KPI's support (see the module docstring)."""
    names = list(rows[0]) if rows else list(KPI_NAMES)
    out: dict[str, Interval] = {}
    for name in names:
        values = np.array([r.get(name, math.nan) for r in rows], dtype=np.float64)
        values = values[np.isfinite(values)]
        k = len(values)
        if k == 0:
            out[name] = Interval(math.nan, math.nan, math.nan, math.nan, 0)
            continue
        mean = float(values.mean())
        if k == 1:
            out[name] = Interval(mean, math.nan, math.nan, math.nan, 1)
            continue
        std = float(values.std(ddof=1))
        low, high = _interval(name, values, confidence)
        out[name] = Interval(mean, low, high, std, k)
    return out
