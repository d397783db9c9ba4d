"""What one running app holds: settings, database, engines, caches (on ``app.state.rp``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from rocketpost.network import Network, default_network, load_network
from rocketpost.service.auth import ApiKeyCache
from rocketpost.service.booking import BookingService
from rocketpost.service.conditions_store import ConditionsStore
from rocketpost.service.db import Database, check_migrated
from rocketpost.service.flightboard import FlightBoard
from rocketpost.service.flights import FlightOps
from rocketpost.service.merchants import WebhookEndpoints
from rocketpost.service.models import ServiceSecret
from rocketpost.service.quotes import Quotes
from rocketpost.service.quoting import QuoteEngine
from rocketpost.service.ratelimit import RateLimiter
from rocketpost.service.reads import ShipmentReads
from rocketpost.service.settings import Settings
from rocketpost.service.webhooks import WebhookSender

__all__ = ["ServiceState"]


@dataclass
class ServiceState:
    """The service's long-lived objects, built once per process."""

    settings: Settings
    db: Database
    network: Network
    engine: QuoteEngine
    quotes: Quotes
    conditions: ConditionsStore
    booking: BookingService
    shipments: ShipmentReads
    flights: FlightOps
    endpoints: WebhookEndpoints
    keys: ApiKeyCache
    limiter: RateLimiter
    signing_key: bytes
    sender: WebhookSender | None

    @classmethod
    def build(cls, settings: Settings) -> ServiceState:
        """Check the migration, open the database, load the network, warm the caches.

        Raises
        ------
        rocketpost.service.db.NotMigratedError
            The database is not at the latest migration.
        """
        check_migrated(settings.database_url)
        db = Database.connect(settings.database_url, pool_size=settings.db_pool_size)
        network = (
            default_network(settings.preset)
            if settings.network is None
            else load_network(settings.network, preset=settings.preset)
        )
        secret = settings.signing_secret
        if secret is None:
            with db.session() as session:
                secret = session.scalar(
                    select(ServiceSecret.value).where(ServiceSecret.name == "quote_signing_key")
                )
            if secret is None:  # pragma: no cover - the first migration inserts it
                raise RuntimeError("no quote signing key in the database; re-run db upgrade")
        signing_key = secret.encode("utf-8")
        engine = QuoteEngine(network, fallbacks=settings.promise_fallbacks)
        quotes = Quotes(engine, signing_key, ttl_s=settings.quote_ttl_s)
        conditions = ConditionsStore(db, network, onsets=settings.promise_onsets)
        quotes.conditions_source = conditions.current
        quotes.board = FlightBoard(db, engine.fleet, ttl_s=settings.flight_board_ttl_s)
        sender = None
        if settings.webhooks:
            sender = WebhookSender.from_settings(db, settings)
        state = cls(
            settings=settings,
            db=db,
            network=network,
            engine=engine,
            quotes=quotes,
            conditions=conditions,
            booking=BookingService(db, quotes),
            shipments=ShipmentReads(db),
            flights=FlightOps(
                db,
                engine,
                reschedule_window_min=settings.reschedule_window_min,
                conditions=conditions.current,
            ),
            endpoints=WebhookEndpoints(db),
            keys=ApiKeyCache(db.session, ttl_s=settings.api_key_cache_ttl_s),
            limiter=RateLimiter(settings.rate_limit_per_min, settings.rate_limit_burst),
            signing_key=signing_key,
            sender=sender,
        )
        state._warm_up()
        from rocketpost.service.controlroom import warm_in_background

        warm_in_background(db, network)  # today's KPI tallies, off the request path
        return state

    def _warm_up(self) -> None:
        # The first quote would otherwise pay for the flight matrix and the city index (~0.3 s).
        from datetime import UTC, datetime

        from rocketpost.service.consignment import ResolvedPlace
        from rocketpost.world.places import resolve_place

        place = resolve_place("London, GB")
        self.engine.plan(
            ResolvedPlace(place.name, place.country_code, place.lat_deg, place.lon_deg),
            mass_kg=1.0,
            volume_m3=0.005,
            ready_at=datetime.now(UTC),
        )

    def close(self) -> None:
        """Stop the webhook sender and close the pools."""
        if self.sender is not None:
            self.sender.stop()
        self.db.dispose()
