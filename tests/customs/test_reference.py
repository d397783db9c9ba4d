"""Screening reference data and the vectorised description analysis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from rocketpost.customs.reference import load_reference, screening_reference
from rocketpost.errors import ConfigFileError, InputError


def _brand(name_index: int) -> str:
    return screening_reference().brands[name_index].name if name_index >= 0 else ""


def test_brands_are_found_as_whole_words_and_phrases() -> None:
    ref = screening_reference()
    f = ref.analyse(
        ["ROLEX Submariner", "Ray-Ban sunglasses", "louis  vuitton bag", "SK-II essence",
         "Hermès scarf", "apples and pears", "rolexx watch"]
    )  # fmt: skip
    assert [_brand(int(b)) for b in f.brand] == [
        "Rolex", "Ray-Ban", "Louis Vuitton", "SK-II", "Hermès", "", "",
    ]  # fmt: skip
    assert ref.term(int(f.brand_term[0])) == "rolex"


def test_second_brand_slot() -> None:
    f = screening_reference().analyse(["Nike Air Jordan 1", "Nike shoes"])
    assert _brand(int(f.brand[0])) == "Nike" and _brand(int(f.second_brand[0])) == "Air Jordan"
    assert f.second_brand[1] == -1


def test_categories_cues_and_vague_terms() -> None:
    ref = screening_reference()
    names = [c.name for c in ref.categories]
    f = ref.analyse(["cotton T-shirt", "AAA replica watch", "gift", "coffee maker", "", "1:1 bag"])
    assert f.first_category[0] == names.index("apparel")
    assert f.category_bits[0] & (1 << names.index("apparel"))
    assert f.cue_weight[1] == 1.0 and ref.term(int(f.cue_term[1])) == "replica"  # strongest cue
    assert f.vague[2] and not f.vague[0] and f.category_bits[2] == 0
    bits = int(f.category_bits[3])
    assert bits & (1 << names.index("food")) and bits & (1 << names.index("appliances"))
    assert f.category_bits[4] == 0 and f.brand[4] == -1
    assert f.cue_weight[5] == pytest.approx(0.8)


def test_empty_input() -> None:
    f = screening_reference().analyse([])
    assert len(f.brand) == 0 and len(f.category_bits) == 0


def test_hs_tables_are_dense_over_the_nomenclature() -> None:
    ref = screening_reference()
    hs = ref.hs
    k = hs.index(np.array([420221, 610910, 490199]))
    assert ref.risk_by_hs[k[0]] == pytest.approx(0.9)
    assert ref.typical_usd_by_hs[k[0]] == pytest.approx(200)
    assert np.isnan(ref.typical_usd_by_hs[hs.index(np.array([392690]))[0]])
    rolex = [b.name for b in ref.brands].index("Rolex")
    assert np.isnan(ref.brand_reference_usd[rolex, k[1]])  # no Rolex reference for T-shirts
    assert np.isnan(ref.brand_reference_usd[-1]).all()  # the "no brand" row
    books = [c.name for c in ref.categories].index("books")
    assert ref.allowed_bits_by_hs[k[2]] & (1 << books)


def test_seller_prior() -> None:
    assert screening_reference().seller_prior_mean == pytest.approx(0.05)


def test_loader_errors(tmp_path: Path) -> None:
    brands = tmp_path / "b.toml"
    keywords = tmp_path / "k.toml"
    screening = tmp_path / "s.toml"
    keywords.write_text(
        '[[category]]\nname = "x"\nkeywords = ["a"]\nhs = ["61"]\n', encoding="utf-8"
    )
    screening.write_text("[infringement_risk]\n'61' = 0.5\n", encoding="utf-8")
    brands.write_text('[[brand]]\nname = "B"\nterms = ["three word term"]\n', encoding="utf-8")
    with pytest.raises(InputError, match="two-word"):
        load_reference(brands, keywords, screening)
    brands.write_text('[[brand]]\nname = "B"\nterms = ["b"]\n[brand.reference_usd]\n"6" = "1"\n',
                      encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError, match="HS prefixes"):
        load_reference(brands, keywords, screening)
    brands.write_text('[[brand]]\nname = "B"\nterms = ["b"]\n', encoding="utf-8")
    assert load_reference(brands, keywords, screening).brands[0].name == "B"


def test_loader_errors_name_file_key_path_and_value(tmp_path: Path) -> None:
    files = {name: tmp_path / f"{name}.toml" for name in ("b", "k", "s")}
    files["b"].write_text('[[brand]]\nname = "B"\nterms = ["a b c"]\n', encoding="utf-8")
    files["k"].write_text("[vague]\nterms = []\n", encoding="utf-8")
    files["s"].write_text("[seller_prior]\nalpha = '1'\n", encoding="utf-8")
    with pytest.raises(ConfigFileError) as error:
        load_reference(files["b"], files["k"], files["s"])
    assert str(error.value) == (
        "b.toml: brand[0].terms: terms are one word or a two-word phrase (got 'a b c')"
    )
    files["b"].write_text('[[brand]]\nname = "B"\nterms = ["b"]\n', encoding="utf-8")
    with pytest.raises(ConfigFileError, match="must be a number") as error:
        load_reference(files["b"], files["k"], files["s"])
    assert (error.value.file, error.value.field) == ("s.toml", "seller_prior.alpha")
    files["k"].write_text("[vague\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match="not valid TOML") as error:
        load_reference(files["b"], files["k"], files["s"])
    assert error.value.file == "k.toml"


def test_python_and_arrow_paths_agree() -> None:
    ref = screening_reference()
    descriptions = [
        "Nike Air Jordan 1", "AAA replica 1:1 Rolex", "gift sample", "Hermès scarf", "", "   ",
        "SK-II essence", "louis  vuitton", "e-cigarette vape", "apple apple juice samsung",
        "USB-C charger for iPhone", "coffee maker", "T-SHIRT", "hoodie_supreme",
        "dupe perfume fake",
    ]  # fmt: skip
    arrow = ref.analyse(pa.array(descriptions, pa.string()))  # the vectorised path
    python = ref.analyse(descriptions)  # few descriptions: the Python path
    for name in arrow.__dataclass_fields__:
        np.testing.assert_array_equal(getattr(arrow, name), getattr(python, name), err_msg=name)
