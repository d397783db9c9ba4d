"""Signed quote ids: they round-trip, and any tampering (or another key) is refused."""

from __future__ import annotations

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
