"""Dense lookup tables derived from the screening reference: the term vocabulary with each term's
brand, category bits, cue weight and vagueness, and per-HS-subheading arrays (brand reference
prices, allowed category bits). Built once when a screening reference is frozen, so that
screening a batch is one NumPy gather per table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from rocketpost.customs.hs import longest_prefix

if TYPE_CHECKING:
    from rocketpost.customs.reference import Brand, GoodsCategory

__all__ = ["allowed_bits_by_hs", "brand_reference_usd", "term_tables"]


def term_tables(
    brands: Sequence[Brand],
    categories: Sequence[GoodsCategory],
    cue_weights: Mapping[str, float],
    vague_terms: Sequence[str],
) -> dict[str, Any]:
    """The vocabulary and, per term, its brand, category bits, first category, cue weight and
    vagueness (the derived fields named ``vocabulary``, ``term_*``).

    Terms are numbered in order of first appearance: brands, categories, cues, vague words.
    """
    terms: dict[str, int] = {}

    def term_id(word: str) -> int:
        return terms.setdefault(word, len(terms))

    brand_of: dict[int, int] = {}
    bits_of: dict[int, int] = {}
    first_of: dict[int, int] = {}
    cue_of: dict[int, float] = {}
    vague_ids: set[int] = set()
    for b, brand in enumerate(brands):
        for word in brand.terms:
            brand_of.setdefault(term_id(word), b)
    for c, category in enumerate(categories):
        for word in category.keywords:
            t = term_id(word)
            bits_of[t] = bits_of.get(t, 0) | (1 << c)
            first_of.setdefault(t, c)
    for word, weight in cue_weights.items():
        cue_of[term_id(word)] = float(weight)
    for word in vague_terms:
        vague_ids.add(term_id(word))
    size = len(terms) + 1  # the last slot stands for "not in the vocabulary"
    term_brand = np.full(size, -1, dtype=np.int64)
    term_bits = np.zeros(size, dtype=np.int64)
    term_first = np.full(size, -1, dtype=np.int64)
    term_cue = np.zeros(size, dtype=np.float64)
    term_vague = np.zeros(size, dtype=bool)
    for t, b in brand_of.items():
        term_brand[t] = b
    for t, bits in bits_of.items():
        term_bits[t] = bits
        term_first[t] = first_of[t]
    for t, w in cue_of.items():
        term_cue[t] = w
    term_vague[list(vague_ids)] = True
    return {
        "vocabulary": pa.array(list(terms), type=pa.string()),
        "term_ids": dict(terms),
        "term_brand": term_brand,
        "term_category_bits": term_bits,
        "term_first_category": term_first,
        "term_cue": term_cue,
        "term_vague": term_vague,
    }


def brand_reference_usd(brands: Sequence[Brand], hs_codes: Sequence[str]) -> np.ndarray:
    """Brand × HS reference prices, with one extra all-NaN row so that brand index -1 maps to
    "none"."""
    brand_ref = np.full((len(brands) + 1, len(hs_codes)), np.nan)
    for b, brand in enumerate(brands):
        for k, code in enumerate(hs_codes):
            prefix = longest_prefix(code, brand.reference_usd)
            if prefix is not None:
                brand_ref[b, k] = brand.reference_usd[prefix]
    return brand_ref


def allowed_bits_by_hs(categories: Sequence[GoodsCategory], hs_codes: Sequence[str]) -> np.ndarray:
    """Per HS subheading, the bits of the goods categories whose HS prefixes cover it."""
    allowed = np.zeros(len(hs_codes), dtype=np.int64)
    for c, category in enumerate(categories):
        prefixes = dict.fromkeys(category.hs)
        for k, code in enumerate(hs_codes):
            if longest_prefix(code, prefixes) is not None:
                allowed[k] |= 1 << c
    return allowed
