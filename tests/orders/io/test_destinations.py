"""Destinations as place text: resolved once per distinct text, checked against the country."""

from __future__ import annotations

from pathlib import Path

from rocketpost.orders.io import read_orders
from tests.orders.io import (
    GOOD,
    HEADER,
    PLACE_HEADER,
    FakeResolver,
    place_row,
    rejects_by_line,
    write_csv,
)


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
