"""Backhaul: standard-service B2B freight rides a repositioning flight instead of an empty hold."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from rocketpost.core.geo import destination_point
from rocketpost.orders.table import OrderTable
from rocketpost.planning import check_plan, plan_orders, to_arrow, write_plan
from rocketpost.planning.params import PlanParams

from . import make_orders
from .test_pipeline import DAY_S, FLY_ALWAYS, tiny


def with_backhaul_freight(orders: OrderTable, place: tuple[float, float]) -> OrderTable:
    """The tiny day plus one 4 t B2B export tendered at ICN at 01:00 for a door near HZB."""
    extra = make_orders([place], [DAY_S + 3600], [4000.0], [30.0], origin_hub=["ICN"])
    columns = {
        name: np.concatenate([orders.columns()[name], extra.columns()[name]])
        for name in orders.columns()
    }
    columns["order_id"] = np.array([*orders.order_id.tolist(), "export"])
    columns["channel"] = np.array([*orders.channel.tolist(), "b2b"])
    return OrderTable(**columns)


def test_export_rides_the_empty_repositioning_flight(tmp_path: Path) -> None:
    net, orders = tiny()
    # 30 km inland of Hangzhou Bay's port: no one-hour promise (the van alone takes ~80 min),
    # so the export goes standard — and the hold of HZB-01 flying home empty is free.
    lat, lon = net.hub("HZB").port_position
    inland = destination_point(lat, lon, 270.0, 30.0)
    day = with_backhaul_freight(orders, (float(inland[0]), float(inland[1])))
    plan = plan_orders(net, day, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer")

    flights = to_arrow(plan, "flights").to_pylist()
    # The flights of the known best plan are unchanged; flight 2 (HZB-01 home) now carries 4 t.
    assert [(f["airframe"], f["origin"], f["destination"]) for f in flights] == [
        ("ICN-01", "ICN", "HZB"),
        ("HZB-01", "HZB", "ICN"),
        ("HZB-01", "ICN", "HZB"),
        ("ICN-01", "HZB", "ICN"),
        ("HZB-01", "HZB", "ICN"),
    ]
    assert [f["mass_kg"] for f in flights] == [0.0, 9000.0, 4000.0, 9000.0, 2000.0]
    assert flights[2]["repositioning"] and flights[2]["orders"] == 1
    export = to_arrow(plan, "outcomes").to_pylist()[-1]
    assert (export["service"], export["mode"], export["flight_id"]) == ("standard", "rocket", 2)
    assert export["reason"] == "last_mile_too_long"
    assert export["on_time"] and export["planned_delivery"] < export["promised"]
    assert plan.kpis["backhaul_orders"] == 1 and plan.kpis["backhaul_kg"] == 4000.0
    # Fill is a measure of the cargo flights: backhaul does not flatter it.
    assert plan.kpis["fill_by_weight"] == 20_000 / 30_000
    write_plan(plan, tmp_path)
    assert check_plan(tmp_path, day, net) == []


def test_freight_that_is_not_ready_stays_on_the_standard_service() -> None:
    net, orders = tiny()
    lat, lon = net.hub("HZB").port_position
    inland = destination_point(lat, lon, 270.0, 30.0)
    day = with_backhaul_freight(orders, (float(inland[0]), float(inland[1])))
    late = dataclasses.replace(
        day, created_at=np.r_[day.created_at[:-1], np.datetime64(DAY_S + 20 * 3600, "s")]
    )
    plan = plan_orders(net, late, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer")
    export = to_arrow(plan, "outcomes").to_pylist()[-1]
    assert (export["mode"], export["flight_id"]) == ("standard", -1)
    assert plan.kpis["backhaul_orders"] == 0
