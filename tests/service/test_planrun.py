"""Planning a day from the service's database: over real HTTP and through the CLI, on SQLite and
PostgreSQL. The booked flights and promises stay; airframes, landings and last-mile routes are
written back, and later bookings are fitted into the plan."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from typer.testing import CliRunner

from rocketpost.cli.plan import app as plan_app

from .conftest import Api, busan, miami, plan, slot_ready_at


def day_of(ready: datetime) -> str:
    return ready.date().isoformat()


def test_a_plan_run_assigns_airframes_landings_and_routes_without_moving_a_promise(
    api: Api,
) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at(24)
    booked = [api.book(headers, miami(ready, mass_kg=2.0 + k)).json() for k in range(3)]
    far = api.book(headers, busan(ready)).json()
    flights = {s["flight"]["id"] for s in [*booked, far]}
    assert len(flights) == 2

    run = plan(api, day_of(ready))
    assert run["kind"] == "full" and run["trigger"] == "ops"
    assert run["summary"]["flights_with_airframe"] >= 2
    assert run["summary"]["shipments_routed"] >= 4
    assert run["id"].startswith("pln_")

    miami_flight = api.client.get(f"/v1/flights/{booked[0]['flight']['id']}", headers=api.ops)
    body = miami_flight.json()
    assert body["plan"]["airframe_id"].startswith("NYC-")
    assert body["plan"]["landing_site"] == body["destination_hub"]
    assert body["plan"]["planned_shipments"] == 3
    assert body["plan"]["planned_kg"] == body["booked_kg"] == 2.0 + 3.0 + 4.0
    assert body["plan"]["origin"]["id"] == "NYC"
    assert body["plan"]["landing_at"] > body["launch_at"]

    manifest = api.client.get(
        f"/v1/flights/{booked[0]['flight']['id']}/manifest", headers=api.ops
    ).json()
    legs = [line["last_mile"] for line in manifest["shipments"]]
    assert all(leg["vehicle"] and leg["stop"] >= 1 for leg in legs)
    assert all(leg["planned_delivery_at"] for leg in legs)
    for before in [*booked, far]:
        after = api.client.get(f"/v1/shipments/{before['id']}", headers=headers).json()
        assert after["promised_delivery_at"] == before["promised_delivery_at"]
        assert after["flight"] == before["flight"]

    listed = api.client.get(
        "/v1/ops/plan-runs", params={"date": day_of(ready)}, headers=api.ops
    ).json()
    assert [r["id"] for r in listed["data"]][:1] == [run["id"]]


def test_a_later_booking_is_fitted_and_a_new_flight_replans(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at(48)
    first = api.book(headers, miami(ready)).json()
    plan(api, day_of(ready))
    airframe = api.client.get(f"/v1/flights/{first['flight']['id']}", headers=api.ops).json()[
        "plan"
    ]["airframe_id"]

    late = api.book(headers, miami(ready, mass_kg=3.0)).json()
    assert late["flight"]["id"] == first["flight"]["id"]
    fit = plan(api, day_of(ready))
    assert fit["kind"] == "fit"
    assert fit["summary"]["landings_routed"] == 1
    flight = api.client.get(f"/v1/flights/{first['flight']['id']}", headers=api.ops).json()
    assert flight["plan"]["airframe_id"] == airframe
    assert flight["plan"]["planned_shipments"] == 2
    manifest = api.client.get(
        f"/v1/flights/{first['flight']['id']}/manifest", headers=api.ops
    ).json()
    assert all(line["last_mile"]["vehicle"] for line in manifest["shipments"])

    # A booking on a wave the plan has no airframe for: a fit cannot place it.
    # Half an hour later: a later wave of the same day (ready is on the hour, so an hour later
    # crossed midnight for a slot at 23:00 and fell on another day's plan).
    other = api.book(headers, miami(ready + timedelta(minutes=30))).json()
    assert other["flight"]["id"] != first["flight"]["id"]
    again = plan(api, day_of(ready))
    assert again["kind"] == "full"
    new = api.client.get(f"/v1/flights/{other['flight']['id']}", headers=api.ops).json()
    assert new["plan"]["airframe_id"]


def test_plan_runs_need_the_ops_key_and_a_date(api: Api) -> None:
    _, headers = api.merchant()
    assert (
        api.client.post("/v1/ops/plan-runs", json={"date": "2030-01-01"}, headers=headers)
    ).status_code == 403
    bad = api.client.post("/v1/ops/plan-runs", json={"date": "tomorrow"}, headers=api.ops)
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "date"]


def test_the_cli_plans_from_the_database(api: Api) -> None:
    _, headers = api.merchant()
    ready = slot_ready_at(72)
    shipment = api.book(headers, miami(ready)).json()
    result = CliRunner().invoke(
        plan_app,
        [
            "--database-url",
            api.database_url,
            "--date",
            day_of(ready),
            "--last-mile-seconds",
            "0.2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["kind"] == "full" and out["shipments_routed"] == 1
    flight = api.client.get(f"/v1/flights/{shipment['flight']['id']}", headers=api.ops).json()
    assert flight["plan"]["airframe_id"].startswith("NYC-")
    bad = CliRunner().invoke(plan_app, ["--database-url", api.database_url, "--date", "someday"])
    assert bad.exit_code == 2 and "not a date" in bad.output
