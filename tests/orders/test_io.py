"""Orders files: round trips in every format, and every bad row accounted for."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rocketpost.errors import InputError, PlaceNotFoundError
from rocketpost.orders.generator import generate_orders
from rocketpost.orders.io import (
    COLUMNS,
    ImportResult,
    _read_csv_fast,
    _read_csv_slow,
    read_orders,
    write_orders,
)
from rocketpost.orders.model import Channel, Order, OrderItem
from rocketpost.orders.table import ItemTable, OrderTable, from_orders, to_orders

FORMATS = ("csv", "parquet", "jsonl")
HEADER = (
    "order_id,merchant_id,channel,created_at,destination_lat_deg,destination_lon_deg,"
    "destination_country,recipient_id,origin_hub,sku,description,hs_code,quantity,unit_value,"
    "currency,unit_mass_kg,unit_volume_m3,dangerous_goods_class"
)
GOOD = "A1,M1,b2c,2025-06-01T10:00:00Z,48.85,2.35,FR,R1,,S1,T-shirt,610910,1,12.50,EUR,0.2,0.0015,"


@dataclass(frozen=True)
class FakePlace:
    lat_deg: float
    lon_deg: float
    country_code: str | None


class FakeResolver:
    """Counts calls, so that "each distinct text once" can be checked."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.places = {
            "Paris, FR": FakePlace(48.8566, 2.3522, "FR"),
            "Seoul": FakePlace(37.5665, 126.978, "KR"),
            "0.0,0.0": FakePlace(0.0, 0.0, None),
        }

    def __call__(self, query: str) -> FakePlace:
        self.calls.append(query)
        if query not in self.places:
            raise PlaceNotFoundError(query, "no such place", ("Paris, FR",))
        return self.places[query]


def write_csv(path: Path, *rows: str, header: str = HEADER, newline: str = "\n") -> Path:
    path.write_text(newline.join((header, *rows)) + newline, encoding="utf-8")
    return path


def tables_equal(a: OrderTable | ItemTable, b: OrderTable | ItemTable) -> None:
    for name, column in a.columns().items():
        np.testing.assert_array_equal(column, getattr(b, name), err_msg=name)
        assert column.dtype.kind == getattr(b, name).dtype.kind, name


def rejects_by_line(result: ImportResult) -> dict[int, tuple[str, str]]:
    rejects = result.rejects
    return {
        int(line): (str(field), str(reason))
        for line, field, reason in zip(rejects.line, rejects.field, rejects.reason, strict=True)
    }


def assert_counts_add_up(result: ImportResult) -> None:
    assert result.rows_read == result.rows_accepted + result.rows_rejected
    assert result.orders_read == result.orders_accepted + result.orders_rejected
    assert result.rows_accepted == len(result.items)
    assert result.orders_accepted == len(result.orders)
    assert result.rows_rejected == len(result.rejects)


# -- the issue's check case ------------------------------------------------------------------


def test_issue_check_malformed_negative_unknown_hub_and_twelve_tonnes(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "day.csv",
        GOOD,  # line 2
        "A2,M1,b2c,2025-06-01T10:00:00Z,48.85,2.35,FR,R1,,S1,T-shirt,610910,1,12.50,EUR",  # 3
        "A3,M1,b2c,2025-06-01T10:00:00Z,48.85,2.35,FR,R1,,S1,T-shirt,610910,1,12.50,EUR,-2,0.01,",
        "A4,M2,b2b,2025-06-01T11:00:00Z,37.5,127.0,KR,R2,XXX,P1,Pallet,847989,1,900,USD,400,1.5,",
        "A5,M2,b2b,2025-06-01T11:00:00Z,37.5,127.0,KR,R2,ICN,P2,Press,847989,1,90000,USD,12000,20,",
        "A6,M3,b2b,2025-06-01T12:00:00Z,37.5,127.0,KR,R3,ICN,P3,Parts,870899,3,50,USD,250,1.2,",
    )
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


# -- round trips -----------------------------------------------------------------------------

