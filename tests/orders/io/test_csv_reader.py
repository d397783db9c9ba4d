"""CSV rows: line numbers, the fast and the careful reader."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rocketpost.orders.io import read_orders
from rocketpost.orders.io.csv_reader import read_csv_fast, read_csv_slow
from tests.orders.io import (
    GOOD,
    HEADER,
    assert_counts_add_up,
    rejects_by_line,
    with_field,
    write_csv,
)


def test_line_numbers_count_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    quoted = with_field("description", '"Two\nlines, and ""quotes"""', GOOD.replace("A1", "Q1"))
    path = write_csv(
        tmp_path / "o.csv",
        "",  # line 2, blank
        quoted,  # lines 3-4
        with_field("quantity", "0", GOOD),  # line 5
        "",  # line 6
        "only,three,fields",  # line 7
        newline="\r\n",
    )
    result = read_orders(path)
    assert_counts_add_up(result)
    assert result.rows_read == 3
    assert sorted(rejects_by_line(result)) == [5, 7]
    assert result.items.description.tolist() == ['Two\nlines, and "quotes"']


def test_fast_and_slow_csv_readers_agree(tmp_path: Path) -> None:
    data = (
        "\n".join(
            (
                HEADER,
                GOOD,
                "",
                with_field("description", '"a, b\nc"', GOOD.replace("A1", "A2")),
                "short,row",
                with_field("description", '"x ""y"""', GOOD.replace("A1", "A3")),
            )
        )
        + "\n"
    ).encode()
    fast = read_csv_fast(data, "x.csv")
    slow = read_csv_slow(data, "x.csv")
    assert fast is not None
    assert fast.columns == slow.columns
    assert fast.line.tolist() == slow.line.tolist() == [2, 4, 7]
    assert fast.malformed_line.tolist() == slow.malformed_line.tolist() == [6]
    assert fast.malformed_raw == slow.malformed_raw == ["short,row"]
    for name in fast.columns:
        assert fast.values[name].to_pylist() == slow.values[name].to_pylist(), name
    rows = np.arange(3)
    assert fast.raw_text(rows) == slow.raw_text(rows)


def test_stray_quotes_and_bad_utf8_take_the_careful_reader(tmp_path: Path) -> None:
    path = tmp_path / "o.csv"
    rows = [
        HEADER,
        with_field("description", '5" screen', GOOD),
        GOOD.replace("A1", "A2").replace("T-shirt", "Caf\udce9"),
        GOOD.replace("A1", "A3"),
    ]
    path.write_bytes("\n".join(rows).encode("utf-8", errors="surrogateescape") + b"\n")
    assert read_csv_fast(path.read_bytes(), "o.csv") is None
    result = read_orders(path)
    assert_counts_add_up(result)
    assert result.orders.order_id.tolist() == ["A1", "A3"]
    assert result.items.description[0] == '5" screen'
    assert rejects_by_line(result) == {3: ("row", "not valid UTF-8 text")}
