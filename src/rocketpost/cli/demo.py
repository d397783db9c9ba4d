"""``make demo``: the main job on the embedded defaults, end to end.

The shipped network's default preset, ``rocket-hour``, is the network the designer chose for
the reference story (stock in China; landing sites near cities, drones from the recovery
vessel, launch on demand, fastest arcs; issue #15). The demo prints its one-hour reach (table,
PNG map and GeoJSON in ``demo-output/``) by threshold and by mode against the old concept
(``--preset today``), a few flights of the reference story, two one-hour rocket deliveries to
other continents leg by leg, then plans a day of 20,000 orders in which rockets fly (one-hour
and same-day), re-checks the plan and simulates it. Each step is the same library call or CLI
command a user runs; the output directory can be changed with ``ROCKETPOST_DEMO_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rich.rule import Rule
from rich.table import Table

from rocketpost.cli.output import console
from rocketpost.cli.reach import print_reach, write_outputs
from rocketpost.core.eta import flight_matrix
from rocketpost.core.reach import compute_reach
from rocketpost.network import default_network

__all__ = ["main"]

CHINA = ["HZB", "SHA", "SZX"]
"""The reference story's stock: the Zhejiang and Pearl River Delta e-commerce clusters."""

OLD_CONCEPT = "today"
"""The preset of the concept before the designer (hub landing zones, waves, port drones)."""

DEMO_FLIGHTS = (
    ("HZB", "NYC"),
    ("SZX", "LAX"),
    ("ICN", "HZB"),
    ("LIS", "SHA"),
    ("KEL", "SZX"),
    ("LEH", "TYO"),
    ("HZB", "SYD"),
)
"""Reference-story lanes: Chinese exports to the US and Europe, Korean and European backhaul."""

DEMO_DELIVERIES = (("SZX", "Sydney, AU"), ("SHA", "Barcelona, ES"))
"""One-hour rocket deliveries to other continents, stock in China."""


def main() -> None:
    """Run the demo."""
    out = Path(os.environ.get("ROCKETPOST_DEMO_DIR", "demo-output"))
    out.mkdir(parents=True, exist_ok=True)
    network = default_network()

    console.print(
        Rule(
            f"rocketpost demo: one-hour reach of the default network (preset {network.preset}: "
            f"{len(network.extra_sites)} designed landing sites near cities, drones from the "
            "recovery vessel, launch on demand, fastest arcs)"
        )
    )
    result = compute_reach(network, threshold_min=60.0)
    print_reach(result, top=10)
    for path in write_outputs(result, out / "reach.png", out / "reach.geojson"):
        console.print(f"wrote {path}")

    console.print(Rule("reach by threshold (stock at every hub / only in China: HZB, SHA, SZX)"))
    table = Table()
    table.add_column("threshold")
    table.add_column("stock everywhere", justify="right")
    table.add_column("stock in China only", justify="right")
    china_60 = compute_reach(network, threshold_min=60.0, stock_hubs=CHINA)
    for minutes in (30.0, 60.0, 90.0, 120.0):
        everywhere = result.with_threshold(minutes)
        china = china_60.with_threshold(minutes)
        table.add_row(
            f"{minutes:g} min",
            f"{everywhere.population_covered / 1e6:,.0f} M ({everywhere.share:.1%})",
            f"{china.population_covered / 1e6:,.0f} M ({china.share:.1%})",
        )
    console.print(table)
    _reach_by_mode(network.preset or "default")

    console.print(Rule(f"{network.rocket.name} flights of the reference story (rotating Earth)"))
    flights = Table()
    for column in (
        "lane",
        "range km",
        "apogee km",
        "burnout m/s",
        "coast min",
        "launch→touchdown min",
    ):
        flights.add_column(column, justify="left" if column == "lane" else "right")
    matrix = flight_matrix(network)
    for origin, destination in DEMO_FLIGHTS:
        trajectory = matrix.to_dict(
            index=(network.hub_index(origin), network.hub_index(destination))
        )
        flights.add_row(
            f"{origin} → {destination}",
            f"{trajectory['range_km']:,.0f}",
            f"{trajectory['apogee_km']:,.0f}",
            f"{trajectory['burnout_speed_ms']:,.0f}",
            f"{trajectory['coast_s'] / 60:.1f}",
            f"{trajectory['flight_s'] / 60:.1f}",
        )
    console.print(flights)
    for origin, place in DEMO_DELIVERIES:
        _cli(["eta", origin, place])

    _day(out)
    _control_room_hint(out)