TRICKY = [
    Order(
        order_id="T1",
        merchant_id="M,1",
        channel=Channel.B2C,
        created_at=datetime(2025, 6, 1, 23, 59, 59, tzinfo=UTC),
        destination_lat_deg=-33.868820000000001,
        destination_lon_deg=151.209295,
        destination_country="AU",
        recipient_id='R "quoted"',
        items=(
            OrderItem(
                sku="S\t1",
                description="Line one\nline two, with comma; é ü 漢字 \\ backslash",
                hs_code="010121",
                quantity=3,
                unit_value=Decimal("1234567.891234"),
                currency="KRW",
                unit_mass_kg=1e-6,
                unit_volume_m3=119.99999999999,
                dangerous_goods_class="1.4",
            ),
            OrderItem(
                sku="S2",
                description='5" screen',
                hs_code="851762",
                quantity=1,
                unit_value=Decimal("0"),
                currency="KRW",
                unit_mass_kg=10_000.0,
                unit_volume_m3=0.1 + 0.2,
                dangerous_goods_class=None,
            ),
        ),
        origin_hub="ICN",
        destination_label="Sydney, AU",
    ),
    Order(
        order_id="T2",
        merchant_id="M2",
        channel=Channel.B2B,
        created_at=datetime(1999, 12, 31, 0, 0, tzinfo=UTC),
        destination_lat_deg=90.0,
        destination_lon_deg=-180.0,
        destination_country="XK",
        recipient_id="R2",
        items=(OrderItem("X", "Ctrl\x01char", "999999", 1, Decimal("0.000001"), "EUR", 0.5, 0.5),),
    ),
]


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_of_tricky_orders_is_exact(tmp_path: Path, fmt: str) -> None:
    orders, items = from_orders(TRICKY)
    path = tmp_path / f"orders.{fmt}"
    write_orders(path, orders, items)
    result = read_orders(path, resolve_place=FakeResolver())
    assert result.rows_rejected == 0, list(result.rejects.reason)
    tables_equal(orders, result.orders)
    tables_equal(items, result.items)
    assert to_orders(result.orders, result.items) == TRICKY


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_of_a_generated_day_is_exact(tmp_path: Path, fmt: str) -> None:
    orders, items = generate_orders(
        400,
        day=date(2025, 6, 1),
        rng=np.random.default_rng(3),
        b2b_share=0.2,
        backhaul_origins={"ICN": "KR", "LIS": "PT"},
        keep_on_land=False,
    )
    path = tmp_path / f"day.{fmt}"
    write_orders(path, orders, items)
    result = read_orders(path, known_hubs={"ICN", "LIS"})
    assert_counts_add_up(result)
    assert result.rows_rejected == 0
    tables_equal(orders, result.orders)
    tables_equal(items, result.items)


def test_written_csv_layout(tmp_path: Path) -> None:
    orders, items = from_orders(TRICKY[1:])
    path = tmp_path / "one.csv"
    write_orders(path, orders, items)
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    assert rows[0]["created_at"] == "1999-12-31T00:00:00Z"
    assert rows[0]["unit_value"] == "0.000001"
    assert rows[0]["origin_hub"] == "" and rows[0]["dangerous_goods_class"] == ""


def test_parquet_types(tmp_path: Path) -> None:
    orders, items = from_orders(TRICKY)
    write_orders(tmp_path / "o.parquet", orders, items)
    schema = pq.read_schema(tmp_path / "o.parquet")
    created = schema.field("created_at").type
    assert pa.types.is_timestamp(created) and created.tz == "UTC"  # Parquet has no second unit
    assert schema.field("unit_value").type == pa.decimal128(18, 6)
    assert schema.names == list(COLUMNS)


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    orders, items = from_orders(TRICKY)
    with pytest.raises(InputError, match="unknown file type"):
        write_orders(tmp_path / "orders.xlsx", orders, items)
    with pytest.raises(InputError, match="no such file"):
        read_orders(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="unknown file type"):
        read_orders(tmp_path / "orders.txt")


# -- one rule at a time --------------------------------------------------------------------

FIELD_INDEX = {name: k for k, name in enumerate(HEADER.split(","))}


