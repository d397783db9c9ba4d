"""rocketpost: one-hour worldwide e-commerce delivery by reusable sea-landing rockets."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
