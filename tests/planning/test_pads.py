"""Launch pads: a plan never launches more rockets at a hub than its pads take."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest

from rocketpost.network import Network, default_network
from rocketpost.planning import check_plan, plan_orders, write_plan
from rocketpost.planning.fleet import initial_fleet, schedule_fleet
from rocketpost.planning.pads import PadBook, pad_overbooked
from rocketpost.planning.params import PlanParams

from .test_pipeline import DAY_S, FLY_ALWAYS, tiny

MIN = 60.0


def _pads(net: Network, hub_id: str, pads: int, turnaround_min: float) -> Network:
    hubs = tuple(
        dataclasses.replace(h, pads=pads, pad_turnaround_min=turnaround_min)
        if h.hub_id == hub_id
        else h
        for h in net.hubs
    )
    return dataclasses.replace(net, hubs=hubs)


def test_a_launch_fits_while_a_pad_is_free_through_its_turnaround() -> None:
    net = _pads(default_network(), "HZB", 2, 10.0)
    hzb = net.hub_index("HZB")
    book = PadBook(net)
    assert book.fits(hzb, DAY_S)
    book.book(hzb, DAY_S)
    book.book(hzb, DAY_S)  # both pads turning round until DAY_S + 10 min
    assert not book.fits(hzb, DAY_S)
    assert not book.fits(hzb, DAY_S + 5 * MIN)
    assert book.fits(hzb, DAY_S + 10 * MIN)  # turned round in exactly the turnaround: free
    assert book.earliest(hzb, DAY_S) == DAY_S + 10 * MIN
    assert math.isnan(book.earliest(hzb, DAY_S, latest_s=DAY_S + 5 * MIN))
    # A launch before two that are already booked would leave them one pad.
    later = PadBook(net)
    later.book(hzb, DAY_S + 5 * MIN)
    later.book(hzb, DAY_S + 5 * MIN)
    assert not later.fits(hzb, DAY_S)
    assert later.fits(hzb, DAY_S - 5 * MIN)
    # Other hubs have their own pads.
    assert later.fits(net.hub_index("ICN"), DAY_S)


def test_the_second_rocket_of_a_wave_waits_for_the_one_pad_or_does_not_fly() -> None:
    """The tiny day's second wave needs two rockets at HZB (11 t): with one pad the second
    launches one slot later if its orders can still keep their promise from there."""
    net, orders = tiny()
    params = PlanParams(consolidation=FLY_ALWAYS)
    two = plan_orders(net, orders, params, promise_rule="buffer")
    hzb = net.hub_index("HZB")
    cargo = ~two.flights.repositioning & (two.flights.origin == hzb)
    wave = np.sort(two.flights.launch_s[cargo])[-2:]
    assert wave[0] == wave[1]  # two pads: both at once
    one = plan_orders(net := _pads(net, "HZB", 1, 10.0), orders, params, promise_rule="buffer")
    cargo = ~one.flights.repositioning & (one.flights.origin == hzb)
    wave = np.sort(one.flights.launch_s[cargo])[-2:]
    assert wave[1] - wave[0] == 10 * MIN
    # Its orders are planned from the launch it got, and still keep their promise.
    on = one.outcomes.flight_id >= 0
    position = {int(f): i for i, f in enumerate(one.flights.flight_id.tolist())}
    flight_launch = one.flights.launch_s[[position[int(f)] for f in one.outcomes.flight_id[on]]]
    assert one.outcomes.launch_s[on] == pytest.approx(flight_launch)
    assert one.outcomes.on_time[on].all()
    assert not pad_overbooked(net, one.flights.origin, one.flights.launch_s).any()
    # Orders that cannot wait a slot: the second rocket does not fly (its orders go standard).
    one_pad = _pads(default_network(), "HZB", 1, 10.0)
    hzb, icn = one_pad.hub_index("HZB"), one_pad.hub_index("ICN")
    for latest_s, flown in ((DAY_S + 3600.0, [0, -1]), (DAY_S + 3600.0 + 10 * MIN, [0, 1])):
        sched = schedule_fleet(
            one_pad,
            np.array([hzb, hzb], dtype=np.intp),
            np.array([icn, icn], dtype=np.intp),
            np.array([DAY_S + 3600.0] * 2),
            np.array([0.9, 0.9]),
            fleet=initial_fleet(one_pad, DAY_S),
            weather_margin=np.zeros(len(one_pad.hubs)),
            pads=PadBook(one_pad),
            bin_latest_s=np.array([DAY_S + 3600.0, latest_s]),
        )
        assert sched.bin_flight.tolist() == flown
        assert not pad_overbooked(one_pad, sched.flight_origin, sched.flight_launch_s).any()
    assert sched.flight_launch_s.tolist() == [DAY_S + 3600.0, DAY_S + 3600.0 + 10 * MIN]


def test_a_ferry_takes_the_first_free_pad_of_its_hub() -> None:
    net, _ = tiny()
    icn = net.hub_index("ICN")
    book = PadBook(net)
    book.book(icn, DAY_S)
    book.book(icn, DAY_S)  # ICN's two pads are taken at the first wave of the day
    sched = schedule_fleet(
        net,
        np.array([0, 0], dtype=np.intp),
        np.array([1, 1], dtype=np.intp),
        np.array([DAY_S + 3600.0, DAY_S + 5 * 3600.0]),
        np.array([0.3, 0.2]),
        fleet=initial_fleet(net, DAY_S),
        weather_margin=np.zeros(2),
        pads=book,
    )
    ferry = np.flatnonzero(sched.repositioning)
    assert len(ferry) == 1 and sched.flight_origin[ferry[0]] == icn
    assert sched.flight_launch_s[ferry[0]] == DAY_S + 10 * MIN  # not DAY_S
    assert book.fits(icn, DAY_S + 10 * MIN)  # ICN has two pads: one left after the ferry
    book.book(icn, DAY_S + 10 * MIN)
    assert not book.fits(icn, DAY_S + 10 * MIN)  # the ferry's is booked


def test_the_check_reports_a_hub_launching_more_than_its_pads(tmp_path: Path) -> None:
    net, orders = tiny()
    write_plan(
        plan_orders(net, orders, PlanParams(consolidation=FLY_ALWAYS), promise_rule="buffer"),
        tmp_path,
    )
    assert check_plan(tmp_path, orders, net) == []
    # The same plan on a network whose HZB has one pad: its second wave needs two at once.
    problems = check_plan(tmp_path, orders, _pads(net, "HZB", 1, 10.0))
    assert any(p.startswith("pads: flight") for p in problems), problems
