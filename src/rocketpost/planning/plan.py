"""The plan of a day: service choice → consolidation → fleet → last mile, and its directory.

:func:`plan_orders` runs the stages; :class:`Plan` holds the result as Arrow tables (the same
columns that land on disk) plus the KPIs; :func:`write_plan` writes the directory::

    DIR/flights.parquet     flight_id, airframe, origin, destination, launch, landing, mass_kg,
                            volume_m3, orders, repositioning
    DIR/manifests.parquet   flight_id, order_id
    DIR/routes.parquet      landing flight_id, vehicle, stop, order_id, arrival (last mile)
    DIR/outcomes.parquet    one row per input order: service, mode, reason, hubs, flight_id,
                            launch, landing, port, inspection_s, last_mile_s, promised,
                            planned_delivery, on_time
    DIR/lane_waves.parquet  per lane and wave: orders, mass, volume, lower bound, flights
    DIR/decisions.parquet   nearly empty lane-waves: hold / fly / downgrade with cost and slack
    DIR/airframes.parquet   airframe, start hub, end hub, flights today, total flights, ready
    DIR/kpis.json           the summary (see :func:`kpis`)
    DIR/customs.parquet     with customs pre-clearance: decision, duties, note per order
    DIR/stock.parquet       with an inventory: per hub and SKU, on hand, drawn, left

:func:`rocketpost.planning.day.plan_day` adds the inventory draw-down and customs pre-clearance
in front of :func:`plan_orders`.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import ArrayLike, NDArray

from rocketpost.core.eta import landing_to_port_s
from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.planning.backhaul import load_backhaul
from rocketpost.planning.consolidation import ConsolidationPolicy, consolidate, lower_bound
from rocketpost.planning.fleet import Airframe, initial_fleet, schedule_fleet
from rocketpost.planning.service_choice import REASONS, Mode, Reason, choose_service, reason_code

__all__ = ["PLAN_FILES", "Plan", "carried_lower_bound", "kpis", "plan_orders", "write_plan"]

PLAN_FILES = (
    "flights.parquet",
    "manifests.parquet",
    "routes.parquet",
    "outcomes.parquet",
    "lane_waves.parquet",
    "decisions.parquet",
    "airframes.parquet",
    "kpis.json",
)

Progress = Callable[[str], None]
_TS = pa.timestamp("ms", tz="UTC")
_MODES = np.array(["standard", "rocket", "ground"])


def _ts(seconds: NDArray[np.float64]) -> pa.Array:
    ms = np.round(np.asarray(seconds, dtype=np.float64) * 1000.0)
    mask = ~np.isfinite(ms)
    return pa.array(np.where(mask, 0, ms).astype(np.int64), type=pa.int64(), mask=mask).cast(_TS)


@dataclass(frozen=True, eq=False)
class Plan:
    """A day's plan: the tables of the plan directory and the KPIs."""

    flights: pa.Table
    manifests: pa.Table
    routes: pa.Table
    outcomes: pa.Table
    lane_waves: pa.Table
    decisions: pa.Table
    airframes: pa.Table
    kpis: dict[str, Any]
    extras: dict[str, pa.Table] = dataclasses.field(default_factory=dict)
    """Optional tables written beside the rest (``customs``, ``stock``: see :func:`plan_day`)."""


