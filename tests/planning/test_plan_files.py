"""write_plan → read_plan round trip, and plan files that do not follow their schema."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rocketpost.network import default_network
from rocketpost.orders.generator import generate_orders
from rocketpost.planning import (
    PLAN_FILES,
    ConsolidationPolicy,
    Mode,
    Plan,
    PlanFileError,
    plan_day,
    plan_orders,
    read_plan,
    read_provenance,
    write_plan,
)
from rocketpost.planning.params import LastMileParams, PlanParams
from rocketpost.planning.tables import PLAN_TABLES, schema_of

from .test_pipeline import FLY_ALWAYS, tiny


@pytest.fixture(scope="module")
def day_plan() -> Plan:
    """A generated day with customs, light flights and the stock at the Chinese hubs."""
    net = default_network()
    orders, items = generate_orders(1500, day=date(2026, 11, 25), rng=np.random.default_rng(4))
    china = np.flatnonzero([h.country == "CN" for h in net.hubs])
    allowed = np.zeros((len(orders), len(net.hubs)), dtype=bool)
    allowed[:, china] = True
    return plan_day(
        net,
        orders,
        items,
        PlanParams(consolidation=ConsolidationPolicy(max_cost_per_kg_usd=math.inf)),
        allowed_origins=allowed,
        promise_rule="buffer",
    )


def assert_same_plan(a: Plan, b: Plan) -> None:
    assert a.hub_ids == b.hub_ids
    for name in PLAN_TABLES:
        left, right = getattr(a, name).arrays(), getattr(b, name).arrays()
        assert left.keys() == right.keys()
        for column, values in left.items():
            other = right[column]
            assert values.dtype.kind == other.dtype.kind, (name, column)
            np.testing.assert_array_equal(values, other, err_msg=f"{name}.{column}")
    assert a.kpis == b.kpis
    assert a.provenance == b.provenance
    assert a.extras.keys() == b.extras.keys()
    for name, table in a.extras.items():
        other = b.extras[name]
        assert table.schema.equals(other.schema)
        for column in table.column_names:  # NaN duties are equal here (Arrow's equals says no)
            left, right = table[column].to_numpy(), other[column].to_numpy()
            if left.dtype.kind == "f":
                np.testing.assert_array_equal(left, right)
            else:
                assert left.tolist() == right.tolist(), (name, column)


def test_round_trip_gives_equal_arrays(day_plan: Plan, tmp_path: Path) -> None:
    assert day_plan.kpis["rocket_orders"] > 0 and len(day_plan.decisions) > 0
    write_plan(day_plan, tmp_path)
    assert set(PLAN_FILES) <= {p.name for p in tmp_path.iterdir()}
    assert_same_plan(day_plan, read_plan(tmp_path, default_network()))


def test_round_trip_of_the_tiny_day_with_last_mile(tmp_path: Path) -> None:
    net, orders = tiny()
    plan = plan_orders(
        net,
        orders,
        PlanParams(consolidation=FLY_ALWAYS, last_mile=True, last_mile_options=LastMileParams(0.2)),
        promise_rule="buffer",
    )
    assert len(plan.routes) == 4
    write_plan(plan, tmp_path)
    back = read_plan(tmp_path, net)
    assert_same_plan(plan, back)
    assert back.outcomes.mode.tolist() == [Mode.ROCKET] * 4


def test_files_follow_their_schema(day_plan: Plan, tmp_path: Path) -> None:
    write_plan(day_plan, tmp_path)
    for table in PLAN_TABLES.values():
        schema = pq.read_schema(tmp_path / table.FILE)
        assert schema.remove_metadata().equals(schema_of(table).remove_metadata())
        assert b"meaning" in schema.field(0).metadata


def test_kpis_are_pure_and_provenance_is_in_the_manifest(day_plan: Plan, tmp_path: Path) -> None:
    write_plan(day_plan, tmp_path)
    kpis = json.loads((tmp_path / "kpis.json").read_text())
    for key in ("promise_s", "orders_file", "network_file"):
        assert key not in kpis
    provenance = read_provenance(tmp_path)
    assert provenance.promise_s == default_network().promise.one_hour_s
    assert provenance.options["customs"] is True


def test_wrong_column_type_names_file_and_column(tmp_path: Path) -> None:
    net, orders = tiny()
    write_plan(
        plan_orders(net, orders, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer"),
        tmp_path,
    )
    path = tmp_path / "flights.parquet"
    table = pq.read_table(path)
    i = table.schema.get_field_index("mass_kg")
    as_text = pa.array([str(x) for x in table["mass_kg"].to_pylist()], pa.string())
    pq.write_table(table.set_column(i, "mass_kg", as_text), path)
    with pytest.raises(PlanFileError, match=r"flights\.parquet: mass_kg: must be double") as error:
        read_plan(tmp_path, net)
    assert error.value.file == str(path) and error.value.column == "mass_kg"


def test_unknown_hub_and_missing_column_are_named(tmp_path: Path) -> None:
    net, orders = tiny()
    write_plan(
        plan_orders(net, orders, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer"),
        tmp_path,
    )
    path = tmp_path / "outcomes.parquet"
    table = pq.read_table(path)
    i = table.schema.get_field_index("origin")
    pq.write_table(table.set_column(i, "origin", pa.array(["XXX"] * table.num_rows)), path)
    with pytest.raises(PlanFileError, match=r"outcomes\.parquet: origin: is not one of .*XXX"):
        read_plan(tmp_path, net)
    pq.write_table(table.drop_columns(["on_time"]), path)
    with pytest.raises(PlanFileError, match=r"outcomes\.parquet: on_time: is missing"):
        read_plan(tmp_path, net)


def test_missing_manifest_is_an_error(tmp_path: Path) -> None:
    net, orders = tiny()
    write_plan(
        plan_orders(net, orders, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer"),
        tmp_path,
    )
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(PlanFileError, match=r"manifest\.json"):
        read_plan(tmp_path, net)
