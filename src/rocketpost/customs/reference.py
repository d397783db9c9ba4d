"""Screening reference data and vectorised description analysis.

Screening compares each line with reference data: protected brands and what their genuine
products cost (``brands.toml``), what goods keywords imply about the HS code and which words are
too vague to be a description (``goods_keywords.toml``), typical unit values and IP-infringement
risk per HS group, and the seller-trust prior (``screening.toml``).

Everything per HS code is precomputed as a dense array over the shipped subheadings (a few
hundred), so a batch looks it up with one NumPy gather per table. Descriptions are analysed once
per *distinct* description with Apache Arrow compute kernels (RE2 regex, C++ string splitting):
lower-case, punctuation → space, split into tokens, form adjacent two-word phrases, and map every
token and phrase through one vocabulary (``index_in``) to brand, category, counterfeit-cue and
vague-term ids. No per-row Python runs on this path, so a batch of 100,000 parcels with 100,000
different descriptions is still analysed in C++.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from rocketpost.customs._data import data_file
from rocketpost.customs.hs import HsNomenclature, nomenclature
from rocketpost.customs.reference_tables import allowed_bits_by_hs, brand_reference_usd, term_tables
from rocketpost.errors import InputError
from rocketpost.tomlfile import TomlReader, read_toml

__all__ = [
    "Brand",
    "DescriptionFeatures",
    "GoodsCategory",
    "ScreeningReference",
    "load_reference",
    "screening_reference",
]

MAX_CATEGORIES = 63
"""Categories are a bit set in an int64 per description."""

SMALL_INPUT = 48
"""Up to this many descriptions, analyse in Python: Arrow's per-call set-up (compiling the regex,
hashing the vocabulary) costs ~0.5 ms, more than the work itself for one booking."""

_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Brand:
    """A protected brand: the words that name it and its reference unit prices by HS prefix."""

    name: str
    terms: tuple[str, ...]
    reference_usd: Mapping[str, float]


@dataclass(frozen=True)
class GoodsCategory:
    """Keywords that name a kind of goods and the HS prefixes such goods are classified under."""

    name: str
    keywords: tuple[str, ...]
    hs: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class DescriptionFeatures:
    """What the vocabulary found in each distinct description (arrays aligned with the input).

    Attributes
    ----------
    brand
        Index into :attr:`ScreeningReference.brands` of the first brand named, or -1.
    brand_term
        Index into :attr:`ScreeningReference.vocabulary` of that brand's word, or -1.
    category_bits
        Bit *c* set when a keyword of category *c* occurs.
    first_category
        Index of the first category found (leftmost word), or -1.
    cue_weight, cue_term
        Strongest counterfeit cue ("replica") and its vocabulary index (-1 when none).
    vague, vague_term
        Whether a vague term occurs ("gift", "parts") and which one.
    """

    brand: np.ndarray
    brand_term: np.ndarray
    second_brand: np.ndarray
    second_brand_term: np.ndarray
    category_bits: np.ndarray
    first_category: np.ndarray
    cue_weight: np.ndarray
    cue_term: np.ndarray
    vague: np.ndarray
    vague_term: np.ndarray


@dataclass(frozen=True, eq=False)
class ScreeningReference:
    """All reference data screening needs, with HS tables laid out over ``hs.codes``.

    Parameters
    ----------
    hs
        The nomenclature whose sorted subheadings index every per-HS array.
    brands, categories
        From ``brands.toml`` and ``goods_keywords.toml``.
    vague_terms, cue_weights
        Vague words and counterfeit cue → weight.
    infringement_risk, typical_unit_value_usd
        HS prefix → value (``screening.toml``).
    seller_prior_alpha, seller_prior_beta
        Beta prior of the seller seizure rate.
    """

    hs: HsNomenclature
    brands: tuple[Brand, ...]
    categories: tuple[GoodsCategory, ...]
    vague_terms: tuple[str, ...]
    cue_weights: Mapping[str, float]
    infringement_risk: Mapping[str, float]
    typical_unit_value_usd: Mapping[str, float]
    seller_prior_alpha: float
    seller_prior_beta: float
    # Derived lookup tables.
    vocabulary: pa.Array = field(init=False, repr=False)
    term_brand: np.ndarray = field(init=False, repr=False)
    term_category_bits: np.ndarray = field(init=False, repr=False)
    term_first_category: np.ndarray = field(init=False, repr=False)
    term_cue: np.ndarray = field(init=False, repr=False)
    term_vague: np.ndarray = field(init=False, repr=False)
    term_ids: Mapping[str, int] = field(init=False, repr=False)
    brand_reference_usd: np.ndarray = field(init=False, repr=False)
    risk_by_hs: np.ndarray = field(init=False, repr=False)
    typical_usd_by_hs: np.ndarray = field(init=False, repr=False)
    allowed_bits_by_hs: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if len(self.categories) > MAX_CATEGORIES:
            raise InputError("categories", len(self.categories), f"at most {MAX_CATEGORIES}")
        hs_codes = [f"{c:06d}" for c in self.hs.codes]
        derived = {
            **term_tables(self.brands, self.categories, self.cue_weights, self.vague_terms),
            "brand_reference_usd": brand_reference_usd(self.brands, hs_codes),
            "risk_by_hs": self.hs.prefix_table(self.infringement_risk, 0.0),
            "typical_usd_by_hs": self.hs.prefix_table(self.typical_unit_value_usd, np.nan),
            "allowed_bits_by_hs": allowed_bits_by_hs(self.categories, hs_codes),
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @property
    def seller_prior_mean(self) -> float:
        """Prior mean seizure rate of a seller with no history."""
        return self.seller_prior_alpha / (self.seller_prior_alpha + self.seller_prior_beta)

    def term(self, index: int) -> str:
        """Vocabulary word at ``index``."""
        return str(self.vocabulary[index].as_py())

    def analyse(self, descriptions: Sequence[str] | pa.Array) -> DescriptionFeatures:
        """Find brands, categories, cues and vague terms in each description (vectorised).

        Tokens are maximal runs of letters or digits after lower-casing; two-word phrases are
        adjacent tokens joined by a space. The first match (leftmost token, a word before the
        phrase it starts) decides ``brand`` and ``first_category``. A handful of descriptions
        (≤ :data:`SMALL_INPUT`, a booking) takes an equivalent pure-Python path.
        """
        if not isinstance(descriptions, pa.Array) and len(descriptions) <= SMALL_INPUT:
            return self._analyse_small(descriptions)
        labels = (
            descriptions
            if isinstance(descriptions, pa.Array)
            else pa.array(descriptions, pa.string())
        )
        n = len(labels)
        cleaned = pc.replace_substring_regex(pc.utf8_lower(labels), r"[^\p{L}\p{N}]+", " ")
        tokens = pc.utf8_split_whitespace(cleaned)
        words = pc.list_flatten(tokens)
        owner = pc.list_parent_indices(tokens).to_numpy().astype(np.int64)
        if len(words) > 1:
            adjacent = owner[:-1] == owner[1:]
            pairs = pc.binary_join_element_wise(words[:-1], words[1:], " ")
            phrases = pc.filter(pairs, pa.array(adjacent))
            phrase_owner = owner[:-1][adjacent]
            phrase_position = np.flatnonzero(adjacent).astype(np.float64) + 0.5
        else:
            phrases = pa.array([], pa.string())
            phrase_owner = np.zeros(0, dtype=np.int64)
            phrase_position = np.zeros(0)
        all_terms = pa.concat_arrays([words, phrases])
        all_owner = np.concatenate([owner, phrase_owner])
        position = np.concatenate([np.arange(len(words), dtype=np.float64), phrase_position])
        missing = len(self.term_brand) - 1
        found = pc.index_in(all_terms, value_set=self.vocabulary)
        term = pc.fill_null(found, missing).to_numpy().astype(np.int64)
        hit = term != missing
        term, all_owner, position = term[hit], all_owner[hit], position[hit]
        order = np.argsort(position, kind="stable")  # leftmost match first
        term, all_owner = term[order], all_owner[order]

        brand = np.full(n, -1, dtype=np.int64)
        brand_term = np.full(n, -1, dtype=np.int64)
        second_brand = np.full(n, -1, dtype=np.int64)
        second_term = np.full(n, -1, dtype=np.int64)
        is_brand = self.term_brand[term] >= 0
        b_owner, b_term = all_owner[is_brand], term[is_brand]
        owners, first = np.unique(b_owner, return_index=True)
        brand[owners] = self.term_brand[b_term[first]]
        brand_term[owners] = b_term[first]
        other = self.term_brand[b_term] != brand[b_owner]
        owners, first = np.unique(b_owner[other], return_index=True)
        second_brand[owners] = self.term_brand[b_term[other][first]]
        second_term[owners] = b_term[other][first]

        bits = np.zeros(n, dtype=np.int64)
        np.bitwise_or.at(bits, all_owner, self.term_category_bits[term])
        first_category = np.full(n, -1, dtype=np.int64)
        is_category = self.term_first_category[term] >= 0
        owners, first = np.unique(all_owner[is_category], return_index=True)
        first_category[owners] = self.term_first_category[term[is_category][first]]

        cue_weight = np.zeros(n)
        cue_term = np.full(n, -1, dtype=np.int64)
        is_cue = self.term_cue[term] > 0
        if is_cue.any():
            weights = self.term_cue[term[is_cue]]
            strongest = np.lexsort((-weights, all_owner[is_cue]))
            owners, first = np.unique(all_owner[is_cue][strongest], return_index=True)
            cue_weight[owners] = weights[strongest][first]
            cue_term[owners] = term[is_cue][strongest][first]

        vague = np.zeros(n, dtype=bool)
        vague_term = np.full(n, -1, dtype=np.int64)
        is_vague = self.term_vague[term]
        owners, first = np.unique(all_owner[is_vague], return_index=True)
        vague[owners] = True
        vague_term[owners] = term[is_vague][first]
        return DescriptionFeatures(
            brand=brand,
            brand_term=brand_term,
            second_brand=second_brand,
            second_brand_term=second_term,
            category_bits=bits,
            first_category=first_category,
            cue_weight=cue_weight,
            cue_term=cue_term,
            vague=vague,
            vague_term=vague_term,
        )

    def _analyse_small(self, descriptions: Sequence[str]) -> DescriptionFeatures:
        """The same analysis in plain Python, for a handful of descriptions (booking calls)."""
        n = len(descriptions)
        out = {
            "brand": np.full(n, -1, dtype=np.int64),
            "brand_term": np.full(n, -1, dtype=np.int64),
            "second_brand": np.full(n, -1, dtype=np.int64),
            "second_brand_term": np.full(n, -1, dtype=np.int64),
            "category_bits": np.zeros(n, dtype=np.int64),
            "first_category": np.full(n, -1, dtype=np.int64),
            "cue_weight": np.zeros(n),
            "cue_term": np.full(n, -1, dtype=np.int64),
            "vague": np.zeros(n, dtype=bool),
            "vague_term": np.full(n, -1, dtype=np.int64),
        }
        for row, text in enumerate(descriptions):
            words = _TOKEN.findall(text.lower())
            # Words and the phrases they start, in reading order (a word before its phrase).
            found = []
            for i, word in enumerate(words):
                for term in (word, f"{word} {words[i + 1]}" if i + 1 < len(words) else None):
                    t = self.term_ids.get(term) if term is not None else None
                    if t is not None:
                        found.append(t)
            cue_best = 0.0
            for t in found:
                brand = int(self.term_brand[t])
                if brand >= 0:
                    if out["brand"][row] < 0:
                        out["brand"][row], out["brand_term"][row] = brand, t
                    elif out["second_brand"][row] < 0 and brand != out["brand"][row]:
                        out["second_brand"][row], out["second_brand_term"][row] = brand, t
                out["category_bits"][row] |= self.term_category_bits[t]
                if out["first_category"][row] < 0 and self.term_first_category[t] >= 0:
                    out["first_category"][row] = self.term_first_category[t]
                if self.term_cue[t] > cue_best:
                    cue_best = float(self.term_cue[t])
                    out["cue_weight"][row], out["cue_term"][row] = cue_best, t
                if self.term_vague[t] and not out["vague"][row]:
                    out["vague"][row], out["vague_term"][row] = True, t
        return DescriptionFeatures(**out)


def _words(reader: TomlReader, values: Any, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise reader.error(where, values, "must be a list of words")
    out = []
    for value in values:
        # Terms are matched against cleaned, lower-cased tokens: store them the same way.
        words = "".join(ch if ch.isalnum() else " " for ch in value.lower()).split()
        if not 1 <= len(words) <= 2:
            raise reader.error(where, value, "terms are one word or a two-word phrase")
        out.append(" ".join(words))
    return tuple(out)


def _prefix_numbers(reader: TomlReader, table: Any, where: str) -> dict[str, float]:
    if not isinstance(table, Mapping):
        raise reader.error(where, table, "must be a table of HS prefix = number")
    out = {}
    for key, value in table.items():
        if not (isinstance(key, str) and key.isdigit() and 2 <= len(key) <= 6):
            raise reader.error(f"{where}.{key}", key, "keys are HS prefixes of 2-6 digits")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise reader.error(f"{where}.{key}", value, "must be a number") from None
        if not np.isfinite(number) or number < 0:
            raise reader.error(f"{where}.{key}", value, "must be a finite number ≥ 0")
        out[key] = number
    return out


def _optional_table(reader: TomlReader, document: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``document[key]`` when present (it must then be a table), else an empty table."""
    return reader.table(document, key) if key in document else {}


