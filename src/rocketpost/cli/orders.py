"""``rocketpost orders``: generate synthetic days of orders and validate order files."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rocketpost.cli.output import console, print_json
from rocketpost.errors import InputError

if TYPE_CHECKING:
    from rocketpost.network import Network

__all__ = ["app"]

app = typer.Typer(
    help="Orders: generate a synthetic day, validate an orders file (CSV, Parquet, JSON Lines).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

_PROGRESS_MIN_ORDERS = 50_000
"""Below this a day generates in well under a second: no progress bar."""

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document instead of tables.")
]
NetworkFileOption = Annotated[
    Path | None,
    typer.Option(
        "--network",
        help="Network TOML for hub ids, countries and the rocket class (default: the shipped "
        "network).",
        show_default=False,
    ),
]


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError("--date", text, "must be a date such as 2025-06-01") from None


def _network(network_file: Path | None) -> Network:
    """The network file's network, or the default one (its hubs and its rocket class)."""
    from rocketpost.network import default_network, load_network

    return default_network() if network_file is None else load_network(network_file)


def _backhaul_origins(specs: list[str], network: Network) -> dict[str, str]:
    """``HUB=CC`` pairs; a bare ``HUB`` takes its country from the network."""
    origins: dict[str, str] = {}
    hubs = {hub.hub_id: hub.country for hub in network.hubs}
    for spec in specs:
        hub, _, country = (part.strip() for part in spec.partition("="))
        if not hub:
            raise InputError("--backhaul", spec, "must be HUB or HUB=COUNTRY, e.g. ICN=KR")
        if not country:
            if hub not in hubs:
                raise InputError("--backhaul", spec, "is not a hub of the network")
            country = hubs[hub]
        if len(country) != 2 or not country.isalpha():
            raise InputError("--backhaul", spec, "country must be an ISO alpha-2 code")
        origins[hub] = country.upper()
    return origins


