"""One-call pre-clearance: the promise rule and the planner's batch call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from rocketpost.customs.clearance import clear_declaration, clear_orders, clearance
from rocketpost.customs.declaration import declare
from rocketpost.customs.screening import CustomsDecision
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError
from rocketpost.orders.model import Order
from tests.customs.conftest import make_order

OrderFactory = Callable[..., Order]
DAY = date(2025, 9, 1)


def test_domestic_and_intra_eu_parcels_are_released_without_declaration(
    order: OrderFactory,
) -> None:
    for destination, origin in (("KR", "KR"), ("FR", "DE")):
        c = clearance(
            order(destination, [("shirt", "610910", 1, "10", "USD")]), origin_country=origin
        )
        assert not c.cross_border and c.declaration is None and c.duties is None
        assert c.decision == CustomsDecision.RELEASE and c.one_hour_allowed and c.may_fly
        assert c.inspection_delay_s == 0 and "domestic" in c.note
        assert c.exclusion_reason is None


def test_released_parcel_keeps_its_one_hour_promise(order: OrderFactory) -> None:
    c = clearance(
        order("KR", [("ceramic mug", "691200", 1, "12", "USD", 0.4)]),
        origin_country="CN",
        scanned_gross_mass_kg=0.5,
        import_date=DAY,
    )
    assert c.cross_border and c.market == "KR"
    assert c.decision == CustomsDecision.RELEASE and c.one_hour_allowed and c.may_fly
    assert c.inspection_delay_s == 0
    assert c.duties is not None and c.duties.total == 0


def test_inspected_parcel_flies_late_without_a_one_hour_promise(order: OrderFactory) -> None:
    c = clearance(
        order("US", [("wireless earbuds", "851830", 1, "3", "USD", 0.1)]),
        origin_country="CN",
        import_date=DAY,
    )
    assert c.decision == CustomsDecision.INSPECT
    assert c.inspection_delay_s == 30 * 60
    assert not c.one_hour_allowed and c.may_fly
    assert c.note.startswith("inspection (+30 min)")


def test_held_parcel_never_flies(order: OrderFactory) -> None:
    c = clearance(
        order("DE", [("running shoes", "640411", 2, "80", "EUR", 0.65)]),
        origin_country="CN",
        scanned_gross_mass_kg=0.21,
        import_date=DAY,
    )
    assert c.decision == CustomsDecision.HOLD
    assert c.inspection_delay_s is None and not c.may_fly and not c.one_hour_allowed
    assert c.exclusion_reason is not None and c.exclusion_reason.startswith(
        "customs hold: scanned 0.21 kg"
    )
    assert c.reasons[0].signal == "weight"


def test_induction_rescreen_of_the_stored_declaration_catches_an_empty_box(
    order: OrderFactory,
) -> None:
    at_booking = clearance(
        order("DE", [("running shoes", "640411", 2, "80", "EUR", 0.65)]),
        origin_country="CN",
        import_date=DAY,
    )
    assert at_booking.decision != CustomsDecision.HOLD and at_booking.declaration is not None
    stored = type(at_booking.declaration).from_dict(at_booking.declaration.to_dict())
    weighed = clear_declaration(stored, scanned_gross_mass_kg=1.45)
    assert weighed.decision == at_booking.decision  # the scale agrees with the declaration
    assert weighed.duties == at_booking.duties
    empty = clear_declaration(stored, scanned_gross_mass_kg=0.21)
    assert empty.decision == CustomsDecision.HOLD and not empty.may_fly
    assert empty.reasons[0].signal == "weight" and empty.order_id == at_booking.order_id


def test_errors_name_the_field(order: OrderFactory) -> None:
    with pytest.raises(InputError) as error:
        clearance(order("KR", [("thing", "847210", 1, "10", "USD")]), origin_country="CN")
    assert error.value.field == "items[0].hs_code"


def test_clear_orders_aggregates_the_day_both_ways(order: OrderFactory) -> None:
    orders = [
        order("KR", [("cotton T-shirt", "610910", 1, "100", "USD")], order_id="A"),
        order("KR", [("denim jeans", "620342", 1, "90", "USD")], order_id="B"),
        order("KR", [("denim jeans", "620342", 1, "90", "USD")], order_id="C", recipient="R-2"),
        order("KR", [("denim jeans", "620342", 1, "90", "USD")], order_id="D"),
    ]
    clearances, history = clear_orders(
        orders, origin_country=["CN", "CN", "CN", "KR"], import_date=DAY
    )
    by_id = {c.order_id: c for c in clearances}
    assert [c.order_id for c in clearances] == ["A", "B", "C", "D"]
    # A and B go to one recipient on one day: 190 USD > 150 USD, both pay (A re-assessed).
    assert by_id["A"].duties is not None and by_id["A"].duties.total > 0
    assert by_id["B"].duties is not None and by_id["B"].duties.total > 0
    assert by_id["A"].duties.de_minimis is not None and by_id[
        "A"
    ].duties.de_minimis.aggregated_with == ("B",)
    assert by_id["C"].duties is not None and by_id["C"].duties.total == 0  # another recipient
    assert not by_id["D"].cross_border  # KR → KR
    assert {r.declaration_id for r in history.records} == {"A", "B", "C"}


def test_clear_orders_prefixes_errors_with_the_position(order: OrderFactory) -> None:
    orders = [
        order("KR", [("shirt", "610910", 1, "10", "USD")]),
        order("KR", [("x", "610910", 1, "10", "XYZ")]),
    ]
    with pytest.raises(InputError) as error:
        clear_orders(orders, origin_country="CN", import_date=DAY)
    assert error.value.field == "orders[1].items[0].currency"
    with pytest.raises(InputError) as length:
        clear_orders(orders, origin_country=["CN"])
    assert length.value.field == "origin_country"


def test_clear_orders_with_nothing_cross_border(order: OrderFactory) -> None:
    clearances, history = clear_orders(
        [order("KR", [("shirt", "610910", 1, "10", "USD")])], origin_country="KR"
    )
    assert len(clearances) == 1 and history.records == ()


@pytest.mark.parametrize(
    "destination, line",
    [
        ("KR", ("ceramic mug", "691200", 1, "12", "USD", 0.4)),
        ("US", ("wireless earbuds", "851830", 1, "3", "USD", 0.1)),
        ("DE", ("running shoes", "640411", 2, "80", "EUR", 0.65)),
    ],
)
def test_an_order_cleared_alone_is_the_full_path_at_every_order_time(
    destination: str, line: tuple[object, ...]
) -> None:
    # A quote's clearance (no scale reading, no history) is made once per basket, lane, import
    # day and seller record; every order time must still get what the full path gives it.
    start = datetime(2025, 8, 30, 0, 30, tzinfo=UTC)
    seized = SellerTrust.default().record("M-1", seized=True)
    for hours in (0, 3, 7, 15, 23, 30):  # crosses midnight in Seoul, New York and Berlin
        for trust in (None, seized):
            order = make_order(destination, [line], created_at=start + timedelta(hours=hours))
            alone = clearance(order, origin_country="CN", trust=trust)
            full = clear_declaration(declare(order, origin_country="CN"), trust=trust)
            assert alone == full, (hours, trust)