def with_field(column: str, value: str, row: str = GOOD) -> str:
    fields = row.split(",")
    fields[FIELD_INDEX[column]] = value
    return ",".join(fields)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("order_id", "", "required, but missing"),
        ("merchant_id", "  ", "required, but missing"),
        ("channel", "b2x", "must be 'b2c' or 'b2b'"),
        ("created_at", "2025-06-01T10:00:00", "needs a UTC offset"),
        ("created_at", "2025-06-01", "needs a UTC offset"),
        ("created_at", "yesterday", "is not an ISO 8601 date-time"),
        ("created_at", "2025-13-01T10:00:00Z", "is not an ISO 8601 date-time"),
        ("destination_lat_deg", "91", "must be in [-90, 90]"),
        ("destination_lat_deg", "north", "is not a number"),
        ("destination_lon_deg", "-180.5", "must be in [-180, 180]"),
        ("destination_lon_deg", "nan", "is not a number"),
        ("destination_country", "ZZ", "is not an ISO 3166-1 alpha-2"),
        ("hs_code", "61091", "must be a 6-digit HS code"),
        ("hs_code", "61091a", "must be a 6-digit HS code"),
        ("quantity", "0", "must be > 0"),
        ("quantity", "-3", "must be > 0"),
        ("quantity", "1.5", "must be a whole number"),
        ("unit_value", "-1", "must be ≥ 0"),
        ("unit_value", "1.1234567", "at most 6 decimals"),
        ("unit_value", "12.50.3", "at most 6 decimals"),
        ("currency", "XXY", "is not an ISO 4217 currency code"),
        ("unit_mass_kg", "0", "must be > 0"),
        ("unit_mass_kg", "1kg", "is not a number"),
        ("unit_volume_m3", "-0.5", "must be > 0"),
        ("unit_volume_m3", "130", "exceeds rocket hold"),
        ("dangerous_goods_class", "10", "is not a UN hazard class"),
        ("sku", "", "required, but missing"),
    ],
)
def test_each_rule_rejects_its_row(tmp_path: Path, column: str, value: str, reason: str) -> None:
    path = write_csv(tmp_path / "one.csv", GOOD.replace("A1", "A0"), with_field(column, value))
    result = read_orders(path)
    assert_counts_add_up(result)
    assert result.orders.order_id.tolist() == ["A0"]
    rejects = rejects_by_line(result)
    assert list(rejects) == [3]
    field, text = rejects[3]
    assert column in field.split(";")
    assert reason in text
    if value.strip() and "missing" not in reason:
        assert repr(value) in text  # the offending value is quoted as given


def test_lenient_forms_are_accepted(tmp_path: Path) -> None:
    row = with_field("hs_code", "6109.10", GOOD)
    row = with_field("channel", " B2C ", row)
    row = with_field("currency", "eur", row)
    row = with_field("destination_country", "fr", row)
    row = with_field("created_at", "2025-06-01 12:00:00.75+02:00", row)
    row = with_field("dangerous_goods_class", "9.0", row)
    row = with_field("unit_value", "+12.500000000", row)
    result = read_orders(write_csv(tmp_path / "o.csv", row))
    assert result.rows_rejected == 0, list(result.rejects.reason)
    assert result.items.hs_code[0] == "610910" and result.items.currency[0] == "EUR"
    assert result.orders.channel[0] == "b2c" and result.orders.destination_country[0] == "FR"
    assert result.orders.created_at[0] == np.datetime64("2025-06-01T10:00:00")
    assert result.items.dangerous_goods_class[0] == "9"
    assert result.items.unit_value_micros[0] == 12_500_000


def test_all_failures_of_a_row_are_listed(tmp_path: Path) -> None:
    row = with_field("quantity", "0", with_field("currency", "ABC"))
    result = read_orders(write_csv(tmp_path / "o.csv", row))
    field, reason = rejects_by_line(result)[2]
    assert field == "quantity;currency"
    assert reason.count("; ") == 1


