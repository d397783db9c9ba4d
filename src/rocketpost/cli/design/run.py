"""``rocketpost design``: the whole design in one command, with a progress bar.

candidates → coverage (the door-to-door kernel) → [hub choice] → solve → frontier and sensitivity
(sweeps, on a local Dask cluster by default) → marginal values and binding legs → economics →
the files. ``design`` is the Typer group's callback, run when no subcommand is named (Click's
``invoke_without_command``): ``rocketpost design --stock-at ...`` designs, and
``rocketpost design solve | frontier | sensitivity | candidates ...`` still run one step each.
"""

from __future__ import annotations

import dataclasses
import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from rocketpost.cli.common import JsonOption, NetworkOption
from rocketpost.cli.design.candidates import app
from rocketpost.cli.design.commands import _print_design
from rocketpost.cli.design.options import (
    CostsOption,
    DemandOption,
    DesignPresetOption,
    KeepSitesOption,
    MinPopulationOption,
    OutOption,
    StockOption,
    _base_network,
    _command_line,
    _concepts,
    _demand,
    _numbers,
    _stock,
)
from rocketpost.cli.design.outputs import (
    economics,
    frontier_table,
    sensitivity_table,
    sites_table,
    write_design,
    write_network,
)
from rocketpost.cli.design.progress import StageBar, stage_bar
from rocketpost.cli.output import console, print_json
from rocketpost.cli.simulate import SchedulerOption, WorkersOption
from rocketpost.design.analysis import Design, binding_legs, design, sites_needed
from rocketpost.design.candidates import CandidateSettings, build_candidates
from rocketpost.design.costs import CostModel, default_costs
from rocketpost.design.coverage import build_coverage
from rocketpost.design.decks import DECK_SIZING
from rocketpost.design.hubs import hub_coverages
from rocketpost.design.hubsolve import HubChoice, choose_hubs
from rocketpost.design.mclp import check_solver
from rocketpost.design.report import design_summary, plot_frontier
from rocketpost.design.sweeps import ConceptBase, run_frontier, run_sensitivity
from rocketpost.errors import InputError
from rocketpost.network import Network
from rocketpost.simulation import dask_client

__all__ = ["design_all"]


@dataclass(frozen=True)
class _Ask:
    """The design question of one run, parsed from the options."""

    stock: list[str]
    sites: int | None
    budget_usd: float | None
    max_hubs: int | None
    solver: str
    time_limit_s: float
    frontier_sites: list[int]
    frontier_usd: list[float]
    concepts: list[tuple[str, float]]
    target: float | None
    orders_per_day: float | None

    @property
    def steps(self) -> int:
        """Steps of the progress bar: candidates, [hub choice], coverage, solve, the sweeps'
        tasks, analysis, [target], [economics], outputs."""
        fixed = 5 + (self.max_hubs is not None) + (self.target is not None)
        sweeps = len(self.frontier_sites) + len(self.frontier_usd) + len(self.concepts)
        return fixed + sweeps + (self.orders_per_day is not None)


