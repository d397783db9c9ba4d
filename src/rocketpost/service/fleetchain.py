"""The airframes a day's plan assigns, checked against the days before.

Each full plan run chains every assigned airframe's flights of the day after the flights the
earlier days' runs gave it, by the plan check's own rule (:func:`rocketpost.planning.check.
airframe_chain_problems`: leaves from where the previous flight left it, after its landing,
days at sea, recovery and turnaround), with the service's rule across days: an airframe left
away from home is flown home before its next day's flight (:mod:`rocketpost.service.
fleetcarry`). What does not hold is listed in the run's ``summary.airframe_conflicts``.

With a reuse cycle of a day or more, admission and the run's starting fleet follow that rule,
so a run lists nothing (``tests/service/test_fleetadmission.py``). What it still catches: a
reuse cycle under a day (each day then starts from the fleet home and ready) and a fleet made
smaller after its flights were sold.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from rocketpost.network import Network
from rocketpost.planning.check import AirframeFlights, airframe_chain_problems
from rocketpost.planning.fleet import initial_fleet
from rocketpost.service.bookedday import FLYING_STATUSES, BookedDay, day_bounds
from rocketpost.service.fleetcarry import carry_days
from rocketpost.service.models import Flight

__all__ = ["airframe_conflicts"]

_DAY_S = 86_400.0


def airframe_conflicts(
    session: Session,
    network: Network,
    day: date,
    booked: BookedDay,
    airframe: NDArray[np.str_],
    landing_s: NDArray[np.float64],
) -> list[str]:
    """Where the day's assigned airframes (``airframe`` per flight of ``booked``, ``""`` for
    none; ``landing_s`` their touchdowns) cannot fly its flights after what the earlier days'
    plan runs gave them (see module); ``[]`` when every one can."""
    start, _ = day_bounds(day)
    earlier = session.execute(
        select(
            Flight.airframe_id,
            Flight.public_id,
            Flight.origin_hub,
            Flight.landing_site,
            Flight.destination_hub,
            Flight.launch_at,
            Flight.landing_at,
        )
        .where(
            Flight.airframe_id.is_not(None),
            Flight.launch_at >= start - timedelta(days=carry_days(network)),
            Flight.launch_at < start,
            Flight.status.in_(FLYING_STATUSES),
        )
        .order_by(Flight.launch_at, Flight.id)
    ).all()
    chains: dict[str, list[tuple[float, str, int, int, float, bool]]] = defaultdict(list)
    flying_today = {str(a) for a in airframe.tolist() if a}
    for r in earlier:
        if r.airframe_id not in flying_today or r.landing_at is None:
            continue
        chains[r.airframe_id].append(
            (
                r.launch_at.timestamp(),
                r.public_id,
                network.hub_index(r.origin_hub),
                network.site_index(r.landing_site or r.destination_hub),
                r.landing_at.timestamp(),
                False,
            )
        )
    for f in np.flatnonzero(airframe != "").tolist():
        chains[str(airframe[f])].append(
            (
                float(booked.flight_launch_s[f]),
                str(booked.flight_public_id[f]),
                int(booked.flight_origin[f]),
                int(booked.flight_site[f]),
                float(landing_s[f]),
                True,
            )
        )
    home = {a.airframe_id: a.home for a in initial_fleet(network, 0.0)}
    problems: list[str] = []
    for name in sorted(chains):
        flights = sorted(chains[name])
        problems += airframe_chain_problems(
            network,
            name,
            home.get(name, flights[0][2]),
            AirframeFlights(
                [f[1] for f in flights],
                np.array([f[2] for f in flights], dtype=np.intp),
                np.array([f[3] for f in flights], dtype=np.intp),
                np.array([f[0] for f in flights], dtype=np.float64),
                np.array([f[4] for f in flights], dtype=np.float64),
                report=[f[5] for f in flights],  # the earlier days' own runs reported theirs
            ),
            home_between_days=True,  # the service's rule across days (fleetcarry)
        )
    return problems
