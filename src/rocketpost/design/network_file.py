"""The designed network as a complete network TOML file: hubs and chosen landing sites.

The file is self-contained (no preset, no ``landing_sites_file``): every section of the base
network as the loader built it (after its preset), its hubs, the sites it kept fixed and the
chosen candidates as ``[[landing_sites]]``, so ``network check``, ``reach``, ``eta``, ``plan``,
``simulate`` and ``serve`` read it as is. A header records the command that designed it and the
figures it was designed to.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import fields
from typing import Any

from rocketpost.design.selection import landing_sites_toml
from rocketpost.design.table import CandidateTable
from rocketpost.network import Network
from rocketpost.network.model import Hub, LandingSite

__all__ = ["network_toml"]

# Hub fields the loader computes from world data (not keys of the file).
_DERIVED_HUB_FIELDS = {"hub_id", "port_position", "boat_route_km"}


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"cannot write {value!r} to TOML")
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _table(name: str, obj: Any) -> list[str]:
    lines = [f"[{name}]"]
    lines += [  # TOML has no null: an unset optional setting is left out (its default)
        f"{f.name} = {_value(getattr(obj, f.name))}"
        for f in fields(obj)
        if f.init and getattr(obj, f.name) is not None
    ]
    return [*lines, ""]


def _hub(hub: Hub) -> list[str]:
    lines = ["[[hubs]]", f"id = {_value(hub.hub_id)}"]
    lines += [
        f"{f.name} = {_value(getattr(hub, f.name))}"
        for f in fields(hub)
        if f.init and f.name not in _DERIVED_HUB_FIELDS
    ]
    return [*lines, ""]


def _site(site: LandingSite) -> list[str]:
    return [
        "[[landing_sites]]",
        f"id = {_value(site.site_id)}",
        f"position = {_value(site.position)}",
        f"port = {_value(site.port)}",
        f"drones = {site.drones}",
        f"sea_state_closed_share = {_value(float(site.sea_state_closed_share))}",
        f"serves = {_value(site.serves)}",
        "",
    ]


def network_toml(network: Network, chosen: CandidateTable, *, header: str) -> str:
    """The network file of ``network`` (its hubs and fixed sites) plus the ``chosen`` sites.

    ``header`` lines are written first as ``#`` comments (wrapped at 96 characters, except a
    ``Command:`` line).
    """
    lines: list[str] = []
    for line in header.splitlines():
        # The command stays on one line, so it can be copied.
        keep = line.startswith("Command:")
        parts = [line] if keep else textwrap.wrap(line, width=96, break_on_hyphens=False) or [""]
        lines += [f"# {part}".rstrip() for part in parts]
    lines.append("")
    for name in ("rocket", "boat", "van", "drone", "safety", "promise"):
        lines += _table(name, getattr(network, name))
    for hub in network.hubs:
        lines += _hub(hub)
    if network.extra_sites:
        lines.append("# Landing sites kept fixed from the base network.")
        for site in network.extra_sites:
            lines += _site(site)
    lines.append("# Landing sites chosen by the designer.")
    lines.append(landing_sites_toml(chosen, network.drone))
    return "\n".join(lines).rstrip() + "\n"
