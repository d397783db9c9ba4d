"""Declared conditions live in the database: every server process and a restart see them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from rocketpost.cli.conditions import app as cli_app
from rocketpost.errors import InputError
from rocketpost.network import default_network
from rocketpost.promise.conditions import HubWeather, SiteSea, Weather
from rocketpost.service.conditions_store import ConditionsStore
from rocketpost.service.db import Database
from rocketpost.service.quotes import BELOW_CONFIDENCE

from .conftest import Api, busan, make_api, slot_ready_at


def hzb_to_busan() -> dict[str, Any]:
    body = busan(slot_ready_at())
    body.pop("customs")
    return body


@pytest.fixture(scope="module")
def second(database_url: str) -> Iterator[Api]:
    """Another server process's view: a second app on the same database."""
    yield from make_api(database_url)


def test_a_declaration_reaches_every_server_and_survives_a_restart(
    api: Api, second: Api, database_url: str
) -> None:
    _, merchant = api.merchant()
    put = api.client.put(
        "/v1/conditions/hubs/HZB",
        json={"weather": "front", "front_remaining_h": 3.0},
        headers=api.ops,
    )
    assert put.status_code == 200
    hzb = next(h for h in put.json()["hubs"] if h["hub_id"] == "HZB")
    assert hzb["set_by"] == "ops" and hzb["set_at"] is not None
    seen = second.client.get("/v1/conditions", headers=second.ops).json()
    assert next(h for h in seen["hubs"] if h["hub_id"] == "HZB")["weather"] == "front"
    # The other server quotes under it (its cache is at most a second old; GET refreshed it).
    quoted = second.client.post("/v1/quotes", json=hzb_to_busan(), headers=merchant).json()
    assert quoted["one_hour"]["reason"] == BELOW_CONFIDENCE
    # A restart: a fresh app on the same database.
    for restarted in make_api(database_url):
        again = restarted.client.get("/v1/conditions", headers=restarted.ops).json()
        assert next(h for h in again["hubs"] if h["hub_id"] == "HZB")["front_remaining_h"] == 3.0
    api.client.put("/v1/conditions/hubs/HZB", json={"weather": "clear"}, headers=api.ops)


def test_the_store_is_the_one_writer(database_url: str) -> None:
    network = default_network()
    ticks = iter(float(t) for t in range(100))
    db = Database.connect(database_url, pool_size=1)
    store = ConditionsStore(db, network, clock=lambda: next(ticks))
    try:
        with pytest.raises(InputError, match="hub_id"):
            store.declare_hub("XXX", HubWeather("clear"), set_by="t")
        with pytest.raises(InputError, match="site_id"):
            store.declare_site("XXX", SiteSea("closed"), set_by="t")
        stored = store.declare_site("PUS", SiteSea("closed", True), set_by="t")
        assert stored.sites["PUS"].set_by == "t"
        assert store.current().sea("PUS").alternate
        stored = store.declare_site("PUS", SiteSea("open"), set_by="u")
        assert stored.sites["PUS"].set_by == "u" and not store.current().detour_km("PUS")
    finally:
        store.db.dispose()


def test_cli_sets_and_shows_conditions(database_url: str) -> None:
    runner = CliRunner()
    args = ["--database-url", database_url, "--json"]
    set_hub = runner.invoke(
        cli_app, ["set-hub", "SHA", "--weather", "front", "--hours", "2", *args]
    )
    assert set_hub.exit_code == 0, set_hub.output
    shown = runner.invoke(cli_app, ["show", *args])
    rows = {r["hub_id"]: r for r in json.loads(shown.output)["hubs"]}
    assert rows["SHA"]["weather"] == Weather.FRONT and rows["SHA"]["front_remaining_h"] == 2.0
    assert rows["SHA"]["set_by"].startswith("cli:")
    bad = runner.invoke(cli_app, ["set-hub", "SHA", "--weather", "clear", "--hours", "2", *args])
    assert isinstance(bad.exception, InputError) and bad.exception.field == "hours"
    site = runner.invoke(cli_app, ["set-site", "SHA", "--sea", "closed", "--hours", "4", *args])
    assert site.exit_code == 0, site.output
    customs = runner.invoke(cli_app, ["set-customs", "--inspection-p", "0.01", *args])
    assert json.loads(customs.output)["inspection_p"] == 0.01
    runner.invoke(cli_app, ["set-customs", "--inspection-p", "0", *args])
    runner.invoke(cli_app, ["set-hub", "SHA", "--weather", "clear", *args])
    runner.invoke(cli_app, ["set-site", "SHA", "--sea", "open", *args])
