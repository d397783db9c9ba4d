"""Settings of a simulation: disruptions, re-plan policy, landing zones, boats, pads, reserve."""

from __future__ import annotations

from dataclasses import dataclass, field

from rocketpost.errors import InputError
from rocketpost.simulation.disruptions import Disruptions
from rocketpost.simulation.replan import ReplanPolicy

__all__ = ["SimConfig"]


@dataclass(frozen=True)
class SimConfig:
    """Operational settings and disruptions of a simulation.

    Parameters
    ----------
    disruptions
        Rates of everything that can go wrong (:class:`Disruptions`).
    policy
        What to do after a scrub (:class:`ReplanPolicy`).
    landing_zones
        Landing zones per hub: 1 (hold when it is closed) or 2 (divert to the alternate zone,
        ``sea_state.alternate_extra_km`` farther from the port).
    boats_per_hub
        Fast boats per destination hub; a boat takes a pod to the port and comes back.
    pads_per_hub
        Pads per hub; ``None``: the network's ``pads`` of each hub (the pads a plan books its
        launches on, :mod:`rocketpost.planning.pads`).
    pad_reset_min
        A pad is busy this long after a launch; ``None``: the network's ``pad_turnaround_min``
        of each hub (clear, erect and fuel the next rocket).
    spare_airframes_per_hub
        Airframes held back from the plan at every hub (the fleet reserve), used when a planned
        airframe is lost or a flight is re-dispatched.
    scripted_scrubs
        ``(hub_id, wave time s)`` pairs always scrubbed, on top of the weather model (for
        hand-worked scenarios and what-ifs).
    """

    disruptions: Disruptions = field(default_factory=Disruptions)
    policy: ReplanPolicy = field(default_factory=ReplanPolicy)
    landing_zones: int = 1
    boats_per_hub: int = 3
    pads_per_hub: int | None = None
    pad_reset_min: float | None = None
    spare_airframes_per_hub: int = 0
    scripted_scrubs: tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        if self.landing_zones not in (1, 2):
            raise InputError("landing_zones", self.landing_zones, "must be 1 or 2")
        for name in ("boats_per_hub", "spare_airframes_per_hub"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InputError(name, value, "must be a whole number ≥ 0")
        if self.boats_per_hub < 1:
            raise InputError("boats_per_hub", self.boats_per_hub, "must be ≥ 1")
        if self.pads_per_hub is not None and (
            not isinstance(self.pads_per_hub, int) or self.pads_per_hub < 1
        ):
            raise InputError("pads_per_hub", self.pads_per_hub, "must be ≥ 1 (or None)")
        reset = self.pad_reset_min
        if reset is not None and not (
            isinstance(reset, int | float) and not isinstance(reset, bool) and 0 <= reset < 1e9
        ):
            raise InputError("pad_reset_min", reset, "must be ≥ 0 minutes (or None)")
