"""The curated top-level package: every exported name resolves, and importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import pytest

import rocketpost


@pytest.mark.parametrize("name", rocketpost.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    value = getattr(rocketpost, name)
    assert value is not None
    if name != "__version__":
        assert getattr(value, "__name__", name) == name  # the object, not a namesake


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        rocketpost.no_such_thing  # noqa: B018


def test_dir_lists_the_exports() -> None:
    assert set(rocketpost.__all__) <= set(dir(rocketpost))


def test_import_loads_no_heavy_dependency() -> None:
    """``import rocketpost`` imports nothing heavy: the names load on first use."""
    code = (
        "import sys, rocketpost\n"
        "heavy = {'numpy', 'pyarrow', 'simpy', 'pyvrp', 'rocketpost.planning', 'rocketpost.core'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_all_is_the_lazy_table() -> None:
    assert set(rocketpost.__all__) == {"__version__", *rocketpost._EXPORTS}
