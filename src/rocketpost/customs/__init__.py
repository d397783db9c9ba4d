"""Customs for cross-border parcels: declarations, duties, and counterfeit / empty-box screening.

The integration surface (what booking and planning call):

* :func:`declare` — an order becomes an import declaration (HS 2022 checked, values converted
  with the shipped, dated FX table, origin and consignee).
* :func:`assess_duties` — duties and taxes per line and in total, ``Decimal``, each amount with
  the id of the rule that produced it; same-day aggregation and China's annual CBEC limit via a
  :class:`RecipientHistory`.
* :func:`screen` — vectorised risk screening of a batch (declarations or a :class:`ParcelBatch`):
  release / inspect / hold, reasons, the market's inspection minutes.
* :func:`clearance` / :func:`clear_orders` — all of it in one call for one order / a day's orders,
  with ``inspection_delay_s``, ``one_hour_allowed`` and ``may_fly``; :func:`clear_declaration`
  re-screens a stored declaration at induction with the scale reading.

Rules are data (``customs/data/rules/*.toml``, one file per market, each rule with
``effective_from`` / ``effective_to`` and its source); :func:`rules_for` returns the rules in force
for a country, date and origin. See ``docs/customs.md`` for sources and simplifications.
"""

from __future__ import annotations

from rocketpost.customs.clearance import Clearance, clear_declaration, clear_orders, clearance
from rocketpost.customs.declaration import Consignee, Declaration, DeclarationLine, declare
from rocketpost.customs.duties import assess_duties
from rocketpost.customs.duty_model import DeMinimisOutcome, DutyAssessment, TaxAmount
from rocketpost.customs.evaluation import EvaluationReport, evaluate, run_evaluation
from rocketpost.customs.fx import FxTable, fx_table
from rocketpost.customs.history import ImportRecord, RecipientHistory
from rocketpost.customs.hs import HsNomenclature, nomenclature
from rocketpost.customs.labelled_parcels import LabelledParcels, LabelRates, generate_parcels
from rocketpost.customs.parcel_batch import ParcelBatch
from rocketpost.customs.parcels import ParcelInput, read_parcels
from rocketpost.customs.rule_model import Market, RuleSet
from rocketpost.customs.rules import market_for, rules_for, same_customs_territory
from rocketpost.customs.screening import CustomsDecision, ScreeningResult, screen
from rocketpost.customs.screening_explanations import ScreeningReason
from rocketpost.customs.screening_signals import ScreeningConfig
from rocketpost.customs.trust import SellerRecord, SellerTrust

__all__ = [
    "Clearance",
    "Consignee",
    "CustomsDecision",
    "DeMinimisOutcome",
    "Declaration",
    "DeclarationLine",
    "DutyAssessment",
    "EvaluationReport",
    "FxTable",
    "HsNomenclature",
    "ImportRecord",
    "LabelRates",
    "LabelledParcels",
    "Market",
    "ParcelBatch",
    "ParcelInput",
    "RecipientHistory",
    "RuleSet",
    "ScreeningConfig",
    "ScreeningReason",
    "ScreeningResult",
    "SellerRecord",
    "SellerTrust",
    "TaxAmount",
    "assess_duties",
    "clear_declaration",
    "clear_orders",
    "clearance",
    "declare",
    "evaluate",
    "fx_table",
    "generate_parcels",
    "market_for",
    "nomenclature",
    "read_parcels",
    "rules_for",
    "run_evaluation",
    "same_customs_territory",
    "screen",
]
