"""Counterfeit, empty-box and undervaluation screening, vectorised over a batch of parcels.

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

Risk scores are weighted sums of their signals (weights in :class:`ScreeningConfig`). A parcel is
**held** when any risk reaches its hold threshold (a held parcel never flies), **inspected** when
any reaches its inspect threshold (the market's inspection minutes are added; no one-hour
promise), else **released**. Per-line signals take the worst line of the parcel.

The batch is columnar (:class:`ParcelBatch`): per-parcel and per-line NumPy arrays, lines grouped
by parcel. Per-HS lookups are gathers into small dense tables, per-parcel reductions are
``np.*.reduceat`` over line offsets, text is analysed once per distinct description in Arrow's
C++ kernels (:mod:`.reference`), and the rules (restrictions, inspection minutes) are resolved once
per distinct (country, date). Reasons are formatted only when asked for
(:meth:`ScreeningResult.reasons`), so the hot path never builds a Python string per parcel.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import pyarrow as pa

from rocketpost.customs.declaration import Declaration
from rocketpost.customs.hs import HsNomenclature
from rocketpost.customs.reference import (
    DescriptionFeatures,
    ScreeningReference,
    screening_reference,
)
from rocketpost.customs.rule_model import RestrictionRule, RuleSet
from rocketpost.customs.rules import rules_for
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError

__all__ = [
    "RISKS",
    "SIGNALS",
    "SIGNAL_RISK",
    "Decision",
    "ParcelBatch",
    "Reason",
    "ScreeningConfig",
    "ScreeningResult",
    "screen",
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

_S = {name: i for i, name in enumerate(SIGNALS)}
_RELEASE, _INSPECT, _HOLD = 0, 1, 2


class Decision(StrEnum):
    """Pre-clearance outcome: only ``release`` allows a one-hour promise; ``hold`` never flies."""

    RELEASE = "release"
    INSPECT = "inspect"
    HOLD = "hold"


_DECISIONS = (Decision.RELEASE, Decision.INSPECT, Decision.HOLD)


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

    @property
    def inspect_thresholds(self) -> np.ndarray:
        """Inspect threshold per risk (order of :data:`RISKS`)."""
        return np.array([getattr(self, f"inspect_{r}") for r in RISKS])

    @property
    def hold_thresholds(self) -> np.ndarray:
        """Hold threshold per risk (order of :data:`RISKS`)."""
        return np.array([getattr(self, f"hold_{r}") for r in RISKS])


def _categorical(values: Any, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes and labels of a string column (Arrow hashing, no Python loop per row)."""
    array = (
        values
        if isinstance(values, pa.Array)
        else pa.array(np.asarray(values, dtype=object), pa.string())
    )
    if array.null_count:
        raise InputError(name, None, "must not contain missing values")
    encoded = array.dictionary_encode()
    return encoded.indices.to_numpy().astype(np.int64), tuple(encoded.dictionary.to_pylist())


