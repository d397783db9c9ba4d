"""Screening: every signal with its reason, decisions, inspection minutes, the batch type."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rocketpost.customs.declaration import Declaration, declare
from rocketpost.customs.screening import (
    RISKS,
    SIGNALS,
    Decision,
    ParcelBatch,
    ScreeningConfig,
    screen,
)
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError
from rocketpost.orders.model import Order

OrderFactory = Callable[..., Order]


def one(
    order: OrderFactory,
    destination: str,
    line: tuple,
    *,
    origin: str = "CN",
    seller: str = "M-1",
    order_id: str = "O-1",
) -> Declaration:
    return declare(
        order(destination, [line], seller=seller, order_id=order_id),
        origin_country=origin,
        import_date=date(2025, 9, 1),
    )


def reasons_of(result, parcel: int = 0) -> dict[str, str]:
    return {r.signal: r.text for r in result.reasons(parcel)}


def test_a_plain_parcel_is_released(order: OrderFactory) -> None:
    result = screen(
        [one(order, "KR", ("ceramic mug", "691200", 1, "12", "USD", 0.4))],
        scanned_gross_mass_kg=[0.5],
    )
    assert result.decision(0) == Decision.RELEASE
    assert result.inspection_minutes[0] == 0
    assert result.reasons(0) == ()


def test_brand_far_below_reference(order: OrderFactory) -> None:
    result = screen([one(order, "KR", ("Rolex Submariner watch", "910221", 1, "45", "USD", 0.2))])
    text = reasons_of(result)["brand"]
    assert text == "brand 'rolex' at 45.00 USD vs reference 5,000 USD (1% of it)"
    assert result.decision(0) == Decision.HOLD  # brand (0.7 × 0.98) + watches (0.2 × 0.9) ≥ 0.85
    # The genuine article at a genuine price raises no brand signal.
    genuine = screen(
        [one(order, "KR", ("Rolex Submariner watch", "910221", 1, "9500", "USD", 0.2))]
    )
    assert "brand" not in reasons_of(genuine)


def test_brand_without_a_reference_for_the_hs_group_is_silent(order: OrderFactory) -> None:
    result = screen([one(order, "KR", ("apple juice", "220299", 1, "1", "USD"))])
    assert "brand" not in reasons_of(result)


def test_counterfeit_cue_words(order: OrderFactory) -> None:
    result = screen([one(order, "KR", ("replica LV handbag", "420221", 1, "80", "USD", 0.9))])
    assert reasons_of(result)["brand"] == "description 'replica LV handbag' says 'replica'"
    assert result.decision(0) == Decision.HOLD


def test_seller_history(order: OrderFactory) -> None:
    decl = one(order, "KR", ("cotton T-shirt", "610910", 1, "20", "USD", 0.3), seller="BAD")
    trust = SellerTrust.default().record_many(["BAD"] * 6, [True, True, True, True, False, False])
    result = screen([decl], trust=trust)
    assert reasons_of(result)["seller"].startswith(
        "seller BAD: 4 seizure(s) in 6 inspection(s), seizure rate 19.2%"
    )
    assert screen([decl]).signal_scores[0, SIGNALS.index("seller")] == 0  # no history: prior only


def test_high_infringement_chapter_alone_never_stops_a_parcel(order: OrderFactory) -> None:
    result = screen([one(order, "KR", ("leather handbag", "420221", 1, "250", "USD", 0.9))])
    assert "high-infringement" in reasons_of(result)["chapter"]
    assert result.decision(0) == Decision.RELEASE


def test_description_mismatch_and_vague_description(order: OrderFactory) -> None:
    mismatch = screen([one(order, "US", ("plastic toy", "420221", 1, "60", "USD", 0.8))])
    assert reasons_of(mismatch)["mismatch"].startswith(
        "description 'plastic toy' suggests toys but HS 420221"
    )
    assert mismatch.decision(0) == Decision.INSPECT
    vague = screen([one(order, "US", ("gift", "420221", 1, "60", "USD", 0.8))])
    assert reasons_of(vague)["mismatch"] == "vague description 'gift' ('gift') for HS 420221"
    assert vague.signal_scores[0, SIGNALS.index("mismatch")] == pytest.approx(0.5)
    # Any matching category clears a description ("coffee maker" is food and an appliance).
    ok = screen([one(order, "US", ("coffee maker", "851671", 1, "60", "USD", 2.0))])
    assert "mismatch" not in reasons_of(ok)


def test_undervaluation(order: OrderFactory) -> None:
    result = screen([one(order, "GB", ("wireless earbuds", "851830", 1, "3", "USD", 0.1))])
    assert (
        reasons_of(result)["undervaluation"]
        == "declared 3.00 USD per unit vs typical 50 USD for HS 851830 (6%)"
    )
    assert result.decision(0) == Decision.INSPECT
    assert result.risk_scores[0, RISKS.index("undervaluation")] == pytest.approx(0.8)


def test_empty_box_and_weight_mismatch(order: OrderFactory) -> None:
    decl = one(order, "DE", ("running shoes", "640411", 2, "80", "EUR", 0.65))
    empty = screen([decl], scanned_gross_mass_kg=[0.21])
    assert reasons_of(empty)["weight"] == (
        "scanned 0.21 kg vs declared 1.30 kg + 10% packaging: below the 1.08 kg floor"
        " (empty or part-empty box?)"
    )
    assert empty.decision(0) == Decision.HOLD and np.isnan(empty.inspection_minutes[0])
    normal = screen([decl], scanned_gross_mass_kg=[1.45])
    assert normal.decision(0) == Decision.RELEASE
    part = screen([decl], scanned_gross_mass_kg=[0.75])
    assert part.decision(0) == Decision.INSPECT
    heavy = screen([decl], scanned_gross_mass_kg=[4.0])
    assert "ceiling" in reasons_of(heavy)["overweight"] and heavy.decision(0) == Decision.INSPECT
    unscanned = screen([decl])
    assert unscanned.signal_scores[0, SIGNALS.index("weight")] == 0


def test_prohibited_and_restricted_goods_follow_the_market_rules(order: OrderFactory) -> None:
    gun = screen([one(order, "JP", ("air pistol", "930400", 1, "100", "USD", 1.3))])
    assert (
        reasons_of(gun)["prohibited"]
        == "HS 930400 prohibited in JP: firearms and swords (JP-RESTRICT-2025)"
    )
    assert gun.decision(0) == Decision.HOLD
    vitamins = one(order, "KR", ("vitamin C supplement", "210690", 1, "20", "USD", 0.2))
    restricted = screen([vitamins])
    assert "restricted in KR" in reasons_of(restricted)["restricted"]
    assert restricted.decision(0) == Decision.INSPECT
    assert restricted.inspection_minutes[0] == 20  # KR's configured minutes
    elsewhere = screen([one(order, "GB", ("vitamin C supplement", "210690", 1, "20", "USD", 0.2))])
    assert elsewhere.decision(0) == Decision.RELEASE


def test_inspection_minutes_come_from_each_market(order: OrderFactory) -> None:
    lines = ("wireless earbuds", "851830", 1, "3", "USD", 0.1)
    countries = ("KR", "US", "DE", "CN", "JP", "GB", "BR")
    decls = [
        one(order, c, lines, order_id=c, origin="KR" if c == "CN" else "CN") for c in countries
    ]
    result = screen(decls)
    assert (result.decision_code == 1).all()
    assert result.inspection_minutes.tolist() == [20, 30, 30, 20, 25, 30, 45]


def test_decisions_counts_and_records(order: OrderFactory) -> None:
    decls = [
        one(order, "KR", ("ceramic mug", "691200", 1, "12", "USD", 0.4), order_id="A"),
        one(order, "KR", ("wireless earbuds", "851830", 1, "3", "USD", 0.1), order_id="B"),
        one(order, "JP", ("air pistol", "930400", 1, "100", "USD", 1.3), order_id="C"),
    ]
    result = screen(decls, scanned_gross_mass_kg=[0.5, None, None])
    assert result.decisions.tolist() == ["release", "inspect", "hold"]
    assert result.counts() == {"release": 1, "inspect": 1, "hold": 1}
    record = result.record(2)
    assert (
        record["parcel_id"] == "C"
        and record["decision"] == "hold"
        and record["inspection_minutes"] is None
    )
    assert record["reasons"][0]["signal"] == "prohibited"
    assert set(record["risk_scores"]) == set(RISKS)


def test_outcomes_update_seller_trust(order: OrderFactory) -> None:
    decls = [
        one(
            order,
            "KR",
            ("wireless earbuds", "851830", 1, "3", "USD", 0.1),
            seller="S1",
            order_id="A",
        ),
        one(order, "KR", ("ceramic mug", "691200", 1, "12", "USD", 0.4), seller="S2", order_id="B"),
    ]
    result = screen(decls, scanned_gross_mass_kg=[0.2, 0.5])
    trust = result.record_outcomes([True, True])
    assert trust.record_of("S1").seizures == 1  # inspected and seized
    assert trust.record_of("S2").inspections == 0  # released, never opened: no evidence
    with pytest.raises(InputError):
        result.record_outcomes([True])


def test_batch_from_columns_matches_from_declarations(order: OrderFactory) -> None:
    decls = [
        one(order, "KR", ("Rolex Submariner watch", "910221", 1, "45", "USD", 0.2), order_id="A"),
        declare(
            order(
                "US",
                [("plastic toy", "420221", 1, "60", "USD", 0.8), ("mug", "691200", 2, "9", "USD")],
                order_id="B",
            ),
            origin_country="CN",
            import_date=date(2025, 9, 1),
        ),
    ]
    from_declarations = screen(decls, scanned_gross_mass_kg=[0.3, 1.9])
    batch = ParcelBatch.from_columns(
        parcel_id=["A", "B"],
        destination=["KR", "US"],
        origin=["CN", "CN"],
        seller=["M-1", "M-1"],
        import_date=[date(2025, 9, 1)] * 2,
        scanned_gross_mass_kg=[0.3, 1.9],
        line_parcel=[0, 1, 1],
        hs_code=[910221, 420221, 691200],
        description=["Rolex Submariner watch", "plastic toy", "mug"],
        unit_value_usd=[45.0, 60.0, 9.0],
        quantity=[1, 1, 2],
        unit_mass_kg=[0.2, 0.8, 0.5],
    )
    from_columns = screen(batch)
    np.testing.assert_allclose(from_columns.signal_scores, from_declarations.signal_scores)
    assert from_columns.decisions.tolist() == from_declarations.decisions.tolist()
    assert batch.line_slice(1) == slice(1, 3)


def test_empty_batch() -> None:
    result = screen([])
    assert len(result) == 0 and result.counts() == {"release": 0, "inspect": 0, "hold": 0}


def _columns(**overrides):
    columns = dict(
        parcel_id=["A"],
        destination=["KR"],
        origin=["CN"],
        seller=["S"],
        import_date=[date(2025, 9, 1)],
        line_parcel=[0],
        hs_code=[610910],
        description=["shirt"],
        unit_value_usd=[10.0],
        quantity=[1],
        unit_mass_kg=[0.2],
    )
    columns.update(overrides)
    return columns


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"hs_code": [999999]}, "hs_code[0]"),
        ({"unit_value_usd": [float("nan")]}, "unit_value_usd[0]"),
        ({"unit_mass_kg": [0.0]}, "unit_mass_kg[0]"),
        ({"line_parcel": [1]}, "line_parcel"),
        ({"quantity": [1, 2]}, "quantity"),
        ({"scanned_gross_mass_kg": [-1.0]}, "scanned_gross_mass_kg[0]"),
    ],
)
def test_batch_validation_names_the_column(override: dict, field: str) -> None:
    with pytest.raises(InputError) as error:
        ParcelBatch.from_columns(**_columns(**override))
    assert error.value.field == field


def test_config_validation_and_thresholds(order: OrderFactory) -> None:
    with pytest.raises(InputError):
        ScreeningConfig(inspect_counterfeit=-1)
    with pytest.raises(InputError):
        ScreeningConfig(hold_counterfeit=0.1)  # below its inspect threshold
    strict = ScreeningConfig(inspect_counterfeit=0.05)
    decl = one(order, "KR", ("leather handbag", "420221", 1, "250", "USD", 0.9))
    assert screen([decl], config=strict).decision(0) == Decision.INSPECT
    assert dataclasses.replace(strict, inspect_counterfeit=0.45) == ScreeningConfig()


@settings(max_examples=40, deadline=None)
@given(
    scanned=st.floats(min_value=0.01, max_value=20.0),
    value=st.floats(min_value=0.01, max_value=5000.0),
)
def test_scores_are_bounded_and_lighter_boxes_never_look_safer(
    scanned: float, value: float
) -> None:
    batch = ParcelBatch.from_columns(
        **_columns(unit_value_usd=[value], unit_mass_kg=[1.0], scanned_gross_mass_kg=[scanned])
    )
    result = screen(batch)
    assert ((result.signal_scores >= 0) & (result.signal_scores <= 1)).all()
    lighter = screen(batch.with_scanned_mass([scanned / 2]))
    weight = SIGNALS.index("weight")
    assert lighter.signal_scores[0, weight] >= result.signal_scores[0, weight]
    assert lighter.decision_code[0] >= result.decision_code[0] or scanned / 2 > 1.0
