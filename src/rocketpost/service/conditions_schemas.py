"""HTTP shapes (pydantic) of the conditions ops declare: hub weather and site sea state.

Re-exported by :mod:`rocketpost.service.schemas`; the routes are in ``api/routes/conditions.py``
and the model behind them in :mod:`rocketpost.promise.conditions`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, Strict

from rocketpost.service.fields import InModel, OutModel

__all__ = [
    "ConditionsPublic",
    "CustomsConditionsIn",
    "HubConditionsIn",
    "HubConditionsPublic",
    "SiteConditionsIn",
    "SiteConditionsPublic",
]


class HubConditionsIn(InModel):
    """``PUT /v1/conditions/hubs/{hub_id}``: the launch weather now and its forecast."""

    weather: Literal["clear", "hold_risk", "front"]
    scrub_p: Annotated[float, Strict(), Field(ge=0.0, lt=1.0)] | None = None
    front_remaining_h: Annotated[float, Field(gt=0.0, le=240.0, allow_inf_nan=False)] | None = None


class SiteConditionsIn(InModel):
    """``PUT /v1/conditions/sites/{site_id}``: the sea state of a landing site."""

    sea: Literal["open", "closed"]
    alternate: Annotated[bool, Strict()] = False
    closed_remaining_h: Annotated[float, Field(gt=0.0, le=240.0, allow_inf_nan=False)] | None = None


class CustomsConditionsIn(InModel):
    """``PUT /v1/conditions/customs``: the base rate of unplanned inspections."""

    inspection_p: Annotated[float, Strict(), Field(ge=0.0, le=1.0)]


class HubConditionsPublic(OutModel):
    """A hub's weather as quotes use it (declared, or the climate)."""

    hub_id: str
    declared: bool
    weather: str
    scrub_p: float
    front_remaining_h: float | None
    set_by: str | None = Field(None, description="who declared it (None: the climate)")
    set_at: datetime | None = None


class SiteConditionsPublic(OutModel):
    """A landing site's sea state as quotes use it (declared, or open)."""

    site_id: str
    declared: bool
    sea: str
    alternate: bool
    closed_remaining_h: float | None
    set_by: str | None = Field(None, description="who declared it (None: open by default)")
    set_at: datetime | None = None


class ConditionsPublic(OutModel):
    """``GET /v1/conditions``: every hub and site, the customs odds and noise, the target."""

    hubs: list[HubConditionsPublic]
    sites: list[SiteConditionsPublic]
    inspection_p: float
    boat_sigma: float
    last_mile_sigma: float
    confidence: float
    stored: Literal["database"] = Field(
        "database", description="kept in the database: every server process quotes under them"
    )
