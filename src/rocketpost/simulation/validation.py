"""Calibration as validation: does the simulator keep the promises at the confidence stated?

The planner promises the hour at the network's confidence (``promise.confidence``, 99 % by
default) under the climate, recording each order's P(on time); the simulator re-makes each
promise under what a dispatcher saw at the order time (:mod:`rocketpost.simulation.promises`)
and delivers. :func:`validate_promises` pools the promises of every replicate and reports, per
origin hub, per UTC day of the orders and overall, the share kept of rocket promises and of
all one-hour promises with a Wilson interval (bounded to [0, 1]), the reliability diagram
(promised P against kept share, :func:`rocketpost.promise.reliability.reliability_table`), and
whether the promise holds: it *fails* where the interval's upper bound is below the
confidence promised (kept < promised beyond the interval).

Promises of one replicate are not independent (a front, a lost landing or grounded drones
break every parcel of a flight at once, a front every flight of a hub for hours); replicates
are. Every interval is therefore over replicates as clusters
(:func:`~rocketpost.promise.reliability.clustered_wilson_interval`): a Wilson interval over the
pooled promises, as this module used before, is narrower than the truth, so the check failed a
promise kept at exactly its confidence more often than the 2.5 % a one-sided 95 % bound allows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.planning.params import PlanParams
from rocketpost.promise.conditions import Conditions
from rocketpost.promise.reliability import (
    ReliabilityBin,
    clustered_wilson_interval,
    reliability_table,
)
from rocketpost.simulation.config import SimConfig
from rocketpost.simulation.inputs import SimInputs, inputs_from_plan
from rocketpost.simulation.montecarlo import run_replicate

__all__ = [
    "KeptShare",
    "ValidationResult",
    "validate_inputs",
    "validate_promises",
    "write_reliability_png",
]


@dataclass(frozen=True)
class KeptShare:
    """Promises made and kept in one group (a hub, or everything), with the Wilson interval
    over replicates (:func:`~rocketpost.promise.reliability.clustered_wilson_interval`)."""

    group: str
    kind: str  # "rocket" or "one_hour"
    promised: int
    kept: int
    share: float
    low: float
    high: float
    target: float
    stated: float = math.nan
    """Mean P(on time) the promises were made at: the share a calibrated promise keeps."""

    @property
    def fails(self) -> bool:
        """Kept below the confidence promised beyond the interval."""
        return self.promised > 0 and self.high < self.target


@dataclass(frozen=True, eq=False)
class ValidationResult:
    """Per hub and overall kept shares, the reliability diagram, and the verdict."""

    target: float
    replicates: int
    orders: int
    shares: list[KeptShare]
    reliability: list[ReliabilityBin]
    withdrawn: int
    pooled: pa.Table = field(repr=False)
    days: list[KeptShare] = field(default_factory=list)
    """Per UTC day of the orders (``group`` its ISO date): rocket and one-hour shares."""

    @property
    def passed(self) -> bool:
        return not any(s.fails for s in (*self.shares, *self.days))

    def to_dict(self) -> dict[str, Any]:
        def clean(value: float) -> float | None:
            return None if isinstance(value, float) and math.isnan(value) else value

        def kept(s: KeptShare) -> dict[str, Any]:
            return {
                "group": s.group,
                "kind": s.kind,
                "promised": s.promised,
                "kept": s.kept,
                "share": clean(s.share),
                "stated_mean": clean(s.stated),
                "ci_low": clean(s.low),
                "ci_high": clean(s.high),
                "fails": s.fails,
            }

        return {
            "target": self.target,
            "replicates": self.replicates,
            "orders": self.orders,
            "withdrawn_promises": self.withdrawn,
            "passed": self.passed,
            "kept": [kept(s) for s in self.shares],
            "days": [kept(s) for s in self.days],
            "reliability": [
                {
                    "low": b.low,
                    "high": b.high,
                    "promises": b.n,
                    "stated_mean": clean(b.stated_mean),
                    "kept_share": clean(b.kept_share),
                    "ci_low": clean(b.kept_low),
                    "ci_high": clean(b.kept_high),
                }
                for b in self.reliability
            ],
        }


def _share(
    group: str,
    kind: str,
    kept: np.ndarray,
    stated: np.ndarray,
    replicate: np.ndarray,
    replicates: int,
    target: float,
) -> KeptShare:
    """The kept share of promises ``kept`` (one per promise, made at ``stated``) made in
    ``replicate``."""
    n, k = int(kept.size), int(kept.sum())
    low, high = clustered_wilson_interval(
        np.bincount(replicate[kept], minlength=replicates),
        np.bincount(replicate, minlength=replicates),
    )
    known = stated[np.isfinite(stated)]
    mean = float(known.mean()) if known.size else math.nan
    return KeptShare(group, kind, n, k, k / n if n else math.nan, low, high, target, mean)


def validate_promises(
    network: Network,
    orders: OrderTable,
    *,
    allowed: np.ndarray | None = None,
    replicates: int = 20,
    seed: int = 0,
    config: SimConfig | None = None,
    conditions: Conditions | None = None,
    params: PlanParams | None = None,
) -> ValidationResult:
    """Plan ``orders`` at the confidence under ``conditions`` (default the climate), simulate
    them ``replicates`` times and pool every promise (see the module doc). Orders of several
    days are planned and simulated as one file, in one clock: an airframe flown, held or lost
    on one day is missing or late on the next."""
    from rocketpost.planning import plan_orders

    plan = plan_orders(
        network,
        orders,
        params or PlanParams(),
        allowed_origins=allowed,
        promise_conditions=Conditions() if conditions is None else conditions,
    )
    inputs: SimInputs = inputs_from_plan(plan, network, stock=allowed)
    return validate_inputs(
        inputs, replicates=replicates, seed=seed, config=config, orders=len(orders)
    )


def validate_inputs(
    inputs: SimInputs,
    *,
    replicates: int = 20,
    seed: int = 0,
    config: SimConfig | None = None,
    orders: int | None = None,
    first_replicate: int = 0,
) -> ValidationResult:
    """:func:`validate_promises` of a plan already made (its simulator ``inputs``): replicates
    ``first_replicate … first_replicate + replicates − 1`` of ``seed`` (a later start is a
    sample independent of the first). ``orders``: how many the plan was made for (default
    its one-hour orders)."""
    config = config or SimConfig()
    tables = []
    for r in range(replicates):
        result = run_replicate(inputs, config, seed, first_replicate + r, detail=True)
        assert result.orders is not None
        chosen = result.orders.select(
            ["origin", "created", "mode", "p_on_time", "promise_made", "on_time"]
        )
        tables.append(
            chosen.append_column("replicate", pa.array(np.full(chosen.num_rows, r, np.int64)))
        )
    pooled = pa.concat_tables(tables) if tables else pa.table({})
    target = float(inputs.network.promise.confidence)
    made = np.asarray(pooled["promise_made"].to_numpy(zero_copy_only=False), dtype=bool)
    kept = np.asarray(pooled["on_time"].to_numpy(zero_copy_only=False), dtype=bool)
    mode = np.asarray(pooled["mode"].to_numpy(zero_copy_only=False)).astype(str)
    origin = np.asarray(pooled["origin"].to_numpy(zero_copy_only=False)).astype(str)
    stated = np.asarray(pooled["p_on_time"].to_numpy(zero_copy_only=False), dtype=np.float64)
    replicate = (
        np.asarray(pooled["replicate"].to_numpy(), dtype=np.int64)
        if tables
        else np.zeros(0, dtype=np.int64)
    )
    day = (
        np.asarray(pooled["created"].cast(pa.int64()).to_numpy(), dtype=np.int64) // 86_400_000
        if tables
        else np.zeros(0, dtype=np.int64)
    )  # the UTC day of the order (milliseconds since the epoch)
    rocket = made & (mode == "rocket")

    def share(group: str, kind: str, rows: np.ndarray) -> KeptShare:
        return _share(group, kind, kept[rows], stated[rows], replicate[rows], replicates, target)

    shares = [share("all", "rocket", rocket), share("all", "one_hour", made)]
    for hub in sorted(set(origin[made].tolist())):
        at = origin == hub
        shares.append(share(hub, "rocket", rocket & at))
        shares.append(share(hub, "one_hour", made & at))
    days = []
    for d in np.unique(day[made]).tolist():
        on = day == d
        label = str(np.datetime64(d, "D"))
        days += [share(label, "rocket", rocket & on), share(label, "one_hour", made & on)]
    known = made & np.isfinite(stated)
    return ValidationResult(
        target=target,
        replicates=replicates,
        orders=inputs.n_orders if orders is None else orders,
        shares=shares,
        reliability=reliability_table(
            np.clip(stated[known], 0, 1), kept[known], cluster=replicate[known]
        ),
        withdrawn=int((~made).sum()),
        pooled=pooled,
        days=days,
    )


def write_reliability_png(result: ValidationResult, path: str | Path) -> Path:
    """The reliability diagram: per bin, mean promised P against the kept share (with its
    interval), and the diagonal a calibrated promise follows."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bins = [b for b in result.reliability if b.n]
    # Zoomed on the promises made (all near the target), with the target in view.
    floor = min([0.95, result.target - 0.01, *(b.stated_mean for b in bins)])
    floor = min([floor, *(b.kept_low for b in bins)]) - 0.005
    fig, ax = plt.subplots(figsize=(5.5, 5.0))
    ax.plot([floor, 1.0], [floor, 1.0], color="grey", linestyle="--", label="promised = kept")
    if bins:
        x = np.array([b.stated_mean for b in bins])
        y = np.array([b.kept_share for b in bins])
        err = np.maximum(  # rounding may put a bound a hair past the share
            np.array(
                [
                    [b.kept_share - b.kept_low for b in bins],
                    [b.kept_high - b.kept_share for b in bins],
                ]
            ),
            0.0,
        )
        ax.errorbar(x, y, yerr=err, fmt="o", capsize=3, label="kept share (95 %, by replicate)")
        for b, xi, yi in zip(bins, x, y, strict=True):
            ax.annotate(
                f"n={b.n}", (xi, yi), textcoords="offset points", xytext=(4, -10), fontsize=7
            )
    ax.axhline(result.target, color="red", linewidth=0.8, label=f"target {result.target:.0%}")
    ax.set_xlabel("promised P(on time)")
    ax.set_ylabel("share of promises kept")
    ax.set_title(f"reliability: {result.replicates} replicates, {result.orders:,} orders")
    ax.set_xlim(floor, 1.0 + (1.0 - floor) * 0.02)
    ax.set_ylim(floor, 1.0 + (1.0 - floor) * 0.02)
    ax.legend(loc="lower right", fontsize=8)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