def test_an_order_is_rejected_whole(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "o.csv",
        GOOD.replace("S1", "L1"),  # line 2, fine on its own
        GOOD.replace("A1", "B1"),  # line 3, another order
        with_field("quantity", "x", GOOD.replace("S1", "L2")),  # line 4, bad, order A1
        "A1,broken row",  # line 5, malformed, names order A1
    )
    result = read_orders(path)
    assert_counts_add_up(result)
    assert result.orders.order_id.tolist() == ["B1"]
    assert (result.orders_read, result.orders_rejected) == (2, 1)
    rejects = rejects_by_line(result)
    assert sorted(rejects) == [2, 4, 5]
    assert rejects[2] == ("order_id", "order_id: order rejected whole: line 4 is invalid")


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


def test_lines_of_an_order_need_not_be_adjacent(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "o.csv",
        GOOD,
        GOOD.replace("A1", "B1"),
        GOOD.replace("S1", "S2"),
    )
    result = read_orders(path)
    assert result.orders.order_id.tolist() == ["A1", "B1"]
    assert result.items.sku.tolist() == ["S1", "S2", "S1"]
    assert result.items.order_index.tolist() == [0, 0, 1]


# -- line numbers, layouts, encodings --------------------------------------------------------


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
    fast = _read_csv_fast(data, "x.csv")
    slow = _read_csv_slow(data, "x.csv")
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
    assert _read_csv_fast(path.read_bytes(), "o.csv") is None
    result = read_orders(path)
    assert_counts_add_up(result)
    assert result.orders.order_id.tolist() == ["A1", "A3"]
    assert result.items.description[0] == '5" screen'
    assert rejects_by_line(result) == {3: ("row", "not valid UTF-8 text")}


