"""The per-conditions cache: by identity, rebuilt for new conditions, bounded."""

from __future__ import annotations

from rocketpost.network import Network, default_network
from rocketpost.promise.conditions import Conditions, HubWeather
from rocketpost.promise.kernelrows import declared_arrays
from rocketpost.promise.onset import onset_rates
from rocketpost.promise.percondition import per_conditions


def test_cached_by_identity_and_rebuilt_for_new_conditions() -> None:
    built: list[int] = []

    @per_conditions
    def count(network: Network, conditions: Conditions) -> int:
        built.append(1)
        return len(built)

    network = default_network()
    clear = Conditions()
    assert count(network, clear) == count(network, clear) == 1
    front = clear.with_hub("HZB", HubWeather("front"))
    assert count(network, front) == 2 and count(network, clear) == 1
    equal_but_new = Conditions()
    assert count(network, equal_but_new) == 3  # by identity: a new object is built again
    for _ in range(10):  # bounded: old entries fall out
        count(network, Conditions())
    assert count(network, clear) == len(built)


def test_the_cached_arrays_follow_the_declarations() -> None:
    network = default_network()
    clear = Conditions(known_ids=network.hub_ids)
    front = clear.with_hub("HZB", HubWeather("front", front_remaining_h=2.0))
    hzb = network.hub_index("HZB")
    mean, closed = declared_arrays(network, front)
    assert mean[hzb] == 2.0 * 3600.0 and not closed.any()
    assert not mean.flags.writeable and declared_arrays(network, front)[0] is mean
    assert (declared_arrays(network, clear)[0] != declared_arrays(network, clear)[0]).all()  # NaN
    hubs, _ = onset_rates(network, front)
    assert hubs[hzb] == 0.0  # under a front now: the distribution's business, not an onset
    assert onset_rates(network, front)[0] is hubs


def test_by_identity_takes_any_arguments() -> None:
    from rocketpost.promise.percondition import by_identity

    calls: list[object] = []

    @by_identity
    def first(*args: object) -> object:
        calls.append(args)
        return args[0]

    a, b = object(), object()
    assert first(a) is a and first(a) is a and first(a, b) is a and first(b) is b
    assert len(calls) == 3