@app.command("generate")
def generate(
    n: Annotated[int, typer.Option("--n", help="Number of orders.", min=0)],
    day_text: Annotated[
        str, typer.Option("--date", help="Local calendar day of the orders, e.g. 2025-06-01.")
    ],
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same file.", min=0)],
    out: Annotated[Path, typer.Option("--out", help="Output file: .csv, .parquet or .jsonl.")],
    params_file: Annotated[
        Path | None,
        typer.Option(
            "--params",
            help="The day's mix (TOML, see rocketpost.orders.generator.GeneratorParams); "
            "--b2b-share and --backhaul override it.",
        ),
    ] = None,
    b2b_share: Annotated[
        float | None,
        typer.Option(
            "--b2b-share",
            help="Share of B2B freight orders (default: 0.02).",
            min=0.0,
            max=1.0,
        ),
    ] = None,
    backhaul: Annotated[
        list[str] | None,
        typer.Option(
            "--backhaul",
            help="Export-backhaul origin hub, HUB=COUNTRY or HUB (country from the network); "
            "repeat for several.",
            show_default=False,
        ),
    ] = None,
    days: Annotated[
        int,
        typer.Option(
            "--days",
            help="Consecutive days from --date, N orders each (day 1 is the one-day file of "
            "the same seed).",
            min=1,
            max=366,
        ),
    ] = 1,
    network_file: NetworkFileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Generate a synthetic day of N orders (B2C parcels and B2B freight) into OUT, or
    --days of them."""
    from rocketpost.orders.generator import (
        GENERATOR_STAGES,
        GeneratorParams,
        describe,
        generate_days,
    )
    from rocketpost.orders.io import file_format, write_orders

    file_format(out)  # an unknown extension fails before any work
    day = _parse_day(day_text)
    network = _network(network_file)
    params = GeneratorParams() if params_file is None else GeneratorParams.from_file(params_file)
    if b2b_share is not None:
        params = dataclasses.replace(params, b2b_share=b2b_share)
    if backhaul:
        origins = _backhaul_origins(list(backhaul), network)
        params = dataclasses.replace(params, backhaul_origins=origins)
    stages = (*GENERATOR_STAGES, "write")
    with Progress(
        TextColumn("{task.description:<14}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=as_json or n < _PROGRESS_MIN_ORDERS or not console.is_terminal,
    ) as bar:
        task = bar.add_task(stages[0], total=len(stages))

        def step(stage: str) -> None:
            bar.update(task, description=stage, completed=stages.index(stage))

        orders, items = generate_days(
            n,
            params,
            first_day=day,
            days=days,
            seed=seed,
            rocket=network.rocket,
            progress=step,
        )
        step("write")
        write_orders(out, orders, items)
        bar.update(task, completed=len(stages))
    figures = describe(orders)
    summary: dict[str, Any] = {
        "out": str(out),
        "orders": len(orders),
        "lines": len(items),
        "date": day.isoformat(),
        "days": days,
        "seed": seed,
        "b2b_orders": int(orders.is_b2b.sum()),
        "backhaul_orders": int((orders.origin_hub != "").sum()),
        "dangerous_goods_orders": int(orders.has_dangerous_goods.sum()),
        "b2c_median_kg": figures["b2c_median_kg"],
        "b2c_median_dm3": figures["b2c_median_dm3"],
        "total_mass_kg": float(orders.mass_kg.sum()),
        "total_volume_m3": float(orders.volume_m3.sum()),
    }
    if as_json:
        print_json(summary)
        return
    console.print(
        f"wrote {len(orders):,} orders ({len(items):,} lines) to {out}: "
        f"{summary['b2b_orders']:,} B2B ({summary['backhaul_orders']:,} backhaul), "
        f"{summary['dangerous_goods_orders']:,} with dangerous goods, "
        f"median B2C parcel {figures['b2c_median_kg']:.2f} kg / "
        f"{figures['b2c_median_dm3']:.1f} dm³",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Orders file (.csv, .parquet or .jsonl).")],
    rejects: Annotated[
        Path | None,
        typer.Option(
            "--rejects",
            help="Write rejected rows here (.csv, .parquet or .jsonl).",
            show_default=False,
        ),
    ] = None,
    network_file: NetworkFileOption = None,
    any_hub: Annotated[
        bool, typer.Option("--any-hub", help="Do not check origin_hub against the network.")
    ] = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 1 when any row is rejected.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Validate FILE: count rows and orders accepted and rejected, list the first rejects."""
    from rocketpost.orders.io import file_format, read_orders

    if rejects is not None:
        file_format(rejects)
    network = _network(network_file)
    known = None if any_hub else network.hub_ids
    result = read_orders(file, known_hubs=known, rocket=network.rocket)
    if rejects is not None:
        result.write_rejects(rejects)
    first = list(result.rejects.rows())[:20]
    if as_json:
        print_json({**result.summary(), "rejects_file": rejects, "first_rejects": first})
    else:
        table = Table(title=str(file), show_header=True)
        table.add_column("")
        for column in ("read", "accepted", "rejected"):
            table.add_column(column, justify="right")
        table.add_row(
            "rows",
            f"{result.rows_read:,}",
            f"{result.rows_accepted:,}",
            f"{result.rows_rejected:,}",
        )
        table.add_row(
            "orders",
            f"{result.orders_read:,}",
            f"{result.orders_accepted:,}",
            f"{result.orders_rejected:,}",
        )
        console.print(table)
        if result.ignored_columns:
            console.print(f"ignored columns: {', '.join(result.ignored_columns)}", markup=False)
        if first:
            shown = Table(title=f"first {len(first)} of {len(result.rejects):,} rejects")
            shown.add_column("line", justify="right")
            shown.add_column("field")
            shown.add_column("reason", overflow="fold")
            for row in first[:10]:
                shown.add_row(str(row["line"]), row["field"], row["reason"])
            console.print(shown)
        if rejects is not None:
            console.print(f"rejects written to {rejects}", markup=False, highlight=False)
    if strict and result.rows_rejected:
        # SystemExit, not typer.Exit: the entry point runs Click with standalone_mode=False,
        # where typer.Exit's code is returned rather than raised.
        raise SystemExit(1)
