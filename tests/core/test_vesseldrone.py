"""The one rule for drones from the recovery vessel, and the kernel under it."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rocketpost.core.doortodoor import KernelOptions, ParcelRows, door_to_door, network_legs
from rocketpost.core.geo import destination_point
from rocketpost.core.vesseldrone import vessel_drone_sites, vessel_drones_fly
from rocketpost.errors import InputError
from rocketpost.network import LandingSite, Network
from rocketpost.promise.conditions import Conditions, SiteSea


@pytest.fixture()
def vessel_network(tiny_network: Network) -> Network:
    """The tiny network with one extra site S1 whose vessel carries 3 drones."""
    site = LandingSite("S1", (0.5, 4.0), "XXS1AA", (0.5, 3.95), 6.0, drones=3)
    return dataclasses.replace(
        tiny_network,
        extra_sites=(site,),
        drone=dataclasses.replace(
            tiny_network.drone, from_vessel=True, max_wind_ms=12.0, max_sea_state_m=2.5
        ),
    )


def test_limits_are_inclusive_and_unknown_is_open(vessel_network: Network) -> None:
    drone = vessel_network.drone
    wind = np.array([0.0, 12.0, 12.01, np.nan, 5.0, 5.0])
    waves = np.array([0.0, 2.5, 0.0, np.nan, 2.51, np.nan])
    assert vessel_drones_fly(drone, wind, waves).tolist() == [True, True, False, True, False, True]


def test_sites_from_declared_conditions(vessel_network: Network) -> None:
    # Sites A, B (hub zones, 2 drones each) and S1; from_vessel is on.
    assert vessel_drone_sites(vessel_network, None).tolist() == [True, True, True]
    windy = Conditions(sites={"S1": SiteSea(wind_ms=15.0)})
    assert vessel_drone_sites(vessel_network, windy).tolist() == [True, True, False]
    rough = Conditions(sites={"A": SiteSea(wave_height_m=3.0), "S1": SiteSea(wind_ms=11.0)})
    assert vessel_drone_sites(vessel_network, rough).tolist() == [False, True, True]
    closed = Conditions(sites={"B": SiteSea(state="closed", alternate=True)})
    assert vessel_drone_sites(vessel_network, closed).tolist() == [True, False, True]
    off = dataclasses.replace(
        vessel_network, drone=dataclasses.replace(vessel_network.drone, from_vessel=False)
    )
    assert not vessel_drone_sites(off, None).any()


def test_bad_declared_wind_is_refused() -> None:
    with pytest.raises(InputError) as err:
        SiteSea(wind_ms=-1.0)
    assert err.value.field == "wind_ms"


def test_grounded_vessel_sends_the_parcel_by_boat_and_port(vessel_network: Network) -> None:
    legs = network_legs(vessel_network)
    site = vessel_network.landing_sites[2]
    lat, lon = destination_point(site.position[0], site.position[1], 0.0, 4.0)
    rows = ParcelRows(np.array([lat]), np.array([lon]))
    open_route = door_to_door(legs, rows, KernelOptions(origins=np.array([0])))
    assert bool(open_route.vessel[0]) and int(open_route.destination[0]) == 2
    windy = Conditions(sites={"S1": SiteSea(wind_ms=20.0)})
    mask = vessel_drone_sites(vessel_network, windy)
    grounded = door_to_door(legs, rows, KernelOptions(origins=np.array([0]), vessel_drones=mask))
    assert not bool(grounded.vessel[0])
    # Boat, port, then the last mile from the port: later than the vessel's drone.
    assert float(grounded.total_s[0]) > float(open_route.total_s[0])
    assert float(grounded.boat_s[0]) > 0.0 or int(grounded.destination[0]) != 2
