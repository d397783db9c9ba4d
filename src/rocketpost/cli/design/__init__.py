"""``rocketpost design``: candidate landing sites, and the network designer that chooses among
them (``solve``, ``frontier``, ``sensitivity``)."""

from __future__ import annotations

from rocketpost.cli.design import commands as _commands  # registers solve, frontier, ...
from rocketpost.cli.design import run as _run  # the group's own command: the whole design
from rocketpost.cli.design.candidates import app, sites_file_header

__all__ = ["app", "sites_file_header"]

del _commands, _run
