"""Fuzz the live booking server from its own OpenAPI schema: no input may produce a 5xx, and
every status code it answers is one the operation documents (``responses=`` of each route).

Schemathesis generates valid (positive) and invalid (negative) requests for every operation
and sends them, authenticated as a merchant and as ops, to the real ``rocketpost serve``
subprocess on SQLite and on the throwaway PostgreSQL (PostgreSQL rejects inputs SQLite stores
happily, e.g. NUL characters in text, so both must be fuzzed). Every operation is tried and
every failure collected, so one run reports all of them with a curl reproduction each.
Examples are derandomized (the same on every run); ``ROCKETPOST_FUZZ_EXAMPLES`` raises the
count per operation and mode for a deeper local run.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, status_code_conformance

from rocketpost.service import Settings, create_app
from rocketpost.service.db import upgrade
from tests.support.postgres import PostgresInstance
from tests.support.server import ServerHandle, running_server

SERVICE_DOC = Path(__file__).resolve().parents[2] / "docs" / "service.md"
SERVER_ENV = {"ROCKETPOST_RATE_LIMIT_PER_MIN": "0", "ROCKETPOST_WEBHOOKS": "0"}
EXAMPLES = int(os.environ.get("ROCKETPOST_FUZZ_EXAMPLES", "12"))


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerHandle]:
    workdir: Path = tmp_path_factory.mktemp(f"fuzz-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{workdir / 'fuzz.db'}"
    else:
        instance: PostgresInstance = request.getfixturevalue("postgres_instance")
        url = instance.create_database(f"fuzz_{uuid.uuid4().hex[:12]}")
    with running_server(url, env=SERVER_ENV, log_dir=workdir) as handle:
        yield handle


def _fuzz(handle: ServerHandle, key: str) -> tuple[int, list[str]]:
    """Fuzz every operation in both generation modes; return (requests sent, failures)."""
    schema = schemathesis.openapi.from_url(f"{handle.base_url}/openapi.json")
    headers = handle.headers(key)
    sent = 0
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: schemathesis.Case) -> None:
                nonlocal sent
                sent += 1
                response = case.call(base_url=handle.base_url, headers=headers, timeout=30)
                case.validate_response(
                    response, checks=[not_a_server_error, status_code_conformance], headers=headers
                )

            try:
                check()
            except Unsatisfiable:
                continue  # nothing to make invalid (e.g. GET /health in negative mode)
            except BaseException as error:  # FailureGroup is an exception group
                if isinstance(error, KeyboardInterrupt | SystemExit):
                    raise
                failures.append(f"{operation.label} [{mode.value}]: {error}")
    return sent, failures


@pytest.mark.parametrize("role", ["merchant", "ops"])
def test_no_input_makes_the_server_fail(server: ServerHandle, role: str) -> None:
    key = server.merchant_key if role == "merchant" else server.ops_key
    sent, failures = _fuzz(server, key)
    assert sent > 10 * EXAMPLES  # every operation really was exercised
    assert not failures, (
        f"{len(failures)} operation(s) answered 5xx or an undocumented status:\n\n"
        + "\n\n".join(failures)
        + "\n--- server log:\n"
        + server.log_tail(80)
    )
    assert server.running  # and none of it crashed the process


def _documented_statuses() -> dict[str, set[str]]:
    """``"POST /v1/quotes"`` → statuses, from the tables of docs/service.md."""
    text = SERVICE_DOC.read_text(encoding="utf-8")
    section = text.split("### Status codes per endpoint", 1)[1].split("\n#### ", 1)[0]
    tables: dict[str, set[str]] = {}
    for title, body in re.findall(r"^##### `([^`]+)`\n(.*?)(?=^##### |\Z)", section, re.S | re.M):
        tables[title] = set(re.findall(r"^\| (\d{3}) \|", body, re.M))
    return tables


def test_the_docs_list_exactly_the_statuses_the_openapi_document_lists(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'doc.db'}"
    upgrade(url)
    app = create_app(Settings.from_env(environ={}, database_url=url, webhooks=False))
    served = {
        f"{method.upper()} {re.sub(r'{[a-z_]*_id}', '{id}', path)}": set(operation["responses"])
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
    }
    assert _documented_statuses() == served
