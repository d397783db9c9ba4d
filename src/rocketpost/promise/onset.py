"""Weather and sea that turn bad *after* the promise: the onset hazards of the climate.

A quote knows the fronts and closed seas of the moment (:class:`~rocketpost.promise.conditions.
Conditions`), but a hub under ``hold_risk`` may fall under a front before its wave launches, and
an open landing site may close before the rocket lands. Both are the simulator's two-state
processes (:mod:`rocketpost.simulation.disruptions`): from the good state, the bad one starts at
rate ``share / ((1 − share) · mean_bad)``, and once started it lasts hours (a front 6 h, a
closed sea 12 h on average), far past the hour. So the promise survives them with probability
``exp(−λ_front · launch_offset − λ_sea · landing_offset)``: no front before the launch, no
closure before the landing. (A front that starts after an earlier wave was scrubbed is a second
order effect, left out.) A hub declared ``clear`` (a "go" forecast) has no front onset; a hub
under a front, or a site already closed, is the distribution's business, not this one's.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions, Weather

__all__ = ["onset_rates", "onset_survival"]

_HOUR_S = 3600.0


def _rate(share: float, mean_s: float) -> float:
    """Rate (1/s) of leaving the good state of a two-state process with this bad share."""
    if share <= 0.0:
        return 0.0
    if share >= 1.0:
        return np.inf
    return share / ((1.0 - share) * mean_s)


def onset_rates(
    network: Network, conditions: Conditions
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(per hub, per landing site)`` onset rates (1/s) of a front and of a sea closure."""
    # The sites' own closed shares live with the simulator that draws them (one rule).
    from rocketpost.simulation.disruptions import site_closed_shares

    weather = conditions.rates.weather
    front = _rate(weather.front_share, weather.mean_front_h * _HOUR_S)
    hubs = np.array(
        [
            0.0 if conditions.weather(h).state is not Weather.HOLD_RISK else front
            for h in network.hub_ids
        ]
    )
    sea = conditions.rates.sea_state
    shares = site_closed_shares(sea, network)
    sites = np.array(
        [
            0.0
            if conditions.sea_closed_mean_s(s) is not None or conditions.detour_km(s) > 0
            else _rate(float(share), sea.mean_closed_h * _HOUR_S)
            for s, share in zip(network.site_ids, shares.tolist(), strict=True)
        ]
    )
    return hubs, sites


def onset_survival(
    network: Network,
    conditions: Conditions,
    origin: NDArray[np.intp],
    destination: NDArray[np.intp],
    launch_offset_s: NDArray[np.float64],
    landing_offset_s: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per rocket row: P(no front before the launch and no closure before the landing)."""
    hubs, sites = onset_rates(network, conditions)
    exponent = hubs[origin] * np.maximum(launch_offset_s, 0.0) + sites[destination] * np.maximum(
        landing_offset_s, 0.0
    )
    return np.asarray(np.exp(-exponent), dtype=np.float64)
