"""One TOML reader for every configuration file: networks, customs rules, sweep specs.

Each file kind used to parse TOML on its own and phrase its errors its own way. They now all read
through :func:`read_toml` and check values through :class:`TomlReader`, so every bad file fails
the same way: a :class:`~rocketpost.errors.ConfigFileError` naming the file, the key path
(``hubs[3].landing_zone``) and the offending value.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from rocketpost.errors import ConfigFileError, InputError

__all__ = ["TomlReader", "read_toml"]

_T = TypeVar("_T")
_E = TypeVar("_E", bound=ConfigFileError)


def read_toml(
    source: Path | Traversable,
    *,
    file: str | None = None,
    error: type[ConfigFileError] = ConfigFileError,
) -> dict[str, Any]:
    """Parse a TOML file (a path or a packaged resource) into a dict.

    Parameters
    ----------
    source
        The file to read.
    file
        How the file is named in errors (default: the path as given).
    error
        The :class:`ConfigFileError` subclass to raise (``NetworkFileError``, ...).

    Raises
    ------
    ConfigFileError
        The file is missing, unreadable, not UTF-8 or not valid TOML.
    """
    name = str(source) if file is None else file
    source = Path(source) if isinstance(source, str) else source
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(name, "<file>", name, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(name, "<file>", name, f"cannot be read: {exc}") from None
    return parse_toml(text, file=name, error=error)


def parse_toml(
    text: str, *, file: str = "<string>", error: type[ConfigFileError] = ConfigFileError
) -> dict[str, Any]:
    """Parse TOML text; a syntax error names the file (see :func:`read_toml`)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(file, "<toml>", None, f"is not valid TOML: {exc}") from None


class TomlReader:
    """Typed access to a parsed TOML document that reports errors with file and key path.

    Parameters
    ----------
    file
        The file's name as errors show it.
    error
        The :class:`ConfigFileError` subclass raised.
    """

    def __init__(self, file: str, error: type[ConfigFileError] = ConfigFileError) -> None:
        self.file = file
        self._error = error

    def error(self, key_path: str, value: Any, reason: str) -> ConfigFileError:
        """The error to raise for ``value`` at ``key_path``."""
        return self._error(self.file, key_path, value, reason)

    def table(self, document: Mapping[str, Any], key: str, path: str = "") -> Mapping[str, Any]:
        """``document[key]``, which must exist and be a table."""
        if key not in document:
            raise self.error(f"{path}{key}", None, "is missing")
        value = document[key]
        if not isinstance(value, Mapping):
            raise self.error(f"{path}{key}", value, "must be a table")
        return value

    def array_of_tables(
        self, document: Mapping[str, Any], key: str, *, required: bool = False
    ) -> list[Mapping[str, Any]]:
        """``document[key]`` as a list of tables (``[[key]]``); empty when absent."""
        value = document.get(key)
        if value is None:
            if required:
                raise self.error(key, None, f"is missing: add [[{key}]] tables")
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(key, value, f"must be an array of [[{key}]] tables")
        return value

    def check_keys(
        self,
        table: Mapping[str, Any],
        schema: Mapping[str, type],
        path: str,
        required: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Keys of ``table`` checked against ``schema`` (name → float/int/str/bool/list).

        Integers are accepted where a float is expected; booleans never count as numbers.
        """
        for key in table:
            if key not in schema:
                raise self.error(
                    f"{path}.{key}",
                    table[key],
                    "is not a known key; expected one of " + ", ".join(sorted(schema)),
                )
        for key in required:
            if key not in table:
                raise self.error(f"{path}.{key}", None, "is missing")
        return {key: self.typed(f"{path}.{key}", v, schema[key]) for key, v in table.items()}

    def typed(self, key_path: str, value: Any, expected: type) -> Any:
        """``value`` checked to be of ``expected`` type (ints widen to float)."""
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if expected is float and not isinstance(value, float):
            raise self.error(key_path, value, "must be a number")
        if expected is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.error(key_path, value, "must be a whole number")
        if expected is str and not isinstance(value, str):
            raise self.error(key_path, value, "must be a string")
        if expected is bool and not isinstance(value, bool):
            raise self.error(key_path, value, "must be true or false")
        if expected is list and not isinstance(value, list):
            raise self.error(key_path, value, "must be an array")
        return value

    def build(self, path: str, factory: Callable[..., _T], values: Mapping[str, Any]) -> _T:
        """Construct a validated dataclass, re-labelling its InputError with the key path."""
        try:
            return factory(**values)
        except ConfigFileError:
            raise
        except InputError as error:
            # The dataclass names "owner.field"; swap the owner for the TOML key path.
            leaf = error.field.rsplit(".", 1)[-1]
            raise self.error(f"{path}.{leaf}", error.value, error.reason) from None

    def value(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        convert: Callable[[Any], _T],
        default: Any = ...,
        what: str = "",
    ) -> _T:
        """``table[key]`` passed through ``convert``, for values a plain type cannot describe.

        Where :meth:`typed` checks a type, ``convert`` may parse and check a domain value (a
        decimal string, a list of country codes); it signals a bad value by raising
        ``TypeError``, ``ValueError`` or an ``ArithmeticError`` (``decimal.InvalidOperation``),
        which becomes an error reading "must be ``what``".

        Parameters
        ----------
        table, key
            Where the value is.
        path
            Key path of ``table`` (``"vat[2]"``); errors name ``path.key``.
        convert
            Value → result.
        default
            Returned when ``key`` is absent; without one, the key is required.
        what
            What the value must be, in words ("a decimal string such as '0.13'").
        """
        key_path = f"{path}.{key}" if path else key
        if key not in table:
            if default is ...:
                raise self.error(key_path, None, "is missing")
            return default
        raw = table[key]
        try:
            return convert(raw)
        except (TypeError, ValueError, ArithmeticError):
            expected = what or getattr(convert, "__name__", "valid")
            raise self.error(key_path, raw, f"must be {expected}") from None

    def reject_unknown(self, table: Mapping[str, Any], known: Iterable[str], path: str) -> None:
        """Fail on the first key of ``table`` (alphabetically) that is not in ``known``.

        For tables whose keys are read one by one (:meth:`value`) rather than through a
        :meth:`check_keys` schema; the message is the same as :meth:`check_keys` gives.
        """
        allowed = set(known)
        unknown = sorted(set(table) - allowed)
        if unknown:
            key = unknown[0]
            raise self.error(
                f"{path}.{key}" if path else key,
                table[key],
                "is not a known key; expected one of " + ", ".join(sorted(allowed)),
            )
