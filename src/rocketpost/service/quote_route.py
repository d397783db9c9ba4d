"""``POST /v1/quotes`` served without the framework's per-request machinery, when it can be.

A quote is the service's hottest call and writes nothing; behind FastAPI, about 40 % of its
instructions went to the framework (the dependency graph solved per request, the route table,
the response validated again). :class:`QuoteFastPath` is a pure ASGI middleware that answers a
*well-formed* quote request with the very same calls the route makes — the key cache
(:meth:`rocketpost.service.auth.ApiKeyCache.resolve`), :class:`~rocketpost.service.schemas.
QuoteRequest`, the rate limiter, :meth:`rocketpost.service.quotes.Quotes.issue` and the
response model's JSON — and hands every other request to the app untouched:

* not ``POST /v1/quotes``, a body that is not ``application/json``, a missing or unknown key, a
  body that does not validate, a rate-limited key: the app answers (its 401 / 413 / 422 / 429
  shapes, its OpenAPI document), reading the same body bytes;
* a domain error while quoting: the app's own exception handler for it answers.

The order of the checks keeps the limiter's count what the app would make it: a token is taken
only for a request that is then quoted (an invalid body is handed over first, and the app takes
the token); a refused key takes none (:meth:`RateLimiter.acquire`), so handing it over costs
nothing. The answer's bytes are what the app's route answers (the response model's JSON,
``Content-Type: application/json``): ``tests/service/test_quote_route.py`` compares them.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from rocketpost.service import schemas
from rocketpost.service.state import ServiceState

__all__ = ["QUOTE_PATH", "QuoteFastPath"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

QUOTE_PATH = "/v1/quotes"


class QuoteFastPath:
    """Pure ASGI middleware: well-formed ``POST /v1/quotes`` straight to :meth:`Quotes.issue`.

    Parameters
    ----------
    app
        The rest of the application (everything it does not answer goes there).
    state
        The app's :class:`ServiceState` (keys, limiter, quotes).
    handlers
        The app's exception handlers (``FastAPI.exception_handlers``): a domain error while
        quoting is answered by the same handler the route's would be.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: ServiceState,
        handlers: Mapping[Any, Callable[[Request, Any], Any]],
    ) -> None:
        self.app = app
        self.state = state
        self.handlers = handlers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != QUOTE_PATH
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        authorization = content_type = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"content-type":
                content_type = value
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        answer = None
        if content_type == b"application/json" and authorization is not None:
            answer = await self._quote(scope, authorization, body)
        if answer is None:
            await self.app(scope, _replay(body, receive), send)
            return
        await answer(scope, receive, send)

    async def _quote(self, scope: Scope, authorization: bytes, body: bytes) -> Response | None:
        """The answer, or ``None`` to hand the request to the app."""
        state = self.state
        # HTTPBearer's reading of the header: "<scheme> <credentials>", scheme in any case.
        scheme, _, credentials = authorization.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not credentials:
            return None
        principal = state.keys.resolve(credentials)
        if principal is None:
            return None
        try:  # what FastAPI does with a JSON body: json.loads, then the model
            request = schemas.QuoteRequest.model_validate(json.loads(body))
        except Exception:  # ValidationError, bad JSON, nesting too deep, ...
            return None  # the app answers (400 or 422) with its own shapes
        if state.limiter.acquire(principal.merchant_id) > 0:
            return None  # refused: no token taken; the app answers 429 (and takes none either)
        try:
            answer = state.quotes.issue(principal, request)
        except Exception as error:
            handler = self._handler(error)
            if handler is None:
                raise
            answered: Response = await handler(Request(scope), error)
            return answered
        return Response(
            answer.__pydantic_serializer__.to_json(answer, by_alias=True),
            media_type="application/json",
        )

    def _handler(self, error: Exception) -> Callable[[Request, Any], Any] | None:
        for kind in type(error).__mro__:
            if kind in self.handlers and kind is not Exception:
                return self.handlers[kind]
        return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` that gives ``body`` once, then whatever the connection says next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
