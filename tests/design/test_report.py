"""Summaries, GeoJSON, the frontier plot and the map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rocketpost.design.analysis import design, frontier
from rocketpost.design.costs import CostModel
from rocketpost.design.coverage import CoverageMatrix
from rocketpost.design.report import (
    design_geojson,
    design_summary,
    plot_frontier,
    plot_map,
    site_rows,
)
from rocketpost.errors import InputError

PNG = b"\x89PNG\r\n\x1a\n"


def test_summary_rows_and_geojson(coverage: CoverageMatrix) -> None:
    result = design(coverage, costs=CostModel(), sites=6)
    rows = site_rows(result)
    assert len(rows) == len(result.solution.chosen)
    values = [r["marginal_demand"] for r in rows]
    assert values == sorted(values, reverse=True)
    summary = design_summary(result)
    json.dumps(summary, default=str)
    assert summary["solution"]["share"] == pytest.approx(result.solution.share)
    geo = design_geojson(result)
    kinds = [f["properties"]["kind"] for f in geo["features"]]
    assert kinds.count("chosen_site") == len(rows)
    assert kinds.count("covered") == int(coverage.covered(result.chosen).sum())
    lon, lat = geo["features"][0]["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_pngs(coverage: CoverageMatrix, tmp_path: Path) -> None:
    costs = CostModel()
    points = frontier(coverage, costs=costs, site_counts=[1, 4, 8])
    path = plot_frontier(points, tmp_path / "frontier.png", unit="people")
    assert path.read_bytes()[:8] == PNG
    result = design(coverage, costs=costs, sites=4)
    assert plot_map(result, tmp_path / "map.png", width_px=600).read_bytes()[:8] == PNG
    with pytest.raises(InputError):
        plot_map(result, tmp_path / "map.jpg")
    with pytest.raises(InputError):
        plot_frontier(points, tmp_path / "missing" / "f.png", unit="people")
