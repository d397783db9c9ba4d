"""Parameter objects from TOML: one loader behind every ``*Params.from_file``.

A parameter object (:class:`~rocketpost.planning.params.PlanParams`,
:class:`~rocketpost.orders.params.GeneratorParams`, ...) is a frozen dataclass validated in its
``__post_init__``, in the style of PyVRP's ``SolveParams``: variants are made with
:func:`dataclasses.replace`, and a file holds one. The file's keys are the dataclass's fields; a
field that is itself a dataclass is a TOML table (``[consolidation]``). Values are checked
through :class:`~rocketpost.tomlfile.TomlReader`, so a bad file fails like every other
configuration file: a :class:`~rocketpost.errors.ConfigFileError` naming the file, the key path
(``consolidation.hold_below_fill``) and the value.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Self, TypeVar

from rocketpost.errors import ConfigFileError, InputError
from rocketpost.tomlfile import TomlReader, read_toml

__all__ = ["FromFile", "TableReader", "load_params", "params_from_table"]

_P = TypeVar("_P")

TableReader = Callable[[TomlReader, Mapping[str, Any], str], Any]
"""Reads one field whose type a plain TOML value cannot describe: ``(toml, table, key_path)``."""

_SCALARS = (bool, int, float, str)


class FromFile:
    """Mixin for a parameter dataclass: ``Params.from_file(path)``.

    A class may name readers for fields the generic rules cannot read in ``_toml_readers``
    (field name → :data:`TableReader`).
    """

    _toml_readers: typing.ClassVar[Mapping[str, TableReader]] = {}

    @classmethod
    def from_file(cls, path: str | Path) -> Self:
        """Read and check the parameters in TOML file ``path`` (missing keys keep defaults).

        Raises
        ------
        ConfigFileError
            The file is missing or not TOML, a key is unknown, or a value is wrong; the error
            names the file, the key path and the value.
        """
        return load_params(cls, path)


def load_params(cls: type[_P], path: str | Path) -> _P:
    """``cls`` built from TOML file ``path`` (see the module doc)."""
    file = Path(path)
    return params_from_table(TomlReader(str(file)), cls, read_toml(file), "")


def params_from_table(toml: TomlReader, cls: type[_P], table: Mapping[str, Any], path: str) -> _P:
    """``cls`` built from a parsed TOML ``table`` found at key path ``path`` ("" at the top)."""
    hints = typing.get_type_hints(cls)
    fields = [f.name for f in dataclasses.fields(cls) if f.init]  # type: ignore[arg-type]
    toml.reject_unknown(table, fields, path)
    readers: Mapping[str, TableReader] = getattr(cls, "_toml_readers", {})
    values: dict[str, Any] = {}
    for key, raw in table.items():
        key_path = _join(path, key)
        if key in readers:
            values[key] = readers[key](toml, table, key_path)
        else:
            values[key] = _value(toml, hints[key], raw, key_path)
    try:
        return cls(**values)
    except ConfigFileError:
        raise
    except InputError as error:
        # The dataclass names its own field; the file's reader wants the key path.
        leaf = error.field.rsplit(".", 1)[-1]
        raise toml.error(_join(path, leaf), error.value, error.reason) from None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _value(toml: TomlReader, hint: Any, raw: Any, key_path: str) -> Any:
    """``raw`` checked against the field type ``hint``."""
    hint = _without_none(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        if not isinstance(raw, Mapping):
            raise toml.error(key_path, raw, "must be a table")
        return params_from_table(toml, hint, raw, key_path)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        try:
            return hint(raw)
        except ValueError:
            choices = ", ".join(str(m.value) for m in hint)
            raise toml.error(key_path, raw, "must be one of " + choices) from None
    if typing.get_origin(hint) is tuple:
        items = toml.typed(key_path, raw, list)
        (element, *_rest) = typing.get_args(hint)
        return tuple(_value(toml, element, v, f"{key_path}[{i}]") for i, v in enumerate(items))
    if typing.get_origin(hint) in (Mapping, dict):
        if not isinstance(raw, Mapping):
            raise toml.error(key_path, raw, "must be a table")
        _key, element = typing.get_args(hint)
        return {k: _value(toml, element, v, f"{key_path}.{k}") for k, v in raw.items()}
    if hint is Path:
        return Path(toml.typed(key_path, raw, str))
    if hint in _SCALARS:
        return toml.typed(key_path, raw, hint)
    raise toml.error(key_path, raw, "cannot be set from a file")


def _without_none(hint: Any) -> Any:
    """``X`` for ``X | None`` (TOML has no null: an absent key keeps the default)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return hint
