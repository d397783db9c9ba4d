"""Merchants as sellers in customs' eyes: their inspection record, and the trust it earns.

Customs targets sellers with a history of seizures. Every parcel customs opens (an inspection,
or a hold examined) is a trial — cleared or seized — reported by ops with
``POST /v1/shipments/{id}/customs-outcome``; the merchant's counts feed the Beta-Bernoulli
:class:`~rocketpost.customs.SellerTrust` that screening's seller signal reads. Parcels released
unopened teach nothing and are not counted.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import update
from sqlalchemy.orm import Session

from rocketpost.customs import SellerRecord, SellerTrust
from rocketpost.service.models import Merchant

__all__ = ["record_outcome", "seller_trust"]


@lru_cache(maxsize=1)
def _prior() -> SellerTrust:
    return SellerTrust.default()


def seller_trust(merchant_id: str, inspections: int, seizures: int) -> SellerTrust:
    """The trust screening uses for one merchant's parcel: the shipped prior plus its record."""
    prior = _prior()
    if inspections == 0:
        return prior
    return SellerTrust(
        records={merchant_id: SellerRecord(inspections, seizures)},
        prior_alpha=prior.prior_alpha,
        prior_beta=prior.prior_beta,
    )


def record_outcome(session: Session, merchant_pk: int, *, seized: bool) -> None:
    """Count one opened parcel of the merchant (atomic increment: concurrent reports add up)."""
    session.execute(
        update(Merchant)
        .where(Merchant.id == merchant_pk)
        .values(
            customs_inspections=Merchant.customs_inspections + 1,
            customs_seizures=Merchant.customs_seizures + int(seized),
        )
    )
