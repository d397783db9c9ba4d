"""Seller trust: Beta-Bernoulli seizure rates."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.customs.trust import SellerRecord, SellerTrust
from rocketpost.errors import InputError


def test_default_prior_and_unknown_sellers() -> None:
    trust = SellerTrust.default()
    assert trust.prior_mean == pytest.approx(0.05)
    assert trust.seizure_rate("nobody") == pytest.approx(0.05)
    assert trust.record_of("nobody") == SellerRecord()


def test_posterior_mean_moves_with_outcomes() -> None:
    trust = SellerTrust({}, 1.0, 19.0)
    bad = trust.record_many(["S"] * 5, [True, True, True, False, False])
    assert bad.record_of("S") == SellerRecord(5, 3)
    assert bad.seizure_rate("S") == pytest.approx(4 / 25)
    clean = trust.record_many(["C"] * 40, np.zeros(40, dtype=bool))
    assert clean.seizure_rate("C") == pytest.approx(1 / 60)
    assert trust.records == {}  # values are immutable: the original is unchanged


def test_record_one_and_vectorised_rates() -> None:
    trust = (
        SellerTrust.default()
        .record("A", seized=True)
        .record("A", seized=False)
        .record("B", seized=False)
    )
    rates = trust.seizure_rates(["A", "B", "Z"])
    assert rates[0] > trust.prior_mean > rates[1]
    assert rates[2] == pytest.approx(trust.prior_mean)


def test_round_trip_and_from_counts() -> None:
    trust = SellerTrust.from_counts(
        ["A", "B", "C"], [3, 0, 2], [2, 0, 0], prior_alpha=2, prior_beta=18
    )
    assert set(trust.records) == {"A", "C"}
    again = SellerTrust.from_dict(trust.to_dict())
    assert again.records == trust.records and again.prior_alpha == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sellers": {"A": {"inspections": 1, "seizures": 2}}}, "sellers.A.seizures"),
        ({"sellers": {"A": {"inspections": "x"}}}, "sellers.A"),
        ({"sellers": []}, "sellers"),
    ],
)
def test_bad_input_names_the_field(data: dict, field: str) -> None:
    with pytest.raises(InputError) as error:
        SellerTrust.from_dict(data)
    assert error.value.field == field


def test_validation() -> None:
    with pytest.raises(InputError):
        SellerRecord(-1, 0)
    with pytest.raises(InputError):
        SellerTrust({}, 0.0, 1.0)
    with pytest.raises(InputError):
        SellerTrust().record_many(["A", "B"], [True])
