"""``rocketpost plan ORDERS --out DIR`` (also ``plan run``), ``rocketpost plan check DIR`` and
``rocketpost plan --database-url URL --date D`` (also ``plan database``, in ``cli/ops.py``)."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer._click.core import Context
from typer.core import TyperGroup

from rocketpost.cli.common import JsonOption, NetworkOption, PresetOption, network_from
from rocketpost.cli.output import console, fail, print_json

if TYPE_CHECKING:
    from rocketpost.planning.params import PlanParams

__all__ = ["app"]


class _RunByDefault(TyperGroup):
    """``plan ORDERS ...`` means ``plan run ORDERS ...``; ``plan check DIR`` stays a command."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        elif args and args[0].split("=", 1)[0] == "--database-url":
            args = ["database", *args]  # plan --database-url URL --date D
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_RunByDefault,
    name="plan",
    help="Plan a day of orders (flights, manifests, routes, outcomes) and re-check a plan.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_STAGES = (
    "read orders",
    "stock",
    "customs",
    "service choice",
    "consolidation",
    "fleet",
    "last mile",
    "tables",
    "write",
)


@app.command("run")
def run(
    orders_file: Annotated[Path, typer.Argument(help="Orders file (.csv, .parquet or .jsonl).")],
    out: Annotated[Path, typer.Option("--out", help="Plan directory to write.")],
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    inventory: Annotated[
        Path | None,
        typer.Option("--inventory", help="Inventory file (hub, sku, quantity): where stock is."),
    ] = None,
    stock_at: Annotated[
        str | None,
        typer.Option(
            "--stock-at", help="Comma-separated hub ids that hold all stock (default: every hub)."
        ),
    ] = None,
    params_file: Annotated[
        Path | None,
        typer.Option(
            "--params",
            help="Planner options (TOML, see rocketpost.planning.params); "
            "the options below override it.",
        ),
    ] = None,
    last_mile: Annotated[
        bool | None,
        typer.Option(
            "--last-mile/--no-last-mile", help="Route each landing with PyVRP (default: off)."
        ),
    ] = None,
    last_mile_seconds: Annotated[
        float | None,
        typer.Option("--last-mile-seconds", help="PyVRP time limit per landing (default: 2)."),
    ] = None,
    max_cost_per_kg: Annotated[
        float | None,
        typer.Option(
            "--max-cost-per-kg",
            help="Light flights above this US$/kg are downgraded (0 = always fly; default: 2800).",
        ),
    ] = None,
    customs: Annotated[
        bool,
        typer.Option(
            "--customs/--no-customs",
            help="Pre-clear cross-border orders: held ones go standard, inspections add minutes.",
        ),
    ] = True,
    weather: Annotated[
        list[str] | None,
        typer.Option(
            "--weather",
            help="Declared weather, HUB=clear|hold_risk|front[:HOURS] (repeatable); the rest "
            "is the climate. The hour is promised at the network's confidence under it.",
        ),
    ] = None,
    onsets: Annotated[
        bool,
        typer.Option(
            "--onsets/--no-onsets",
            help="Count fronts and sea closures that may start after the promise, as quotes "
            "do (default); --no-onsets: as if the weather now lasted.",
        ),
    ] = True,
    buffer_rule: Annotated[
        bool,
        typer.Option(
            "--buffer-rule",
            help="Promise the hour by the flat buffer (promise.buffer_min), as before.",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Plan ORDERS into DIR and print the KPIs; rejected rows go to DIR/rejects.csv."""
    from rocketpost.orders.io import read_orders
    from rocketpost.planning.day import plan_day
    from rocketpost.planning.plan_files import write_plan

    if inventory is not None and stock_at:
        fail("--inventory and --stock-at both say where stock is: pass one of them")
    network = network_from(network_file, preset)
    from rocketpost.promise.conditions import Conditions, parse_weather

    promise_conditions = None
    if not buffer_rule:  # the climate, with what operations declared
        declared = dict(parse_weather(spec) for spec in weather or [])
        promise_conditions = Conditions(hubs=declared, known_ids=network.hub_ids, onsets=onsets)
    params = _plan_params(params_file, last_mile, last_mile_seconds, max_cost_per_kg)
    with Progress(
        TextColumn("{task.description:<16}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("read orders", total=len(_STAGES))

        def step(stage: str) -> None:
            bar.update(task, description=stage, completed=_STAGES.index(stage))

        imported = read_orders(orders_file, known_hubs=network.hub_ids, rocket=network.rocket)
        stock = None
        stock_rejected = 0
        if inventory is not None:
            from rocketpost.orders.inventory import read_inventory

            stock = read_inventory(inventory, known_hubs=network.hub_ids)
            stock_rejected = stock.rows_rejected
            if stock_rejected:
                out.mkdir(parents=True, exist_ok=True)
                stock.write_rejects(out / "inventory_rejects.csv")
        allowed = None
        if stock_at:
            hubs = [network.hub_index(h) for h in stock_at.split(",") if h.strip()]
            allowed = np.zeros((len(imported.orders), len(network.hubs)), dtype=bool)
            allowed[:, hubs] = True
        plan = plan_day(
            network,
            imported.orders,
            imported.items,
            params,
            inventory=None if stock is None else stock.inventory,
            allowed_origins=allowed,
            customs=customs,
            promise_conditions=promise_conditions,
            promise_rule="buffer" if buffer_rule else "confidence",
            progress=step,
        )
        step("write")
        # Recorded so that `plan check DIR` finds the input without being told.
        plan = dataclasses.replace(
            plan,
            provenance=dataclasses.replace(
                plan.provenance,
                orders_file=str(orders_file.resolve()),
                network_file=None if network_file is None else str(network_file.resolve()),
                inventory_file=None if inventory is None else str(inventory.resolve()),
                options={
                    **plan.provenance.options,
                    "stock_at": None if not stock_at else stock_at.split(","),
                },
            ),
        )
        write_plan(plan, out)
        if imported.rows_rejected:
            imported.write_rejects(out / "rejects.csv")
        bar.update(task, completed=len(_STAGES))
    summary = {
        **plan.kpis,
        "rejected_orders": imported.orders_rejected,
        "rejected_inventory_rows": stock_rejected,
        "out": str(out),
    }
    if as_json:
        print_json(summary)
        return
    table = Table(title=f"plan of {imported.orders_accepted:,} orders → {out}")
    table.add_column("KPI")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v:,}" for k, v in value.items())
        elif isinstance(value, float):
            value = f"{value:,.4g}"
        elif isinstance(value, int):
            value = f"{value:,}"
        table.add_row(key, str(value))
    console.print(table)


def _plan_params(
    params_file: Path | None,
    last_mile: bool | None,
    last_mile_seconds: float | None,
    max_cost_per_kg: float | None,
) -> PlanParams:
    """The planner's options: the ``--params`` file (or the defaults), then the options given."""
    from rocketpost.planning.params import PlanParams

    params = PlanParams() if params_file is None else PlanParams.from_file(params_file)
    if last_mile is not None:
        params = dataclasses.replace(params, last_mile=last_mile)
    if last_mile_seconds is not None:
        options = dataclasses.replace(params.last_mile_options, time_limit_s=last_mile_seconds)
        params = dataclasses.replace(params, last_mile_options=options)
    if max_cost_per_kg is not None:
        ceiling = max_cost_per_kg if max_cost_per_kg > 0 else math.inf
        policy = dataclasses.replace(params.consolidation, max_cost_per_kg_usd=ceiling)
        params = dataclasses.replace(params, consolidation=policy)
    return params


def _register_database() -> None:
    from rocketpost.cli.ops import plan_database

    app.command("database", help="Plan a day's booked flights from the service's database.")(
        plan_database
    )


_register_database()


@app.command("check")
def check(
    directory: Annotated[Path, typer.Argument(help="Plan directory written by `plan run`.")],
    orders_file: Annotated[
        Path | None,
        typer.Option(
            "--orders", help="Orders file (default: the one recorded in DIR/manifest.json)."
        ),
    ] = None,
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-check a plan independently of the planner; exit 1 when a rule is broken."""
    from rocketpost.planning.check import check_plan
    from rocketpost.planning.plan_files import read_provenance

    if not (directory / "manifest.json").is_file():
        fail(f"{directory}: not a plan directory (no manifest.json)")
    recorded = read_provenance(directory)
    if orders_file is None:
        if not recorded.orders_file:
            fail(f"{directory}: no orders file recorded; pass --orders")
        orders_file = Path(recorded.orders_file)
    if network_file is None and recorded.network_file:
        network_file = Path(recorded.network_file)
    if preset is None:
        preset = recorded.network_preset  # the preset the plan was made with
    violations = check_plan(directory, orders_file, network_from(network_file, preset))
    if as_json:
        print_json({"directory": str(directory), "ok": not violations, "violations": violations})
    elif violations:
        for line in violations:
            console.print(line, markup=False)
        console.print(f"[red]{len(violations)} violation(s)[/red]")
    else:
        console.print(
            "[green]plan OK[/green]: every order once, loads within limits, "
            "airframes consistent, on-time claims hold"
        )
    if violations:
        raise typer.Exit(1)
