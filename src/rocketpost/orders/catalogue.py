"""The product catalogue the generator draws from (``data/catalogue.csv``), as columns."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

__all__ = ["Catalogue", "load_catalogue"]


@dataclass(frozen=True, eq=False)
class Catalogue:
    """Products of ``data/catalogue.csv`` as columns (see the file's header comment)."""

    sku: NDArray[np.str_]
    description: NDArray[np.str_]
    hs_code: NDArray[np.str_]
    unit_mass_kg: NDArray[np.float64]
    unit_volume_m3: NDArray[np.float64]
    unit_value_usd: NDArray[np.float64]
    b2c_weight: NDArray[np.float64]
    b2b_weight: NDArray[np.float64]
    dangerous_goods_class: NDArray[np.str_]
    export_countries: tuple[frozenset[str], ...]

    def __len__(self) -> int:
        return len(self.sku)


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The packaged product catalogue (cached)."""
    text = resources.files("rocketpost.orders").joinpath("data/catalogue.csv").read_text("utf-8")
    rows = list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))
    return Catalogue(
        sku=np.array([r["sku"] for r in rows]),
        description=np.array([r["description"] for r in rows]),
        hs_code=np.array([r["hs_code"] for r in rows]),
        unit_mass_kg=np.array([float(r["unit_mass_kg"]) for r in rows]),
        unit_volume_m3=np.array([float(r["unit_volume_m3"]) for r in rows]),
        unit_value_usd=np.array([float(r["unit_value_usd"]) for r in rows]),
        b2c_weight=np.array([float(r["b2c_weight"]) for r in rows]),
        b2b_weight=np.array([float(r["b2b_weight"]) for r in rows]),
        dangerous_goods_class=np.array([r["dangerous_goods_class"] for r in rows]),
        export_countries=tuple(
            frozenset(c for c in r["export_countries"].split(";") if c) for r in rows
        ),
    )
