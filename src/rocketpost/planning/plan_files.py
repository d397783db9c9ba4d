"""The plan directory: :func:`write_plan` and :func:`read_plan`, the only memory ↔ file steps.

::

    DIR/flights.parquet      DIR/outcomes.parquet     DIR/airframes.parquet
    DIR/manifests.parquet    DIR/lane_waves.parquet   DIR/routes.parquet
    DIR/decisions.parquet    DIR/kpis.json            DIR/manifest.json
    DIR/customs.parquet      DIR/stock.parquet        (with customs / an inventory)

Each Parquet file follows its table's schema (:mod:`rocketpost.planning.tables`); ``kpis.json``
holds the outcome figures only and ``manifest.json`` the provenance (input files, network,
promise, options). Reading checks every column's type and every hub, airframe, mode and reason
name, and fails with a :class:`PlanFileError` naming the file and the column.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from numpy.typing import NDArray

from rocketpost.errors import InputError
from rocketpost.network import Network, default_network, load_network
from rocketpost.planning.service_choice import REASONS, Mode
from rocketpost.planning.tables import (
    EXTRA_SCHEMAS,
    PLAN_TABLES,
    TIMESTAMP,
    Codec,
    Column,
    Plan,
    PlanTable,
    Provenance,
    schema_of,
)

__all__ = [
    "PLAN_FILES",
    "PlanFileError",
    "network_of_plan",
    "read_plan",
    "read_provenance",
    "to_arrow",
    "write_plan",
]

PLAN_FILES: tuple[str, ...] = (
    *(table.FILE for table in PLAN_TABLES.values()),
    "kpis.json",
    "manifest.json",
)
"""Files every plan directory has (``customs.parquet`` and ``stock.parquet`` are optional)."""

_MODE_NAMES = tuple(m.name.lower() for m in sorted(Mode, key=lambda m: m.value))
_REASON_NAMES = tuple(r.value for r in REASONS)
_SERVICE_NAMES = ("standard", "one_hour")


class PlanFileError(InputError):
    """A plan directory is missing a file, or a file has a wrong column, type or value."""

    def __init__(self, file: str, column: str, value: Any, reason: str) -> None:
        self.file = file
        self.column = column
        super().__init__(f"{file}: {column}" if column else file, value, reason)


# -- memory -> file -----------------------------------------------------------------------------


def _take(names: list[str], codes: NDArray[Any]) -> pa.Array:
    return pc.take(pa.array(names, pa.string()), pa.array(np.asarray(codes, dtype=np.int64)))


def _column_to_arrow(
    column: Column, values: NDArray[Any], hub_ids: tuple[str, ...], airframe_ids: list[str]
) -> pa.Array:
    codec = column.codec
    if codec is Codec.TIME:
        ms = np.round(np.asarray(values, dtype=np.float64) * 1000.0)
        missing = ~np.isfinite(ms)
        ints = np.where(missing, 0, ms).astype(np.int64)
        return pa.array(ints, type=pa.int64(), mask=missing).cast(TIMESTAMP)
    if codec is Codec.HUB:
        # -1 (no hub) takes the extra "" at the end.
        return _take([*hub_ids, ""], np.where(values < 0, len(hub_ids), values))
    if codec is Codec.AIRFRAME:
        return _take(airframe_ids, values)
    if codec is Codec.MODE:
        return _take(list(_MODE_NAMES), values)
    if codec is Codec.REASON:
        return _take(list(_REASON_NAMES), values)
    if codec is Codec.SERVICE:
        return _take(list(_SERVICE_NAMES), values.astype(np.int64))
    return pa.array(values, type=column.arrow)


def to_arrow(plan: Plan, name: str) -> pa.Table:
    """The plan table ``name`` (``"flights"``, ``"outcomes"`` ...) as it is written to disk."""
    table: PlanTable = getattr(plan, name)
    airframe_ids = plan.airframes.airframe_id.tolist()
    return pa.Table.from_arrays(
        [
            _column_to_arrow(c, getattr(table, c.attribute), plan.hub_ids, airframe_ids)
            for c in table.COLUMNS
        ],
        schema=schema_of(type(table)),
    )


def write_plan(plan: Plan, directory: str | Path) -> Path:
    """Write the plan directory (see the module doc); returns the directory."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    for name, table in PLAN_TABLES.items():
        pq.write_table(to_arrow(plan, name), out / table.FILE)
    for name, extra in plan.extras.items():
        pq.write_table(extra.cast(EXTRA_SCHEMAS[name]), out / f"{name}.parquet")
    (out / "kpis.json").write_text(json.dumps(plan.kpis, indent=2, allow_nan=False) + "\n")
    manifest = json.dumps(plan.provenance.to_json(), indent=2, allow_nan=False)
    (out / "manifest.json").write_text(manifest + "\n")
    return out


# -- file -> memory -----------------------------------------------------------------------------


def _type_ok(column: Column, actual: pa.DataType) -> bool:
    if column.codec is Codec.TIME:
        return bool(pa.types.is_timestamp(actual))
    if pa.types.is_string(column.arrow):
        return bool(pa.types.is_string(actual) or pa.types.is_large_string(actual))
    return bool(actual == column.arrow)


def _codes(
    file: str, column: Column, values: pa.Array, names: tuple[str, ...], none: str | None = None
) -> NDArray[np.int64]:
    """Position of every value in ``names`` (``none`` and nulls: -1); unknown names fail."""
    if none is not None:
        values = pc.fill_null(values, none)
        names = (*names, none)
    codes = pc.index_in(values, value_set=pa.array(names, pa.string()))
    if codes.null_count:
        bad = values.filter(pc.is_null(codes))[0].as_py()
        raise PlanFileError(file, column.name, bad, "is not one of " + ", ".join(names[:12]))
    out = np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64)
    if none is not None:
        out[out == len(names) - 1] = -1
    return out


