"""Seller trust: a Beta-Bernoulli estimate of each seller's seizure rate.

Customs targets sellers with a history of seizures. Each inspection of a seller's parcel is a
Bernoulli trial — seized or cleared — and the seller's seizure rate gets a Beta(α, β) prior from
the shipped defaults (``screening.toml``: mean 5 %, worth 20 inspections). The posterior mean
``(α + seizures) / (α + β + inspections)`` is what screening uses: a new seller sits at the prior,
three seizures in five inspections push the estimate to 16 %, forty clean inspections pull it
down to 1.7 %.

Parcels released without inspection teach nothing (their outcome is unknown) and are not
recorded. :class:`SellerTrust` is an immutable value the caller stores (booking service, planner)
and passes back; :meth:`SellerTrust.record` returns an updated copy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from rocketpost.errors import InputError, require_positive

__all__ = ["SellerRecord", "SellerTrust"]


@dataclass(frozen=True)
class SellerRecord:
    """A seller's inspection history: inspections, and how many of them ended in a seizure."""

    inspections: int = 0
    seizures: int = 0

    def __post_init__(self) -> None:
        for name in ("inspections", "seizures"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
                raise InputError(name, value, "must be a whole number ≥ 0")
            object.__setattr__(self, name, int(value))
        if self.seizures > self.inspections:
            raise InputError("seizures", self.seizures, f"exceeds inspections ({self.inspections})")


_NO_HISTORY = SellerRecord()
"""The record of a seller without history (one shared instance: it is frozen)."""


@dataclass(frozen=True)
class SellerTrust:
    """Every seller's history plus the Beta prior.

    Parameters
    ----------
    records
        Seller id → :class:`SellerRecord`; sellers absent have no history (prior only).
    prior_alpha, prior_beta
        Beta prior of the seizure rate; :meth:`default` reads them from ``screening.toml``.
    """

    records: Mapping[str, SellerRecord] = field(default_factory=dict)
    prior_alpha: float = 1.0
    prior_beta: float = 19.0

    def __post_init__(self) -> None:
        for name in ("prior_alpha", "prior_beta"):
            require_positive(name, getattr(self, name))
        records = {}
        for seller, record in self.records.items():
            if not isinstance(record, SellerRecord):
                raise InputError(f"records.{seller}", record, "must be a SellerRecord")
            records[str(seller)] = record
        object.__setattr__(self, "records", MappingProxyType(records))

    @classmethod
    def default(cls) -> SellerTrust:
        """No history, with the shipped prior."""
        from rocketpost.customs.reference import screening_reference

        reference = screening_reference()
        return cls({}, reference.seller_prior_alpha, reference.seller_prior_beta)

    @property
    def prior_mean(self) -> float:
        """Seizure rate assumed for a seller with no history."""
        return self.prior_alpha / (self.prior_alpha + self.prior_beta)

    def record_of(self, seller_id: str) -> SellerRecord:
        """The seller's history (empty when unknown)."""
        return self.records.get(seller_id, _NO_HISTORY)

    def key_of(self, seller_id: str) -> tuple[float, float, SellerRecord]:
        """All that screening reads of this trust for one seller: the memos' key part."""
        return (self.prior_alpha, self.prior_beta, self.record_of(seller_id))

    def seizure_rate(self, seller_id: str) -> float:
        """Posterior mean seizure rate of one seller."""
        record = self.record_of(seller_id)
        return (self.prior_alpha + record.seizures) / (
            self.prior_alpha + self.prior_beta + record.inspections
        )

    def seizure_rates(self, seller_ids: Sequence[str]) -> np.ndarray:
        """Posterior mean seizure rates of many sellers (float64 array, input order)."""
        counts = np.array(
            [(r.inspections, r.seizures) for r in map(self.record_of, seller_ids)], dtype=np.float64
        ).reshape(-1, 2)
        return (self.prior_alpha + counts[:, 1]) / (
            self.prior_alpha + self.prior_beta + counts[:, 0]
        )

    def record(self, seller_id: str, *, seized: bool) -> SellerTrust:
        """A copy with one more inspection of ``seller_id`` (seized or cleared)."""
        return self.record_many([seller_id], [seized])

    def record_many(
        self, seller_ids: Sequence[str], seized: Sequence[bool] | np.ndarray
    ) -> SellerTrust:
        """A copy with one inspection per entry: ``seized[i]`` is the outcome for ``seller_ids[i]``.

        Counting is vectorised (``np.unique`` + ``np.bincount``), so a day of outcomes is cheap.
        """
        outcome = np.asarray(seized, dtype=bool)
        ids = np.asarray(seller_ids, dtype=object)
        if ids.shape != outcome.shape:
            raise InputError("seized", outcome.shape, f"needs one outcome per seller ({ids.shape})")
        if ids.size == 0:
            return self
        unique, inverse = np.unique(ids.astype(str), return_inverse=True)
        inspections = np.bincount(inverse, minlength=len(unique))
        seizures = np.bincount(inverse, weights=outcome, minlength=len(unique)).astype(np.int64)
        records = dict(self.records)
        for seller, n, s in zip(
            unique.tolist(), inspections.tolist(), seizures.tolist(), strict=True
        ):
            old = records.get(seller, SellerRecord())
            records[seller] = SellerRecord(old.inspections + n, old.seizures + s)
        return SellerTrust(records, self.prior_alpha, self.prior_beta)

    @classmethod
    def from_counts(
        cls,
        seller_ids: Iterable[str],
        inspections: Iterable[int],
        seizures: Iterable[int],
        *,
        prior_alpha: float | None = None,
        prior_beta: float | None = None,
    ) -> SellerTrust:
        """Build from parallel sequences of counts (prior defaults to the shipped one)."""
        if prior_alpha is None or prior_beta is None:
            default = cls.default()
            prior_alpha = default.prior_alpha if prior_alpha is None else prior_alpha
            prior_beta = default.prior_beta if prior_beta is None else prior_beta
        records = {
            str(s): SellerRecord(int(n), int(k))
            for s, n, k in zip(seller_ids, inspections, seizures, strict=True)
            if n
        }
        return cls(records, prior_alpha, prior_beta)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"prior": {...}, "sellers": {id: {inspections, seizures}}}``."""
        return {
            "prior": {"alpha": self.prior_alpha, "beta": self.prior_beta},
            "sellers": {
                s: {"inspections": r.inspections, "seizures": r.seizures}
                for s, r in sorted(self.records.items())
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SellerTrust:
        """Read the form written by :meth:`to_dict` (the prior defaults to the shipped one)."""
        if not isinstance(data, Mapping):
            raise InputError("trust", data, "must be an object with 'sellers'")
        prior = data.get("prior") or {}
        default = cls.default()
        sellers = data.get("sellers", {})
        if not isinstance(sellers, Mapping):
            raise InputError("sellers", sellers, "must be an object of seller id → counts")
        records = {}
        for seller, counts in sellers.items():
            try:
                records[str(seller)] = SellerRecord(
                    int(counts.get("inspections", 0)), int(counts.get("seizures", 0))
                )
            except InputError as error:
                raise InputError(
                    f"sellers.{seller}.{error.field}", error.value, error.reason
                ) from None
            except (AttributeError, TypeError, ValueError):
                raise InputError(f"sellers.{seller}", counts, "needs whole-number counts") from None
        return cls(
            records,
            float(prior.get("alpha", default.prior_alpha)),
            float(prior.get("beta", default.prior_beta)),
        )
