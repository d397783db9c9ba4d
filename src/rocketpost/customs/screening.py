"""Pre-clearance screening: counterfeit, empty-box and undervaluation risk → release, inspect, hold.

:func:`screen` takes a batch of parcels (declarations or a columnar
:class:`~.parcel_batch.ParcelBatch`), scores transparent signals for every parcel at once
(:mod:`.screening_signals`: brand far below its price, seller history, high-infringement HS
groups, description versus HS code, undervaluation, scanned versus declared mass, the market's
prohibited and restricted goods) and turns the risk scores into a :class:`CustomsDecision`.

A parcel is **held** when any risk reaches its hold threshold (a held parcel never flies),
**inspected** when any reaches its inspect threshold (the market's inspection minutes are added;
no one-hour promise), else **released**. Reasons are worded only when asked for
(:meth:`ScreeningResult.reasons`, :mod:`.screening_explanations`).
"""

from __future__ import annotations

import copy
import math
import threading
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

import numpy as np

from rocketpost.customs.declaration import Declaration
from rocketpost.customs.parcel_batch import ParcelBatch
from rocketpost.customs.reference import ScreeningReference, screening_reference
from rocketpost.customs.screening_explanations import ScreeningReason, explain
from rocketpost.customs.screening_signals import (
    RISKS,
    ScreeningConfig,
    SignalEvidence,
    default_config,
    score_signals,
)
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError

_ONE_PARCEL_CACHE_SIZE = 4096

__all__ = ["CustomsDecision", "ScreeningResult", "screen"]

_RELEASE, _INSPECT, _HOLD = 0, 1, 2


class CustomsDecision(StrEnum):
    """Pre-clearance outcome: only ``release`` allows a one-hour promise; ``hold`` never flies."""

    RELEASE = "release"
    INSPECT = "inspect"
    HOLD = "hold"


_DECISIONS = (CustomsDecision.RELEASE, CustomsDecision.INSPECT, CustomsDecision.HOLD)


