"""Options and helpers shared by several commands."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from rocketpost.errors import InputError
from rocketpost.network import Network, default_network, load_network

__all__ = ["JsonOption", "NetworkOption", "PresetOption", "network_from", "parse_utc"]

NetworkOption = Annotated[
    Path | None,
    typer.Option(
        "--network",
        help="Network TOML file (default: the shipped worldwide network).",
        show_default=False,
    ),
]
PresetOption = Annotated[
    str | None,
    typer.Option(
        "--preset",
        envvar="ROCKETPOST_PRESET",
        help="Preset of the network file (a presets.NAME table; default: rocket-hour if defined).",
        show_default=False,
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document instead of tables.")
]


def network_from(path: Path | None, preset: str | None = None) -> Network:
    """The network in ``path``, or the default one, with ``preset`` applied (see
    :func:`rocketpost.network.load_network`)."""
    if path is None:
        return default_network(preset)
    return load_network(path, preset=preset)


def parse_utc(text: str, field: str = "at") -> datetime:
    """Parse an ISO-8601 timestamp; naive times are taken as UTC, the result is UTC."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            field, text, "must be an ISO-8601 time such as 2026-11-25T09:30:00Z"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
