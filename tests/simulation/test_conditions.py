"""The weather and sea of a replicate: drawn up front, looked up by hub and time."""

from __future__ import annotations

import dataclasses

import numpy as np

from rocketpost.network import default_network
from rocketpost.simulation import Disruptions, SimConfig
from rocketpost.simulation.conditions import ALTERNATE_ZONE, NO_ZONE, PRIMARY_ZONE, Conditions
from rocketpost.simulation.disruptions import SeaStateModel

DAY_S = 1_795_651_200.0


def conditions(config: SimConfig, seed: int = 1) -> Conditions:
    rng = np.random.default_rng(seed)
    return Conditions(default_network("today"), config, rng, rng, DAY_S, DAY_S + 86400.0)


def test_calm_world_scrubs_nothing_and_every_zone_is_open() -> None:
    world = conditions(SimConfig(disruptions=Disruptions.none(), landing_zones=2))
    for h in range(len(default_network().hubs)):
        wave = world.next_wave(h, DAY_S + 1234.0)
        assert wave >= DAY_S + 1234.0 and wave - world.interval[h] < DAY_S + 1234.0
        assert not world.scrubbed(h, wave) and not world.in_front(h, wave)
        assert world.open_zone(h, wave) == PRIMARY_ZONE


def test_scripted_scrub_hits_that_wave_only() -> None:
    network = default_network()
    h = network.hub_index("HZB")
    calm = conditions(SimConfig(disruptions=Disruptions.none()))
    wave = calm.next_wave(h, DAY_S + 3600.0)
    config = SimConfig(disruptions=Disruptions.none(), scripted_scrubs=(("HZB", wave),))
    world = conditions(config)
    assert world.scrubbed(h, wave)
    assert not world.scrubbed(h, wave + world.interval[h])
    assert not world.scrubbed(network.hub_index("SHA"), wave)
    assert not world.scrubbed(h, DAY_S - 10 * 86400.0)  # outside the horizon


def test_closed_primary_zone_falls_back_to_the_alternate() -> None:
    rough = dataclasses.replace(Disruptions.none(), sea_state=SeaStateModel(closed_share=0.5))
    one = conditions(SimConfig(disruptions=rough, landing_zones=1), seed=3)
    two = conditions(SimConfig(disruptions=rough, landing_zones=2), seed=3)
    times = DAY_S + np.arange(0, 86400, 600)
    zones_one = [one.open_zone(0, t) for t in times]
    zones_two = [two.open_zone(0, t) for t in times]
    assert NO_ZONE in zones_one and PRIMARY_ZONE in zones_one
    assert ALTERNATE_ZONE in zones_two


def test_a_dispatcher_sees_the_front_and_the_closed_sea_of_that_moment() -> None:
    network = default_network()
    calm = conditions(SimConfig(disruptions=Disruptions.none())).seen_at(DAY_S + 600.0)
    assert not calm.hubs and not calm.sites
    stormy = dataclasses.replace(
        Disruptions(),
        sea_state=SeaStateModel(closed_share=0.5, mean_closed_h=6.0),
    )
    world = conditions(SimConfig(disruptions=stormy, landing_zones=2), seed=3)
    seen_front = seen_closed = False
    for t in np.arange(DAY_S, DAY_S + 86400.0, 3600.0):
        seen = world.seen_at(float(t))
        for h, hub_id in enumerate(network.hub_ids):
            assert (hub_id in seen.hubs) == world.in_front(h, float(t))
            zone = world.open_zone(h, float(t))
            assert (hub_id in seen.sites) == (zone != PRIMARY_ZONE)
            if hub_id in seen.sites:
                assert seen.sites[hub_id].alternate == (zone == ALTERNATE_ZONE)
            seen_front |= hub_id in seen.hubs
            seen_closed |= hub_id in seen.sites
        assert seen.rates is stormy
    assert seen_front and seen_closed


def test_a_dispatcher_sees_the_wind_and_waves_of_the_hour_at_the_vessels() -> None:
    """Sites whose recovery vessel carries drones report the hour's wind and waves (what the
    engine's drones decide on); a calm world's conditions have neither."""
    network = default_network("rocket-hour")
    rng = np.random.default_rng(4)
    world = Conditions(
        network,
        SimConfig(),
        rng,
        rng,
        DAY_S,
        DAY_S + 86400.0,
        rng_metocean=np.random.default_rng(5),
    )
    vessels = np.flatnonzero(world.vessel_site)
    assert vessels.size > 0
    for t in (DAY_S + 100.0, DAY_S + 7 * 3600.0 + 59.0):
        seen = world.seen_at(t)
        for d in vessels[:50].tolist():
            site_id = network.site_ids[d]
            if world.open_zone(d, t) != PRIMARY_ZONE:
                continue
            wind, waves = world.metocean.at(d, t)
            assert seen.sites[site_id].wind_ms == wind
            assert seen.sites[site_id].wave_height_m == waves
    calm = Conditions(network, SimConfig(), rng, rng, DAY_S, DAY_S + 86400.0)
    assert float(calm.metocean.wind_ms.max()) == 0.0


def test_a_dispatcher_deciding_some_sites_sees_exactly_those() -> None:
    """``only_sites``: the same declarations for those sites, none for the others (a promise
    reads its own site only; the dispatcher asks a minute's orders at a time)."""
    network = default_network("rocket-hour")
    rng = np.random.default_rng(6)
    stormy = dataclasses.replace(Disruptions(), sea_state=SeaStateModel(closed_share=0.5))
    world = Conditions(
        network,
        SimConfig(disruptions=stormy, landing_zones=2),
        rng,
        rng,
        DAY_S,
        DAY_S + 86400.0,
        rng_metocean=np.random.default_rng(7),
    )
    vessel = int(np.flatnonzero(world.vessel_site)[0])
    for t in np.arange(DAY_S, DAY_S + 86400.0, 3 * 3600.0).tolist():
        everything = world.seen_at(t)
        some = world.seen_at(t, [0, vessel, 0])
        wanted = {network.site_ids[0], network.site_ids[vessel]}
        assert dict(some.sites) == {k: v for k, v in everything.sites.items() if k in wanted}
        assert dict(some.hubs) == dict(everything.hubs)
        assert network.site_ids[vessel] in some.sites  # its wind and waves, open or closed


def test_the_engines_wind_and_waves_are_the_dispatchers() -> None:
    from rocketpost.simulation.disruptions import child_seed, sample_metocean

    network = default_network("rocket-hour")
    seed = np.random.SeedSequence(9)
    rng = np.random.default_rng(1)
    world = Conditions(
        network,
        SimConfig(),
        rng,
        rng,
        DAY_S,
        DAY_S + 86400.0,
        rng_metocean=np.random.Generator(np.random.PCG64(child_seed(seed, 3))),
    )
    again = sample_metocean(
        SimConfig().disruptions.metocean,
        np.random.Generator(np.random.PCG64(child_seed(seed, 3))),
        len(network.site_ids),
        DAY_S,
        DAY_S + 86400.0,
    )
    np.testing.assert_array_equal(world.metocean.wind_ms, again.wind_ms)
