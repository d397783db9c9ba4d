"""Daily planning: service choice, consolidation, fleet scheduling, last mile, the plan.

The stages run in this order inside :func:`plan_orders`; each is also usable on its own.
:func:`plan_day` puts the inventory draw-down and customs pre-clearance in front.
"""

from rocketpost.planning.backhaul import Backhaul, load_backhaul
from rocketpost.planning.check import check_plan
from rocketpost.planning.consolidation import (
    Consolidation,
    ConsolidationPolicy,
    Decision,
    consolidate,
    lower_bound,
    pack,
)
from rocketpost.planning.customs import PreClearance, pre_clear
from rocketpost.planning.day import plan_day
from rocketpost.planning.fleet import Airframe, FleetSchedule, initial_fleet, schedule_fleet
from rocketpost.planning.plan import PLAN_FILES, Plan, kpis, plan_orders, write_plan
from rocketpost.planning.service_choice import Mode, Reason, ServiceChoice, choose_service
from rocketpost.planning.stock import StockAllocation, allocate_stock

__all__ = [
    "PLAN_FILES",
    "Airframe",
    "Backhaul",
    "Consolidation",
    "ConsolidationPolicy",
    "Decision",
    "FleetSchedule",
    "Mode",
    "Plan",
    "PreClearance",
    "Reason",
    "ServiceChoice",
    "StockAllocation",
    "allocate_stock",
    "check_plan",
    "choose_service",
    "consolidate",
    "initial_fleet",
    "kpis",
    "load_backhaul",
    "lower_bound",
    "pack",
    "plan_day",
    "plan_orders",
    "pre_clear",
    "schedule_fleet",
    "write_plan",
]
