"""Hostile input is a 4xx with a JSON body, on SQLite and PostgreSQL (tracker issue #12).

Each request here once answered 500 (and, after it, dropped the keep-alive connection):
non-finite numbers (``NaN``, ``Infinity``, ``1e999`` as raw JSON text), dates whose UTC
conversion overflows, cursors naming ids beyond the database's integers, places parsed to
non-finite coordinates. Others were accepted when they should not be: booleans and strings as
numbers, a 1e-12 kg parcel booked as 0 g on a full flight. The last test is a generator of such
bodies (Hypothesis, derandomized and bounded) that asserts no 5xx and a strict JSON body on
every answer.
"""

from __future__ import annotations

import http.client
import json
import math
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, get_args
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import AwareDatetime, TypeAdapter, ValidationError

from rocketpost.service import schemas, webhook_schemas
from rocketpost.service.reads import MAX_CURSOR_ID, encode_cursor
from tests.service.conftest import T_SHIRT, Api, busan, miami, slot_ready_at

NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"]
NOT_NUMBERS = ["true", "false", '"5"', '"1.0"', "null", "[1]", '{"a": 1}']
EXTREME_DATES = [
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59+00:00",
    "1999-12-31T23:59:59Z",
    "2101-01-01T00:00:00Z",
]
NOT_DATES = ["1764063000", "true", "1e999", "NaN", '"2026-11-25"', '"2026-11-25T09:30:00"', '""']
# One wave for all the requests that must not book (each slot_ready_at() call moves 3 h further
# ahead, for every test module of this process: too many calls leave the 30-day window).
READY_AT = slot_ready_at()
BAD_CURSORS = [
    "c1.MjE0NzQ4MzY0OA",  # 2**31: over PostgreSQL's int4
    "c1.OTIyMzM3MjAzNjg1NDc3NTgwOA",  # 2**63: over SQLite's and PostgreSQL's bigint
    "c1." + "OTk5" * 9,  # 999…: too long
    "c1.MA",  # 0
    "c1.LTE",  # -1
    "c1.MDE",  # "01": not the spelling encode_cursor gives
    "c1.MTIz==",  # padded
    "c1.K zE",
    "c1.!!!",
    "c1.",
    "c2.MTIz",
    "c1.wqE",  # "¡": not digits
    "c1.MTIz\u00e9",
    "",
]


def strict_json(response: httpx.Response) -> Any:
    """The body as JSON, refusing NaN / Infinity (which no JSON client can read)."""
    assert response.headers["content-type"].startswith("application/json"), response.text

    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in a response body: {response.text[:300]}")

    return json.loads(response.content, parse_constant=refuse)


def post_raw(api: Api, path: str, text: str, headers: dict[str, str]) -> httpx.Response:
    """POST a JSON text as it is (so that ``NaN``, ``1e999``, ``true`` reach the server raw)."""
    return api.client.post(
        path, content=text.encode(), headers={**headers, "Content-Type": "application/json"}
    )


def assert_422_on(response: httpx.Response, loc: list[str | int]) -> dict[str, Any]:
    """A 422 whose (strict JSON) body names ``loc``; the matching error."""
    assert response.status_code == 422, response.text
    body = strict_json(response)
    matching = [e for e in body["detail"] if e["loc"][: len(loc)] == loc]
    assert matching, body
    return matching[0]


@pytest.fixture(scope="module")
def merchant(api: Api) -> dict[str, str]:
    return api.merchant()[1]


@pytest.fixture(scope="module")
def booked(api: Api, merchant: dict[str, str]) -> dict[str, Any]:
    """A booked shipment (HZB → Busan, cross-border) for induction and flight events."""
    response = api.book(merchant, busan(slot_ready_at()))
    assert response.status_code == 201, response.text
    return dict(response.json())


def quote_text(number_field: str, value: str, ready_at: str = "") -> str:
    """A quote request in which ``number_field`` is the raw JSON text ``value``."""
    numbers = {
        "mass_kg": "1.2",
        "volume_m3": "0.006",
        "quantity": "2",
        "unit_value": '"45.00"',
        "unit_mass_kg": "0.25",
        "unit_volume_m3": "0.001",
    }
    numbers[number_field] = value
    ready = ready_at or f'"{READY_AT.isoformat()}"'
    return (
        '{"destination": {"place": "Busan, KR"}, "origin_hub": "HZB", '
        f'"parcels": [{{"mass_kg": {numbers["mass_kg"]}, "volume_m3": {numbers["volume_m3"]}}}], '
        f'"ready_at": {ready}, '
        '"customs": {"recipient_id": "R-77", "items": [{"sku": "TS-1", '
        '"description": "cotton T-shirt", "hs_code": "610910", '
        f'"quantity": {numbers["quantity"]}, "unit_value": {numbers["unit_value"]}, '
        f'"currency": "USD", "unit_mass_kg": {numbers["unit_mass_kg"]}, '
        f'"unit_volume_m3": {numbers["unit_volume_m3"]}}}]}}}}'
    )


