"""What the designer's commands print and write: the tables (sites, frontier, sensitivity), the
designed network file with its header, and the files of a design (``--out DIR``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from rocketpost.design.analysis import Design, FrontierPoint, SensitivityRow
from rocketpost.design.economics import fleet_economics
from rocketpost.design.network_file import network_toml
from rocketpost.design.report import design_geojson, plot_map, site_rows

__all__ = [
    "design_header",
    "economics",
    "frontier_table",
    "sensitivity_table",
    "sites_table",
    "write_design",
    "write_network",
]


def design_header(result: Design, command: str, extra: Sequence[str] = ()) -> str:
    """Header of a designed network file: the command, the base, the solution and its cost."""
    s = result.solution
    coverage = result.coverage
    return "\n".join(
        [
            "Network designed by rocketpost's network designer (docs/design.md). GENERATED.",
            f"Command: {command}",
            f"Base: {coverage.network.source} (preset {coverage.network.preset}); every section "
            "below is that network's, after its preset (see it for the source of each figure).",
            f"Stock at {', '.join(coverage.stock_hubs)}; demand: {coverage.demand.source}.",
            *extra,
            f"Chosen: {len(s.chosen)} of {len(coverage.candidates)} candidate sites by the "
            f"maximal covering model ({s.solver}, {s.status}, gap {s.gap:.2e}).",
            f"One-hour rocket promise: {s.objective:,.0f} {coverage.demand.unit} "
            f"({s.share:.2%}); base alone {coverage.base_weight:,.0f}; annual cost "
            f"${result.annual_usd / 1e6:,.0f} M (sites, fixed sites, hub spaceports).",
        ]
    )


def write_design(
    result: Design,
    summary: dict[str, Any],
    folder: Path,
    command: str,
    extra_header: Sequence[str] = (),
) -> list[Path]:
    """Write ``network.toml``, ``design.json``, ``design.geojson`` and ``map.png`` to
    ``folder``; return the paths written."""
    written = [write_network(result, folder / "network.toml", command, extra_header)]
    contents = {
        "design.json": json.dumps(summary, indent=2, default=str),
        "design.geojson": json.dumps(design_geojson(result)),
    }
    for name, content in contents.items():
        (folder / name).write_text(content, encoding="utf-8")
        written.append(folder / name)
    written.append(plot_map(result, folder / "map.png"))
    return written


def write_network(
    result: Design, path: Path, command: str, extra_header: Sequence[str] = ()
) -> Path:
    """Write the designed network file (its header records ``command``) to ``path``."""
    coverage = result.coverage
    chosen = coverage.candidates.subset(result.chosen)
    header = design_header(result, command, extra_header)
    path.write_text(network_toml(coverage.network, chosen, header=header), encoding="utf-8")
    return path


def economics(network_file: Path, result: Design, orders_per_day: float) -> dict[str, Any]:
    """Fleet and cost per kg of the designed network (read back from its file, as every
    command reads it) at ``orders_per_day``."""
    from rocketpost.network import load_network

    coverage = result.coverage
    return fleet_economics(
        load_network(network_file),
        coverage.demand,
        stock_hubs=list(coverage.stock_hubs),
        orders_per_day=orders_per_day,
        costs=result.costs,
    ).summary()


def sites_table(result: Design, top: int) -> Table:
    """The chosen sites by marginal value (the ``top`` largest)."""
    unit = result.coverage.demand.unit
    view = Table(title=f"chosen sites by marginal value (top {top})")
    for column in ("site", "serves", "port", "drones", "$M/yr", f"alone ({unit}, M)"):
        view.add_column(column, justify="left" if column in ("site", "serves", "port") else "right")
    for row in site_rows(result)[:top]:
        view.add_row(
            row["site_id"],
            row["serves"],
            row["port"],
            str(row["drones"]),
            f"{row['usd_per_year'] / 1e6:.1f}",
            f"{row['marginal_demand'] / 1e6:.2f}",
        )
    return view


def frontier_table(points: Sequence[FrontierPoint], stock_hubs: Sequence[str]) -> Table:
    """Reach against budget, one row per budget."""
    view = Table(title=f"reach against budget (stock at {', '.join(stock_hubs)})")
    for column in ("sites", "$M/yr", "share", "covered M", "gap", "greedy share", "solve s"):
        view.add_column(column, justify="right")
    for p in points:
        view.add_row(
            str(p.sites),
            f"{p.annual_usd / 1e6:,.0f}",
            f"{p.share:.2%}",
            f"{p.covered / 1e6:,.1f}",
            f"{p.gap:.1e}",
            f"{p.greedy_share:.2%}",
            f"{p.seconds:.2f}",
        )
    return view


def sensitivity_table(rows: Sequence[SensitivityRow], sites: int, share: float) -> Table:
    """The design re-solved with one parameter changed, one row per concept."""
    view = Table(title=f"sensitivity at {sites} sites (now {share:.2%})")
    for column in ("parameter", "value", "share", "change", "ceiling"):
        view.add_column(column, justify="left" if column == "parameter" else "right")
    for r in rows:
        view.add_row(
            r.key,
            f"{r.value:g}",
            f"{r.share:.2%}",
            f"{r.delta_share:+.2%}",
            f"{r.ceiling_share:.2%}",
        )
    return view
