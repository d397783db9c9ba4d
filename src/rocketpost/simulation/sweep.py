"""Scenario sweeps: a TOML grid of settings → plan and simulate each → results table and plots.

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

Grid keys that change the plan (``fleet_per_hub``, ``wave_interval_min``, ``buffer_min``,
``fleet_reserve``) re-plan the day once per distinct combination, as a Dask task of its own;
the others (``landing_zones``, ``scrub_share``, ``landing_failure_p``, ``policy``) only change
the simulation. Every (scenario, replicate) is one task. Scenarios share replicate seeds, so
differences between scenarios are not blurred by different weather draws.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.network import Network, default_network, load_network
from rocketpost.orders.table import OrderTable
from rocketpost.simulation.disruptions import LandingModel
from rocketpost.simulation.engine import SimConfig
from rocketpost.simulation.inputs import SimInputs, inputs_from_plan
from rocketpost.simulation.kpis import KPI_NAMES, summarise
from rocketpost.simulation.montecarlo import ReplicateResult, run_replicate
from rocketpost.simulation.replan import ReplanAction, ReplanPolicy

__all__ = [
    "GRID_KEYS",
    "OrdersSpec",
    "Scenario",
    "ScenarioResult",
    "SweepSpec",
    "load_sweep_spec",
    "parse_sweep_spec",
    "plan_scenario",
    "results_table",
    "run_scenarios",
    "run_sweep",
    "scenario_config",
    "scenario_network",
    "write_sweep",
]

PLAN_KEYS = ("fleet_per_hub", "wave_interval_min", "buffer_min", "fleet_reserve")
SIM_KEYS = ("landing_zones", "scrub_share", "landing_failure_p", "policy")
GRID_KEYS = PLAN_KEYS + SIM_KEYS
"""Settings a sweep may vary."""

_SIM_TABLE_KEYS = ("policy", "max_hold_min", "boats_per_hub", "landing_zones", "pad_reset_min")
Progress = Callable[[int, int], None]


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

            orders = read_orders(Path(self.file), known_hubs=network.hub_ids).orders
        else:
            from rocketpost.orders.generator import generate_orders

            assert self.generate is not None
            orders, _ = generate_orders(
                self.generate, day=self.day, rng=np.random.default_rng(self.seed)
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


def _fail(source: str, key: str, value: Any, reason: str) -> InputError:
    return InputError(f"{source}: {key}" if source else key, value, reason)


def _number(source: str, key: str, value: Any, *, integer: bool = False) -> float | int:
    ok = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok or not math.isfinite(value):
        raise _fail(source, key, value, "must be a whole number" if integer else "must be a number")
    return value


def _check_value(source: str, path: str, value: Any) -> Any:
    key = path.rsplit(".", 1)[-1]
    if key == "policy":
        try:
            return ReplanAction(value).value
        except ValueError:
            raise _fail(
                source, path, value, "must be one of " + ", ".join(a.value for a in ReplanAction)
            ) from None
    integer = key in ("fleet_per_hub", "landing_zones", "fleet_reserve")
    number = _number(source, path, value, integer=integer)
    if key == "landing_zones" and number not in (1, 2):
        raise _fail(source, path, value, "must be 1 or 2")
    if key in ("scrub_share", "landing_failure_p") and not 0 <= number <= 1:
        raise _fail(source, path, value, "must be a probability in [0, 1]")
    if key == "wave_interval_min" and number <= 0:
        raise _fail(source, path, value, "must be > 0")
    if number < 0:
        raise _fail(source, path, value, "must be ≥ 0")
    return number


def _table(doc: Mapping[str, Any], key: str, allowed: Sequence[str], source: str) -> dict[str, Any]:
    value = doc.get(key, {})
    if not isinstance(value, Mapping):
        raise _fail(source, key, value, "must be a table")
    for k in value:
        if k not in allowed:
            raise _fail(source, f"{key}.{k}", value[k], "is not a known key: " + ", ".join(allowed))
    return dict(value)


def parse_sweep_spec(doc: Mapping[str, Any], source: str = "") -> SweepSpec:
    """Validate a parsed TOML document into a :class:`SweepSpec` (errors name the key)."""
    top = ("replicates", "seed", "network", "orders", "planning", "simulation", "grid")
    for key in doc:
        if key not in top:
            raise _fail(source, key, doc[key], "is not a known key: " + ", ".join(top))
    replicates = _number(source, "replicates", doc.get("replicates", 8), integer=True)
    if replicates < 1:
        raise _fail(source, "replicates", replicates, "must be ≥ 1")
    seed = _number(source, "seed", doc.get("seed", 0), integer=True)
    if seed < 0:
        raise _fail(source, "seed", seed, "must be ≥ 0")
    grid_doc = _table(doc, "grid", GRID_KEYS, source)
    if not grid_doc:
        raise _fail(source, "grid", {}, "must vary at least one of " + ", ".join(GRID_KEYS))
    grid = []
    for key, values in grid_doc.items():
        values = values if isinstance(values, list) else [values]
        if not values:
            raise _fail(source, f"grid.{key}", values, "must list at least one value")
        grid.append((key, tuple(_check_value(source, f"grid.{key}", v) for v in values)))
    o = _table(doc, "orders", ("generate", "file", "date", "seed", "stock_at"), source)
    try:
        day = date.fromisoformat(str(o.get("date", "2026-11-25")))
    except ValueError:
        raise _fail(source, "orders.date", o.get("date"), "must be a date YYYY-MM-DD") from None
    stock = o.get("stock_at", [])
    if not isinstance(stock, list) or not all(isinstance(s, str) for s in stock):
        raise _fail(source, "orders.stock_at", stock, "must be a list of hub ids")
    orders_seed = _number(source, "orders.seed", o.get("seed", 1), integer=True)
    file = o.get("file")
    if file is not None and source and not Path(file).is_absolute():
        file = str(Path(source).parent / file)
    try:
        orders = OrdersSpec(
            generate=o.get("generate", None if file else 5000),
            file=file,
            day=day,
            seed=int(orders_seed),
            stock_at=tuple(stock),
        )
    except InputError as error:
        raise _fail(source, error.field, error.value, error.reason) from None
    planning = _table(doc, "planning", ("max_cost_per_kg",), source)
    ceiling = float(_number(source, "planning.max_cost_per_kg", planning.get("max_cost_per_kg", 0)))
    sim = _table(doc, "simulation", _SIM_TABLE_KEYS, source)
    base = SimConfig()
    policy = ReplanPolicy(
        action=_check_value(source, "simulation.policy", sim.get("policy", "next_wave")),
        max_hold_min=float(
            _number(source, "simulation.max_hold_min", sim.get("max_hold_min", 360.0))
        ),
    )
    try:
        base = dataclasses.replace(
            base,
            policy=policy,
            **{k: sim[k] for k in ("boats_per_hub", "landing_zones", "pad_reset_min") if k in sim},
        )
    except InputError as error:
        raise _fail(source, f"simulation.{error.field}", error.value, error.reason) from None
    network_file = doc.get("network")
    if network_file is not None and source and not Path(network_file).is_absolute():
        network_file = str(Path(source).parent / network_file)
    return SweepSpec(
        grid=tuple(grid),
        replicates=int(replicates),
        seed=int(seed),
        orders=orders,
        network_file=network_file,
        max_cost_per_kg=ceiling if ceiling > 0 else math.inf,
        base=base,
    )


def load_sweep_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec TOML file."""
    file = Path(path)
    if not file.is_file():
        raise InputError("spec", str(file), "no such file")
    try:
        doc = tomllib.loads(file.read_text())
    except tomllib.TOMLDecodeError as error:
        raise InputError("spec", str(file), f"is not valid TOML: {error}") from None
    return parse_sweep_spec(doc, str(file))


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