@app.callback(invoke_without_command=True)
def design_all(
    ctx: typer.Context,
    stock_at: StockOption = "HZB,SHA,SZX",
    sites: Annotated[
        int | None, typer.Option("--sites", help="Budget: number of landing sites.")
    ] = None,
    budget: Annotated[
        float | None, typer.Option("--budget", help="Budget: USD per year (hubs paid first).")
    ] = None,
    choose_hubs_k: Annotated[
        int | None,
        typer.Option(
            "--choose-hubs",
            help="Let the model choose at most K stock hubs among --stock-at (each pays its "
            "spaceport from a --budget; the others are left out of the network).",
        ),
    ] = None,
    demand: DemandOption = "cities",
    min_population: MinPopulationOption = 15_000,
    keep_sites: KeepSitesOption = False,
    solver: Annotated[str, typer.Option("--solver", help="highs, cpsat or greedy.")] = "highs",
    time_limit_s: Annotated[
        float, typer.Option("--time-limit", help="Solver time limit, seconds.")
    ] = 60.0,
    frontier_sites: Annotated[
        str, typer.Option("--frontier-sites", help="Site counts of the frontier ('' for none).")
    ] = "5,10,20,50,100,200,300,500",
    frontier_budgets: Annotated[
        str | None, typer.Option("--frontier-budgets", help="Annual budgets of the frontier.")
    ] = None,
    drone_range_km: Annotated[str, typer.Option("--drone-range-km")] = "25,30,40",
    drone_speed_kmh: Annotated[str, typer.Option("--drone-speed-kmh")] = "120,150",
    vessel_speed_kmh: Annotated[str, typer.Option("--vessel-speed-kmh")] = "80,100",
    burnout_speed_ms: Annotated[str, typer.Option("--burnout-speed-ms")] = "7000,7500,8500",
    offshore_km: Annotated[str, typer.Option("--offshore-km")] = "3",
    target: Annotated[
        float | None, typer.Option("--target", help="Target share (0.15 = 15 %) to ask about.")
    ] = None,
    orders_per_day: Annotated[
        float | None,
        typer.Option(
            "--orders-per-day",
            help="Price the fleet at this demand level (the drone decks are sized at the default).",
        ),
    ] = DECK_SIZING.orders_per_day,
    costs: CostsOption = None,
    out: OutOption = None,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
    top: Annotated[int, typer.Option("--top", help="Sites to list in the table.")] = 15,
    network: NetworkOption = None,
    preset: DesignPresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Design a network in one go: candidates, coverage, the covering model, frontier,
    sensitivity and economics, written to --out (network.toml, design.json, design.geojson,
    map.png, frontier.json/png, sensitivity.json, table.txt). The sweeps run on a local Dask
    cluster (--workers 0: in this process; --scheduler: an existing cluster). A progress bar on
    stderr; --json prints one JSON document on stdout and no bar.

    Subcommands run one step each.
    """
    if ctx.invoked_subcommand is not None:
        return
    check_solver(solver, time_limit_s, 0.0)  # checked before the coverage is built
    if sites is not None and budget is not None:
        raise InputError("budget", budget, "give --sites or --budget, not both")
    ask = _Ask(
        stock=_stock(stock_at),
        sites=100 if sites is None and budget is None else sites,
        budget_usd=budget,
        max_hubs=choose_hubs_k,
        solver=solver,
        time_limit_s=time_limit_s,
        frontier_sites=[int(k) for k in _numbers(frontier_sites, "frontier-sites")],
        frontier_usd=_numbers(frontier_budgets, "frontier-budgets"),
        concepts=_concepts(
            drone_range_km=drone_range_km,
            drone_speed_kmh=drone_speed_kmh,
            vessel_speed_kmh=vessel_speed_kmh,
            burnout_speed_ms=burnout_speed_ms,
            offshore_km=offshore_km,
        ),
        target=target,
        orders_per_day=orders_per_day,
    )
    recorded: dict[str, Any] = {
        "network": network,
        "preset": preset,
        "stock-at": stock_at,
        "sites": sites,
        "budget": budget,
        "choose-hubs": choose_hubs_k,
        "demand": demand,
        "min-population": min_population,
        "keep-sites": keep_sites,
        "solver": solver,
        "costs": costs,
        "out": out,
    }
    source = _Source(
        base=_base_network(network, preset),
        keep_sites=keep_sites,
        demand=demand,
        min_population=min_population,
        costs=default_costs() if costs is None else CostModel.from_file(costs),
        command=_command_line("", recorded),
    )
    with stage_bar(as_json, ask.steps) as bar, _folder(out) as folder:
        result, summary, extra = _design(ask, source, bar, folder, (workers, scheduler))
        bar.step("outputs")
        written = (
            [] if out is None else write_design(result, summary, folder, source.command, extra)
        )
        if out is not None:
            written += _write_sweeps(summary, folder, result)
            text = io.StringIO()
            recorder = Console(file=text, width=120, record=True)
            for view in _views(result, summary, top):
                recorder.print(view)
            (folder / "table.txt").write_text(recorder.export_text(), encoding="utf-8")
            written.append(folder / "table.txt")
    summary["outputs"] = [str(p) for p in written]
    if as_json:
        print_json(summary)
        return
    for view in _views(result, summary, 0):
        console.print(view)
    _print_design(result, summary, top)
    for line in _notes(summary):
        console.print(line)
    for path in written:
        console.print(f"wrote {path}")


@dataclass(frozen=True, eq=False)
class _Source:
    """Where the design starts: the base network, its fixed sites, the demand, the costs, and
    the command line a designed file records."""

    base: Network
    keep_sites: bool
    demand: str
    min_population: int
    costs: CostModel
    command: str


@contextmanager
def _folder(out: Path | None) -> Iterator[Path]:
    """``out`` (created), or a temporary folder for the network file the economics reads."""
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        yield out
        return
    with tempfile.TemporaryDirectory(prefix="rocketpost-design-") as scratch:
        yield Path(scratch)


def _design(
    ask: _Ask,
    source: _Source,
    bar: StageBar,
    folder: Path,
    cluster: tuple[int, str | None],
) -> tuple[Design, dict[str, Any], list[str]]:
    """Every stage up to the files: the design, its summary, and the header's extra lines."""
    bar.step("candidates")
    base = source.base if source.keep_sites else dataclasses.replace(source.base, extra_sites=())
    settings = CandidateSettings.for_network(base, source.min_population)
    candidates = build_candidates(settings)
    demand = _demand(source.demand, source.min_population)
    stock, choice, extra = ask.stock, None, []
    if ask.max_hubs is not None:
        bar.step("hub choice")
        choice = choose_hubs(
            base,
            hub_coverages(base, candidates, demand, stock),
            max_hubs=ask.max_hubs,
            costs=source.costs,
            sites=ask.sites,
            budget_usd=ask.budget_usd,
            solver=ask.solver,
            time_limit_s=ask.time_limit_s,
        )
        base, stock = choice.network, list(choice.solution.hubs)
        extra = [_hub_line(choice, ask)]
    bar.step("coverage")
    coverage = build_coverage(base, candidates, demand, stock_hubs=stock)
    bar.step("solve")
    result = design(
        coverage,
        costs=source.costs,
        sites=ask.sites,
        budget_usd=ask.budget_usd,
        solver=ask.solver,
        time_limit_s=ask.time_limit_s,
    )
    summary = design_summary(result)
    if choice is not None:
        summary["hub_choice"] = _hub_summary(choice, ask)
    question = ConceptBase(
        base, settings, demand, tuple(stock), source.costs, len(result.solution.chosen)
    )
    _sweeps(ask, result, question, summary, bar, cluster)
    bar.step("analysis")
    summary["binding_legs"] = [p.__dict__ for p in binding_legs(coverage, result.chosen)]
    if ask.target is not None:
        bar.step("target")
        summary["target"] = {
            "share": ask.target,
            "sites_needed": sites_needed(coverage, ask.target, costs=source.costs),
            "concepts_reaching_it": [
                r for r in summary["sensitivity"]["rows"] if r["share"] >= ask.target
            ],
        }
    if ask.orders_per_day is not None:
        bar.step("economics")
        network_file = write_network(result, folder / "network.toml", source.command, extra)
        summary["economics"] = economics(network_file, result, ask.orders_per_day)
    return result, summary, extra


def _sweeps(
    ask: _Ask,
    result: Design,
    question: ConceptBase,
    summary: dict[str, Any],
    bar: StageBar,
    cluster: tuple[int, str | None],
) -> None:
    """The frontier and the sensitivity, on Dask unless ``--workers 0`` (or nothing to run)."""
    runs = len(ask.frontier_sites) + len(ask.frontier_usd) + len(ask.concepts)
    workers, scheduler = cluster
    coverage = result.coverage
    with dask_client(workers if runs else 0, scheduler if runs else None) as client:
        points = run_frontier(
            coverage,
            costs=question.costs,
            site_counts=ask.frontier_sites,
            budgets_usd=ask.frontier_usd,
            client=client,
            progress=bar.stage("frontier"),
        )
        reference = result.solution.share
        if ask.budget_usd is not None:  # the sensitivity asks for as many sites as chosen
            reference = design(coverage, costs=question.costs, sites=question.sites).solution.share
        rows = run_sensitivity(
            question,
            ask.concepts,
            reference_share=reference,
            client=client,
            progress=bar.stage("sensitivity"),
        )
    summary["frontier"] = [p.__dict__ for p in points]
    summary["sensitivity"] = {
        "sites": question.sites,
        "reference_share": reference,
        "rows": [r.__dict__ for r in rows],
    }


def _hub_line(choice: HubChoice, ask: _Ask) -> str:
    s = choice.solution
    return (
        f"Stock hubs chosen by the model: {', '.join(s.hubs)} of {', '.join(ask.stock)} (at most "
        f"{ask.max_hubs}; joint hub and site model {s.solver}, {s.status}, gap {s.gap:.2e})."
    )


def _hub_summary(choice: HubChoice, ask: _Ask) -> dict[str, Any]:
    return {
        "pool": ask.stock,
        "max_hubs": ask.max_hubs,
        "solution": dataclasses.asdict(choice.solution) | {"chosen": len(choice.solution.chosen)},
        "greedy": dataclasses.asdict(choice.baseline) | {"chosen": len(choice.baseline.chosen)},
        "greedy_gap": choice.greedy_gap,
        "note": "the joint model does not count landings on another chosen hub's pad; the "
        "design on the chosen hubs (solution above) counts everything",
    }


def _write_sweeps(summary: dict[str, Any], folder: Path, result: Design) -> list[Path]:
    """``frontier.json``, ``frontier.png`` and ``sensitivity.json``."""
    from rocketpost.design.analysis import FrontierPoint

    frontier_path = folder / "frontier.json"
    frontier_path.write_text(json.dumps(summary["frontier"], indent=2), encoding="utf-8")
    written = [frontier_path]
    if summary["frontier"]:
        points = [FrontierPoint(**p) for p in summary["frontier"]]
        unit = result.coverage.demand.unit
        written.append(plot_frontier(points, folder / "frontier.png", unit=unit))
    sensitivity_path = folder / "sensitivity.json"
    sensitivity_path.write_text(json.dumps(summary["sensitivity"], indent=2), encoding="utf-8")
    return [*written, sensitivity_path]


def _notes(summary: dict[str, Any]) -> list[str]:
    """The hub choice and the target question, in words."""
    lines = []
    choice = summary.get("hub_choice")
    if choice:
        s = choice["solution"]
        lines.append(
            f"stock hubs chosen: {', '.join(s['hubs'])} of {', '.join(choice['pool'])} "
            f"(joint model {s['status']}, {s['share']:.2%}, gap {s['gap']:.2e}; greedy gap "
            f"{choice['greedy_gap']:.2%})"
        )
    target = summary.get("target")
    if target:
        needed = target["sites_needed"]
        concepts = ", ".join(f"{r['key']} = {r['value']:g}" for r in target["concepts_reaching_it"])
        lines.append(
            f"to reach {target['share']:.1%}: "
            + (f"{needed} sites" if needed is not None else "out of reach of every candidate")
            + f"; with one change at {summary['sensitivity']['sites']} sites: "
            + (concepts or "none")
        )
    return lines


def _views(result: Design, summary: dict[str, Any], top: int) -> list[Any]:
    """The tables of a design: its sites (``top`` of them; none for 0), the frontier, the
    sensitivity."""
    from rocketpost.design.analysis import FrontierPoint, SensitivityRow

    views: list[Any] = [sites_table(result, top)] if top else []
    if summary["frontier"]:
        points = [FrontierPoint(**p) for p in summary["frontier"]]
        views.append(frontier_table(points, result.coverage.stock_hubs))
    sensitivity = summary["sensitivity"]
    if sensitivity["rows"]:
        rows = [SensitivityRow(**r) for r in sensitivity["rows"]]
        views.append(sensitivity_table(rows, sensitivity["sites"], sensitivity["reference_share"]))
    return views
