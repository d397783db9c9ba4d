"""Signed quote ids: they round-trip, and any tampering (or another key) is refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from rocketpost.service.consignment import ResolvedPlace
from rocketpost.service.tokens import QuoteToken, TokenError, sign_token, verify_token


def test_quote_token_round_trip_and_tamper() -> None:
    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    token = QuoteToken(
        merchant_id="mer_x",
        origin_hub="HZB",
        destination=ResolvedPlace("Busan", "KR", 35.1, 129.0),
        channel="b2c",
        ready_at=now,
        expires_at=now + timedelta(minutes=15),
        parcels=[{"mass_kg": 1.0, "volume_m3": 0.005, "dangerous_goods_class": None}],
        mass_kg=1.0,
        volume_m3=0.005,
        one_hour_price="140.00",
        standard_price="15.00",
    )
    signed = sign_token(token, b"k" * 32)
    assert verify_token(signed, b"k" * 32) == token
    with pytest.raises(TokenError):
        verify_token(signed, b"other-key-0123456789")
    head, body, mac = signed.split(".")
    with pytest.raises(TokenError):
        verify_token(f"{head}.{body[:-2]}xx.{mac}", b"k" * 32)
    for junk in ("", "q1", "q1..", "q1.é.x", "q1.!!!.???"):
        with pytest.raises(TokenError):
            verify_token(junk, b"k" * 32)


def test_ids_signed_with_json_dumps_spelling_still_verify() -> None:
    """Quote ids issued before the payload was written by pydantic-core (``json.dumps``:
    ``\\u`` escapes, ``1e-05``) are the same JSON: they verify to the same token."""
    now = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    token = QuoteToken(
        merchant_id="mer_x",
        origin_hub="ZRH",
        destination=ResolvedPlace("Zürich", "CH", 47.37, 8.54),
        channel="b2c",
        ready_at=now,
        expires_at=now + timedelta(minutes=15),
        parcels=[{"mass_kg": 0.2, "volume_m3": 1e-05, "dangerous_goods_class": None}],
        mass_kg=0.2,
        volume_m3=1e-05,
        one_hour_price=None,
        standard_price="10.20",
    )
    key = b"k" * 32
    payload = json.dumps(token.to_payload(), separators=(",", ":")).encode("utf-8")
    body = base64.urlsafe_b64encode(payload).rstrip(b"=").decode("ascii")
    mac = hmac.new(key, f"q1.{body}".encode("ascii"), hashlib.sha256).digest()
    old_id = f"q1.{body}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode('ascii')}"
    assert b"\\u00fc" in payload and b"1e-05" in payload  # the old spelling
    assert verify_token(old_id, key) == token
    new_id = sign_token(token, key)
    assert new_id != old_id and verify_token(new_id, key) == token
