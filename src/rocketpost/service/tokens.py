"""Quote ids: a quote's content, signed, so that nothing about a quote is stored.

A quote id is ``q1.<payload>.<mac>``: the quote's content (route origin, destination, wave inputs,
prices, parcels, expiry, merchant) as compact JSON, base64url, and an HMAC-SHA256 over it with
the server's signing key. Booking verifies the signature and the expiry and re-derives the route
deterministically from the signed inputs, so a quote cannot be forged or edited (a cheaper
price, another merchant's quote) and quoting scales like a pure function.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_json

from rocketpost.errors import RocketpostError
from rocketpost.service.consignment import Consignment, ResolvedPlace

__all__ = ["QuoteToken", "TokenError", "sign_token", "verify_token"]

_TOKEN_VERSION = "q1"


class TokenError(RocketpostError):
    """A quote id that is malformed, tampered with, or not this merchant's."""


@dataclass(frozen=True)
class QuoteToken:
    """What a quote id carries (signed)."""

    merchant_id: str
    origin_hub: str
    destination: ResolvedPlace
    channel: str
    ready_at: datetime
    expires_at: datetime
    parcels: list[dict[str, Any]]
    mass_kg: float
    volume_m3: float
    one_hour_price: str | None
    standard_price: str
    stock_hubs: tuple[str, ...] | None = None

    def to_payload(self) -> dict[str, Any]:
        """Compact JSON payload."""
        d = self.destination
        stock = {} if self.stock_hubs is None else {"s": list(self.stock_hubs)}
        return {
            **stock,
            "m": self.merchant_id,
            "o": self.origin_hub,
            "d": [d.name, d.country, d.lat_deg, d.lon_deg],
            "c": self.channel,
            "r": self.ready_at.timestamp(),
            "x": int(self.expires_at.timestamp()),
            "p": self.parcels,
            "k": [self.mass_kg, self.volume_m3],
            "$": [self.one_hour_price, self.standard_price],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> QuoteToken:
        """Inverse of :meth:`to_payload` (the payload is trusted: its signature was checked)."""
        name, country, lat, lon = payload["d"]
        return cls(
            merchant_id=payload["m"],
            origin_hub=payload["o"],
            destination=ResolvedPlace(name, country, float(lat), float(lon)),
            channel=payload["c"],
            ready_at=datetime.fromtimestamp(payload["r"], tz=UTC),
            expires_at=datetime.fromtimestamp(payload["x"], tz=UTC),
            parcels=list(payload["p"]),
            mass_kg=float(payload["k"][0]),
            volume_m3=float(payload["k"][1]),
            one_hour_price=payload["$"][0],
            standard_price=payload["$"][1],
            stock_hubs=None if "s" not in payload else tuple(payload["s"]),
        )

    def consignment(self) -> Consignment:
        """What the quote was computed from, to quote it again at booking.

        Its origin is the quoted route's hub, so the booking re-derives the same route.
        """
        classes = {
            str(p["dangerous_goods_class"]) for p in self.parcels if p.get("dangerous_goods_class")
        }
        return Consignment(
            place=self.destination,
            origin_hub=self.origin_hub,
            channel=self.channel,
            ready_at=self.ready_at,
            parcels=tuple(self.parcels),
            mass_kg=self.mass_kg,
            volume_m3=self.volume_m3,
            dangerous_goods=frozenset(classes),
            stock_hubs=self.stock_hubs,
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_token(token: QuoteToken, key: bytes) -> str:
    """``q1.<payload>.<hmac>``.

    The payload is compact UTF-8 JSON written by pydantic-core (a fifth of ``json.dumps``'s cost
    on a quote's path); ids signed with ``json.dumps``'s spelling (``\\u`` escapes, ``1e-05``)
    are the same JSON to :func:`verify_token` and verify as before.
    """
    body = _b64(to_json(token.to_payload()))
    mac = hmac.new(key, f"{_TOKEN_VERSION}.{body}".encode("ascii"), hashlib.sha256).digest()
    return f"{_TOKEN_VERSION}.{body}.{_b64(mac)}"


def verify_token(quote_id: str, key: bytes) -> QuoteToken:
    """Check the signature and decode (the expiry is the caller's to check).

    Raises
    ------
    TokenError
        Malformed or tampered id.
    """
    parts = quote_id.split(".")
    if len(parts) != 3 or parts[0] != _TOKEN_VERSION or not parts[1].isascii():
        raise TokenError("not a quote id")
    try:
        expected = hmac.new(key, f"{parts[0]}.{parts[1]}".encode("ascii"), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _unb64(parts[2])):
            raise TokenError("quote id signature does not match")
        return QuoteToken.from_payload(json.loads(_unb64(parts[1])))
    except TokenError:
        raise
    except Exception:
        raise TokenError("not a quote id") from None
