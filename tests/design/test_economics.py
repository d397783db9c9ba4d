"""Fleet economics of a designed network: cadence, fill, airframes, cost per kg."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from rocketpost.design.analysis import design
from rocketpost.design.costs import CostModel
from rocketpost.design.coverage import CoverageMatrix, candidate_sites
from rocketpost.design.economics import OrderProfile, fleet_economics
from rocketpost.errors import InputError
from rocketpost.planning.fleet import site_returns, weather_margin_s

from .conftest import STOCK


@pytest.fixture(scope="module")
def designed(coverage: CoverageMatrix):  # type: ignore[no-untyped-def]
    result = design(coverage, costs=CostModel(), sites=8)
    sites = candidate_sites(coverage.candidates.subset(result.chosen), coverage.network.drone)
    return dataclasses.replace(coverage.network, extra_sites=sites)


@pytest.mark.parametrize("orders_per_day", [100.0, 1e6])
def test_flights_fill_and_cost(designed, coverage: CoverageMatrix, orders_per_day: float) -> None:  # type: ignore[no-untyped-def]
    costs = CostModel()
    order = OrderProfile(mass_kg=2.0, volume_m3=0.01)
    result = fleet_economics(
        designed,
        coverage.demand,
        stock_hubs=STOCK,
        orders_per_day=orders_per_day,
        costs=costs,
        order=order,
    )
    rocket = designed.rocket
    assert sum(lane.orders_per_day for lane in result.lanes) == pytest.approx(orders_per_day)
    for lane in result.lanes:
        hub = designed.hub(lane.origin)
        slots = 86_400.0 / (hub.launch_interval_min * 60.0)
        assert lane.flights_per_day <= max(slots, lane.orders_per_day * 2.0 / 10_000) + 1e-9
        assert lane.flights_per_day >= lane.orders_per_day * order.mass_kg / rocket.payload_mass_kg
        assert 0 < lane.fill_mass <= 1 + 1e-12 and 0 < lane.fill_volume <= 1 + 1e-12
        site = designed.site_index(lane.site)
        return_hub, return_s = site_returns(designed)
        assert lane.days_at_sea_per_flight == pytest.approx(return_s[site] / 86_400)
        # Each flight holds its airframe one reuse cycle (and its days at sea) when it ends up
        # at its own hub, two and the ferry home when it ends up at another, each flight with
        # its weather margin (the service's rule across days, planning.fleet.home_ready_s).
        held_cycles = (
            lane.airframe_days_per_day / lane.flights_per_day * 86_400 - return_s[site]
        ) / rocket.reuse_cycle_s
        margins = weather_margin_s(designed) / rocket.reuse_cycle_s
        out = margins[designed.hub_index(lane.origin)]  # the flight's own weather at home
        assert out > 0.5  # the climate's: 51.6 h
        if return_hub[site] == designed.hub_index(lane.origin):
            assert 1.0 + out < held_cycles < 1.02 + out, lane
        else:
            ferry = out + margins[return_hub[site]]
            assert 2.0 + ferry < held_cycles < 2.05 + ferry, lane
    expected = (
        result.flights_per_day * rocket.cost_per_flight_usd + result.network_usd_per_day
    ) / (orders_per_day * order.mass_kg)
    assert result.usd_per_kg == pytest.approx(expected)
    assert result.airframes_in_use > 0 and math.isfinite(result.usd_per_kg)
    assert result.summary()["lanes"] == len(result.lanes)


def test_bad_demand_level(designed, coverage: CoverageMatrix) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError):
        fleet_economics(
            designed, coverage.demand, stock_hubs=STOCK, orders_per_day=0, costs=CostModel()
        )
    with pytest.raises(InputError):
        OrderProfile(mass_kg=np.nan)