NUMBER_LOCS: dict[str, list[str | int]] = {
    "mass_kg": ["body", "parcels", 0, "mass_kg"],
    "volume_m3": ["body", "parcels", 0, "volume_m3"],
    "quantity": ["body", "customs", "items", 0, "quantity"],
    "unit_value": ["body", "customs", "items", 0, "unit_value"],
    "unit_mass_kg": ["body", "customs", "items", 0, "unit_mass_kg"],
    "unit_volume_m3": ["body", "customs", "items", 0, "unit_volume_m3"],
}


def test_the_valid_quote_text_is_valid(api: Api, merchant: dict[str, str]) -> None:
    response = post_raw(api, "/v1/quotes", quote_text("mass_kg", "1.2"), merchant)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("field", list(NUMBER_LOCS))
def test_non_finite_numbers_are_422_with_a_renderable_body(
    api: Api, merchant: dict[str, str], field: str
) -> None:
    for path in ("/v1/quotes", "/v1/shipments"):
        headers = {**merchant, "Idempotency-Key": uuid.uuid4().hex}
        for token in NON_FINITE:
            error = assert_422_on(
                post_raw(api, path, quote_text(field, token), headers), NUMBER_LOCS[field]
            )
            # The input is echoed as text, never as a bare NaN / Infinity.
            assert error.get("input") in (None, "NaN", "Infinity", "-Infinity"), error


@pytest.mark.parametrize("field", list(NUMBER_LOCS))
def test_booleans_and_strings_are_not_numbers(
    api: Api, merchant: dict[str, str], field: str
) -> None:
    for token in NOT_NUMBERS:
        if field == "unit_value" and token in ('"5"', '"1.0"'):
            continue  # a money amount is documented as a decimal string
        if token == "null" and field == "unit_volume_m3":
            continue  # optional with a default: null is refused too, but by another rule
        assert_422_on(
            post_raw(api, "/v1/quotes", quote_text(field, token), merchant), NUMBER_LOCS[field]
        )


def test_coordinates_must_be_finite_numbers(api: Api, merchant: dict[str, str]) -> None:
    for lat, lon in [("NaN", "0"), ("0", "Infinity"), ("1e999", "0"), ("true", "0"), ('"1"', "0")]:
        text = (
            f'{{"destination": {{"lat_deg": {lat}, "lon_deg": {lon}, "country": "KR"}}, '
            '"parcels": [{"mass_kg": 1, "volume_m3": 0.01}]}'
        )
        response = post_raw(api, "/v1/quotes", text, merchant)
        assert response.status_code == 422, response.text
        strict_json(response)


@pytest.mark.parametrize("place", ["nan,nan", "inf,0", "0,-inf", "1e999,0", "NaN,NaN"])
def test_a_place_parsed_to_non_finite_coordinates_is_422(
    api: Api, merchant: dict[str, str], place: str
) -> None:
    body = {**miami(READY_AT), "destination": {"place": place}}
    assert_422_on(api.client.post("/v1/quotes", json=body, headers=merchant), ["body"])


