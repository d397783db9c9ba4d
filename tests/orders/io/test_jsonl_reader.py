"""JSON Lines rows: bad lines rejected with their line, the fast path."""

from __future__ import annotations

import json
from pathlib import Path

from rocketpost.orders.io import read_orders
from tests.orders.io import (
    assert_counts_add_up,
    good_record,
    rejects_by_line,
)


def test_jsonl_bad_lines_are_rejected_with_their_line(tmp_path: Path) -> None:
    lines = [
        json.dumps(good_record()),
        "",
        "{not json",
        json.dumps(good_record(order_id="A2", quantity="2")),  # a string number: still fine
        json.dumps(good_record(order_id="A3", sku=["nested"])),
        "[1, 2]",
        json.dumps(good_record(order_id="A4", unit_mass_kg=-1)),
        json.dumps({k: v for k, v in good_record(order_id="A5").items() if k != "currency"}),
    ]
    path = tmp_path / "o.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = read_orders(path)
    assert_counts_add_up(result)
    assert result.orders.order_id.tolist() == ["A1", "A2"]
    assert result.items.quantity.tolist() == [1, 2]
    rejects = rejects_by_line(result)
    assert sorted(rejects) == [3, 5, 6, 7, 8]
    assert "not valid JSON" in rejects[3][1]
    assert "sku: must be a plain value" in rejects[5][1]
    assert rejects[6][1] == "not a JSON object"
    assert rejects[7][0] == "unit_mass_kg"
    assert rejects[8] == ("currency", "currency: required, but missing")


def test_jsonl_fast_path(tmp_path: Path) -> None:
    path = tmp_path / "o.ndjson"
    path.write_text(json.dumps(good_record()) + "\n" + json.dumps(good_record(order_id="B")))
    result = read_orders(path)
    assert result.orders.order_id.tolist() == ["A1", "B"]
    assert result.rejects.raw.tolist() == []
