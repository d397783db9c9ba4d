"""Copies of the shipped network that differ in the fleet: more airframes, or a short reuse cycle.

Every flight takes an airframe of its hub for days (:mod:`rocketpost.service.fleetadmission`).
Service tests that share a module database pin different launch waves so that their flights
never meet (``tests/service/conftest.py``), and the races and the load benchmark book a fresh
wave again and again: the shipped fleets (4–8 airframes a hub) would couple them or refuse
them. They serve :func:`roomy_fleet_network`, identical but for ``fleet``; the fleet rule itself
is tested on the shipped fleets, each test on a database of its own
(``tests/service/test_fleetadmission.py``), and the durability drill runs on them too.
:func:`short_cycle_network` lets an airframe fly several times a day, where admission needs the
fleet schedule itself rather than its one-flight-a-day closed form.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = [
    "ROOMY_FLEET",
    "SHORT_CYCLE_H",
    "roomy_fleet_env",
    "roomy_fleet_network",
    "short_cycle_network",
]

ROOMY_FLEET = 1000
"""Airframes per hub in the roomy copy: more flights than a test books in the days a flight
holds its airframe (about 5.5 with the ferry home: :mod:`rocketpost.service.fleetcarry`)."""
SHORT_CYCLE_H = 0.25
"""Recovery and turnaround of the short-cycle copy, hours each (a 30 min reuse cycle)."""


def _copy(name: str, substitutions: dict[str, str], promise: dict[str, str] | None = None) -> Path:
    """The shipped ``network.toml`` with each ``^key = value`` line of ``substitutions``
    replaced and the ``promise`` settings added to its ``[promise]`` table (with its
    ``landing_sites.toml`` beside it), in a new temporary directory."""
    shipped = resources.files("rocketpost.data")
    directory = Path(tempfile.mkdtemp(prefix=f"rp-{name}-"))
    text = shipped.joinpath("network.toml").read_text(encoding="utf-8")
    for key, value in substitutions.items():
        text, lines = re.subn(rf"^{key} = [\d.]+", f"{key} = {value}", text, flags=re.MULTILINE)
        assert lines > 0, f"the shipped network.toml sets no {key}"
    added = "".join(f"{key} = {value}\n" for key, value in (promise or {}).items())
    text, tables = re.subn(r"^\[promise\]\n", f"[promise]\n{added}", text, flags=re.MULTILINE)
    assert tables == 1, "the shipped network.toml has no [promise] table"
    (directory / "network.toml").write_text(text, encoding="utf-8")
    with resources.as_file(shipped.joinpath("landing_sites.toml")) as sites:
        shutil.copyfile(sites, directory / "landing_sites.toml")
    return directory / "network.toml"


@lru_cache(maxsize=1)
def roomy_fleet_network() -> Path:
    """The copy with :data:`ROOMY_FLEET` airframes at every hub, written once per process."""
    return _copy("roomy-fleet", {"fleet": str(ROOMY_FLEET)})


def roomy_fleet_env() -> dict[str, str]:
    """The environment of a ``rocketpost serve`` subprocess that books on the roomy copy."""
    return {"ROCKETPOST_NETWORK": str(roomy_fleet_network())}


@lru_cache(maxsize=1)
def short_cycle_network() -> Path:
    """The copy whose rocket is ready again :data:`SHORT_CYCLE_H` × 2 after landing, and whose
    ferries are planned without a weather margin (``promise.weather_margin_h = 0``): the climate's
    51.6 h would leave no ferry within a day, and these tests are about the schedule's
    repositioning itself."""
    return _copy(
        "short-cycle",
        {"recovery_h": str(SHORT_CYCLE_H), "turnaround_h": str(SHORT_CYCLE_H)},
        promise={"weather_margin_h": "0.0"},
    )