@dataclass(frozen=True, eq=False)
class ScreeningResult:
    """Decisions, scores and (lazily) reasons for a screened batch.

    Attributes
    ----------
    batch
        The screened :class:`~.parcel_batch.ParcelBatch`.
    decision_code
        (n,) int8: 0 release, 1 inspect, 2 hold (:attr:`decisions` gives the names).
    signal_scores
        (n, len(SIGNALS)) in [0, 1].
    risk_scores
        (n, len(RISKS)) weighted sums.
    inspection_minutes
        (n,) minutes the decision adds: 0 released, the market's minutes inspected, NaN held.
    """

    batch: ParcelBatch
    config: ScreeningConfig
    reference: ScreeningReference
    trust: SellerTrust
    decision_code: np.ndarray
    signal_scores: np.ndarray
    risk_scores: np.ndarray
    inspection_minutes: np.ndarray
    evidence: SignalEvidence = field(repr=False)

    def __len__(self) -> int:
        return len(self.decision_code)

    @property
    def decisions(self) -> np.ndarray:
        """(n,) decision names (``"release"``, ``"inspect"``, ``"hold"``)."""
        return np.array([d.value for d in _DECISIONS])[self.decision_code]

    def decision(self, parcel: int) -> CustomsDecision:
        """Decision of parcel number ``parcel``."""
        return _DECISIONS[int(self.decision_code[parcel])]

    def counts(self) -> dict[str, int]:
        """How many parcels got each decision."""
        tally = np.bincount(self.decision_code, minlength=3)
        return {d.value: int(c) for d, c in zip(_DECISIONS, tally, strict=True)}

    @cached_property
    def relative_risk(self) -> np.ndarray:
        """(n,) each parcel's highest risk as a share of its inspect threshold (≥ 1: stopped).

        What a promise reads for a released parcel: the odds that the destination's customs
        open it anyway scale with it (:meth:`rocketpost.promise.conditions.Conditions.
        inspection_odds`), rather than every parcel carrying the flat base rate. Computed once
        per batch: callers read it parcel by parcel, and a fresh (n,) array per read made
        clearing a batch quadratic (a 2-day plan spent 40 of its 64 s here).
        """
        return np.asarray((self.risk_scores / self.config.inspect_thresholds).max(axis=1))

    def stopped(self, risk: str) -> np.ndarray:
        """(n,) whether ``risk`` reached its inspect threshold (the parcel was stopped for it)."""
        r = RISKS.index(risk)
        return self.risk_scores[:, r] >= self.config.inspect_thresholds[r]

    def record_outcomes(self, seized: Sequence[bool] | np.ndarray) -> SellerTrust:
        """Seller trust updated with inspection outcomes.

        ``seized`` is per parcel; only parcels that were inspected or held count (released ones
        were never opened, so they say nothing about their seller).
        """
        outcome = np.asarray(seized, dtype=bool)
        if outcome.shape != self.decision_code.shape:
            raise InputError("seized", outcome.shape, f"needs one outcome per parcel ({len(self)})")
        opened = self.decision_code != _RELEASE
        sellers = np.asarray(self.batch.sellers, dtype=object)[self.batch.seller[opened]]
        return self.trust.record_many(sellers, outcome[opened])

    def reasons(self, parcel: int) -> tuple[ScreeningReason, ...]:
        """Every signal that fired for ``parcel``, strongest contribution first, in words."""
        return explain(self, parcel)

    def record(self, parcel: int) -> dict[str, Any]:
        """JSON-ready summary of one parcel: decision, minutes, risk scores, reasons."""
        minutes = float(self.inspection_minutes[parcel])
        return {
            "parcel_id": str(self.batch.parcel_id[parcel]),
            "decision": self.decision(parcel).value,
            "inspection_minutes": None if math.isnan(minutes) else minutes,
            "risk_scores": {
                r: round(float(s), 4) for r, s in zip(RISKS, self.risk_scores[parcel], strict=True)
            },
            "reasons": [
                {"signal": r.signal, "risk": r.risk, "score": round(r.score, 4), "text": r.text}
                for r in self.reasons(parcel)
            ],
        }


def screen(
    parcels: Sequence[Declaration] | ParcelBatch,
    *,
    scanned_gross_mass_kg: Sequence[float | None] | np.ndarray | None = None,
    trust: SellerTrust | None = None,
    config: ScreeningConfig | None = None,
    reference: ScreeningReference | None = None,
) -> ScreeningResult:
    """Screen a batch of parcels: signals, risk scores, decisions and inspection minutes.

    Parameters
    ----------
    parcels
        Declarations (one parcel each) or a columnar :class:`~.parcel_batch.ParcelBatch`.
    scanned_gross_mass_kg
        Per parcel, the mass the hub's scale read at induction (``None`` / NaN = not yet weighed:
        the weight signals stay silent). For a batch, overrides the batch's own column.
    trust
        Seller histories (default: the shipped prior, i.e. no history).
    config
        Weights and thresholds (default :class:`ScreeningConfig`).
    reference
        Reference data (default: the shipped files).
    """
    defaults = config is None and reference is None
    if defaults and not isinstance(parcels, ParcelBatch) and len(parcels) == 1:
        scanned = None if scanned_gross_mass_kg is None else scanned_gross_mass_kg[0]
        return _screen_one(parcels[0], scanned, trust or SellerTrust.default())
    return _screen_batch(
        parcels,
        scanned_gross_mass_kg=scanned_gross_mass_kg,
        trust=trust,
        config=config,
        reference=reference,
    )


