"""The planner's options as parameter objects: :class:`PlanParams` and :class:`LastMileParams`.

In the style of PyVRP's ``SolveParams``: immutable, validated on construction, variants by
:func:`dataclasses.replace`, and loadable from a TOML file (``PlanParams.from_file(path)``,
``rocketpost plan run --params FILE``)::

    promise_s = 3600          # default: the network's one-hour promise
    reserve_for_fuller = true
    reserve_airframes_per_hub = 1  # default: 1 at a confidence, 0 under the flat buffer
    last_mile = true

    [consolidation]
    hold_below_fill = 0.5
    max_cost_per_kg_usd = inf # always fly light loads

    [last_mile_options]
    time_limit_s = 2.0

The per-day inputs (customs holds, inspection delays, allowed origins, the starting fleet) are
not options: they stay arguments of :func:`~rocketpost.planning.pipeline.plan_orders`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from rocketpost.errors import InputError
from rocketpost.paramfile import FromFile
from rocketpost.planning.consolidation import ConsolidationPolicy

__all__ = ["LastMileParams", "PlanParams"]


@dataclass(frozen=True)
class LastMileParams(FromFile):
    """How each landing's last mile is routed with PyVRP (:mod:`rocketpost.planning.lastmile`).

    Parameters
    ----------
    time_limit_s
        PyVRP's time limit per landing.
    seed
        PyVRP's seed (the sectors of a large landing use ``seed + k``).
    max_stops_per_problem
        A landing with more parcels is split into sectors of at most this many, solved first
        (PyVRP converges far faster on several small problems than on one big one).
    """

    time_limit_s: float = 2.0
    seed: int = 0
    max_stops_per_problem: int = 120

    def __post_init__(self) -> None:
        limit = self.time_limit_s
        if not (_is_number(limit) and math.isfinite(limit) and limit > 0):
            raise InputError("time_limit_s", self.time_limit_s, "must be > 0")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InputError("seed", self.seed, "must be a whole number ≥ 0")
        stops = self.max_stops_per_problem
        if isinstance(stops, bool) or not isinstance(stops, int) or stops < 1:
            raise InputError("max_stops_per_problem", stops, "must be a whole number ≥ 1")


@dataclass(frozen=True)
class PlanParams(FromFile):
    """Options of :func:`~rocketpost.planning.pipeline.plan_orders` (see the module doc).

    Parameters
    ----------
    promise_s
        The one-hour promise; ``None`` is the network's (``network.promise.one_hour_s``).
    consolidation
        When nearly empty flights are held, flown light or downgraded.
    reserve_for_fuller
        The fleet scheduler keeps an airframe for a fuller flight rather than the first one.
    reserve_airframes_per_hub
        Airframes of every hub the schedule never flies: the hub's spare, which re-flies a lost
        landing's parcels. ``None`` (default): 1 when the plan promises at a confidence, which
        counts that re-flight (:func:`rocketpost.promise.recovery.reflight_delay_s`), 0 under the
        flat buffer, which counts nothing (:meth:`reserve_per_hub`). 0 at a confidence leaves
        the promise assuming a spare the plan does not keep.
    last_mile
        Route each landing with PyVRP (``last_mile_options``); otherwise each parcel's last
        mile is the direct trip of the ETA model.
    last_mile_options
        PyVRP's settings when ``last_mile`` is on.
    """

    promise_s: float | None = None
    consolidation: ConsolidationPolicy = field(default_factory=ConsolidationPolicy)
    reserve_for_fuller: bool = True
    reserve_airframes_per_hub: int | None = None
    last_mile: bool = False
    last_mile_options: LastMileParams = field(default_factory=LastMileParams)

    def __post_init__(self) -> None:
        if self.promise_s is not None and not (
            _is_number(self.promise_s) and math.isfinite(self.promise_s) and self.promise_s > 0
        ):
            raise InputError("promise_s", self.promise_s, "must be > 0 seconds (or None)")
        reserve = self.reserve_airframes_per_hub
        if reserve is not None and (
            isinstance(reserve, bool) or not isinstance(reserve, int) or reserve < 0
        ):
            raise InputError("reserve_airframes_per_hub", reserve, "must be a whole number ≥ 0")
        if not isinstance(self.consolidation, ConsolidationPolicy):
            raise InputError("consolidation", self.consolidation, "must be a ConsolidationPolicy")
        if not isinstance(self.last_mile_options, LastMileParams):
            raise InputError(
                "last_mile_options", self.last_mile_options, "must be a LastMileParams"
            )

    def reserve_per_hub(self, promise_rule: str) -> int:
        """The reserve the plan keeps under ``promise_rule`` (``"confidence"`` or
        ``"buffer"``): the setting, or its default for that rule."""
        if self.reserve_airframes_per_hub is not None:
            return self.reserve_airframes_per_hub
        return 1 if promise_rule == "confidence" else 0


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
