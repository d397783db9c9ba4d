"""Will the recovery vessel's drones fly at the landing? P(grounded) from the wind and waves now.

The simulator's wind and waves at a landing site (:class:`~rocketpost.promise.rates.
MetoceanModel`) are one hourly Gaussian AR(1) driver ``z`` (stationary N(0, 1), lag-one
correlation ρ) mapped monotonically onto a Rayleigh wind and a log-normal wave height. The
drones stay on deck when either exceeds its limit (the one rule,
:func:`rocketpost.core.vesseldrone.vessel_drones_fly`), and since both grow with ``z`` that is
one threshold::

    grounded  ⇔  z > z*,   z* = min(Φ⁻¹(1 − exp(−w_max² / 2s²)),  ln(h_max / h_med) / σ)

(``s`` the Rayleigh scale, ``w_max`` the drone's wind limit, ``h_max`` the deck's wave limit).
Knowing the wind or the waves now gives ``z₀`` (either one inverts the map; with both, the
higher, the more cautious), and ``j`` hours later ``z ~ N(ρʲ z₀, 1 − ρ²ʲ)``, so::

    P(grounded j hours on) = 1 − Φ((z* − ρʲ z₀) / √(1 − ρ²ʲ))   (j = 0: z₀ > z*)

Declaring neither is the normal state, as ``hold_risk`` is for the weather: the drones fly now
(``z₀ ≤ z*``) and may be grounded by the landing at the climate's rate of change::

    P(grounded j hours on | flying now) = (1 − Φ(z*) − P(z₀ > z*, z_j > z*)) / Φ(z*)

(a bivariate normal of correlation ρʲ; ~1.4 % for the next hour at the defaults, against the
~4.3 % of the time the drones are grounded). Operations declare the wind or the waves of a site
whose drones are grounded or close to it, as they declare a front; the simulator's dispatcher
sees them every hour (:meth:`rocketpost.simulation.conditions.Conditions.seen_at`). The
landing is ``lead_s`` after now; the hour boundaries of the simulator's grid fall anywhere in
between, so a lead of ``a`` hours and ``r`` seconds crosses ``a + 1`` of them with probability
``r / 3600`` and ``a`` otherwise (the quote does not know where in the hour it is).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import ndtr, ndtri
from scipy.stats import multivariate_normal

from rocketpost.core.routes import Routes
from rocketpost.network import Drone, Network
from rocketpost.promise.conditions import Conditions, SeaState
from rocketpost.promise.rates import MetoceanModel

__all__ = [
    "boat_way_extra_s",
    "driver_now",
    "grounded_p",
    "grounded_threshold",
    "kernel_shifts",
    "reflight_delay_s",
    "route_boat_way_extra_s",
    "site_grounded_p",
    "sites_driver_now",
]

_HOUR_S = 3600.0


def _rayleigh_scale(model: MetoceanModel) -> float:
    return model.mean_wind_ms * math.sqrt(2.0 / math.pi)


def grounded_threshold(model: MetoceanModel, drone: Drone) -> float:
    """``z*``: the driver above which the drones are grounded (``inf``: never)."""
    scale = _rayleigh_scale(model)
    wind = math.inf
    if scale > 0:
        u = -math.expm1(-(drone.max_wind_ms**2) / (2.0 * scale * scale))
        wind = float(ndtri(u)) if u < 1.0 else math.inf
    waves = math.inf
    if model.median_wave_height_m > 0:
        if model.wave_sigma > 0:
            waves = math.log(drone.max_sea_state_m / model.median_wave_height_m) / model.wave_sigma
        elif model.median_wave_height_m > drone.max_sea_state_m:
            waves = -math.inf
    return min(wind, waves)


def driver_now(model: MetoceanModel, wind_ms: float | None, wave_height_m: float | None) -> float:
    """``z₀`` from the wind and/or the waves now (the higher of the two); NaN: neither known or
    neither invertible (a calm climate)."""
    candidates = []
    scale = _rayleigh_scale(model)
    if wind_ms is not None and scale > 0:
        u = -math.expm1(-(wind_ms**2) / (2.0 * scale * scale))
        candidates.append(float(ndtri(min(u, 1.0 - 1e-16))))
    if wave_height_m is not None and model.median_wave_height_m > 0 and model.wave_sigma > 0:
        if wave_height_m <= 0:
            candidates.append(-math.inf)
        else:
            ratio = wave_height_m / model.median_wave_height_m
            candidates.append(math.log(ratio) / model.wave_sigma)
    return max(candidates) if candidates else math.nan


@lru_cache(maxsize=256)
def _grounded_if_flying(z_star: float, decay: float) -> float:
    """``P(z_j > z* | z₀ ≤ z*)`` for ``corr(z₀, z_j) = decay`` (see the module docstring)."""
    if decay <= 0.0:
        return float(1.0 - ndtr(z_star))
    if decay >= 1.0:
        return 0.0
    below = float(ndtr(z_star))
    both_below = float(
        multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, decay], [decay, 1.0]]).cdf([z_star, z_star])
    )
    both_above = 1.0 - 2.0 * below + both_below
    return max((1.0 - below) - both_above, 0.0) / below if below > 0 else 1.0


def grounded_p(
    model: MetoceanModel, drone: Drone, z_now: ArrayLike, lead_s: ArrayLike
) -> NDArray[np.float64]:
    """P(the drones are grounded ``lead_s`` after now), the driver being ``z_now`` (NaN: not
    declared, flying now); vectorised (see the module docstring)."""
    z_star = grounded_threshold(model, drone)
    z0, lead_h = np.broadcast_arrays(
        np.asarray(z_now, dtype=np.float64),
        np.maximum(np.asarray(lead_s, dtype=np.float64), 0.0) / _HOUR_S,
    )
    if not math.isfinite(z_star):
        return np.full(z0.shape, 0.0 if z_star > 0 else 1.0)
    whole = np.floor(lead_h)
    past = lead_h - whole
    rho = model.hourly_correlation
    out = np.zeros(z0.shape)
    unknown = np.isnan(z0)
    for hours, weight in ((whole, 1.0 - past), (whole + 1.0, past)):
        decay = rho**hours
        spread = np.sqrt(np.maximum(1.0 - decay * decay, 0.0))
        with np.errstate(invalid="ignore"):
            known = np.where(
                spread > 0,
                1.0 - ndtr((z_star - decay * z0) / np.where(spread > 0, spread, 1.0)),
                (z0 > z_star).astype(np.float64),
            )
        if unknown.any():
            flying = {h: _grounded_if_flying(z_star, rho**h) for h in np.unique(hours[unknown])}
            known = np.where(unknown, np.vectorize(flying.get, otypes=[float])(hours), known)
        out += weight * known
    return np.asarray(np.clip(out, 0.0, 1.0), dtype=np.float64)


def site_grounded_p(conditions: Conditions, drone: Drone, site_id: str, lead_s: float) -> float:
    """P(grounded at a landing ``lead_s`` from now) at one site under ``conditions``: from its
    declared wind and waves, else flying now. A closed site launches no drones (a diverted
    pod goes ashore by boat, :func:`rocketpost.core.vesseldrone.vessel_drone_sites`): 1."""
    sea = conditions.sea(site_id)
    if sea.state is SeaState.CLOSED:
        return 1.0
    model = conditions.rates.metocean
    z0 = driver_now(model, sea.wind_ms, sea.wave_height_m)
    return float(risk_up(grounded_p(model, drone, z0, lead_s)))


def sites_driver_now(network: Network, conditions: Conditions) -> NDArray[np.float64]:
    """``z₀`` per landing site (``network.site_ids`` order) from its declared wind and waves
    (NaN: not declared, flying now); ``+inf`` for a closed site (its vessel launches nothing)."""
    model = conditions.rates.metocean
    out = np.full(len(network.site_ids), np.nan)
    for i, site_id in enumerate(network.site_ids):
        if site_id not in conditions.sites:
            continue
        sea = conditions.sea(site_id)
        out[i] = (
            math.inf
            if sea.state is SeaState.CLOSED
            else driver_now(model, sea.wind_ms, sea.wave_height_m)
        )
    return out


def reflight_delay_s(
    flight_s: ArrayLike, handling_s: ArrayLike, interval_s: ArrayLike
) -> NDArray[np.float64]:
    """How much later a parcel arrives when its pod is lost at the landing: the hub sends it
    again at the first wave after the loss plus its handling (the simulator's re-dispatch), and
    the launch was on a wave, so ``⌈(flight + handling) / I⌉ · I`` (a spare airframe assumed)."""
    interval = np.asarray(interval_s, dtype=np.float64)
    total = np.asarray(flight_s, dtype=np.float64) + np.asarray(handling_s, dtype=np.float64)
    return np.asarray(np.ceil(total / interval - 1e-9) * interval, dtype=np.float64)


GROUNDED_QUANTUM = 1e-4
"""A shift's probability (grounded drones, an onset) is rounded *up* to this before a shape is
made (:func:`risk_up`): a promise at most 10⁻⁴ more cautious, and the quotes and rows of one
lane share a shape, its distribution and its quantiles, whatever their wave wait."""


def risk_up(p: ArrayLike) -> NDArray[np.float64]:
    """``p`` rounded up to :data:`GROUNDED_QUANTUM` (at most 1): the one rounding of a shift's
    probability, for the kernel's rows and a quote's route alike."""
    q = GROUNDED_QUANTUM
    return np.minimum(np.ceil(np.asarray(p, dtype=np.float64) / q - 1e-9) * q, 1.0)


def kernel_shifts(
    network: Network,
    conditions: Conditions,
    *,
    destination: NDArray[np.intp],
    vessel: NDArray[np.bool_],
    landing_offset_s: NDArray[np.float64],
    flight_s: NDArray[np.float64],
    handling_s: NDArray[np.float64],
    interval_s: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Per rocket row of the kernel: ``(grounded_p, reflight_s)`` under ``conditions`` (the
    vessel's drones grounded at the landing, the re-flight's delay after a lost landing)."""
    z_now = sites_driver_now(network, conditions)[destination]
    grounded = np.where(
        vessel, grounded_p(conditions.rates.metocean, network.drone, z_now, landing_offset_s), 0.0
    )
    grounded = risk_up(grounded)
    return grounded, reflight_delay_s(flight_s, handling_s, interval_s)


def boat_way_extra_s(
    network: Network, routes: Routes, lat_deg: ArrayLike, lon_deg: ArrayLike
) -> NDArray[np.float64]:
    """Per kernel row: how much later the boat way (boat → port → last mile,
    :func:`rocketpost.core.vesseldrone.port_instead`) arrives than the vessel's drone, for the
    rows the vessel's drones fly (``inf`` for the others: nothing to fall back on)."""
    from rocketpost.core.vesseldrone import port_instead  # core's rule; imports promise

    vessel = np.flatnonzero(np.asarray(routes.vessel) & ~np.asarray(routes.ground))
    out = np.full(np.asarray(routes.vessel).shape, math.inf)
    if vessel.size:
        lat = np.broadcast_to(np.asarray(lat_deg, dtype=np.float64), out.shape)[vessel]
        lon = np.broadcast_to(np.asarray(lon_deg, dtype=np.float64), out.shape)[vessel]
        to_port, last_mile, _ = port_instead(network, routes.destination[vessel], lat, lon)
        drone_way = network.drone.vessel_transfer_min * 60.0 + routes.last_mile_s[vessel]
        out[vessel] = np.maximum(to_port + last_mile - drone_way, 0.0)
    return out


def route_boat_way_extra_s(
    network: Network, site_id: str, legs_s: dict[str, float], lat_deg: float, lon_deg: float
) -> float:
    """One vessel route's :func:`boat_way_extra_s` from its legs (a quote's route, at any wave):
    the boat way from ``site_id`` to the door against the vessel transfer and the drone's last
    mile; ``inf`` when the route is not flown by the vessel's drones."""
    from rocketpost.core.vesseldrone import port_instead

    if float(legs_s.get("vessel_transfer", 0.0)) <= 0:
        return math.inf
    site = np.array([network.site_ids.index(site_id)])
    to_port, last_mile, _ = port_instead(network, site, [lat_deg], [lon_deg])
    drone_way = float(legs_s["vessel_transfer"]) + float(legs_s["last_mile"])
    return max(float(to_port[0] + last_mile[0]) - drone_way, 0.0)
