"""``rocketpost plan --database-url URL --date D`` and ``rocketpost ops timeline|replay``: the
operational day on the booking service's database."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Annotated

import typer

from rocketpost.cli.common import JsonOption, NetworkOption, PresetOption, network_from
from rocketpost.cli.output import console, fail, print_json
from rocketpost.cli.service import DatabaseUrlOption

__all__ = ["app", "plan_database"]

app = typer.Typer(
    name="ops",
    help="The operational day on the service's database: the planned timeline, replays, the fleet.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DateOption = Annotated[
    str, typer.Option("--date", help="UTC day of launch, YYYY-MM-DD: the day's booked flights.")
]

PromiseFallbacksOption = Annotated[
    bool,
    typer.Option(
        "--promise-fallbacks/--no-promise-fallbacks",
        envvar="ROCKETPOST_PROMISE_FALLBACKS",
        help="The service counts fallbacks (a scrub under a front flies them; every hub keeps "
        "their spare too). The service's setting.",
    ),
]


def _day(text: str) -> dt.date:
    from rocketpost.service.fields import FIRST_YEAR, LAST_YEAR

    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--date {text!r}: not a date (YYYY-MM-DD)")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        fail(f"--date {text!r}: must be in the years {FIRST_YEAR} to {LAST_YEAR}")
    return day


def _database(database_url: str | None) -> object:
    from rocketpost.cli.service import _url
    from rocketpost.service.db import Database, NotMigratedError, check_migrated

    url = _url(database_url)
    try:
        check_migrated(url)
    except NotMigratedError as error:
        fail(str(error))
    return Database.connect(url, pool_size=2)


def plan_database(
    database_url: DatabaseUrlOption = None,
    date: DateOption = "",
    kind: Annotated[
        str,
        typer.Option("--kind", help="auto (fit when the day has a plan), full or fit."),
    ] = "auto",
    last_mile_seconds: Annotated[
        float, typer.Option("--last-mile-seconds", help="PyVRP time limit per landing.")
    ] = 2.0,
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Plan the day's booked flights from the database and write the assignment back."""
    from rocketpost.planning.params import LastMileParams
    from rocketpost.service.db import Database
    from rocketpost.service.planrun import run_plan

    if not date:
        fail("--date is required with --database-url")
    if kind not in ("auto", "full", "fit"):
        fail(f"--kind {kind!r}: must be auto, full or fit")
    db = _database(database_url)
    assert isinstance(db, Database)
    try:
        run = run_plan(
            db,
            network_from(network_file, preset),
            _day(date),
            kind=kind,  # type: ignore[arg-type]
            trigger="cli",
            params=LastMileParams(time_limit_s=last_mile_seconds),
        )
    finally:
        db.dispose()
    out = {"id": run.public_id, "date": run.day.isoformat(), "kind": run.kind, **run.summary}
    if as_json:
        print_json(out)
        return
    for key, value in out.items():
        console.print(f"{key:<24} {value}", markup=False)


@app.command("timeline")
def timeline(
    out: Annotated[Path, typer.Option("--out", help="Timeline file (.parquet or .csv).")],
    database_url: DatabaseUrlOption = None,
    date: DateOption = "",
    network_file: NetworkOption = None,
    preset: PresetOption = None,
) -> None:
    """Write the day's nominal timeline from its plan (launch, landing, last mile)."""
    from rocketpost.service.db import Database
    from rocketpost.service.replay import planned_timeline, write_timeline

    if not date:
        fail("--date is required")
    db = _database(database_url)
    assert isinstance(db, Database)
    try:
        events = planned_timeline(db, network_from(network_file, preset), _day(date))
    finally:
        db.dispose()
    write_timeline(events, out)
    console.print(f"{len(events):,} events → {out}", markup=False)


