"""Operations simulator: does the one-hour promise come true?

A plan is executed in a discrete-event model (SimPy) under seeded disruptions — weather scrubs
with fronts, sea state, landing failures, customs, boat and last-mile noise — and re-planned when
a wave scrubs. Monte Carlo replicates (in-process or on Dask) give KPIs with 95 % confidence
intervals; sweeps vary settings over a TOML grid; the calibration finds the promise buffer that
keeps ≥ 99 % of one-hour promises. See ``docs/simulation.md``.
"""

from rocketpost.simulation.calibration import CalibrationResult, calibrate
from rocketpost.simulation.config import SimConfig
from rocketpost.simulation.disruptions import (
    CustomsModel,
    Disruptions,
    LandingModel,
    NoiseModel,
    SeaStateModel,
    WeatherModel,
)
from rocketpost.simulation.engine import simulate_flights
from rocketpost.simulation.eventlog import EventKind, write_event_log
from rocketpost.simulation.flight_record import FlightRecord, FlightStatus
from rocketpost.simulation.inputs import SimInputs, inputs_from_plan, load_inputs
from rocketpost.simulation.kpis import KPI_NAMES, Interval, replicate_kpis, summarise
from rocketpost.simulation.montecarlo import (
    MonteCarloResult,
    ReplicateResult,
    dask_client,
    run_monte_carlo,
    run_replicate,
    write_results,
)
from rocketpost.simulation.outcomes import OrderOutcomes, order_outcomes
from rocketpost.simulation.replan import ReplanAction, ReplanPolicy
from rocketpost.simulation.sweep import run_sweep, write_sweep
from rocketpost.simulation.sweep_spec import SweepSpec, load_sweep_spec

__all__ = [
    "KPI_NAMES",
    "CalibrationResult",
    "CustomsModel",
    "Disruptions",
    "EventKind",
    "FlightRecord",
    "FlightStatus",
    "Interval",
    "LandingModel",
    "MonteCarloResult",
    "NoiseModel",
    "OrderOutcomes",
    "ReplanAction",
    "ReplanPolicy",
    "ReplicateResult",
    "SeaStateModel",
    "SimConfig",
    "SimInputs",
    "SweepSpec",
    "WeatherModel",
    "calibrate",
    "dask_client",
    "inputs_from_plan",
    "load_inputs",
    "load_sweep_spec",
    "order_outcomes",
    "replicate_kpis",
    "run_monte_carlo",
    "run_replicate",
    "run_sweep",
    "simulate_flights",
    "summarise",
    "write_event_log",
    "write_results",
    "write_sweep",
]
