"""HTTP-level errors of the service: a status, a stable code and a message.

Raised by the library layer (booking, flights) and turned into
``{"detail": {"code": ..., "message": ...}}`` by the app; domain
:class:`~rocketpost.errors.InputError` becomes a 422 with the field path instead.
"""

from __future__ import annotations

from typing import Any

from rocketpost.errors import RocketpostError

__all__ = ["ApiError"]


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
