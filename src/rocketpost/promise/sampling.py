"""Monte Carlo of a :class:`~rocketpost.promise.distribution.DeliveryModel`: the check of the grid.

The closed form (:func:`~rocketpost.promise.distribution.delivery_distribution`) and this sampler
describe the same model; the tests compare them within the Monte Carlo's 99 % interval. The
sampler draws with the simulator's own samplers wherever the simulator has one.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from rocketpost.promise.distribution import DeliveryModel
from rocketpost.promise.rates import CustomsModel, NoiseModel

__all__ = ["sample_delivery_s"]


def sample_delivery_s(
    model: DeliveryModel, rng: np.random.Generator, n: int
) -> NDArray[np.float64]:
    """``n`` delivery times of ``model`` by Monte Carlo, with the simulator's samplers.

    Fronts and closed seas as exponential remaining spells (the simulator's Markov paths seen
    from a time they are on), isolated holds per wave as the simulator draws them (a Bernoulli
    per wave, counted until the first launch), customs with :meth:`CustomsModel.delays_s` and
    the noise with :meth:`NoiseModel.factors`; grounded drones, a lost landing and an onset as
    independent Bernoulli draws adding their shift (``inf``: never on time). Independent of the
    grid: the check of it.
    """
    interval = model.wave_interval_s
    waves = np.zeros(n)
    if model.rocket:
        assert model.launch_offset_s is not None and model.landing_offset_s is not None
        held = np.zeros(n)
        for mean_s, offset in (
            (model.front_mean_s, model.launch_offset_s),
            (model.sea_closed_mean_s, model.landing_offset_s),
        ):
            if mean_s is not None:
                remaining = rng.exponential(mean_s, n)
                held = np.maximum(held, np.ceil(np.maximum(remaining - offset, 0.0) / interval))
        # Isolated holds: each wave a fresh Bernoulli, as simulation.conditions draws them.
        extra = np.zeros(n)
        going = np.ones(n, dtype=bool)
        while going.any():
            going &= rng.random(n) < model.scrub_p
            extra += going
        waves = held + extra
    boat = np.zeros(n)
    if model.rocket:
        boat = (model.boat_s + model.detour_s) * NoiseModel.factors(rng, model.boat_sigma, n)
    customs_model = CustomsModel(
        inspection_p=model.inspection_p,
        median_delay_min=model.inspection_median_s / 60.0,
        sigma=model.inspection_sigma,
    )
    customs = customs_model.delays_s(rng, np.full(n, customs_model.inspection_p))
    last = model.last_mile_s * NoiseModel.factors(rng, model.last_mile_sigma, n)
    shifts = np.zeros(n)
    for p, shift in (
        (model.grounded_p, model.grounded_extra_s),
        (model.landing_loss_p, model.reflight_s),
        (model.onset_p, math.inf),
    ):
        if p > 0.0:
            shifts += np.where(rng.random(n) < p, shift, 0.0)
    return np.asarray(model.fixed_s + waves * interval + boat + customs + last + shifts)
