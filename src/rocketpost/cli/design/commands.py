"""``rocketpost design solve | frontier | sensitivity``: the network designer's commands.

Each is a thin wrapper over :mod:`rocketpost.design` (coverage through the door-to-door kernel,
the covering model, the analyses, the outputs): a table by default, one JSON document with
``--json``, files with ``--out DIR``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from rocketpost.cli.common import JsonOption, NetworkOption
from rocketpost.cli.design.candidates import app
from rocketpost.cli.design.options import (
    CostsOption,
    DemandOption,
    DesignPresetOption,
    KeepSitesOption,
    MinPopulationOption,
    OutOption,
    StockOption,
    _base_network,
    _concepts,
    _demand,
    _numbers,
    _out_dir,
    _solve_command,
    _stock,
)
from rocketpost.cli.design.outputs import (
    design_header,
    economics,
    frontier_table,
    sensitivity_table,
    sites_table,
    write_design,
)
from rocketpost.cli.design.progress import stage_bar
from rocketpost.cli.output import console, print_json
from rocketpost.cli.simulate import SchedulerOption, WorkersOption
from rocketpost.design.analysis import (
    Design,
    binding_legs,
    design,
    sites_needed,
)
from rocketpost.design.candidates import CandidateSettings, build_candidates
from rocketpost.design.costs import CostModel, default_costs
from rocketpost.design.coverage import CoverageMatrix, build_coverage
from rocketpost.design.demand import city_demand
from rocketpost.design.mclp import check_solver
from rocketpost.design.report import (
    design_summary,
    plot_frontier,
)
from rocketpost.design.selection import landing_sites_toml
from rocketpost.design.sweeps import ConceptBase, run_frontier, run_sensitivity
from rocketpost.errors import InputError
from rocketpost.simulation import dask_client

__all__ = ["design_frontier", "design_sensitivity", "design_solve"]


def _coverage(
    network_file: Path | None,
    preset: str | None,
    stock_at: str,
    demand: str,
    min_population: int,
    keep_sites: bool,
) -> CoverageMatrix:
    import dataclasses

    network = _base_network(network_file, preset)
    if not keep_sites:
        network = dataclasses.replace(network, extra_sites=())
    settings = CandidateSettings.for_network(network, min_population)
    return build_coverage(
        network,
        build_candidates(settings),
        _demand(demand, min_population),
        stock_hubs=_stock(stock_at),
    )


def _costs(path: Path | None) -> CostModel:
    return default_costs() if path is None else CostModel.from_file(path)


@app.command("solve")
def design_solve(
    stock_at: StockOption = "HZB,SHA,SZX",
    sites: Annotated[
        int | None, typer.Option("--sites", help="Budget: number of landing sites.")
    ] = None,
    budget: Annotated[
        float | None, typer.Option("--budget", help="Budget: USD per year (hubs paid first).")
    ] = None,
    demand: DemandOption = "cities",
    min_population: MinPopulationOption = 15_000,
    keep_sites: KeepSitesOption = False,
    solver: Annotated[str, typer.Option("--solver", help="highs, cpsat or greedy.")] = "highs",
    time_limit_s: Annotated[
        float, typer.Option("--time-limit", help="Solver time limit, seconds.")
    ] = 60.0,
    orders_per_day: Annotated[
        float | None,
        typer.Option("--orders-per-day", help="Also price the fleet at this demand level."),
    ] = None,
    costs: CostsOption = None,
    out: OutOption = None,
    sites_out: Annotated[
        Path | None,
        typer.Option(
            "--sites-out",
            help="Also write the chosen sites alone as [[landing_sites]] TOML (a preset's "
            "landing_sites_file).",
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Sites to list in the table.")] = 15,
    network: NetworkOption = None,
    preset: DesignPresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Choose landing sites for the most demand with a one-hour rocket promise.

    Writes (with --out DIR) network.toml (the designed network, which every command takes with
    --network), design.json, design.geojson and map.png.
    """
    check_solver(solver, time_limit_s, 0.0)  # checked before the coverage is built
    if sites is None and budget is None:
        sites = 100
    coverage = _coverage(network, preset, stock_at, demand, min_population, keep_sites)
    cost_model = _costs(costs)
    result = design(
        coverage,
        costs=cost_model,
        sites=sites,
        budget_usd=budget,
        solver=solver,
        time_limit_s=time_limit_s,
    )
    locals_for_command: dict[str, Any] = {
        "network": network,
        "preset": preset,
        "stock-at": stock_at,
        "sites": sites,
        "budget": budget,
        "demand": demand,
        "min-population": min_population,
        "keep-sites": keep_sites,
        "solver": solver,
        "costs": costs,
        "out": out,
        "sites-out": sites_out,
    }
    summary = design_summary(result)
    summary["binding_legs"] = [p.__dict__ for p in binding_legs(coverage, result.chosen)]
    folder = _out_dir(out)
    command = _solve_command(locals_for_command)
    written = [] if folder is None else write_design(result, summary, folder, command)
    if sites_out is not None:
        header = "\n".join(  # the command on one line: landing_sites_toml keeps "#" lines
            f"# {line}" if line.startswith("Command:") else line
            for line in design_header(result, command).splitlines()
        )
        sites_out.write_text(
            landing_sites_toml(
                coverage.candidates.subset(result.chosen), coverage.network.drone, header=header
            ),
            encoding="utf-8",
        )
        written.append(sites_out)
    if orders_per_day is not None:
        if folder is None:
            raise InputError("orders-per-day", orders_per_day, "needs --out (the network file)")
        summary["economics"] = economics(folder / "network.toml", result, orders_per_day)
    summary["outputs"] = [str(p) for p in written]
    if as_json:
        print_json(summary)
        return
    _print_design(result, summary, top)
    for path in written:
        console.print(f"wrote {path}")


