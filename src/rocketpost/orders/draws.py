"""Vectorised draws and labels shared by the generator's parts: no per-row Python."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["numbered", "pick"]

# --------------------------------------------------------------------------------------------
# small vectorised helpers


def numbered(prefix: str, numbers: NDArray[np.int64], width: int) -> NDArray[np.str_]:
    """``prefix`` + zero-padded decimal numbers, built as bytes (no per-row Python)."""
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    out = np.empty((len(numbers), len(head) + width), dtype=np.uint8)
    out[:, : len(head)] = head
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    out[:, len(head) :] = (numbers[:, None] // powers) % 10 + 48
    return out.view(f"S{out.shape[1]}").ravel().astype(f"U{out.shape[1]}")


def pick(weights: NDArray[np.float64], u: NDArray[np.float64]) -> NDArray[np.int64]:
    """Index drawn with probability ∝ ``weights`` for each uniform ``u`` (inverse CDF)."""
    cumulative = np.cumsum(weights)
    index = np.searchsorted(cumulative, u * cumulative[-1], side="right")
    return np.minimum(index, len(weights) - 1).astype(np.int64)
