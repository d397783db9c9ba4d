"""Shared CLI output: Rich tables for people, JSON for machines, one-line errors.

Every command prints either a human view (Rich) or, with ``--json``, exactly one JSON document on
stdout. Errors go to stderr as one line and exit with status 2, never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from rich.console import Console

__all__ = ["EXIT_USAGE", "console", "error_console", "fail", "print_json", "to_jsonable"]

EXIT_USAGE = 2
"""Exit status for bad input, matching the POSIX convention used by Click for usage errors."""

console = Console()
error_console = Console(stderr=True, highlight=False)


def to_jsonable(value: Any) -> Any:
    """Convert domain values (dataclasses, NumPy scalars/arrays, Decimal, datetimes) to JSON types.

    NaN and infinities become ``None`` so that the output is strict JSON that any client parses.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not f.name.startswith("_")
        }
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_jsonable(value.tolist())
    if isinstance(value, np.generic):
        return to_jsonable(value.item())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    return value


def print_json(value: Any) -> None:
    """Print one JSON document on stdout (no Rich markup, no wrapping)."""
    sys.stdout.write(json.dumps(to_jsonable(value), indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on one stderr line and exit with status 2."""
    error_console.print(f"error: {message}", markup=False, soft_wrap=True)
    raise SystemExit(EXIT_USAGE)
