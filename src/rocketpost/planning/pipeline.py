"""The plan of a day: service choice → consolidation → fleet → backhaul → last mile.

:func:`plan_orders` runs the stages and returns a :class:`~rocketpost.planning.tables.Plan`:
NumPy tables in the planner's terms (hub indices, seconds, :class:`Mode` values), the KPIs
(:mod:`rocketpost.planning.outcomes`) and the provenance. Writing it to a directory is
:func:`rocketpost.planning.plan_files.write_plan`'s job; :func:`rocketpost.planning.day.plan_day`
adds the inventory draw-down and customs pre-clearance in front.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.eta import landing_to_port_s
from rocketpost.core.vesseldrone import port_instead, vessel_drone_sites
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.planning.backhaul import Backhaul, load_backhaul
from rocketpost.planning.consolidation import Consolidation, consolidate
from rocketpost.planning.fleet import (
    Airframe,
    FleetSchedule,
    initial_fleet,
    reserve_mask,
    schedule_fleet,
    weather_margin_s,
)
from rocketpost.planning.outcomes import carried_lower_bound, kpis, same_day_kpis
from rocketpost.planning.pads import PadBook, bin_latest_launch_s
from rocketpost.planning.params import PlanParams
from rocketpost.planning.service_choice import Mode, Reason, choose_service, reason_code
from rocketpost.planning.tables import (
    Airframes,
    Flights,
    LaneWaves,
    LightLoadDecisions,
    Manifests,
    Outcomes,
    Plan,
    Provenance,
    Routes,
)
from rocketpost.promise.conditions import Conditions

__all__ = ["Progress", "plan_orders"]

Progress = Callable[[str], None]
"""Called with the name of each stage as it starts (a progress bar)."""

_DEFAULT_PARAMS = PlanParams()


def plan_orders(  # noqa: PLR0913 - the day's inputs (keyword-only hooks), then progress
    network: Network,
    orders: OrderTable,
    params: PlanParams = _DEFAULT_PARAMS,
    *,
    inspection_delay_s: ArrayLike | None = None,
    held: ArrayLike | None = None,
    allowed_origins: ArrayLike | None = None,
    fleet: list[Airframe] | None = None,
    conditions: Conditions | None = None,
    promise_conditions: Conditions | None = None,
    inspection_p: ArrayLike | None = None,
    promise_rule: str = "confidence",
    progress: Progress | None = None,
) -> Plan:
    """Plan a day of orders end to end.

    Parameters
    ----------
    params
        The planner's options (:class:`~rocketpost.planning.params.PlanParams`: promise,
        consolidation policy, fleet reserve rule, last mile).
    inspection_delay_s, held
        Customs hooks (per order): extra seconds at the destination port; held orders go
        standard with ``customs_hold``.
    allowed_origins
        Inventory hook: ``(orders, hubs)`` booleans of hubs with stock.
    fleet
        Airframes at the start (default: each hub's fleet, ready at the first order's midnight).
    conditions
        Declared sea state and wind per landing site: where they ground a vessel's drones
        (:func:`rocketpost.core.vesseldrone.vessel_drone_sites`), the parcels the kernel sent
        by vessel drone go boat → port → last mile instead (the promise stands; the plan shows
        whether it is kept). Default: open conditions.
    promise_conditions
        What operations know when the day is planned (:class:`~rocketpost.promise.conditions.
        Conditions`; default the climate, ``Conditions()``): the one-hour service is promised
        at the network's confidence (``promise.confidence``) under them, as a quote would
        promise it; the P(on time) is recorded per order (``outcomes.p_on_time``) and a light
        flight is never held past the latest wave that keeps the confidence.
    inspection_p
        Per order, the odds of an unplanned inspection (screening's risk, as a quote uses it);
        default the conditions' base rate.
    promise_rule
        ``"confidence"`` (default) or ``"buffer"``: opt into the flat buffer
        (``promise.buffer_min``; days worked by hand against the physics ETA, the buffer's
        calibration), without ``promise_conditions``.
    """
    say = progress or (lambda _stage: None)
    promise = network.promise.one_hour_s if params.promise_s is None else float(params.promise_s)
    policy = params.consolidation
    reserve_for_fuller = params.reserve_for_fuller
    reserve_per_hub = params.reserve_per_hub(promise_rule)
    last_mile = params.last_mile
    last_mile_time_limit_s = params.last_mile_options.time_limit_s
    n = len(orders)
    say("service choice")
    choice = choose_service(
        network,
        orders,
        promise_s=promise,
        inspection_delay_s=inspection_delay_s,
        held=held,
        allowed_origins=allowed_origins,
        same_day=policy.same_day,
        same_day_requested=orders.is_b2b if policy.b2b_same_day else None,
        conditions=promise_conditions,
        inspection_p=inspection_p,
        promise_rule=promise_rule,
    )
    say("consolidation")
    cons = consolidate(network, choice, orders.mass_kg, orders.volume_m3, policy=policy)
    say("fleet")
    rocket = network.rocket
    if fleet is None:
        first = float(choice.created_s.min()) if n else 0.0
        fleet = initial_fleet(network, float(np.floor(first / 86400.0) * 86400.0))
    fill = np.maximum(
        cons.bin_mass_kg / rocket.payload_mass_kg, cons.bin_volume_m3 / rocket.payload_volume_m3
    )
    sched = _schedule(
        network,
        cons,
        fill,
        fleet=[dataclasses.replace(a) for a in fleet],
        reserve_for_fuller=reserve_for_fuller,
        reserve_per_hub=reserve_per_hub,
        # Every flight on a launch its hub's pads take (planning.pads), by its orders' latest.
        bin_latest_s=bin_latest_launch_s(cons, choice.latest_launch_s),
        # A flight's airframe waits out the weather the promise counts before it flies again
        # (a ferry's included); the flat buffer counts none.
        weather_margin=(
            weather_margin_s(network)
            if promise_rule == "confidence"
            else np.zeros(len(network.hubs), dtype=np.float64)
        ),
    )

    # Outcomes: start from the service choice, apply holds, light-load and no-capacity downgrades.
    mode = choice.mode.copy()
    reason = choice.reason.copy()
    promised = choice.promised_s.copy()
    created = choice.created_s
    flight_of = np.full(n, -1, dtype=np.int64)
    carried = cons.order_bin >= 0
    flight_of[carried] = sched.bin_flight[cons.order_bin[carried]]
    # The wave consolidation chose, and a later one where the hub's pads were taken.
    flown = np.flatnonzero(flight_of >= 0)
    order_launch = cons.order_launch_s.copy()
    order_launch[flown] = sched.flight_launch_s[flight_of[flown]]
    shift = np.nan_to_num(order_launch - choice.launch_s)
    launch = choice.launch_s + shift
    landing = choice.landing_s + shift
    port = choice.port_s + shift
    delivery = choice.delivery_s + shift
    vessel = choice.vessel.copy()
    # The other way for every vessel parcel (boat → port → last mile): taken where the one rule
    # grounds the vessel's drones today, and recorded for the simulator's days that do.
    site = np.maximum(choice.destination, 0)
    to_port_s, instead_s, _ = port_instead(
        network, site, orders.destination_lat_deg, orders.destination_lon_deg
    )
    instead_s = np.where(vessel, instead_s, np.nan)
    grounded = vessel & ~vessel_drone_sites(network, conditions)[site]
    if grounded.any():  # wind or sea state keeps the vessel's drones on deck
        port[grounded] = landing[grounded] + to_port_s[grounded]
        delivery[grounded] = port[grounded] + choice.inspection_s[grounded] + instead_s[grounded]
        vessel &= ~grounded

    def downgrade(rows: NDArray[np.int64], why: Reason, *, keep_reason: bool = False) -> None:
        mode[rows] = Mode.STANDARD
        if keep_reason:
            # A same-day order that missed the hour anyway keeps the reason it missed it; one
            # that asked for same-day (it could have flown within the hour) says why it did not.
            asked = reason[rows] == reason_code(Reason.SAME_DAY_REQUESTED)
            reason[rows] = np.where(asked, reason_code(why), reason[rows])
        else:
            reason[rows] = reason_code(why)
        promised[rows] = created[rows] + network.promise.standard_days * 86400.0
        delivery[rows] = promised[rows]
        for arr in (launch, landing, port):
            arr[rows] = np.nan
        vessel[rows] = False
        instead_s[rows] = np.nan

    downgrade(cons.downgraded, Reason.LIGHT_LOAD)
    downgrade(cons.same_day_too_light, Reason.LIGHT_LOAD, keep_reason=True)
    downgrade(cons.same_day_no_room, Reason.NO_CAPACITY, keep_reason=True)
    # No airframe, or no pad by the latest launch its orders allow: no capacity either way.
    no_airframe = np.flatnonzero(carried & (flight_of < 0))
    was_same_day = mode[no_airframe] == Mode.SAME_DAY
    downgrade(no_airframe[was_same_day], Reason.NO_CAPACITY, keep_reason=True)
    downgrade(no_airframe[~was_same_day], Reason.NO_CAPACITY)
    standard = mode == Mode.STANDARD  # the service promised; backhaul below only flies early
    same_day = mode == Mode.SAME_DAY

    back = load_backhaul(
        network,
        orders,
        choice,
        mode,
        reason,
        sched,
    )
    riding = back.orders
    if len(riding):
        on = back.order_flight[riding]
        flight_of[riding] = on
        mode[riding] = Mode.ROCKET
        launch[riding] = sched.flight_launch_s[on]
        landing[riding] = sched.flight_landing_s[on]
        port[riding] = landing[riding] + landing_to_port_s(network)[sched.flight_destination[on]]
        delivery[riding] = port[riding] + choice.inspection_s[riding] + choice.last_mile_s[riding]

    routes = Routes.empty()
    objective = None
    if last_mile:
        say("last mile")
        from rocketpost.planning.lastmile import route_landings

        routes, delivery_lm, objective = route_landings(
            network,
            orders,
            flight_of,
            sched.flight_destination,
            port + choice.inspection_s,  # released to the vehicles once customs let it go
            promised,
            params.last_mile_options,
            vessel=vessel,
        )
        delivery = np.where(np.isfinite(delivery_lm), delivery_lm, delivery)

    say("tables")
    no_route = mode == Mode.STANDARD
    outcomes = Outcomes(
        order_id=orders.order_id,
        one_hour=~standard & ~same_day,
        mode=mode,
        reason=reason,
        origin=np.where(no_route, -1, choice.origin),
        destination=np.where(no_route, -1, choice.destination),
        flight_id=flight_of,
        created_s=created,
        launch_s=launch,
        landing_s=landing,
        port_arrival_s=port,
        vessel=vessel,
        inspection_s=choice.inspection_s,
        last_mile_s=np.where(no_route, np.nan, delivery - port),
        last_mile_instead_s=np.where(vessel, instead_s, np.nan),
        promised_s=promised,
        planned_delivery_s=delivery,
        on_time=delivery <= promised + 1e-6,
        # The promise at the wave the order flies on (a held flight's is the held wave's).
        p_on_time=np.where(
            ~standard & ~same_day,
            np.where(
                mode == Mode.ROCKET,
                choice.p_at_launch(launch, network.launch_wave_interval_s[choice.origin]),
                choice.p_on_time,
            ),
            np.nan,
        ),
        inspection_p=np.where(~standard & ~same_day, choice.inspection_p, np.nan),
    )
    flights = _flights(cons, sched, back)
    has_flight = np.flatnonzero(flight_of >= 0)
    summary = kpis(
        network,
        outcomes,
        flights,
        sched.utilisation(),
        sched.airframes_used(),
        sea_return_s=sched.flight_return_s,
    )
    summary.update(same_day_kpis(network, outcomes, flights, orders.mass_kg, orders.volume_m3))
    summary["last_mile_objective"] = objective
    summary["backhaul_orders"] = len(riding)
    summary["backhaul_kg"] = float(back.flight_mass_kg.sum())
    lb = summary["flights_lower_bound"] = int(carried_lower_bound(network, flights))
    summary["flights_vs_lower_bound"] = summary["cargo_flights"] / lb if lb else None
    summary["light_lane_wave_decisions"] = {
        a: sum(1 for d in cons.decisions if d.action == a) for a in ("hold", "fly", "downgrade")
    }
    return Plan(
        hub_ids=network.site_ids,  # hub ids first: origins and destination sites both decode
        flights=flights,
        manifests=Manifests(flight_id=flight_of[has_flight], order_id=orders.order_id[has_flight]),
        routes=routes,
        outcomes=outcomes,
        lane_waves=LaneWaves(
            origin=cons.lane_waves["origin"],
            destination=cons.lane_waves["destination"],
            launch_s=cons.lane_waves["launch_s"],
            orders=cons.lane_waves["orders"],
            mass_kg=cons.lane_waves["mass_kg"],
            volume_m3=cons.lane_waves["volume_m3"],
            lower_bound=cons.lane_waves["lower_bound"],
            flights_packed=cons.lane_waves["flights"],
        ),
        decisions=_decisions(cons),
        airframes=Airframes(
            airframe_id=np.array([a.airframe_id for a in sched.airframes], dtype=str),
            start_hub=sched.initial_location,
            end_hub=np.array([a.location for a in sched.airframes], dtype=np.int64),
            flights_today=np.bincount(sched.flight_airframe, minlength=len(sched.airframes)),
            flights_total=np.array([a.flights for a in sched.airframes], dtype=np.int64),
            ready_s=np.array([a.ready_s for a in sched.airframes], dtype=np.float64),
        ),
        kpis=summary,
        provenance=Provenance(
            promise_s=promise,
            network_preset=network.preset,
            options={
                # JSON has no infinity: null is "no ceiling, always fly".
                "max_cost_per_kg_usd": None
                if math.isinf(policy.max_cost_per_kg_usd)
                else policy.max_cost_per_kg_usd,
                "hold_below_fill": policy.hold_below_fill,
                "same_day": policy.same_day,
                "reserve_airframes_per_hub": reserve_per_hub,
                "same_day_min_fill": policy.same_day_min_fill,
                "b2b_same_day": policy.b2b_same_day,
                "reserve_for_fuller": reserve_for_fuller,
                "last_mile": last_mile,
                "last_mile_time_limit_s": last_mile_time_limit_s,
            },
        ),
    )


def _schedule(
    network: Network,
    cons: Consolidation,
    fill: NDArray[np.float64],
    *,
    fleet: list[Airframe],
    reserve_for_fuller: bool,
    reserve_per_hub: int,
    bin_latest_s: NDArray[np.float64],
    weather_margin: NDArray[np.float64],
) -> FleetSchedule:
    """The fleet flies the bins that carry one-hour orders first; the extra same-day flights
    then take only the airframes that schedule left (so a same-day flight never takes an
    airframe from a one-hour one). One schedule, flights in launch order."""
    passes = [np.flatnonzero(~cons.bin_same_day), np.flatnonzero(cons.bin_same_day)]
    held = reserve_mask(fleet, len(network.hubs), reserve_per_hub)  # the same in both passes
    pads = PadBook(network)  # one book: the same-day pass takes the pads the first one left
    scheds = []
    for bins in passes:
        scheds.append(
            schedule_fleet(
                network,
                cons.bin_origin[bins],
                cons.bin_destination[bins],
                cons.bin_launch_s[bins],
                fill[bins],
                fleet=fleet,
                reserve_for_fuller=reserve_for_fuller,
                held=held,
                pads=pads,
                bin_latest_s=bin_latest_s[bins],
                weather_margin=weather_margin,
            )
        )
        if not cons.bin_same_day.any():
            return scheds[0]
    first, second = scheds
    # Global bin of each flight (-1: repositioning), then launch order over both passes.
    flight_bin = np.concatenate(
        [
            np.where(s.flight_bin >= 0, b[np.maximum(s.flight_bin, 0)], -1)
            for s, b in zip(scheds, passes, strict=True)
        ]
    )
    launch = np.concatenate([s.flight_launch_s for s in scheds])
    order = np.argsort(launch, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    bin_flight = np.full(len(cons.bin_origin), -1, dtype=np.int64)
    offset = 0
    for s, b in zip(scheds, passes, strict=True):
        flown = s.bin_flight >= 0
        bin_flight[b[flown]] = rank[s.bin_flight[flown] + offset]
        offset += len(s.flight_bin)

    def merged(name: str) -> NDArray[Any]:
        return np.concatenate([getattr(s, name) for s in scheds])[order]

    return FleetSchedule(
        flight_bin=flight_bin[order],
        flight_airframe=merged("flight_airframe"),
        flight_origin=merged("flight_origin"),
        flight_destination=merged("flight_destination"),
        flight_launch_s=launch[order],
        flight_landing_s=merged("flight_landing_s"),
        flight_return_s=merged("flight_return_s"),
        bin_flight=bin_flight,
        airframes=second.airframes,
        initial_location=first.initial_location,
    )


def _flights(cons: Consolidation, sched: FleetSchedule, back: Backhaul) -> Flights:
    """Every scheduled flight: a packed bin's load, or the backhaul a repositioning flight took."""
    nf = len(sched.flight_bin)
    fb = sched.flight_bin
    cargo = fb >= 0
    bin_of = np.maximum(fb, 0)
    return Flights(
        flight_id=np.arange(nf, dtype=np.int64),
        airframe=sched.flight_airframe,
        origin=sched.flight_origin,
        destination=sched.flight_destination,
        launch_s=sched.flight_launch_s,
        landing_s=sched.flight_landing_s,
        mass_kg=np.where(cargo, cons.bin_mass_kg[bin_of] if nf else 0.0, back.flight_mass_kg),
        volume_m3=np.where(cargo, cons.bin_volume_m3[bin_of] if nf else 0.0, back.flight_volume_m3),
        orders=np.where(
            cargo,
            cons.bin_orders[bin_of] if nf else 0,
            np.bincount(back.order_flight[back.orders], minlength=nf),
        ),
        repositioning=~cargo,
    )


def _decisions(cons: Consolidation) -> LightLoadDecisions:
    d = cons.decisions
    return LightLoadDecisions(
        origin=np.array([x.origin for x in d], dtype=np.int64),
        destination=np.array([x.destination for x in d], dtype=np.int64),
        launch_s=np.array([x.launch_s for x in d], dtype=np.float64),
        action=np.array([x.action for x in d], dtype=str),
        orders=np.array([x.orders for x in d], dtype=np.int64),
        mass_kg=np.array([x.mass_kg for x in d], dtype=np.float64),
        volume_m3=np.array([x.volume_m3 for x in d], dtype=np.float64),
        fill=np.array([x.fill for x in d], dtype=np.float64),
        cost_per_kg_usd=np.array([x.cost_per_kg_usd for x in d], dtype=np.float64),
        min_slack_s=np.array([x.min_slack_s for x in d], dtype=np.float64),
        next_launch_s=np.array([x.next_launch_s for x in d], dtype=np.float64),
    )
