"""Flights to landing sites in the simulator: vessel drones, the boat way when they are grounded,
airframes shipped back from sites without a pad, sea state per site; and a rocket-hour day."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest

from rocketpost.core.doortodoor import network_legs
from rocketpost.core.geo import destination_point
from rocketpost.network import LandingSite, Network, load_network
from rocketpost.orders.generator import generate_orders
from rocketpost.orders.table import OrderTable
from rocketpost.planning import plan_orders
from rocketpost.planning.fleet import site_returns
from rocketpost.planning.params import PlanParams
from rocketpost.planning.service_choice import Mode
from rocketpost.simulation import (
    Disruptions,
    SimConfig,
    SimInputs,
    inputs_from_plan,
    order_outcomes,
    run_monte_carlo,
    simulate_flights,
)
from rocketpost.simulation.disruptions import (
    MetoceanModel,
    SeaStateModel,
    sample_metocean,
    site_closed_shares,
)
from rocketpost.simulation.eventlog import EventKind

from ..planning import make_orders
from .conftest import DAY_S, FLY_ALWAYS

CALM = SimConfig(disruptions=Disruptions.none())
STORM = dataclasses.replace(
    CALM,
    disruptions=dataclasses.replace(Disruptions.none(), metocean=MetoceanModel(mean_wind_ms=200.0)),
)  # every vessel's drones grounded by wind, nothing else goes wrong


@pytest.fixture()
def site_day(tiny_network: Network) -> tuple[Network, SimInputs]:
    """Site S1 (no pad; 3 drones on its vessel, 2 vans at its port) 500 km from hub A; two
    light parcels 4 km from the vessel and one too heavy for a drone, stock at A."""
    site = LandingSite(
        "S1", (0.5, 4.0), "YYS1AA", (0.5, 3.95), 6.0, drones=3, vans=2,
        sea_state_closed_share=0.1,
    )  # fmt: skip
    net = dataclasses.replace(
        tiny_network,
        extra_sites=(site,),
        drone=dataclasses.replace(tiny_network.drone, from_vessel=True),
    )
    lat, lon = destination_point(0.5, 4.0, 0.0, 4.0)
    orders = make_orders(
        [(float(lat), float(lon))] * 3,
        [DAY_S + 3600, DAY_S + 3630, DAY_S + 3660],
        [1.0, 1.5, 5.0],
        [0.004, 0.004, 0.02],
        origin_hub=["A"] * 3,
    )
    plan = plan_orders(net, orders, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer")
    return net, inputs_from_plan(plan, net)


def test_inputs_carry_the_sites(site_day: tuple[Network, SimInputs]) -> None:
    net, inputs = site_day
    assert inputs.order_vessel.tolist() == [True, True, False]
    assert inputs.order_destination.tolist() == [2, 2, 2]
    hub, at_sea = site_returns(net)
    assert inputs.site_return_hub.tolist() == hub.tolist() and hub[2] in (0, 1)
    assert inputs.site_return_s[2] == pytest.approx(at_sea[2]) and at_sea[2] > 0
    assert inputs.site_country.tolist() == ["XX", "YY", "YY"]
    to_port = network_legs(net).landing_to_port_s[2]
    assert inputs.order_port_instead_s[:2] == pytest.approx([to_port] * 2)
    assert np.isnan(inputs.order_port_instead_s[2])


def test_calm_day_at_a_site_delivers_as_planned(site_day: tuple[Network, SimInputs]) -> None:
    net, inputs = site_day
    record = simulate_flights(inputs, CALM, np.random.SeedSequence(1))
    out = order_outcomes(inputs, record, CALM.disruptions, np.random.default_rng(0))
    assert out.actual_s == pytest.approx(inputs.order_planned_s, abs=1e-3)
    assert out.on_time.all()
    assert record.vessel_drones.tolist() == [True]
    # The vessel's parcels leave the drone deck 3 min after touchdown.
    deck = record.landing_s[0] + net.drone.vessel_transfer_min * 60.0
    assert inputs.order_port_s[:2] == pytest.approx([deck] * 2, abs=1e-3)
    # No pad at S1: the airframe is shipped to its return hub, ready after the sea and the cycle.
    events = record.log.to_table(net.site_ids, record.flight_id.tolist()).to_pylist()
    sea = [e for e in events if e["kind"] == EventKind.SEA_RETURN]
    assert len(sea) == 1 and sea[0]["hub"] == net.site_ids[int(inputs.site_return_hub[2])]
    landing = [e for e in events if e["kind"] == EventKind.LANDING]
    assert landing[0]["hub"] == "S1"


def test_grounded_drones_send_the_parcels_the_boat_way(
    site_day: tuple[Network, SimInputs],
) -> None:
    _, inputs = site_day
    record = simulate_flights(inputs, STORM, np.random.SeedSequence(1))
    out = order_outcomes(inputs, record, STORM.disruptions, np.random.default_rng(0))
    assert record.vessel_drones.tolist() == [False]
    landed = record.landing_s[0]
    boat_way = landed + inputs.order_port_instead_s[:2] + inputs.order_last_mile_instead_s[:2]
    assert out.actual_s[:2] == pytest.approx(boat_way, abs=1e-3)
    assert (out.actual_s[:2] > inputs.order_planned_s[:2]).all()
    assert out.actual_s[2] == pytest.approx(inputs.order_planned_s[2], abs=1e-3)
    kinds = record.log.counts()
    assert kinds[EventKind.GROUNDED] == 1


def test_site_closed_shares_scale_with_the_climate(site_day: tuple[Network, SimInputs]) -> None:
    net, _ = site_day
    assert site_closed_shares(SeaStateModel(), net).tolist() == pytest.approx([0.05, 0.05, 0.1])
    double = SeaStateModel(closed_share=0.1)
    assert site_closed_shares(double, net).tolist() == pytest.approx([0.1, 0.1, 0.2])
    calm = Disruptions.none().sea_state
    assert site_closed_shares(calm, net).tolist() == [0.0, 0.0, 0.0]


def test_metocean_marginals_and_calm() -> None:
    model = MetoceanModel()
    paths = sample_metocean(model, np.random.default_rng(0), 200, 0.0, 3600.0 * 1000)
    assert paths.wind_ms.mean() == pytest.approx(model.mean_wind_ms, rel=0.05)
    assert np.median(paths.wave_height_m) == pytest.approx(model.median_wave_height_m, rel=0.05)
    # Rayleigh: P(U > 2 × mean) = exp(-π).
    assert (paths.wind_ms > 2 * model.mean_wind_ms).mean() == pytest.approx(np.exp(-np.pi), 0.15)
    calm = sample_metocean(Disruptions.none().metocean, np.random.default_rng(0), 3, 0.0, 7200.0)
    assert not calm.wind_ms.any() and not calm.wave_height_m.any()


@pytest.fixture(scope="module")
def rocket_hour_day() -> tuple[Network, OrderTable, np.ndarray]:
    """400 generated orders under the shipped rocket-hour preset, stock at the Chinese hubs."""
    network = load_network(None, preset="rocket-hour")
    orders, _ = generate_orders(400, day=date(2026, 11, 25), rng=np.random.default_rng(5))
    allowed = np.zeros((len(orders), len(network.hubs)), dtype=bool)
    allowed[:, [network.hub_index(h) for h in ("HZB", "SHA", "SZX")]] = True
    return network, orders, allowed


def test_rocket_hour_day_end_to_end(
    rocket_hour_day: tuple[Network, OrderTable, np.ndarray],
) -> None:
    network, orders, allowed = rocket_hour_day
    plan = plan_orders(
        network,
        orders,
        PlanParams(consolidation=FLY_ALWAYS),
        allowed_origins=allowed,
        promise_rule="buffer",
    )
    inputs = inputs_from_plan(plan, network)
    rocket = inputs.order_mode == Mode.ROCKET
    assert rocket.any() and inputs.order_vessel.any()
    assert (inputs.order_destination[rocket] >= len(network.hubs)).any()  # sites without a pad
    # A calm world reproduces the plan, order by order.
    calm = run_monte_carlo(inputs, CALM, replicates=1, seed=0)
    assert calm.summary["promises_kept_share"].mean == pytest.approx(
        float(plan.outcomes.on_time[plan.outcomes.one_hour].mean())
    )
    assert calm.orders is not None
    planned = inputs.order_planned_s * 1000.0
    actual = calm.orders.column("actual_delivery").cast("int64").to_numpy()
    assert actual == pytest.approx(planned, abs=2.0)
    # Under the default climate every replicate runs; the rocket's kept share is a share.
    rough = run_monte_carlo(inputs, SimConfig(), replicates=3, seed=1)
    kept = rough.summary["rocket_promises_kept_share"].mean
    assert 0.0 <= kept <= 1.0
    assert rough.events is not None
    assert EventKind.SEA_RETURN in set(rough.events.column("kind").to_pylist())
