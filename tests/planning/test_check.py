"""The independent check catches each kind of broken plan."""

from __future__ import annotations

import dataclasses
import math
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from rocketpost.network import Network, default_network
from rocketpost.orders.table import OrderTable
from rocketpost.planning import check_plan, plan_orders, write_plan
from rocketpost.planning.consolidation import ConsolidationPolicy
from rocketpost.planning.params import PlanParams
from rocketpost.planning.service_choice import Mode

from . import make_orders
from .test_pipeline import FLY_ALWAYS, tiny


@pytest.fixture()
def planned(tmp_path: Path) -> tuple[Path, OrderTable, Network]:
    net, orders = tiny()
    write_plan(
        plan_orders(net, orders, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer"),
        tmp_path,
    )
    assert check_plan(tmp_path, orders, net) == []
    return tmp_path, orders, net


def edit(path: Path, change) -> None:  # type: ignore[no-untyped-def]
    pq.write_table(change(pq.read_table(path)), path)


def set_column(table: pa.Table, name: str, values: list[object]) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, name, pa.array(values, type=table.schema.field(name).type))


def test_missing_and_duplicated_orders(planned: tuple[Path, OrderTable, Network]) -> None:
    out, orders, net = planned
    edit(out / "outcomes.parquet", lambda t: pa.concat_tables([t.slice(0, 3), t.slice(0, 1)]))
    problems = check_plan(out, orders, net)
    assert "outcomes: o0 appears more than once" in problems
    assert "outcomes: o3 is missing from the outcomes" in problems


def test_overloaded_flight(planned: tuple[Path, OrderTable, Network]) -> None:
    out, orders, net = planned
    # Put o2 (2 t) on flight 3 (already 9 t): 11 t in one rocket.
    edit(out / "manifests.parquet", lambda t: set_column(t, "flight_id", [1, 1, 3, 3]))
    problems = check_plan(out, orders, net)
    assert any("flight 3 carries more than 10000 kg" in p for p in problems)


def test_teleporting_airframe_and_turnaround(planned: tuple[Path, OrderTable, Network]) -> None:
    out, orders, net = planned
    # Drop HZB-01's repositioning flight home: it would launch from HZB while sitting at ICN.
    edit(out / "flights.parquet", lambda t: t.filter(pc.not_equal(t["flight_id"], 2)))
    problems = check_plan(out, orders, net)
    assert any("HZB-01 launches flight 4 from HZB but is at ICN" in p for p in problems)


def test_used_during_turnaround(planned: tuple[Path, OrderTable, Network]) -> None:
    out, orders, net = planned

    def early(t: pa.Table) -> pa.Table:
        launch = t["launch"].to_pylist()
        landing = t["landing"].to_pylist()
        shift = launch[2] - landing[1]  # HZB-01's return leaves right after landing
        launch[2] -= shift
        landing[2] -= shift
        return set_column(set_column(t, "launch", launch), "landing", landing)

    edit(out / "flights.parquet", early)
    assert any("during recovery/turnaround" in p for p in check_plan(out, orders, net))


def test_false_on_time_claim_and_impossible_delivery(
    planned: tuple[Path, OrderTable, Network],
) -> None:
    out, orders, net = planned

    def lie(t: pa.Table) -> pa.Table:
        delivery = t["planned_delivery"].to_pylist()
        launch = t["launch"].to_pylist()
        delivery[0] = launch[0]  # delivered at launch: faster than the legs allow
        on_time = t["on_time"].to_pylist()
        on_time[1] = False
        return set_column(set_column(t, "planned_delivery", delivery), "on_time", on_time)

    edit(out / "outcomes.parquet", lie)
    problems = check_plan(out, orders, net)
    assert "legs: o0 is delivered sooner than its legs allow" in problems
    assert "on_time: o1 on_time disagrees with planned vs promised" in problems


def test_unreadable_directory(tmp_path: Path) -> None:
    net, orders = tiny()
    assert check_plan(tmp_path, orders, net)[0].startswith("files: cannot read")


@pytest.fixture()
def same_day_plan(tmp_path: Path) -> tuple[Path, OrderTable, Network]:
    """Five one-hour parcels and three 4 t B2B pallets HZB -> ICN at the same minute: two
    pallets ride the parcels' flight as same-day freight (tests/planning/test_sameday.py)."""
    network = default_network("today")
    lat, lon = network.hub("ICN").port_position
    created = 1_795_651_200 + 3 * 3600  # 2026-11-25 03:00 UTC
    orders = make_orders(
        [(lat + 0.02, lon + 0.02)] * 8,
        [created] * 8,
        [1.0] * 5 + [4000.0] * 3,
        [0.004] * 5 + [4.0] * 3,
        origin_hub=["HZB"] * 8,
    )
    channel = np.array(orders.channel)
    channel[5:] = "b2b"
    orders = dataclasses.replace(orders, channel=channel)
    always = ConsolidationPolicy(max_cost_per_kg_usd=math.inf)
    plan = plan_orders(network, orders, PlanParams(consolidation=always), promise_rule="buffer")
    assert list(plan.outcomes.mode[5:7]) == [Mode.SAME_DAY] * 2
    write_plan(plan, tmp_path)
    assert check_plan(tmp_path, orders, network) == []
    return tmp_path, orders, network


def test_same_day_promise_and_delivery(same_day_plan: tuple[Path, OrderTable, Network]) -> None:
    out, orders, net = same_day_plan

    def lie(t: pa.Table) -> pa.Table:
        promised = t["promised"].to_pylist()
        promised[5] += timedelta(hours=1)  # a same-day promise of 13 h
        delivery = t["planned_delivery"].to_pylist()
        delivery[6] = promised[6] + timedelta(minutes=10)  # delivered after its promise
        on_time = t["on_time"].to_pylist()
        on_time[6] = False  # (honestly claimed late: the on_time rule has nothing to say)
        t = set_column(t, "promised", promised)
        return set_column(set_column(t, "planned_delivery", delivery), "on_time", on_time)

    edit(out / "outcomes.parquet", lie)
    problems = check_plan(out, orders, net)
    assert "same_day: o5 same-day promise is not its order time + 12 h" in problems
    assert "same_day: o6 same-day delivery is planned after its promise" in problems
    assert not any(p.startswith("on_time") for p in problems)


def test_same_day_load_beyond_the_room_one_hour_orders_leave(
    same_day_plan: tuple[Path, OrderTable, Network],
) -> None:
    out, orders, net = same_day_plan
    mass = orders.mass_kg.copy()
    mass[6] = 6000.0  # 5 kg of parcels + 10 t of pallets on one XZY-1
    heavier = dataclasses.replace(orders, mass_kg=mass)
    problems = check_plan(out, heavier, net)
    flight = int(pq.read_table(out / "outcomes.parquet")["flight_id"][5].as_py())
    assert (
        f"same_day: flight {flight} carries 10000 kg of same-day orders, "
        "more than the 9995 kg its other orders leave"
    ) in problems


def test_a_plan_without_flights_passes(tmp_path: Path) -> None:
    # Central Africa from Hangzhou Bay: nothing flies, every manifest column is empty.
    network = default_network("today")
    orders = make_orders([(0.5, 20.0)] * 2, [1_795_651_200] * 2, [1.0] * 2, [0.004] * 2)
    plan = plan_orders(network, orders, PlanParams(consolidation=ConsolidationPolicy()))
    assert len(plan.flights.flight_id) == 0
    write_plan(plan, tmp_path)
    assert check_plan(tmp_path, orders, network) == []
