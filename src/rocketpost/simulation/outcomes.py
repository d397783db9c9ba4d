"""Per-order delivery times from the flights' fate, vectorised (no process per parcel).

An order rides its planned flight; when that flight's cargo is re-dispatched (lost landing,
other-hub re-plan) it rides the replacement, following the chain to its end. Then::

    rocket    actual = port arrival of the final flight + planned inspection
                       + unplanned customs delay + last mile × noise
    vessel    actual = landing of the final flight + vessel transfer + planned inspection
                       + unplanned customs delay + drone last mile × noise, when the site's
                       vessel launched drones after that landing; otherwise the boat way:
                       port arrival + ... + the plan's last mile from the port
                       (``last_mile_instead_s``) × noise
    ground    actual = created + handling + planned inspection + last mile × noise
    standard  actual = created + standard_days   (flight cancelled: the promise is broken)

The last-mile duration is the plan's own (``planned_delivery − port arrival − inspection``, or
from the fulfilment centre for ground orders), so routed last miles (``plan run --last-mile``)
keep their waits. A cross-border order is one whose origin hub and landing site (its country:
the hub's, or its port's) differ. The promise never moves: ``lateness = actual − promised``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from rocketpost.planning.service_choice import Mode
from rocketpost.simulation.disruptions import Disruptions
from rocketpost.simulation.flight_record import FlightRecord, FlightStatus
from rocketpost.simulation.inputs import SimInputs

if TYPE_CHECKING:
    from rocketpost.simulation.promises import DispatcherPromises

__all__ = ["DELIVERED_BY", "OrderOutcomes", "order_outcomes"]

DELIVERED_BY = tuple(m.name.lower() for m in sorted(Mode, key=lambda m: m.value))
"""Names of :attr:`OrderOutcomes.delivered_by` codes (:class:`Mode` values: standard, rocket,
ground)."""

_TS = pa.timestamp("ms", tz="UTC")


@dataclass(frozen=True, eq=False)
class OrderOutcomes:
    """One row per one-hour order of the plan (aligned with :class:`SimInputs` orders)."""

    delivered_by: NDArray[np.int8]
    final_flight: NDArray[np.int64]
    actual_s: NDArray[np.float64]
    lateness_s: NDArray[np.float64]
    on_time: NDArray[np.bool_]
    redispatched: NDArray[np.bool_]
    customs_delay_s: NDArray[np.float64]

    def to_table(
        self, inputs: SimInputs, record: FlightRecord, dispatch: DispatcherPromises | None = None
    ) -> pa.Table:
        """The per-order Parquet table: ids, promise, planned and actual delivery, lateness,
        and (with ``dispatch``) whether a dispatcher at the order time promised the hour and
        at what P(on time)."""
        hub_ids = np.array([*inputs.network.hub_ids, ""])
        site_ids = np.array([*inputs.network.site_ids, ""])  # destinations are landing sites
        ids = record.flight_id.astype(np.float64)
        flight_id = _take(ids, self.final_flight, -1).astype(np.int64)
        planned_flight = _take(ids, inputs.order_flight, -1).astype(np.int64)
        return pa.table(
            {
                "order_id": pa.array(inputs.order_id),
                "mode": pa.array(np.array(DELIVERED_BY)[inputs.order_mode]),
                "delivered_by": pa.array(np.array(DELIVERED_BY)[self.delivered_by]),
                "origin": pa.array(hub_ids[inputs.order_origin]),
                "destination": pa.array(site_ids[inputs.order_destination]),
                "planned_flight_id": pa.array(planned_flight),
                "flight_id": pa.array(flight_id),
                "created": _timestamps(inputs.order_created_s),
                "promised": _timestamps(inputs.order_promised_s),
                "planned_delivery": _timestamps(inputs.order_planned_s),
                "actual_delivery": _timestamps(self.actual_s),
                "lateness_s": pa.array(self.lateness_s),
                "on_time": pa.array(self.on_time),
                "redispatched": pa.array(self.redispatched),
                "customs_delay_s": pa.array(self.customs_delay_s),
                "p_on_time": pa.array(  # null: promised by the flat buffer, no P stated
                    inputs.order_p_on_time if dispatch is None else dispatch.p_on_time,
                    from_pandas=True,
                ),
                "promise_made": pa.array(
                    np.ones(inputs.n_orders, bool) if dispatch is None else dispatch.promised
                ),
            }
        )


def _timestamps(seconds: NDArray[np.float64]) -> pa.Array:
    ms = np.round(seconds * 1000.0)
    mask = ~np.isfinite(ms)
    return pa.array(np.where(mask, 0, ms).astype(np.int64), mask=mask).cast(_TS)


def _take(
    values: NDArray[np.float64], index: NDArray[np.int64], fill: float
) -> NDArray[np.float64]:
    """``values[index]`` with ``fill`` where ``index`` < 0 (also when ``values`` is empty)."""
    if len(values) == 0:
        return np.full(len(index), fill)
    return np.where(index >= 0, values[np.maximum(index, 0)], fill)


def final_flights(
    order_flight: NDArray[np.int64], replaced_by: NDArray[np.int64]
) -> NDArray[np.int64]:
    """Follow each order's re-dispatch chain to the flight that finally carries it (or not)."""
    final = order_flight.copy()
    if len(replaced_by) == 0:
        return final
    for _ in range(len(replaced_by) + 1):
        nxt = np.where(final >= 0, replaced_by[np.maximum(final, 0)], -1)
        move = nxt >= 0
        if not move.any():
            break
        final = np.where(move, nxt, final)
    return final


