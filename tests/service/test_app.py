"""Security and bad input: keys, roles, rate limit, body size, validation shapes, OpenAPI."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from rocketpost.service import Settings, create_app
from rocketpost.service.db import NotMigratedError

from .conftest import Api, make_api, miami, slot_ready_at


def test_health_needs_no_key(api: Api) -> None:
    response = api.client.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/v1/quotes"),
        ("post", "/v1/shipments"),
        ("get", "/v1/shipments"),
        ("get", "/v1/shipments/shp_abc"),
        ("get", "/v1/flights"),
        ("get", "/v1/webhooks"),
    ],
)
def test_every_endpoint_needs_a_key(api: Api, method: str, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer rp_live_not-a-key"}):
        response = getattr(api.client, method)(path, headers=headers)
        assert response.status_code == 401, path
        assert response.json()["detail"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"] == "Bearer"


def test_ops_key_cannot_book(api: Api) -> None:
    response = api.book(api.ops, miami(slot_ready_at()))
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("mutate", "loc"),
    [
        (lambda b: b["parcels"][0].update(mass_kg=-1), ["body", "parcels", 0, "mass_kg"]),
        (lambda b: b["parcels"][0].update(mass_kg=200_000), ["body", "parcels", 0, "mass_kg"]),
        (lambda b: b.update(parcels=[]), ["body", "parcels"]),
        (lambda b: b.update(origin_hub="ZZZ"), ["body", "origin_hub"]),
        (lambda b: b.update(ready_at="2020-01-01T00:00:00Z"), ["body", "ready_at"]),
        (lambda b: b.update(ready_at="2030-01-01T00:00:00"), ["body", "ready_at"]),
        (lambda b: b.update(destination={"place": "Nowhere-ville, XX"}), None),
        (lambda b: b.update(destination={"place": "Miami\x00, US"}), None),
        (lambda b: b.update(destination={"place": "\ud800"}), None),
        (lambda b: b.update(destination={}), ["body", "destination"]),
        (lambda b: b.update(unexpected=1), ["body", "unexpected"]),
        (lambda b: b["parcels"][0].update(dangerous_goods_class="42"), None),
    ],
)
def test_bad_bodies_are_422_with_field_paths(api: Api, mutate, loc) -> None:  # type: ignore[no-untyped-def]
    _, headers = api.merchant()
    body = miami(slot_ready_at())
    mutate(body)
    for path in ("/v1/quotes", "/v1/shipments"):
        # json.dumps escapes a lone surrogate as \ud800, as a hostile client would send it.
        response = api.client.post(
            path,
            content=json.dumps(body),
            headers={**headers, "Idempotency-Key": "x", "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert isinstance(detail, list) and detail[0]["loc"][0] == "body"
        if loc is not None:
            assert detail[0]["loc"] == loc


def test_malformed_json_is_422_and_unknown_route_404_json(api: Api) -> None:
    _, headers = api.merchant()
    response = api.client.post(
        "/v1/quotes", content=b"{not json", headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert api.client.get("/v1/nothing").json()["detail"]["code"] == "not_found"
    assert api.client.put("/v1/quotes", headers=headers).status_code == 405
    weird = api.client.get("/v1/shipments/%00", headers=headers)
    assert weird.status_code == 404


@pytest.fixture()
def strict_api(database_url: str) -> Iterator[Api]:
    yield from make_api(
        database_url, rate_limit_per_min=60, rate_limit_burst=3, max_body_bytes=2000
    )


def test_rate_limit_429_with_retry_after(strict_api: Api) -> None:
    _, headers = strict_api.merchant()
    codes = [strict_api.client.get("/v1/shipments", headers=headers).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    response = strict_api.client.get("/v1/shipments", headers=headers)
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json()["detail"]["code"] == "rate_limited"
    # Per key: another merchant is not limited by the first one's traffic.
    _, other = strict_api.merchant()
    assert strict_api.client.get("/v1/shipments", headers=other).status_code == 200


def test_oversized_body_is_413(strict_api: Api) -> None:
    _, headers = strict_api.merchant()
    body = miami(slot_ready_at())
    body["parcels"] = body["parcels"] * 100
    response = strict_api.client.post("/v1/quotes", json=body, headers=headers)
    assert response.status_code == 413
    assert response.json()["detail"]["code"] == "payload_too_large"


def test_openapi_and_docs(api: Api) -> None:
    schema = api.client.get("/openapi.json").json()
    for path in ("/v1/quotes", "/v1/shipments", "/v1/shipments/{shipment_id}/events"):
        assert path in schema["paths"]
    assert api.client.get("/docs").status_code == 200


def test_create_app_refuses_unmigrated_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotMigratedError, match="rocketpost db upgrade"):
        create_app(Settings.from_env(environ={}, database_url=f"sqlite:///{tmp_path / 'x.db'}"))
