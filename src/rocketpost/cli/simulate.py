"""``rocketpost simulate PLAN_DIR``, ``rocketpost sweep SPEC.toml``, ``rocketpost calibrate``.

Registered by the lead as top-level commands (``app.command("simulate")(simulate)`` ...).
``--workers N`` runs on a local Dask cluster of N processes (loopback only, no dashboard),
``--workers 0`` in this process, ``--scheduler ADDRESS`` on an existing cluster.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rocketpost.cli.common import JsonOption, NetworkOption, PresetOption
from rocketpost.cli.output import console, print_json
from rocketpost.errors import InputError

__all__ = ["calibrate", "simulate", "sweep"]

WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers", help="Local Dask cluster of N worker processes (0: run in this process)."
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", help="Address of an existing Dask scheduler (tcp://host:port)."),
]

_SHOWN = (
    ("promises_kept_share", "{:.2%}"),
    ("rocket_promises_kept_share", "{:.2%}"),
    ("ground_promises_kept_share", "{:.2%}"),
    ("late_orders", "{:,.1f}"),
    ("to_standard_orders", "{:,.1f}"),
    ("redispatched_orders", "{:,.1f}"),
    ("lateness_p50_min", "{:,.1f}"),
    ("lateness_p95_min", "{:,.1f}"),
    ("lateness_p99_min", "{:,.1f}"),
    ("flights_planned", "{:,.0f}"),
    ("flights_flown", "{:,.1f}"),
    ("flights_scrubbed", "{:,.1f}"),
    ("flights_lost", "{:,.2f}"),
    ("flights_diverted", "{:,.2f}"),
    ("flights_cancelled", "{:,.2f}"),
    ("airframe_utilisation", "{:.1%}"),
    ("cost_per_kg_usd", "{:,.0f}"),
)


@contextmanager
def _progress(label: str, quiet: bool) -> Iterator[Callable[[int, int], None]]:
    with Progress(
        TextColumn(f"{label:<12}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _check_workers(workers: int, scheduler: str | None) -> None:
    if workers < 0:
        raise InputError("--workers", workers, "must be ≥ 0")
    if scheduler is not None and not scheduler.strip():
        raise InputError("--scheduler", scheduler, "must be an address such as tcp://host:8786")


def _fmt(fmt: str, value: float) -> str:
    return "–" if not math.isfinite(value) else fmt.format(value)


def simulate(
    plan_dir: Annotated[Path, typer.Argument(help="Plan directory written by `plan run`.")],
    replicates: Annotated[int, typer.Option("--replicates", help="Monte Carlo replicates.")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the replicates.")] = 0,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Output directory (default PLAN_DIR/simulation).")
    ] = None,
    policy: Annotated[
        str, typer.Option("--policy", help="After a scrub: next_wave, other_hub or standard.")
    ] = "other_hub",
    landing_zones: Annotated[int, typer.Option("--landing-zones", help="1 or 2 per hub.")] = 1,
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Simulate a plan under weather, sea state, landing failures and customs: KPIs with 95 % CI."""
    from rocketpost.cli.common import network_from
    from rocketpost.simulation import (
        ReplanPolicy,
        SimConfig,
        dask_client,
        load_inputs,
        run_monte_carlo,
        write_results,
    )

    if replicates < 1:
        raise InputError("--replicates", replicates, "must be ≥ 1")
    if seed < 0:
        raise InputError("--seed", seed, "must be ≥ 0")
    _check_workers(workers, scheduler)
    config = SimConfig(policy=ReplanPolicy(action=policy), landing_zones=landing_zones)  # type: ignore[arg-type]
    inputs = load_inputs(
        plan_dir,
        None if network_file is None and preset is None else network_from(network_file, preset),
    )
    with dask_client(workers, scheduler) as client, _progress("replicates", as_json) as step:
        result = run_monte_carlo(
            inputs, config, replicates=replicates, seed=seed, client=client, progress=step
        )
    target = out if out is not None else plan_dir / "simulation"
    written = write_results(result, target)
    if as_json:
        print_json(
            {
                "plan_dir": str(plan_dir),
                "replicates": replicates,
                "seed": seed,
                "one_hour_orders": inputs.n_orders,
                "flights_planned": inputs.n_flights,
                "kpis": result.summary_dict(),
                "written": [str(p) for p in written],
            }
        )
        return
    table = Table(
        title=f"{replicates} replicates of {plan_dir} ({inputs.n_orders:,} one-hour orders, "
        f"{inputs.n_flights} flights), seed {seed}"
    )
    for column in ("KPI", "mean", "95 % CI"):
        table.add_column(column, justify="left" if column == "KPI" else "right")
    for name, fmt in _SHOWN:
        i = result.summary[name]
        ci = "" if i.n < 2 else f"{_fmt(fmt, i.low)} – {_fmt(fmt, i.high)}"
        table.add_row(name, _fmt(fmt, i.mean), ci)
    console.print(table)
    for path in written:
        console.print(f"wrote {path}")


