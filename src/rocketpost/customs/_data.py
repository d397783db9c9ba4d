"""Where the shipped customs data files live (``rocketpost/customs/data``)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DATA_DIR", "data_file"]

DATA_DIR = Path(__file__).resolve().parent / "data"
"""Directory of the rules, HS, exchange-rate and screening reference files."""


def data_file(*parts: str) -> Path:
    """Path of a shipped data file, e.g. ``data_file("rules", "kr.toml")``."""
    return DATA_DIR.joinpath(*parts)
