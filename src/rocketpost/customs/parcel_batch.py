"""Parcels as columns: the batch screening works on, built from declarations or plain columns.

Per-parcel and per-line NumPy arrays, lines grouped by parcel, string columns dictionary-encoded
(integer codes plus a tuple of labels) with Arrow's hashing, so that screening never runs Python
per parcel: per-HS lookups are gathers, per-parcel reductions ``np.*.reduceat`` over the line
offsets (:attr:`ParcelBatch.line_start`). Everything is validated once, here, naming the column
and the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa

from rocketpost.customs.declaration import Declaration
from rocketpost.customs.hs import HsNomenclature, nomenclature
from rocketpost.errors import InputError

__all__ = ["ParcelBatch"]


SMALL_COLUMN = 64
"""Columns up to this many plain strings are encoded with a Python dict rather than Arrow:
the same codes and labels (first-appearance order), without Arrow's fixed cost per call, which
dominated screening one parcel (a quote)."""


def _categorical(values: Any, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes and labels of a string column (Arrow hashing, no Python loop per row)."""
    if (
        isinstance(values, list | tuple)
        and len(values) <= SMALL_COLUMN
        and all(type(v) is str for v in values)
    ):
        index: dict[str, int] = {}
        codes = [index.setdefault(v, len(index)) for v in values]
        return np.array(codes, dtype=np.int64), tuple(index)
    array = (
        values
        if isinstance(values, pa.Array)
        else pa.array(np.asarray(values, dtype=object), pa.string())
    )
    if array.null_count:
        raise InputError(name, None, "must not contain missing values")
    encoded = array.dictionary_encode()
    return encoded.indices.to_numpy().astype(np.int64), tuple(encoded.dictionary.to_pylist())


