"""The curated HS 2022 nomenclature."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rocketpost.customs.hs import load_nomenclature, longest_prefix, nomenclature
from rocketpost.errors import InputError


def test_all_chapters_are_listed_with_the_reserved_ones() -> None:
    hs = nomenclature()
    assert sorted(hs.chapters) == [f"{i:02d}" for i in range(1, 100)]
    assert hs.is_reserved("77") and hs.is_reserved("98") and hs.is_reserved("99")
    assert not hs.is_reserved("61")


def test_curated_subheadings_cover_e_commerce_goods() -> None:
    hs = nomenclature()
    assert len(hs.subheadings) >= 300
    for code in ("610910", "640411", "420221", "910211", "330499", "851713", "851830", "850440",
                 "850760", "847130", "852872", "950300", "490199", "210690"):  # fmt: skip
        assert code in hs.subheadings, code
    assert all(code[:4] in hs.headings for code in hs.subheadings)
    assert hs.source.startswith("HS 2022")


def test_check_returns_the_description() -> None:
    assert "T-shirts" in nomenclature().check("610910")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("61091", "6-digit"),
        ("61091A", "6-digit"),
        ("770000", "reserved"),
        ("000000", "does not exist"),
        ("610999", "not a subheading of heading 6109"),
        ("847210", "heading 8472 is not in the shipped"),
    ],
)
def test_check_names_the_field_and_the_level(code: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as error:
        nomenclature().check(code, field="items[0].hs_code")
    assert error.value.field == "items[0].hs_code"
    assert error.value.value == code


def test_index_and_prefix_table() -> None:
    hs = nomenclature()
    index = hs.index(np.array([610910, 999999]))
    assert hs.codes[index[0]] == 610910 and index[1] == -1
    table = hs.prefix_table({"61": 1.0, "6109": 2.0}, 0.0)
    assert table[hs.index(np.array([610910]))[0]] == 2.0
    assert table[hs.index(np.array([610510]))[0]] == 1.0
    assert table[hs.index(np.array([640411]))[0]] == 0.0


def test_longest_prefix() -> None:
    assert longest_prefix("610910", {"61": 0, "6109": 0}) == "6109"
    assert longest_prefix("620342", {"61": 0}) is None


def test_describe_falls_back_to_heading_and_chapter() -> None:
    hs = nomenclature()
    assert hs.describe("6109") == hs.headings["6109"]
    assert hs.describe("61") == hs.chapters["61"]


def test_loader_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "hs.txt"
    path.write_text("01 | Live animals\n01 | again\n", encoding="utf-8")
    with pytest.raises(InputError, match="duplicate") as error:
        load_nomenclature(path)
    assert error.value.field == "hs.txt:2"
    path.write_text("01 Live animals\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"code \| description"):
        load_nomenclature(path)
    path.write_text("01 | Live animals\n010121 | Horses\n", encoding="utf-8")
    with pytest.raises(InputError, match="heading is not listed"):
        load_nomenclature(path)
