"""Registry of the CLI's sub-commands: each module contributes its commands to the main app."""

from __future__ import annotations

import importlib

import typer

__all__ = ["register"]

# (module, attribute, name) of each command group.
_SUB_APPS = (
    ("rocketpost.cli.network", "app", "network"),
    ("rocketpost.cli.orders", "app", "orders"),
    ("rocketpost.cli.plan", "app", "plan"),
    ("rocketpost.cli.customs", "app", "customs"),
    ("rocketpost.cli.design", "app", "design"),
    ("rocketpost.cli.service", "db_app", "db"),
    ("rocketpost.cli.service", "merchants_app", "merchants"),
    ("rocketpost.cli.ops", "app", "ops"),
    ("rocketpost.cli.conditions", "app", "conditions"),
)


def register(app: typer.Typer) -> None:
    """Attach every sub-command to ``app``."""
    from rocketpost.cli.eta import eta
    from rocketpost.cli.flight import flight
    from rocketpost.cli.reach import reach
    from rocketpost.cli.service import serve
    from rocketpost.cli.simulate import calibrate, simulate, sweep

    app.command("flight")(flight)
    app.command("eta")(eta)
    app.command("reach")(reach)
    app.command("simulate")(simulate)
    app.command("sweep")(sweep)
    app.command("calibrate")(calibrate)
    app.command("serve")(serve)
    for module_name, attribute, name in _SUB_APPS:
        module = importlib.import_module(module_name)
        app.add_typer(getattr(module, attribute), name=name)
