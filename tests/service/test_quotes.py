"""The quote use-case in-process: one immutable Quote, answered, signed and quoted again alike."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import pytest

from rocketpost.core.eligibility import NEEDS_NEAREST_PORT, REASONS, decide_service, parcel_routes
from rocketpost.network import Network
from rocketpost.promise.conditions import Conditions, HubWeather
from rocketpost.service import schemas
from rocketpost.service.consignment import Consignment, ResolvedPlace
from rocketpost.service.merchants import seller_trust
from rocketpost.service.models import utcnow
from rocketpost.service.quotes import Quotes
from rocketpost.service.quoting import QuoteEngine
from rocketpost.service.tokens import sign_token, verify_token

from .conftest import busan, miami, slot_ready_at

KEY = b"k" * 32


@pytest.fixture(scope="module")
def quotes(network: Network) -> Quotes:
    # Clear skies at every hub (see conftest.declare_clear_skies): the lanes keep 99 %.
    clear = {hub_id: HubWeather("clear") for hub_id in network.hub_ids}
    conditions = Conditions(hubs=clear, inspection_p=0.0, known_ids=network.hub_ids)
    return Quotes(QuoteEngine(network), KEY, ttl_s=900.0, conditions=conditions)


def test_a_signed_quote_quotes_again_to_the_same_route_and_prices(quotes: Quotes) -> None:
    body = schemas.QuoteRequest.model_validate(miami(slot_ready_at()))
    now = utcnow()
    consignment = Consignment.from_request(quotes.engine, body, now)
    trust = seller_trust("mer_a", 0, 0)
    quote = quotes.quote(consignment, merchant_id="mer_a", customs=None, trust=trust)
    with pytest.raises(dataclasses.FrozenInstanceError):
        quote.route = quote.route  # type: ignore[misc]
    assert quote.assessment.available and quote.route.mode == "rocket"
    assert quote.promised_delivery_at is not None
    public = quote.public("q1.x.y", now + quotes.ttl)
    assert public.one_hour.price is not None
    assert public.one_hour.price.amount == format(quote.one_hour_price, "f")
    assert public.standard.price.amount == format(quote.standard_price, "f")
    assert public.one_hour.promised_delivery_at == quote.promised_delivery_at
    token = verify_token(sign_token(quote.token(now + quotes.ttl), KEY), KEY)
    again = quotes.quote(token.consignment(), merchant_id="mer_a", customs=None, trust=trust)
    assert again.route == quote.route
    assert (again.one_hour_price, again.standard_price) == (
        quote.one_hour_price,
        quote.standard_price,
    )
    assert token.one_hour_price == public.one_hour.price.amount


def test_an_unavailable_option_is_answered_without_a_price_but_still_priced(
    quotes: Quotes,
) -> None:
    body = schemas.QuoteRequest.model_validate(busan(slot_ready_at(), mass_kg=20_000.0))
    consignment = Consignment.from_request(quotes.engine, body, utcnow())
    quote = quotes.quote(
        consignment,
        merchant_id="mer_a",
        customs=body.customs,
        trust=seller_trust("mer_a", 0, 0),
    )
    assert quote.cross_border and quote.clearance is not None
    assert not quote.assessment.available and quote.assessment.reason == "too_heavy"
    assert quote.promised_delivery_at is None and quote.one_hour_price > 0
    public = quote.public("q1.x.y", utcnow() + timedelta(minutes=15))
    assert public.one_hour.price is None and public.customs is not None
    assert quote.token(utcnow()).one_hour_price is None


def test_a_known_inspection_is_a_leg_of_the_quoted_route(quotes: Quotes) -> None:
    body = schemas.QuoteRequest.model_validate(
        busan(slot_ready_at(), description="medicines", hs_code="300490")
    )
    consignment = Consignment.from_request(quotes.engine, body, utcnow())
    quote = quotes.quote(
        consignment, merchant_id="mer_a", customs=body.customs, trust=seller_trust("mer_a", 0, 0)
    )
    assert quote.clearance is not None
    inspection_s = quote.clearance.inspection_delay_s
    assert inspection_s is not None and inspection_s > 0
    # The customs leg carries the inspection, and the route's ETA is the earliest delivery.
    assert quote.route.legs_s["customs"] == inspection_s
    assert quote.route.eta_s == pytest.approx(quote.assessment.earliest_s)
    assert quote.earliest_delivery_at == quote.route.ready_at + timedelta(
        seconds=quote.assessment.earliest_s
    )
    assert sum(quote.route.legs_s.values()) == pytest.approx(quote.route.eta_s)


@pytest.mark.parametrize("on_time", [None, True, False])
def test_assess_routes_again_only_for_the_reasons_that_need_the_nearest_port(
    quotes: Quotes, on_time: bool | None
) -> None:
    # plan() routes without the nearest port's time; assess() routes again only for the reasons
    # that read it. Over doors near and far from ports, the reason is the one rule's on routes
    # that have it.
    engine = quotes.engine
    ready = slot_ready_at()
    doors = [(35.10, 129.04), (36.35, 127.38), (0.0, 22.0), (35.9, 136.9), (31.0, 122.0)]
    seen = set()
    for lat, lon in doors:
        place = ResolvedPlace(f"{lat},{lon}", None, lat, lon)
        route = engine.plan(place, mass_kg=1.0, volume_m3=0.005, ready_at=ready, origin_hub="HZB")
        assert route.kernel is not None and np.isnan(route.kernel.nearest_port_s[0])
        assessment = engine.assess(
            route, place, mass_kg=1.0, volume_m3=0.005, dangerous_goods=(), customs=None,
            origin_hub="HZB", on_time=on_time,
        )  # fmt: skip
        with_port = parcel_routes(
            engine.legs, lat, lon, ready_s=ready.timestamp(), mass_kg=1.0, volume_m3=0.005,
            dangerous=False, origins=engine.legs.origin_indices(["HZB"]), reach=True,
        )  # fmt: skip
        _, reasons = decide_service(
            engine.network, with_port, held=np.array([False]), inspection_s=np.array([0.0]),
            dangerous=np.array([False]), too_heavy=np.array([False]), has_stock=np.array([True]),
            on_time=None if on_time is None else np.array([on_time]),
        )  # fmt: skip
        expected = REASONS[int(reasons[0])]
        assert (assessment.reason or "ok") == expected.value, (lat, lon)
        assert assessment.earliest_s == pytest.approx(float(with_port.total_s[0]))
        seen.add(expected in NEEDS_NEAREST_PORT)
    # Both branches were taken (a parcel decided on time is simply OK).
    assert seen == ({False} if on_time else {True, False})