def sweep(
    spec_file: Annotated[Path, typer.Argument(help="Sweep spec (TOML), see examples/sweep.toml.")],
    out: Annotated[
        Path | None, typer.Option("--out", help="Output directory (default: sweep-<spec name>).")
    ] = None,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a scenario sweep: results table (Parquet + CSV) and PNG plots."""
    from rocketpost.simulation import dask_client, load_sweep_spec, run_sweep, write_sweep

    _check_workers(workers, scheduler)
    spec = load_sweep_spec(spec_file)
    with dask_client(workers, scheduler) as client, _progress("sweep", as_json) as step:
        table = run_sweep(spec, client=client, progress=step)
    target = out if out is not None else Path(f"sweep-{spec_file.stem}")
    written = write_sweep(table, target)
    keys = [k for k, _ in spec.grid]
    if as_json:
        rows = table.select(
            [
                "scenario",
                *keys,
                "promises_kept_share",
                "promises_kept_share_ci_low",
                "promises_kept_share_ci_high",
                "flights_flown",
                "cost_per_kg_usd",
            ]
        ).to_pylist()
        print_json({"scenarios": rows, "written": [str(p) for p in written]})
        return
    view = Table(title=f"{table.num_rows} scenarios × {spec.replicates} replicates")
    for column in (*keys, "promises kept (95 % CI)", "flights flown", "US$/kg"):
        view.add_column(column, justify="right")
    for row in table.to_pylist():
        kept = (
            f"{_fmt('{:.2%}', row['promises_kept_share'])} "
            f"({_fmt('{:.2%}', row['promises_kept_share_ci_low'])} – "
            f"{_fmt('{:.2%}', row['promises_kept_share_ci_high'])})"
        )
        view.add_row(
            *(str(row[k]) for k in keys),
            kept,
            _fmt("{:,.1f}", row["flights_flown"]),
            _fmt("{:,.0f}", row["cost_per_kg_usd"]),
        )
    console.print(view)
    for path in written:
        console.print(f"wrote {path}")


def _generated_day(
    network: Any, orders: int, day: str, orders_seed: int, stock_at: str, days: int = 1
) -> tuple[Any, Any]:
    """The generated order day both calibration commands simulate (``days`` of them from
    ``day``: its first is the one-day file of the same seed), and its stock mask (``None``:
    stock at every hub; else only at the ``stock_at`` hubs)."""
    import numpy as np

    from rocketpost.orders.generator import generate_days, generate_orders

    try:
        the_day = date.fromisoformat(day)
    except ValueError:
        raise InputError("--date", day, "must be YYYY-MM-DD") from None
    if days == 1:
        generated, _ = generate_orders(
            orders, day=the_day, rng=np.random.default_rng(orders_seed), rocket=network.rocket
        )
    else:
        generated, _ = generate_days(
            orders, first_day=the_day, days=days, seed=orders_seed, rocket=network.rocket
        )
    allowed: Any = None
    hubs = [network.hub_index(h) for h in stock_at.split(",") if h.strip()]
    if hubs:
        allowed = np.zeros((len(generated), len(network.hubs)), dtype=bool)
        allowed[:, hubs] = True
    return generated, allowed


def calibrate(
    orders: Annotated[int, typer.Option("--orders", help="Generated orders in the day.")] = 20000,
    day: Annotated[str, typer.Option("--date", help="Day of the orders.")] = "2026-11-25",
    orders_seed: Annotated[int, typer.Option("--orders-seed", help="Seed of the orders.")] = 1,
    stock_at: Annotated[
        str, typer.Option("--stock-at", help="Comma-separated hubs holding the stock.")
    ] = "HZB,SHA,SZX",
    days: Annotated[
        int,
        typer.Option(
            "--days",
            help="Consecutive days of --orders each, planned and simulated as one file in one "
            "clock; the validation then also checks every day (not with --buffers).",
        ),
    ] = 1,
    buffers: Annotated[
        str | None,
        typer.Option(
            "--buffers",
            help="Comma-separated buffer minutes to try: the old buffer grid instead of the "
            "validation at the confidence.",
        ),
    ] = None,
    reserves: Annotated[
        str, typer.Option("--reserves", help="Comma-separated fleet reserves per hub.")
    ] = "0,1",
    replicates: Annotated[int, typer.Option("--replicates")] = 20,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    target: Annotated[float, typer.Option("--target", help="Share of promises to keep.")] = 0.99,
    policy: Annotated[str, typer.Option("--policy")] = "other_hub",
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    png: Annotated[
        Path | None,
        typer.Option("--png", help="Write the reliability diagram here (validation)."),
    ] = None,
    onsets: Annotated[
        bool,
        typer.Option(
            "--onsets/--no-onsets",
            help="Plan counting fronts and closures after the promise (default, as quotes do).",
        ),
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Check that the promises made at the network's confidence are kept in simulation, per
    hub and overall, with the reliability diagram; exit 1 when kept < promised beyond the
    95 % interval. ``--buffers``: the old buffer (and fleet reserve) grid instead."""

    from rocketpost.cli.common import network_from
    from rocketpost.simulation import ReplanPolicy, SimConfig, dask_client
    from rocketpost.simulation import calibrate as run_calibration
    from rocketpost.simulation.calibration import CalibrationParams

    if replicates < 1:
        raise InputError("--replicates", replicates, "must be ≥ 1")
    if days < 1 or days > 366:
        raise InputError("--days", days, "must be 1 to 366")
    if days > 1 and buffers is not None:
        raise InputError(
            "--days", days, "checks the promises at the confidence: not with --buffers"
        )
    _check_workers(workers, scheduler)
    if buffers is None:
        _validate(orders, day, orders_seed, stock_at, replicates, seed, policy,
                  network_file, preset, png, onsets, as_json, days)  # fmt: skip
        return
    try:
        buffer_list = [float(b) for b in buffers.split(",") if b.strip()]
        reserve_list = [int(r) for r in reserves.split(",") if r.strip()]
    except ValueError:
        raise InputError(
            "--buffers/--reserves", f"{buffers} / {reserves}", "must be numbers"
        ) from None
    network = network_from(network_file, preset)
    generated, allowed = _generated_day(network, orders, day, orders_seed, stock_at)
    config = SimConfig(policy=ReplanPolicy(action=policy))  # type: ignore[arg-type]
    params = CalibrationParams(
        buffers_min=tuple(buffer_list),
        reserves=tuple(reserve_list),
        replicates=replicates,
        seed=seed,
        target=target,
        simulation=config,
    )
    with dask_client(workers, scheduler) as client, _progress("calibrate", as_json) as step:
        result = run_calibration(
            network, generated, params, allowed=allowed, client=client, progress=step
        )
    if as_json:
        print_json(result.to_dict())
        return
    view = Table(title=f"promise calibration: {orders:,} orders, {replicates} replicates")
    for column in (
        "buffer min",
        "reserve",
        "one-hour orders",
        "promises kept (95 % CI)",
        "rocket kept",
        "flights",
    ):
        view.add_column(column, justify="right")
    for row in result.to_dict()["grid"]:
        view.add_row(
            f"{row['buffer_min']:g}",
            str(row["fleet_reserve"]),
            f"{row['one_hour_orders']:,.0f}",
            f"{_fmt('{:.2%}', row['promises_kept_share'])} "
            f"({_fmt('{:.2%}', row['promises_kept_share_ci_low'])} – "
            f"{_fmt('{:.2%}', row['promises_kept_share_ci_high'])})",
            _fmt("{:.1%}", row["rocket_promises_kept_share"]),
            _fmt("{:,.1f}", row["flights_flown"]),
        )
    console.print(view)
    if result.recommended_buffer_min is None:
        console.print(f"no setting in the grid keeps {target:.0%} of promises")
    else:
        console.print(
            f"recommended: buffer_min = {result.recommended_buffer_min:g}, fleet reserve = "
            f"{result.recommended_fleet_reserve} (baseline kept share "
            f"{result.baseline_kept_share:.2%})"
        )


def _validate(
    orders: int,
    day: str,
    orders_seed: int,
    stock_at: str,
    replicates: int,
    seed: int,
    policy: str,
    network_file: Path | None,
    preset: str | None,
    png: Path | None,
    onsets: bool,
    as_json: bool,
    days: int = 1,
) -> None:
    """``calibrate`` without ``--buffers``: the validation at the confidence."""

    from rocketpost.cli.common import network_from
    from rocketpost.planning import ConsolidationPolicy
    from rocketpost.planning.params import PlanParams
    from rocketpost.promise.conditions import Conditions
    from rocketpost.simulation import ReplanPolicy, SimConfig
    from rocketpost.simulation.validation import validate_promises, write_reliability_png

    if replicates < 1:
        raise InputError("--replicates", replicates, "must be ≥ 1")
    network = network_from(network_file, preset)
    generated, allowed = _generated_day(network, orders, day, orders_seed, stock_at, days)
    result = validate_promises(
        network,
        generated,
        allowed=allowed,
        replicates=replicates,
        seed=seed,
        config=SimConfig(policy=ReplanPolicy(action=policy)),  # type: ignore[arg-type]
        conditions=Conditions(onsets=onsets),
        params=PlanParams(consolidation=ConsolidationPolicy(max_cost_per_kg_usd=math.inf)),
    )
    written = None if png is None else write_reliability_png(result, png)
    if as_json:
        print_json({**result.to_dict(), "png": None if written is None else str(written)})
    else:
        _print_validation(result, len(generated))
        if written is not None:
            console.print(f"wrote {written}")
    if not result.passed:
        raise typer.Exit(1)


def _kept_cell(share: float, low: float, high: float) -> str:
    """``99.26% (95.48–99.88%)``: a kept share and its interval, narrow enough for 80 columns."""
    if math.isnan(share):
        return "–"
    return f"{share:.2%} ({low * 100:.2f}–{high:.2%})"


def _print_validation(result: Any, orders: int) -> None:
    view = Table(
        title=f"promises at {result.target:.0%}: {orders:,} orders, {result.replicates} "
        f"replicates ({result.withdrawn:,} promises withdrawn by the dispatcher)"
    )
    for column in ("hub", "promises", "made", "kept", "kept share (95 %, by replicate)", "verdict"):
        view.add_column(column, justify="left" if column in ("hub", "promises") else "right")
    for row in result.shares:
        view.add_row(
            row.group,
            row.kind,
            f"{row.promised:,}",
            f"{row.kept:,}",
            _kept_cell(row.share, row.low, row.high),
            "FAILS" if row.fails else "ok",
        )
    console.print(view)
    if len(result.days) > 2:  # one day: the same as "all"
        by_day = Table(
            title="per UTC day of the orders (one clock: a day flies what the last one left)"
        )
        for column in ("day", "promises", "made", "stated", "kept share (95 %)", "verdict"):
            by_day.add_column(column, justify="left" if column in ("day", "promises") else "right")
        for row in result.days:
            if not row.promised:
                continue
            by_day.add_row(
                row.group,
                row.kind,
                f"{row.promised:,}",
                _fmt("{:.2%}", row.stated),
                _kept_cell(row.share, row.low, row.high),
                "FAILS" if row.fails else "ok",
            )
        console.print(by_day)
    diagram = Table(title="reliability: promised P(on time) vs kept share")
    for column in ("promised P", "promises", "mean promised", "kept (95 %, by replicate)"):
        diagram.add_column(column, justify="right")
    for b in result.reliability:
        if b.n:
            diagram.add_row(
                f"[{b.low:.3f}, {b.high:.3f})",
                f"{b.n:,}",
                f"{b.stated_mean:.4f}",
                _kept_cell(b.kept_share, b.kept_low, b.kept_high),
            )
    console.print(diagram)
