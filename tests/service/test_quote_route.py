"""``POST /v1/quotes`` answered by the fast path is byte for byte what the app's route answers.

The fast path (:class:`rocketpost.service.quote_route.QuoteFastPath`) takes bodies sent as
exactly ``application/json``; the same body sent as ``application/json; charset=utf-8`` goes
through FastAPI's route (which reads it as JSON too). Both are asked on one server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.service.conftest import Api, busan, make_api, miami, slot_ready_at
from tests.support.workload import candidate_routes

FAST = {"Content-Type": "application/json"}
ROUTE = {"Content-Type": "application/json; charset=utf-8"}


def _both(api: Api, headers: dict[str, str], body: Any) -> tuple[httpx.Response, httpx.Response]:
    """The fast path's and the route's answers to ``body``, made in the same second (a quote
    id signs its expiry, counted in whole seconds from now)."""
    raw = json.dumps(body).encode()
    for _ in range(5):
        fast = api.client.post("/v1/quotes", content=raw, headers={**headers, **FAST})
        route = api.client.post("/v1/quotes", content=raw, headers={**headers, **ROUTE})
        if fast.status_code != 200 or fast.json()["expires_at"] == route.json()["expires_at"]:
            return fast, route
    raise AssertionError("five pairs of quotes straddled a second")


def _sample_bodies() -> Iterator[dict[str, Any]]:
    ready_at = slot_ready_at()
    yield miami(ready_at)
    yield miami(ready_at + timedelta(minutes=7), mass_kg=24.0, volume_m3=0.2)
    yield busan(ready_at)
    yield busan(ready_at, quantity=40)  # a bigger parcel of the same items
    for i, route in enumerate(candidate_routes()[:12]):
        yield route.body(
            mass_kg=0.5 + 2.0 * i,
            volume_m3=0.004 + 0.01 * i,
            ready_at=ready_at + timedelta(minutes=13 * i),
        )


def test_the_fast_path_answers_the_routes_bytes(api: Api) -> None:
    _, headers = api.merchant()
    answered = 0
    for body in _sample_bodies():
        fast, route = _both(api, headers, body)
        assert (fast.status_code, fast.content) == (route.status_code, route.content)
        assert fast.headers["content-type"] == route.headers["content-type"]
        answered += fast.status_code == 200
    assert answered >= 12  # the sample is mostly quotes, not errors


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"destination": {"place": "Atlantis, ZZ"}, "parcels": [{"mass_kg": 1.0}]}, 422),
        ({"destination": {"place": "Miami, US"}, "parcels": []}, 422),
        ({"destination": {"place": "Miami, US"}, "parcels": [{"mass_kg": "heavy"}]}, 422),
        ({"parcels": [{"mass_kg": 1.0, "volume_m3": 0.005}], "origin_hub": "NOPE"}, 422),
    ],
)
def test_refusals_keep_the_apps_shapes(api: Api, body: dict[str, Any], status: int) -> None:
    _, headers = api.merchant()
    fast, route = _both(api, headers, body)
    assert fast.status_code == route.status_code == status
    assert fast.content == route.content


def test_a_domain_error_while_quoting_is_answered_by_the_apps_handler(api: Api) -> None:
    _, headers = api.merchant()
    body = busan(slot_ready_at(), hs_code="999999")  # not in the HS nomenclature
    fast, route = _both(api, headers, body)
    assert fast.status_code == 422
    assert fast.content == route.content
    assert fast.json()["detail"][0]["loc"][:3] == ["body", "customs", "items"]


def test_keys_are_checked_as_the_app_checks_them(api: Api) -> None:
    body = json.dumps(miami(slot_ready_at())).encode()
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = api.client.post("/v1/quotes", content=body, headers={**headers, **FAST})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.fixture()
def limited_api(database_url: str) -> Iterator[Api]:
    yield from make_api(database_url, rate_limit_per_min=60, rate_limit_burst=3)


def test_every_quote_takes_one_rate_limit_token_whichever_path(limited_api: Api) -> None:
    _, headers = limited_api.merchant()
    client = limited_api.client
    good = json.dumps(miami(slot_ready_at())).encode()
    bad = json.dumps({"destination": {"place": "Miami, US"}, "parcels": []}).encode()
    codes = [
        client.post("/v1/quotes", content=bad, headers={**headers, **FAST}).status_code,
        client.post("/v1/quotes", content=good, headers={**headers, **FAST}).status_code,
        client.post("/v1/quotes", content=good, headers={**headers, **ROUTE}).status_code,
        client.post("/v1/quotes", content=good, headers={**headers, **FAST}).status_code,
    ]
    assert codes == [422, 200, 200, 429]
    refused = client.post("/v1/quotes", content=good, headers={**headers, **FAST})
    assert refused.json()["detail"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) >= 1
