"""Conditions the tests' servers quote under (shared by the service, web and durability tests and
the service benchmark)."""

from __future__ import annotations

from rocketpost.network import default_network
from rocketpost.promise.conditions import HubWeather
from rocketpost.service.conditions_store import ConditionsStore
from rocketpost.service.db import Database

__all__ = ["declare_clear_skies"]


def declare_clear_skies(url: str) -> None:
    """Ops' forecast for the test days: every hub clear (no front, no hold expected) and no
    unplanned customs inspections (only those screening picks).

    The hour is promised at the network's 99 % confidence (docs/promise.md): under the bare
    climate (13 % of waves held at random, fronts, 2 % of parcels opened at random) a route
    needs two waves of slack, which the lanes these tests book (NYC → Miami 53.5 min,
    HZB → Busan 46 min) do not have. The service tests test the service; the promise's levels
    are tested in tests/promise and tests/service/test_conditions.py.
    """
    db = Database.connect(url, pool_size=1)
    try:
        store = ConditionsStore(db, default_network())
        for hub_id in store.network.hub_ids:
            store.declare_hub(hub_id, HubWeather("clear"), set_by="tests")
        store.declare_customs(0.0, set_by="tests")
    finally:
        db.dispose()
