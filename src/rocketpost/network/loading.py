"""Reading a network file: TOML to validated :class:`~rocketpost.network.model.Network`.

Loading names the file, the key path and the value in every error: an unknown key, a wrong type,
a negative speed, and (with ``check_world``) the world-data checks of
:mod:`rocketpost.network.world`. :func:`default_network` is the network every tool uses when
given none.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import MISSING, fields
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any

from rocketpost.errors import InputError, NetworkFileError
from rocketpost.network.model import (
    Boat,
    Drone,
    Hub,
    Network,
    Promise,
    RocketClass,
    Safety,
    Van,
    _lat_lon,
)
from rocketpost.network.sites import read_landing_sites
from rocketpost.network.world import check_sites
from rocketpost.tomlfile import TomlReader, parse_toml, read_toml

__all__ = [
    "DEFAULT_NETWORK_FILE",
    "DEFAULT_PRESET",
    "NETWORK_ENV",
    "PRESET_ENV",
    "default_network",
    "load_network",
    "parse_network",
]

# Keys each table of the file may have, with their types (from the dataclasses' fields).
_ROCKET_KEYS: dict[str, type] = {f.name: float for f in fields(RocketClass)}
_ROCKET_KEYS.update(name=str, flights_per_airframe=int, trajectory=str)
_BOAT_KEYS: dict[str, type] = {f.name: float for f in fields(Boat)}
_VAN_KEYS: dict[str, type] = {f.name: float for f in fields(Van)}
_DRONE_KEYS: dict[str, type] = {f.name: float for f in fields(Drone)}
_DRONE_KEYS.update(from_vessel=bool)
# Keys without a default in the dataclass must be in the file.
_ROCKET_REQUIRED = tuple(f.name for f in fields(RocketClass) if f.default is MISSING)
_DRONE_REQUIRED = tuple(f.name for f in fields(Drone) if f.default is MISSING)
_SAFETY_KEYS: dict[str, type] = {f.name: float for f in fields(Safety)}
_PROMISE_KEYS: dict[str, type] = {f.name: float for f in fields(Promise)}
_HUB_DEFAULT_KEYS: dict[str, type] = {
    "launch_wave_interval_min": float,
    "handling_min": float,
    "vans": int,
    "drones": int,
    "fleet": int,
    "launch": str,
    "pads": int,
    "pad_turnaround_min": float,
    "prestaged_handling_min": float,
}
_HUB_KEYS: dict[str, type] = {
    "id": str,
    "name": str,
    "country": str,
    "pad": list,
    "landing_zone": list,
    "port": str,
    **_HUB_DEFAULT_KEYS,
}

_LAUNCH_KEYS = ("launch", "pads", "pad_turnaround_min", "prestaged_handling_min")

DEFAULT_NETWORK_FILE = "network.toml"
"""Name of the default network shipped in ``rocketpost/data``."""


_HUB_REQUIRED = ("id", "name", "country", "pad", "landing_zone", "port")
_TOP_LEVEL = {
    "rocket",
    "boat",
    "van",
    "drone",
    "defaults",
    "safety",
    "promise",
    "hubs",
    "landing_sites",
    "landing_sites_file",
    "presets",
}
# What a preset may override (deep merge into the top-level tables).
_PRESET_SECTIONS = ("rocket", "boat", "van", "drone", "defaults", "safety", "promise")
_PRESET_KEYS = {*_PRESET_SECTIONS, "landing_sites_file"}

PRESET_ENV = "ROCKETPOST_PRESET"
"""Environment variable naming the preset every tool uses when given none."""

DEFAULT_PRESET = "rocket-hour"
"""The preset used when a file has presets and none is named: the shipped network's designed,
flying concept (landing sites near cities, vessel drones, launch on demand; issue #15). A file
without this preset but with others is read as it is, with no preset applied."""


class _Reader(TomlReader):
    """The shared TOML reader, plus ``[latitude, longitude]`` pairs."""

    def __init__(self, file: str) -> None:
        super().__init__(file, NetworkFileError)

    def lat_lon(self, value: Any, key_path: str) -> tuple[float, float]:
        try:
            return _lat_lon(key_path, value, container=list)
        except InputError as error:
            raise self.error(key_path, value, error.reason) from None


def load_network(
    path: str | Path | None = None, *, check_world: bool = True, preset: str | None = None
) -> Network:
    """Read and validate a network file.

    Parameters
    ----------
    path
        TOML file; ``None`` loads the default worldwide network shipped with the package.
    check_world
        Also check the sites against world data: each landing zone at sea and at least
        ``safety.min_offshore_km`` from land, each port a known UN/LOCODE, a water route from
        landing zone to port no longer than ``safety.max_boat_route_km`` (its length becomes the
        hub's ``boat_route_km``); the same for every ``[[landing_sites]]`` entry. Switch it off
        only for synthetic test networks.
    preset
        A ``[presets.NAME]`` table of the file whose sub-tables override the top-level sections
        (deep merge). ``None``: ``$ROCKETPOST_PRESET``, else :data:`DEFAULT_PRESET`
        (``"rocket-hour"``) when the file has it. An unknown preset is an error naming the
        known ones.

    Raises
    ------
    NetworkFileError
        Naming the file, the key path (``hubs[3].landing_zone``) and the offending value.
    """
    if path is None:
        source: Path | Traversable = resources.files("rocketpost") / "data" / DEFAULT_NETWORK_FILE
        file = f"<default>/{DEFAULT_NETWORK_FILE}"
    else:
        source, file = Path(path), str(path)
    document = read_toml(source, file=file, error=NetworkFileError)
    return _build_network(document, file=file, check_world=check_world, preset=preset, base=source)


def parse_network(
    text: str, *, file: str = "<string>", check_world: bool = True, preset: str | None = None
) -> Network:
    """Parse and validate network TOML text (see :func:`load_network`); a
    ``landing_sites_file`` is relative to the working directory."""
    document = parse_toml(text, file=file, error=NetworkFileError)
    return _build_network(
        document, file=file, check_world=check_world, preset=preset, base=Path(file)
    )


def _merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` merged in, tables recursively (a preset's deep merge)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _apply_preset(
    reader: _Reader, document: Mapping[str, Any], preset: str | None
) -> tuple[Mapping[str, Any], str | None]:
    """The document with the chosen preset merged in, and the preset's name (or None)."""
    presets = document.get("presets", {})
    if not isinstance(presets, Mapping):
        raise reader.error("presets", presets, "must be a table of [presets.NAME] tables")
    if preset is None:
        preset = os.environ.get(PRESET_ENV) or None
    if preset is None:
        if DEFAULT_PRESET not in presets:
            return document, None
        preset = DEFAULT_PRESET
    if preset not in presets:
        known = ", ".join(sorted(presets)) or "none (the file has no [presets] tables)"
        raise reader.error(
            "presets", preset, f"is not a preset of this file; known presets: {known}"
        )
    overrides = presets[preset]
    if not isinstance(overrides, Mapping):
        raise reader.error(f"presets.{preset}", overrides, "must be a table")
    for key in overrides:
        if key not in _PRESET_KEYS:
            raise reader.error(
                f"presets.{preset}.{key}",
                overrides[key],
                "is not a section a preset may override; expected one of "
                + ", ".join(sorted(_PRESET_KEYS)),
            )
    merged = _merge({k: v for k, v in document.items() if k != "presets"}, overrides)
    return merged, preset


def _site_tables(
    reader: _Reader, document: Mapping[str, Any], base: Path | Traversable
) -> list[Mapping[str, Any]]:
    """``[[landing_sites]]`` of the file, then those of ``landing_sites_file`` (relative to the
    network file; the packaged default's sits next to it in the package data)."""
    tables = list(reader.array_of_tables(document, "landing_sites"))
    name = document.get("landing_sites_file")
    if name is None:
        return tables
    if not isinstance(name, str) or not name:
        raise reader.error("landing_sites_file", name, "must be a file name")
    if isinstance(base, Path) and Path(name).is_absolute():
        source: Path | Traversable = Path(name)
    else:
        # The packaged default's file sits next to it in the package data.
        source = base.parent / name if isinstance(base, Path) else _PACKAGE_DATA() / name
    if not source.is_file():
        raise reader.error("landing_sites_file", name, f"does not exist ({source})")
    other = read_toml(source, file=str(name), error=NetworkFileError)
    return tables + list(_Reader(str(name)).array_of_tables(other, "landing_sites"))


def _PACKAGE_DATA() -> Traversable:  # noqa: N802 - reads like the constant it stands for
    return resources.files("rocketpost") / "data"


def _build_network(
    document: Mapping[str, Any],
    *,
    file: str,
    check_world: bool,
    preset: str | None = None,
    base: Path | Traversable | None = None,
) -> Network:
    reader = _Reader(file)
    document, preset = _apply_preset(reader, document, preset)

    for key in document:
        if key not in _TOP_LEVEL:
            raise reader.error(
                key,
                document[key],
                "is not a known section; expected one of " + ", ".join(sorted(_TOP_LEVEL)),
            )

    rocket = reader.build(
        "rocket",
        RocketClass,
        reader.check_keys(
            reader.table(document, "rocket", ""), _ROCKET_KEYS, "rocket", _ROCKET_REQUIRED
        ),
    )
    boat = reader.build(
        "boat",
        Boat,
        reader.check_keys(
            reader.table(document, "boat", ""), _BOAT_KEYS, "boat", tuple(_BOAT_KEYS)
        ),
    )
    van = reader.build(
        "van",
        Van,
        reader.check_keys(reader.table(document, "van", ""), _VAN_KEYS, "van", tuple(_VAN_KEYS)),
    )
    drone = reader.build(
        "drone",
        Drone,
        reader.check_keys(
            reader.table(document, "drone", ""), _DRONE_KEYS, "drone", _DRONE_REQUIRED
        ),
    )
    safety = reader.build(
        "safety", Safety, reader.check_keys(document.get("safety", {}), _SAFETY_KEYS, "safety", ())
    )
    promise = reader.build(
        "promise",
        Promise,
        reader.check_keys(document.get("promise", {}), _PROMISE_KEYS, "promise", ()),
    )
    defaults = reader.check_keys(document.get("defaults", {}), _HUB_DEFAULT_KEYS, "defaults", ())
    defaults.setdefault("vans", 0)
    defaults.setdefault("drones", 0)

    raw_hubs = document.get("hubs")
    if not isinstance(raw_hubs, list) or not raw_hubs:
        raise reader.error("hubs", raw_hubs, "must be a non-empty array of [[hubs]] tables")

    hubs: list[Hub] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_hubs):
        path = f"hubs[{i}]"
        if not isinstance(raw, Mapping):
            raise reader.error(path, raw, "must be a table")
        values = {**defaults, **reader.check_keys(raw, _HUB_KEYS, path, _HUB_REQUIRED)}
        for key in ("launch_wave_interval_min", "handling_min", "fleet"):
            if key not in values:
                raise reader.error(f"{path}.{key}", None, "is missing (and not set in [defaults])")
        hub_id = values.pop("id")
        if hub_id in seen:
            raise reader.error(f"{path}.id", hub_id, f"is already used by hubs[{seen[hub_id]}]")
        seen[hub_id] = i
        pad = reader.lat_lon(values["pad"], f"{path}.pad")
        landing_zone = reader.lat_lon(values["landing_zone"], f"{path}.landing_zone")
        country = str(values["country"]).strip().upper()
        if check_world:
            from rocketpost.world.countries import normalise_country

            try:
                country = normalise_country(country)
            except InputError as error:
                raise reader.error(f"{path}.country", values["country"], error.reason) from None
        port_code = str(values["port"]).strip().upper()
        port_position = landing_zone
        boat_km = 0.0
        if check_world:
            port_position, boat_km = check_sites(reader, path, landing_zone, port_code, safety)
        hubs.append(
            reader.build(
                path,
                Hub,
                {
                    "hub_id": hub_id,
                    "name": values["name"],
                    "country": country,
                    "pad": pad,
                    "landing_zone": landing_zone,
                    "port": port_code,
                    "port_position": port_position,
                    "boat_route_km": boat_km,
                    "fleet": values["fleet"],
                    "launch_wave_interval_min": values["launch_wave_interval_min"],
                    "handling_min": values["handling_min"],
                    "vans": values["vans"],
                    "drones": values["drones"],
                    **{k: values[k] for k in _LAUNCH_KEYS if k in values},
                },
            )
        )
    extra_sites = read_landing_sites(
        reader,
        _site_tables(reader, document, base if base is not None else Path(file)),
        taken_ids={hub.hub_id: f"hubs[{i}]" for i, hub in enumerate(hubs)},
        safety=safety,
        check_world=check_world,
    )
    return Network(
        rocket=rocket,
        boat=boat,
        van=van,
        drone=drone,
        hubs=tuple(hubs),
        safety=safety,
        promise=promise,
        source=file,
        extra_sites=extra_sites,
        preset=preset,
    )


NETWORK_ENV = "ROCKETPOST_NETWORK"
"""Environment variable naming the network file every tool uses when given none."""


@lru_cache(maxsize=4)
def default_network(preset: str | None = None) -> Network:
    """The network used when none is given (loaded and validated once per process).

    The file named by ``$ROCKETPOST_NETWORK`` when set (an operator's own network, or a test
    suite's), else the worldwide network shipped with the package (``load_network(None)``);
    ``preset`` (or ``$ROCKETPOST_PRESET``) selects one of its presets.
    """
    return load_network(os.environ.get(NETWORK_ENV) or None, preset=preset)
