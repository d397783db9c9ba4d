"""Where derived world data is cached on disk, and how a cache file is written safely.

Two caches are derived from installed packages on first use: the bit-packed land mask
(:mod:`.landmask`) and the folded city-name index (:mod:`.place_index`). Both live in one
directory: ``$ROCKETPOST_CACHE_DIR``, else ``$XDG_CACHE_HOME/rocketpost``, else
``~/.cache/rocketpost``. A cache is only ever a speed-up: when the directory cannot be written,
callers keep their data in memory, so writing here never raises.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["cache_dir", "write_cache_file"]

_log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """Directory for derived data caches (see the module docstring for the lookup order)."""
    explicit = os.environ.get("ROCKETPOST_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "rocketpost"
    return Path.home() / ".cache" / "rocketpost"


def write_cache_file(path: Path, write: Callable[[IO[bytes]], object]) -> bool:
    """Write a derived-data cache file atomically (temp file + ``os.replace``).

    Readers never see a half-written file, and concurrent writers (test workers, API workers)
    simply race to an identical result. An unwritable cache directory is not an error: the
    caller keeps its data in memory.

    Returns
    -------
    bool
        Whether the file was written.
    """
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.stem + ".", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        _log.debug("not caching %s: %s", path, error)
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.remove(temporary)
    return True
