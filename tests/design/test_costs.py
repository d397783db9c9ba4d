"""The annual cost model and its file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rocketpost.design.costs import CostModel, default_costs
from rocketpost.errors import ConfigFileError, InputError


def test_site_and_hub_costs() -> None:
    costs = CostModel(
        vessel_usd_per_year=100.0,
        site_crew=2,
        crew_usd_per_person_year=10.0,
        drone_usd_per_year=1.0,
        spaceport_usd_per_hub_year=1000.0,
    )
    assert np.array_equal(costs.site_usd_per_year([0, 5]), [120.0, 125.0])
    assert costs.hubs_usd_per_year(3) == 3000.0


def test_packaged_file_loads() -> None:
    assert default_costs().vessel_usd_per_year > 0


def test_bad_file_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "costs.toml"
    path.write_text("vessel_usd_per_year = -5.0\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match="vessel_usd_per_year"):
        CostModel.from_file(path)
    path.write_text("yacht = 1.0\n", encoding="utf-8")
    with pytest.raises(ConfigFileError, match="yacht"):
        CostModel.from_file(path)
    with pytest.raises(InputError):
        CostModel(drone_usd_per_year=float("nan"))
