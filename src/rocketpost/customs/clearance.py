"""One-call pre-clearance for booking and planning: declaration, duties, screening decision.

This is the integration surface. The booking service (``POST /v1/shipments``) calls
:func:`clearance` for each cross-border parcel and returns its duties and decision; the planner
calls :func:`clear_orders` for a day's orders, adds :attr:`Clearance.inspection_delay_s` to the
customs leg of the one-hour budget, and excludes orders whose :attr:`Clearance.may_fly` is false
with :attr:`Clearance.exclusion_reason`.

The promise rule: a one-hour promise is made only when pre-clearance says *release*; an
inspected parcel still flies but its delivery is late by the market's inspection minutes; a held
parcel never flies. Domestic parcels (same country, or inside one customs union) need no
declaration and are released without duties.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from functools import lru_cache

import numpy as np

from rocketpost.customs.declaration import Declaration, declare, import_date_of
from rocketpost.customs.duties import assess_duties
from rocketpost.customs.duty_model import DutyAssessment
from rocketpost.customs.history import RecipientHistory
from rocketpost.customs.rules import market_for, same_customs_territory
from rocketpost.customs.screening import CustomsDecision, screen
from rocketpost.customs.screening_explanations import ScreeningReason
from rocketpost.customs.screening_signals import ScreeningConfig
from rocketpost.customs.trust import SellerTrust
from rocketpost.errors import InputError
from rocketpost.orders.model import Order

__all__ = ["Clearance", "clear_declaration", "clear_orders", "clearance"]


@dataclass(frozen=True)
class Clearance:
    """Customs outcome of one order.

    Parameters
    ----------
    order_id
        The order.
    cross_border
        False for domestic moves (no declaration, no duties, released).
    market
        Rules market of the destination (``"EU"`` for DE...), ``None`` when domestic.
    declaration, duties
        The declaration and its :class:`~rocketpost.customs.duty_model.DutyAssessment`
        (``None`` when domestic).
    decision
        :class:`~rocketpost.customs.screening.CustomsDecision`.
    reasons
        Signals that fired, strongest first.
    inspection_delay_s
        Seconds the decision adds to the journey: 0 released, the market's inspection minutes
        when inspected, ``None`` when held (it never flies).
    one_hour_allowed
        True only when the decision is release.
    may_fly
        False when held.
    note
        Plain-words summary (domestic, or the decision's top reason).
    relative_risk
        Screening's highest risk as a share of its inspect threshold (``None`` when domestic):
        the odds of an unplanned inspection of a released parcel scale with it.
    """

    order_id: str
    cross_border: bool
    market: str | None
    declaration: Declaration | None
    duties: DutyAssessment | None
    decision: CustomsDecision
    reasons: tuple[ScreeningReason, ...]
    inspection_delay_s: float | None
    one_hour_allowed: bool
    may_fly: bool
    note: str = ""
    relative_risk: float | None = None

    @property
    def exclusion_reason(self) -> str | None:
        """Why the planner must leave this order out (``None`` when it may fly)."""
        if self.may_fly:
            return None
        return f"customs hold: {self.note}"


def _domestic(order: Order, origin_country: str) -> Clearance:
    market = market_for(order.destination_country)
    scope = order.destination_country if origin_country == order.destination_country else market.id
    return Clearance(
        order_id=order.order_id,
        cross_border=False,
        market=None,
        declaration=None,
        duties=None,
        decision=CustomsDecision.RELEASE,
        reasons=(),
        inspection_delay_s=0.0,
        one_hour_allowed=True,
        may_fly=True,
        note=f"domestic: {origin_country} → {order.destination_country} is inside one customs "
        f"territory ({scope}), no declaration needed",
    )


def _outcome(
    order_id: str,
    declaration: Declaration,
    duties: DutyAssessment,
    decision: CustomsDecision,
    reasons: tuple[ScreeningReason, ...],
    minutes: float,
    relative_risk: float | None = None,
) -> Clearance:
    if decision == CustomsDecision.HOLD:
        delay: float | None = None
    else:
        delay = float(minutes) * 60.0
    top = reasons[0].text if reasons else "no risk signal"
    if decision == CustomsDecision.RELEASE:
        note = "released at pre-clearance"
    elif decision == CustomsDecision.INSPECT:
        note = f"inspection (+{minutes:g} min): {top}"
    else:
        note = top
    return Clearance(
        order_id=order_id,
        cross_border=True,
        market=declaration.market,
        declaration=declaration,
        duties=duties,
        decision=decision,
        reasons=reasons,
        inspection_delay_s=delay,
        one_hour_allowed=decision == CustomsDecision.RELEASE,
        may_fly=decision != CustomsDecision.HOLD,
        note=note,
        relative_risk=relative_risk,
    )


def clearance(
    order: Order,
    *,
    origin_country: str,
    scanned_gross_mass_kg: float | None = None,
    import_date: date | None = None,
    trust: SellerTrust | None = None,
    history: RecipientHistory | None = None,
    config: ScreeningConfig | None = None,
) -> Clearance:
    """Declare, assess and screen one order (the booking service's call).

    Parameters
    ----------
    order
        The order being booked.
    origin_country
        Country of the origin hub.
    scanned_gross_mass_kg
        Scale reading at induction; ``None`` at booking time (the weight signals then stay silent
        — re-screen at induction with the reading).
    import_date
        Defaults to the order's local date in the destination market.
    trust
        Seller histories (default: shipped prior).
    history
        The recipient's earlier imports (KR/US same-day aggregation, CN annual limit).
    config
        Screening weights and thresholds.

    Raises
    ------
    InputError
        As :func:`~rocketpost.customs.declaration.declare` (field named), e.g.
        ``items[0].hs_code`` for an unknown HS code.
    """
    if same_customs_territory(origin_country, order.destination_country):
        return _domestic(order, origin_country)
    if scanned_gross_mass_kg is None and history is None and config is None:
        alone = _Alone.of(order, origin_country, import_date, trust or SellerTrust.default())
        if alone is not None:
            return _cleared_alone(alone)
    declaration = declare(order, origin_country=origin_country, import_date=import_date)
    return clear_declaration(
        declaration,
        scanned_gross_mass_kg=scanned_gross_mass_kg,
        trust=trust,
        history=history,
        config=config,
    )


# --- one order on its own (a quote) -------------------------------------------------------------
# Without a scale reading, the recipient's earlier imports or a screening configuration, the
# clearance of one order is a function of the order's fields except its creation time, of which
# the declaration reads only the import date (``import_date_of``), plus the origin country and
# what screening reads of the seller's trust. Checkout quotes the same basket on the same lane
# again and again, so such a clearance is made once per key: the same declaration, duties and
# screening calls on a miss, no second copy of any rule.


@dataclass(frozen=True)
class _Alone:
    """The memo key of one order cleared on its own, carrying the order to clear on a miss."""

    key: tuple[object, ...]
    order: Order = field(compare=False)
    origin_country: str = field(compare=False)
    import_date: date = field(compare=False)
    trust: SellerTrust = field(compare=False)

    @classmethod
    def of(
        cls, order: Order, origin_country: str, import_date: date | None, trust: SellerTrust
    ) -> _Alone | None:
        """The key, or ``None`` when the import date cannot be read (the full path then raises
        the error the declaration names)."""
        try:
            on = import_date if import_date is not None else import_date_of(order)
        except InputError:
            return None
        own = tuple(
            getattr(order, f.name) for f in fields(order) if f.init and f.name != "created_at"
        )
        return cls(
            (own, origin_country, on, trust.key_of(order.merchant_id)),
            order,
            origin_country,
            on,
            trust,
        )


@lru_cache(maxsize=4096)
def _cleared_alone(alone: _Alone) -> Clearance:
    declaration = declare(
        alone.order, origin_country=alone.origin_country, import_date=alone.import_date
    )
    return clear_declaration(declaration, trust=alone.trust)


def clear_declaration(
    declaration: Declaration,
    *,
    scanned_gross_mass_kg: float | None = None,
    trust: SellerTrust | None = None,
    history: RecipientHistory | None = None,
    config: ScreeningConfig | None = None,
) -> Clearance:
    """Assess and screen a declaration already made: the re-screen at induction.

    At booking the parcel is not yet weighed, so the empty-box / weight-mismatch signal stays
    silent; at induction the hub's scale reading is known and the stored declaration is screened
    again with it (and its duties re-assessed against the recipient's history as it stands).
    """
    duties = assess_duties(declaration, history=history)
    result = screen(
        [declaration], scanned_gross_mass_kg=[scanned_gross_mass_kg], trust=trust, config=config
    )
    return _outcome(
        declaration.order_id,
        declaration,
        duties,
        result.decision(0),
        result.reasons(0),
        _minutes(float(result.inspection_minutes[0])),
        float(result.relative_risk[0]),
    )


def _minutes(minutes: float) -> float:
    """A held parcel's NaN minutes as 0 (``np.nan_to_num`` of one number, ~20× cheaper)."""
    return 0.0 if math.isnan(minutes) else minutes


def clear_orders(
    orders: Sequence[Order],
    *,
    origin_country: str | Sequence[str],
    scanned_gross_mass_kg: Sequence[float | None] | None = None,
    import_date: date | Sequence[date | None] | None = None,
    trust: SellerTrust | None = None,
    history: RecipientHistory | None = None,
    config: ScreeningConfig | None = None,
) -> tuple[tuple[Clearance, ...], RecipientHistory]:
    """Pre-clear many orders at once (the planner's call): screening runs as one vectorised batch.

    Duties are assessed in input order with a running :class:`RecipientHistory`, then the
    parcels under an aggregating de minimis (KR, US) are re-assessed against the day's full
    history, so two 100 USD parcels to one Korean recipient on one day both pay duty, as customs
    would charge them. Returns the clearances (input order) and the updated history to keep.

    Raises
    ------
    InputError
        The first bad order's field, prefixed with its position: ``orders[3].items[0].hs_code``.
    """
    n = len(orders)
    origins = [origin_country] * n if isinstance(origin_country, str) else list(origin_country)
    masses = list(scanned_gross_mass_kg) if scanned_gross_mass_kg is not None else [None] * n
    dates = list(import_date) if isinstance(import_date, Sequence) else [import_date] * n
    for name, values in (
        ("origin_country", origins),
        ("scanned_gross_mass_kg", masses),
        ("import_date", dates),
    ):
        if len(values) != n:
            raise InputError(name, len(values), f"needs one value per order ({n})")
    growing = (history or RecipientHistory()).growing()
    out: list[Clearance | None] = [None] * n
    pending: list[tuple[int, Declaration, DutyAssessment]] = []
    for i, order in enumerate(orders):
        if same_customs_territory(origins[i], order.destination_country):
            out[i] = _domestic(order, origins[i])
            continue
        try:
            declaration = declare(order, origin_country=origins[i], import_date=dates[i])
            duties = assess_duties(declaration, history=growing)
        except InputError as error:
            raise InputError(f"orders[{i}].{error.field}", error.value, error.reason) from None
        growing.add(declaration, duties)
        pending.append((i, declaration, duties))
    # Same-day aggregation works both ways: a later parcel also takes the relief away from the
    # earlier ones it is summed with. Re-assess those against the day's full history. (China's
    # annual CBEC limit is first come, first served: its results from the first pass stand.)
    pending = [
        (i, d, assess_duties(d, history=growing) if a.de_minimis is not None else a)
        for i, d, a in pending
    ]
    if pending:
        result = screen(
            [d for _, d, _ in pending],
            scanned_gross_mass_kg=[masses[i] for i, _, _ in pending],
            trust=trust,
            config=config,
        )
        minutes = np.nan_to_num(result.inspection_minutes)
        for j, (i, declaration, duties) in enumerate(pending):
            out[i] = _outcome(
                orders[i].order_id,
                declaration,
                duties,
                result.decision(j),
                result.reasons(j),
                float(minutes[j]),
                float(result.relative_risk[j]),
            )
    return tuple(c for c in out if c is not None), growing.freeze()
