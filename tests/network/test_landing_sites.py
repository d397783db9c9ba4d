"""Network files: extra landing sites (checked like hub zones) and presets."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from rocketpost.errors import NetworkFileError
from rocketpost.network import DEFAULT_NETWORK_FILE, PRESET_ENV, load_network, parse_network

_SHIPPED = (resources.files("rocketpost") / "data" / DEFAULT_NETWORK_FILE).read_text()
_GOOD_SITE = """
[[landing_sites]]
id = "FR-OK"
position = [49.485, 0.0]
port = "FRLEH"
drones = 4
sea_state_closed_share = 0.05
serves = "Le Havre, FR"
"""


def _with_sites(*tables: str) -> str:
    # [[landing_sites]] headers define the root array wherever they stand in the file.
    return _SHIPPED + "\n".join(tables)


def test_a_good_site_is_loaded_after_the_hub_zones() -> None:
    net = parse_network(_with_sites(_GOOD_SITE), preset="today")
    assert len(net.landing_sites) == len(net.hubs) + 1
    site = net.landing_sites[-1]
    assert site.site_id == "FR-OK" and site.hub_index == -1 and site.drones == 4
    assert 0.0 < site.boat_route_km <= net.safety.max_boat_route_km
    assert net.site_ids[: len(net.hubs)] == net.hub_ids


@pytest.mark.parametrize(
    ("position", "port", "field", "reason"),
    [
        ([48.85, 2.35], "FRLEH", "position", "is on land"),
        ([49.49, 0.05], "FRLEH", "position", "from land"),
        ([49.485, 0.0], "XXZZZ", "port", "UN/LOCODE"),
    ],
)
def test_a_bad_site_names_its_table(
    position: list[float], port: str, field: str, reason: str
) -> None:
    bad = _GOOD_SITE.replace("[49.485, 0.0]", str(position)).replace('"FRLEH"', f'"{port}"')
    bad = bad.replace("FR-OK", "FR-BAD")
    with pytest.raises(NetworkFileError) as error:
        parse_network(_with_sites(_GOOD_SITE, bad), preset="today")
    assert f"landing_sites[1].{field}" in str(error.value)
    assert reason in str(error.value)


def test_a_site_id_may_not_reuse_a_hub_id() -> None:
    with pytest.raises(NetworkFileError, match=r"landing_sites\[0\]\.id"):
        parse_network(_with_sites(_GOOD_SITE.replace("FR-OK", "HZB")), preset="today")


def test_presets_merge_deeply_and_default_to_rocket_hour() -> None:
    # The designed network that flies is the default (issue #15); today is named.
    today = load_network(None, preset="today")
    assert today.preset == "today"
    concept = load_network(None)
    assert concept.preset == "rocket-hour"
    assert load_network(None, preset="rocket-hour").site_ids == concept.site_ids
    assert concept.rocket.trajectory == "fastest"
    assert concept.rocket.name == today.rocket.name  # untouched keys of a merged table stay
    assert concept.drone.from_vessel and not today.drone.from_vessel
    assert concept.drone.range_km == today.drone.range_km
    assert all(h.launch == "on_demand" for h in concept.hubs)
    assert len(concept.landing_sites) == len(concept.hubs) + 300
    assert len(today.landing_sites) == len(today.hubs)


def test_an_unknown_preset_names_the_known_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(NetworkFileError, match="known presets: rocket-hour, today"):
        load_network(None, preset="moonshot")
    monkeypatch.setenv(PRESET_ENV, "moonshot")
    with pytest.raises(NetworkFileError, match="moonshot"):
        load_network(None)


def test_a_preset_may_override_only_known_sections() -> None:
    text = _SHIPPED + "\n[presets.odd.hubs]\nid = 'X'\n"
    with pytest.raises(NetworkFileError, match=r"presets\.odd\.hubs"):
        parse_network(text, preset="odd", check_world=False)


def test_landing_sites_file_is_relative_to_the_network_file(tmp_path: Path) -> None:
    (tmp_path / "sites.toml").write_text(_GOOD_SITE)
    path = tmp_path / "net.toml"
    path.write_text('landing_sites_file = "sites.toml"\n' + _SHIPPED)
    net = load_network(path, check_world=False, preset="today")
    assert net.site_ids[-1] == "FR-OK"


def test_the_default_network_is_the_designed_one_with_the_reference_markets() -> None:
    """Issue #15: the shipped default flies the reference story: stock in China, hubs in Korea,
    Germany, France, Portugal and on both US coasts, the designed sites, launch on demand; and
    the network file records the command that designed its sites, as the sites file does."""
    net = load_network(None)
    assert net.preset == "rocket-hour" and len(net.extra_sites) == 300
    country = {hub.hub_id: hub.country for hub in net.hubs}
    for hubs, code in ((("HZB", "SHA", "SZX"), "CN"), (("ICN", "PUS"), "KR"), (("KEL",), "DE")):
        assert all(country[h] == code for h in hubs), (hubs, code)
    assert (country["LEH"], country["LIS"]) == ("FR", "PT")
    lon = {hub.hub_id: hub.pad[1] for hub in net.hubs}
    us = [h for h, c in country.items() if c == "US"]
    assert any(lon[h] > -82.0 for h in us) and any(lon[h] < -115.0 for h in us)  # both coasts
    assert all(hub.launch == "on_demand" for hub in net.hubs) and net.drone.from_vessel
    sites = (resources.files("rocketpost") / "data" / "landing_sites.toml").read_text()
    command = next(line for line in sites.splitlines() if line.startswith("# Command: "))
    # The network file's header wraps the same command over comment lines.
    recorded = " ".join(
        line.lstrip("# ").rstrip("\\ ") for line in _SHIPPED.splitlines() if line.startswith("#")
    )
    words = command.removeprefix("# Command: ").split()
    assert " ".join(words) in " ".join(recorded.split())
