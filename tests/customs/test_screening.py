"""Screening decisions: release / inspect / hold, inspection minutes, records, seller trust."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from rocketpost.customs.declaration import Declaration
from rocketpost.customs.screening import CustomsDecision, ScreeningResult, screen
from rocketpost.customs.screening_signals import RISKS
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError
from tests.customs.conftest import declare_one_line

DeclareOne = Callable[..., Declaration]


def test_a_plain_parcel_is_released(declare_one: DeclareOne) -> None:
    result = screen(
        [declare_one("KR", ("ceramic mug", "691200", 1, "12", "USD", 0.4))],
        scanned_gross_mass_kg=[0.5],
    )
    assert result.decision(0) == CustomsDecision.RELEASE
    assert result.inspection_minutes[0] == 0
    assert result.reasons(0) == ()


def test_inspection_minutes_come_from_each_market(declare_one: DeclareOne) -> None:
    lines = ("wireless earbuds", "851830", 1, "3", "USD", 0.1)
    countries = ("KR", "US", "DE", "CN", "JP", "GB", "BR")
    decls = [
        declare_one(c, lines, order_id=c, origin="KR" if c == "CN" else "CN") for c in countries
    ]
    result = screen(decls)
    assert (result.decision_code == 1).all()
    assert result.inspection_minutes.tolist() == [20, 30, 30, 20, 25, 30, 45]


def test_decisions_counts_and_records(declare_one: DeclareOne) -> None:
    decls = [
        declare_one("KR", ("ceramic mug", "691200", 1, "12", "USD", 0.4), order_id="A"),
        declare_one("KR", ("wireless earbuds", "851830", 1, "3", "USD", 0.1), order_id="B"),
        declare_one("JP", ("air pistol", "930400", 1, "100", "USD", 1.3), order_id="C"),
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


def test_outcomes_update_seller_trust(declare_one: DeclareOne) -> None:
    decls = [
        declare_one(
            "KR",
            ("wireless earbuds", "851830", 1, "3", "USD", 0.1),
            seller="S1",
            order_id="A",
        ),
        declare_one(
            "KR", ("ceramic mug", "691200", 1, "12", "USD", 0.4), seller="S2", order_id="B"
        ),
    ]
    result = screen(decls, scanned_gross_mass_kg=[0.2, 0.5])
    trust = result.record_outcomes([True, True])
    assert trust.record_of("S1").seizures == 1  # inspected and seized
    assert trust.record_of("S2").inspections == 0  # released, never opened: no evidence
    with pytest.raises(InputError):
        result.record_outcomes([True])


def test_empty_batch() -> None:
    result = screen([])
    assert len(result) == 0 and result.counts() == {"release": 0, "inspect": 0, "hold": 0}


_SAMPLE_LINES = (
    ("ceramic mug", "691200", 1, "12", "USD", 0.4),
    ("wireless earbuds", "851830", 1, "3", "USD", 0.1),
    ("air pistol", "930400", 1, "100", "USD", 1.3),
    ("printed paperback novels", "490199", 2, "12.00", "USD", 0.4),
    ("Nike running shoes", "640411", 1, "9", "USD", 0.8),
)


@pytest.mark.parametrize("line", _SAMPLE_LINES)
@pytest.mark.parametrize("scanned", [None, 0.45])
def test_one_parcel_equals_its_row_of_a_batch(
    declare_one: DeclareOne, line: tuple[object, ...], scanned: float | None
) -> None:
    trust = SellerTrust.default().record("M-1", seized=True)
    for order_id in ("first", "second"):  # the second is answered from the memo
        declaration = declare_one("KR", line, order_id=order_id)
        one = screen([declaration], scanned_gross_mass_kg=[scanned], trust=trust)
        row = screen(
            [declaration, declare_one_line("JP", _SAMPLE_LINES[0], order_id="other")],
            scanned_gross_mass_kg=[scanned, None],
            trust=trust,
        )
        assert one.record(0) == row.record(0)
        assert one.record(0)["parcel_id"] == order_id
        assert one.relative_risk[0] == row.relative_risk[0]
        assert one.trust is trust


def test_relative_risk_is_computed_once_per_batch(declare_one: DeclareOne) -> None:
    # Clearing a batch reads it parcel by parcel: a fresh array per read made that quadratic.
    lines = _SAMPLE_LINES[:3]
    batch = screen([declare_one("KR", line, order_id=f"o{i}") for i, line in enumerate(lines)])
    first = batch.relative_risk
    assert batch.relative_risk is first
    expected = (batch.risk_scores / batch.config.inspect_thresholds).max(axis=1)
    np.testing.assert_array_equal(first, expected)


def test_one_parcel_memo_tells_sellers_records_apart(declare_one: DeclareOne) -> None:
    line = ("wireless earbuds", "851830", 1, "3", "USD", 0.1)
    declaration = declare_one("KR", line, seller="S9", order_id="A")
    clean = screen([declaration], scanned_gross_mass_kg=[0.2])
    trust = SellerTrust.default()
    for _ in range(5):
        trust = trust.record("S9", seized=True)
    seized = screen([declaration], scanned_gross_mass_kg=[0.2], trust=trust)
    assert seized.risk_scores[0, 0] > clean.risk_scores[0, 0]  # the seller's record counts
    assert seized.record(0) == _as_batch_with(declaration, trust).record(0)


def _as_batch_with(declaration: Declaration, trust: SellerTrust) -> ScreeningResult:
    """``declaration`` screened as row 0 of a two-parcel batch: the batch path, never the memo."""
    other = declare_one_line("JP", _SAMPLE_LINES[0], order_id="other")
    return screen([declaration, other], scanned_gross_mass_kg=[0.2, None], trust=trust)
