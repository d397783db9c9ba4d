"""Screening signals and risk scores, vectorised over a :class:`~.parcel_batch.ParcelBatch`.

Every parcel gets transparent signals, each a score in [0, 1] with a reason a person can check:

========================  ===============  ==================================================
signal                    risk             fires when
========================  ===============  ==================================================
``brand``                 counterfeit      a protected brand is named at a unit value far
                                           below its genuine reference price, or the
                                           description advertises a copy ("replica")
``seller``                counterfeit      the seller's posterior seizure rate is above the
                                           prior (Beta-Bernoulli trust, :mod:`.trust`)
``chapter``               counterfeit      the HS group has a high infringement rate (bags,
                                           watches, footwear, cosmetics, earphones...)
``mismatch``              counterfeit      the description names goods its HS code does not
                                           cover, or says nothing ("gift", "parts")
``undervaluation``        undervaluation   the unit value is far below the HS group's typical
``weight``                empty_box        the scanned gross mass is below the declared item
                                           masses (minus a tolerance): an empty or part-empty box
``overweight``            compliance       the scanned mass exceeds declared + packaging
``prohibited``            compliance       the market prohibits the HS code (rules data)
``restricted``            compliance       the market restricts it (documents to check)
========================  ===============  ==================================================

Risk scores are weighted sums of their signals (weights in :class:`ScreeningConfig`); per-line
signals take the worst line of the parcel. Per-HS lookups are gathers into the small dense tables
of :mod:`.reference`, per-parcel reductions are ``np.*.reduceat`` over line offsets, text is
analysed once per distinct description in Arrow's C++ kernels, and the rules (restrictions,
inspection minutes) are resolved once per distinct (country, date). What the decision is made
of is :mod:`.screening`; how a signal is put into words is :mod:`.screening_explanations`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import date
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from rocketpost.customs.hs import HsNomenclature
from rocketpost.customs.parcel_batch import ParcelBatch
from rocketpost.customs.reference import DescriptionFeatures, ScreeningReference
from rocketpost.customs.rule_model import RestrictionRule, RuleSet
from rocketpost.customs.rules import rules_for
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError

__all__ = [
    "RISKS",
    "SIGNALS",
    "SIGNAL_RISK",
    "ScreeningConfig",
    "SignalEvidence",
    "Signals",
    "score_signals",
]

SIGNALS = (
    "brand",
    "seller",
    "chapter",
    "mismatch",
    "undervaluation",
    "weight",
    "overweight",
    "prohibited",
    "restricted",
)
"""Signal names, in the column order of :attr:`ScreeningResult.signal_scores`."""

RISKS = ("counterfeit", "empty_box", "undervaluation", "compliance")
"""Risk names, in the column order of :attr:`ScreeningResult.risk_scores`."""

SIGNAL_RISK = {
    "brand": "counterfeit",
    "seller": "counterfeit",
    "chapter": "counterfeit",
    "mismatch": "counterfeit",
    "undervaluation": "undervaluation",
    "weight": "empty_box",
    "overweight": "compliance",
    "prohibited": "compliance",
    "restricted": "compliance",
}
"""Which risk each signal feeds."""


@dataclass(frozen=True)
class ScreeningConfig:
    """Signal shapes, risk weights and decision thresholds (all documented defaults).

    Signal shapes
    -------------
    brand_price_ratio
        A branded line scores ``1 − ratio / brand_price_ratio`` where ``ratio`` = unit value ÷
        the brand's reference price: 0 at half the reference, 0.9 at 5 % of it.
    vague_score
        Mismatch score of a description that names nothing ("gift"); a real mismatch scores 1.
    undervalue_ratio
        A line scores ``1 − ratio / undervalue_ratio`` against the HS group's typical unit value.
    mass_under_tolerance, scale_resolution_kg
        The scanned mass may fall this far below the declared masses before the weight signal
        starts (merchants' catalogue masses are approximate; the scale reads to ±0.02 kg).
    deficit_full_score
        Shortfall (fraction of the floor) at which the weight signal reaches 1.
    packaging_tolerance, packaging_allowance_kg
        Expected packaging on top of the declared masses (10 % + 0.3 kg) before overweight starts.
    excess_full_score
        Excess (fraction of the ceiling) at which the overweight signal reaches 1.
    seller_rate_high
        Posterior seizure rate at which the seller signal reaches 1 (it starts at the prior mean).

    Risk weights
    ------------
    weight_brand, weight_seller, weight_mismatch, weight_chapter
        Counterfeit risk = Σ weight × signal. Chapter risk alone (≤ 0.18) never stops a parcel;
        a brand far below its price (0.7 × ~1) does, and with a bad seller it is held.
    weight_overweight, weight_restricted
        Contributions to the compliance risk (prohibited goods score 1, i.e. hold).

    Thresholds
    ----------
    inspect_*, hold_*
        Per risk; ``hold_undervaluation`` is infinite: undervaluation is re-assessed, not grounded.
    """

    brand_price_ratio: float = 0.5
    vague_score: float = 0.5
    undervalue_ratio: float = 0.3
    mass_under_tolerance: float = 0.15
    scale_resolution_kg: float = 0.02
    deficit_full_score: float = 0.6
    packaging_tolerance: float = 0.10
    packaging_allowance_kg: float = 0.30
    excess_full_score: float = 1.0
    seller_rate_high: float = 0.30
    weight_brand: float = 0.7
    weight_seller: float = 0.35
    weight_mismatch: float = 0.3
    weight_chapter: float = 0.2
    weight_overweight: float = 0.6
    weight_restricted: float = 0.5
    inspect_counterfeit: float = 0.45
    hold_counterfeit: float = 0.85
    inspect_empty_box: float = 0.4
    hold_empty_box: float = 0.8
    inspect_undervaluation: float = 0.4
    hold_undervaluation: float = math.inf
    inspect_compliance: float = 0.45
    hold_compliance: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or math.isnan(value)
                or value < 0
            ):
                raise InputError(f.name, value, "must be a number ≥ 0")
            if not f.name.startswith("hold_") and math.isinf(value):
                raise InputError(f.name, value, "must be finite")
        for name in (
            "brand_price_ratio",
            "undervalue_ratio",
            "deficit_full_score",
            "excess_full_score",
        ):
            if getattr(self, name) == 0:
                raise InputError(name, 0, "must be positive")
        for risk in RISKS:
            if getattr(self, f"hold_{risk}") < getattr(self, f"inspect_{risk}"):
                raise InputError(
                    f"hold_{risk}", getattr(self, f"hold_{risk}"), f"is below inspect_{risk}"
                )
        if self.mass_under_tolerance >= 1:
            raise InputError("mass_under_tolerance", self.mass_under_tolerance, "must be < 1")

    # Cached (the config is frozen) and read-only: every screened batch reads both.
    @cached_property
    def inspect_thresholds(self) -> np.ndarray:
        """Inspect threshold per risk (order of :data:`RISKS`)."""
        return _read_only(np.array([getattr(self, f"inspect_{r}") for r in RISKS]))

    @cached_property
    def hold_thresholds(self) -> np.ndarray:
        """Hold threshold per risk (order of :data:`RISKS`)."""
        return _read_only(np.array([getattr(self, f"hold_{r}") for r in RISKS]))


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@lru_cache(maxsize=1)
def default_config() -> ScreeningConfig:
    """The default :class:`ScreeningConfig`, built once (a quote screens one parcel: building
    and validating the config was a tenth of its screening)."""
    return ScreeningConfig()


@dataclass(frozen=True, eq=False)
class SignalEvidence:
    """Per-line and per-parcel intermediate arrays, kept so that reasons can be worded on demand
    (:mod:`.screening_explanations`) without recomputing anything."""

    features: DescriptionFeatures
    line_brand_score: np.ndarray
    line_brand_slot: np.ndarray
    brand_reference_usd: np.ndarray
    line_chapter: np.ndarray
    line_mismatch: np.ndarray
    line_undervaluation: np.ndarray
    typical_usd: np.ndarray
    line_status: np.ndarray
    declared_mass_kg: np.ndarray
    mass_floor_kg: np.ndarray
    mass_ceiling_kg: np.ndarray
    seller_rate: np.ndarray
    group: np.ndarray
    group_rules: tuple[RuleSet, ...]


@dataclass(frozen=True, eq=False)
class Signals:
    """What :func:`score_signals` found for a batch of n parcels.

    Attributes
    ----------
    scores
        (n, len(SIGNALS)) signal scores in [0, 1].
    risks
        (n, len(RISKS)) risk scores (weighted sums of the signals).
    inspection_minutes
        (n,) the minutes the importing market's rules give an inspection, should there be one.
    evidence
        The intermediate arrays behind the scores, for the reasons.
    """

    scores: np.ndarray
    risks: np.ndarray
    inspection_minutes: np.ndarray
    evidence: SignalEvidence


def _restriction_row(
    rule: RestrictionRule | None, hs: HsNomenclature, cache: dict[Any, np.ndarray]
) -> np.ndarray:
    """0/1/2 (none/restricted/prohibited) over the shipped subheadings for one rule."""
    key = (id(rule), id(hs))
    row = cache.get(key)
    if row is None:
        row = np.zeros(len(hs.codes), dtype=np.int8)
        if rule is not None:
            for k, code in enumerate(f"{c:06d}" for c in hs.codes):
                status = rule.status(code)
                if status is not None:
                    row[k] = 2 if status[0] == "prohibited" else 1
        cache[key] = row
    return row


_ROW_CACHE: dict[Any, np.ndarray] = {}


def _rule_groups(batch: ParcelBatch) -> tuple[np.ndarray, tuple[RuleSet, ...]]:
    """Group parcels by (importing country, import date) and resolve each group's rules once."""
    days = batch.import_date.astype("datetime64[D]").astype(np.int64)
    base = int(days.min())
    span = int(days.max()) - base + 1
    key = batch.destination.astype(np.int64) * span + (days - base)
    if key.size == 1:  # one parcel (a quote): np.unique's sort is most of this function
        unique, group = key, np.zeros(1, dtype=np.int64)
    else:
        unique, group = np.unique(key, return_inverse=True)
    rule_sets = []
    for value in unique.tolist():
        country = batch.destinations[value // span]
        on = date.fromordinal(date(1970, 1, 1).toordinal() + base + value % span)
        rule_sets.append(rules_for(country, on))
    return group.astype(np.int64), tuple(rule_sets)


def _nan_to_zero(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), 0.0, values)


def score_signals(
    batch: ParcelBatch, cfg: ScreeningConfig, ref: ScreeningReference, trust: SellerTrust
) -> Signals:
    """Every signal and risk score of every parcel of ``batch`` (no Python loop per parcel)."""
    if batch.n_parcels == 0:
        arrays = {
            f.name: np.zeros(0)
            for f in fields(SignalEvidence)
            if f.name not in ("features", "group_rules")
        }
        empty = SignalEvidence(features=ref.analyse([]), group_rules=(), **arrays)
        return Signals(np.zeros((0, len(SIGNALS))), np.zeros((0, len(RISKS))), np.zeros(0), empty)

    k = batch.hs_index
    d = batch.description
    starts = batch.line_start
    unit_usd = batch.unit_value_usd
    features = ref.analyse(batch.descriptions)

    with np.errstate(divide="ignore", invalid="ignore"):
        # Brand far below its reference price, or a description advertising a copy.
        # Two brand slots ("Nike Air Jordan"): keep the one that is the stronger evidence.
        first_reference = ref.brand_reference_usd[features.brand[d], k]
        second_reference = ref.brand_reference_usd[features.second_brand[d], k]
        first_score = _nan_to_zero(
            np.clip(1.0 - unit_usd / first_reference / cfg.brand_price_ratio, 0.0, 1.0)
        )
        second_score = _nan_to_zero(
            np.clip(1.0 - unit_usd / second_reference / cfg.brand_price_ratio, 0.0, 1.0)
        )
        use_second = second_score > first_score
        price_score = np.where(use_second, second_score, first_score)
        brand_reference = np.where(use_second, second_reference, first_reference)
        line_brand_slot = use_second.astype(np.int8)
        line_brand = np.maximum(price_score, features.cue_weight[d])
        # Description versus HS code.
        bits = features.category_bits[d]
        mismatch = (bits != 0) & ((bits & ref.allowed_bits_by_hs[k]) == 0)
        vague = features.vague[d] & (bits == 0)
        line_mismatch = np.where(mismatch, 1.0, np.where(vague, cfg.vague_score, 0.0))
        # Undervaluation against the HS group's typical unit value.
        typical = ref.typical_usd_by_hs[k]
        line_under = _nan_to_zero(
            np.clip(1.0 - unit_usd / typical / cfg.undervalue_ratio, 0.0, 1.0)
        )
    line_chapter = ref.risk_by_hs[k]

    group, group_rules = _rule_groups(batch)
    status_table = np.stack(
        [_restriction_row(rs.restrictions, batch.nomenclature, _ROW_CACHE) for rs in group_rules]
    )
    line_status = status_table[group[batch.line_parcel], k]
    minutes_by_group = np.array([rs.inspection.minutes for rs in group_rules], dtype=np.float64)

    s_brand = np.maximum.reduceat(line_brand, starts)
    s_chapter = np.maximum.reduceat(line_chapter, starts)
    s_mismatch = np.maximum.reduceat(line_mismatch, starts)
    s_under = np.maximum.reduceat(line_under, starts)
    status = np.maximum.reduceat(line_status, starts)

    declared = np.add.reduceat(batch.unit_mass_kg * batch.quantity, starts)
    scanned = batch.scanned_gross_mass_kg
    floor = declared * (1.0 - cfg.mass_under_tolerance) - cfg.scale_resolution_kg
    ceiling = (
        declared * (1.0 + cfg.packaging_tolerance)
        + cfg.packaging_allowance_kg
        + cfg.scale_resolution_kg
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        deficit = np.where(floor > 0, (floor - scanned) / floor, np.nan)
        s_weight = _nan_to_zero(np.clip(deficit / cfg.deficit_full_score, 0.0, 1.0))
        s_over = _nan_to_zero(
            np.clip((scanned - ceiling) / ceiling / cfg.excess_full_score, 0.0, 1.0)
        )

    rate = trust.seizure_rates(batch.sellers)[batch.seller]
    p0 = trust.prior_mean
    span = max(cfg.seller_rate_high - p0, 1e-9)
    s_seller = np.clip((rate - p0) / span, 0.0, 1.0)
    s_prohibited = (status == 2).astype(np.float64)
    s_restricted = (status == 1).astype(np.float64)

    signals = np.column_stack(
        [
            s_brand,
            s_seller,
            s_chapter,
            s_mismatch,
            s_under,
            s_weight,
            s_over,
            s_prohibited,
            s_restricted,
        ]
    )
    counterfeit = (
        cfg.weight_brand * s_brand
        + cfg.weight_seller * s_seller
        + cfg.weight_mismatch * s_mismatch
        + cfg.weight_chapter * s_chapter
    )
    compliance = np.maximum.reduce(
        [
            s_prohibited * cfg.hold_compliance,
            cfg.weight_restricted * s_restricted,
            cfg.weight_overweight * s_over,
        ]
    )
    risks = np.column_stack([counterfeit, s_weight, s_under, compliance])
    evidence = SignalEvidence(
        features=features,
        line_brand_score=line_brand,
        line_brand_slot=line_brand_slot,
        brand_reference_usd=brand_reference,
        line_chapter=line_chapter,
        line_mismatch=line_mismatch,
        line_undervaluation=line_under,
        typical_usd=typical,
        line_status=line_status,
        declared_mass_kg=declared,
        mass_floor_kg=floor,
        mass_ceiling_kg=ceiling,
        seller_rate=rate,
        group=group,
        group_rules=group_rules,
    )
    return Signals(signals, risks, minutes_by_group[group], evidence)
