"""What operations do when a launch wave is scrubbed: the re-planning policy.

Promised times never move: whatever the policy, lateness is measured against the promise made
at checkout. The policy only decides how the parcels try to keep it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rocketpost.errors import InputError

__all__ = ["ReplanAction", "ReplanPolicy"]


class ReplanAction(StrEnum):
    """The move after a scrub.

    ``next_wave``
        Keep the flight on the pad and try again at the hub's next wave (the airframe and pad
        stay with it).
    ``other_hub`` (the default: the fallback the promise counts)
        When the origin is under a *front* (persistent bad weather, known from the forecast),
        re-pick the parcels at another hub of the same country that holds the stock of every
        parcel on board (``SimInputs.order_stock``; without it, every hub: the planner's
        assumption without an inventory), is not under a front and has a spare airframe, and
        fly from there to the same site (the one rule,
        :func:`rocketpost.promise.fallbacks.best_fallbacks`); otherwise, and after isolated
        holds, wait for the next wave.
    ``standard``
        Hand the parcels to the standard service at once (the one-hour promise is broken).
    """

    NEXT_WAVE = "next_wave"
    OTHER_HUB = "other_hub"
    STANDARD = "standard"


@dataclass(frozen=True)
class ReplanPolicy:
    """A re-planning policy.

    Parameters
    ----------
    action
        See :class:`ReplanAction`. The default, ``other_hub``, is the one the promise
        assumes (:mod:`rocketpost.promise.fallbacks`): quotes, the planner and the simulator's
        dispatcher count its fallback.
    max_hold_min
        A flight still on the ground this long after its planned wave is cancelled and its
        parcels go standard: past a few hours the rocket no longer beats re-booking (and the
        airframe is needed for tomorrow's plan).
    """

    action: ReplanAction = ReplanAction.OTHER_HUB
    max_hold_min: float = 360.0

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "action", ReplanAction(self.action))
        except ValueError:
            raise InputError(
                "policy", self.action, "must be one of " + ", ".join(a.value for a in ReplanAction)
            ) from None
        if (
            isinstance(self.max_hold_min, bool)
            or not isinstance(self.max_hold_min, int | float)
            or not self.max_hold_min >= 0
        ):
            raise InputError("policy.max_hold_min", self.max_hold_min, "must be ≥ 0 minutes")

    @property
    def max_hold_s(self) -> float:
        return float(self.max_hold_min) * 60.0
