"""Place resolution: coordinates, port LOCODEs and city names, with helpful errors."""

from __future__ import annotations

import dataclasses

import pytest

from rocketpost.errors import InputError, PlaceNotFoundError
from rocketpost.world.places import Place, resolve_place


@pytest.mark.parametrize(
    ("query", "name", "country"),
    [
        ("Paris", "Paris", "FR"),
        ("Paris, FR", "Paris", "FR"),
        ("London", "London", "GB"),
        ("London, GB", "London", "GB"),
        ("New York", "New York City", "US"),
        ("New York, US", "New York City", "US"),
        ("new york city", "New York City", "US"),
        ("Seoul", "Seoul", "KR"),
        ("Busan", "Busan", "KR"),
        ("Busan, South Korea", "Busan", "KR"),
        ("Busan, KOR", "Busan", "KR"),
        ("Shenzhen", "Shenzhen", "CN"),
        ("Hangzhou", "Hangzhou", "CN"),
        ("Lisbon", "Lisbon", "PT"),
        ("São Paulo", "São Paulo", "BR"),
        ("Sao Paulo", "São Paulo", "BR"),
        ("SAO PAULO", "São Paulo", "BR"),
        ("Tokyo", "Tokyo", "JP"),
        ("Los Angeles", "Los Angeles", "US"),
        ("Köln", "Köln", "DE"),
        ("Koeln", "Köln", "DE"),
        ("Cologne", "Köln", "DE"),
        ("Bombay", "Mumbai", "IN"),
        ("Hong Kong", "Hong Kong", "HK"),
        ("New Delhi", "New Delhi", "IN"),  # Delhi lists it too, but is the same urban area
        ("Stavropol", "Stavropol", "RU"),  # Tolyatti, once Stavropol, is larger but farther
        ("Egham", "Egham", "GB"),  # also a LOCODE, but not written in capitals
        ("Nan, TH", "Nan", "TH"),  # "Nan" is not a number here
        ("Portland, OR, US", "Portland", "US"),
        ("portland, me, usa", "Portland", "US"),
        ("Mianzhu, Deyang, Sichuan, CN", "Mianzhu, Deyang, Sichuan", "CN"),  # commas in a name
    ],
)
def test_cities(query: str, name: str, country: str) -> None:
    place = resolve_place(query)
    assert (place.kind, place.name, place.country_code) == ("city", name, country)
    assert place.population is not None and place.population >= 15_000
    assert place.locode is None


def test_city_details() -> None:
    paris = resolve_place("Paris")
    assert paris.lat_deg == pytest.approx(48.85, abs=0.05)
    assert paris.lon_deg == pytest.approx(2.35, abs=0.05)
    assert paris.population == 2_138_551
    assert paris.label() == "Paris, FR"
    assert resolve_place("Portland, OR, US").population == 652_503
    assert resolve_place("Portland, ME, US").population == 66_881


def test_portland_is_ambiguous_and_says_how_to_ask() -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("Portland")
    suggestions = caught.value.suggestions
    assert suggestions[:2] == ("Portland, OR, US (652,503)", "Portland, ME, US (66,881)")
    assert "no clear winner" in str(caught.value)
    # Every suggestion, population dropped, is a query that finds that very city.
    for suggestion in suggestions:
        query, population = suggestion.rsplit(" (", 1)
        assert resolve_place(query).population == int(population.rstrip(")").replace(",", ""))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Mexico", "Mexico City, MX (12,294,193)"),  # far bigger by an alternate name
        ("Canton", "Guangzhou, CN (16,096,724)"),
        ("St. Petersburg", "Saint Petersburg, RU (5,351,935)"),
        ("Portland, US", "Portland, OR, US (652,503)"),
    ],
)
def test_ambiguous_names_list_candidates(query: str, expected: str) -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place(query)
    assert expected in caught.value.suggestions
    assert len(caught.value.suggestions) >= 2


def test_same_label_candidates_are_told_apart_by_position() -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("Sahiwal")  # two Punjab cities of that name in GeoNames
    assert all(" at " in suggestion for suggestion in caught.value.suggestions)


