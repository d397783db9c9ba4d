"""The blank world map every PNG map of rocketpost draws on (``reach --map``, the designer's map).

Equirectangular, land from the GLOBE mask already installed
(:func:`rocketpost.world.landmask.coarse_mask`), sea in pale blue; matplotlib's Agg backend, so
no display is needed. Kept in one place so the maps look alike and a path is checked once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rocketpost.errors import InputError
from rocketpost.world.landmask import coarse_mask

__all__ = ["MAP_DPI", "png_path", "world_map_axes"]

MAP_DPI = 100
"""Dots per inch of every map figure (its pixel width is the figure's width × this)."""


def png_path(path: str | Path, field: str) -> Path:
    """``path`` as a PNG file to write, or an :class:`InputError` naming ``field``."""
    out = Path(path)
    if out.suffix.lower() != ".png":
        raise InputError(field, str(path), "must be a .png file")
    if out.parent and not out.parent.exists():
        raise InputError(field, str(path), "directory does not exist")
    return out


def world_map_axes(width_px: int = 2000) -> tuple[Any, Any]:
    """A new figure ``width_px`` wide (2:1) with the land drawn; ``(figure, axes)``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    land = coarse_mask(0.25)
    fig = plt.figure(figsize=(width_px / MAP_DPI, width_px / MAP_DPI / 2.0), dpi=MAP_DPI)
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.set_facecolor("#dbe9f6")
    ax.imshow(
        np.where(land, 1.0, np.nan),
        extent=(-180.0, 180.0, -90.0, 90.0),
        origin="upper",
        cmap="Greys",
        vmin=0.0,
        vmax=4.0,
        interpolation="nearest",
        aspect="auto",
    )
    return fig, ax
