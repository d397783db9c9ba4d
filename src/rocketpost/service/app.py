"""The FastAPI application: routers, error shapes, body-size limit, health, lifespan.

Error contract (``docs/service.md``): validation errors keep FastAPI's 422 shape with field
paths in ``loc`` — domain :class:`~rocketpost.errors.InputError` (an unknown HS code, a place
not found, a bad cursor) is mapped onto the same shape; every other error is
``{"detail": {"code": ..., "message": ...}}``. Nothing a client sends reaches the generic 500
handler: the schemas bound every input and the domain raises only project exceptions.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from rocketpost.errors import InputError, RocketpostError
from rocketpost.service.api.routes import conditions, flights, ops, quotes, shipments, webhooks
from rocketpost.service.errors import ApiError, field_loc
from rocketpost.service.planschedule import PlanScheduler
from rocketpost.service.settings import Settings
from rocketpost.service.state import ServiceState
from rocketpost.service.web import install as install_web_pages

__all__ = ["BodySizeLimit", "app_from_env", "create_app", "echoable"]

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


class SafeJSONResponse(JSONResponse):
    """JSON with non-ASCII escaped: an error echoing a client's lone surrogate stays a 4xx."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False).encode("ascii")


class BodySizeLimit:
    """Pure ASGI middleware: refuse request bodies over ``max_bytes`` with 413.

    A declared ``Content-Length`` over the limit is refused before reading; otherwise the body
    is read up to the limit (chunked uploads cannot lie their way past it) and replayed to the
    app, so no route ever sees more than ``max_bytes``.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.max_bytes:
                    await self._too_large(send)
                    return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)
                return
            chunks.append(chunk)
            more = bool(message.get("more_body", False))
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        response = SafeJSONResponse(
            {
                "detail": {
                    "code": "payload_too_large",
                    "message": f"request body exceeds {self.max_bytes} bytes",
                }
            },
            status_code=413,
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [*response.raw_headers, (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": response.body})


_LARGEST_ECHOED_INT = 2**63
_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def echoable(value: Any, *, containers_as: str | None = None) -> str | int | float | bool | None:
    """A client's input as it may be echoed in a JSON error body.

    Python's JSON parser reads ``NaN``, ``Infinity`` and ``1e999`` (as ``inf``), which JSON
    cannot render (``allow_nan=False`` raises, and the 422 became a 500): non-finite numbers
    are echoed as their JSON spelling in a string (``"NaN"``, ``"Infinity"``), huge integers as
    a description, containers as ``None`` (or ``str(value)`` when ``containers_as="str"``).
    """
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        if -_LARGEST_ECHOED_INT <= value <= _LARGEST_ECHOED_INT:
            return value
        return f"<integer of {value.bit_length()} bits>"
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else _NON_FINITE[value]
    if containers_as == "str":
        try:
            return str(value)[:1000]
        except ValueError:  # e.g. a Decimal or int too long for str()
            return None
    return None


def _input_error(error: InputError) -> JSONResponse:
    field = error.field
    prefix: tuple[str | int, ...] = ("body",)
    if field.startswith("query."):
        prefix, field = ("query",), field.removeprefix("query.")
    value = echoable(error.value, containers_as="str")
    return SafeJSONResponse(
        {
            "detail": [
                {
                    "loc": field_loc(field, prefix),
                    "msg": error.reason,
                    "type": "value_error",
                    "input": value,
                }
            ]
        },
        status_code=422,
    )


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return SafeJSONResponse(
            {"detail": exc.detail()}, status_code=exc.status, headers=exc.headers
        )

    @app.exception_handler(InputError)
    async def input_error(_request: Request, exc: InputError) -> JSONResponse:
        return _input_error(exc)

    @app.exception_handler(RocketpostError)
    async def domain_error(_request: Request, exc: RocketpostError) -> JSONResponse:
        return SafeJSONResponse(
            {"detail": {"code": "invalid_request", "message": str(exc)}}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail: Any = exc.detail
        if not isinstance(detail, dict):
            try:
                phrase = HTTPStatus(exc.status_code).phrase
            except ValueError:
                phrase = "error"
            detail = {
                "code": _CODES.get(exc.status_code, "error"),
                "message": str(detail) if detail else phrase,
            }
        return SafeJSONResponse(
            {"detail": detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for error in exc.errors():
            item = {k: error[k] for k in ("loc", "msg", "type") if k in error}
            if error.get("type") == "json_invalid" and "error" in error.get("ctx", {}):
                item["msg"] = f"{error['msg']}: {error['ctx']['error']}"
            if "input" in error:
                item["input"] = echoable(error["input"])
            errors.append(item)
        return SafeJSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", exc_info=exc)
        return SafeJSONResponse(
            {"detail": {"code": "internal_error", "message": "internal error"}}, status_code=500
        )


def _document_only_real_validation_errors(app: FastAPI) -> None:
    """Drop the 422 FastAPI documents for a route whose only parameter is a path id.

    FastAPI lists "422 Validation Error" for every route with a parameter, but a path id is any
    string (a malformed one is a 404) and such routes take no body or query: they never answer
    422, and the OpenAPI document is the contract of what each route answers.
    """
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    responses = operation.get("responses", {})
                    takes_input = "requestBody" in operation or any(
                        p.get("in") != "path" for p in operation.get("parameters", [])
                    )
                    if not takes_input and "422" in responses:
                        del responses["422"]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings) -> FastAPI:
    """The booking service for ``settings``.

    Raises
    ------
    rocketpost.service.db.NotMigratedError
        The database is not at the latest migration (run ``rocketpost db upgrade``).
    """
    state = ServiceState.build(settings)

    planner = PlanScheduler.from_settings(state.db, state.network, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if state.sender is not None:
            state.sender.start()
        if planner is not None:  # the scheduled plan run (off unless ROCKETPOST_PLAN_EVERY_S)
            planner.start()
        try:
            yield
        finally:
            if planner is not None:
                planner.stop()
            state.close()

    app = FastAPI(
        title="rocketpost booking service",
        version="1",
        summary="Quote, book and track one-hour rocket delivery.",
        description="Every endpoint but /health needs `Authorization: Bearer <api key>`. "
        "See docs/service.md.",
        lifespan=lifespan,
        # /docs and /redoc are served with vendored assets by the web pages (no CDN).
        docs_url=None,
        redoc_url=None,
    )
    app.state.rp = state
    _install_handlers(app)

    @app.get("/health", tags=["health"])
    async def health() -> dict[str, str]:
        """Liveness: no authentication, no database."""
        return {"status": "ok"}

    for module in (quotes, shipments, flights, webhooks, conditions, ops):
        app.include_router(module.router)
    install_web_pages(app)
    _document_only_real_validation_errors(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory`` worker processes: settings from the environment."""
    return create_app(Settings.from_env())