def plan_orders(
    network: Network,
    orders: OrderTable,
    *,
    promise_s: float = 3600.0,
    inspection_delay_s: ArrayLike | None = None,
    held: ArrayLike | None = None,
    allowed_origins: ArrayLike | None = None,
    policy: ConsolidationPolicy | None = None,
    fleet: list[Airframe] | None = None,
    reserve_for_fuller: bool = True,
    last_mile: bool = False,
    last_mile_time_limit_s: float = 2.0,
    progress: Progress | None = None,
) -> Plan:
    """Plan a day of orders end to end.

    Parameters
    ----------
    inspection_delay_s, held
        Customs hooks (per order): extra seconds at the destination port; held orders go
        standard with ``customs_hold``.
    allowed_origins
        Inventory hook: ``(orders, hubs)`` booleans of hubs with stock.
    fleet
        Airframes at the start (default: each hub's fleet, ready at the first order's midnight).
    last_mile
        Route each landing with PyVRP (:mod:`rocketpost.planning.lastmile`); otherwise each
        parcel's last mile is the direct trip of the ETA model.
    """
    say = progress or (lambda _stage: None)
    n = len(orders)
    say("service choice")
    choice = choose_service(
        network,
        orders,
        promise_s=promise_s,
        inspection_delay_s=inspection_delay_s,
        held=held,
        allowed_origins=allowed_origins,
    )
    mass, volume = orders.mass_kg, orders.volume_m3
    say("consolidation")
    cons = consolidate(network, choice, mass, volume, policy=policy or ConsolidationPolicy())
    say("fleet")
    rocket = network.rocket
    if fleet is None:
        first = float(choice.created_s.min()) if n else 0.0
        fleet = initial_fleet(network, float(np.floor(first / 86400.0) * 86400.0))
    fill = np.maximum(
        cons.bin_mass_kg / rocket.payload_mass_kg, cons.bin_volume_m3 / rocket.payload_volume_m3
    )
    sched = schedule_fleet(
        network,
        cons.bin_origin,
        cons.bin_destination,
        cons.bin_launch_s,
        fill,
        fleet=[dataclasses.replace(a) for a in fleet],
        reserve_for_fuller=reserve_for_fuller,
    )

    # Outcomes: start from the service choice, apply holds, light-load and no-capacity downgrades.
    mode = choice.mode.copy()
    reason = choice.reason.copy()
    promised = choice.promised_s.copy()
    created = choice.created_s
    shift = np.nan_to_num(cons.order_launch_s - choice.launch_s)
    launch = choice.launch_s + shift
    landing = choice.landing_s + shift
    port = choice.port_s + shift
    delivery = choice.delivery_s + shift
    flight_of = np.full(n, -1, dtype=np.int64)
    carried = cons.order_bin >= 0
    flight_of[carried] = sched.bin_flight[cons.order_bin[carried]]

    def downgrade(rows: NDArray[np.int64], why: Reason) -> None:
        mode[rows] = Mode.STANDARD
        reason[rows] = reason_code(why)
        promised[rows] = created[rows] + network.promise.standard_days * 86400.0
        delivery[rows] = promised[rows]
        for arr in (launch, landing, port):
            arr[rows] = np.nan

    downgrade(cons.downgraded, Reason.LIGHT_LOAD)
    downgrade(np.flatnonzero(carried & (flight_of < 0)), Reason.NO_CAPACITY)
    standard = mode == Mode.STANDARD  # the service promised; backhaul below only flies early

    back = load_backhaul(
        network,
        orders,
        choice,
        mode,
        reason,
        flight_origin=sched.flight_origin,
        flight_destination=sched.flight_destination,
        flight_launch_s=sched.flight_launch_s,
        repositioning=sched.repositioning,
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

    routes = _empty_routes()
    if last_mile:
        say("last mile")
        from rocketpost.planning.lastmile import route_landings

        routes, delivery_lm = route_landings(
            network,
            orders,
            flight_of,
            sched.flight_destination,
            port + choice.inspection_s,  # released to the vans once customs let it go
            promised,
            time_limit_s=last_mile_time_limit_s,
        )
        routed = np.isfinite(delivery_lm)
        delivery = np.where(routed, delivery_lm, delivery)

    say("writing tables")
    on_time = delivery <= promised + 1e-6
    hub_ids = np.array(network.hub_ids)
    no_route = mode == Mode.STANDARD
    outcomes = pa.table(
        {
            "order_id": pa.array(orders.order_id),
            "service": pa.array(np.where(standard, "standard", "one_hour")),
            "mode": pa.array(_MODES[mode]),
            "reason": pa.array(np.array([r.value for r in REASONS])[reason]),
            "origin": pa.array(np.where(no_route, "", hub_ids[choice.origin])),
            "destination": pa.array(np.where(no_route, "", hub_ids[choice.destination])),
            "flight_id": pa.array(np.where(flight_of >= 0, flight_of, -1)),
            "created": _ts(created),
            "launch": _ts(launch),
            "landing": _ts(landing),
            "port_arrival": _ts(port),
            "inspection_s": pa.array(choice.inspection_s),
            "last_mile_s": pa.array(np.where(no_route, np.nan, delivery - port)),
            "promised": _ts(promised),
            "planned_delivery": _ts(delivery),
            "on_time": pa.array(on_time),
        }
    )
    nf = len(sched.flight_bin)
    fb = sched.flight_bin
    cargo = fb >= 0
    f_mass = np.where(cargo, cons.bin_mass_kg[np.maximum(fb, 0)], back.flight_mass_kg)
    f_volume = np.where(cargo, cons.bin_volume_m3[np.maximum(fb, 0)], back.flight_volume_m3)
    f_orders = np.where(
        cargo,
        cons.bin_orders[np.maximum(fb, 0)],
        np.bincount(back.order_flight[riding], minlength=nf),
    )
    airframe_ids = np.array([a.airframe_id for a in sched.airframes])
    flights = pa.table(
        {
            "flight_id": pa.array(np.arange(nf, dtype=np.int64)),
            "airframe": pa.array(airframe_ids[sched.flight_airframe] if nf else np.zeros(0, "<U1")),
            "origin": pa.array(hub_ids[sched.flight_origin] if nf else np.zeros(0, "<U1")),
            "destination": pa.array(
                hub_ids[sched.flight_destination] if nf else np.zeros(0, "<U1")
            ),
            "launch": _ts(sched.flight_launch_s),
            "landing": _ts(sched.flight_landing_s),
            "mass_kg": pa.array(f_mass),
            "volume_m3": pa.array(f_volume),
            "orders": pa.array(f_orders.astype(np.int64)),
            "repositioning": pa.array(~cargo),
        }
    )
    has_flight = np.flatnonzero(flight_of >= 0)
    manifests = pa.table(
        {
            "flight_id": pa.array(flight_of[has_flight]),
            "order_id": pa.array(orders.order_id[has_flight]),
        }
    )
    lw = cons.lane_waves
    lane_waves = pa.table(
        {
            "origin": pa.array(hub_ids[lw["origin"]] if len(lw["origin"]) else np.zeros(0, "<U1")),
            "destination": pa.array(
                hub_ids[lw["destination"]] if len(lw["origin"]) else np.zeros(0, "<U1")
            ),
            "launch": _ts(lw["launch_s"]),
            "orders": pa.array(lw["orders"]),
            "mass_kg": pa.array(lw["mass_kg"]),
            "volume_m3": pa.array(lw["volume_m3"]),
            "lower_bound": pa.array(lw["lower_bound"]),
            "flights_packed": pa.array(lw["flights"]),
        }
    )
    decisions = pa.Table.from_pylist(
        [
            {
                **dataclasses.asdict(d),
                "origin": network.hub_ids[d.origin],
                "destination": network.hub_ids[d.destination],
            }
            for d in cons.decisions
        ]
        or [],
        schema=_DECISION_SCHEMA,
    )
    counts = np.bincount(sched.flight_airframe, minlength=len(sched.airframes))
    airframes = pa.table(
        {
            "airframe": pa.array(airframe_ids),
            "start_hub": pa.array(hub_ids[sched.initial_location]),
            "end_hub": pa.array(hub_ids[[a.location for a in sched.airframes]]),
            "flights_today": pa.array(counts.astype(np.int64)),
            "flights_total": pa.array(
                np.array([a.flights for a in sched.airframes], dtype=np.int64)
            ),
            "ready": _ts(np.array([a.ready_s for a in sched.airframes])),
        }
    )
    summary = kpis(network, outcomes, flights, sched.utilisation(), sched.airframes_used())
    summary["promise_s"] = float(promise_s)
    summary["backhaul_orders"] = len(riding)
    summary["backhaul_kg"] = float(back.flight_mass_kg.sum())
    summary["flights_lower_bound"] = int(carried_lower_bound(network, flights))
    lb = summary["flights_lower_bound"]
    summary["flights_vs_lower_bound"] = summary["cargo_flights"] / lb if lb else None
    summary["light_lane_wave_decisions"] = {
        a: sum(1 for d in cons.decisions if d.action == a) for a in ("hold", "fly", "downgrade")
    }
    return Plan(flights, manifests, routes, outcomes, lane_waves, decisions, airframes, summary)


_DECISION_SCHEMA = pa.schema(
    [
        ("origin", pa.string()),
        ("destination", pa.string()),
        ("launch_s", pa.float64()),
        ("action", pa.string()),
        ("orders", pa.int64()),
        ("mass_kg", pa.float64()),
        ("volume_m3", pa.float64()),
        ("fill", pa.float64()),
        ("cost_per_kg_usd", pa.float64()),
        ("min_slack_s", pa.float64()),
        ("next_launch_s", pa.float64()),
    ]
)


def _empty_routes() -> pa.Table:
    return pa.table(
        {
            "flight_id": pa.array([], pa.int64()),
            "vehicle": pa.array([], pa.string()),
            "stop": pa.array([], pa.int64()),
            "order_id": pa.array([], pa.string()),
            "arrival": pa.array([], _TS),
            "late": pa.array([], pa.bool_()),
        }
    )


def carried_lower_bound(network: Network, flights: pa.Table) -> int:
    """Σ over (lane, wave) of the lower bound of what actually flies.

    Counted on the cargo that flies (not on the demand), so flights ÷ bound measures packing,
    not the fleet shortage.
    """
    rocket = network.rocket
    cargo = flights.filter(pc.invert(flights["repositioning"]))
    if cargo.num_rows == 0:
        return 0
    grouped = cargo.group_by(["origin", "destination", "launch"]).aggregate(
        [("mass_kg", "sum"), ("volume_m3", "sum")]
    )
    m = grouped["mass_kg_sum"].to_numpy()
    v = grouped["volume_m3_sum"].to_numpy()
    return sum(
        lower_bound(float(a), float(b), rocket.payload_mass_kg, rocket.payload_volume_m3)
        for a, b in zip(m, v, strict=True)
    )


def kpis(
    network: Network, outcomes: pa.Table, flights: pa.Table, utilisation: float, airframes_used: int
) -> dict[str, Any]:
    """The plan summary: service mix, promises, flights, fill, cost per kg, repositioning."""
    rocket = network.rocket
    n = outcomes.num_rows
    service = outcomes["service"].to_numpy(zero_copy_only=False)
    mode = outcomes["mode"].to_numpy(zero_copy_only=False)
    reasons = outcomes["reason"].to_numpy(zero_copy_only=False)
    on_time = outcomes["on_time"].to_numpy(zero_copy_only=False)
    repositioning = flights["repositioning"].to_numpy(zero_copy_only=False)
    mass = flights["mass_kg"].to_numpy()
    volume = flights["volume_m3"].to_numpy()
    cargo = int((~repositioning).sum())
    carried_kg = float(mass.sum())
    cargo_kg = float(mass[~repositioning].sum())
    cargo_m3 = float(volume[~repositioning].sum())
    values, counts = np.unique(reasons, return_counts=True)
    return {
        "orders": n,
        "one_hour_orders": int((service == "one_hour").sum()),
        "one_hour_share": float((service == "one_hour").mean()) if n else 0.0,
        "rocket_orders": int((mode == "rocket").sum()),
        "ground_orders": int((mode == "ground").sum()),
        "standard_orders": int((service == "standard").sum()),
        "reasons": {str(v): int(c) for v, c in zip(values, counts, strict=True)},
        "promises_kept": int(on_time.sum()),
        "promises_kept_share": float(on_time.mean()) if n else 1.0,
        "late_orders": int((~on_time).sum()),
        "flights": len(mass),
        "cargo_flights": cargo,
        "repositioning_flights": int(repositioning.sum()),
        "carried_kg": carried_kg,
        "carried_m3": float(volume.sum()),
        "fill_by_weight": cargo_kg / (cargo * rocket.payload_mass_kg) if cargo else 0.0,
        "fill_by_volume": cargo_m3 / (cargo * rocket.payload_volume_m3) if cargo else 0.0,
        "cost_usd": len(mass) * rocket.cost_per_flight_usd,
        "cost_per_kg_usd": len(mass) * rocket.cost_per_flight_usd / carried_kg
        if carried_kg
        else None,
        "airframes_used": airframes_used,
        "airframe_utilisation": utilisation,
    }


def write_plan(plan: Plan, directory: str | Path) -> Path:
    """Write the plan directory (Parquet tables + ``kpis.json``); returns the directory."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for name in (
        "flights",
        "manifests",
        "routes",
        "outcomes",
        "lane_waves",
        "decisions",
        "airframes",
    ):
        pq.write_table(getattr(plan, name), out / f"{name}.parquet")
    for name, table in plan.extras.items():
        pq.write_table(table, out / f"{name}.parquet")
    (out / "kpis.json").write_text(json.dumps(plan.kpis, indent=2, allow_nan=False) + "\n")
    return out