def order_outcomes(
    inputs: SimInputs,
    record: FlightRecord,
    disruptions: Disruptions,
    rng: np.random.Generator,
) -> OrderOutcomes:
    """Delivery time of every one-hour order of the replicate (see the module doc)."""
    network = inputs.network
    n = inputs.n_orders
    rocket = inputs.order_mode == Mode.ROCKET
    final = np.where(rocket, final_flights(inputs.order_flight, record.replaced_by), -1)
    status = _take(record.status.astype(np.float64), final, np.nan)
    delivered = rocket & (status == FlightStatus.DELIVERED)
    handling = network.handling_s[np.maximum(inputs.order_origin, 0)]
    planned_base = np.where(rocket, inputs.order_port_s, inputs.order_created_s + handling)
    last_mile = np.maximum(
        np.nan_to_num(inputs.order_planned_s - planned_base - inputs.order_inspection_s), 0.0
    )
    noise = np.exp(disruptions.noise.last_mile_sigma * rng.standard_normal(n))
    hub_country = np.array([h.country for h in network.hubs])
    cross_border = rocket & (
        hub_country[np.maximum(inputs.order_origin, 0)]
        != inputs.site_country[np.maximum(inputs.order_destination, 0)]
    )
    # At the odds the promise counted (the plan's record); a plan promised by the buffer
    # records none, and its cross-border rocket parcels are picked at the climate's rate.
    odds = np.where(
        np.isfinite(inputs.order_inspection_p),
        inputs.order_inspection_p,
        np.where(cross_border, disruptions.customs.inspection_p, 0.0),
    )
    customs = disruptions.customs.delays_s(rng, np.where(rocket, odds, 0.0)) * delivered
    base = np.where(rocket, _take(record.port_s, final, np.nan), inputs.order_created_s + handling)
    # Drones from the vessel: from the drone deck, or (grounded, diverted) the boat way.
    by_vessel = inputs.order_vessel & delivered
    if by_vessel.any():
        flew = _take(record.vessel_drones.astype(np.float64), final, 0.0) > 0.5
        deck = _take(record.landing_s, final, np.nan) + network.drone.vessel_transfer_min * 60.0
        base = np.where(by_vessel & flew, deck, base)
        last_mile = np.where(by_vessel & ~flew, inputs.order_last_mile_instead_s, last_mile)
    actual = base + inputs.order_inspection_s + customs + last_mile * noise
    to_standard = rocket & ~delivered
    standard_s = inputs.order_created_s + network.promise.standard_days * 86400.0
    actual = np.where(to_standard, standard_s, actual)
    lateness = actual - inputs.order_promised_s
    delivered_by = np.where(
        to_standard, Mode.STANDARD, np.where(rocket, Mode.ROCKET, Mode.GROUND)
    ).astype(np.int8)
    return OrderOutcomes(
        delivered_by=delivered_by,
        final_flight=final,
        actual_s=actual,
        lateness_s=lateness,
        on_time=lateness <= 1e-6,
        redispatched=rocket & (final != inputs.order_flight),
        customs_delay_s=customs,
    )
