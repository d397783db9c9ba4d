"""Daily planning: service choice, consolidation, fleet scheduling, last mile, the plan.

The stages run in this order inside :func:`plan_orders` (:mod:`~rocketpost.planning.pipeline`);
each is also usable on its own. :func:`plan_day` puts the inventory draw-down and customs
pre-clearance in front. A plan is typed tables (:mod:`~rocketpost.planning.tables`) that
:func:`write_plan` and :func:`read_plan` (:mod:`~rocketpost.planning.plan_files`) move to and
from a plan directory; :func:`check_plan` re-checks one independently.
"""

from rocketpost.planning.backhaul import Backhaul, load_backhaul
from rocketpost.planning.check import check_plan
from rocketpost.planning.consolidation import (
    Consolidation,
    ConsolidationPolicy,
    LightLoadDecision,
    consolidate,
    lower_bound,
    pack,
)
from rocketpost.planning.day import plan_day
from rocketpost.planning.fleet import Airframe, FleetSchedule, initial_fleet, schedule_fleet
from rocketpost.planning.outcomes import carried_lower_bound, kpis
from rocketpost.planning.pipeline import plan_orders
from rocketpost.planning.plan_files import (
    PLAN_FILES,
    PlanFileError,
    network_of_plan,
    read_plan,
    read_provenance,
    to_arrow,
    write_plan,
)
from rocketpost.planning.preclearance import PreClearance, pre_clear
from rocketpost.planning.service_choice import (
    PROMISE_RULES,
    Mode,
    Reason,
    ServiceChoice,
    choose_service,
)
from rocketpost.planning.stock import StockAllocation, allocate_stock
from rocketpost.planning.tables import Plan, Provenance

__all__ = [
    "PLAN_FILES",
    "PROMISE_RULES",
    "Airframe",
    "Backhaul",
    "Consolidation",
    "ConsolidationPolicy",
    "FleetSchedule",
    "LightLoadDecision",
    "Mode",
    "Plan",
    "PlanFileError",
    "PreClearance",
    "Provenance",
    "Reason",
    "ServiceChoice",
    "StockAllocation",
    "allocate_stock",
    "carried_lower_bound",
    "check_plan",
    "choose_service",
    "consolidate",
    "initial_fleet",
    "kpis",
    "load_backhaul",
    "lower_bound",
    "network_of_plan",
    "pack",
    "plan_day",
    "plan_orders",
    "pre_clear",
    "read_plan",
    "read_provenance",
    "schedule_fleet",
    "to_arrow",
    "write_plan",
]
