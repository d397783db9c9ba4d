"""Sweep specs: a TOML grid of settings, read and checked into a :class:`SweepSpec`.

A spec (``examples/sweep.toml``)::

    replicates = 8            # Monte Carlo replicates per scenario
    seed = 2026               # the same replicate seeds in every scenario (common random numbers)
    # network = "my-network.toml"   # default: the shipped network

    [orders]                  # a generated day (or: file = "orders.parquet")
    generate = 5000
    date = "2026-11-25"
    seed = 1
    stock_at = ["HZB", "SHA", "SZX"]   # optional: hubs that hold the stock

    [planning]
    max_cost_per_kg = 0       # 0 = always fly light flights (else US$/kg ceiling)

    [simulation]              # optional SimConfig / policy defaults for every scenario
    policy = "next_wave"
    boats_per_hub = 3

    [grid]                    # every combination is a scenario
    fleet_per_hub = [4, 8]
    wave_interval_min = [10, 20]
    landing_zones = [1, 2]
    scrub_share = [0.1, 0.29]

Grid keys that change the plan (:data:`PLAN_KEYS`) re-plan the day once per distinct
combination; the others (:data:`SIM_KEYS`) only change the simulation. The file is read through
:mod:`rocketpost.tomlfile`, so a bad spec fails as every configuration file does: a
:class:`~rocketpost.errors.ConfigFileError` naming the file, the key path and the value.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.network import Network, default_network, load_network
from rocketpost.orders.table import OrderTable
from rocketpost.simulation.config import SimConfig
from rocketpost.simulation.replan import ReplanAction, ReplanPolicy
from rocketpost.tomlfile import TomlReader, read_toml

__all__ = [
    "GRID_KEYS",
    "PLAN_KEYS",
    "SIM_KEYS",
    "OrdersSpec",
    "Scenario",
    "SweepSpec",
    "load_sweep_spec",
    "parse_sweep_spec",
    "sim_config_from_toml",
]

PLAN_KEYS = ("fleet_per_hub", "wave_interval_min", "buffer_min", "fleet_reserve")
"""Grid keys that change the plan."""
SIM_KEYS = ("landing_zones", "scrub_share", "landing_failure_p", "policy")
"""Grid keys that only change the simulation."""
GRID_KEYS = PLAN_KEYS + SIM_KEYS
"""Settings a sweep may vary."""

_TOP_KEYS = ("replicates", "seed", "network", "orders", "planning", "simulation", "grid")
_ORDERS_KEYS: Mapping[str, type] = {
    "generate": int,
    "file": str,
    "date": object,  # a TOML date or a "YYYY-MM-DD" string
    "seed": int,
    "stock_at": list,
}
_SIMULATION_KEYS: Mapping[str, type] = {
    "policy": str,
    "max_hold_min": float,
    "boats_per_hub": int,
    "landing_zones": int,
    "pad_reset_min": float,
}
_INTEGER_SETTINGS = ("fleet_per_hub", "landing_zones", "fleet_reserve")


@dataclass(frozen=True)
class OrdersSpec:
    """Where a sweep's day of orders comes from: a generated day or a file."""

    generate: int | None = 5000
    file: str | None = None
    day: date = date(2026, 11, 25)
    seed: int = 1
    stock_at: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if (self.generate is None) == (self.file is None):
            raise InputError("orders", "generate/file", "give exactly one of generate or file")
        if self.generate is not None and (
            isinstance(self.generate, bool)
            or not isinstance(self.generate, int)
            or self.generate < 1
        ):
            raise InputError("orders.generate", self.generate, "must be a whole number ≥ 1")

    def load(self, network: Network) -> tuple[OrderTable, NDArray[np.bool_] | None]:
        """The orders and their allowed origins (``None``: stock at every hub)."""
        if self.file is not None:
            from rocketpost.orders.io import read_orders

            orders = read_orders(
                Path(self.file), known_hubs=network.hub_ids, rocket=network.rocket
            ).orders
        else:
            from rocketpost.orders.generator import generate_orders

            assert self.generate is not None
            orders, _ = generate_orders(
                self.generate,
                day=self.day,
                rng=np.random.default_rng(self.seed),
                rocket=network.rocket,
            )
        if not self.stock_at:
            return orders, None
        allowed = np.zeros((len(orders), len(network.hubs)), dtype=bool)
        allowed[:, [network.hub_index(h) for h in self.stock_at]] = True
        return orders, allowed


