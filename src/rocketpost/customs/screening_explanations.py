"""Screening reasons: why a signal fired for a parcel, in words a person can check.

Signals are scored for the whole batch as arrays (:mod:`.screening_signals`); the words are put
together only for the parcels someone asks about (:meth:`.ScreeningResult.reasons`), from the
evidence arrays kept with the result — the hot path never builds a Python string per parcel.
Each reason quotes its evidence: "brand 'rolex' at 45.00 USD vs reference 5,000 USD (1% of it)".
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from rocketpost.customs.screening_signals import SIGNAL_RISK, SIGNALS

if TYPE_CHECKING:
    from rocketpost.customs.screening import ScreeningResult

__all__ = ["ScreeningReason", "explain"]


@dataclass(frozen=True)
class ScreeningReason:
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


def explain(result: ScreeningResult, parcel: int) -> tuple[ScreeningReason, ...]:
    """Every signal that fired for parcel number ``parcel``, strongest contribution first."""
    cfg = result.config
    # How much a signal counts towards its risk (the weighted sums of score_signals).
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
    lines = result.batch.line_slice(parcel)
    out = []
    for column, name in enumerate(SIGNALS):
        score = float(result.signal_scores[parcel, column])
        if score > 0:
            text = _EXPLAIN[name](result, parcel, lines)
            out.append(ScreeningReason(name, SIGNAL_RISK[name], score, score * weights[name], text))
    return tuple(sorted(out, key=lambda r: -r.contribution))


def _worst_line(values: np.ndarray, lines: slice) -> int:
    """The parcel's line with the highest value (the one a per-parcel signal comes from)."""
    return lines.start + int(np.argmax(values[lines]))


def _hs_code(r: ScreeningResult, line: int) -> str:
    return f"{int(r.batch.hs_code[line]):06d}"


def _description(r: ScreeningResult, line: int) -> str:
    return r.batch.descriptions[int(r.batch.description[line])]


def _explain_brand(r: ScreeningResult, parcel: int, lines: slice) -> str:
    ev, ref, b = r.evidence, r.reference, r.batch
    line = _worst_line(ev.line_brand_score, lines)
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
    return f"description '{_description(r, line)}' says '{ref.term(int(ev.features.cue_term[d]))}'"


def _explain_seller(r: ScreeningResult, parcel: int, lines: slice) -> str:
    seller = r.batch.sellers[int(r.batch.seller[parcel])]
    record = r.trust.record_of(seller)
    return (
        f"seller {seller}: {record.seizures} seizure(s) in {record.inspections} inspection(s),"
        f" seizure rate {r.evidence.seller_rate[parcel]:.1%} vs prior {r.trust.prior_mean:.1%}"
    )


def _explain_chapter(r: ScreeningResult, parcel: int, lines: slice) -> str:
    line = _worst_line(r.evidence.line_chapter, lines)
    code = _hs_code(r, line)
    heading = r.batch.nomenclature.describe(code[:4])
    risk = r.evidence.line_chapter[line]
    return f"HS {code} ({heading}) is a high-infringement group (risk {risk:.1f})"


def _explain_mismatch(r: ScreeningResult, parcel: int, lines: slice) -> str:
    ev = r.evidence
    line = _worst_line(ev.line_mismatch, lines)
    d = int(r.batch.description[line])
    code = _hs_code(r, line)
    category = int(ev.features.first_category[d])
    if category >= 0 and ev.line_mismatch[line] >= 1:
        kind = r.reference.categories[category].name.replace("_", " ")
        heading = r.batch.nomenclature.describe(code[:4])
        return f"description '{_description(r, line)}' suggests {kind} but HS {code} is '{heading}'"
    term = int(ev.features.vague_term[d])
    word = f" ('{r.reference.term(term)}')" if term >= 0 else ""
    return f"vague description '{_description(r, line)}'{word} for HS {code}"


def _explain_undervaluation(r: ScreeningResult, parcel: int, lines: slice) -> str:
    line = _worst_line(r.evidence.line_undervaluation, lines)
    unit = float(r.batch.unit_value_usd[line])
    typical = float(r.evidence.typical_usd[line])
    return (
        f"declared {unit:,.2f} USD per unit vs typical {typical:,.0f} USD"
        f" for HS {_hs_code(r, line)} ({unit / typical:.0%})"
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
    status = restrictions.status(_hs_code(r, line)) if restrictions else None
    why = status[2] if status else name
    rule_id = restrictions.id if restrictions else ""
    return f"HS {_hs_code(r, line)} {name} in {rules.country}: {why} ({rule_id})"


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
