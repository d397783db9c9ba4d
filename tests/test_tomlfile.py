"""The one TOML reader: every configuration file fails the same way (file, key path, value)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from rocketpost.errors import ConfigFileError, InputError, NetworkFileError, require_positive
from rocketpost.tomlfile import TomlReader, parse_toml, read_toml


def test_read_toml_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "x.toml"
    path.write_text('[a]\nb = 1\nname = "z"\n', encoding="utf-8")
    assert read_toml(path) == {"a": {"b": 1, "name": "z"}}
    assert read_toml(str(path)) == {"a": {"b": 1, "name": "z"}}


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError) as error:
        read_toml(tmp_path / "nope.toml", file="nope.toml")
    assert error.value.file == "nope.toml"
    assert error.value.field == "<file>"
    assert "no such file" in str(error.value)


def test_a_syntax_error_names_the_file_and_the_error_class_is_kept() -> None:
    with pytest.raises(NetworkFileError) as error:
        parse_toml("[a\nb = ", file="net.toml", error=NetworkFileError)
    assert error.value.file == "net.toml"
    assert "is not valid TOML" in str(error.value)
    assert isinstance(error.value, InputError)


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.toml"
    path.write_bytes("a = 'caf\xe9'".encode("latin-1"))
    with pytest.raises(ConfigFileError, match="cannot be read"):
        read_toml(path)


@pytest.mark.parametrize(
    ("value", "expected", "reason"),
    [
        (True, float, "must be a number"),
        ("5", float, "must be a number"),
        (1.5, int, "must be a whole number"),
        (True, int, "must be a whole number"),
        (3, str, "must be a string"),
        (1, bool, "must be true or false"),
        ("x", list, "must be an array"),
    ],
)
def test_typed_refuses_the_wrong_type(value: object, expected: type, reason: str) -> None:
    reader = TomlReader("f.toml")
    with pytest.raises(ConfigFileError) as error:
        reader.typed("sec.key", value, expected)
    assert error.value.field == "sec.key"
    assert reason in error.value.reason


def test_typed_widens_integers_to_floats() -> None:
    value = TomlReader("f.toml").typed("k", 3, float)
    assert value == 3.0 and isinstance(value, float)


def test_check_keys_names_unknown_and_missing_keys() -> None:
    reader = TomlReader("f.toml")
    schema = {"speed_kmh": float, "name": str}
    with pytest.raises(ConfigFileError, match=r"sec\.speedkmh: is not a known key"):
        reader.check_keys({"speedkmh": 3}, schema, "sec")
    with pytest.raises(ConfigFileError, match=r"sec\.name: is missing"):
        reader.check_keys({"speed_kmh": 3}, schema, "sec", ("name",))
    assert reader.check_keys({"speed_kmh": 3, "name": "b"}, schema, "sec") == {
        "speed_kmh": 3.0,
        "name": "b",
    }


def test_table_and_array_of_tables() -> None:
    reader = TomlReader("f.toml")
    with pytest.raises(ConfigFileError, match="rocket: is missing"):
        reader.table({}, "rocket")
    with pytest.raises(ConfigFileError, match="rocket: must be a table"):
        reader.table({"rocket": 3}, "rocket")
    assert reader.array_of_tables({}, "hubs") == []
    with pytest.raises(ConfigFileError, match=r"hubs: is missing"):
        reader.array_of_tables({}, "hubs", required=True)
    with pytest.raises(ConfigFileError, match=r"must be an array of \[\[hubs\]\] tables"):
        reader.array_of_tables({"hubs": [1]}, "hubs")


@dataclass(frozen=True)
class _Boat:
    speed_kmh: float

    def __post_init__(self) -> None:
        require_positive("boat.speed_kmh", self.speed_kmh)


def test_build_relabels_a_dataclass_error_with_the_key_path() -> None:
    reader = TomlReader("net.toml")
    with pytest.raises(ConfigFileError) as error:
        reader.build("presets.fast.boat", _Boat, {"speed_kmh": -1.0})
    assert error.value.field == "presets.fast.boat.speed_kmh"
    assert error.value.value == -1.0
    assert str(error.value).startswith("net.toml: presets.fast.boat.speed_kmh:")