def _print_design(result: Design, summary: dict[str, Any], top: int) -> None:
    s, g = result.solution, result.baseline
    unit = result.coverage.demand.unit
    console.print(sites_table(result, top))
    console.print(
        f"[bold]{s.share:.2%}[/bold] of {unit} ({s.objective / 1e6:,.1f} M) get a one-hour "
        f"rocket promise from {', '.join(result.coverage.stock_hubs)} with {len(s.chosen)} sites; "
        f"base alone {summary['base_share']:.2%}, every candidate {summary['ceiling_share']:.2%}"
    )
    console.print(
        f"{s.solver}: {s.status}, bound {s.bound / 1e6:,.2f} M, gap {s.gap:.2e}, "
        f"{s.seconds:.2f} s; greedy {g.share:.2%} (gap to the bound {result.greedy_gap:.2%}); "
        f"annual cost ${result.annual_usd / 1e6:,.0f} M"
    )
    for profile in summary["binding_legs"]:
        legs = ", ".join(f"{k} {v:.1f}" for k, v in profile["legs_min"].items() if v > 0.05)
        console.print(
            f"{profile['label']}: {profile['points']} points, {profile['total_min']:.1f} min "
            f"door to door ({legs})"
        )
    economics = summary.get("economics")
    if economics:
        console.print(
            f"at {economics['orders_per_day']:,.0f} orders/day: {economics['flights_per_day']:,.0f}"
            f" flights/day, mean fill {economics['mean_fill_mass']:.2%} by mass, "
            f"{economics['airframes_in_use']:,.0f} airframes in use, "
            f"${economics['usd_per_kg']:,.0f}/kg"
        )


