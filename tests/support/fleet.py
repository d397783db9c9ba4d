"""A copy of the shipped network with more airframes at every hub than any test day flies.

Every flight of a day takes an airframe of its hub (:mod:`rocketpost.service.fleetadmission`).
Service tests that share a module database pin different launch waves so that their flights
never meet (``tests/service/conftest.py``), and the races and the load benchmark book a fresh
wave again and again: the shipped fleets (4–8 airframes a hub) would couple them or refuse
them. They serve this copy, identical but for ``fleet``; the fleet rule itself is tested on the
shipped fleets, each test on a database of its own (``tests/service/test_fleetadmission.py``),
and the durability drill runs on them too.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = ["ROOMY_FLEET", "roomy_fleet_network"]

ROOMY_FLEET = 1000
"""Airframes per hub in the copy: more flights than a test books in a day."""


@lru_cache(maxsize=1)
def roomy_fleet_network() -> Path:
    """The copy's ``network.toml`` (with its ``landing_sites.toml`` beside it), written once per
    process to a temporary directory."""
    shipped = resources.files("rocketpost.data")
    directory = Path(tempfile.mkdtemp(prefix="rp-roomy-fleet-"))
    text = shipped.joinpath("network.toml").read_text(encoding="utf-8")
    roomy, hubs = re.subn(r"^fleet = \d+", f"fleet = {ROOMY_FLEET}", text, flags=re.MULTILINE)
    assert hubs > 0, "the shipped network.toml sets no hub's fleet"
    (directory / "network.toml").write_text(roomy, encoding="utf-8")
    with resources.as_file(shipped.joinpath("landing_sites.toml")) as sites:
        shutil.copyfile(sites, directory / "landing_sites.toml")
    return directory / "network.toml"
