"""The delivery network: hubs, the rocket class, boats and last-mile vehicles.

A network is read from a TOML file (a worldwide default ships with the package, see
``rocketpost/data/network.toml``) into frozen dataclasses. Loading validates everything a
planner could get wrong and names the file, the key path and the value in the error: an unknown
key, a wrong type, a negative speed, a landing zone on land or too close to it, a port code that
is not in the ports data, a landing zone with no water route to its port.

The dataclasses also validate themselves, so a network built in code (tests, what-if variants
via :func:`dataclasses.replace`) obeys the same rules, except for the world-data checks (land
mask, ports), which need the data and live in :func:`load_network`.
"""

from rocketpost.network.loading import (
    DEFAULT_NETWORK_FILE,
    DEFAULT_PRESET,
    NETWORK_ENV,
    PRESET_ENV,
    default_network,
    load_network,
    parse_network,
)
from rocketpost.network.model import (
    Boat,
    Drone,
    Hub,
    LandingSite,
    Network,
    Promise,
    RocketClass,
    Safety,
    Van,
)

__all__ = [
    "DEFAULT_NETWORK_FILE",
    "DEFAULT_PRESET",
    "NETWORK_ENV",
    "PRESET_ENV",
    "Boat",
    "Drone",
    "Hub",
    "LandingSite",
    "Network",
    "Promise",
    "RocketClass",
    "Safety",
    "Van",
    "default_network",
    "load_network",
    "parse_network",
]
