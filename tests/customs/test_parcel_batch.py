"""The columnar parcel batch: built from declarations or columns, validated per column."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pytest

from rocketpost.customs.declaration import Declaration, declare
from rocketpost.customs.parcel_batch import ParcelBatch
from rocketpost.customs.screening import screen
from rocketpost.errors import InputError
from rocketpost.orders.model import Order

DeclareOne = Callable[..., Declaration]


def test_batch_from_columns_matches_from_declarations(
    declare_one: DeclareOne, order: Callable[..., Order]
) -> None:
    decls = [
        declare_one("KR", ("Rolex Submariner watch", "910221", 1, "45", "USD", 0.2), order_id="A"),
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
def test_batch_validation_names_the_column(
    override: dict, field: str, batch_columns: Callable[..., dict]
) -> None:
    with pytest.raises(InputError) as error:
        ParcelBatch.from_columns(**batch_columns(**override))
    assert error.value.field == field
