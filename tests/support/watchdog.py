"""The clean-up watchdog of a throwaway PostgreSQL server (run as a script, standard library only).

``python tests/support/watchdog.py ROOT_DIR`` is started by :mod:`tests.support.postgres` in a
session of its own, holding a pipe from the owner. Protocol on stdin, one line each: ``pid N``
(the postmaster, leader of its process group) and ``done`` (the owner cleaned up itself).
End-of-file without ``done`` means the owner died (SIGKILL, a killed test run, a crash): kill the
server's process group and delete ``ROOT_DIR``.

Standard library only, and run by path, so that it starts from any working directory without
``rocketpost`` or ``tests`` on the module path; :func:`kill_group` is shared with the owner.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import sys
import time
from pathlib import Path

__all__ = ["kill_group", "main"]


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")  # an unreaped zombie holds no files and no port


def kill_group(pid: int, grace_s: float) -> None:
    """SIGQUIT (immediate shutdown) the group led by ``pid``, then SIGKILL after ``grace_s``."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGQUIT)
    deadline = time.monotonic() + grace_s
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def main() -> None:
    """Watch stdin until ``done`` or end-of-file (argv[1]: the directory to delete)."""
    root_dir = Path(sys.argv[1])
    pid: int | None = None
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "pid":
            pid = int(argument)
        elif command == "done":
            return
    # Only a process still running on our data directory: the pid may have been reused.
    if pid is not None and str(root_dir).encode() in _cmdline(pid):
        kill_group(pid, grace_s=5.0)
    shutil.rmtree(root_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