@dataclass(frozen=True, eq=False)
class ParcelBatch:
    """Parcels as columns: per-parcel arrays of length n, per-line arrays of length m.

    Lines are grouped by parcel (``line_parcel`` non-decreasing) and every parcel has at least one
    line. String columns are categorical: integer codes plus a tuple of labels.

    Parameters
    ----------
    parcel_id
        (n,) parcel / declaration ids.
    destination, destinations
        Importing-country codes and labels (ISO alpha-2).
    origin, origins
        Origin-country codes and labels.
    seller, sellers
        Seller codes and ids.
    import_date
        (n,) ``datetime64[D]`` local import dates (they select the rules in force).
    scanned_gross_mass_kg
        (n,) scanned gross mass; NaN where the parcel has not been weighed yet (booking time).
    line_parcel
        (m,) parcel index of each line.
    hs_code
        (m,) 6-digit HS codes as integers (validated against the nomenclature).
    description, descriptions
        Line description codes and labels.
    unit_value_usd, quantity, unit_mass_kg
        (m,) declared unit value in USD (float: screening scores risk, duties use ``Decimal``),
        units, declared unit mass.
    """

    parcel_id: np.ndarray
    destination: np.ndarray
    destinations: tuple[str, ...]
    origin: np.ndarray
    origins: tuple[str, ...]
    seller: np.ndarray
    sellers: tuple[str, ...]
    import_date: np.ndarray
    scanned_gross_mass_kg: np.ndarray
    line_parcel: np.ndarray
    hs_code: np.ndarray
    description: np.ndarray
    descriptions: tuple[str, ...]
    unit_value_usd: np.ndarray
    quantity: np.ndarray
    unit_mass_kg: np.ndarray
    hs: HsNomenclature | None = None
    hs_index: np.ndarray = field(init=False, repr=False)
    line_start: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.parcel_id)
        m = len(self.line_parcel)
        for name in ("destination", "origin", "seller", "import_date", "scanned_gross_mass_kg"):
            if len(getattr(self, name)) != n:
                raise InputError(
                    name, len(getattr(self, name)), f"needs one entry per parcel ({n})"
                )
        for name in ("hs_code", "description", "unit_value_usd", "quantity", "unit_mass_kg"):
            if len(getattr(self, name)) != m:
                raise InputError(name, len(getattr(self, name)), f"needs one entry per line ({m})")
        for codes, labels in (
            ("destination", "destinations"),
            ("origin", "origins"),
            ("seller", "sellers"),
            ("description", "descriptions"),
        ):
            values = np.asarray(getattr(self, codes))
            if values.size and (values.min() < 0 or values.max() >= len(getattr(self, labels))):
                raise InputError(codes, int(values.max()), f"codes must index {labels}")
        parcels = np.asarray(self.line_parcel, dtype=np.int64)
        steps = np.diff(parcels)
        if n == 0:
            if m:
                raise InputError("line_parcel", m, "lines without parcels")
        else:
            if (
                m == 0
                or parcels[0] != 0
                or parcels[-1] != n - 1
                or ((steps != 0) & (steps != 1)).any()
            ):
                raise InputError(
                    "line_parcel",
                    "…",
                    "must be grouped and sorted by parcel, each parcel with ≥ 1 line",
                )
        hs = self.hs or nomenclature()
        index = hs.index(np.asarray(self.hs_code))
        if (index < 0).any():
            bad = int(np.flatnonzero(index < 0)[0])
            raise InputError(
                f"hs_code[{bad}]",
                int(self.hs_code[bad]),
                "not a subheading in the shipped HS 2022 data",
            )
        for name, strictly in (
            ("unit_value_usd", False),
            ("unit_mass_kg", True),
            ("quantity", True),
        ):
            values = np.asarray(getattr(self, name), dtype=np.float64)
            ok = np.isfinite(values) & ((values > 0) if strictly else (values >= 0))
            if not ok.all():
                bad = int(np.flatnonzero(~ok)[0])
                raise InputError(
                    f"{name}[{bad}]",
                    float(values[bad]),
                    "must be finite and " + ("> 0" if strictly else "≥ 0"),
                )
        scanned = np.asarray(self.scanned_gross_mass_kg, dtype=np.float64)
        bad_scan = ~np.isnan(scanned) & ~(np.isfinite(scanned) & (scanned > 0))
        if bad_scan.any():
            bad = int(np.flatnonzero(bad_scan)[0])
            raise InputError(
                f"scanned_gross_mass_kg[{bad}]",
                float(scanned[bad]),
                "must be > 0 or NaN (not scanned)",
            )
        object.__setattr__(self, "scanned_gross_mass_kg", scanned)
        object.__setattr__(self, "hs", hs)
        object.__setattr__(self, "hs_index", index)
        starts = (
            np.flatnonzero(np.concatenate(([True], steps != 0))) if m else np.zeros(0, np.int64)
        )
        object.__setattr__(self, "line_start", starts.astype(np.int64))

    @property
    def nomenclature(self) -> HsNomenclature:
        """The HS data the codes were validated against."""
        if self.hs is None:  # pragma: no cover - set in __post_init__
            raise InputError("hs", None, "missing nomenclature")
        return self.hs

    @property
    def n_parcels(self) -> int:
        """Number of parcels."""
        return len(self.parcel_id)

    @property
    def n_lines(self) -> int:
        """Number of lines."""
        return len(self.line_parcel)

    def line_slice(self, parcel: int) -> slice:
        """Lines of parcel number ``parcel``."""
        end = self.line_start[parcel + 1] if parcel + 1 < self.n_parcels else self.n_lines
        return slice(int(self.line_start[parcel]), int(end))

    def with_scanned_mass(
        self, scanned_gross_mass_kg: Sequence[float | None] | np.ndarray
    ) -> ParcelBatch:
        """A copy with new scanned masses (``None`` / NaN = not scanned)."""
        return replace(self, scanned_gross_mass_kg=_scanned(scanned_gross_mass_kg, self.n_parcels))

    # Each keyword is one column of the batch, as in the dataclass's own constructor: a
    # parameter object would only repeat the column list (hence the PLR0913 exemption).
    # Each keyword is one column of the batch, as in the dataclass's own constructor: a
    # parameter object would only repeat the column list (hence the PLR0913 exemption).
    @classmethod
    def from_columns(  # noqa: PLR0913
        cls,
        *,
        parcel_id: Sequence[str] | np.ndarray,
        destination: Sequence[str] | np.ndarray,
        origin: Sequence[str] | np.ndarray,
        seller: Sequence[str] | np.ndarray,
        import_date: Sequence[date] | np.ndarray,
        line_parcel: Sequence[int] | np.ndarray,
        hs_code: Sequence[int | str] | np.ndarray,
        description: Sequence[str] | np.ndarray,
        unit_value_usd: Sequence[float] | np.ndarray,
        quantity: Sequence[int] | np.ndarray,
        unit_mass_kg: Sequence[float] | np.ndarray,
        scanned_gross_mass_kg: Sequence[float | None] | np.ndarray | None = None,
    ) -> ParcelBatch:
        """Build from plain columns; string columns are dictionary-encoded here."""
        dest, dests = _categorical(destination, "destination")
        orig, origs = _categorical(origin, "origin")
        sell, sells = _categorical(seller, "seller")
        desc, descs = _categorical(description, "description")
        n = len(parcel_id)
        return cls(
            parcel_id=np.asarray(parcel_id, dtype=object),
            destination=dest,
            destinations=dests,
            origin=orig,
            origins=origs,
            seller=sell,
            sellers=sells,
            import_date=np.asarray(import_date, dtype="datetime64[D]"),
            scanned_gross_mass_kg=_scanned(scanned_gross_mass_kg, n),
            line_parcel=np.asarray(line_parcel, dtype=np.int64),
            hs_code=np.asarray(hs_code).astype(np.int64),
            description=desc,
            descriptions=descs,
            unit_value_usd=np.asarray(unit_value_usd, dtype=np.float64),
            quantity=np.asarray(quantity, dtype=np.int64),
            unit_mass_kg=np.asarray(unit_mass_kg, dtype=np.float64),
        )

    @classmethod
    def from_declarations(
        cls,
        declarations: Sequence[Declaration],
        *,
        scanned_gross_mass_kg: Sequence[float | None] | np.ndarray | None = None,
    ) -> ParcelBatch:
        """Build from declarations (one parcel each); one Python pass over the lines."""
        lines = [(p, line) for p, d in enumerate(declarations) for line in d.lines]
        return cls.from_columns(
            parcel_id=[d.declaration_id for d in declarations],
            destination=[d.destination_country for d in declarations],
            origin=[d.origin_country for d in declarations],
            seller=[d.seller_id for d in declarations],
            import_date=[d.import_date for d in declarations],
            scanned_gross_mass_kg=scanned_gross_mass_kg,
            line_parcel=[p for p, _ in lines],
            hs_code=[int(line.hs_code) for _, line in lines],
            description=[line.description for _, line in lines],
            unit_value_usd=[float(line.unit_value_usd) for _, line in lines],
            quantity=[line.quantity for _, line in lines],
            unit_mass_kg=[line.unit_mass_kg for _, line in lines],
        )


def _scanned(values: Sequence[float | None] | np.ndarray | None, n: int) -> np.ndarray:
    if values is None:
        return np.full(n, np.nan)
    array = (
        np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        if not isinstance(values, np.ndarray)
        else values.astype(np.float64)
    )
    if array.shape != (n,):
        raise InputError("scanned_gross_mass_kg", array.shape, f"needs one mass per parcel ({n})")
    return array
