"""The control room and the public tracking page: HTML, vendored assets, their JSON reads.

:func:`install` adds to an app, all outside the OpenAPI document (they are pages and the pages'
own reads, not the merchants' API):

* ``GET /`` the control room (ops key, asked once and kept in the tab's ``sessionStorage``),
  ``GET /track/{tracking_number}`` the public tracking page (no key);
* ``GET /ui/api/reach``, ``/ui/api/replay``, ``/ui/api/design`` (ops key): what only the
  page reads; the rest it reads from the API (``/v1/ops/sites``, ``/v1/ops/kpis``,
  ``/v1/ops/flights/positions``, ``/v1/flights/{id}/manifest``, ``/v1/tracking/{number}``);
* ``/ui/static/…`` the page scripts and the vendored libraries (``static/vendor``, built by
  ``make assets`` from ``frontend/package-lock.json``), and ``/docs``, ``/redoc`` served from them.

See ``docs/controlroom.md``.
"""

from rocketpost.service.web.routes import install

__all__ = ["install"]
