"""Independent re-check of a plan directory against the input orders.

Nothing here calls the planner: the check reads the plan directory back through
:func:`~rocketpost.planning.plan_files.read_plan` (which already refuses wrong column types and
unknown hubs, airframes, modes and reasons) and recomputes each rule from the orders and the
network (the shared physics of :func:`rocketpost.core.eta.flight_matrix` for
flight times, the boat and port legs from the network file). It returns violations as text, one
per broken rule instance (capped per rule), so a test can assert ``check_plan(...) == []`` and a
person can read what went wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rocketpost.core.eligibility import SAME_DAY_WINDOW_S
from rocketpost.core.eta import flight_matrix, landing_to_port_s
from rocketpost.core.geo import great_circle_km
from rocketpost.network import Network, RocketClass, default_network
from rocketpost.orders.table import OrderTable
from rocketpost.planning.fleet import home_ready_s, site_returns
from rocketpost.planning.pads import pad_overbooked
from rocketpost.planning.plan_files import PlanFileError, read_plan
from rocketpost.planning.service_choice import Mode
from rocketpost.planning.tables import Plan

__all__ = ["AirframeFlights", "airframe_chain_problems", "check_plan"]

_TOL_S = 1.0
_MAX_PER_RULE = 20


def check_plan(
    directory: str | Path, orders: OrderTable | str | Path, network: Network | None = None
) -> list[str]:
    """Violations of the plan in ``directory`` for ``orders`` (a table or an orders file).

    Rules: every input order has exactly one outcome and no unknown order appears; every flown
    order is on exactly one cargo flight, and vice versa; no flight exceeds the rocket's mass or
    volume, and a flight's mass and volume equal the sum of its orders; an airframe's flights
    chain in space (each leaves from where the previous one landed, the first from its start
    hub) and in time (launch ≥ previous landing + recovery + turnaround), within the reuse
    limit; no hub launches more than its pads take (``planning.pads``); flight durations match
    the ballistics; every claim ``on_time`` equals
    ``planned_delivery ≤ promised`` and a rocket order's delivery is no earlier than its launch
    after handling, landing, the boat and port legs and a straight-line last mile at the fastest
    vehicle allow; every same-day order is promised within 12 h of its order and planned within
    its promise, its load in the room the flight's one-hour orders leave (``_check_same_day``).
    """
    network = network or default_network()
    if not isinstance(orders, OrderTable):
        from rocketpost.orders.io import read_orders

        orders = read_orders(orders, known_hubs=network.hub_ids, rocket=network.rocket).orders
    out = Path(directory)
    problems: list[str] = []

    def report(rule: str, bad: NDArray[np.bool_], labels: NDArray[np.str_], detail: str) -> None:
        idx = np.flatnonzero(bad)
        for i in idx[:_MAX_PER_RULE]:
            problems.append(f"{rule}: {labels[i]} {detail}")
        if len(idx) > _MAX_PER_RULE:
            problems.append(f"{rule}: … and {len(idx) - _MAX_PER_RULE} more")

    try:
        plan = read_plan(out, network)
    except PlanFileError as error:
        return [f"files: cannot read the plan directory {out}: {error}"]
    outcomes, flights, manifests, airframes = (
        plan.outcomes,
        plan.flights,
        plan.manifests,
        plan.airframes,
    )

    # 1. every input order exactly once
    ids = outcomes.order_id
    wanted = orders.order_id.astype(str)
    uniq, counts = np.unique(ids, return_counts=True)
    report("outcomes", counts > 1, uniq, "appears more than once")
    report("outcomes", ~np.isin(wanted, ids), wanted, "is missing from the outcomes")
    report("outcomes", ~np.isin(ids, wanted), ids, "is not an input order")
    row_of = {k: i for i, k in enumerate(wanted.tolist())}
    o_rows = np.array([row_of.get(k, -1) for k in ids.tolist()], dtype=np.int64)
    known = o_rows >= 0

    # 2. manifests ↔ outcomes, flight loads
    rocket = network.rocket
    f_id = flights.flight_id
    f_rep = flights.repositioning
    m_flight = manifests.flight_id
    m_ids = manifests.order_id
    mu, mc = np.unique(m_ids, return_counts=True)
    report("manifests", mc > 1, mu, "is on more than one flight")
    position = {int(f): i for i, f in enumerate(f_id.tolist())}
    m_pos = np.array([position.get(int(f), -1) for f in m_flight.tolist()], dtype=np.int64)
    report("manifests", m_pos < 0, m_ids, "is on a flight that does not exist")
    ok_pos = m_pos >= 0
    m_rows = np.array([row_of.get(k, -1) for k in m_ids.tolist()], dtype=np.int64)
    # A repositioning flight may carry backhaul freight, never a one-hour promise.
    one_hour_ids = set(ids[outcomes.one_hour].tolist())
    m_one_hour = np.array([k in one_hour_ids for k in m_ids.tolist()], dtype=bool)
    report(
        "manifests",
        ok_pos & f_rep[np.maximum(m_pos, 0)] & m_one_hour,
        m_ids,
        "is a one-hour order on a repositioning flight",
    )
    good = ok_pos & (m_rows >= 0)
    load_m = np.bincount(m_pos[good], weights=orders.mass_kg[m_rows[good]], minlength=len(f_id))
    load_v = np.bincount(m_pos[good], weights=orders.volume_m3[m_rows[good]], minlength=len(f_id))
    f_labels = np.array([f"flight {f}" for f in f_id.tolist()])
    report(
        "capacity",
        load_m > rocket.payload_mass_kg + 1e-6,
        f_labels,
        f"carries more than {rocket.payload_mass_kg:g} kg",
    )
    report(
        "capacity",
        load_v > rocket.payload_volume_m3 + 1e-9,
        f_labels,
        f"carries more than {rocket.payload_volume_m3:g} m³",
    )
    report(
        "capacity",
        np.abs(load_m - flights.mass_kg) > 1e-3 * np.maximum(1.0, flights.mass_kg),
        f_labels,
        "mass differs from the sum of its orders",
    )
    report(
        "capacity",
        np.abs(load_v - flights.volume_m3) > 1e-6 * np.maximum(1.0, flights.volume_m3),
        f_labels,
        "volume differs from the sum of its orders",
    )
    mode = outcomes.mode
    rocket_rows = (mode == Mode.ROCKET) | (mode == Mode.SAME_DAY)  # same-day flies by rocket
    report(
        "manifests",
        rocket_rows & ~np.isin(ids, m_ids),
        ids,
        "flies by rocket but is on no manifest",
    )
    report(
        "manifests",
        ~rocket_rows & np.isin(ids, m_ids),
        ids,
        "is on a manifest but does not fly by rocket",
    )
    manifest_flight = dict(zip(m_ids.tolist(), m_flight.tolist(), strict=True))
    claimed = np.array([manifest_flight.get(k, -1) for k in ids.tolist()])
    report(
        "manifests",
        rocket_rows & (claimed != outcomes.flight_id),
        ids,
        "names a different flight than its manifest",
    )

    # 3. airframes in space and time
    f_o, f_d = flights.origin, flights.destination
    report("flights", (f_o < 0) | (f_d < 0), f_labels, "names no hub")
    f_launch, f_landing = flights.launch_s, flights.landing_s
    duration = np.asarray(flight_matrix(network).flight_s, dtype=np.float64)[
        np.maximum(f_o, 0), np.maximum(f_d, 0)
    ]
    report(
        "flights",
        np.abs(f_landing - f_launch - duration) > _TOL_S,
        f_labels,
        "duration differs from the ballistics",
    )
    report("flights", f_o == f_d, f_labels, "lands where it launched")
    # Only flights that name a hub are booked: one that names none ("names no hub" above)
    # must not take a pad of hub 0 and flag that hub's flights.
    named = np.flatnonzero(f_o >= 0)
    overbooked = np.zeros(len(f_o), dtype=bool)
    overbooked[named] = pad_overbooked(network, f_o[named], f_launch[named])
    report(
        "pads", overbooked, f_labels, "launches while every pad of its hub is still turning round"
    )
    for af in np.unique(flights.airframe).tolist():
        idx = np.flatnonzero(flights.airframe == af)
        idx = idx[np.argsort(f_launch[idx], kind="stable")]
        problems += airframe_chain_problems(
            network,
            str(airframes.airframe_id[af]),
            int(airframes.start_hub[af]),
            AirframeFlights(
                [str(f) for f in f_id[idx].tolist()],
                f_o[idx],
                f_d[idx],
                f_launch[idx],
                f_landing[idx],
            ),
        )

    # 4. on-time claims and legs
    promised = outcomes.promised_s
    planned = outcomes.planned_delivery_s
    report(
        "on_time",
        outcomes.on_time != (planned <= promised + _TOL_S),
        ids,
        "on_time disagrees with planned vs promised",
    )
    created = orders.created_at_s.astype(np.float64)[np.maximum(o_rows, 0)]
    launch, landing = outcomes.launch_s, outcomes.landing_s
    r = rocket_rows & known
    fpos = np.array([position.get(int(f), 0) for f in outcomes.flight_id.tolist()], dtype=np.intp)
    handling = network.handling_s[np.maximum(outcomes.origin, 0)]
    report("legs", r & (launch < created + handling - _TOL_S), ids, "launches before it is packed")
    d = f_d[fpos] if len(f_d) else np.zeros(len(ids), dtype=np.intp)
    f_landing_o = f_landing[fpos] if len(f_d) else np.full(len(ids), np.nan)
    f_launch_o = f_launch[fpos] if len(f_d) else np.full(len(ids), np.nan)
    arrival = landing_to_port_s(network)[d]
    lat = orders.destination_lat_deg[np.maximum(o_rows, 0)]
    lon = orders.destination_lon_deg[np.maximum(o_rows, 0)]
    km = great_circle_km(lat, lon, network.site_port_lat_deg[d], network.site_port_lon_deg[d])
    fastest_kmh = max(network.drone.speed_kmh, network.van.speed_kmh)
    report(
        "legs", r & ~(np.abs(launch - f_launch_o) <= _TOL_S), ids, "launch differs from its flight"
    )
    report(
        "legs",
        r & ~(np.abs(landing - f_landing_o) <= _TOL_S),
        ids,
        "landing differs from its flight",
    )
    earliest = f_landing_o + arrival + km / fastest_kmh * 3600.0  # hours to seconds
    drone = network.drone
    if drone.from_vessel:
        # Or straight from the recovery vessel by drone, where the site carries drones.
        vessel_km = great_circle_km(lat, lon, network.site_lat_deg[d], network.site_lon_deg[d])
        by_drone = (
            f_landing_o + drone.vessel_transfer_min * 60.0 + vessel_km / drone.speed_kmh * 3600.0
        )
        earliest = np.where(network.site_drones[d] > 0, np.minimum(earliest, by_drone), earliest)
    report(
        "legs", r & (planned < earliest - _TOL_S), ids, "is delivered sooner than its legs allow"
    )
    ground = (mode == Mode.GROUND) & known
    report(
        "legs",
        ground & (planned < created + handling - _TOL_S),
        ids,
        "is delivered before it is packed",
    )
    report(
        "legs",
        outcomes.vessel & ~(rocket_rows & (network.site_drones[d] > 0) & drone.from_vessel),
        ids,
        "flies from a recovery vessel that launches no drones",
    )
    problems.extend(_check_routes(plan, orders, network, row_of))
    promise_s = plan.provenance.promise_s  # the promise the plan was made with (manifest.json)
    one_hour = outcomes.one_hour & known
    report(
        "legs",
        one_hour & (promised > created + promise_s + _TOL_S),
        ids,
        f"one-hour promise later than {promise_s / 60.0:g} minutes",
    )
    report("legs", one_hour & (mode == Mode.STANDARD), ids, "has a one-hour promise but no route")
    problems.extend(_check_same_day(plan, orders, rocket, row_of))
    return problems


@dataclass(frozen=True)
class AirframeFlights:
    """One airframe's flights in launch order (``report``: the ones a check reports on; all
    when ``None``)."""

    flight_ids: list[str]
    origin: NDArray[np.intp]
    site: NDArray[np.intp]
    launch_s: NDArray[np.float64]
    landing_s: NDArray[np.float64]
    report: list[bool] | None = None


def airframe_chain_problems(
    network: Network,
    name: str,
    start_hub: int,
    flights: AirframeFlights,
    *,
    home_between_days: bool = False,
) -> list[str]:
    """What is wrong with one airframe's flights (launch order): each must leave from where the
    previous one left it (the first from ``start_hub``; after a landing site without a pad, the
    hub its sea return reaches, :func:`~rocketpost.planning.fleet.site_returns`), no earlier
    than that landing plus its days at sea, recovery and turnaround, and the airframe flies at
    most ``flights_per_airframe`` times. The plan check's rule, and the service's across days
    (``report``: only the flights marked, the others chained but already reported;
    ``home_between_days``: an airframe left away from ``start_hub`` is flown home before its
    next day's flight, ready at :func:`~rocketpost.planning.fleet.home_ready_s`)."""
    rocket = network.rocket
    cycle = rocket.reuse_cycle_s
    hub_ids = network.site_ids  # hubs first; a flight may land at a site without a pad
    return_hub, return_s = site_returns(network)
    flight_ids, origin, site = flights.flight_ids, flights.origin, flights.site
    launch_s, landing_s, report = flights.launch_s, flights.landing_s, flights.report
    problems = []
    if report is None and len(flight_ids) > rocket.flights_per_airframe:
        problems.append(f"airframes: {name} flies {len(flight_ids)} times, over its limit")
    where, free = start_hub, -np.inf
    home = np.full(len(flight_ids), start_hub, dtype=np.intp)
    ready_home = home_ready_s(network, home, site, landing_s) if home_between_days else None
    day = np.floor(np.asarray(launch_s, dtype=np.float64) / 86_400.0)
    for i, flight_id in enumerate(flight_ids):
        if ready_home is not None and i > 0 and day[i] > day[i - 1] and where != start_hub:
            where, free = start_hub, float(ready_home[i - 1])  # flown home overnight
        if report is None or report[i]:
            if origin[i] != where:
                problems.append(
                    f"airframes: {name} launches flight {flight_id} from "
                    f"{hub_ids[origin[i]]} but is at {hub_ids[where]}"
                )
            if launch_s[i] < free - _TOL_S:
                problems.append(
                    f"airframes: {name} launches flight {flight_id} during recovery/turnaround"
                )
        where = int(return_hub[site[i]])
        free = landing_s[i] + float(return_s[site[i]]) + cycle
    return problems


def _check_same_day(
    plan: Plan, orders: OrderTable, rocket: RocketClass, row_of: dict[str, int]
) -> list[str]:
    """The same-day tier: every same-day order is promised its order time plus
    :data:`~rocketpost.core.eligibility.SAME_DAY_WINDOW_S` (12 h), never later, and is planned
    within that promise; and on every flight the same-day load fits in the room the one-hour
    orders leave (by mass and by volume), so that no same-day order takes a one-hour order's
    place. The one-hour share the booking service holds back
    (:data:`rocketpost.service.sameday.ONE_HOUR_RESERVED_SHARE`) is for one-hour bookings not
    yet made; a plan knows its day's one-hour orders and packs them first, so it may fill the
    rest."""
    outcomes, manifests, flights = plan.outcomes, plan.manifests, plan.flights
    problems: list[str] = []
    ids = outcomes.order_id
    same_day = outcomes.mode == Mode.SAME_DAY
    o_rows = np.array([row_of.get(k, -1) for k in ids.tolist()], dtype=np.int64)
    created = orders.created_at_s.astype(np.float64)[np.maximum(o_rows, 0)]
    due = created + SAME_DAY_WINDOW_S
    rules = (
        (
            same_day & (o_rows >= 0) & (np.abs(outcomes.promised_s - due) > _TOL_S),
            f"same-day promise is not its order time + {SAME_DAY_WINDOW_S / 3600.0:g} h",
        ),
        (
            same_day & ~(outcomes.planned_delivery_s <= outcomes.promised_s + _TOL_S),
            "same-day delivery is planned after its promise",
        ),
        (same_day & outcomes.one_hour, "is same-day and one-hour at once"),
    )
    for bad, detail in rules:
        idx = np.flatnonzero(bad)
        problems.extend(f"same_day: {ids[i]} {detail}" for i in idx[:_MAX_PER_RULE])
        if len(idx) > _MAX_PER_RULE:
            problems.append(f"same_day: … and {len(idx) - _MAX_PER_RULE} more")
    # The room one-hour orders leave on each flight holds its same-day load.
    mode_of = dict(zip(ids.tolist(), outcomes.mode.tolist(), strict=True))
    position = {int(f): i for i, f in enumerate(flights.flight_id.tolist())}
    m_pos = np.array([position.get(int(f), -1) for f in manifests.flight_id.tolist()], np.int64)
    m_rows = np.array([row_of.get(k, -1) for k in manifests.order_id.tolist()], dtype=np.int64)
    m_same_day = np.array(
        [mode_of.get(k) == Mode.SAME_DAY for k in manifests.order_id.tolist()], dtype=bool
    )
    good = (m_pos >= 0) & (m_rows >= 0)
    n = len(flights.flight_id)
    for kind, per_order, capacity, tol in (
        ("kg", orders.mass_kg, rocket.payload_mass_kg, 1e-6),
        ("m³", orders.volume_m3, rocket.payload_volume_m3, 1e-9),
    ):
        load = per_order[np.maximum(m_rows, 0)]
        sd = good & m_same_day
        same_day_load = np.bincount(m_pos[sd], weights=load[sd], minlength=n)
        one_hour_load = np.bincount(m_pos[good & ~sd], weights=load[good & ~sd], minlength=n)
        room = capacity - one_hour_load
        for f in np.flatnonzero(same_day_load > room + tol)[:_MAX_PER_RULE].tolist():
            problems.append(
                f"same_day: flight {flights.flight_id[f]} carries {same_day_load[f]:g} {kind} "
                f"of same-day orders, more than the {room[f]:g} {kind} its other orders leave"
            )
    return problems[: 5 * _MAX_PER_RULE]


def _check_routes(
    plan: Plan, orders: OrderTable, network: Network, row_of: dict[str, int]
) -> list[str]:
    """The last-mile routes: each starts at its landing's depot (the site's port or vessel); a
    drone carries a parcel within its payload, to a door within its range from the depot, and
    arrives no sooner than its cruise speed allows after release (its endurance: the time in
    the air is the distance at cruise speed, which the range bounds); a van no sooner than the
    road allows."""
    routes = plan.routes
    if len(routes) == 0:
        return []
    problems: list[str] = []
    drone, van = network.drone, network.van
    flight_at = {int(f): i for i, f in enumerate(plan.flights.flight_id.tolist())}
    outcome_at = {k: i for i, k in enumerate(plan.outcomes.order_id.tolist())}
    sites = network.landing_sites
    for r in range(len(routes)):
        order_id, label = str(routes.order_id[r]), f"{routes.order_id[r]} ({routes.vehicle[r]})"
        f, o, row = (
            flight_at.get(int(routes.flight_id[r])),
            outcome_at.get(order_id),
            row_of.get(order_id),
        )
        if f is None or o is None or row is None:
            problems.append(f"routes: {label} names an unknown flight or order")
            continue
        site = sites[int(plan.flights.destination[f])]
        vessel = bool(plan.outcomes.vessel[o])
        depot = f"vessel:{site.site_id}" if vessel else f"port:{site.port}"
        if routes.depot[r] != depot:
            problems.append(f"routes: {label} starts at {routes.depot[r]}, not {depot}")
            continue
        lat, lon = site.position if vessel else site.port_position
        km = float(
            great_circle_km(
                lat, lon, orders.destination_lat_deg[row], orders.destination_lon_deg[row]
            )
        )
        released = plan.outcomes.port_arrival_s[o] + plan.outcomes.inspection_s[o]
        if routes.kind[r] == "drone":
            if orders.mass_kg[row] > drone.max_parcel_kg + 1e-9:
                problems.append(f"routes: {label} is over the drone's {drone.max_parcel_kg:g} kg")
            if orders.volume_m3[row] > drone.max_parcel_m3 + 1e-12:
                problems.append(f"routes: {label} is over the drone's {drone.max_parcel_m3:g} m³")
            if km > drone.range_km + 1e-3:
                problems.append(
                    f"routes: {label} door is {km:.1f} km from {depot}, over the drone's range"
                )
            soonest = released + km / drone.speed_kmh * 3600.0  # hours to seconds
        elif vessel:
            problems.append(f"routes: {label} a {routes.kind[r]} cannot leave a vessel")
            continue
        else:
            soonest = released + km * van.road_factor / van.speed_kmh * 3600.0
        # Routes work on a local plane (well under 1 % off within a last-mile radius).
        if routes.arrival_s[r] < released + (soonest - released) * (1 - 1e-2) - _TOL_S:
            problems.append(f"routes: {label} arrives sooner than its {routes.kind[r]} can")
    return problems[: 5 * _MAX_PER_RULE]
