"""Field parsing: each column becomes values plus masks over all rows, with no per-row Python.

The parsers return ``(values, ok)`` masks (``ok`` is True where the field is absent: "missing"
is another rule's business), so each validation rule is one vectorised expression. Text columns
are handled as dictionary codes (:class:`Coded`): each distinct string is checked once.
Shared by the orders and inventory readers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from rocketpost.orders.io.rows import RawRows
from rocketpost.orders.model import DANGEROUS_GOODS_CLASSES
from rocketpost.orders.table import MICROS_PER_UNIT

__all__ = [
    "Coded",
    "Fields",
    "is_in",
    "known_countries",
    "known_currencies",
    "known_dangerous_goods_classes",
    "np_bool",
    "original_text",
    "parse_float",
    "parse_int",
    "parse_money",
    "parse_timestamp",
    "to_str",
]


_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
_INTEGER = r"^[+-]?\d{1,18}$"
_MONEY = r"^\+?\d{1,12}(\.\d{0,6}0*)?$"
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$"
_NAIVE_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"


class Fields:
    """Lazy views of a file's columns: trimmed text and presence, computed once when needed.

    Typed columns (Parquet, JSON numbers) are parsed from their values directly; their text is
    only made for columns that are parsed as text (and, for messages, for rejected rows).
    """

    def __init__(self, raw: RawRows) -> None:
        self.raw = raw
        self.n = len(raw.line)
        self._text: dict[str, pa.Array] = {}
        self._present: dict[str, NDArray[np.bool_]] = {}

    def array(self, name: str) -> pa.Array | None:
        """The column as read (``None`` when the file has no such column)."""
        return self.raw.values.get(name)

    def typed(self, name: str) -> bool:
        """Whether the column holds typed values rather than text."""
        array = self.array(name)
        return array is not None and not _is_text_type(array.type)

    def text(self, name: str) -> pa.Array:
        """Trimmed text of the column; ``""`` where absent or null."""
        if name not in self._text:
            array = self.array(name)
            if array is None:
                self._text[name] = pa.nulls(self.n, pa.string()).fill_null("")
            else:
                self._text[name] = pc.utf8_trim_whitespace(original_text(array))
        return self._text[name]

    def present(self, name: str) -> NDArray[np.bool_]:
        """Rows where the column has a value (non-empty after trimming)."""
        if name not in self._present:
            array = self.array(name)
            if array is None:
                self._present[name] = np.zeros(self.n, dtype=bool)
            elif self.typed(name):
                self._present[name] = np_bool(array.is_valid())
            else:
                lengths = pc.utf8_length(self.text(name)).to_numpy(zero_copy_only=False)
                self._present[name] = np.asarray(lengths > 0)
        return self._present[name]


def _is_text_type(kind: pa.DataType) -> bool:
    return bool(
        pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    )


def np_bool(array: pa.Array) -> NDArray[np.bool_]:
    """An Arrow boolean array as NumPy (null is False)."""
    return np.asarray(array.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _cast_all(
    text: pa.Array, present: NDArray[np.bool_], kind: pa.DataType | None
) -> pa.Array | None:
    """Whole-column conversion of the present values (``kind`` None: a ``…Z``/offset time).

    The common case — a clean column — costs one Arrow cast; ``None`` means some value did not
    convert and the caller's row-by-row masks must find which.
    """
    values = pc.if_else(pa.array(present), text, pa.scalar(None, pa.string()))
    try:
        if kind is None:
            return pc.strptime(values, format="%Y-%m-%dT%H:%M:%S%z", unit="s")
        if pa.types.is_integer(kind) and np_bool(pc.match_substring(values, ".")).any():
            return None  # "2.0" casts to 2 in some Arrow versions; a quantity must be whole
        return pc.cast(values, kind)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def parse_float(fields: Fields, name: str) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Values (NaN where unusable) and a parse-ok mask (True where absent: another rule)."""
    raw = fields.array(name)
    if raw is not None and (pa.types.is_floating(raw.type) or pa.types.is_integer(raw.type)):
        values = pc.cast(raw, pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        values = np.asarray(values, dtype=np.float64)
        return values, ~fields.present(name) | np.isfinite(values)
    text = fields.text(name)
    fast = _cast_all(text, fields.present(name), pa.float64())
    if fast is not None:
        values = np.asarray(fast.fill_null(np.nan).to_numpy(zero_copy_only=False), np.float64)
        return values, ~fields.present(name) | np.isfinite(values)
    ok = np_bool(pc.match_substring_regex(text, _NUMBER)) if fields.n else np.zeros(0, bool)
    values = np.full(fields.n, np.nan)
    if ok.any():
        parsed = pc.cast(pc.if_else(pa.array(ok), text, pa.scalar(None, pa.string())), pa.float64())
        values = np.asarray(
            parsed.fill_null(np.nan).to_numpy(zero_copy_only=False), dtype=np.float64
        )
    ok = ok & np.isfinite(values)
    return values, ok | ~fields.present(name)


def parse_int(fields: Fields, name: str) -> tuple[NDArray[np.int64], NDArray[np.bool_]]:
    """Whole numbers; a parse-ok mask (True where absent)."""
    raw = fields.array(name)
    n = fields.n
    if raw is not None and pa.types.is_integer(raw.type):
        values = np.asarray(pc.cast(raw, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
        return values, np.ones(n, dtype=bool)
    if raw is not None and pa.types.is_floating(raw.type):
        floats = np.asarray(pc.cast(raw, pa.float64()).fill_null(0.0).to_numpy(), dtype=np.float64)
        ok = np.isfinite(floats) & (floats == np.round(floats)) & (np.abs(floats) < 2**53)
        return np.where(ok, floats, 0).astype(np.int64), ok | ~fields.present(name)
    text = fields.text(name)
    fast = _cast_all(text, fields.present(name), pa.int64())
    if fast is not None:
        return np.asarray(fast.fill_null(0).to_numpy(), dtype=np.int64), np.ones(n, dtype=bool)
    ok = np_bool(pc.match_substring_regex(text, _INTEGER)) if n else np.zeros(0, dtype=bool)
    values = np.zeros(n, dtype=np.int64)
    if ok.any():
        parsed = pc.cast(pc.if_else(pa.array(ok), text, pa.scalar("0")), pa.int64())
        values = np.asarray(parsed.to_numpy(), dtype=np.int64)
    return values, ok | ~fields.present(name)


def parse_money(
    fields: Fields, name: str
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Exact micros from decimal text (typed decimals and floats go through their text).

    Returns the micros and two masks: parsed ok (True where absent), negative.
    """
    text = fields.text(name)
    n = fields.n
    present = fields.present(name)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool)
    negative = np_bool(pc.match_substring_regex(text, r"^-\s*(\d|\.\d)")) & present
    ok = np_bool(pc.match_substring_regex(text, _MONEY))
    micros = np.zeros(n, dtype=np.int64)
    if ok.any():
        clean = pc.if_else(pa.array(ok), pc.replace_substring(text, "+", ""), pa.scalar("0"))
        # Give every amount a dot so that the split always yields [whole, fraction].
        dotted = pc.if_else(
            pc.match_substring(clean, "."), clean, pc.binary_join_element_wise(clean, ".", "")
        )
        parts = pc.split_pattern(dotted, ".", max_splits=1)
        whole = pc.list_element(parts, 0)
        whole = pc.if_else(pc.equal(pc.utf8_length(whole), 0), pa.scalar("0"), whole)
        fraction = pc.list_element(parts, 1)
        fraction = pc.utf8_slice_codeunits(pc.utf8_rpad(fraction, 6, "0"), 0, 6)
        micros = np.asarray(pc.cast(whole, pa.int64()).to_numpy(), dtype=np.int64) * MICROS_PER_UNIT
        micros += np.asarray(pc.cast(fraction, pa.int64()).to_numpy(), dtype=np.int64)
    return micros, ok | ~present, negative


def parse_timestamp(
    fields: Fields, name: str
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Epoch seconds; masks: ok (True where absent), and "a time without a UTC offset"."""
    raw = fields.array(name)
    n = fields.n
    present = fields.present(name)
    if raw is not None and pa.types.is_timestamp(raw.type):
        if raw.type.tz is None:
            return np.zeros(n, np.int64), ~present, present
        seconds = pc.cast(pc.cast(raw, pa.timestamp(raw.type.unit, "UTC")), pa.int64())
        divisor = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[raw.type.unit]
        values = np.asarray(seconds.fill_null(0).to_numpy(), dtype=np.int64) // divisor
        return values, np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, bool)
    fast = _cast_all(fields.text(name), present, None)
    if fast is not None:
        values = np.asarray(pc.cast(fast, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
        return values, np.ones(n, dtype=bool), np.zeros(n, dtype=bool)
    upper = pc.utf8_upper(fields.text(name))
    shaped = np_bool(pc.match_substring_regex(upper, _TIMESTAMP))
    naive = np_bool(pc.match_substring_regex(upper, _NAIVE_TIMESTAMP)) & ~shaped
    clean = pc.replace_substring_regex(upper, r"\.\d+", "")
    clean = pc.replace_substring_regex(clean, r"^(\d{4}-\d{2}-\d{2}) ", r"\1T")
    clean = pc.replace_substring_regex(
        clean, r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(Z|[+-])", r"\1:00\2"
    )
    clean = pc.if_else(pa.array(shaped), clean, pa.scalar(None, pa.string()))
    parsed = pc.strptime(clean, format="%Y-%m-%dT%H:%M:%S%z", unit="s", error_is_null=True)
    ok = np.asarray(parsed.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    values = np.asarray(pc.cast(parsed, pa.int64()).fill_null(0).to_numpy(), dtype=np.int64)
    return values, ok | ~present, naive


@lru_cache(maxsize=1)
def known_currencies() -> pa.Array:
    """ISO 4217 codes (pycountry), loaded once."""
    import pycountry

    return pa.array(sorted(c.alpha_3 for c in pycountry.currencies), pa.string())


@lru_cache(maxsize=1)
def known_countries() -> pa.Array:
    """ISO 3166-1 alpha-2 codes the world data knows (``XK`` included), loaded once."""
    from rocketpost.world.countries import country_codes

    return pa.array(sorted(country_codes()), pa.string())


def is_in(text: pa.Array, allowed: pa.Array) -> NDArray[np.bool_]:
    """Rows whose text is one of ``allowed``."""
    return np_bool(pc.is_in(text, value_set=allowed))


@dataclass(frozen=True, eq=False)
class Coded:
    """A text column as dictionary codes: each distinct string is handled once.

    Comparing codes compares texts; turning the column into NumPy unicode converts each distinct
    string once and then indexes (a million rows of a few hundred SKUs cost a gather, not a
    million Python strings).
    """

    codes: NDArray[np.int64]
    dictionary: pa.Array

    @classmethod
    def of(cls, text: pa.Array) -> Coded:
        encoded = pc.dictionary_encode(text.fill_null(""))
        codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        return cls(codes=codes, dictionary=encoded.dictionary)

    @property
    def words(self) -> NDArray[np.str_]:
        return to_str(self.dictionary)

    def strings(self, rows: NDArray[np.intp] | None = None) -> NDArray[np.str_]:
        """The texts of ``rows`` (all rows by default) as NumPy unicode."""
        words = self.words
        if not len(words):
            return np.zeros(len(self.codes) if rows is None else len(rows), dtype="<U1")
        return words[self.codes if rows is None else self.codes[rows]]

    def isin(self, allowed: pa.Array) -> NDArray[np.bool_]:
        return np_bool(pc.is_in(self.dictionary, value_set=allowed))[self.codes]

    def matches(self, pattern: str) -> NDArray[np.bool_]:
        return np_bool(pc.match_substring_regex(self.dictionary, pattern))[self.codes]


@lru_cache(maxsize=1)
def known_dangerous_goods_classes() -> pa.Array:
    """The UN hazard classes and divisions an item may carry."""
    return pa.array(sorted(DANGEROUS_GOODS_CLASSES), pa.string())


def to_str(array: pa.Array) -> NDArray[np.str_]:
    """Arrow text -> fixed-width NumPy unicode (no object array survives).

    Goes through Python strings: use it on small arrays (dictionaries, see :class:`Coded`).
    """
    if len(array) == 0:
        return np.zeros(0, dtype="<U1")
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=str)


def original_text(array: pa.Array) -> pa.Array:
    """A column as the text a person would recognise (untrimmed; null -> "")."""
    if pa.types.is_string(array.type):
        return array.fill_null("")
    if pa.types.is_timestamp(array.type) and array.type.tz is not None:
        return pc.strftime(array, format="%Y-%m-%dT%H:%M:%SZ").fill_null("")
    try:
        return pc.cast(array, pa.string()).fill_null("")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        texts = ["" if v is None else str(v) for v in array.to_pylist()]
        return pa.array(texts, pa.string())