def _screen_batch(
    parcels: Sequence[Declaration] | ParcelBatch,
    *,
    scanned_gross_mass_kg: Sequence[float | None] | np.ndarray | None,
    trust: SellerTrust | None,
    config: ScreeningConfig | None,
    reference: ScreeningReference | None,
) -> ScreeningResult:
    if isinstance(parcels, ParcelBatch):
        batch = (
            parcels
            if scanned_gross_mass_kg is None
            else parcels.with_scanned_mass(scanned_gross_mass_kg)
        )
    else:
        batch = ParcelBatch.from_declarations(parcels, scanned_gross_mass_kg=scanned_gross_mass_kg)
    cfg = config or default_config()
    ref = reference or screening_reference()
    trust = trust or SellerTrust.default()
    signals = score_signals(batch, cfg, ref, trust)
    risks = signals.risks
    hold = (risks >= cfg.hold_thresholds).any(axis=1)
    inspect = (risks >= cfg.inspect_thresholds).any(axis=1)
    decision = np.where(hold, _HOLD, np.where(inspect, _INSPECT, _RELEASE)).astype(np.int8)
    minutes = np.where(
        decision == _INSPECT,
        signals.inspection_minutes,
        np.where(decision == _HOLD, np.nan, 0.0),
    )
    return ScreeningResult(
        batch, cfg, ref, trust, decision, signals.scores, risks, minutes, signals.evidence
    )


# --- one parcel (a quote, a booking, an induction) ---------------------------------------------
# Screening one parcel reads, of its declaration, only what ParcelBatch.from_declarations takes
# (countries, seller, import date, the lines' HS code, description, USD unit value, quantity and
# unit mass) plus the scanned mass and the seller's record in ``trust``; with the default
# configuration and reference data the result is a function of exactly that. Checkout quotes the
# same basket on the same lane again and again (every visitor of a product page), so the batch
# is scored once per such key and later parcels reuse its arrays: the same kernel, no second
# copy of any rule. Only the parcel id (and the caller's trust object) are the parcel's own.

_one_parcel: OrderedDict[Hashable, ScreeningResult] = OrderedDict()
_one_parcel_lock = threading.Lock()


def _one_parcel_key(
    declaration: Declaration, scanned: float | None, trust: SellerTrust
) -> Hashable:
    lines = tuple(
        (
            line.hs_code,
            line.description,
            float(line.unit_value_usd),
            line.quantity,
            line.unit_mass_kg,
        )
        for line in declaration.lines
    )
    scanned_kg = None if scanned is None or math.isnan(float(scanned)) else float(scanned)
    return (
        declaration.destination_country,
        declaration.origin_country,
        declaration.seller_id,
        declaration.import_date,
        scanned_kg,
        lines,
        trust.key_of(declaration.seller_id),
    )


def _screen_one(
    declaration: Declaration, scanned: float | None, trust: SellerTrust
) -> ScreeningResult:
    """:func:`screen` of one declaration with the default configuration and reference data,
    memoised by what screening reads of it (see above)."""
    key = _one_parcel_key(declaration, scanned, trust)
    with _one_parcel_lock:
        known = _one_parcel.get(key)
        if known is not None:
            _one_parcel.move_to_end(key)
    if known is None:
        result = _screen_batch(
            [declaration],
            scanned_gross_mass_kg=[scanned],
            trust=trust,
            config=None,
            reference=None,
        )
        for array in (
            result.decision_code,
            result.signal_scores,
            result.risk_scores,
            result.inspection_minutes,
        ):
            array.flags.writeable = False  # shared by every parcel of this key
        with _one_parcel_lock:
            _one_parcel[key] = result
            if len(_one_parcel) > _ONE_PARCEL_CACHE_SIZE:
                _one_parcel.popitem(last=False)
        return result
    if known.batch.parcel_id[0] == declaration.declaration_id and known.trust is trust:
        return known
    batch = copy.copy(known.batch)  # the same columns (validated once); this parcel's id
    object.__setattr__(batch, "parcel_id", np.array([declaration.declaration_id], dtype=object))
    return ScreeningResult(
        batch,
        known.config,
        known.reference,
        trust,
        known.decision_code,
        known.signal_scores,
        known.risk_scores,
        known.inspection_minutes,
        known.evidence,
    )