def _column_from_arrow(
    file: str,
    column: Column,
    values: pa.Array,
    hub_ids: tuple[str, ...],
    airframe_ids: tuple[str, ...],
) -> NDArray[Any]:
    if not _type_ok(column, values.type):
        raise PlanFileError(file, column.name, str(values.type), f"must be {column.arrow}")
    codec = column.codec
    if codec is Codec.TIME:
        ms = pc.cast(pc.cast(values, TIMESTAMP), pa.int64())
        return np.asarray(pc.fill_null(pc.cast(ms, pa.float64()), np.nan).to_numpy()) / 1000.0
    if codec is Codec.HUB:
        return _codes(file, column, values, hub_ids, none="")
    if codec is Codec.AIRFRAME:
        return _codes(file, column, values, airframe_ids)
    if codec is Codec.MODE:
        return _codes(file, column, values, _MODE_NAMES)
    if codec is Codec.REASON:
        return _codes(file, column, values, _REASON_NAMES)
    if codec is Codec.SERVICE:
        return _codes(file, column, values, _SERVICE_NAMES).astype(bool)
    if pa.types.is_floating(column.arrow):
        return np.asarray(pc.fill_null(values, np.nan).to_numpy(), dtype=np.float64)
    if values.null_count:
        raise PlanFileError(file, column.name, None, "has missing values")
    array = np.asarray(values.to_numpy(zero_copy_only=False))
    return array.astype(str) if pa.types.is_string(column.arrow) else array


def _read_table(
    directory: Path,
    kind: type[PlanTable],
    hub_ids: tuple[str, ...],
    airframe_ids: tuple[str, ...] = (),
) -> Any:
    path = directory / kind.FILE
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as error:
        raise PlanFileError(str(path), "", str(path), f"cannot be read: {error}") from None
    arrays = {}
    for column in kind.COLUMNS:
        if column.name not in table.column_names:
            raise PlanFileError(str(path), column.name, None, "is missing")
        values = table[column.name].combine_chunks()
        arrays[column.attribute] = _column_from_arrow(
            str(path), column, values, hub_ids, airframe_ids
        )
    return kind(**arrays)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise PlanFileError(str(path), "", str(path), f"cannot be read: {error}") from None
    if not isinstance(document, dict):
        raise PlanFileError(str(path), "", type(document).__name__, "must be a JSON object")
    return document


def read_provenance(directory: str | Path) -> Provenance:
    """The provenance of a plan directory (``manifest.json``)."""
    path = Path(directory) / "manifest.json"
    document = _read_json(path)
    known = (
        "promise_s",
        "orders_file",
        "network_file",
        "inventory_file",
        "network_preset",
        "options",
    )
    unknown = sorted(set(document) - set(known))
    if unknown:
        raise PlanFileError(str(path), unknown[0], document[unknown[0]], "is not a known key")
    if "promise_s" not in document:
        raise PlanFileError(str(path), "promise_s", None, "is missing")
    try:
        return Provenance(**document)
    except (InputError, TypeError) as error:
        raise PlanFileError(str(path), "", document, str(error)) from None


def network_of_plan(directory: str | Path) -> Network:
    """The network a plan directory was made with (``manifest.json``), else the shipped one."""
    path = Path(directory)
    if (path / "manifest.json").is_file():
        provenance = read_provenance(path)
        if provenance.network_file:
            return load_network(Path(provenance.network_file), preset=provenance.network_preset)
        return default_network(provenance.network_preset)
    return default_network()


def read_plan(directory: str | Path, network: Network | None = None) -> Plan:
    """Read a plan directory written by :func:`write_plan`.

    Parameters
    ----------
    network
        The network whose hub ids the files name (default: :func:`network_of_plan`).

    Raises
    ------
    PlanFileError
        A file is missing or unreadable, a column is missing or of the wrong type, or a value
        names an unknown hub, airframe, mode or reason.
    """
    path = Path(directory)
    if not path.is_dir():
        raise PlanFileError(str(path), "", str(path), "is not a directory")
    net = network if network is not None else network_of_plan(path)
    hubs = net.site_ids  # hub ids first, then extra landing sites (flight destinations)
    airframes = _read_table(path, PLAN_TABLES["airframes"], hubs)
    airframe_ids = tuple(airframes.airframe_id.tolist())
    tables = {
        name: airframes if name == "airframes" else _read_table(path, kind, hubs, airframe_ids)
        for name, kind in PLAN_TABLES.items()
    }
    extras = {}
    for name, schema in EXTRA_SCHEMAS.items():
        file = path / f"{name}.parquet"
        if file.is_file():
            try:
                extra = pq.read_table(file)
            except (OSError, pa.ArrowInvalid) as error:
                raise PlanFileError(str(file), "", str(file), f"cannot be read: {error}") from None
            for expected in schema:
                if expected.name not in extra.column_names:
                    raise PlanFileError(str(file), expected.name, None, "is missing")
                actual = extra.schema.field(expected.name).type
                if actual != expected.type:
                    raise PlanFileError(
                        str(file), expected.name, str(actual), f"must be {expected.type}"
                    )
            extras[name] = extra.select(schema.names)
    return Plan(
        hub_ids=hubs,
        kpis=_read_json(path / "kpis.json"),
        provenance=read_provenance(path),
        extras=extras,
        **tables,
    )