def test_whole_file_problems_raise(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing required columns"):
        read_orders(write_csv(tmp_path / "a.csv", "x", header="order_id"))
    (tmp_path / "empty.csv").write_text("\n\n")
    with pytest.raises(InputError, match="empty file"):
        read_orders(tmp_path / "empty.csv")
    with pytest.raises(InputError, match="duplicate column"):
        read_orders(write_csv(tmp_path / "d.csv", header=HEADER + ",sku"))
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    with pytest.raises(InputError, match="Parquet"):
        read_orders(tmp_path / "bad.parquet")


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


def test_coordinate_aliases(tmp_path: Path) -> None:
    header = HEADER.replace("destination_lat_deg", "destination_lat").replace(
        "destination_lon_deg", "destination_lon"
    )
    result = read_orders(write_csv(tmp_path / "o.csv", GOOD, header=header))
    assert result.rows_rejected == 0
    assert result.orders.destination_lat_deg.tolist() == [48.85]


# -- destinations as place text --------------------------------------------------------------

PLACE_HEADER = HEADER.replace(
    "destination_lat_deg,destination_lon_deg,destination_country", "destination"
)


def place_row(order_id: str, place: str) -> str:
    fields = GOOD.split(",")
    return ",".join([order_id, *fields[1:4], place, *fields[7:]])


def test_place_text_is_resolved_once_per_distinct_text(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "o.csv",
        place_row("A1", '"Paris, FR"'),
        place_row("A2", '"Paris, FR"'),
        place_row("A3", "Seoul"),
        place_row("A4", "Atlantis"),
        place_row("A5", '"0.0,0.0"'),
        header=PLACE_HEADER,
    )
    resolver = FakeResolver()
    result = read_orders(path, resolve_place=resolver)
    assert sorted(resolver.calls) == ["0.0,0.0", "Atlantis", "Paris, FR", "Seoul"]
    assert result.orders.order_id.tolist() == ["A1", "A2", "A3"]
    assert result.orders.destination_country.tolist() == ["FR", "FR", "KR"]
    assert result.orders.destination_label.tolist() == ["Paris, FR", "Paris, FR", "Seoul"]
    assert result.orders.destination_lat_deg[2] == 37.5665
    rejects = rejects_by_line(result)
    assert rejects[5][0] == "destination" and "no such place" in rejects[5][1]
    assert "closest matches: Paris, FR" in rejects[5][1]
    assert rejects[6] == ("destination_country", "destination_country: required, but missing")


def test_given_country_must_match_the_place(tmp_path: Path) -> None:
    header = PLACE_HEADER.replace("destination,", "destination,destination_country,")
    fields = place_row("A1", "Seoul").split(",")
    row_ok = ",".join([*fields[:5], "KR", *fields[5:]])
    row_bad = ",".join(["A2", *fields[1:5], "JP", *fields[5:]])
    result = read_orders(
        write_csv(tmp_path / "o.csv", row_ok, row_bad, header=header),
        resolve_place=FakeResolver(),
    )
    assert result.orders.order_id.tolist() == ["A1"]
    field, reason = rejects_by_line(result)[3]
    assert field == "destination_country" and "country KR" in reason


def test_coordinates_win_over_place_text(tmp_path: Path) -> None:
    header = HEADER.replace("destination_lat_deg", "destination,destination_lat_deg")
    fields = GOOD.split(",")
    row = ",".join([*fields[:4], "Atlantis", *fields[4:]])
    resolver = FakeResolver()
    result = read_orders(write_csv(tmp_path / "o.csv", row, header=header), resolve_place=resolver)
    assert resolver.calls == []  # coordinates and country given: nothing to look up
    assert result.orders.destination_label.tolist() == ["Atlantis"]


def test_default_resolver_uses_the_world_places(tmp_path: Path) -> None:
    result = read_orders(
        write_csv(tmp_path / "o.csv", place_row("A1", '"Paris, FR"'), header=PLACE_HEADER)
    )
    assert result.rows_rejected == 0, list(result.rejects.reason)
    assert result.orders.destination_country.tolist() == ["FR"]
    assert abs(result.orders.destination_lat_deg[0] - 48.85) < 0.1


# -- JSON Lines and Parquet specifics --------------------------------------------------------


def good_record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    record.update(destination_lat_deg=48.85, destination_lon_deg=2.35, quantity=1)
    record.update(unit_mass_kg=0.2, unit_volume_m3=0.0015)
    record.update(changes)
    return record


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


def test_parquet_from_another_tool(tmp_path: Path) -> None:
    """Typed columns: doubles for money, a naive timestamp column, record numbers as lines."""
    records = [good_record(), good_record(order_id="A2", unit_value=-3.0)]
    table = pa.Table.from_pylist(
        [{**r, "unit_value": float(str(r["unit_value"]))} for r in records]
    )
    table = table.set_column(
        table.schema.get_field_index("created_at"),
        "created_at",
        pa.array([datetime(2025, 6, 1, 10), datetime(2025, 6, 1, 11)], pa.timestamp("ms", "UTC")),
    )
    pq.write_table(table, tmp_path / "o.parquet")
    result = read_orders(tmp_path / "o.parquet")
    assert result.orders.order_id.tolist() == ["A1"]
    assert result.items.unit_value_micros.tolist() == [12_500_000]
    assert rejects_by_line(result) == {2: ("unit_value", "unit_value: must be ≥ 0 (got '-3')")}
    naive = table.set_column(
        table.schema.get_field_index("created_at"),
        "created_at",
        pa.array([datetime(2025, 6, 1, 10)] * 2, pa.timestamp("s")),
    )
    pq.write_table(naive, tmp_path / "n.parquet")
    assert read_orders(tmp_path / "n.parquet").rows_rejected == 2


@pytest.mark.parametrize("fmt", FORMATS)
def test_rejects_can_be_written_in_every_format(tmp_path: Path, fmt: str) -> None:
    path = write_csv(
        tmp_path / "o.csv", GOOD, with_field("quantity", "0", GOOD.replace("A1", "A2")), "x,y"
    )
    result = read_orders(path)
    out = tmp_path / f"rejects.{fmt}"
    result.write_rejects(out)
    if fmt == "parquet":
        back = pq.read_table(out).to_pylist()
    elif fmt == "csv":
        with out.open(newline="") as handle:
            back = list(csv.DictReader(handle))
    else:
        back = [json.loads(line) for line in out.read_text().splitlines()]
    assert [int(r["line"]) for r in back] == [3, 4]
    assert back[1]["raw"] == "x,y"


# -- property: corrupting any field never loses a row ----------------------------------------


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
        40, day=date(2025, 6, 1), rng=np.random.default_rng(5), keep_on_land=False
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
