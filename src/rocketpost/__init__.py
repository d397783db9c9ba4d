"""rocketpost: one-hour worldwide e-commerce delivery by reusable sea-landing rockets.

The library's main entry points, in the spirit of PyVRP's top-level package::

    import rocketpost as rp

    network = rp.default_network()
    orders, items = rp.generate_orders(10_000, rp.GeneratorParams(), day=day, rng=rng)
    plan = rp.plan_day(network, orders, items, rp.PlanParams(last_mile=True))
    rp.write_plan(plan, "plan/")
    result = rp.run_monte_carlo(rp.inputs_from_plan(plan, network), rp.SimConfig(),
                                replicates=100, seed=0)

Every name is imported on first use (PEP 562 ``__getattr__``): ``import rocketpost`` and the
command line stay fast, and a script pays only for the parts it touches (NumPy, PyArrow,
SimPy and PyVRP are heavy). The subpackages (``rocketpost.planning``, ``rocketpost.simulation``,
...) hold everything else.
"""

# Neither typing.TYPE_CHECKING nor ``from __future__ import annotations``: importing typing
# alone would cost several times the rest of the package (type checkers treat any constant of
# this name the same way), and __future__ is a module import of its own.
TYPE_CHECKING = False

__version__ = "0.1.0"

# Public name -> module that defines it.
_EXPORTS: dict[str, str] = {
    # the network and door-to-door times
    "Network": "rocketpost.network",
    "load_network": "rocketpost.network",
    "default_network": "rocketpost.network",
    "eta_to_place": "rocketpost.core.eta",
    "eta_to_places": "rocketpost.core.eta",
    "compute_reach": "rocketpost.core.reach",
    # orders
    "OrderTable": "rocketpost.orders.table",
    "ItemTable": "rocketpost.orders.table",
    "read_orders": "rocketpost.orders.io",
    "write_orders": "rocketpost.orders.io",
    "generate_orders": "rocketpost.orders.generator",
    "GeneratorParams": "rocketpost.orders.generator",
    # planning
    "plan_orders": "rocketpost.planning.pipeline",
    "plan_day": "rocketpost.planning.day",
    "Plan": "rocketpost.planning.tables",
    "PlanParams": "rocketpost.planning.params",
    "LastMileParams": "rocketpost.planning.params",
    "ConsolidationPolicy": "rocketpost.planning.consolidation",
    "read_plan": "rocketpost.planning.plan_files",
    "write_plan": "rocketpost.planning.plan_files",
    "check_plan": "rocketpost.planning.check",
    # simulation
    "SimConfig": "rocketpost.simulation.config",
    "inputs_from_plan": "rocketpost.simulation.inputs",
    "run_replicate": "rocketpost.simulation.montecarlo",
    "run_monte_carlo": "rocketpost.simulation.montecarlo",
    "calibrate": "rocketpost.simulation.calibration",
    "CalibrationParams": "rocketpost.simulation.calibration",
    "RunParams": "rocketpost.simulation.scenarios",
    "run_sweep": "rocketpost.simulation.sweep",
    "load_sweep_spec": "rocketpost.simulation.sweep_spec",
    # errors
    "RocketpostError": "rocketpost.errors",
    "InputError": "rocketpost.errors",
    "ConfigFileError": "rocketpost.errors",
    "NetworkFileError": "rocketpost.errors",
    "PlaceNotFoundError": "rocketpost.errors",
}

__all__ = [
    "CalibrationParams",
    "ConfigFileError",
    "ConsolidationPolicy",
    "GeneratorParams",
    "InputError",
    "ItemTable",
    "LastMileParams",
    "Network",
    "NetworkFileError",
    "OrderTable",
    "PlaceNotFoundError",
    "Plan",
    "PlanParams",
    "RocketpostError",
    "RunParams",
    "SimConfig",
    "__version__",
    "calibrate",
    "check_plan",
    "compute_reach",
    "default_network",
    "eta_to_place",
    "eta_to_places",
    "generate_orders",
    "inputs_from_plan",
    "load_network",
    "load_sweep_spec",
    "plan_day",
    "plan_orders",
    "read_orders",
    "read_plan",
    "run_monte_carlo",
    "run_replicate",
    "run_sweep",
    "write_orders",
    "write_plan",
]

if TYPE_CHECKING:  # the names as type checkers and editors see them
    from typing import Any

    from rocketpost.core.eta import eta_to_place, eta_to_places
    from rocketpost.core.reach import compute_reach
    from rocketpost.errors import (
        ConfigFileError,
        InputError,
        NetworkFileError,
        PlaceNotFoundError,
        RocketpostError,
    )
    from rocketpost.network import Network, default_network, load_network
    from rocketpost.orders.generator import GeneratorParams, generate_orders
    from rocketpost.orders.io import read_orders, write_orders
    from rocketpost.orders.table import ItemTable, OrderTable
    from rocketpost.planning.check import check_plan
    from rocketpost.planning.consolidation import ConsolidationPolicy
    from rocketpost.planning.day import plan_day
    from rocketpost.planning.params import LastMileParams, PlanParams
    from rocketpost.planning.pipeline import plan_orders
    from rocketpost.planning.plan_files import read_plan, write_plan
    from rocketpost.planning.tables import Plan
    from rocketpost.simulation.calibration import CalibrationParams, calibrate
    from rocketpost.simulation.config import SimConfig
    from rocketpost.simulation.inputs import inputs_from_plan
    from rocketpost.simulation.montecarlo import run_monte_carlo, run_replicate
    from rocketpost.simulation.scenarios import RunParams
    from rocketpost.simulation.sweep import run_sweep
    from rocketpost.simulation.sweep_spec import load_sweep_spec


def __getattr__(name: str) -> "Any":
    """Import ``name``'s module on first use and keep the name here (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'rocketpost' has no attribute {name!r}")
    # __import__ rather than importlib.import_module: importing importlib would cost a third
    # of this package's import time.
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
