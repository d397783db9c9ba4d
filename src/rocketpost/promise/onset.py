"""Weather and sea that turn bad *after* the promise: the onset hazards of the climate.

A quote knows the fronts and closed seas of the moment (:class:`~rocketpost.promise.conditions.
Conditions`), but a hub under ``hold_risk`` may fall under a front before its wave launches, and
an open landing site may close before the rocket lands. Both are the simulator's two-state
processes (:mod:`rocketpost.simulation.disruptions`): from the good state, the bad one starts at
rate ``share / ((1 − share) · mean_bad)``, and once started it lasts hours (a front 6 h, a
closed sea 12 h on average), far past the hour. So the promise survives them with probability
``exp(−λ_front · launch_offset − λ_sea · landing_offset)``: no front before the launch, no
closure before the landing (the onset rounded up to 10⁻⁴, so the quotes of a lane share a
shape whatever their wave wait). (A front that starts after an earlier wave was scrubbed is a second
order effect, left out.) A hub declared ``clear`` (a "go" forecast) has no front onset; a hub
under a front, or a site already closed, is the distribution's business, not this one's.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions, Weather
from rocketpost.promise.percondition import by_identity, per_conditions
from rocketpost.promise.rates import SeaStateModel
from rocketpost.promise.recovery import risk_up

__all__ = ["onset_p", "onset_rates", "onset_survival", "site_closed_share"]

_HOUR_S = 3600.0


def _rate(share: float, mean_s: float) -> float:
    """Rate (1/s) of leaving the good state of a two-state process with this bad share."""
    if share <= 0.0:
        return 0.0
    if share >= 1.0:
        return np.inf
    return share / ((1.0 - share) * mean_s)


def _hub_rate(conditions: Conditions, hub_id: str) -> float:
    weather = conditions.rates.weather
    if conditions.weather(hub_id).state is not Weather.HOLD_RISK:
        return 0.0
    return _rate(weather.front_share, weather.mean_front_h * _HOUR_S)


def _site_rate(conditions: Conditions, site_id: str, closed_share: float) -> float:
    if conditions.sea_closed_mean_s(site_id) is not None or conditions.detour_km(site_id) > 0:
        return 0.0
    return _rate(closed_share, conditions.rates.sea_state.mean_closed_h * _HOUR_S)


def onset_p(
    conditions: Conditions,
    hub_id: str,
    site_id: str,
    site_closed_share: float | None,
    launch_offset_s: float,
    landing_offset_s: float,
) -> float:
    """One route's P(a front starts before the launch or a closure before the landing): one
    minus :func:`onset_survival`, for a quote (``site_closed_share``: the site's own, ``None``
    the climate's, as every hub zone has)."""
    share = (
        conditions.rates.sea_state.closed_share if site_closed_share is None else site_closed_share
    )
    exponent = _hub_rate(conditions, hub_id) * max(launch_offset_s, 0.0) + _site_rate(
        conditions, site_id, share
    ) * max(landing_offset_s, 0.0)
    return float(risk_up(-np.expm1(-exponent)))


def site_closed_share(network: Network, conditions: Conditions, site_id: str) -> float:
    """One landing site's closed share under the climate of ``conditions`` (for
    :func:`onset_p`: what :func:`onset_rates` uses for every site)."""
    from rocketpost.simulation.disruptions import site_closed_share as share_of

    site = network.landing_sites[network.site_ids.index(site_id)]
    return share_of(conditions.rates.sea_state, site)


@by_identity  # one climate and network: every set of conditions shares its open sites' rates
def _open_site_rates(sea: SeaStateModel, network: Network) -> NDArray[np.float64]:
    """Per landing site, the closure onset rate of an undeclared (open) site (read-only)."""
    # The sites' own closed shares live with the simulator that draws them (one rule).
    from rocketpost.simulation.disruptions import site_closed_shares

    shares = site_closed_shares(sea, network).tolist()
    rates = np.array([_rate(share, sea.mean_closed_h * _HOUR_S) for share in shares])
    rates.flags.writeable = False
    return rates


@per_conditions  # a quote under unchanged conditions does not loop over every site again
def onset_rates(
    network: Network, conditions: Conditions
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(per hub, per landing site)`` onset rates (1/s) of a front and of a sea closure."""
    from rocketpost.simulation.disruptions import site_closed_shares

    hubs = np.array([_hub_rate(conditions, h) for h in network.hub_ids])
    sea = conditions.rates.sea_state
    sites = _open_site_rates(sea, network).copy()
    shares = site_closed_shares(sea, network)
    for i, site_id in enumerate(network.site_ids):
        if site_id in conditions.sites:  # declared: closed, diverting or open, its own rule
            sites[i] = _site_rate(conditions, site_id, float(shares[i]))
    return hubs, sites


def onset_survival(
    network: Network,
    conditions: Conditions,
    origin: NDArray[np.intp],
    destination: NDArray[np.intp],
    launch_offset_s: NDArray[np.float64],
    landing_offset_s: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Per rocket row: P(no front before the launch and no closure before the landing), one
    minus the onset rounded up as a quote's (:func:`onset_p`, :func:`~rocketpost.promise.
    recovery.risk_up`)."""
    hubs, sites = onset_rates(network, conditions)
    exponent = hubs[origin] * np.maximum(launch_offset_s, 0.0) + sites[destination] * np.maximum(
        landing_offset_s, 0.0
    )
    return np.asarray(1.0 - risk_up(-np.expm1(-exponent)), dtype=np.float64)