def _reach_by_mode(preset: str) -> None:
    """One-hour reach from China by mode: the default network against the old concept, and the
    default network's reach at its confidence (the promise quotes make), over the climate."""
    from rocketpost.core.reach_confidence import reach_at_confidence
    from rocketpost.promise.conditions import Conditions

    table = Table(title="one-hour reach, stock in China (HZB, SHA, SZX)")
    table.add_column("mode")
    networks = (default_network(), default_network(OLD_CONCEPT))
    confidence = float(networks[0].promise.confidence)
    for name in (preset, OLD_CONCEPT):
        table.add_column(f"preset {name}: ETA + buffer", justify="right")
    table.add_column(f"preset {preset}: at {confidence:.0%}, over the climate", justify="right")

    def cell(reach: Any) -> str:
        return (
            f"{reach.population_covered / 1e6:,.0f} M ({reach.share:.1%}), "
            f"{int(reach.covered.sum()):,} cities"
        )

    for mode in ("rocket", "ground", "any"):
        reaches = [compute_reach(network, stock_hubs=CHINA, mode=mode) for network in networks]
        promised = reach_at_confidence(reaches[0], Conditions(), climate=True)
        table.add_row(mode, *(cell(r) for r in reaches), cell(promised))
    console.print(table)


def _day(out: Path) -> None:
    """A day of 20,000 synthetic orders planned on the default network, checked, simulated."""
    console.print(Rule("a day of 20,000 synthetic orders, stock in China (HZB, SHA, SZX)"))
    day_file = out / "orders.parquet"
    plan_dir = out / "plan"
    _cli(
        [
            "orders",
            "generate",
            "--n",
            "20000",
            "--date",
            "2026-11-25",
            "--seed",
            "1",
            "--out",
            str(day_file),
            "--backhaul",
            "ICN",
            "--backhaul",
            "PUS",
        ]
    )
    console.print(
        Rule("planned with no cost ceiling: every one-hour rocket flies, same-day fills it")
    )
    _cli(
        [
            "plan",
            str(day_file),
            "--out",
            str(plan_dir),
            "--stock-at",
            ",".join(CHINA),
            "--max-cost-per-kg",
            "0",
        ]
    )
    _cli(["plan", "check", str(plan_dir)])
    console.print(
        Rule(
            "simulate the day: weather, sea state per site, vessel drones grounded by wind and "
            "waves, landing failures, customs, airframes shipped home from sites without a pad"
        )
    )
    _cli(["simulate", str(plan_dir), "--replicates", "200", "--seed", "0", "--workers", "0"])


def _control_room_hint(out: Path) -> None:
    """How to watch the simulated day in the control room (the last thing the demo prints)."""
    url = f"sqlite:///{(out / 'service.db').resolve()}"
    plan = (out / "plan").resolve()
    console.print(Rule("the control room, replaying this day"))
    console.print(
        f"  rocketpost db upgrade --database-url {url}\n"
        f"  rocketpost merchants create ops --ops --database-url {url}   # prints the ops key\n"
        f"  rocketpost serve --database-url {url} --replay {plan}\n"
        "then open http://127.0.0.1:8000/ , paste the ops key and press Replay.",
        soft_wrap=True,
    )


def _cli(args: list[str]) -> None:
    """Run one CLI command in-process, exactly as a user would type it."""
    import typer

    from rocketpost.cli import app, register_commands

    register_commands()
    console.print(f"[dim]$ rocketpost {' '.join(args)}[/dim]")
    typer.main.get_command(app).main(args=args, prog_name="rocketpost", standalone_mode=False)


if __name__ == "__main__":
    main()
