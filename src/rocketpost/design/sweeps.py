"""Sweeps of the designer on Dask: the frontier (a sweep of budgets) and the sensitivity (a sweep
of concepts), in this process or on a Dask cluster, with the same results either way.

A budget of the frontier is one exact solve on one coverage matrix; a concept of the sensitivity
is a coverage matrix rebuilt by the door-to-door kernel on a changed network, then a solve. Both
are independent tasks, so they spread over workers like the simulator's scenarios
(:mod:`rocketpost.simulation.scenarios`), and use its client (:func:`rocketpost.simulation.
dask_client`: a local cluster by default, an existing scheduler, or ``None`` for this process)
and its progress convention (``progress(done, total)``).

What travels: for the frontier the coverage matrix is scattered once to every worker (it is the
bulk of a task's input); for the sensitivity each task carries the base network, the demand and
the candidates' *settings*, and a task that changes the offshore distance builds its own
candidates on the worker (cached on disk per settings). Each task returns a small frozen
dataclass. Tasks are pure functions of their inputs and HiGHS is deterministic, so the Dask run
gives the in-process results exactly (``tests/design/test_sweeps.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rocketpost.design.analysis import (
    FrontierPoint,
    SensitivityRow,
    concept_network,
    frontier_point,
    sensitivity_row,
)
from rocketpost.design.candidates import CandidateSettings, build_candidates
from rocketpost.design.costs import CostModel
from rocketpost.design.coverage import CoverageMatrix, build_coverage
from rocketpost.design.demand import Demand
from rocketpost.network import Network

__all__ = ["Concept", "ConceptBase", "Progress", "run_frontier", "run_sensitivity"]

Progress = Callable[[int, int], None]
"""Called with (tasks done, tasks in all), the convention of the simulator's sweeps."""

Concept = tuple[str, float]
"""One sensitivity variant: a lever of :data:`~rocketpost.design.analysis.LEVERS` or
``"offshore_km"``, and its value."""


def _map(
    function: Callable[..., Any],
    tasks: Sequence[tuple[Any, ...]],
    *,
    shared: tuple[Any, ...],
    client: Any | None,
    progress: Progress | None,
) -> list[Any]:
    """``[function(*shared, *task) for task in tasks]``, in this process or on Dask.

    ``shared`` is the input every task has in common: on Dask it is scattered to the workers
    once (broadcast), not sent with every task. Results come back in the order of ``tasks``;
    ``progress`` is told as each one finishes.
    """
    say = progress or (lambda _done, _total: None)
    total = len(tasks)
    say(0, total)
    if client is None:
        results = []
        for task in tasks:
            results.append(function(*shared, *task))
            say(len(results), total)
        return results
    from distributed import as_completed

    remote = [client.scatter(value, broadcast=True) for value in shared]
    futures = {
        client.submit(function, *remote, *task, pure=False): i for i, task in enumerate(tasks)
    }
    results_by_index: dict[int, Any] = {}
    for future in as_completed(list(futures)):
        results_by_index[futures[future]] = future.result()
        say(len(results_by_index), total)
    return [results_by_index[i] for i in range(total)]


def run_frontier(
    coverage: CoverageMatrix,
    *,
    costs: CostModel,
    site_counts: Sequence[int] = (),
    budgets_usd: Sequence[float] = (),
    solver: str = "highs",
    client: Any | None = None,
    progress: Progress | None = None,
) -> list[FrontierPoint]:
    """:func:`rocketpost.design.analysis.frontier` (its time limit and 0.1 % gap), one task per
    budget, site counts first."""
    runs: list[tuple[Any, ...]] = [(int(k), None, solver) for k in site_counts]
    runs += [(None, float(usd), solver) for usd in budgets_usd]
    return _map(_frontier_task, runs, shared=(coverage, costs), client=client, progress=progress)


def _frontier_task(
    coverage: CoverageMatrix, costs: CostModel, sites: int | None, usd: float | None, solver: str
) -> FrontierPoint:
    return frontier_point(coverage, costs=costs, sites=sites, budget_usd=usd, solver=solver)


@dataclass(frozen=True, eq=False)
class ConceptBase:
    """What every concept of a sensitivity sweep starts from.

    Attributes
    ----------
    network
        The base network (its hubs, and any landing sites kept fixed).
    settings
        The candidates' settings for ``network`` (a concept changing the offshore distance
        builds its candidates at its own distance).
    demand, stock_hubs, costs, sites
        The design question: demand, the hubs holding stock, the cost model, the site budget.
    """

    network: Network
    settings: CandidateSettings
    demand: Demand
    stock_hubs: tuple[str, ...]
    costs: CostModel
    sites: int


def run_sensitivity(
    base: ConceptBase,
    concepts: Sequence[Concept],
    *,
    reference_share: float,
    client: Any | None = None,
    progress: Progress | None = None,
) -> list[SensitivityRow]:
    """:func:`rocketpost.design.analysis.sensitivity`, one task per concept.

    ``reference_share`` is the share of the same question on the base network unchanged
    (``delta_share`` is against it).
    """
    for lever, value in concepts:
        concept_network(base.network, lever, value)  # bad levers fail here, before any task
    tasks = [(lever, float(value), reference_share) for lever, value in concepts]
    return _map(_sensitivity_task, tasks, shared=(base,), client=client, progress=progress)


def _sensitivity_task(
    base: ConceptBase, lever: str, value: float, reference_share: float
) -> SensitivityRow:
    key, changed = concept_network(base.network, lever, value)
    settings = base.settings
    if lever == "offshore_km":
        settings = dataclasses.replace(settings, min_offshore_km=value)
    coverage = build_coverage(
        changed, build_candidates(settings), base.demand, stock_hubs=base.stock_hubs
    )
    return sensitivity_row(
        coverage,
        lever=lever,
        key=key,
        value=value,
        costs=base.costs,
        sites=base.sites,
        reference_share=reference_share,
    )