@dataclass(frozen=True)
class Scenario:
    """One grid point: the settings that differ from the base."""

    params: tuple[tuple[str, Any], ...]

    def get(self, key: str, default: Any = None) -> Any:
        return dict(self.params).get(key, default)

    def plan_key(self) -> tuple[tuple[str, Any], ...]:
        """The settings that change the plan: scenarios with equal keys share one plan."""
        return tuple((k, v) for k, v in self.params if k in PLAN_KEYS)


@dataclass(frozen=True)
class SweepSpec:
    """A parsed sweep spec (see the module doc)."""

    grid: tuple[tuple[str, tuple[Any, ...]], ...]
    replicates: int = 8
    seed: int = 0
    orders: OrdersSpec = field(default_factory=OrdersSpec)
    network_file: str | None = None
    max_cost_per_kg: float = math.inf
    base: SimConfig = field(default_factory=SimConfig)

    def scenarios(self) -> list[Scenario]:
        names = [k for k, _ in self.grid]
        return [
            Scenario(tuple(zip(names, values, strict=True)))
            for values in itertools.product(*(v for _, v in self.grid))
        ]

    def network(self) -> Network:
        return default_network() if self.network_file is None else load_network(self.network_file)


def _number(toml: TomlReader, path: str, value: Any, *, integer: bool = False) -> float | int:
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or not math.isfinite(value):
        raise toml.error(path, value, "must be a whole number" if integer else "must be a number")
    return value


def _setting(toml: TomlReader, path: str, value: Any) -> Any:
    """A grid or simulation setting checked by its name (the last part of ``path``)."""
    key = path.rsplit(".", 1)[-1]
    if key == "policy":
        try:
            return ReplanAction(value).value
        except ValueError:
            choices = ", ".join(a.value for a in ReplanAction)
            raise toml.error(path, value, "must be one of " + choices) from None
    number = _number(toml, path, value, integer=key in _INTEGER_SETTINGS)
    if key == "landing_zones" and number not in (1, 2):
        raise toml.error(path, value, "must be 1 or 2")
    if key in ("scrub_share", "landing_failure_p") and not 0 <= number <= 1:
        raise toml.error(path, value, "must be a probability in [0, 1]")
    if key == "wave_interval_min" and number <= 0:
        raise toml.error(path, value, "must be > 0")
    if number < 0:
        raise toml.error(path, value, "must be ≥ 0")
    return number


