"""Routes of the control room, the public tracking page and the reads only the page has
(``install``): the reach heat map, the replay day and the design view. Everything else the
pages read is the API's own (``/v1/ops/*``, ``/v1/flights``, ``/v1/tracking/{number}``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from rocketpost.service.api.deps import OpsCaller, State
from rocketpost.service.web.docs_pages import add_docs_pages
from rocketpost.service.web.replay import replay_dir, replay_view
from rocketpost.service.web.views import design_view, reach_grid

__all__ = ["PAGE_HEADERS", "STATIC_DIR", "install"]

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES = HERE / "templates"

PAGE_HEADERS = {
    # The pages may load nothing that the app does not serve itself: offline by construction,
    # and a stray CDN reference fails loudly in the browser (and in tests/web).
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@cache
def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


@router.get("/")
async def control_room() -> HTMLResponse:
    """The control room (it asks for the ops key and keeps it in ``sessionStorage``)."""
    return HTMLResponse(_template("controlroom.html"), headers=PAGE_HEADERS)


@router.get("/track/{tracking_number}")
async def tracking_page(tracking_number: str) -> HTMLResponse:
    """The public tracking page; its script reads ``GET /v1/tracking/{tracking_number}``."""
    return HTMLResponse(_template("track.html"), headers=PAGE_HEADERS)


@router.get("/ui/api/reach")
def reach(
    principal: OpsCaller, state: State, mode: Literal["any", "rocket", "ground"] = "any"
) -> dict[str, Any]:
    """The reach heat map (grid cells with the best promise and their population)."""
    return reach_grid(state.network, mode)


@router.get("/ui/api/replay")
def replay(principal: OpsCaller) -> dict[str, Any]:
    """The server's replay day (``ROCKETPOST_REPLAY_DIR``), or ``available: false``."""
    return replay_view(replay_dir())


@router.get("/ui/api/design")
def design(principal: OpsCaller, state: State) -> dict[str, Any]:
    """The designer's frontier and chosen sites, or ``available: false``."""
    return design_view(state.network)


def install(app: FastAPI) -> None:
    """Add the pages, their reads, the static files and the local ``/docs`` and ``/redoc``."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=STATIC_DIR), name="ui-static")
    add_docs_pages(app)
