"""PNG world map of a reach analysis: land, hubs, landing zones and covered cities.

The coastline comes from the GLOBE land mask already installed with global-land-mask,
downsampled to 0.25°, so the map needs no download and no tile server. Plate carrée projection:
it is what the mask grid is, and distances on it are not the point of the picture.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rocketpost.cli.reach import rule_text
from rocketpost.core.reach import ReachResult
from rocketpost.world.mapfigure import MAP_DPI, png_path, world_map_axes

__all__ = ["render_reach_map"]


def render_reach_map(result: ReachResult, path: str | Path, *, width_px: int = 2000) -> Path:
    """Draw ``result`` to a PNG file and return its path.

    Covered cities are dots sized by population and coloured by their delivery time (averaged
    over the climate: by the share of time they are promised at the confidence); hubs holding
    stock are stars, other hubs triangles, landing zones small blue crosses. The caption says
    how the promise was decided.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = png_path(path, "map")
    fig, ax = world_map_axes(width_px)

    cities = result.cities
    covered = result.covered
    # Every city as a faint dot first, so the picture shows where the people are that the
    # network does not reach.
    ax.scatter(
        cities.lon_deg, cities.lat_deg, s=0.6, c="#8a8a8a", linewidths=0, alpha=0.5, zorder=2
    )
    if covered.any():
        sizes = np.clip(np.sqrt(cities.population[covered]) / 25.0, 6.0, 120.0)
        # Averaged over the climate, a city's colour is the share of time it is promised;
        # otherwise its door-to-door minutes.
        share = result.promised_share
        minutes = result.best_s[covered] / 60.0
        colour, colour_max, label, cmap = (
            (minutes, result.threshold_min, "door-to-door minutes", "viridis_r")
            if share is None
            else (share[covered], 1.0, "share of time promised", "viridis")
        )
        points = ax.scatter(
            cities.lon_deg[covered],
            cities.lat_deg[covered],
            s=sizes,
            c=colour,
            cmap=cmap,
            vmin=0.0,
            vmax=colour_max,
            linewidths=0,
            alpha=0.8,
            zorder=6,
        )
        colorbar_axes = ax.inset_axes((0.01, 0.12, 0.012, 0.3))
        bar = fig.colorbar(points, cax=colorbar_axes)
        bar.set_label(label)
    network = result.network
    stock = np.array([h.hub_id in result.stock_hubs for h in network.hubs])
    ax.scatter(
        network.landing_lon_deg, network.landing_lat_deg, marker="x", s=20, c="#1f5fbf", zorder=4
    )
    ax.scatter(
        network.pad_lon_deg[stock],
        network.pad_lat_deg[stock],
        marker="*",
        s=70,
        c="#d62728",
        edgecolors="black",
        linewidths=0.5,
        zorder=5,
    )
    ax.scatter(
        network.pad_lon_deg[~stock],
        network.pad_lat_deg[~stock],
        marker="^",
        s=40,
        c="#ff9f1c",
        edgecolors="black",
        linewidths=0.5,
        zorder=5,
    )
    for hub in network.hubs:
        ax.annotate(
            hub.hub_id,
            (hub.pad[1], hub.pad[0]),
            xytext=(4, 4),
            textcoords="offset points",
            fontsize=8,
            zorder=6,
        )
    ax.set_xlim(-180.0, 180.0)
    ax.set_ylim(-60.0, 80.0)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(
        -178.0,
        -57.0,
        f"{result.threshold_min:g}-min reach: "
        f"{'' if result.promised_share is None else 'expected '}"
        f"{result.population_covered / 1e6:,.0f} M of "
        f"{result.population_total / 1e6:,.0f} M city people ({result.share:.1%}); "
        f"stock at {', '.join(result.stock_hubs)}; wave wait: {result.wave_wait.value}; "
        f"{rule_text(result)}",
        fontsize=9,
        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"},
        zorder=7,
    )
    fig.savefig(out, dpi=MAP_DPI)
    plt.close(fig)
    return out
