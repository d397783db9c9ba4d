"""Reading an orders file: the issue's check case, order fields agreeing, counts adding up."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rocketpost.network import default_network
from rocketpost.orders.generator import GeneratorParams, generate_orders
from rocketpost.orders.io import read_orders, write_orders
from tests.orders.io import (
    DATA,
    GOOD,
    HEADER,
    assert_counts_add_up,
    rejects_by_line,
    with_field,
    write_csv,
)


def test_issue_check_malformed_negative_unknown_hub_and_twelve_tonnes(tmp_path: Path) -> None:
    # The issue's check day: one good row, then malformed, negative, unknown hub, 12 t unit.
    path = DATA / "issue_check.csv"
    result = read_orders(path, known_hubs={"ICN", "LIS"})
    assert_counts_add_up(result)
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (6, 2, 4)
    assert (result.orders_read, result.orders_accepted, result.orders_rejected) == (6, 2, 4)
    assert result.orders.order_id.tolist() == ["A1", "A6"]
    rejects = rejects_by_line(result)
    assert sorted(rejects) == [3, 4, 5, 6]
    assert rejects[3][0] == "row" and "expected 18 fields" in rejects[3][1]
    assert rejects[4] == ("unit_mass_kg", "unit_mass_kg: must be > 0 (got '-2')")
    assert rejects[5] == ("origin_hub", "origin_hub: unknown hub (got 'XXX')")
    assert rejects[6][0] == "unit_mass_kg"
    assert "exceeds rocket payload" in rejects[6][1] and "standard freight" in rejects[6][1]

    out = tmp_path / "rejects.csv"
    result.write_rejects(out)
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["line"]) for r in rows] == [3, 4, 5, 6]
    assert rows[0]["raw"].startswith("A2,M1,b2c") and rows[0]["order_id"] == ""
    assert rows[1]["unit_mass_kg"] == "-2" and rows[1]["order_id"] == "A3"
    assert list(rows[0])[:3] == ["line", "field", "reason"]


def test_order_fields_must_agree_across_its_lines(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "o.csv",
        GOOD,
        with_field("merchant_id", "M9", GOOD.replace("S1", "S2")),
        with_field("currency", "USD", GOOD.replace("S1", "S3")),
        with_field("created_at", "2025-06-01T12:00:00+02:00", GOOD.replace("S1", "S4")),
    )
    result = read_orders(path)
    assert len(result.orders) == 0
    rejects = rejects_by_line(result)
    assert rejects[3] == (
        "merchant_id",
        "merchant_id: differs from line 2 of this order (got 'M9')",
    )
    assert rejects[4][0] == "currency"
    # The same instant written with another offset is the same time: only line 2 is blamed.
    assert rejects[5][0] == "order_id"
    assert rejects[2][1] == "order_id: order rejected whole: line 3 is invalid"


def test_header_only_file_is_empty_not_an_error(tmp_path: Path) -> None:
    result = read_orders(write_csv(tmp_path / "o.csv"))
    assert result.rows_read == 0 and len(result.orders) == 0


def test_extra_columns_are_ignored_but_kept_in_rejects(tmp_path: Path) -> None:
    header = HEADER + ",note"
    bad = with_field("quantity", "0", GOOD.replace("A1", "A2"))
    path = write_csv(tmp_path / "o.csv", GOOD + ",hello", bad + ",bye", header=header)
    result = read_orders(path)
    assert result.ignored_columns == ("note",)
    assert result.rejects.values["note"].tolist() == ["bye"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    corruptions=st.lists(
        st.tuples(
            st.integers(0, 59),
            st.sampled_from(HEADER.split(",")),
            st.sampled_from(["", "-1", "x", "1e999", "ZZZ", "0", "999999999", '"', "a,b"]),
        ),
        max_size=8,
    )
)
def test_counts_always_add_up(tmp_path: Path, corruptions: list[tuple[int, str, str]]) -> None:
    orders, items = generate_orders(
        40,
        GeneratorParams(keep_on_land=False),
        day=date(2025, 6, 1),
        rng=np.random.default_rng(5),
    )
    clean = tmp_path / "clean.csv"
    write_orders(clean, orders, items)
    with clean.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row, column, value in corruptions:
        if row + 1 < len(rows):
            rows[row + 1][rows[0].index(column)] = value
    dirty = tmp_path / "dirty.csv"
    with dirty.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    result = read_orders(dirty)
    assert_counts_add_up(result)
    assert result.rows_read == len(items)
    # Accepted orders are original orders (or a line whose id was overwritten); no accepted
    # order also has a rejected line.
    written = {value for _, column, value in corruptions if column == "order_id"}
    accepted = set(result.orders.order_id.tolist())
    assert accepted <= set(orders.order_id.tolist()) | written
    assert accepted.isdisjoint(set(result.rejects.values["order_id"].tolist()))


def test_unit_limits_come_from_the_rocket_class(tmp_path: Path) -> None:
    rocket = default_network().rocket
    small = replace(rocket, payload_mass_kg=300.0, payload_volume_m3=1.0)
    path = DATA / "issue_check.csv"
    assert read_orders(path, known_hubs={"ICN"}).orders.order_id.tolist() == ["A1", "A6"]
    result = read_orders(path, known_hubs={"ICN"}, rocket=small)
    assert_counts_add_up(result)
    assert result.orders.order_id.tolist() == ["A1"]
    field, reason = rejects_by_line(result)[7]  # A6: 250 kg fits, 1.2 m³ does not
    assert field == "unit_volume_m3"
    assert "exceeds rocket hold (1 m³ per unit)" in reason
