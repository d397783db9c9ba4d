"""Monte Carlo replicates of a plan, in-process or on Dask, with 95 % confidence intervals.

Replicate ``i`` is seeded with child ``i`` of ``SeedSequence(seed)`` — a pure function of
``(seed, i)`` — so the results are identical whether the replicates run in a loop, on one Dask
worker or on many: Dask only changes *where* a replicate runs, never what it draws. Results are
gathered back in replicate order.

The plan's arrays (:class:`~rocketpost.simulation.inputs.SimInputs`) are scattered to the
workers once and every replicate task refers to that one future.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from rocketpost.errors import InputError
from rocketpost.simulation.config import SimConfig
from rocketpost.simulation.disruptions import child_seed
from rocketpost.simulation.engine import replicate_conditions, simulate_flights
from rocketpost.simulation.eventlog import write_event_log
from rocketpost.simulation.inputs import SimInputs
from rocketpost.simulation.kpis import Interval, replicate_kpis, summarise
from rocketpost.simulation.outcomes import order_outcomes
from rocketpost.simulation.promises import dispatcher_promises
from rocketpost.simulation.replan import ReplanAction

__all__ = [
    "MonteCarloResult",
    "ReplicateResult",
    "dask_client",
    "replicate_seed",
    "run_monte_carlo",
    "run_replicate",
    "write_results",
]

Progress = Callable[[int, int], None]
"""Called with (replicates done, replicates total)."""


@dataclass(frozen=True, eq=False)
class ReplicateResult:
    """One replicate: its KPIs, and (when asked) its per-order table and event log."""

    index: int
    kpis: dict[str, float]
    orders: pa.Table | None = None
    events: pa.Table | None = None


def replicate_seed(seed: int, index: int) -> np.random.SeedSequence:
    """Seed of replicate ``index``: ``SeedSequence(seed).spawn(index + 1)[index]``."""
    return child_seed(np.random.SeedSequence(seed), index)


def run_replicate(
    inputs: SimInputs, config: SimConfig, seed: int, index: int, *, detail: bool = False
) -> ReplicateResult:
    """Simulate replicate ``index`` of ``seed``: flights (SimPy), then orders (NumPy)."""
    ss = replicate_seed(seed, index)
    # The replicate's weather and sea, drawn once: the flights fly in them, and a dispatcher
    # promises under what they showed at each order's time.
    conditions = replicate_conditions(inputs, config, child_seed(ss, 0))
    record = simulate_flights(inputs, config, child_seed(ss, 0), conditions)
    rng = np.random.Generator(np.random.PCG64(child_seed(ss, 1)))
    outcomes = order_outcomes(inputs, record, config.disruptions, rng)
    dispatch = dispatcher_promises(
        inputs,
        conditions,
        # The fallback exists when the policy flies it and the fallback hub has a reserve
        # airframe to fly it on (a planned one is committed: rocket-hour's cycle is 66 h).
        fallbacks=config.policy.action is ReplanAction.OTHER_HUB
        and config.spare_airframes_per_hub > 0,
    )
    kpis = replicate_kpis(inputs, record, outcomes, dispatch)
    if not detail:
        return ReplicateResult(index, kpis)
    return ReplicateResult(
        index,
        kpis,
        outcomes.to_table(inputs, record, dispatch),
        record.log.to_table(inputs.network.site_ids, record.flight_id.tolist()),
    )


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """KPIs per replicate, their intervals, and replicate 0's orders and event log."""

    replicates: pa.Table
    summary: dict[str, Interval]
    orders: pa.Table | None
    events: pa.Table | None
    seed: int

    def summary_dict(self) -> dict[str, dict[str, float | int]]:
        return {
            name: {"mean": i.mean, "ci_low": i.low, "ci_high": i.high, "std": i.std, "n": i.n}
            for name, i in self.summary.items()
        }


def _check(replicates: int, seed: int) -> None:
    if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
        raise InputError("replicates", replicates, "must be a whole number ≥ 1")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("seed", seed, "must be a whole number ≥ 0")


def _table(results: list[ReplicateResult]) -> pa.Table:
    names = list(results[0].kpis)
    columns: dict[str, Any] = {"replicate": pa.array([r.index for r in results], pa.int64())}
    for name in names:
        columns[name] = pa.array([r.kpis[name] for r in results], pa.float64())
    return pa.table(columns)