def _read(path: Path | str) -> tuple[dict[str, Any], TomlReader]:
    """A reference file parsed by the shared TOML reader, and a reader naming it in errors."""
    name = Path(path).name
    return read_toml(Path(path), file=name), TomlReader(name)


def load_reference(
    brands_path: Path | str,
    keywords_path: Path | str,
    screening_path: Path | str,
    hs: HsNomenclature | None = None,
) -> ScreeningReference:
    """Read the three screening reference files.

    Raises
    ------
    ConfigFileError
        Naming the file, the key path (``brand[3].terms``) and the value.
    """
    brands_data, brands_file = _read(brands_path)
    keywords, keywords_file = _read(keywords_path)
    screening, screening_file = _read(screening_path)
    brands = []
    for i, entry in enumerate(brands_file.array_of_tables(brands_data, "brand")):
        where = f"brand[{i}]"
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            raise brands_file.error(f"{where}.name", name, "is required")
        brands.append(
            Brand(
                name=name,
                terms=_words(brands_file, entry.get("terms"), f"{where}.terms"),
                reference_usd=_prefix_numbers(
                    brands_file, entry.get("reference_usd", {}), f"{where}.reference_usd"
                ),
            )
        )
    categories = []
    for i, entry in enumerate(keywords_file.array_of_tables(keywords, "category")):
        where = f"category[{i}]"
        hs_prefixes = entry.get("hs")
        if not isinstance(hs_prefixes, list) or not all(
            isinstance(p, str) and p.isdigit() and 2 <= len(p) <= 6 for p in hs_prefixes
        ):
            raise keywords_file.error(f"{where}.hs", hs_prefixes, "must be a list of HS prefixes")
        categories.append(
            GoodsCategory(
                name=str(entry.get("name", f"category {i}")),
                keywords=_words(keywords_file, entry.get("keywords"), f"{where}.keywords"),
                hs=tuple(hs_prefixes),
            )
        )
    cues_raw = _optional_table(keywords_file, keywords, "counterfeit_cues")
    cue_terms = _words(keywords_file, list(cues_raw), "counterfeit_cues")
    cues = {
        term: keywords_file.typed(f"counterfeit_cues.{key}", weight, float)
        for term, (key, weight) in zip(cue_terms, cues_raw.items(), strict=True)
    }
    vague = _optional_table(keywords_file, keywords, "vague")
    prior = _optional_table(screening_file, screening, "seller_prior")
    alpha = screening_file.typed("seller_prior.alpha", prior.get("alpha", 1.0), float)
    beta = screening_file.typed("seller_prior.beta", prior.get("beta", 19.0), float)
    if not (alpha > 0 and beta > 0):
        raise screening_file.error("seller_prior", dict(prior), "alpha and beta must be positive")
    return ScreeningReference(
        hs=hs or nomenclature(),
        brands=tuple(brands),
        categories=tuple(categories),
        vague_terms=_words(keywords_file, vague.get("terms", []), "vague.terms"),
        cue_weights=cues,
        infringement_risk=_prefix_numbers(
            screening_file, screening.get("infringement_risk", {}), "infringement_risk"
        ),
        typical_unit_value_usd=_prefix_numbers(
            screening_file, screening.get("typical_unit_value_usd", {}), "typical_unit_value_usd"
        ),
        seller_prior_alpha=alpha,
        seller_prior_beta=beta,
    )


@lru_cache(maxsize=1)
def screening_reference() -> ScreeningReference:
    """The shipped screening reference data (loaded once)."""
    return load_reference(
        data_file("brands.toml"), data_file("goods_keywords.toml"), data_file("screening.toml")
    )
