"""The booking service's app plus one route that answers a fixed quote: the framework's floor.

``POST /bench/floor`` has the signature of ``POST /v1/quotes`` — the same request model, caller
and state dependencies, response model and place in the route table — and answers the quote it
made for its first request, every time. Whatever a quote computes, it cannot cost less than this
route through the same stack, so the ratio of this route to bare ``/health`` bounds the ratio a
quote can reach (docs/service-performance.md).

Used by ``bench_quote.py --app`` (in process) and ``bench_service.py`` (over HTTP:
``uvicorn floor_app:create --factory``, run with ``benchmarks/`` as the working directory).
The route is added to the benchmark's own app only; the service never has it.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from rocketpost.service import schemas
from rocketpost.service.api.deps import Caller, State, error_responses
from rocketpost.service.app import app_from_env

FLOOR_PATH = "/bench/floor"


def add_fixed_quote_route(app: FastAPI) -> None:
    """Add ``POST /bench/floor`` to ``app``, just before the quotes router.

    Included as a router of its own, as ``POST /v1/quotes`` is, so that matching it walks the
    same levels of the route table (which is walked in order).
    """
    answer: list[schemas.QuotePublic] = []
    router = APIRouter()

    @router.post(
        FLOOR_PATH,
        response_model=schemas.QuotePublic,
        responses=error_responses(400, 401, 413, 422, 429),
    )
    async def fixed_quote(
        body: schemas.QuoteRequest, principal: Caller, state: State
    ) -> schemas.QuotePublic:
        if not answer:
            answer.append(state.quotes.issue(principal, body))
        return answer[0]

    table = app.router.routes
    first_router = next(i for i, route in enumerate(table) if not hasattr(route, "path"))
    app.include_router(router)
    table.insert(first_router, table.pop())


def create() -> FastAPI:
    """The service's app from the environment (as ``rocketpost serve`` builds it), plus the
    fixed-answer route: a factory for ``uvicorn --factory``."""
    app = app_from_env()
    add_fixed_quote_route(app)
    return app