def run_monte_carlo(
    inputs: SimInputs,
    config: SimConfig,
    *,
    replicates: int,
    seed: int,
    client: Any | None = None,
    progress: Progress | None = None,
) -> MonteCarloResult:
    """Run ``replicates`` replicates; on ``client`` (a ``dask.distributed.Client``) if given.

    Replicate 0 also returns its per-order table and event log (the others only KPIs, so that
    a thousand replicates of a million orders do not travel back to the client).
    """
    _check(replicates, seed)
    say = progress or (lambda _done, _total: None)
    results: list[ReplicateResult | None] = [None] * replicates
    if client is None:
        for i in range(replicates):
            results[i] = run_replicate(inputs, config, seed, i, detail=i == 0)
            say(i + 1, replicates)
    else:
        from distributed import as_completed

        shared = client.scatter(inputs, broadcast=True)
        futures = [
            client.submit(run_replicate, shared, config, seed, i, detail=i == 0, pure=False)
            for i in range(replicates)
        ]
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results[result.index] = result
            say(done, replicates)
    final = [r for r in results if r is not None]
    return MonteCarloResult(
        replicates=_table(final),
        summary=summarise([r.kpis for r in final]),
        orders=final[0].orders,
        events=final[0].events,
        seed=seed,
    )


def write_results(result: MonteCarloResult, directory: str | Path) -> list[Path]:
    """Write ``replicates.parquet``, ``summary.json`` and replicate 0's orders and events."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "replicates.parquet", out / "summary.json"]
    pq.write_table(result.replicates, written[0])
    summary = {"seed": result.seed, "kpis": result.summary_dict()}
    written[1].write_text(json.dumps(_finite(summary), indent=2) + "\n")
    if result.orders is not None:
        written.append(out / "orders.parquet")
        pq.write_table(result.orders, written[-1])
    if result.events is not None:
        written.append(write_event_log(result.events, out / "events.parquet"))
    return written


def _finite(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


_WORKER_ENV = {
    "MALLOC_ARENA_MAX": "1",
    "MALLOC_MMAP_MAX_": "0",
    "MALLOC_TRIM_THRESHOLD_": str(1 << 30),
    "NUMPY_MADVISE_HUGEPAGE": "0",
}
"""Memory settings of the local cluster's worker processes (set before they start).

Planning is NumPy on temporaries of tens of MB. Dask's default (``MALLOC_TRIM_THRESHOLD_=65536``)
hands freed memory straight back to the kernel, and glibc maps every allocation above 32 MB
afresh anyway, so the kernel faults in and zeroes each temporary again, and two workers doing
that at once slow each other down. With one malloc arena (the task thread allocates from the
main heap), no per-allocation mmap and a 1 GiB trim threshold, a worker reuses the memory it
freed. Its memory is then faulted in once, and 4 KiB pages do that faster than NumPy's
transparent-huge-page hint, which on a fragmented host makes the kernel compact memory on the
faults (+0.7 s on a worker's first plan, no gain afterwards). Measured on a 200,000-order day: a
plan variant took ~2.0 s on a worker with Dask's default and ~1.3 s with these, as in a plain
process. The cost: a worker keeps its peak heap until the cluster closes, which a local cluster
does at the end of the command. Variables already set in the environment win; the glibc ones
do nothing under another C library.
"""


@contextmanager
def dask_client(workers: int = 2, scheduler: str | None = None) -> Iterator[Any]:
    """A Dask client: an existing scheduler, a local cluster of ``workers`` processes, or none.

    ``workers == 0`` (and no scheduler) yields ``None``: run in this process without Dask. A
    local cluster listens on the loopback interface only, has no dashboard, and its workers
    run with the memory settings of ``_WORKER_ENV``.
    """
    if scheduler is not None:
        from distributed import Client

        with Client(scheduler) as client:
            yield client
        return
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise InputError("workers", workers, "must be a whole number ≥ 0")
    if workers == 0:
        yield None
        return
    import dask
    from distributed import Client, LocalCluster

    # A Nanny sets its pre-spawn variables in this process too; put ours back afterwards.
    saved = {name: os.environ.get(name) for name in _WORKER_ENV}
    config = {f"distributed.nanny.pre-spawn-environ.{k}": v for k, v in _WORKER_ENV.items()}
    try:
        with dask.config.set(config):
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
                silence_logs=40,
            )
        with cluster, Client(cluster) as client:
            yield client
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
