"""Booking service: quote, book and track one-hour deliveries over HTTP (``rocketpost serve``).

FastAPI over SQLAlchemy 2 with Alembic migrations; SQLite by default, PostgreSQL by URL. See
``docs/service.md`` for the endpoints, the error shapes and the settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rocketpost.service.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["Settings", "create_app"]


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app for ``settings`` (see :func:`rocketpost.service.app.create_app`)."""
    from rocketpost.service.app import create_app as _create_app

    return _create_app(settings)