@pytest.mark.parametrize("mass_kg, volume_m3", [(1e-12, 0.01), (1.0, 1e-12), (0.0009, 1e-7)])
def test_a_parcel_under_a_gram_or_a_cubic_centimetre_is_refused(
    api: Api, merchant: dict[str, str], mass_kg: float, volume_m3: float
) -> None:
    ready_at = READY_AT
    for path in ("/v1/quotes", "/v1/shipments"):
        headers = {**merchant, "Idempotency-Key": uuid.uuid4().hex}
        body = miami(ready_at, mass_kg=mass_kg, volume_m3=volume_m3)
        response = api.client.post(path, json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert response.json()["detail"][0]["loc"][:3] == ["body", "parcels", 0]


def test_a_full_flight_takes_no_weightless_parcel(api: Api, merchant: dict[str, str]) -> None:
    ready_at = slot_ready_at()
    full = api.book(merchant, miami(ready_at, mass_kg=10_000.0, volume_m3=120.0))
    assert full.status_code == 201, full.text
    tiny = api.book(merchant, miami(ready_at, mass_kg=1e-12, volume_m3=1e-12))
    assert tiny.status_code == 422, tiny.text
    smallest = api.book(merchant, miami(ready_at, mass_kg=0.001, volume_m3=1e-6))
    assert smallest.status_code == 409, smallest.text  # a gram is capacity: the flight is full
    assert smallest.json()["detail"]["code"] == "no_capacity"
    flight = api.client.get(f"/v1/flights/{full.json()['flight']['id']}", headers=api.ops)
    assert flight.json()["shipments"] == 1


@pytest.mark.parametrize("ready_at", EXTREME_DATES)
def test_ready_at_outside_the_years_2000_to_2100_is_422(
    api: Api, merchant: dict[str, str], ready_at: str
) -> None:
    for path in ("/v1/quotes", "/v1/shipments"):
        headers = {**merchant, "Idempotency-Key": uuid.uuid4().hex}
        body = {**miami(READY_AT), "ready_at": ready_at}
        error = assert_422_on(api.client.post(path, json=body, headers=headers), ["body"])
        assert error["loc"] == ["body", "ready_at"]
        assert "2000" in error["msg"]


def test_ready_at_is_an_iso_string_and_not_too_far_ahead(
    api: Api, merchant: dict[str, str]
) -> None:
    for token in NOT_DATES:
        text = quote_text("mass_kg", "1", ready_at=token)
        assert_422_on(post_raw(api, "/v1/quotes", text, merchant), ["body", "ready_at"])
    far = (datetime.now(UTC) + timedelta(days=31)).isoformat()
    error = assert_422_on(
        api.client.post("/v1/quotes", json={**miami(READY_AT), "ready_at": far}, headers=merchant),
        ["body", "ready_at"],
    )
    assert "30 days" in error["msg"]


def test_flight_event_occurred_at_is_bounded(api: Api, booked: dict[str, Any]) -> None:
    path = f"/v1/flights/{booked['flight']['id']}/events"
    ahead = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    for occurred_at in [*EXTREME_DATES, ahead]:
        body = {"type": "landed", "occurred_at": occurred_at}
        error = assert_422_on(api.client.post(path, json=body, headers=api.ops), ["body"])
        assert error["loc"] == ["body", "occurred_at"]
    for token in NOT_DATES:
        text = f'{{"type": "landed", "occurred_at": {token}}}'
        assert_422_on(post_raw(api, path, text, api.ops), ["body", "occurred_at"])
    # Nothing happened to the flight.
    assert (
        api.client.get(f"/v1/flights/{booked['flight']['id']}", headers=api.ops).json()["status"]
        == "scheduled"
    )


def test_induction_and_customs_outcome_take_strict_finite_values(
    api: Api, booked: dict[str, Any]
) -> None:
    induction = f"/v1/shipments/{booked['id']}/induction"
    for token in [*NON_FINITE, *NOT_NUMBERS, "1e-12", "0", "-1"]:
        text = f'{{"scanned_gross_mass_kg": {token}}}'
        assert_422_on(post_raw(api, induction, text, api.ops), ["body", "scanned_gross_mass_kg"])
    outcome = f"/v1/shipments/{booked['id']}/customs-outcome"
    for token in ['"true"', "1", "0", '"yes"', "NaN", "null"]:
        text = f'{{"seized": {token}}}'
        assert_422_on(post_raw(api, outcome, text, api.ops), ["body", "seized"])
    shipment = api.client.get(f"/v1/shipments/{booked['id']}", headers=api.ops).json()
    assert shipment["sub_status"] == "booked"  # none of it was recorded


def test_booking_flags_are_strict_booleans(api: Api, merchant: dict[str, str]) -> None:
    for token in ['"true"', "1", "NaN"]:
        text = json.dumps(miami(READY_AT))[:-1] + f', "fallback_to_standard": {token}}}'
        headers = {**merchant, "Idempotency-Key": uuid.uuid4().hex}
        assert_422_on(
            post_raw(api, "/v1/shipments", text, headers), ["body", "fallback_to_standard"]
        )


@pytest.mark.parametrize("path", ["/v1/shipments", "/v1/flights"])
def test_cursors_that_this_api_never_issued_are_422(api: Api, path: str) -> None:
    for cursor in BAD_CURSORS:
        response = api.client.get(path, params={"cursor": cursor}, headers=api.ops)
        error = assert_422_on(response, ["query", "cursor"])
        assert error["loc"] == ["query", "cursor"]
    for limit in ["0", "101", "1e999", "NaN", "true", "-1"]:
        response = api.client.get(path, params={"limit": limit}, headers=api.ops)
        assert_422_on(response, ["query", "limit"])
    # The largest id a cursor may name is a valid (empty) page.
    response = api.client.get(
        path, params={"cursor": encode_cursor(MAX_CURSOR_ID)}, headers=api.ops
    )
    assert response.status_code == 200, response.text


def test_garbage_bodies_are_4xx_with_json(api: Api, merchant: dict[str, str]) -> None:
    for raw in [
        b"{",
        b"\xff\xfe",
        b'{"destination": ' + b"[" * 5000,
        b'{"parcels": [{"mass_kg": ' + b"9" * 5000 + b"}]}",  # over Python's int-digit limit
        b"NaN",
        b"[]",
        b"null",
        b'"x"',
    ]:
        response = api.client.post(
            "/v1/quotes", content=raw, headers={**merchant, "Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (raw[:40], response.text)
        strict_json(response)


def test_the_connection_survives_a_4xx(api: Api, merchant: dict[str, str]) -> None:
    """Keep-alive: a hostile request, then a good one on the same TCP connection."""
    base = urlsplit(str(api.client.base_url))
    assert base.hostname is not None and base.port is not None
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=60)
    try:
        conn.connect()
        sock = conn.sock
        good = json.dumps(miami(READY_AT)).encode()
        hostile = [
            ("/v1/quotes", quote_text("mass_kg", "NaN").encode()),
            (
                "/v1/quotes",
                quote_text("mass_kg", "1", ready_at='"9999-12-31T23:59:59-14:00"').encode(),
            ),
            (
                "/v1/quotes",
                b'{"destination": {"place": "nan,nan"}, '
                b'"parcels": [{"mass_kg": 1, "volume_m3": 0.01}]}',
            ),
            ("/v1/shipments?cursor=c1.OTIyMzM3MjAzNjg1NDc3NTgwOA", None),
            ("/v1/quotes", b"\xff"),
        ]
        for path, body in hostile:
            headers = {**merchant, "Content-Type": "application/json"}
            conn.request("POST" if body is not None else "GET", path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            assert 400 <= response.status < 500, (path, payload[:300])
            assert response.getheader("connection", "").lower() != "close", path
            json.loads(payload)
            conn.request("POST", "/v1/quotes", body=good, headers=headers)
            response = conn.getresponse()
            assert response.status == 200, response.read()[:300]
            response.read()
            assert conn.sock is sock, f"the connection was dropped after {path}"
    finally:
        conn.close()


# --- generated hostile bodies ------------------------------------------------------------------

HOSTILE_NUMBERS = st.sampled_from(
    [*NON_FINITE, *NOT_NUMBERS, "1e-12", "5e-324", "-0.0", "0", "1e308", "-1e308", "1" + "0" * 400]
)
HOSTILE_DATES = st.one_of(
    st.sampled_from([f'"{d}"' for d in EXTREME_DATES] + NOT_DATES),
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
    ).map(lambda d: json.dumps(d.isoformat())),
)
HOSTILE_CURSORS = st.one_of(
    st.sampled_from(BAD_CURSORS),
    st.integers(min_value=0, max_value=2**70).map(encode_cursor),
    st.text(max_size=40),
)


def _hostile_bodies(valid: dict[str, Any]) -> st.SearchStrategy[tuple[str, str]]:
    """``(field, JSON text)``: ``valid`` with one number or date replaced by a hostile token."""
    text = json.dumps(valid)
    numbers = [
        k for k, v in _leaves(valid) if isinstance(v, int | float) and not isinstance(v, bool)
    ]
    dates = [k for k, v in _leaves(valid) if k.endswith("_at")]

    def replace(field: str, token: str) -> tuple[str, str]:
        value = _get(valid, field)
        return field, text.replace(
            f'"{field.rsplit(".", 1)[-1]}": {json.dumps(value)}',
            f'"{field.rsplit(".", 1)[-1]}": {token}',
            1,
        )

    options = []
    if numbers:
        options.append(
            st.tuples(st.sampled_from(numbers), HOSTILE_NUMBERS).map(lambda a: replace(*a))
        )
    if dates:
        options.append(st.tuples(st.sampled_from(dates), HOSTILE_DATES).map(lambda a: replace(*a)))
    return st.one_of(options)


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{prefix}[{index}]")
    else:
        yield prefix, value


def _get(value: Any, field: str) -> Any:
    return dict(_leaves(value))[field]


def test_generated_hostile_requests_never_make_a_5xx(
    api: Api, merchant: dict[str, str], booked: dict[str, Any]
) -> None:
    ready = READY_AT
    targets: list[tuple[str, dict[str, str], dict[str, Any]]] = [
        ("/v1/quotes", merchant, busan(ready)),
        ("/v1/shipments", merchant, {**miami(ready), "reference": "fuzz"}),
        (f"/v1/shipments/{booked['id']}/induction", api.ops, {"scanned_gross_mass_kg": 1.3}),
        (
            f"/v1/flights/{booked['flight']['id']}/events",
            api.ops,
            {"type": "landed", "occurred_at": ready.isoformat()},
        ),
        (
            "/v1/quotes",
            merchant,
            {
                "destination": {"lat_deg": 35.1, "lon_deg": 129.0, "country": "KR"},
                "parcels": [{"mass_kg": 1, "volume_m3": 0.01}],
                "ready_at": ready.isoformat(),
                "customs": {"recipient_id": "R-1", "items": [T_SHIRT]},
            },
        ),
    ]
    strategy = st.one_of(
        *[
            _hostile_bodies(body).map(lambda fb, p=path, h=headers: ("POST", p, h, fb[1]))
            for path, headers, body in targets
        ],
        st.tuples(st.sampled_from(["/v1/shipments", "/v1/flights"]), HOSTILE_CURSORS).map(
            lambda a: ("GET", a[0], api.ops, a[1])
        ),
    )
    seen: list[int] = []

    @settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(request=strategy)
    def send(request: tuple[str, str, dict[str, str], str]) -> None:
        method, path, headers, payload = request
        if method == "GET":
            response = api.client.get(path, params={"cursor": payload}, headers=headers)
        else:
            response = api.client.post(
                path,
                content=payload.encode("utf-8", "surrogatepass"),
                headers={
                    **headers,
                    "Content-Type": "application/json",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )
        seen.append(response.status_code)
        assert response.status_code < 500, (method, path, payload[:300], response.text[:300])
        strict_json(response)

    send()
    assert sum(400 <= s < 500 for s in seen) > len(seen) / 2


# --- every request field, structurally ---------------------------------------------------------

REQUEST_MODELS = [
    schemas.QuoteRequest,
    schemas.ShipmentCreate,
    schemas.DestinationIn,
    schemas.ParcelIn,
    schemas.OrderItemIn,
    schemas.CustomsIn,
    schemas.FlightEventIn,
    schemas.InductionIn,
    schemas.InspectionIn,
    webhook_schemas.WebhookCreate,
]


def _base_types(annotation: Any) -> set[type]:
    args = get_args(annotation)
    if not args:
        return {annotation} if isinstance(annotation, type) else set()
    return set().union(*(_base_types(a) for a in args))


def _fields_of(*kinds: type) -> list[tuple[str, TypeAdapter[Any]]]:
    found = []
    for model in REQUEST_MODELS:
        for name, info in model.model_fields.items():
            if _base_types(info.annotation) & set(kinds):
                annotated = (
                    Annotated[(info.annotation, *info.metadata)]  # type: ignore[valid-type]
                    if info.metadata
                    else info.annotation
                )
                adapter: TypeAdapter[Any] = TypeAdapter(annotated)
                found.append((f"{model.__name__}.{name}", adapter))
    return found


def _refused(adapter: TypeAdapter[Any], value: Any) -> bool:
    try:
        adapter.validate_python(value)
    except ValidationError:
        return True
    return False


def test_every_request_number_is_strict_and_finite() -> None:
    fields = _fields_of(float, int, Decimal)
    assert len(fields) >= 9  # masses, volumes, coordinates, quantity, value, scale reading
    for name, adapter in fields:
        for value in (math.nan, math.inf, -math.inf, True, False):
            assert _refused(adapter, value), (name, value)
        if "unit_value" not in name:  # money is a decimal string by contract
            assert _refused(adapter, "5"), name


def test_every_request_instant_is_bounded_and_textual() -> None:
    fields = _fields_of(datetime, AwareDatetime)
    assert {name for name, _ in fields} == {
        "QuoteRequest.ready_at",
        "ShipmentCreate.ready_at",
        "FlightEventIn.occurred_at",
    }
    for name, adapter in fields:
        for value in (
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+14:00",
            "1999-12-31T23:59:59Z",
            "2101-01-01T00:00:00+00:00",
            "2026-11-25T09:30:00",  # no offset
            1764063000,
            True,
        ):
            assert _refused(adapter, value), (name, value)
        assert not _refused(adapter, "2026-11-25T09:30:00Z"), name


def test_every_request_flag_is_a_strict_boolean() -> None:
    fields = _fields_of(bool)
    assert {name for name, _ in fields} == {
        "ShipmentCreate.fallback_to_standard",
        "InspectionIn.seized",
    }
    for name, adapter in fields:
        for value in ("true", 1, 0, "yes"):
            assert _refused(adapter, value), (name, value)