def scenario_network(network: Network, scenario: Scenario) -> Network:
    """The network of a scenario: fleet, wave interval and promise buffer replaced."""
    fleet = scenario.get("fleet_per_hub")
    wave = scenario.get("wave_interval_min")
    reserve = int(scenario.get("fleet_reserve", 0))
    hubs = []
    for hub in network.hubs:
        size = hub.fleet if fleet is None else int(fleet)
        if reserve > size:
            raise InputError(
                "fleet_reserve", reserve, f"exceeds the fleet of {hub.hub_id} ({size})"
            )
        hubs.append(
            dataclasses.replace(
                hub,
                fleet=size - reserve,
                launch_wave_interval_min=hub.launch_wave_interval_min if wave is None else wave,
            )
        )
    buffer = scenario.get("buffer_min")
    promise = network.promise
    if buffer is not None:
        promise = dataclasses.replace(promise, buffer_min=float(buffer))
    return dataclasses.replace(network, hubs=tuple(hubs), promise=promise)


def scenario_config(base: SimConfig, scenario: Scenario) -> SimConfig:
    """The simulation settings of a scenario."""
    d = base.disruptions
    if scenario.get("scrub_share") is not None:
        d = dataclasses.replace(
            d, weather=dataclasses.replace(d.weather, scrub_share=scenario.get("scrub_share"))
        )
    if scenario.get("landing_failure_p") is not None:
        d = dataclasses.replace(
            d, landing=LandingModel(failure_p=scenario.get("landing_failure_p"))
        )
    policy = base.policy
    if scenario.get("policy") is not None:
        policy = dataclasses.replace(policy, action=ReplanAction(scenario.get("policy")))
    return dataclasses.replace(
        base,
        disruptions=d,
        policy=policy,
        landing_zones=int(scenario.get("landing_zones", base.landing_zones)),
        spare_airframes_per_hub=int(scenario.get("fleet_reserve", base.spare_airframes_per_hub)),
    )