def _optional_table(toml: TomlReader, doc: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    return toml.table(doc, key) if key in doc else {}


def _relative_to(source: str, path: str | None) -> str | None:
    """A path in the spec, relative to the spec file's folder (when read from a file)."""
    if path is None or not source or Path(path).is_absolute():
        return path
    return str(Path(source).parent / path)


def _grid(toml: TomlReader, doc: Mapping[str, Any]) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    table = _optional_table(toml, doc, "grid")
    if not table:
        raise toml.error("grid", dict(table), "must vary at least one of " + ", ".join(GRID_KEYS))
    grid = []
    for key, values in table.items():
        if key not in GRID_KEYS:
            raise toml.error(f"grid.{key}", values, "is not a known key: " + ", ".join(GRID_KEYS))
        values = values if isinstance(values, list) else [values]
        if not values:
            raise toml.error(f"grid.{key}", values, "must list at least one value")
        grid.append((key, tuple(_setting(toml, f"grid.{key}", v) for v in values)))
    return tuple(grid)


def _orders(toml: TomlReader, doc: Mapping[str, Any], source: str) -> OrdersSpec:
    o = toml.check_keys(_optional_table(toml, doc, "orders"), _ORDERS_KEYS, "orders")
    try:
        day = date.fromisoformat(str(o.get("date", "2026-11-25")))
    except ValueError:
        raise toml.error("orders.date", o.get("date"), "must be a date YYYY-MM-DD") from None
    stock = o.get("stock_at", [])
    if not all(isinstance(s, str) for s in stock):
        raise toml.error("orders.stock_at", stock, "must be a list of hub ids")
    file = _relative_to(source, o.get("file"))
    try:
        return OrdersSpec(
            generate=o.get("generate", None if file else 5000),
            file=file,
            day=day,
            seed=int(o.get("seed", 1)),
            stock_at=tuple(stock),
        )
    except InputError as error:
        path = error.field if error.field.startswith("orders") else f"orders.{error.field}"
        raise toml.error(path, error.value, error.reason) from None


def sim_config_from_toml(toml: TomlReader, doc: Mapping[str, Any]) -> SimConfig:
    """The ``[simulation]`` table of ``doc`` (absent: the defaults) as a :class:`SimConfig`."""
    sim = toml.check_keys(_optional_table(toml, doc, "simulation"), _SIMULATION_KEYS, "simulation")
    policy = ReplanPolicy(
        action=_setting(toml, "simulation.policy", sim.get("policy", ReplanPolicy().action.value)),
        max_hold_min=float(
            _number(toml, "simulation.max_hold_min", sim.get("max_hold_min", 360.0))
        ),
    )
    settings: dict[str, Any] = {
        k: sim[k] for k in ("boats_per_hub", "landing_zones", "pad_reset_min") if k in sim
    }
    return toml.build(
        "simulation",
        lambda **values: dataclasses.replace(SimConfig(), policy=policy, **values),
        settings,
    )


def parse_sweep_spec(doc: Mapping[str, Any], source: str = "") -> SweepSpec:
    """Check a parsed TOML document into a :class:`SweepSpec`.

    Parameters
    ----------
    source
        The spec file (errors name it; relative paths in the spec are relative to its folder).
        Empty for a spec built in code.

    Raises
    ------
    ConfigFileError
        A key is unknown or a value is wrong; the error names the file, key path and value.
    """
    toml = TomlReader(source or "<sweep spec>")
    for key in doc:
        if key not in _TOP_KEYS:
            raise toml.error(key, doc[key], "is not a known key: " + ", ".join(_TOP_KEYS))
    replicates = _number(toml, "replicates", doc.get("replicates", 8), integer=True)
    if replicates < 1:
        raise toml.error("replicates", replicates, "must be ≥ 1")
    seed = _number(toml, "seed", doc.get("seed", 0), integer=True)
    if seed < 0:
        raise toml.error("seed", seed, "must be ≥ 0")
    grid = _grid(toml, doc)
    orders = _orders(toml, doc, source)
    planning = toml.check_keys(
        _optional_table(toml, doc, "planning"), {"max_cost_per_kg": float}, "planning"
    )
    ceiling = float(_number(toml, "planning.max_cost_per_kg", planning.get("max_cost_per_kg", 0)))
    network_file = doc.get("network")
    if network_file is not None:
        network_file = _relative_to(source, toml.typed("network", network_file, str))
    return SweepSpec(
        grid=grid,
        replicates=int(replicates),
        seed=int(seed),
        orders=orders,
        network_file=network_file,
        max_cost_per_kg=ceiling if ceiling > 0 else math.inf,
        base=sim_config_from_toml(toml, doc),
    )


def load_sweep_spec(path: str | Path) -> SweepSpec:
    """Read and check a sweep spec TOML file (errors: :func:`parse_sweep_spec`)."""
    file = Path(path)
    return parse_sweep_spec(read_toml(file), str(file))
