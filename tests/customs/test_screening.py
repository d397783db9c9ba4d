"""Screening decisions: release / inspect / hold, inspection minutes, records, seller trust."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rocketpost.customs.declaration import Declaration
from rocketpost.customs.screening import CustomsDecision, screen
from rocketpost.customs.screening_signals import RISKS
from rocketpost.errors import InputError

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