def plan_scenario(
    network: Network,
    orders: OrderTable,
    allowed: NDArray[np.bool_] | None,
    max_cost_per_kg: float,
) -> SimInputs:
    """Plan the day on ``network`` (a scenario's variant) and return the simulator inputs."""
    from rocketpost.planning import ConsolidationPolicy, plan_orders

    plan = plan_orders(
        network,
        orders,
        allowed_origins=allowed,
        policy=ConsolidationPolicy(max_cost_per_kg_usd=max_cost_per_kg),
    )
    return inputs_from_plan(plan, network)


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    scenario: Scenario
    kpis: list[dict[str, float]]


def run_scenarios(
    network: Network,
    orders: OrderTable,
    allowed: NDArray[np.bool_] | None,
    scenarios: Sequence[Scenario],
    *,
    base: SimConfig,
    replicates: int,
    seed: int,
    max_cost_per_kg: float = math.inf,
    client: Any | None = None,
    progress: Progress | None = None,
) -> list[ScenarioResult]:
    """Plan each distinct plan variant once, then simulate ``replicates`` per scenario."""
    say = progress or (lambda _done, _total: None)
    plan_keys = list(dict.fromkeys(s.plan_key() for s in scenarios))
    networks = {k: scenario_network(network, Scenario(k)) for k in plan_keys}
    configs = [scenario_config(base, s) for s in scenarios]
    total = len(plan_keys) + len(scenarios) * replicates
    done = 0
    results: dict[tuple[int, int], ReplicateResult] = {}
    if client is None:
        inputs = {}
        for k in plan_keys:
            inputs[k] = plan_scenario(networks[k], orders, allowed, max_cost_per_kg)
            done += 1
            say(done, total)
        for s_index, (scenario, config) in enumerate(zip(scenarios, configs, strict=True)):
            for r in range(replicates):
                results[s_index, r] = run_replicate(inputs[scenario.plan_key()], config, seed, r)
                done += 1
                say(done, total)
    else:
        from distributed import as_completed

        shared_orders = client.scatter(orders, broadcast=True)
        shared_allowed = client.scatter(allowed, broadcast=True) if allowed is not None else None
        planned = {
            k: client.submit(
                plan_scenario, networks[k], shared_orders, shared_allowed, max_cost_per_kg
            )
            for k in plan_keys
        }
        # One task per scenario runs all its replicates: a replicate takes milliseconds, so
        # per-replicate tasks would spend more on scheduling and result traffic than on work.
        tagged: dict[Any, int | None] = {f: None for f in planned.values()}
        for s_index, (scenario, config) in enumerate(zip(scenarios, configs, strict=True)):
            future = client.submit(
                _run_replicates, planned[scenario.plan_key()], config, seed, replicates, pure=False
            )
            tagged[future] = s_index
        for future in as_completed(list(tagged)):
            tag = tagged[future]
            if tag is None:
                done += 1
            else:
                for r, result in enumerate(future.result()):
                    results[tag, r] = result
                done += replicates
            say(done, total)
    return [
        ScenarioResult(scenario, [results[i, r].kpis for r in range(replicates)])
        for i, scenario in enumerate(scenarios)
    ]


