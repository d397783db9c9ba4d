"""The plan's tables: one typed in-memory table per plan file, and each file's Arrow schema.

In memory a plan is NumPy arrays in the planner's own terms: hubs are indices into
``network.hubs`` (-1: none), times are float UTC epoch seconds (NaN: did not happen), an
order's mode is a :class:`~rocketpost.core.eligibility.Mode` value and its reason an index
into :data:`~rocketpost.core.eligibility.REASONS`, a flight's airframe an index into the
airframe table. On disk the same tables are Parquet files with readable columns (hub ids, UTC
timestamps, mode and reason names). Each table's :class:`Column` list says both at once — file
column, Arrow type, unit, meaning, and how the value converts — so the schema, the
conversion (:mod:`rocketpost.planning.plan_files`) and the documentation (``docs/planning.md``)
cannot drift apart.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from rocketpost.errors import InputError

__all__ = [
    "CUSTOMS_SCHEMA",
    "EXTRA_SCHEMAS",
    "PLAN_TABLES",
    "STOCK_SCHEMA",
    "Airframes",
    "Codec",
    "Column",
    "Flights",
    "LaneWaves",
    "LightLoadDecisions",
    "Manifests",
    "Outcomes",
    "Plan",
    "PlanTable",
    "Provenance",
    "Routes",
    "schema_of",
]

TIMESTAMP = pa.timestamp("ms", tz="UTC")


class Codec(StrEnum):
    """How a column converts between memory and file."""

    PLAIN = "plain"  # the same values both sides
    HUB = "hub"  # hub index (-1 none) <-> hub id ("" none)
    TIME = "time"  # float epoch seconds (NaN none) <-> UTC timestamp, ms (null none)
    MODE = "mode"  # Mode value <-> its name ("standard", "rocket", "ground")
    REASON = "reason"  # index into REASONS <-> the reason's text
    SERVICE = "service"  # True <-> "one_hour", False <-> "standard"
    AIRFRAME = "airframe"  # row of the airframe table <-> airframe id


@dataclass(frozen=True)
class Column:
    """One column of a plan file and its in-memory counterpart."""

    name: str
    """Column name in the file."""
    attribute: str
    """Attribute of the in-memory table."""
    arrow: pa.DataType
    """Type in the file."""
    dtype: str
    """NumPy dtype in memory."""
    unit: str
    meaning: str
    codec: Codec = Codec.PLAIN


def _col(
    name: str,
    arrow: pa.DataType,
    dtype: str,
    unit: str,
    meaning: str,
    codec: Codec = Codec.PLAIN,
    attribute: str | None = None,
) -> Column:
    if attribute is None:
        attribute = f"{name}_s" if codec is Codec.TIME else name
    return Column(name, attribute, arrow, dtype, unit, meaning, codec)


def _hub(name: str, meaning: str) -> Column:
    return _col(name, pa.string(), "int64", "hub", meaning, Codec.HUB)


def _time(name: str, meaning: str) -> Column:
    return _col(name, TIMESTAMP, "float64", "UTC", meaning, Codec.TIME)


class PlanTable:
    """Aligned NumPy columns; subclasses list their :class:`Column` s in ``COLUMNS``.

    Times (:attr:`Codec.TIME` columns) are held at the file's resolution, the millisecond, so
    that a plan read back equals the plan written and the simulator sees the same times from
    memory as from a directory.
    """

    FILE: ClassVar[str]
    COLUMNS: ClassVar[tuple[Column, ...]]

    def __post_init__(self) -> None:
        lengths = set()
        for column in self.COLUMNS:
            values = np.asarray(getattr(self, column.attribute))
            if values.ndim != 1:
                raise InputError(f"{self.FILE}.{column.name}", values.shape, "must be 1-D")
            if np.dtype(column.dtype).kind != "U":
                values = values.astype(column.dtype, copy=False)
            elif values.dtype.kind != "U":
                values = values.astype(str)
            if column.codec is Codec.TIME:
                values = np.round(values * 1000.0) / 1000.0
            object.__setattr__(self, column.attribute, values)
            lengths.add(len(values))
        if len(lengths) > 1:
            raise InputError(self.FILE, sorted(lengths), "columns differ in length")

    def __len__(self) -> int:
        return len(getattr(self, self.COLUMNS[0].attribute))

    @classmethod
    def empty(cls) -> Any:
        """A table with no rows."""
        return cls(**{c.attribute: np.zeros(0, dtype=c.dtype) for c in cls.COLUMNS})

    def arrays(self) -> dict[str, NDArray[Any]]:
        """The in-memory columns by attribute name."""
        return {c.attribute: getattr(self, c.attribute) for c in self.COLUMNS}


@dataclass(frozen=True, eq=False)
class Flights(PlanTable):
    """``flights.parquet``: every flight of the day, cargo and repositioning."""

    FILE: ClassVar[str] = "flights.parquet"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        _col("flight_id", pa.int64(), "int64", "", "flight number, 0 .. F-1 in launch order"),
        _col("airframe", pa.string(), "int64", "id", "the airframe flying it", Codec.AIRFRAME),
        _hub("origin", "launch hub"),
        _hub("destination", "landing site (a hub's zone or an extra site)"),
        _time("launch", "launch time"),
        _time("landing", "landing time"),
        _col("mass_kg", pa.float64(), "float64", "kg", "payload mass"),
        _col("volume_m3", pa.float64(), "float64", "m³", "payload volume"),
        _col("orders", pa.int64(), "int64", "", "orders on board"),
        _col("repositioning", pa.bool_(), "bool", "", "flown to move the airframe"),
    )
    flight_id: NDArray[np.int64]
    airframe: NDArray[np.int64]
    origin: NDArray[np.int64]
    destination: NDArray[np.int64]
    launch_s: NDArray[np.float64]
    landing_s: NDArray[np.float64]
    mass_kg: NDArray[np.float64]
    volume_m3: NDArray[np.float64]
    orders: NDArray[np.int64]
    repositioning: NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Manifests(PlanTable):
    """``manifests.parquet``: which order rides which flight."""

    FILE: ClassVar[str] = "manifests.parquet"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        _col("flight_id", pa.int64(), "int64", "", "the flight"),
        _col("order_id", pa.string(), "str", "", "an order on it"),
    )
    flight_id: NDArray[np.int64]
    order_id: NDArray[np.str_]


@dataclass(frozen=True, eq=False)
class Routes(PlanTable):
    """``routes.parquet``: the last-mile stops of each landing (empty without ``--last-mile``)."""

    FILE: ClassVar[str] = "routes.parquet"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        _col("flight_id", pa.int64(), "int64", "", "the landing"),
        _col("vehicle", pa.string(), "str", "", "van-07, drone-03, vessel-drone-02, van-direct"),
        _col("kind", pa.string(), "str", "", "van or drone"),
        _col("depot", pa.string(), "str", "", "where the route starts: port:LOCODE or vessel:SITE"),
        _col("stop", pa.int64(), "int64", "", "stop number on the vehicle's route"),
        _col("order_id", pa.string(), "str", "", "the parcel delivered"),
        _time("arrival", "delivery time (hand-over done)"),
        _col("late", pa.bool_(), "bool", "", "after the promise"),
    )
    flight_id: NDArray[np.int64]
    vehicle: NDArray[np.str_]
    kind: NDArray[np.str_]
    depot: NDArray[np.str_]
    stop: NDArray[np.int64]
    order_id: NDArray[np.str_]
    arrival_s: NDArray[np.float64]
    late: NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Outcomes(PlanTable):
    """``outcomes.parquet``: one row per input order, what the plan promises and does."""

    FILE: ClassVar[str] = "outcomes.parquet"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        _col("order_id", pa.string(), "str", "", "the order"),
        _col(
            "service",
            pa.string(),
            "bool",
            "",
            "one_hour or standard (in memory: one_hour True/False)",
            Codec.SERVICE,
            "one_hour",
        ),
        _col("mode", pa.string(), "int8", "", "rocket, ground or standard", Codec.MODE),
        _col("reason", pa.string(), "int8", "", "why not by rocket (ok when it is)", Codec.REASON),
        _hub("origin", "hub it ships from (empty: standard)"),
        _hub("destination", "landing site (a hub's zone or an extra site; empty: standard)"),
        _col("flight_id", pa.int64(), "int64", "", "its flight (-1: none)"),
        _time("created", "order time"),
        _time("launch", "launch of its flight"),
        _time("landing", "landing of its flight"),
        _time("port_arrival", "pod at the destination port (vessel: parcel on the drone deck)"),
        _col("vessel", pa.bool_(), "bool", "", "by drone straight from the recovery vessel"),
        _col("inspection_s", pa.float64(), "float64", "s", "customs inspection at the port"),
        _col("last_mile_s", pa.float64(), "float64", "s", "port (or centre) to the door"),
        _col(
            "last_mile_instead_s",
            pa.float64(),
            "float64",
            "s",
            "vessel parcels: port to the door if the drones are grounded (NaN: not by vessel)",
        ),
        _time("promised", "promised delivery"),
        _time("planned_delivery", "planned delivery"),
        _col("on_time", pa.bool_(), "bool", "", "planned delivery ≤ promised"),
        _col(
            "p_on_time",
            pa.float64(),
            "float64",
            "",
            "P(delivered within the hour) the one-hour promise was made at (NaN: not one hour)",
        ),
        _col(
            "inspection_p",
            pa.float64(),
            "float64",
            "",
            "odds of an unplanned customs inspection that promise counted (NaN: not decided at "
            "a confidence)",
        ),
    )
    order_id: NDArray[np.str_]
    one_hour: NDArray[np.bool_]
    mode: NDArray[np.int8]
    reason: NDArray[np.int8]
    origin: NDArray[np.int64]
    destination: NDArray[np.int64]
    flight_id: NDArray[np.int64]
    created_s: NDArray[np.float64]
    launch_s: NDArray[np.float64]
    landing_s: NDArray[np.float64]
    port_arrival_s: NDArray[np.float64]
    vessel: NDArray[np.bool_]
    inspection_s: NDArray[np.float64]
    last_mile_s: NDArray[np.float64]
    last_mile_instead_s: NDArray[np.float64]
    promised_s: NDArray[np.float64]
    planned_delivery_s: NDArray[np.float64]
    on_time: NDArray[np.bool_]
    p_on_time: NDArray[np.float64]
    inspection_p: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class LaneWaves(PlanTable):
    """``lane_waves.parquet``: per lane and launch wave, the demand and how it packed."""

    FILE: ClassVar[str] = "lane_waves.parquet"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        _hub("origin", "launch hub"),
        _hub("destination", "landing hub"),
        _time("launch", "the wave"),
        _col("orders", pa.int64(), "int64", "", "orders in the lane-wave"),
        _col("mass_kg", pa.float64(), "float64", "kg", "their mass"),
        _col("volume_m3", pa.float64(), "float64", "m³", "their volume"),
        _col("lower_bound", pa.int64(), "int64", "", "no packing uses fewer flights"),
        _col("flights_packed", pa.int64(), "int64", "", "flights the packing used"),
    )
    origin: NDArray[np.int64]
    destination: NDArray[np.int64]
    launch_s: NDArray[np.float64]
    orders: NDArray[np.int64]
    mass_kg: NDArray[np.float64]
    volume_m3: NDArray[np.float64]
    lower_bound: NDArray[np.int64]
    flights_packed: NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class LightLoadDecisions(PlanTable):
    """``decisions.parquet``: nearly empty last flights of a lane-wave, held, flown or not."""

    FILE: ClassVar[str] = "decisions.parquet"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        _hub("origin", "launch hub"),
        _hub("destination", "landing hub"),
        _col("launch_s", pa.float64(), "float64", "s", "the wave (epoch seconds)"),
        _col("action", pa.string(), "str", "", "hold, fly or downgrade"),
        _col("orders", pa.int64(), "int64", "", "orders on the light flight"),
        _col("mass_kg", pa.float64(), "float64", "kg", "their mass"),
        _col("volume_m3", pa.float64(), "float64", "m³", "their volume"),
        _col("fill", pa.float64(), "float64", "share", "fill of the binding dimension"),
        _col("cost_per_kg_usd", pa.float64(), "float64", "US$/kg", "flight cost per kg"),
        _col("min_slack_s", pa.float64(), "float64", "s", "tightest promise slack"),
        _col("next_launch_s", pa.float64(), "float64", "s", "the lane's next wave"),
    )
    origin: NDArray[np.int64]
    destination: NDArray[np.int64]
    launch_s: NDArray[np.float64]
    action: NDArray[np.str_]
    orders: NDArray[np.int64]
    mass_kg: NDArray[np.float64]
    volume_m3: NDArray[np.float64]
    fill: NDArray[np.float64]
    cost_per_kg_usd: NDArray[np.float64]
    min_slack_s: NDArray[np.float64]
    next_launch_s: NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Airframes(PlanTable):
    """``airframes.parquet``: the fleet, where each airframe starts and ends the day."""

    FILE: ClassVar[str] = "airframes.parquet"
    COLUMNS: ClassVar[tuple[Column, ...]] = (
        _col("airframe", pa.string(), "str", "", "airframe id (HZB-01)", attribute="airframe_id"),
        _hub("start_hub", "where it starts the day"),
        _hub("end_hub", "where it ends the day"),
        _col("flights_today", pa.int64(), "int64", "", "flights in this plan"),
        _col("flights_total", pa.int64(), "int64", "", "flights over its life"),
        _time("ready", "ready to fly again after its last flight"),
    )
    airframe_id: NDArray[np.str_]
    start_hub: NDArray[np.int64]
    end_hub: NDArray[np.int64]
    flights_today: NDArray[np.int64]
    flights_total: NDArray[np.int64]
    ready_s: NDArray[np.float64]


PLAN_TABLES: Mapping[str, type[PlanTable]] = {
    "flights": Flights,
    "manifests": Manifests,
    "routes": Routes,
    "outcomes": Outcomes,
    "lane_waves": LaneWaves,
    "decisions": LightLoadDecisions,
    "airframes": Airframes,
}
"""Attribute of :class:`Plan` → table class, in the order the files are written."""


def schema_of(table: type[PlanTable]) -> pa.Schema:
    """The Arrow schema of a plan file, with each column's unit and meaning as metadata."""
    return pa.schema(
        [
            pa.field(c.name, c.arrow, metadata={"unit": c.unit, "meaning": c.meaning})
            for c in table.COLUMNS
        ]
    )


