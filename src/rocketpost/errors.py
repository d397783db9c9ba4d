"""Project exceptions.

Every error a user can cause names *where* it happened (file, line, key path or field) and
*what* was wrong (the offending value), so that the CLI can print it on one line and the HTTP
API can return it as a 4xx JSON body. Nothing here formats tracebacks: an error that reaches the
user is always one of these.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

__all__ = [
    "ConfigFileError",
    "InputError",
    "NetworkFileError",
    "PlaceNotFoundError",
    "RocketpostError",
    "require_positive",
]


def _rebuild(cls: type[RocketpostError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class RocketpostError(Exception):
    """Base class of every error rocketpost raises on purpose.

    Picklable whatever a subclass's constructor takes, so that an error raised in a Dask worker
    (a bad sweep setting, say) reaches the user as itself, field and all, rather than as a
    ``TypeError`` from unpickling: the message and the attributes travel, the constructor is not
    called again.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class InputError(RocketpostError, ValueError):
    """A value supplied by a user (argument, file field, request field) is invalid.

    Parameters
    ----------
    field
        Dotted path of the offending field, e.g. ``"hubs[3].landing_zone"``.
    value
        The offending value, as given.
    reason
        Why it is wrong, phrased so that it completes "field: ...".
    """

    def __init__(self, field: str, value: Any, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(self._message())

    def _message(self) -> str:
        return f"{self.field}: {self.reason} (got {self.value!r})"


class PlaceNotFoundError(InputError):
    """A place query matched no known place, or more than one.

    ``suggestions`` holds the closest candidates, best first, so the caller can be told what
    they probably meant.
    """

    def __init__(
        self, query: str, reason: str, suggestions: Sequence[str] = (), field: str = "place"
    ) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        super().__init__(field, query, reason)

    def _message(self) -> str:
        message = f"{self.field}: {self.reason} (got {self.value!r})"
        if self.suggestions:
            message += "; closest matches: " + ", ".join(self.suggestions)
        return message


class ConfigFileError(InputError):
    """A configuration file (network, customs rules, sweep spec) is unreadable or invalid.

    The message names the file, the TOML key path and the value, e.g.
    ``network.toml: hubs[2].landing_zone: is on land (got [48.1, -1.6])``.
    """

    def __init__(self, file: str, key_path: str, value: Any, reason: str) -> None:
        self.file = file
        super().__init__(key_path, value, reason)

    def _message(self) -> str:
        return f"{self.file}: {self.field}: {self.reason} (got {self.value!r})"


class NetworkFileError(ConfigFileError):
    """A network file is unreadable or fails validation."""


def require_positive(field: str, value: Any, *, allow_zero: bool = False) -> float:
    """Return ``value`` as a float if it is a finite number > 0 (≥ 0 with ``allow_zero``).

    The one check behind every speed, mass, volume and duration a user can supply, so that they
    all fail the same way: an :class:`InputError` naming ``field`` and the value. Booleans are
    refused although Python counts them as integers.
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(field, value, "must be a finite number")
    if value < 0 or (value == 0 and not allow_zero):
        raise InputError(field, value, "must be ≥ 0" if allow_zero else "must be positive")
    return float(value)