@app.command("frontier")
def design_frontier(
    stock_at: StockOption = "HZB,SHA,SZX",
    sites: Annotated[
        str, typer.Option("--sites", help="Comma-separated site counts.")
    ] = "5,10,20,50,100,200,300,500",
    budgets: Annotated[
        str | None, typer.Option("--budgets", help="Comma-separated annual budgets, USD.")
    ] = None,
    demand: DemandOption = "cities",
    min_population: MinPopulationOption = 15_000,
    keep_sites: KeepSitesOption = False,
    costs: CostsOption = None,
    out: OutOption = None,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
    network: NetworkOption = None,
    preset: DesignPresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reach against budget: covered demand at each site count and annual budget (one exact
    solve per budget, on a local Dask cluster by default)."""
    coverage = _coverage(network, preset, stock_at, demand, min_population, keep_sites)
    counts = [int(k) for k in _numbers(sites, "sites")]
    runs = len(counts) + len(_numbers(budgets, "budgets"))
    with dask_client(workers, scheduler) as client, stage_bar(as_json, runs) as bar:
        points = run_frontier(
            coverage,
            costs=_costs(costs),
            site_counts=counts,
            budgets_usd=_numbers(budgets, "budgets"),
            client=client,
            progress=bar.stage("frontier"),
        )
    folder = _out_dir(out)
    written = []
    if folder is not None:
        (folder / "frontier.json").write_text(
            json.dumps([p.__dict__ for p in points], indent=2), encoding="utf-8"
        )
        written = [folder / "frontier.json"]
        written.append(plot_frontier(points, folder / "frontier.png", unit=coverage.demand.unit))
    if as_json:
        print_json({"points": [p.__dict__ for p in points], "outputs": [str(p) for p in written]})
        return
    view = frontier_table(points, coverage.stock_hubs)
    console.print(view)
    for path in written:
        console.print(f"wrote {path}")


@app.command("sensitivity")
def design_sensitivity(
    stock_at: StockOption = "HZB,SHA,SZX",
    sites: Annotated[int, typer.Option("--sites", help="Number of landing sites.")] = 100,
    target: Annotated[
        float | None, typer.Option("--target", help="Target share (0.15 = 15 %) to ask about.")
    ] = None,
    drone_range_km: Annotated[str, typer.Option("--drone-range-km")] = "25,30,40",
    drone_speed_kmh: Annotated[str, typer.Option("--drone-speed-kmh")] = "120,150",
    vessel_speed_kmh: Annotated[str, typer.Option("--vessel-speed-kmh")] = "80,100",
    burnout_speed_ms: Annotated[str, typer.Option("--burnout-speed-ms")] = "7000,7500,8500",
    offshore_km: Annotated[str, typer.Option("--offshore-km")] = "3",
    min_population: MinPopulationOption = 15_000,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
    network: NetworkOption = None,
    preset: DesignPresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """What a better drone, vessel, offshore rule or rocket would add, re-solved exactly (one
    task per concept, on a local Dask cluster by default)."""
    import dataclasses

    base = dataclasses.replace(_base_network(network, preset), extra_sites=())
    settings = CandidateSettings.for_network(base, min_population)
    candidates = build_candidates(settings)
    demand = city_demand(min_population)
    stock = _stock(stock_at)
    cost_model = default_costs()
    coverage = build_coverage(base, candidates, demand, stock_hubs=stock)
    reference = design(coverage, costs=cost_model, sites=sites)
    concepts = _concepts(
        drone_range_km=drone_range_km,
        drone_speed_kmh=drone_speed_kmh,
        vessel_speed_kmh=vessel_speed_kmh,
        burnout_speed_ms=burnout_speed_ms,
        offshore_km=offshore_km,
    )
    base_question = ConceptBase(base, settings, demand, tuple(stock), cost_model, sites)
    with dask_client(workers, scheduler) as client, stage_bar(as_json, len(concepts)) as bar:
        rows = run_sensitivity(
            base_question,
            concepts,
            reference_share=reference.solution.share,
            client=client,
            progress=bar.stage("sensitivity"),
        )
    needed = None if target is None else sites_needed(coverage, target, costs=cost_model)
    legs = binding_legs(coverage, reference.chosen)
    if as_json:
        print_json(
            {
                "sites": sites,
                "reference_share": reference.solution.share,
                "binding_legs": [p.__dict__ for p in legs],
                "rows": [r.__dict__ for r in rows],
                "target": target,
                "sites_needed_for_target": needed,
                "reaches_target": None
                if target is None
                else [r.__dict__ for r in rows if r.share >= target],
            }
        )
        return
    view = sensitivity_table(rows, sites, reference.solution.share)
    console.print(view)
    for profile in legs:
        top_legs = sorted(profile.legs_min.items(), key=lambda kv: -kv[1])[:4]
        console.print(
            f"{profile.label}: {profile.total_min:.1f} min door to door; largest legs "
            + ", ".join(f"{k} {v:.1f} min" for k, v in top_legs)
        )
    if target is not None:
        console.print(
            f"to reach {target:.1%}: "
            + (
                f"{needed} sites at today's parameters"
                if needed is not None
                else "not reachable with any number of today's candidates"
            )
            + "; with one change at "
            + f"{sites} sites: "
            + (", ".join(f"{r.key} = {r.value:g}" for r in rows if r.share >= target) or "none")
        )
