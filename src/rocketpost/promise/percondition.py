"""A cache of what one network's hubs and sites look like under one set of conditions.

:class:`~rocketpost.promise.conditions.Conditions` are immutable but not hashable (their
declarations are read-only mappings), and the service replaces them at most once a second
(:class:`rocketpost.service.conditions_store.ConditionsStore`). Per-hub and per-site arrays
built from them in Python (a front here, a closed sea there, the onset rates of every site) are
therefore cached by *identity*: a quote under unchanged conditions reads them instead of
looping over every hub and site again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions

__all__ = ["per_conditions"]

T = TypeVar("T")

_KEPT = 8
"""Entries kept per function: the conditions in use, and a few that were just replaced."""


def per_conditions(
    build: Callable[[Network, Conditions], T],
) -> Callable[[Network, Conditions], T]:
    """``build(network, conditions)``, cached by the identity of both arguments (the cache
    holds them, so an id is never reused while cached). Results must be immutable (arrays
    read-only)."""
    kept: list[tuple[Network, Conditions, T]] = []
    lock = threading.Lock()

    @wraps(build)
    def cached(network: Network, conditions: Conditions) -> T:
        for net, cond, value in kept:  # a snapshot is enough: entries are never mutated
            if net is network and cond is conditions:
                return value
        value = build(network, conditions)
        with lock:
            kept.insert(0, (network, conditions, value))
            del kept[_KEPT:]
        return value

    return cached
