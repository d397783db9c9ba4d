"""Service settings: one frozen object read from ``ROCKETPOST_*`` environment variables and flags.

pydantic-settings is not a dependency, so this is a plain frozen dataclass with a
:meth:`Settings.from_env` constructor; flags (and tests) pass keyword overrides, which win over
the environment. Every value is validated on construction so that a typo in the environment is a
one-line :class:`~rocketpost.errors.InputError` naming the variable, not a crash at first request.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from rocketpost.errors import InputError

__all__ = ["ENV_PREFIX", "Settings", "normalise_database_url"]

ENV_PREFIX = "ROCKETPOST_"


def normalise_database_url(url: str) -> str:
    """Map ``postgresql://`` / ``postgres://`` onto the psycopg 3 driver; check the scheme.

    SQLAlchemy's bare ``postgresql://`` means psycopg2, which is not installed; users and other
    tools write the bare form, so it is accepted and rewritten here, once.
    """
    if not isinstance(url, str) or not url.strip():
        raise InputError("database_url", url, "must be a database URL")
    text = url.strip()
    for bare in ("postgresql://", "postgres://"):
        if text.startswith(bare):
            return "postgresql+psycopg://" + text[len(bare) :]
    if text.startswith(("postgresql+psycopg://", "sqlite://")):
        return text
    raise InputError(
        "database_url",
        url,
        "must start with sqlite:///, postgresql:// or postgresql+psycopg://",
    )


def _parse_bool(name: str, text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise InputError(name, text, "must be a boolean (1/0, true/false)")


@dataclass(frozen=True)
class Settings:
    """Everything the service can be configured with (see ``docs/service.md``).

    Parameters
    ----------
    database_url
        ``sqlite:///path`` (default ``sqlite:///rocketpost.db`` in the working directory),
        ``postgresql://…`` or ``postgresql+psycopg://…``; stored normalised to the psycopg driver.
    host, port, workers
        Where ``rocketpost serve`` listens and how many uvicorn worker processes it runs.
    network
        Network TOML path, or ``None`` for the shipped worldwide network.
    preset
        Preset of that network file (``ROCKETPOST_PRESET``, as every command's ``--preset``);
        ``None``: the file's default (``rocket-hour`` for the shipped network).
    signing_secret
        HMAC key for quote ids; ``None`` uses the random secret the first migration stored in the
        database, so that every worker (and a restarted server) accepts the same quotes.
    rate_limit_per_min, rate_limit_burst
        Token bucket per API key: refill per minute and bucket size; 0 per minute disables it.
    max_body_bytes
        Larger request bodies are refused with 413 before they are parsed.
    quote_ttl_s
        How long a quote may be booked.
    db_pool_size
        PostgreSQL connection pool size (the same again may overflow).
    api_key_cache_ttl_s
        How long a resolved API key is trusted from memory before the database is asked again.
    flight_board_ttl_s
        How long a worker's quotes use a day's flights as read (what a booking would seat:
        :mod:`rocketpost.service.flightboard`) before reading them again; 0 reads them for
        every quote.
    webhooks, webhook_poll_s, webhook_max_attempts, webhook_backoff_s, webhook_timeout_s
        The background webhook sender: on/off, poll period, attempts before ``failed``, first
        retry delay (doubling, capped at an hour) and per-request timeout.
    webhook_concurrency, webhook_per_endpoint_limit
        Deliveries in flight at once per sender process, and at most this many to one endpoint,
        so that an endpoint that hangs until the timeout holds up only its own events.
    webhook_resolve_timeout_s
        Time limit on the DNS lookup of an endpoint's host, at registration and before delivery.
    webhook_allow_loopback_http
        Local development and tests only: accept loopback endpoints (also over plain ``http``).
        Private, link-local and metadata addresses stay refused (``docs/webhooks.md``).
    reschedule_window_min
        How far after a scrubbed wave a shipment may be moved to a later wave.
    plan_every_s
        Plan the current UTC day every this many seconds inside the service (the run of
        ``POST /v1/ops/plan-runs``, recorded with ``trigger: scheduled``; once per period
        across all workers and servers on the database, :mod:`rocketpost.service.planschedule`);
        0, the default, never.
    plan_last_mile_s
        Time limit of each landing's last-mile routing in a scheduled run (0 < s ≤ 60).
    promise_onsets
        Count the fronts and sea closures that may start after a promise
        (:attr:`rocketpost.promise.conditions.Conditions.onsets`, on by default as for every
        other caller); ``false`` promises as if the declared weather lasted (a what-if).
    promise_fallbacks
        Count the other-hub fallback (:mod:`rocketpost.promise.fallbacks`) in quotes and
        bookings that name their ``stock_hubs``. Every hub then keeps a second airframe from
        sale (the simulator's ``spare_airframes_per_hub``: without one the fallback almost
        never flies), and a scrub under a front at the origin flies it
        (:mod:`rocketpost.service.scrubmoves`). Off by default, as the planner's
        ``fallbacks``: it costs every hub a flight a day; ``stock_hubs`` still choose the
        origin.
    """

    database_url: str = "sqlite:///rocketpost.db"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    network: str | None = None
    preset: str | None = None
    signing_secret: str | None = None
    rate_limit_per_min: float = 6000.0
    rate_limit_burst: int = 200
    max_body_bytes: int = 262_144
    quote_ttl_s: float = 900.0
    db_pool_size: int = 20
    api_key_cache_ttl_s: float = 300.0
    flight_board_ttl_s: float = 1.0
    webhooks: bool = True
    webhook_poll_s: float = 0.5
    webhook_max_attempts: int = 8
    webhook_backoff_s: float = 2.0
    webhook_timeout_s: float = 5.0
    webhook_concurrency: int = 8
    webhook_per_endpoint_limit: int = 2
    webhook_resolve_timeout_s: float = 2.0
    webhook_allow_loopback_http: bool = False
    reschedule_window_min: float = 120.0
    plan_every_s: float = 0.0
    plan_last_mile_s: float = 2.0
    promise_onsets: bool = True
    promise_fallbacks: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "database_url", normalise_database_url(self.database_url))
        for name in ("port", "workers", "rate_limit_burst", "max_body_bytes", "db_pool_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(name, value, "must be a whole number ≥ 1")
        if self.port > 65535:
            raise InputError("port", self.port, "must be ≤ 65535")
        for name in (
            "rate_limit_per_min",
            "quote_ttl_s",
            "api_key_cache_ttl_s",
            "flight_board_ttl_s",
            "webhook_poll_s",
            "webhook_backoff_s",
            "webhook_timeout_s",
            "webhook_resolve_timeout_s",
            "reschedule_window_min",
            "plan_every_s",
            "plan_last_mile_s",
        ):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise InputError(name, value, "must be a finite number ≥ 0")
            object.__setattr__(self, name, float(value))
        if self.webhook_max_attempts < 1:
            raise InputError("webhook_max_attempts", self.webhook_max_attempts, "must be ≥ 1")
        for name in ("webhook_concurrency", "webhook_per_endpoint_limit"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(name, value, "must be a whole number ≥ 1")
        if self.webhook_resolve_timeout_s <= 0:
            raise InputError(
                "webhook_resolve_timeout_s", self.webhook_resolve_timeout_s, "must be > 0"
            )
        if not 0 < self.plan_last_mile_s <= 60:
            raise InputError("plan_last_mile_s", self.plan_last_mile_s, "must be > 0 and ≤ 60")
        for name in ("promise_onsets", "promise_fallbacks"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(name, getattr(self, name), "must be true or false")
        if self.signing_secret is not None and len(self.signing_secret) < 16:
            raise InputError("signing_secret", "***", "must be at least 16 characters")

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is SQLite (write transactions then use BEGIN IMMEDIATE)."""
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``ROCKETPOST_<FIELD>`` variables, then ``overrides`` (``None`` ignored).

        Raises
        ------
        InputError
            Naming the variable, for a value of the wrong type.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            key = ENV_PREFIX + f.name.upper()
            if key not in env:
                continue
            text = env[key]
            kind = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", "")
            try:
                if kind == "bool":
                    values[f.name] = _parse_bool(key, text)
                elif kind == "int":
                    values[f.name] = int(text)
                elif kind == "float":
                    values[f.name] = float(text)
                else:
                    values[f.name] = text if text != "" else None
            except ValueError:
                raise InputError(key, text, f"must be a {kind}") from None
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise InputError("settings", sorted(unknown), "unknown setting")
        values.update({k: v for k, v in overrides.items() if v is not None})
        if values.get("database_url") is None:
            values.pop("database_url", None)
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The ``ROCKETPOST_*`` variables that reproduce these settings (for worker processes)."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            if isinstance(value, bool):
                value = "1" if value else "0"
            out[ENV_PREFIX + f.name.upper()] = str(value)
        return out
