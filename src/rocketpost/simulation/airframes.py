"""The airframes of a replicate: where each is, whether it is busy or lost, who waits for it.

An airframe is a small state record rather than a SimPy resource: a flight waits on its
``free`` event, which fires when the airframe is released (back in service after recovery and
turnaround, or lost — the waiter then finds it lost and looks for a spare).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

__all__ = ["AirframePool"]


class AirframePool:
    """The plan's airframes plus the reserve, indexed ``0..A-1``.

    Parameters
    ----------
    hubs
        Start hub of every airframe (the plan's first, then the spares).
    planned_flights
        Planned flights left per airframe; an airframe with none left may serve as a spare.

    ``location`` is read-only outside the pool: :meth:`move` changes it and the per-hub index
    a spare is searched in together.
    """

    def __init__(self, env: simpy.Environment, hubs: list[int], planned_flights: list[int]) -> None:
        self.env = env
        n = len(hubs)
        self.location = hubs
        # The airframes at each hub, kept by :meth:`move`: a search for a spare reads a hub's
        # few airframes, not the fleet (it runs on every scrub that may fall back).
        self._at: dict[int, set[int]] = {}
        for a, h in enumerate(hubs):
            self._at.setdefault(h, set()).add(a)
        self.busy = [False] * n
        self.lost = [False] * n
        self.flew = [False] * n
        self.free: list[simpy.Event] = [env.event() for _ in range(n)]
        self.remaining = planned_flights

    def __len__(self) -> int:
        return len(self.location)

    def _spares_at(self, h: int) -> list[int]:
        """The ready airframes at ``h`` with no planned flight left (any order)."""
        busy, lost, remaining = self.busy, self.lost, self.remaining
        return [a for a in self._at.get(h, ()) if not busy[a] and not lost[a] and remaining[a] <= 0]

    def move(self, a: int, h: int) -> None:
        """Airframe ``a`` is now at hub ``h`` (landed there, or back from sea)."""
        self._at[self.location[a]].discard(a)
        self._at.setdefault(h, set()).add(a)
        self.location[a] = h

    def spare(self, h: int) -> int:
        """A ready airframe at ``h`` with no planned flight left (lowest index), or -1."""
        spares = self._spares_at(h)
        return min(spares) if spares else -1

    def spares(self, h: int) -> int:
        """How many airframes :meth:`spare` could return at ``h``."""
        return len(self._spares_at(h))

    def reserve_spare(self, h: int) -> int:
        """A spare at ``h`` (as :meth:`spare`) set aside for a flight that starts later: it
        counts as that flight's planned airframe, so no other flight takes it meanwhile (a
        fallback decided now and flown at the hub's next wave). -1 when there is none."""
        a = self.spare(h)
        if a >= 0:
            self.remaining[a] += 1
        return a

    def take(self, a: int) -> int:
        self.busy[a] = True
        self.free[a] = self.env.event()
        return a

    def release(self, a: int) -> None:
        self.busy[a] = False
        free = self.free[a]
        if not free.triggered:
            free.succeed()

    def acquire(self, planned: int, h: int) -> Generator[Any, Any, int]:
        """The airframe for a flight from ``h``: the planned one once free (if it is still at
        ``h`` and not lost), else a spare; -1 when there is none."""
        if planned >= 0:
            while self.busy[planned] and not self.lost[planned]:
                yield self.free[planned]
            self.remaining[planned] -= 1
            if not self.lost[planned] and self.location[planned] == h:
                return self.take(planned)
        spare = self.spare(h)
        return self.take(spare) if spare >= 0 else -1

    def ready_after(self, a: int, delay_s: float) -> None:
        """Release ``a`` once ``delay_s`` (recovery and turnaround) has passed."""

        def ready(_event: simpy.Event) -> None:
            self.release(a)

        self.env.timeout(delay_s).callbacks.append(ready)
