"""Reading rules files: the shared TOML reader, errors naming file, key path and value."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rocketpost.customs.rules_file import RulesFileError, load_market
from rocketpost.errors import ConfigFileError

MINIMAL = """
[market]
id = "XX"
name = "Test"
currency = "USD"
members = ["XX"]
timezone = "UTC"

[[duty]]
id = "XX-DUTY"
effective_from = 2020-01-01
source = "test"
default_rate = "0.05"

[[inspection]]
id = "XX-INSP"
effective_from = 2020-01-01
source = "test"
minutes = 10
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "xx.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_file_loads(tmp_path: Path) -> None:
    market = load_market(_write(tmp_path, MINIMAL))
    assert market.id == "XX"
    assert market.resolve("duty", "XX", date(2021, 1, 1), None).id == "XX-DUTY"
    assert market.resolve("duty", "XX", date(2019, 1, 1), None) is None


@pytest.mark.parametrize(
    ("extra", "key", "message"),
    [
        ('\n[[duty]]\nid = "XX-DUTY2"\neffective_from = 2021-01-01\nsource = "s"\n'
         'default_rate = "0.1"\n', "duty[1].effective_from", "overlaps rule XX-DUTY"),
        ('\n[[duty]]\nid = "XX-DUTY"\neffective_from = 2019-01-01\neffective_to = 2019-06-30\n'
         'source = "s"\ndefault_rate = "0.1"\n', "duty[1].id", "duplicates"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\nsource = "s"\nstandard_rate = 0.1\n',
         "vat[0].standard_rate", "decimal string"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\nsource = "s"\nstandard_rate = "0.1"\n'
         'typo = 1\n', "vat[0].typo", "not a known key"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\nstandard_rate = "0.1"\n',
         "vat[0].source", "is missing"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\neffective_to = 2019-01-01\n'
         'source = "s"\nstandard_rate = "0.1"\n', "vat[0].effective_to", "before effective_from"),
        ('\n[[tariff]]\nid = "T"\n', "tariff", "not a rule kind"),
        ('\n[[vat]]\nid = "V"\neffective_from = 2020-01-01\nsource = "s"\nstandard_rate = "0.1"\n'
         'countries = ["ZZ"]\n', "vat[0].countries", "not all market members"),
    ],
)  # fmt: skip
def test_file_errors_name_file_and_key(tmp_path: Path, extra: str, key: str, message: str) -> None:
    with pytest.raises(RulesFileError, match=message) as error:
        load_market(_write(tmp_path, MINIMAL + extra))
    assert error.value.field == key
    assert str(error.value).startswith("xx.toml: ")


def test_a_market_needs_duty_and_inspection_rules(tmp_path: Path) -> None:
    text = MINIMAL.split("[[inspection]]")[0]
    with pytest.raises(RulesFileError, match="at least one rule") as error:
        load_market(_write(tmp_path, text))
    assert error.value.field == "inspection"


def test_invalid_toml_and_time_zone(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError, match="not valid TOML"):
        load_market(_write(tmp_path, "[market\n"))
    with pytest.raises(RulesFileError, match="IANA"):
        load_market(_write(tmp_path, MINIMAL.replace('timezone = "UTC"', 'timezone = "Mars/Base"')))


def test_rules_file_errors_are_config_file_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError) as error:
        load_market(
            _write(tmp_path, MINIMAL.replace('default_rate = "0.05"', 'default_rate = "x"'))
        )
    assert isinstance(error.value, RulesFileError)
    assert str(error.value) == (
        "xx.toml: duty[0].default_rate: must be a decimal string such as '0.13' (got 'x')"
    )
    with pytest.raises(RulesFileError, match="no such file"):
        load_market(tmp_path / "absent.toml")


def test_market_table_errors_name_the_key(tmp_path: Path) -> None:
    with pytest.raises(RulesFileError) as error:
        load_market(_write(tmp_path, MINIMAL.replace("[market]\n", "")))
    assert error.value.field == "market"
    with pytest.raises(RulesFileError, match="expected one of") as error:
        load_market(
            _write(tmp_path, MINIMAL.replace('timezone = "UTC"', 'timezone = "UTC"\nzone = 1'))
        )
    assert error.value.field == "market.zone"
    with pytest.raises(RulesFileError, match="array of") as error:
        load_market(_write(tmp_path, 'vat = "0.1"\n' + MINIMAL))
    assert error.value.field == "vat"


def test_channels_only_where_a_regime_is_limited_to_one(tmp_path: Path) -> None:
    # A channel limit on a duty rule would have no effect: refused rather than ignored.
    text = MINIMAL.replace('default_rate = "0.05"', 'default_rate = "0.05"\nchannels = ["b2c"]')
    with pytest.raises(RulesFileError, match="not a known key") as error:
        load_market(_write(tmp_path, text))
    assert error.value.field == "duty[0].channels"
