"""``rocketpost customs``: declare, screen, rules, evaluate (through CliRunner on the sub-app)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rocketpost.cli import main
from rocketpost.cli.customs import app
from rocketpost.errors import InputError

runner = CliRunner()

ORDER = {
    "order_id": "KR-1001",
    "merchant_id": "M-042",
    "created_at": "2025-08-30T10:15:00+09:00",
    "destination_country": "KR",
    "recipient_id": "R-77",
    "items": [
        {"sku": "TS-1", "description": "cotton T-shirt", "hs_code": "610910", "quantity": 2,
         "unit_value": "45.00", "currency": "USD", "unit_mass_kg": 0.25},
        {"sku": "CAP-2", "description": "baseball cap", "hs_code": "650500", "quantity": 1,
         "unit_value": "69.00", "currency": "USD", "unit_mass_kg": 0.12},
    ],
    "origin_country": "CN",
}  # fmt: skip


def _order(**changes: object) -> dict:
    return {**json.loads(json.dumps(ORDER)), **changes}


def _write(tmp_path: Path, name: str, *orders: dict) -> Path:
    path = tmp_path / name
    if name.endswith(".jsonl"):
        path.write_text("".join(json.dumps(o) + "\n" for o in orders), encoding="utf-8")
    else:
        path.write_text(json.dumps(orders[0]), encoding="utf-8")
    return path


def test_declare_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["declare", str(_write(tmp_path, "order.json", ORDER)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["declaration"]["market"] == "KR"
    assert data["declaration"]["lines"][0]["hs_code"] == "610910"
    duties = data["duties"]
    assert duties["regime"] == "standard" and duties["currency"] == "KRW"
    assert duties["de_minimis"]["reason"] == "159.00 USD > 150 USD"
    assert all(a["rule_id"] for a in duties["amounts"])


def test_declare_table_and_date_option(tmp_path: Path) -> None:
    path = _write(tmp_path, "order.json", _order(items=ORDER["items"][:1]))
    result = runner.invoke(app, ["declare", str(path), "--date", "2025-08-30"])
    assert result.exit_code == 0, result.output
    assert (
        "KR-1001" in result.output
        and "de minimis (KR-DM-150USD): 90.00 USD ≤ 150 USD" in result.output
    )


def test_declare_origin_from_the_option(tmp_path: Path) -> None:
    path = _write(tmp_path, "order.json", {k: v for k, v in ORDER.items() if k != "origin_country"})
    missing = runner.invoke(app, ["declare", str(path)])
    assert isinstance(missing.exception, InputError)
    assert str(missing.exception).startswith("order.json: origin_country: is required")
    ok = runner.invoke(app, ["declare", str(path), "--origin", "US", "--json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["duties"]["regime"] == "de_minimis"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"hs_code": "847210"}, "order.json: items[0].hs_code: heading 8472 is not in the shipped"),
        ({"currency": "XYZ"}, "order.json: items[0].currency: no exchange rate"),
        ({"unit_value": None}, "order.json: items[0].unit_value: is required"),
    ],
)
def test_declare_errors_name_file_and_field(tmp_path: Path, item: dict, message: str) -> None:
    order = _order()
    order["items"][0].update(item)
    result = runner.invoke(app, ["declare", str(_write(tmp_path, "order.json", order))])
    assert isinstance(result.exception, InputError)
    assert str(result.exception).startswith(message)


def test_screen_json_lines(tmp_path: Path) -> None:
    orders = [
        _order(order_id="A", items=ORDER["items"][:1], scanned_gross_mass_kg=0.6),
        _order(order_id="B", items=[{**ORDER["items"][0], "description": "Rolex Submariner watch",
                                      "hs_code": "910221", "quantity": 1, "unit_value": "45"}],
               destination_country="US", created_at="2025-08-30T12:00:00-04:00"),
        _order(order_id="C", destination_country="KR", origin_country="KR"),
    ]  # fmt: skip
    path = _write(tmp_path, "orders.jsonl", *orders)
    result = runner.invoke(app, ["screen", str(path), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"] == {"release": 2, "inspect": 0, "hold": 1, "parcels": 3}
    by_id = {p["order_id"]: p for p in data["parcels"]}
    assert by_id["A"]["decision"] == "release" and by_id["A"]["one_hour_allowed"]
    assert by_id["B"]["decision"] == "hold" and not by_id["B"]["may_fly"]
    assert by_id["B"]["reasons"][0]["text"].startswith("brand 'rolex' at 45.00 USD")
    assert not by_id["C"]["cross_border"]
    table = runner.invoke(app, ["screen", str(path)])
    assert table.exit_code == 0 and "release 2, inspect 0, hold 1" in table.output


def test_screen_with_trust_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "orders.jsonl", _order(order_id="A", items=ORDER["items"][:1]))
    trust = tmp_path / "trust.json"
    trust.write_text(
        json.dumps({"sellers": {"M-042": {"inspections": 10, "seizures": 8}}}), encoding="utf-8"
    )
    result = runner.invoke(app, ["screen", str(path), "--trust", str(trust), "--json"])
    reasons = json.loads(result.stdout)["parcels"][0]["reasons"]
    assert any(r["signal"] == "seller" for r in reasons)
    trust.write_text(
        json.dumps({"sellers": {"M-042": {"inspections": 1, "seizures": 2}}}), encoding="utf-8"
    )
    bad = runner.invoke(app, ["screen", str(path), "--trust", str(trust)])
    assert isinstance(bad.exception, InputError) and "trust.json: sellers.M-042.seizures" in str(
        bad.exception
    )


def test_screen_error_points_at_the_line(tmp_path: Path) -> None:
    bad = _order(order_id="B")
    bad["items"][0]["currency"] = "XYZ"
    path = _write(tmp_path, "orders.jsonl", _order(order_id="A"), bad)
    result = runner.invoke(app, ["screen", str(path)])
    assert isinstance(result.exception, InputError)
    assert str(result.exception).startswith("orders.jsonl:2: items[0].currency: no exchange rate")


def test_rules_us_before_and_after_29_august_2025() -> None:
    before = json.loads(
        runner.invoke(app, ["rules", "US", "--date", "2025-08-28", "--json"]).stdout
    )
    after = json.loads(runner.invoke(app, ["rules", "US", "--date", "2025-08-29", "--json"]).stdout)
    applied = {r["kind"]: r for r in before["rules"] if r["applies"]}
    assert applied["de_minimis"]["id"] == "US-DM-800USD"
    assert {r["id"] for r in before["rules"] if not r["applies"]} == {"US-DM-CNHK-EO14256"}
    assert [r["id"] for r in after["rules"] if r["kind"] == "de_minimis"] == [
        "US-DM-SUSPENDED-EO14324"
    ]
    assert all(r["source"] for r in after["rules"])


def test_rules_for_a_member_state_and_the_market() -> None:
    de = json.loads(runner.invoke(app, ["rules", "DE", "--date", "2026-07-01", "--json"]).stdout)
    assert de["market"] == "EU" and de["country"] == "DE"
    assert {r["id"] for r in de["rules"]} >= {"EU-FIXED-3EUR-2026", "EU-VAT-DE"}
    eu = json.loads(runner.invoke(app, ["rules", "EU", "--date", "2026-07-01", "--json"]).stdout)
    assert sum(r["kind"] == "vat" for r in eu["rules"]) == 27
    table = runner.invoke(app, ["rules", "KR", "--date", "2025-08-30", "--origin", "US"])
    assert table.exit_code == 0 and "KR-DM-US-200USD" in table.output


def test_rules_bad_input() -> None:
    result = runner.invoke(app, ["rules", "Korea"])
    assert isinstance(result.exception, InputError) and result.exception.field == "MARKET"
    result = runner.invoke(app, ["rules", "KR", "--date", "30/08/2025"])
    assert isinstance(result.exception, InputError) and result.exception.field == "--date"


@pytest.mark.parametrize("market", ["XX", "BR", "Korea"])
def test_rules_for_a_code_without_rules_is_a_one_line_error(
    market: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Through the real entry point: what a user sees on stderr, and the exit status.
    with pytest.raises(SystemExit) as done:
        main(["customs", "rules", market])
    assert done.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: MARKET: ")
    for known in ("CN", "EU", "GB", "JP", "KR", "US", "DEFAULT"):
        assert known in err
    assert f"(got '{market.upper()}')" in err


def test_rules_for_the_placeholder_market_itself() -> None:
    result = runner.invoke(app, ["rules", "DEFAULT", "--date", "2025-09-01", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["market"] == "DEFAULT" and data["rules"]


def test_evaluate_small_and_deterministic() -> None:
    first = runner.invoke(app, ["evaluate", "--n", "2000", "--seed", "3", "--json"])
    second = runner.invoke(app, ["evaluate", "--n", "2000", "--seed", "3", "--json"])
    assert first.exit_code == 0 and first.stdout == second.stdout
    data = json.loads(first.stdout)
    assert data["n_parcels"] == 2000 and {m["label"] for m in data["risks"]} == {
        "counterfeit", "empty_box", "undervalued",
    }  # fmt: skip
    table = runner.invoke(app, ["evaluate", "--n", "2000"])
    assert table.exit_code == 0 and "precision" in table.output


def test_a_malformed_origin_option_is_rejected_even_when_unused(tmp_path: Path) -> None:
    path = _write(tmp_path, "order.json", ORDER)
    for command in (["declare", str(path)], ["screen", str(path)], ["rules", "KR"]):
        result = runner.invoke(app, [*command, "--origin", "china"])
        assert isinstance(result.exception, InputError) and result.exception.field == "--origin"
