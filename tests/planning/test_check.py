"""The independent check catches each kind of broken plan."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from rocketpost.network import Network
from rocketpost.orders.table import OrderTable
from rocketpost.planning import check_plan, plan_orders, write_plan
from rocketpost.planning.params import PlanParams

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
