"""Screening reasons: one per fired signal, strongest first, each with its evidence in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from rocketpost.customs.declaration import Declaration, declare
from rocketpost.customs.screening import screen
from rocketpost.customs.screening_explanations import ScreeningReason, explain
from rocketpost.customs.screening_signals import SIGNAL_RISK, SIGNALS, ScreeningConfig
from rocketpost.customs.trust import SellerTrust
from rocketpost.orders.model import Order

DeclareOne = Callable[..., Declaration]


def test_one_reason_per_fired_signal_strongest_contribution_first(
    declare_one: DeclareOne,
) -> None:
    parcel = declare_one(
        "KR", ("Rolex Submariner watch", "910221", 1, "45", "USD", 0.2), seller="S"
    )
    trust = SellerTrust.default().record_many(["S"] * 4, [True, True, True, False])
    result = screen([parcel], trust=trust)
    reasons = result.reasons(0)
    assert reasons == explain(result, 0)
    assert all(isinstance(r, ScreeningReason) for r in reasons)
    fired = {SIGNALS[i] for i, score in enumerate(result.signal_scores[0]) if score > 0}
    assert {r.signal for r in reasons} == fired >= {"brand", "seller", "chapter"}
    contributions = [r.contribution for r in reasons]
    assert contributions == sorted(contributions, reverse=True)
    config = ScreeningConfig()
    by_signal = {r.signal: r for r in reasons}
    brand = by_signal["brand"]
    assert brand.risk == SIGNAL_RISK["brand"] == "counterfeit"
    assert brand.score == pytest.approx(result.signal_scores[0, SIGNALS.index("brand")])
    assert brand.contribution == pytest.approx(config.weight_brand * brand.score)
    assert by_signal["seller"].text.startswith("seller S: 3 seizure(s) in 4 inspection(s)")


def test_the_worst_line_of_a_parcel_is_the_one_explained(order: Callable[..., Order]) -> None:
    parcel = declare(
        order(
            "GB",
            [
                ("wireless earbuds", "851830", 1, "30", "USD", 0.1),
                ("wireless earbuds", "851830", 1, "2", "USD", 0.1),
            ],
        ),
        origin_country="CN",
        import_date=date(2025, 9, 1),
    )
    text = {r.signal: r.text for r in screen([parcel]).reasons(0)}["undervaluation"]
    assert text.startswith("declared 2.00 USD per unit")
