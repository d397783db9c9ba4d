"""Screening signals: every signal with its evidence, the risk weights and thresholds."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rocketpost.customs.declaration import Declaration
from rocketpost.customs.parcel_batch import ParcelBatch
from rocketpost.customs.screening import CustomsDecision, ScreeningResult, screen
from rocketpost.customs.screening_signals import RISKS, SIGNALS, ScreeningConfig
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError

DeclareOne = Callable[..., Declaration]


def reasons_of(result: ScreeningResult, parcel: int = 0) -> dict[str, str]:
    return {r.signal: r.text for r in result.reasons(parcel)}


def test_brand_far_below_reference(declare_one: DeclareOne) -> None:
    result = screen([declare_one("KR", ("Rolex Submariner watch", "910221", 1, "45", "USD", 0.2))])
    text = reasons_of(result)["brand"]
    assert text == "brand 'rolex' at 45.00 USD vs reference 5,000 USD (1% of it)"
    assert (
        result.decision(0) == CustomsDecision.HOLD
    )  # brand (0.7 × 0.98) + watches (0.2 × 0.9) ≥ 0.85
    # The genuine article at a genuine price raises no brand signal.
    genuine = screen(
        [declare_one("KR", ("Rolex Submariner watch", "910221", 1, "9500", "USD", 0.2))]
    )
    assert "brand" not in reasons_of(genuine)


def test_brand_without_a_reference_for_the_hs_group_is_silent(declare_one: DeclareOne) -> None:
    result = screen([declare_one("KR", ("apple juice", "220299", 1, "1", "USD"))])
    assert "brand" not in reasons_of(result)


def test_counterfeit_cue_words(declare_one: DeclareOne) -> None:
    result = screen([declare_one("KR", ("replica LV handbag", "420221", 1, "80", "USD", 0.9))])
    assert reasons_of(result)["brand"] == "description 'replica LV handbag' says 'replica'"
    assert result.decision(0) == CustomsDecision.HOLD


def test_seller_history(declare_one: DeclareOne) -> None:
    decl = declare_one("KR", ("cotton T-shirt", "610910", 1, "20", "USD", 0.3), seller="BAD")
    trust = SellerTrust.default().record_many(["BAD"] * 6, [True, True, True, True, False, False])
    result = screen([decl], trust=trust)
    assert reasons_of(result)["seller"].startswith(
        "seller BAD: 4 seizure(s) in 6 inspection(s), seizure rate 19.2%"
    )
    assert screen([decl]).signal_scores[0, SIGNALS.index("seller")] == 0  # no history: prior only


def test_high_infringement_chapter_alone_never_stops_a_parcel(declare_one: DeclareOne) -> None:
    result = screen([declare_one("KR", ("leather handbag", "420221", 1, "250", "USD", 0.9))])
    assert "high-infringement" in reasons_of(result)["chapter"]
    assert result.decision(0) == CustomsDecision.RELEASE


def test_description_mismatch_and_vague_description(declare_one: DeclareOne) -> None:
    mismatch = screen([declare_one("US", ("plastic toy", "420221", 1, "60", "USD", 0.8))])
    assert reasons_of(mismatch)["mismatch"].startswith(
        "description 'plastic toy' suggests toys but HS 420221"
    )
    assert mismatch.decision(0) == CustomsDecision.INSPECT
    vague = screen([declare_one("US", ("gift", "420221", 1, "60", "USD", 0.8))])
    assert reasons_of(vague)["mismatch"] == "vague description 'gift' ('gift') for HS 420221"
    assert vague.signal_scores[0, SIGNALS.index("mismatch")] == pytest.approx(0.5)
    # Any matching category clears a description ("coffee maker" is food and an appliance).
    ok = screen([declare_one("US", ("coffee maker", "851671", 1, "60", "USD", 2.0))])
    assert "mismatch" not in reasons_of(ok)


def test_undervaluation(declare_one: DeclareOne) -> None:
    result = screen([declare_one("GB", ("wireless earbuds", "851830", 1, "3", "USD", 0.1))])
    assert (
        reasons_of(result)["undervaluation"]
        == "declared 3.00 USD per unit vs typical 50 USD for HS 851830 (6%)"
    )
    assert result.decision(0) == CustomsDecision.INSPECT
    assert result.risk_scores[0, RISKS.index("undervaluation")] == pytest.approx(0.8)


def test_empty_box_and_weight_mismatch(declare_one: DeclareOne) -> None:
    decl = declare_one("DE", ("running shoes", "640411", 2, "80", "EUR", 0.65))
    empty = screen([decl], scanned_gross_mass_kg=[0.21])
    assert reasons_of(empty)["weight"] == (
        "scanned 0.21 kg vs declared 1.30 kg + 10% packaging: below the 1.08 kg floor"
        " (empty or part-empty box?)"
    )
    assert empty.decision(0) == CustomsDecision.HOLD and np.isnan(empty.inspection_minutes[0])
    normal = screen([decl], scanned_gross_mass_kg=[1.45])
    assert normal.decision(0) == CustomsDecision.RELEASE
    part = screen([decl], scanned_gross_mass_kg=[0.75])
    assert part.decision(0) == CustomsDecision.INSPECT
    heavy = screen([decl], scanned_gross_mass_kg=[4.0])
    assert (
        "ceiling" in reasons_of(heavy)["overweight"]
        and heavy.decision(0) == CustomsDecision.INSPECT
    )
    unscanned = screen([decl])
    assert unscanned.signal_scores[0, SIGNALS.index("weight")] == 0


def test_prohibited_and_restricted_goods_follow_the_market_rules(declare_one: DeclareOne) -> None:
    gun = screen([declare_one("JP", ("air pistol", "930400", 1, "100", "USD", 1.3))])
    assert (
        reasons_of(gun)["prohibited"]
        == "HS 930400 prohibited in JP: firearms and swords (JP-RESTRICT-2025)"
    )
    assert gun.decision(0) == CustomsDecision.HOLD
    vitamins = declare_one("KR", ("vitamin C supplement", "210690", 1, "20", "USD", 0.2))
    restricted = screen([vitamins])
    assert "restricted in KR" in reasons_of(restricted)["restricted"]
    assert restricted.decision(0) == CustomsDecision.INSPECT
    assert restricted.inspection_minutes[0] == 20  # KR's configured minutes
    elsewhere = screen([declare_one("GB", ("vitamin C supplement", "210690", 1, "20", "USD", 0.2))])
    assert elsewhere.decision(0) == CustomsDecision.RELEASE


def test_config_validation_and_thresholds(declare_one: DeclareOne) -> None:
    with pytest.raises(InputError):
        ScreeningConfig(inspect_counterfeit=-1)
    with pytest.raises(InputError):
        ScreeningConfig(hold_counterfeit=0.1)  # below its inspect threshold
    strict = ScreeningConfig(inspect_counterfeit=0.05)
    decl = declare_one("KR", ("leather handbag", "420221", 1, "250", "USD", 0.9))
    assert screen([decl], config=strict).decision(0) == CustomsDecision.INSPECT
    assert dataclasses.replace(strict, inspect_counterfeit=0.45) == ScreeningConfig()


@settings(max_examples=40, deadline=None)
@given(
    scanned=st.floats(min_value=0.01, max_value=20.0),
    value=st.floats(min_value=0.01, max_value=5000.0),
)
def test_scores_are_bounded_and_lighter_boxes_never_look_safer(
    scanned: float, value: float, batch_columns: Callable[..., dict]
) -> None:
    batch = ParcelBatch.from_columns(
        **batch_columns(unit_value_usd=[value], unit_mass_kg=[1.0], scanned_gross_mass_kg=[scanned])
    )
    result = screen(batch)
    assert ((result.signal_scores >= 0) & (result.signal_scores <= 1)).all()
    lighter = screen(batch.with_scanned_mass([scanned / 2]))
    weight = SIGNALS.index("weight")
    assert lighter.signal_scores[0, weight] >= result.signal_scores[0, weight]
    assert lighter.decision_code[0] >= result.decision_code[0] or scanned / 2 > 1.0
