"""Daily planning: service choice, consolidation, fleet scheduling, last mile, the plan.

The stages run in this order inside :func:`plan_orders`; each is also usable on its own.
"""

from rocketpost.planning.check import check_plan
from rocketpost.planning.consolidation import (
    Consolidation,
    ConsolidationPolicy,
    Decision,
    consolidate,
    lower_bound,
    pack,
)
from rocketpost.planning.fleet import Airframe, FleetSchedule, initial_fleet, schedule_fleet
from rocketpost.planning.plan import PLAN_FILES, Plan, kpis, plan_orders, write_plan
from rocketpost.planning.service import Mode, Reason, ServiceChoice, choose_service

__all__ = [
    "PLAN_FILES",
    "Airframe",
    "Consolidation",
    "ConsolidationPolicy",
    "Decision",
    "FleetSchedule",
    "Mode",
    "Plan",
    "Reason",
    "ServiceChoice",
    "check_plan",
    "choose_service",
    "consolidate",
    "initial_fleet",
    "kpis",
    "lower_bound",
    "pack",
    "plan_orders",
    "schedule_fleet",
    "write_plan",
]