@app.command("replay")
def replay_command(
    source: Annotated[
        Path | None,
        typer.Argument(help="Timeline file (.parquet/.csv), or a directory with timeline.parquet."),
    ] = None,
    database_url: DatabaseUrlOption = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Replay the day's planned timeline instead.")
    ] = None,
    speed: Annotated[
        float, typer.Option("--speed", help="Times real time (0: as fast as possible).")
    ] = 0.0,
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    reschedule_window_min: Annotated[
        float,
        typer.Option(
            "--reschedule-window-min",
            envvar="ROCKETPOST_RESCHEDULE_WINDOW_MIN",
            help="How far after a scrubbed wave a shipment may move (the service's setting).",
        ),
    ] = 120.0,
    promise_fallbacks: PromiseFallbacksOption = False,
    as_json: JsonOption = False,
) -> None:
    """Feed a timeline through the service's own event functions (tracking, webhooks), with
    the service's scrub settings (from the same environment variables)."""
    from rocketpost.errors import InputError
    from rocketpost.service.db import Database
    from rocketpost.service.replay import planned_timeline, read_timeline, replay

    if (source is None) == (date is None):
        fail("give a timeline file or --date (one of them)")
    if speed < 0:
        fail(f"--speed {speed}: must be ≥ 0")
    if not (math.isfinite(reschedule_window_min) and reschedule_window_min >= 0):
        fail(f"--reschedule-window-min {reschedule_window_min}: must be a finite number ≥ 0")
    network = network_from(network_file, preset)
    db = _database(database_url)
    assert isinstance(db, Database)
    try:
        if source is not None:
            path = source / "timeline.parquet" if source.is_dir() else source
            if not path.is_file():
                fail(f"{path}: no such timeline file")
            try:
                events = read_timeline(path)
            except InputError as error:
                fail(str(error))
        else:
            assert date is not None
            events = planned_timeline(db, network, _day(date))
        result = replay(
            db,
            network,
            events,
            speed=speed,
            reschedule_window_min=reschedule_window_min,
            fallbacks=promise_fallbacks,
        )
    finally:
        db.dispose()
    summary = {
        "events": len(events),
        "applied": result.applied,
        "refused": result.refused,
        "last_at": None if result.last_at is None else result.last_at.isoformat(),
    }
    if as_json:
        print_json(summary)
    else:
        for key, value in summary.items():
            console.print(f"{key:<8} {value}", markup=False)


@app.command("fleet")
def fleet_command(
    database_url: DatabaseUrlOption = None,
    date: Annotated[
        str | None, typer.Option("--date", help="UTC day, YYYY-MM-DD (default: today).")
    ] = None,
    network_file: NetworkOption = None,
    preset: PresetOption = None,
    promise_fallbacks: PromiseFallbacksOption = False,
    as_json: JsonOption = False,
) -> None:
    """Each hub's airframes on a day as bookings count them, across days (GET /v1/ops/fleet):
    fleet, spares kept, bookable, still away from earlier days and when the first is back,
    flights loaded and flights left."""
    from rocketpost.service.db import Database
    from rocketpost.service.fleetadmission import BookableFleet
    from rocketpost.service.flightboard import FlightBoard, fleet_day
    from rocketpost.service.ops_schemas import FleetDayPublic

    day = _day(date) if date is not None else dt.datetime.now(dt.UTC).date()
    network = network_from(network_file, preset)
    db = _database(database_url)
    assert isinstance(db, Database)
    try:
        board = FlightBoard(db, BookableFleet.of(network, fallbacks=promise_fallbacks), ttl_s=0)
        answer = FleetDayPublic.model_validate(fleet_day(board, day)).model_dump(mode="json")
    finally:
        db.dispose()
    if as_json:
        print_json(answer)
        return
    console.print(f"airframes of {answer['date']} ({answer['rule']}; times UTC)", markup=False)
    columns = ("hub", "fleet", "kept", "bookable", "away", "first back", "loaded", "left")
    widths = (-5, 6, 5, 9, 5, 12, 7, 5)  # negative: left-aligned

    def line(cells: tuple[object, ...]) -> str:
        return " ".join(
            f"{c!s:<{-w}}" if w < 0 else f"{c!s:>{w}}" for c, w in zip(cells, widths, strict=True)
        )

    console.print(line(columns), markup=False, soft_wrap=True)
    for hub in answer["hubs"]:
        back = hub["next_back_at"]
        cells = (
            hub["hub_id"],
            hub["fleet"],
            hub["kept"],
            hub["bookable"],
            "–" if hub["held_from_earlier_days"] is None else hub["held_from_earlier_days"],
            "–" if back is None else f"{back[5:10]} {back[11:16]}",
            hub["loaded_flights"],
            "–" if hub["flights_left"] is None else hub["flights_left"],
        )
        console.print(line(cells), markup=False, soft_wrap=True)
