"""HTTP-level errors of the service: a status, a stable code and a message.

Raised by the library layer (booking, flights) and turned into
``{"detail": {"code": ..., "message": ...}}`` by the app; domain
:class:`~rocketpost.errors.InputError` becomes a 422 with the field path instead.
"""

from __future__ import annotations

from typing import Any

from rocketpost.errors import RocketpostError

__all__ = ["ApiError", "field_loc"]


class ApiError(RocketpostError):
    """An error with an HTTP status and a machine-readable code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
        self.extra = extra
        super().__init__(f"{code}: {message}")

    def detail(self) -> dict[str, Any]:
        """The ``detail`` object of the response body."""
        return {"code": self.code, "message": self.message, **self.extra}


def field_loc(field: str, prefix: tuple[str | int, ...] = ("body",)) -> list[str | int]:
    """``"items[0].hs_code"`` → ``["body", "items", 0, "hs_code"]`` (a 422 ``loc``)."""
    loc: list[str | int] = list(prefix)
    for part in field.split("."):
        name, _, rest = part.partition("[")
        if name:
            loc.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            loc.append(int(index) if index.isdigit() else index)
            rest = rest.removeprefix("[")
    return loc
