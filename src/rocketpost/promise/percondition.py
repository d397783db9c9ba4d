"""Caches by identity: what one network looks like, and its hubs and sites under one set of
conditions.

:class:`~rocketpost.promise.conditions.Conditions` are immutable but not hashable (their
declarations are read-only mappings), and the service replaces them at most once a second
(:class:`rocketpost.service.conditions_store.ConditionsStore`); a
:class:`~rocketpost.network.Network` is hashable but hashing it walks every hub and landing site
(~0.3 ms on the rocket-hour preset, more than a cached quote's distribution). Per-hub and
per-site arrays built from them (a front here, a closed sea there, the onset rates of every
site, who may stand in for whom) are therefore cached by *identity*: a quote under unchanged
conditions reads them instead of looping over every hub and site again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions

__all__ = ["by_identity", "per_conditions"]

P = ParamSpec("P")
T = TypeVar("T")

_KEPT = 8
"""Entries kept per function: the objects in use, and a few that were just replaced."""


def by_identity(build: Callable[P, T]) -> Callable[P, T]:
    """``build(*args)``, cached by the identity of its positional arguments (the cache holds
    them, so an id is never reused while cached). Results must be immutable (arrays
    read-only)."""
    kept: list[tuple[tuple[Any, ...], T]] = []
    lock = threading.Lock()

    @wraps(build)
    def cached(*args: P.args, **kwargs: P.kwargs) -> T:
        for key, value in kept:  # a snapshot is enough: entries are never mutated
            if len(key) == len(args) and all(a is b for a, b in zip(key, args, strict=True)):
                return value
        value = build(*args, **kwargs)
        with lock:
            kept.insert(0, (args, value))
            del kept[_KEPT:]
        return value

    return cached


def per_conditions(
    build: Callable[[Network, Conditions], T],
) -> Callable[[Network, Conditions], T]:
    """``build(network, conditions)``, cached by the identity of both (:func:`by_identity`)."""
    return by_identity(build)