@dataclass(frozen=True, eq=False)
class ParcelBatch:
    """Parcels as columns: per-parcel arrays of length n, per-line arrays of length m.

    Lines are grouped by parcel (``line_parcel`` non-decreasing) and every parcel has at least one
    line. String columns are categorical: integer codes plus a tuple of labels.

    Parameters
    ----------
    parcel_id
        (n,) parcel / declaration ids.
    destination, destinations
        Importing-country codes and labels (ISO alpha-2).
    origin, origins
        Origin-country codes and labels.
    seller, sellers
        Seller codes and ids.
    import_date
        (n,) ``datetime64[D]`` local import dates (they select the rules in force).
    scanned_gross_mass_kg
        (n,) scanned gross mass; NaN where the parcel has not been weighed yet (booking time).
    line_parcel
        (m,) parcel index of each line.
    hs_code
        (m,) 6-digit HS codes as integers (validated against the nomenclature).
    description, descriptions
        Line description codes and labels.
    unit_value_usd, quantity, unit_mass_kg
        (m,) declared unit value in USD (float: screening scores risk, duties use ``Decimal``),
        units, declared unit mass.
    """

    parcel_id: np.ndarray
    destination: np.ndarray
    destinations: tuple[str, ...]
    origin: np.ndarray
    origins: tuple[str, ...]
    seller: np.ndarray
    sellers: tuple[str, ...]
    import_date: np.ndarray
    scanned_gross_mass_kg: np.ndarray
    line_parcel: np.ndarray
    hs_code: np.ndarray
    description: np.ndarray
    descriptions: tuple[str, ...]
    unit_value_usd: np.ndarray
    quantity: np.ndarray
    unit_mass_kg: np.ndarray
    hs: HsNomenclature | None = None
    hs_index: np.ndarray = field(init=False, repr=False)
    line_start: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        from rocketpost.customs.hs import nomenclature

        n = len(self.parcel_id)
        m = len(self.line_parcel)
        for name in ("destination", "origin", "seller", "import_date", "scanned_gross_mass_kg"):
            if len(getattr(self, name)) != n:
                raise InputError(
                    name, len(getattr(self, name)), f"needs one entry per parcel ({n})"
                )
        for name in ("hs_code", "description", "unit_value_usd", "quantity", "unit_mass_kg"):
            if len(getattr(self, name)) != m:
                raise InputError(name, len(getattr(self, name)), f"needs one entry per line ({m})")
        for codes, labels in (
            ("destination", "destinations"),
            ("origin", "origins"),
            ("seller", "sellers"),
            ("description", "descriptions"),
        ):
            values = np.asarray(getattr(self, codes))
            if values.size and (values.min() < 0 or values.max() >= len(getattr(self, labels))):
                raise InputError(codes, int(values.max()), f"codes must index {labels}")
        parcels = np.asarray(self.line_parcel, dtype=np.int64)
        if n == 0:
            if m:
                raise InputError("line_parcel", m, "lines without parcels")
        else:
            steps = np.diff(parcels)
            if (
                m == 0
                or parcels[0] != 0
                or parcels[-1] != n - 1
                or ((steps != 0) & (steps != 1)).any()
            ):
                raise InputError(
                    "line_parcel",
                    "…",
                    "must be grouped and sorted by parcel, each parcel with ≥ 1 line",
                )
        hs = self.hs or nomenclature()
        index = hs.index(np.asarray(self.hs_code))
        if (index < 0).any():
            bad = int(np.flatnonzero(index < 0)[0])
            raise InputError(
                f"hs_code[{bad}]",
                int(self.hs_code[bad]),
                "not a subheading in the shipped HS 2022 data",
            )
        for name, strictly in (
            ("unit_value_usd", False),
            ("unit_mass_kg", True),
            ("quantity", True),
        ):
            values = np.asarray(getattr(self, name), dtype=np.float64)
            ok = np.isfinite(values) & ((values > 0) if strictly else (values >= 0))
            if not ok.all():
                bad = int(np.flatnonzero(~ok)[0])
                raise InputError(
                    f"{name}[{bad}]",
                    float(values[bad]),
                    "must be finite and " + ("> 0" if strictly else "≥ 0"),
                )
        scanned = np.asarray(self.scanned_gross_mass_kg, dtype=np.float64)
        bad_scan = ~np.isnan(scanned) & ~(np.isfinite(scanned) & (scanned > 0))
        if bad_scan.any():
            bad = int(np.flatnonzero(bad_scan)[0])
            raise InputError(
                f"scanned_gross_mass_kg[{bad}]",
                float(scanned[bad]),
                "must be > 0 or NaN (not scanned)",
            )
        object.__setattr__(self, "scanned_gross_mass_kg", scanned)
        object.__setattr__(self, "hs", hs)
        object.__setattr__(self, "hs_index", index)
        starts = np.flatnonzero(np.r_[True, np.diff(parcels) != 0]) if m else np.zeros(0, np.int64)
        object.__setattr__(self, "line_start", starts.astype(np.int64))

    @property
    def nomenclature(self) -> HsNomenclature:
        """The HS data the codes were validated against."""
        if self.hs is None:  # pragma: no cover - set in __post_init__
            raise InputError("hs", None, "missing nomenclature")
        return self.hs

    @property
    def n_parcels(self) -> int:
        """Number of parcels."""
        return len(self.parcel_id)

    @property
    def n_lines(self) -> int:
        """Number of lines."""
        return len(self.line_parcel)

    def line_slice(self, parcel: int) -> slice:
        """Lines of parcel number ``parcel``."""
        end = self.line_start[parcel + 1] if parcel + 1 < self.n_parcels else self.n_lines
        return slice(int(self.line_start[parcel]), int(end))

    def with_scanned_mass(
        self, scanned_gross_mass_kg: Sequence[float | None] | np.ndarray
    ) -> ParcelBatch:
        """A copy with new scanned masses (``None`` / NaN = not scanned)."""
        return replace(self, scanned_gross_mass_kg=_scanned(scanned_gross_mass_kg, self.n_parcels))

    @classmethod
    def from_columns(
        cls,
        *,
        parcel_id: Sequence[str] | np.ndarray,
        destination: Sequence[str] | np.ndarray,
        origin: Sequence[str] | np.ndarray,
        seller: Sequence[str] | np.ndarray,
        import_date: Sequence[date] | np.ndarray,
        line_parcel: Sequence[int] | np.ndarray,
        hs_code: Sequence[int | str] | np.ndarray,
        description: Sequence[str] | np.ndarray,
        unit_value_usd: Sequence[float] | np.ndarray,
        quantity: Sequence[int] | np.ndarray,
        unit_mass_kg: Sequence[float] | np.ndarray,
        scanned_gross_mass_kg: Sequence[float | None] | np.ndarray | None = None,
    ) -> ParcelBatch:
        """Build from plain columns; string columns are dictionary-encoded here."""
        dest, dests = _categorical(destination, "destination")
        orig, origs = _categorical(origin, "origin")
        sell, sells = _categorical(seller, "seller")
        desc, descs = _categorical(description, "description")
        n = len(parcel_id)
        return cls(
            parcel_id=np.asarray(parcel_id, dtype=object),
            destination=dest,
            destinations=dests,
            origin=orig,
            origins=origs,
            seller=sell,
            sellers=sells,
            import_date=np.asarray(import_date, dtype="datetime64[D]"),
            scanned_gross_mass_kg=_scanned(scanned_gross_mass_kg, n),
            line_parcel=np.asarray(line_parcel, dtype=np.int64),
            hs_code=np.asarray(hs_code).astype(np.int64),
            description=desc,
            descriptions=descs,
            unit_value_usd=np.asarray(unit_value_usd, dtype=np.float64),
            quantity=np.asarray(quantity, dtype=np.int64),
            unit_mass_kg=np.asarray(unit_mass_kg, dtype=np.float64),
        )

    @classmethod
    def from_declarations(
        cls,
        declarations: Sequence[Declaration],
        *,
        scanned_gross_mass_kg: Sequence[float | None] | np.ndarray | None = None,
    ) -> ParcelBatch:
        """Build from declarations (one parcel each); one Python pass over the lines."""
        lines = [(p, line) for p, d in enumerate(declarations) for line in d.lines]
        return cls.from_columns(
            parcel_id=[d.declaration_id for d in declarations],
            destination=[d.destination_country for d in declarations],
            origin=[d.origin_country for d in declarations],
            seller=[d.seller_id for d in declarations],
            import_date=[d.import_date for d in declarations],
            scanned_gross_mass_kg=scanned_gross_mass_kg,
            line_parcel=[p for p, _ in lines],
            hs_code=[int(line.hs_code) for _, line in lines],
            description=[line.description for _, line in lines],
            unit_value_usd=[float(line.unit_value_usd) for _, line in lines],
            quantity=[line.quantity for _, line in lines],
            unit_mass_kg=[line.unit_mass_kg for _, line in lines],
        )