def results_table(results: Sequence[ScenarioResult]) -> pa.Table:
    """One row per scenario: its settings, then every KPI's mean and 95 % CI bounds."""
    if not results:
        return pa.table({})
    keys = [k for k, _ in results[0].scenario.params]
    columns: dict[str, list[Any]] = {"scenario": list(range(len(results)))}
    for key in keys:
        columns[key] = [r.scenario.get(key) for r in results]
    for name in KPI_NAMES:
        for suffix in ("", "_ci_low", "_ci_high"):
            columns[name + suffix] = []
    columns["replicates"] = []
    for r in results:
        summary = summarise(r.kpis)
        for name in KPI_NAMES:
            i = summary[name]
            columns[name].append(i.mean)
            columns[name + "_ci_low"].append(i.low)
            columns[name + "_ci_high"].append(i.high)
        columns["replicates"].append(len(r.kpis))
    return pa.table(columns)


def _run_replicates(
    inputs: SimInputs, config: SimConfig, seed: int, replicates: int
) -> list[ReplicateResult]:
    """Replicates ``0 .. replicates - 1`` of one scenario, as :func:`run_replicate` runs each."""
    return [run_replicate(inputs, config, seed, r) for r in range(replicates)]


def run_sweep(
    spec: SweepSpec, *, client: Any | None = None, progress: Progress | None = None
) -> pa.Table:
    """Run every scenario of ``spec``; returns :func:`results_table`."""
    network = spec.network()
    orders, allowed = spec.orders.load(network)
    results = run_scenarios(
        network,
        orders,
        allowed,
        spec.scenarios(),
        base=spec.base,
        replicates=spec.replicates,
        seed=spec.seed,
        max_cost_per_kg=spec.max_cost_per_kg,
        client=client,
        progress=progress,
    )
    return results_table(results)


_PLOTTED = (
    ("promises_kept_share", "share of one-hour promises kept"),
    ("cost_per_kg_usd", "cost per kg delivered (US$)"),
    ("flights_scrubbed", "flights scrubbed at least once"),
)


def write_sweep(table: pa.Table, directory: str | Path) -> list[Path]:
    """Write ``results.parquet``, ``results.csv`` and one PNG per plotted KPI.

    Each PNG has a panel per swept setting: every scenario's mean with its 95 % CI against that
    setting's value, and the average over the other settings as a line.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "results.parquet", out / "results.csv"]
    pq.write_table(table, written[0])
    pacsv.write_csv(table, written[1])
    keys = [k for k in GRID_KEYS if k in table.column_names]
    for kpi, label in _PLOTTED:
        fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.6), squeeze=False)
        y = np.asarray(table[kpi].to_numpy(), dtype=float)
        low = np.asarray(table[kpi + "_ci_low"].to_numpy(), dtype=float)
        high = np.asarray(table[kpi + "_ci_high"].to_numpy(), dtype=float)
        for ax, key in zip(axes[0], keys, strict=True):
            raw = table[key].to_pylist()
            levels = list(dict.fromkeys(raw))
            x = np.array([levels.index(v) for v in raw], dtype=float)
            jitter = (np.arange(len(x)) % 5 - 2) * 0.04
            err = np.vstack([np.nan_to_num(y - low), np.nan_to_num(high - y)])
            ax.errorbar(x + jitter, y, yerr=err, fmt="o", ms=3, alpha=0.6, capsize=2)
            means = [np.nanmean(np.where(x == i, y, np.nan)) for i in range(len(levels))]
            ax.plot(range(len(levels)), means, "-", color="black", lw=1.5, label="mean")
            ax.set_xticks(range(len(levels)), [str(v) for v in levels])
            ax.set_xlabel(key)
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
        fig.suptitle(f"{label} by setting (95 % CI per scenario)")
        fig.tight_layout()
        path = out / f"{kpi}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written
