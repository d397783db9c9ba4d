"""API keys: random, stored as SHA-256 hashes, resolved through an in-memory cache.

A key is 256 bits from :mod:`secrets`, so a plain (unsalted) SHA-256 is enough to store it: there
is nothing to brute-force, and an unsalted hash lets the lookup be an indexed equality. The cache
maps hash → principal so that a request costs one hash and one dict lookup, not a query; entries
expire after ``ttl_s`` so that a deactivated key stops working within that time. Unknown keys are
remembered briefly too, so that a client hammering with a bad key does not hammer the database.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from rocketpost.service.models import Merchant

__all__ = [
    "KEY_PREFIX",
    "ApiKeyCache",
    "Principal",
    "hash_key",
    "new_api_key",
    "new_id",
    "random_text",
]

KEY_PREFIX = "rp_live_"
_NEGATIVE_TTL_S = 5.0
_MAX_ENTRIES = 100_000


def new_api_key() -> str:
    """A fresh API key (shown to its owner once, never stored)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(api_key: str) -> str:
    """The stored form of a key: hex SHA-256."""
    return hashlib.sha256(api_key.encode("utf-8", "surrogatepass")).hexdigest()


_ID_ALPHABET = "0123456789abcdefghijkmnpqrstvwxyz"


def random_text(alphabet: str, length: int) -> str:
    """``length`` characters drawn uniformly and independently from ``alphabet`` (CSPRNG).

    One :func:`secrets.randbelow` over ``len(alphabet) ** length`` written in that base, rather
    than a :func:`secrets.choice` per character: each of those reads the OS random source
    (a system call), which cost a booking ~60 of them. Same distribution, exactly uniform.
    """
    base = len(alphabet)
    value = secrets.randbelow(base**length)
    out = []
    for _ in range(length):
        value, digit = divmod(value, base)
        out.append(alphabet[digit])
    return "".join(out)


def new_id(prefix: str, length: int = 16) -> str:
    """A random public id such as ``shp_5q2m7c0e9hx4d1ka`` (unguessable, not sequential)."""
    return prefix + random_text(_ID_ALPHABET, length)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a merchant or the ops role.

    ``customs_inspections`` / ``customs_seizures`` are the merchant's customs record as of the
    key's cache load: quotes screen with it (a preview, up to the cache TTL old); bookings
    re-read it in their transaction.
    """

    merchant_pk: int
    merchant_id: str
    name: str
    role: str
    customs_inspections: int = 0
    customs_seizures: int = 0

    @property
    def is_ops(self) -> bool:
        """Whether this is the ops principal."""
        return self.role == "ops"


class ApiKeyCache:
    """Resolve API keys to principals, asking the database only on a cache miss."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        ttl_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._ttl_s = ttl_s
        self._clock = clock
        self._entries: dict[str, tuple[Principal | None, float]] = {}
        self._lock = threading.Lock()

    def resolve(self, api_key: str) -> Principal | None:
        """The principal of ``api_key``, or ``None`` when it is unknown or inactive."""
        if not api_key or len(api_key) > 200:
            return None
        digest = hash_key(api_key)
        now = self._clock()
        entry = self._entries.get(digest)
        if entry is not None and entry[1] > now:
            return entry[0]
        principal = self._load(digest)
        ttl = self._ttl_s if principal is not None else min(self._ttl_s, _NEGATIVE_TTL_S)
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            self._entries[digest] = (principal, now + ttl)
        return principal

    def invalidate(self) -> None:
        """Forget everything (after keys change in this process)."""
        with self._lock:
            self._entries.clear()

    def _load(self, digest: str) -> Principal | None:
        with self._sessions() as session:
            row = session.execute(
                select(
                    Merchant.id,
                    Merchant.public_id,
                    Merchant.name,
                    Merchant.role,
                    Merchant.customs_inspections,
                    Merchant.customs_seizures,
                ).where(Merchant.api_key_hash == digest, Merchant.active.is_(True))
            ).first()
        if row is None:
            return None
        return Principal(*row)