def test_unknown_city_suggests_close_names() -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("Pariss")
    assert caught.value.field == "place"
    assert caught.value.suggestions[0] == "Paris, FR (2,138,551)"
    assert "Pariss" in str(caught.value)


def test_unknown_city_in_a_country_suggests_that_country_first() -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("Hambrug, DE")
    assert caught.value.suggestions[0] == "Hamburg, DE (1,973,896)"
    with pytest.raises(PlaceNotFoundError) as elsewhere:
        resolve_place("Paris, DE")
    assert "Paris, FR (2,138,551)" in elsewhere.value.suggestions


def test_unknown_country_is_named() -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("Paris, Frnace")
    assert caught.value.field == "place.country"
    assert "France (FR)" in caught.value.suggestions


@pytest.mark.parametrize(
    ("query", "name", "locode", "country"),
    [
        ("USNYC", "New York", "USNYC", "US"),
        ("deham", "Hamburg", "DEHAM", "DE"),
        ("KRPUS", "Pusan", "KRPUS", "KR"),
        ("EGHAM", "Hamrawein", "EGHAM", "EG"),  # capitals: the LOCODE, not Egham the town
    ],
)
def test_ports(query: str, name: str, locode: str, country: str) -> None:
    place = resolve_place(query)
    assert (place.kind, place.name, place.locode, place.country_code) == (
        "port",
        name,
        locode,
        country,
    )
    assert place.population is None


def test_unknown_locode_is_searched_as_a_city() -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        resolve_place("QQXYZ")
    assert "QQXYZ" in str(caught.value)


def test_coordinates() -> None:
    paris = resolve_place("48.8566, 2.3522")
    assert (paris.kind, paris.lat_deg, paris.lon_deg) == ("coordinates", 48.8566, 2.3522)
    assert paris.country_code == "FR"
    assert paris.name == "48.8566, 2.3522"
    ocean = resolve_place("0,-30")
    assert ocean.country_code is None
    assert resolve_place("-33.9,151.3").country_code == "AU"
    assert resolve_place("+1e1, -0.5").lat_deg == 10.0


@pytest.mark.parametrize(
    ("query", "field", "shown"),
    [
        ("91, 10", "place.latitude", "91"),
        ("-90.5, 10", "place.latitude", "-90.5"),
        ("10, 181", "place.longitude", "181"),
        ("nan, 5", "place.latitude", "nan"),
        ("5, inf", "place.longitude", "inf"),
        ("48.8, abc", "place.longitude", "abc"),
    ],
)
def test_bad_coordinates_name_the_field(query: str, field: str, shown: str) -> None:
    with pytest.raises(InputError) as caught:
        resolve_place(query)
    assert caught.value.field == field
    assert field in str(caught.value)
    assert shown in str(caught.value)


@pytest.mark.parametrize("bad", ["", "   ", None, 42, ", FR"])
def test_empty_queries_are_input_errors(bad: object) -> None:
    with pytest.raises(InputError, match="place"):
        resolve_place(bad)  # type: ignore[arg-type]


def test_population_threshold() -> None:
    with pytest.raises(PlaceNotFoundError):
        resolve_place("Lisbon", min_population=1_000_000)  # 518 k people
    assert resolve_place("Paris", min_population=1_000_000).country_code == "FR"
    with pytest.raises(InputError, match="min_population"):
        resolve_place("Paris", min_population=100)


def test_place_validates_itself() -> None:
    paris = resolve_place("Paris")
    with pytest.raises(InputError, match=r"place\.latitude"):
        dataclasses.replace(paris, lat_deg=91.0)
    with pytest.raises(InputError, match=r"place\.longitude"):
        dataclasses.replace(paris, lon_deg=float("nan"))
    with pytest.raises(InputError, match=r"place\.kind"):
        dataclasses.replace(paris, kind="planet")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"place\.country_code"):
        dataclasses.replace(paris, country_code="fra")
    with pytest.raises(InputError, match=r"place\.locode"):
        dataclasses.replace(paris, kind="port")
    with pytest.raises(InputError, match=r"place\.population"):
        dataclasses.replace(paris, population=-1)
    assert Place("x", 0.0, 0.0, None, "coordinates").label() == "x"
