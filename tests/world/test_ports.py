"""Ports: the searoute port list by LOCODE, name and position."""

from __future__ import annotations

import numpy as np
import pytest

from rocketpost.core.geo import great_circle_km
from rocketpost.errors import InputError, PlaceNotFoundError
from rocketpost.world.countries import country_codes
from rocketpost.world.ports import Port, PortIndex, load_ports


@pytest.fixture(scope="module")
def ports() -> PortIndex:
    return load_ports()


def test_counts(ports: PortIndex) -> None:
    assert len(ports) == 3_962  # rows, as shipped
    assert len(ports.locodes) == 3_924  # 38 LOCODEs are listed twice
    assert len(list(ports)) == len(ports)


@pytest.mark.parametrize(
    ("locode", "name", "country", "lat", "lon"),
    [
        ("USNYC", "New York", "US", 40.705475, -74.017681),
        ("CNNGB", "Ningbo", "CN", 29.871877, 121.559404),
        ("KRPUS", "Pusan", "KR", 35.098203, 129.035797),
        ("DEHAM", "Hamburg", "DE", 53.54772, 9.969406),
        ("PTLIS", "Lisboa", "PT", 38.714524, -9.161361),
        ("FRLEH", "Le Havre", "FR", 49.485998, 0.107054),
        ("USLAX", "Los Angeles", "US", 33.716667, -118.283333),
    ],
)
def test_known_ports(
    ports: PortIndex, locode: str, name: str, country: str, lat: float, lon: float
) -> None:
    port = ports.get(locode)
    assert (port.locode, port.name, port.country_code) == (locode, name, country)
    assert port.lat_deg == pytest.approx(lat, abs=1e-6)
    assert port.lon_deg == pytest.approx(lon, abs=1e-6)
    assert port.terminal


def test_lookup_is_case_insensitive(ports: PortIndex) -> None:
    assert ports.get(" deham ") is ports.get("DEHAM")
    assert "usnyc" in ports
    assert "XXXXX" not in ports
    assert None not in ports


def test_duplicate_locode_prefers_the_main_terminal(ports: PortIndex) -> None:
    assert ports.get("INBOM").name == "Mumbai"  # not the older "Bombay" row
    assert sum(1 for port in ports if port.locode == "INBOM") == 2


def test_unknown_locode_suggests_neighbours(ports: PortIndex) -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        ports.get("DEHAX")
    assert caught.value.suggestions[0] == "DEHAM (Hamburg, DE)"
    assert "DEHAX" in str(caught.value)


def test_unknown_locode_suggests_ports_by_name(ports: PortIndex) -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        ports.get("Hambrug", field="hubs[0].port")
    assert caught.value.field == "hubs[0].port"
    assert "DEHAM (Hamburg, DE)" in caught.value.suggestions


@pytest.mark.parametrize("bad", ["", "  ", None])
def test_get_rejects_empty_codes(ports: PortIndex, bad: object) -> None:
    with pytest.raises(InputError):
        ports.get(bad)  # type: ignore[arg-type]


def test_country_codes_are_valid_and_corrected(ports: PortIndex) -> None:
    assert set(ports.country_code) <= country_codes()
    assert ports.get("CSBAR").country_code == "ME"  # Bar, Montenegro (obsolete CS prefix)
    assert ports.get("ANWIL").country_code == "CW"  # Willemstad (Netherlands Antilles, AN)
    assert ports.get("IDCHN").country_code == "IE"  # Duncannon (wrong ID prefix)
    assert ports.get("MOMFM").country_code == "MO"  # Macau keeps its prefix


def test_search_by_name(ports: PortIndex) -> None:
    found = ports.search("hamburg")
    assert [port.locode for port in found[:2]] == ["DEHAM", "USHAM"]
    assert [port.locode for port in ports.search("HAMBURG", country="United States")] == ["USHAM"]
    assert ports.search("no such port anywhere") == []
    with pytest.raises(InputError):
        ports.search(" ")


def test_nearest(ports: PortIndex) -> None:
    (nearest,) = ports.nearest(53.55, 9.99)
    assert nearest.locode == "DEHAM"
    three = ports.nearest(53.55, 9.99, k=3)
    distances = [great_circle_km(53.55, 9.99, p.lat_deg, p.lon_deg) for p in three]
    assert distances == sorted(distances)
    all_of_them = ports.distances_km(53.55, 9.99)
    assert float(np.min(all_of_them)) == pytest.approx(float(distances[0]))
    assert len(ports.nearest(0.0, 0.0, k=10_000)) == len(ports)


@pytest.mark.parametrize(("lat", "lon", "k"), [(91.0, 0.0, 1), (0.0, float("nan"), 1), (0, 0, 0)])
def test_nearest_rejects_bad_input(ports: PortIndex, lat: float, lon: float, k: int) -> None:
    with pytest.raises(InputError):
        ports.nearest(lat, lon, k=k)


def test_arrays_are_aligned_and_read_only(ports: PortIndex) -> None:
    assert ports.locode[100] == ports.ports[100].locode
    assert ports.lat_deg[100] == ports.ports[100].lat_deg
    assert not ports.lat_deg.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        ports.lon_deg[0] = 0.0


@pytest.mark.parametrize(
    ("field", "value"),
    [("locode", "deham"), ("locode", "DE-HAM"), ("name", " "), ("lat_deg", 95.0), ("lon_deg", "x")],
)
def test_port_validates_itself(field: str, value: object) -> None:
    values: dict[str, object] = {
        "locode": "DEHAM",
        "name": "Hamburg",
        "country_code": "DE",
        "lat_deg": 53.5,
        "lon_deg": 10.0,
    }
    values[field] = value
    with pytest.raises(InputError, match=f"port.{field}"):
        Port(**values)  # type: ignore[arg-type]