# Report tables written beside the plan by plan_day; nothing reads them back, so they stay Arrow
# in memory and are only checked against these schemas when written and read.
CUSTOMS_SCHEMA = pa.schema(
    [
        ("order_id", pa.string()),
        ("decision", pa.string()),
        ("market", pa.string()),
        ("inspection_s", pa.float64()),
        ("duties_total", pa.float64()),
        ("duties_currency", pa.string()),
        ("note", pa.string()),
        ("error", pa.string()),
    ]
)
"""``customs.parquet``: per order, the pre-clearance decision, market, duties, note and the
declaration error (empty when the order could be declared)."""

STOCK_SCHEMA = pa.schema(
    [
        ("hub", pa.string()),
        ("sku", pa.string()),
        ("on_hand", pa.int64()),
        ("drawn", pa.int64()),
        ("left", pa.int64()),
    ]
)
"""``stock.parquet``: per hub and SKU of the inventory, units on hand, drawn and left."""

EXTRA_SCHEMAS: Mapping[str, pa.Schema] = {"customs": CUSTOMS_SCHEMA, "stock": STOCK_SCHEMA}


@dataclass(frozen=True)
class Provenance:
    """Where a plan comes from (``manifest.json``): inputs, network and options.

    Kept apart from the KPIs so that ``kpis.json`` holds outcomes only.

    Attributes
    ----------
    promise_s
        The one-hour promise the plan was made with (the network's unless overridden).
    orders_file, network_file, inventory_file
        Absolute paths of the inputs (``None``: in memory, the shipped network, no inventory).
    network_preset
        The network file's preset the plan was made with (``None``: the file's default).
    options
        The planner's other settings (consolidation policy, last mile, customs ...).
    """

    promise_s: float
    orders_file: str | None = None
    network_file: str | None = None
    inventory_file: str | None = None
    network_preset: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not (isinstance(self.promise_s, int | float) and self.promise_s > 0):
            raise InputError("promise_s", self.promise_s, "must be positive")

    def to_json(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "options": dict(self.options)}


@dataclass(frozen=True, eq=False)
class Plan:
    """A day's plan: its tables, KPIs and provenance (see :mod:`rocketpost.planning.tables`).

    ``hub_ids`` are the network's landing-site ids (``network.site_ids``: the hub ids first, in
    the order the hub indices refer to, then extra landing sites, which destinations may name).
    """

    hub_ids: tuple[str, ...]
    flights: Flights
    manifests: Manifests
    routes: Routes
    outcomes: Outcomes
    lane_waves: LaneWaves
    decisions: LightLoadDecisions
    airframes: Airframes
    kpis: dict[str, Any]
    provenance: Provenance
    extras: dict[str, pa.Table] = field(default_factory=dict)
    """Report tables written beside the rest (``customs``, ``stock``: see ``plan_day``)."""

    def __post_init__(self) -> None:
        for name in self.extras:
            if name not in EXTRA_SCHEMAS:
                raise InputError("extras", name, "is not one of " + ", ".join(EXTRA_SCHEMAS))
