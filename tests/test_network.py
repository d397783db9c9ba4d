"""Network file loading and validation."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from rocketpost.errors import InputError, NetworkFileError
from rocketpost.network import Network, load_network, parse_network
from rocketpost.world import distance_to_land_km, is_land
from rocketpost.world.countries import continent_of

DEFAULT_TEXT = (Path(__file__).parents[1] / "src/rocketpost/data/network.toml").read_text()


def test_default_network_meets_the_brief(network: Network) -> None:
    assert len(network.hubs) >= 16
    continents = {continent_of(h.country) for h in network.hubs}
    assert len(continents) >= 5
    countries = {h.country for h in network.hubs}
    assert {"CN", "KR", "DE", "FR", "PT", "US"} <= countries
    assert {"HZB", "SZX"} <= set(network.hub_ids)
    us_longitudes = [h.pad[1] for h in network.hubs if h.country == "US"]
    assert min(us_longitudes) < -115 and max(us_longitudes) > -80  # west and east coasts


def test_rocket_class_is_the_xzy1(network: Network) -> None:
    rocket = network.rocket
    assert rocket.name == "XZY-1"
    assert rocket.payload_mass_kg == 10_000.0
    assert rocket.payload_volume_m3 == 120.0
    assert rocket.flights_per_airframe == 20


def test_every_landing_zone_is_at_sea_and_offshore(network: Network) -> None:
    for hub in network.hubs:
        lat, lon = hub.landing_zone
        assert not bool(is_land(lat, lon)), hub.hub_id
        assert distance_to_land_km(lat, lon, max_km=10.0) >= network.safety.min_offshore_km
        assert 0.0 < hub.boat_route_km <= network.safety.max_boat_route_km


def test_every_default_carries_a_comment() -> None:
    for line in DEFAULT_TEXT.splitlines():
        stripped = line.strip()
        if "=" in stripped and not stripped.startswith("#") and stripped.split("=")[0].strip() in {
            "payload_mass_kg", "payload_volume_m3", "burnout_altitude_km", "ascent_s", "descent_s",
            "flights_per_airframe", "recovery_h", "turnaround_h", "cost_per_flight_usd",
            "speed_kmh",
            "transfer_min", "road_factor", "range_km", "max_parcel_kg", "launch_wave_interval_min",
            "handling_min", "min_offshore_km",
        }:  # fmt: skip
            assert "#" in stripped, line


def _with(old: str, new: str) -> str:
    assert old in DEFAULT_TEXT
    return DEFAULT_TEXT.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "key_path", "fragment"),
    [
        (
            _with("landing_zone = [30.537, 121.085]", "landing_zone = [30.3, 120.2]"),
            "hubs[0].landing_zone",
            "on land",
        ),
        (
            _with("landing_zone = [30.537, 121.085]", "landing_zone = [30.57, 121.08]"),
            "hubs[0].landing_zone",
            "from land",
        ),
        (_with('port = "CNZAP"', 'port = "CNZZZ"'), "hubs[0].port", "UN/LOCODE"),
        (_with("speed_kmh = 65.0", "speed_kmh = -65.0"), "boat.speed_kmh", "positive"),
        (
            _with('name = "XZY-1"', 'name = "XZY-1"\nwingspan_m = 3.0'),
            "rocket.wingspan_m",
            "not a known key",
        ),
        (_with("pad = [30.626, 121.074]", "pad = [91.0, 121.074]"), "hubs[0].pad", "latitude"),
        (_with("fleet = 8", 'fleet = "eight"'), "hubs[0].fleet", "whole number"),
        (_with('id = "SHA"', 'id = "HZB"'), "hubs[1].id", "already used"),
        (
            _with("[boat]\n", "[boat]\nspeed_kmh_typo = 1\n"),
            "boat.speed_kmh_typo",
            "not a known key",
        ),
    ],
)
def test_bad_files_name_the_file_key_and_value(text: str, key_path: str, fragment: str) -> None:
    with pytest.raises(NetworkFileError) as caught:
        parse_network(text, file="bad.toml")
    message = str(caught.value)
    assert message.startswith(f"bad.toml: {key_path}: "), message
    assert fragment in message
    assert "\n" not in message


def test_missing_section_and_invalid_toml() -> None:
    with pytest.raises(NetworkFileError, match="rocket: is missing"):
        parse_network("[boat]\nspeed_kmh = 1.0\n", file="x.toml")
    with pytest.raises(NetworkFileError, match="not valid TOML"):
        parse_network("[rocket\n", file="x.toml")


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NetworkFileError, match="no such file"):
        load_network(tmp_path / "absent.toml")


def test_round_trip_from_a_file(tmp_path: Path, network: Network) -> None:
    path = tmp_path / "net.toml"
    path.write_text(DEFAULT_TEXT)
    loaded = load_network(path, preset="today")  # rocket-hour's sites file is not copied
    assert loaded.hub_ids == network.hub_ids
    assert loaded.source == str(path)


def test_variants_are_validated(network: Network) -> None:
    hub = network.hubs[0]
    faster = dataclasses.replace(hub, launch_wave_interval_min=5.0)
    assert faster.launch_wave_interval_min == 5.0
    with pytest.raises(InputError, match="fleet"):
        dataclasses.replace(hub, fleet=-1)
    with pytest.raises(InputError, match="road_factor"):
        dataclasses.replace(network.van, road_factor=0.9)


def test_hub_lookup(network: Network) -> None:
    assert network.hub("hzb").hub_id == "HZB"
    with pytest.raises(InputError, match="known hubs"):
        network.hub("NOPE")


def test_hub_arrays_are_aligned_and_read_only(network: Network) -> None:
    assert network.pad_lat_deg.shape == (len(network.hubs),)
    assert network.pad_lat_deg[0] == network.hubs[0].pad[0]
    with pytest.raises(ValueError):
        network.pad_lat_deg[0] = 0.0


def test_promise_section_is_read_and_checked() -> None:
    # The shipped buffer is the simulator's calibration (docs/simulation.md).
    assert load_network(None).promise.buffer_min == 12.0
    text = _with("buffer_min = 12.0", "buffer_min = 7.5")
    assert parse_network(text, check_world=False, preset="today").promise.buffer_s == 450.0
    with pytest.raises(NetworkFileError, match=r"promise\.buffer_min"):
        parse_network(
            _with("buffer_min = 12.0", "buffer_min = -1.0"), check_world=False, preset="today"
        )
    with pytest.raises(NetworkFileError, match=r"promise\.buffer_typo"):
        parse_network(
            _with("buffer_min = 12.0", "buffer_min = 12.0\nbuffer_typo = 1"),
            check_world=False,
            preset="today",
        )


def test_the_weather_margin_is_the_climates_unless_the_file_sets_one() -> None:
    from rocketpost.planning.fleet import weather_margin_s

    shipped = parse_network(DEFAULT_TEXT, check_world=False, preset="today")
    assert shipped.promise.weather_margin_h is None  # unset: derived from the climate
    text = _with("confidence = 0.99", "confidence = 0.99\nweather_margin_h = 6.5")
    declared = parse_network(text, check_world=False, preset="today")
    assert declared.promise.weather_margin_h == 6.5
    assert weather_margin_s(declared).tolist() == [6.5 * 3600.0] * len(declared.hubs)
    for bad in ("-1.0", "nan", "inf"):
        with pytest.raises(NetworkFileError, match=r"promise\.weather_margin_h"):
            parse_network(
                _with("confidence = 0.99", f"confidence = 0.99\nweather_margin_h = {bad}"),
                check_world=False,
                preset="today",
            )


def test_default_network_follows_the_environment(tmp_path: Path) -> None:
    # conftest points $ROCKETPOST_NETWORK at the unbuffered copy; a fresh process would read it.
    from rocketpost.network import NETWORK_ENV, default_network

    assert default_network().source == os.environ[NETWORK_ENV]
    assert default_network().promise.buffer_min == 0.0
    assert default_network().hub_ids == load_network(None).hub_ids


def test_hash_is_cached_and_not_carried_to_another_process(network: Network) -> None:
    import pickle
    import subprocess
    import sys

    copy = dataclasses.replace(network)  # a fresh object: its hash not computed yet
    assert hash(copy) == hash(network) and copy == network
    assert hash(dataclasses.replace(network, preset="other")) != hash(network)
    pickled = pickle.dumps(network)
    # Another process hashes strings with another seed: the hash must be its own, not ours.
    probe = (
        "import pickle, sys\n"
        "from dataclasses import fields\n"
        "n = pickle.loads(sys.stdin.buffer.read())\n"
        "own = hash(tuple(getattr(n, f.name) for f in fields(n) if f.compare))\n"
        "print(hash(n) == own)\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", probe], input=pickled, capture_output=True, env=env, check=True
    )
    assert out.stdout.strip() == b"True"