def _scanned(values: Sequence[float | None] | np.ndarray | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    array = (
        np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        if not isinstance(values, np.ndarray)
        else values.astype(np.float64)
    )
    if array.shape != (n,):
        raise InputError("scanned_gross_mass_kg", array.shape, f"needs one mass per parcel ({n})")
    return array


@dataclass(frozen=True)
class Reason:
    """Why a signal fired for a parcel.

    Parameters
    ----------
    signal, risk
        Which signal (:data:`SIGNALS`) and the risk it feeds (:data:`RISKS`).
    score
        Signal score in [0, 1].
    contribution
        Its weighted contribution to the risk score.
    text
        The evidence in words, e.g. "brand 'rolex' at 45.00 USD vs reference 5,000 USD (1 %)".
    """

    signal: str
    risk: str
    score: float
    contribution: float
    text: str


@dataclass(frozen=True, eq=False)
class _Evidence:
    """Per-line and per-parcel intermediate arrays kept to explain decisions on demand."""

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
class ScreeningResult:
    """Decisions, scores and (lazily) reasons for a screened batch.

    Attributes
    ----------
    batch
        The screened :class:`ParcelBatch`.
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
    evidence: _Evidence = field(repr=False)

    def __len__(self) -> int:
        return len(self.decision_code)

    @property
    def decisions(self) -> np.ndarray:
        """(n,) decision names (``"release"``, ``"inspect"``, ``"hold"``)."""
        return np.array([d.value for d in _DECISIONS])[self.decision_code]

    def decision(self, parcel: int) -> Decision:
        """Decision of parcel number ``parcel``."""
        return _DECISIONS[int(self.decision_code[parcel])]

    def counts(self) -> dict[str, int]:
        """How many parcels got each decision."""
        tally = np.bincount(self.decision_code, minlength=3)
        return {d.value: int(c) for d, c in zip(_DECISIONS, tally, strict=True)}

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

    def reasons(self, parcel: int) -> tuple[Reason, ...]:
        """Every signal that fired for ``parcel``, strongest contribution first."""
        cfg = self.config
        weights = {
            "brand": cfg.weight_brand,
            "seller": cfg.weight_seller,
            "chapter": cfg.weight_chapter,
            "mismatch": cfg.weight_mismatch,
            "undervaluation": 1.0,
            "weight": 1.0,
            "overweight": cfg.weight_overweight,
            "prohibited": 1.0,
            "restricted": cfg.weight_restricted,
        }
        out = []
        for name in SIGNALS:
            score = float(self.signal_scores[parcel, _S[name]])
            if score > 0:
                text = _EXPLAIN[name](self, parcel, self.batch.line_slice(parcel))
                out.append(Reason(name, SIGNAL_RISK[name], score, score * weights[name], text))
        return tuple(sorted(out, key=lambda r: -r.contribution))

    def _worst(self, values: np.ndarray, lines: slice) -> int:
        return lines.start + int(np.argmax(values[lines]))

    def _hs(self, line: int) -> str:
        return f"{int(self.batch.hs_code[line]):06d}"

    def _text(self, line: int) -> str:
        return self.batch.descriptions[int(self.batch.description[line])]

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


def _explain_brand(r: ScreeningResult, parcel: int, lines: slice) -> str:
    ev, ref, b = r.evidence, r.reference, r.batch
    line = r._worst(ev.line_brand_score, lines)
    d = int(b.description[line])
    cue = float(ev.features.cue_weight[d])
    second = bool(ev.line_brand_slot[line])
    brand = int(ev.features.second_brand[d] if second else ev.features.brand[d])
    term = int(ev.features.second_brand_term[d] if second else ev.features.brand_term[d])
    reference = float(ev.brand_reference_usd[line])
    if brand >= 0 and not math.isnan(reference) and (cue == 0 or cue < ev.line_brand_score[line]):
        unit = float(b.unit_value_usd[line])
        return (
            f"brand '{ref.term(term)}' at {unit:,.2f} USD vs reference {reference:,.0f} USD"
            f" ({unit / reference:.0%} of it)"
        )
    return f"description '{r._text(line)}' says '{ref.term(int(ev.features.cue_term[d]))}'"


def _explain_seller(r: ScreeningResult, parcel: int, lines: slice) -> str:
    seller = r.batch.sellers[int(r.batch.seller[parcel])]
    record = r.trust.record_of(seller)
    return (
        f"seller {seller}: {record.seizures} seizure(s) in {record.inspections} inspection(s),"
        f" seizure rate {r.evidence.seller_rate[parcel]:.1%} vs prior {r.trust.prior_mean:.1%}"
    )


def _explain_chapter(r: ScreeningResult, parcel: int, lines: slice) -> str:
    line = r._worst(r.evidence.line_chapter, lines)
    code = r._hs(line)
    heading = r.batch.nomenclature.describe(code[:4])
    risk = r.evidence.line_chapter[line]
    return f"HS {code} ({heading}) is a high-infringement group (risk {risk:.1f})"


def _explain_mismatch(r: ScreeningResult, parcel: int, lines: slice) -> str:
    ev = r.evidence
    line = r._worst(ev.line_mismatch, lines)
    d = int(r.batch.description[line])
    code = r._hs(line)
    category = int(ev.features.first_category[d])
    if category >= 0 and ev.line_mismatch[line] >= 1:
        kind = r.reference.categories[category].name.replace("_", " ")
        heading = r.batch.nomenclature.describe(code[:4])
        return f"description '{r._text(line)}' suggests {kind} but HS {code} is '{heading}'"
    term = int(ev.features.vague_term[d])
    word = f" ('{r.reference.term(term)}')" if term >= 0 else ""
    return f"vague description '{r._text(line)}'{word} for HS {code}"


def _explain_undervaluation(r: ScreeningResult, parcel: int, lines: slice) -> str:
    line = r._worst(r.evidence.line_undervaluation, lines)
    unit = float(r.batch.unit_value_usd[line])
    typical = float(r.evidence.typical_usd[line])
    return (
        f"declared {unit:,.2f} USD per unit vs typical {typical:,.0f} USD"
        f" for HS {r._hs(line)} ({unit / typical:.0%})"
    )


def _explain_weight(r: ScreeningResult, parcel: int, lines: slice) -> str:
    scanned = float(r.batch.scanned_gross_mass_kg[parcel])
    declared = float(r.evidence.declared_mass_kg[parcel])
    floor = float(r.evidence.mass_floor_kg[parcel])
    packing = f"{r.config.packaging_tolerance:.0%} packaging"
    return (
        f"scanned {scanned:.2f} kg vs declared {declared:.2f} kg + {packing}:"
        f" below the {floor:.2f} kg floor (empty or part-empty box?)"
    )


def _explain_overweight(r: ScreeningResult, parcel: int, lines: slice) -> str:
    scanned = float(r.batch.scanned_gross_mass_kg[parcel])
    declared = float(r.evidence.declared_mass_kg[parcel])
    ceiling = float(r.evidence.mass_ceiling_kg[parcel])
    allowance = r.config.packaging_allowance_kg
    packing = f"{r.config.packaging_tolerance:.0%} packaging + {allowance:.2f} kg"
    return (
        f"scanned {scanned:.2f} kg vs declared {declared:.2f} kg + {packing}:"
        f" above the {ceiling:.2f} kg ceiling (undeclared contents?)"
    )


def _explain_restriction(r: ScreeningResult, parcel: int, lines: slice, wanted: int) -> str:
    ev = r.evidence
    line = lines.start + int(np.flatnonzero(ev.line_status[lines] == wanted)[0])
    rules = ev.group_rules[int(ev.group[parcel])]
    name = "prohibited" if wanted == 2 else "restricted"
    restrictions = rules.restrictions
    status = restrictions.status(r._hs(line)) if restrictions else None
    why = status[2] if status else name
    rule_id = restrictions.id if restrictions else ""
    return f"HS {r._hs(line)} {name} in {rules.country}: {why} ({rule_id})"


_EXPLAIN: dict[str, Callable[[ScreeningResult, int, slice], str]] = {
    "brand": _explain_brand,
    "seller": _explain_seller,
    "chapter": _explain_chapter,
    "mismatch": _explain_mismatch,
    "undervaluation": _explain_undervaluation,
    "weight": _explain_weight,
    "overweight": _explain_overweight,
    "prohibited": lambda r, p, lines: _explain_restriction(r, p, lines, 2),
    "restricted": lambda r, p, lines: _explain_restriction(r, p, lines, 1),
}


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
    unique, group = np.unique(key, return_inverse=True)
    rule_sets = []
    for value in unique.tolist():
        country = batch.destinations[value // span]
        on = date.fromordinal(date(1970, 1, 1).toordinal() + base + value % span)
        rule_sets.append(rules_for(country, on))
    return group.astype(np.int64), tuple(rule_sets)


def _nan_to_zero(values: np.ndarray) -> np.ndarray:
    return np.where(np.isnan(values), 0.0, values)


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
        Declarations (one parcel each) or a columnar :class:`ParcelBatch`.
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
    if isinstance(parcels, ParcelBatch):
        batch = (
            parcels
            if scanned_gross_mass_kg is None
            else parcels.with_scanned_mass(scanned_gross_mass_kg)
        )
    else:
        batch = ParcelBatch.from_declarations(parcels, scanned_gross_mass_kg=scanned_gross_mass_kg)
    cfg = config or ScreeningConfig()
    ref = reference or screening_reference()
    trust = trust or SellerTrust.default()
    n = batch.n_parcels
    if n == 0:
        arrays = {
            f.name: np.zeros(0)
            for f in fields(_Evidence)
            if f.name not in ("features", "group_rules")
        }
        evidence = _Evidence(features=ref.analyse([]), group_rules=(), **arrays)
        return ScreeningResult(
            batch=batch,
            config=cfg,
            reference=ref,
            trust=trust,
            decision_code=np.zeros(0, np.int8),
            signal_scores=np.zeros((0, len(SIGNALS))),
            risk_scores=np.zeros((0, len(RISKS))),
            inspection_minutes=np.zeros(0),
            evidence=evidence,
        )

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
    hold = (risks >= cfg.hold_thresholds).any(axis=1)
    inspect = (risks >= cfg.inspect_thresholds).any(axis=1)
    decision = np.where(hold, _HOLD, np.where(inspect, _INSPECT, _RELEASE)).astype(np.int8)
    minutes = np.where(
        decision == _INSPECT, minutes_by_group[group], np.where(decision == _HOLD, np.nan, 0.0)
    )

    evidence = _Evidence(
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
    return ScreeningResult(batch, cfg, ref, trust, decision, signals, risks, minutes, evidence)
