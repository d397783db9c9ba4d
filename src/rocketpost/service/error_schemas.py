"""HTTP error bodies (pydantic): every error has one of these two documented shapes.

Re-exported by :mod:`rocketpost.service.schemas`; the routes declare them for each status code
they can answer (``api/deps.error_responses``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ErrorDetail", "ErrorPublic", "FieldError", "ValidationErrorPublic"]


class ErrorDetail(BaseModel):
    """What went wrong: a stable code, a message, and per code some fields (``reason``, …)."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(examples=["no_capacity"])
    message: str


class ErrorPublic(BaseModel):
    """Every error but a 422: ``{"detail": {"code": ..., "message": ...}}``."""

    detail: ErrorDetail


class FieldError(BaseModel):
    """One invalid field of a 422: where (``loc``), why, and what was sent (as JSON can carry
    it: ``NaN`` / ``Infinity`` are echoed as strings, containers as ``null``)."""

    loc: list[str | int] = Field(examples=[["body", "parcels", 0, "mass_kg"]])
    msg: str
    type: str
    input: Any = None


class ValidationErrorPublic(BaseModel):
    """A 422: every invalid field, FastAPI's shape (domain errors are mapped onto it)."""

    detail: list[FieldError]
