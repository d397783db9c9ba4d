"""A design for reading: JSON-ready summaries, the frontier plot, the map (PNG and GeoJSON).

Plots use matplotlib's Agg backend (no display); the map's coastline is the GLOBE mask already
installed (:func:`rocketpost.world.landmask.coarse_mask`), as for ``rocketpost reach --map``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from rocketpost.design.analysis import Design, FrontierPoint, marginal_values
from rocketpost.design.selection import drones_for
from rocketpost.world.mapfigure import png_path, world_map_axes

__all__ = ["design_geojson", "design_summary", "plot_frontier", "plot_map", "site_rows"]


def _png(path: str | Path, field: str) -> Path:
    return png_path(path, field)


def site_rows(result: Design) -> list[dict[str, Any]]:
    """The chosen sites, largest marginal value first: id, city, port, drones, cost, value."""
    chosen = result.chosen
    table = result.coverage.candidates
    values = marginal_values(result.coverage, chosen)
    costs = result.site_usd_per_year
    drones = drones_for(table.subset(chosen), result.coverage.network.drone)
    rows: list[dict[str, Any]] = [
        {
            "site_id": str(table.site_id[i]),
            "serves": f"{table.city[i]}, {table.country_code[i]}",
            "lat_deg": float(table.lat_deg[i]),
            "lon_deg": float(table.lon_deg[i]),
            "port": str(table.port[i]),
            "drones": int(drones[k]),
            "usd_per_year": float(costs[k]),
            "marginal_demand": float(values[k]),
        }
        for k, i in enumerate(chosen)
    ]
    rows.sort(key=lambda r: (-float(r["marginal_demand"]), str(r["site_id"])))
    return rows


def design_summary(result: Design) -> dict[str, Any]:
    """Everything a planner reads about one design, JSON-ready."""
    coverage = result.coverage
    total = coverage.demand.total
    return {
        "network": coverage.network.source,
        "preset": coverage.network.preset,
        "stock_hubs": list(coverage.stock_hubs),
        "demand": {
            "source": coverage.demand.source,
            "unit": coverage.demand.unit,
            "points": len(coverage.demand),
            "total": total,
        },
        "candidates": len(coverage.candidates),
        "kernel_groups": coverage.groups,
        "budget": {"sites": result.budget_sites, "usd_per_year": result.budget_usd},
        "base_covered": coverage.base_weight,
        "base_share": coverage.base_weight / total if total else 0.0,
        "ceiling_share": float(coverage.demand.weight[coverage.coverable].sum()) / total
        if total
        else 0.0,
        "solution": asdict(result.solution) | {"chosen": len(result.solution.chosen)},
        "greedy": asdict(result.baseline) | {"chosen": len(result.baseline.chosen)},
        "greedy_gap": result.greedy_gap,
        "annual_usd": result.annual_usd,
        "sites": site_rows(result),
    }


def design_geojson(result: Design) -> dict[str, Any]:
    """GeoJSON: hubs, fixed and chosen sites (with their marginal value) and covered points."""

    def point(lat: float, lon: float, properties: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": properties,
        }

    coverage = result.coverage
    features = [
        point(
            *hub.pad, {"kind": "hub", "id": hub.hub_id, "stock": hub.hub_id in coverage.stock_hubs}
        )
        for hub in coverage.network.hubs
    ]
    features += [
        point(*site.position, {"kind": "fixed_site", "id": site.site_id, "serves": site.serves})
        for site in coverage.network.extra_sites
    ]
    features += [
        point(row["lat_deg"], row["lon_deg"], {"kind": "chosen_site"} | row)
        for row in site_rows(result)
    ]
    demand = coverage.demand
    covered = coverage.covered(result.chosen)
    features += [
        point(
            float(demand.lat_deg[i]),
            float(demand.lon_deg[i]),
            {
                "kind": "covered",
                "name": str(demand.name[i]),
                "country": str(demand.country_code[i]),
                demand.unit: float(demand.weight[i]),
                "by_base": bool(coverage.base_covered[i]),
            },
        )
        for i in np.flatnonzero(covered)
    ]
    summary = design_summary(result)
    summary.pop("sites")
    return {"type": "FeatureCollection", "properties": summary, "features": features}


def plot_frontier(points: Sequence[FrontierPoint], path: str | Path, *, unit: str) -> Path:
    """Covered share against the number of sites and against the annual cost (two panels)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = _png(path, "plot")
    ordered = sorted(points, key=lambda p: (p.sites, p.annual_usd))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=100)
    sites = [p.sites for p in ordered]
    share = [100 * p.share for p in ordered]
    left.plot(sites, share, "o-", label="exact (HiGHS)")
    left.plot(sites, [100 * p.greedy_share for p in ordered], "x--", label="greedy")
    left.set_xlabel("landing sites chosen")
    left.set_ylabel(f"{unit} with a one-hour rocket promise (%)")
    left.grid(alpha=0.3)
    left.legend()
    by_cost = sorted(ordered, key=lambda p: p.annual_usd)
    right.plot([p.annual_usd / 1e9 for p in by_cost], [100 * p.share for p in by_cost], "o-")
    right.set_xlabel("annual cost (billion USD: sites, fixed sites, hub spaceports)")
    right.grid(alpha=0.3)
    fig.suptitle("Reach against budget")
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out


def plot_map(result: Design, path: str | Path, *, width_px: int = 2000) -> Path:
    """World map: covered demand points by who covers them, chosen sites, hubs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = _png(path, "map")
    fig, ax = world_map_axes(width_px)
    coverage = result.coverage
    demand = coverage.demand
    covered = coverage.covered(result.chosen)
    size = 2.0 + 40.0 * np.sqrt(demand.weight / max(float(demand.weight.max()), 1.0))
    ax.scatter(demand.lon_deg, demand.lat_deg, s=0.6, c="#8a8a8a", linewidths=0, alpha=0.5)
    new = covered & ~coverage.base_covered
    for mask, colour, label in (
        (coverage.base_covered, "#1f77b4", "covered by the base"),
        (new, "#d62728", "covered by the chosen sites"),
    ):
        ax.scatter(
            demand.lon_deg[mask],
            demand.lat_deg[mask],
            s=size[mask],
            c=colour,
            alpha=0.6,
            linewidths=0,
            label=label,
        )
    table = coverage.candidates
    chosen = result.chosen
    ax.scatter(
        table.lon_deg[chosen],
        table.lat_deg[chosen],
        s=18,
        marker="x",
        c="black",
        linewidths=0.8,
        label="chosen landing site",
    )
    hubs = coverage.network.hubs
    stock = np.array([h.hub_id in coverage.stock_hubs for h in hubs])
    lon = np.array([h.pad[1] for h in hubs])
    lat = np.array([h.pad[0] for h in hubs])
    ax.scatter(
        lon[stock], lat[stock], s=160, marker="*", c="gold", edgecolors="black", label="stock hub"
    )
    ax.scatter(
        lon[~stock], lat[~stock], s=50, marker="^", c="white", edgecolors="black", label="hub"
    )
    ax.set_xlim(-180, 180)
    ax.set_ylim(-60, 80)
    ax.legend(loc="lower left", fontsize=10)
    fig.savefig(out)
    plt.close(fig)
    return out
