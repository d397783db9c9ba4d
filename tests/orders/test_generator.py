"""Synthetic orders: reproducible, valid input for the reader, parameters checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rocketpost.errors import ConfigFileError, InputError
from rocketpost.orders.catalogue import load_catalogue
from rocketpost.orders.generator import GENERATOR_STAGES, GeneratorParams
from rocketpost.orders.io import read_orders, write_orders
from tests.orders import BACKHAUL, generate


def test_same_seed_same_tables_and_same_bytes(tmp_path: Path) -> None:
    first = generate(3000, seed=42, backhaul_origins=BACKHAUL, b2b_share=0.1)
    second = generate(3000, seed=42, backhaul_origins=BACKHAUL, b2b_share=0.1)
    for a, b in zip(first, second, strict=True):
        for name, column in a.columns().items():
            np.testing.assert_array_equal(column, getattr(b, name))
    for fmt in ("csv", "parquet", "jsonl"):
        write_orders(tmp_path / f"a.{fmt}", *first)
        write_orders(tmp_path / f"b.{fmt}", *second)
        assert (tmp_path / f"a.{fmt}").read_bytes() == (tmp_path / f"b.{fmt}").read_bytes()
    other = generate(3000, seed=43, backhaul_origins=BACKHAUL, b2b_share=0.1)
    assert not np.array_equal(other[0].destination_lat_deg, first[0].destination_lat_deg)


def test_generated_days_pass_validation(tmp_path: Path) -> None:
    orders, items = generate(2000, backhaul_origins=BACKHAUL, b2b_share=0.2)
    write_orders(tmp_path / "day.csv", orders, items)
    result = read_orders(tmp_path / "day.csv", known_hubs=set(BACKHAUL))
    assert result.rows_rejected == 0, list(result.rejects.reason[:5])
    assert len(result.orders) == 2000


def test_zero_orders() -> None:
    orders, items = generate(0)
    assert len(orders) == 0 and len(items) == 0


def test_ids_are_in_time_order() -> None:
    orders, _ = generate(500)
    assert orders.order_id[0] == "O20250601-0000000"
    assert np.all(np.diff(orders.created_at_s) >= 0)
    assert len(set(orders.order_id.tolist())) == 500


def test_backhaul_orders_leave_from_export_hubs_for_other_markets() -> None:
    orders, items = generate(20_000, b2b_share=0.2, backhaul_origins=BACKHAUL)
    pinned = orders.origin_hub != ""
    assert pinned.sum() > 0
    assert np.all(orders.is_b2b[pinned])
    assert set(np.unique(orders.origin_hub[pinned]).tolist()) == set(BACKHAUL)
    assert set(np.unique(orders.destination_country[pinned]).tolist()) <= {"CN", "US"}
    catalogue = load_catalogue()
    exports = dict(zip(catalogue.sku.tolist(), catalogue.export_countries, strict=True))
    korean = np.flatnonzero(orders.origin_hub == "ICN")
    for i in korean[:50]:
        sku = str(items.sku[orders.item_offsets[i]]).removesuffix("-PAL")
        assert "KR" in exports[sku]
        assert str(orders.merchant_id[i]).startswith("BKR")
    assert np.all(np.isin(orders.currency[orders.origin_hub == "LIS"], ["EUR"]))


def test_progress_reports_each_stage() -> None:
    stages: list[str] = []
    generate(10, progress=stages.append)
    assert tuple(stages) == GENERATOR_STAGES


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"b2b_share": 1.5}, "b2b_share"),
        ({"dangerous_goods_share": -0.1}, "dangerous_goods_share"),
        (
            {"backhaul_origins": {"X": "KR"}, "backhaul_markets": ("KR",), "b2b_share": 1.0},
            "backhaul_markets",
        ),
    ],
)
def test_bad_parameters(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as error:
        generate(100, **kwargs)
    assert error.value.field == field
    with pytest.raises(InputError, match="n"):
        generate(-1)


def test_generator_params_from_file(tmp_path: Path) -> None:
    path = tmp_path / "day.toml"
    path.write_text(
        'b2b_share = 0.1\nbackhaul_markets = ["us"]\nkeep_on_land = false\n'
        '[backhaul_origins]\nICN = "KR"\n',
        encoding="utf-8",
    )
    params = GeneratorParams.from_file(path)
    assert params == GeneratorParams(
        b2b_share=0.1, backhaul_markets=("us",), backhaul_origins={"ICN": "KR"}, keep_on_land=False
    )
    assert params.full_load_share == GeneratorParams().full_load_share


@pytest.mark.parametrize(
    ("text", "key_path", "value"),
    [
        ("b2b_share = 1.5\n", "b2b_share", 1.5),
        ("b2b_shares = 0.1\n", "b2b_shares", 0.1),
        ("backhaul_markets = [1]\n", "backhaul_markets[0]", 1),
        ("[backhaul_origins]\nICN = 3\n", "backhaul_origins.ICN", 3),
        ("keep_on_land = 'yes'\n", "keep_on_land", "yes"),
    ],
)
def test_generator_params_bad_file(tmp_path: Path, text: str, key_path: str, value: object) -> None:
    path = tmp_path / "day.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigFileError) as caught:
        GeneratorParams.from_file(path)
    assert (caught.value.file, caught.value.field, caught.value.value) == (
        str(path),
        key_path,
        value,
    )


@pytest.mark.parametrize("days", [0, -1, True, 1.5])
def test_generate_days_refuses_a_count_that_is_not_a_whole_number_of_days(days: Any) -> None:
    from datetime import date

    from rocketpost.orders.generator import generate_days

    with pytest.raises(InputError) as error:
        generate_days(10, first_day=date(2025, 6, 1), days=days, seed=1)
    assert error.value.field == "days"


def test_generate_days_refuses_days_past_the_last_date() -> None:
    from datetime import date

    from rocketpost.orders.generator import generate_days

    with pytest.raises(InputError) as error:
        generate_days(10, first_day=date(9999, 12, 31), days=2, seed=1)
    assert error.value.field == "days" and "9999-12-31" in str(error.value)


def test_concat_orders_shifts_each_days_items_to_its_orders() -> None:
    from rocketpost.orders.table import concat_orders

    a, b = generate(40, seed=1), generate(30, seed=2)
    orders, items = concat_orders([a, b])
    assert len(orders) == 70 and len(items) == len(a[1]) + len(b[1])
    np.testing.assert_array_equal(items.order_index[len(a[1]) :], b[1].order_index + 40)
    np.testing.assert_array_equal(orders.mass_kg[40:], b[0].mass_kg)
    with pytest.raises(InputError):
        concat_orders([])
