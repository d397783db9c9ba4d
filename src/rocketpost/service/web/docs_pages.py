"""``/docs`` (Swagger UI) and ``/redoc`` with the vendored scripts instead of FastAPI's CDN."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

__all__ = ["add_docs_pages"]

VENDOR_URL = "/ui/static/vendor"


def add_docs_pages(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` from ``/ui/static/vendor`` (the app must be built with
    ``docs_url=None, redoc_url=None``, or FastAPI's CDN pages would answer first)."""
    title = app.title
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} — Swagger UI",
            swagger_js_url=f"{VENDOR_URL}/swagger-ui-dist/swagger-ui-bundle.js",
            swagger_css_url=f"{VENDOR_URL}/swagger-ui-dist/swagger-ui.css",
            swagger_favicon_url=f"{VENDOR_URL}/swagger-ui-dist/favicon-32x32.png",
            # The validator badge would ask validator.swagger.io about the schema.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} — ReDoc",
            redoc_js_url=f"{VENDOR_URL}/redoc/redoc.standalone.js",
            redoc_favicon_url=f"{VENDOR_URL}/swagger-ui-dist/favicon-32x32.png",
            with_google_fonts=False,
        )
