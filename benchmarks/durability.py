"""Durability drill: SIGKILL the booking server during a booking load, restart, count.

Run: ``.venv/bin/python benchmarks/durability.py [--backends sqlite,postgres] [--kills 3]
[--threads 8] [--kill-after 100]``.

For each backend: a fresh database (SQLite file; throwaway PostgreSQL with fsync on), the real
``rocketpost serve`` subprocess, ``--threads`` threads booking as fast as they can. Each round
waits for ``--kill-after`` more 201 answers, SIGKILLs the whole server (no shutdown handlers run),
restarts it on the same database and retries the requests the kill cut off with their original
``Idempotency-Key``. At the end every 201 must read back identical, the database must hold no
shipment that was never answered 201, and no flight may carry more than the rocket's hold. Prints
the counts; exits 1 if anything was lost, changed, duplicated or overbooked.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

# Run as `python benchmarks/durability.py`: Python puts benchmarks/, not the repository root,
# on the path; the shared test infrastructure is the package `tests.support` under the root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.durability import durability_trial
from tests.support.postgres import throwaway_postgres
from tests.support.server import running_server
from tests.support.workload import Workload, usable_routes

SERVER_ENV = {"ROCKETPOST_RATE_LIMIT_PER_MIN": "0", "ROCKETPOST_WEBHOOKS": "0"}


@contextlib.contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'durability.db'}"
        return
    with throwaway_postgres(durable=True) as pg:
        yield pg.url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--kill-after", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=20261125)
    args = parser.parse_args()
    failed = False
    for backend in args.backends.split(","):
        with (
            tempfile.TemporaryDirectory(prefix="rocketpost-durability-") as tmp,
            database(backend, Path(tmp)) as url,
            running_server(url, workers=args.workers, env=SERVER_ENV, log_dir=Path(tmp)) as handle,
        ):
            with handle.client() as client:
                routes = usable_routes(client)
            workload = Workload(routes=tuple(routes), start=datetime.now(UTC), hot_share=0.2)
            report = durability_trial(
                handle,
                workload,
                np.random.default_rng(args.seed),
                threads=args.threads,
                kills=args.kills,
                kill_after=args.kill_after,
            )
            for line in report.lines():
                print(f"{backend} {line}")
            print(f"{backend} verdict: {'ok' if report.ok else 'FAILED'}")
            if not report.ok:
                failed = True
                print(handle.log_tail(), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
