"""The cache directory and atomic cache-file writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from rocketpost.world.cache import cache_dir, write_cache_file


def test_cache_directory_lookup_order(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ROCKETPOST_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("ROCKETPOST_CACHE_DIR")
    assert cache_dir() == tmp_path / "xdg" / "rocketpost"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "rocketpost"


def test_cache_file_is_written_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "data.bin"
    assert write_cache_file(target, lambda stream: stream.write(b"payload"))
    assert target.read_bytes() == b"payload"
    assert list(target.parent.iterdir()) == [target]


def test_unwritable_cache_directory_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    assert not write_cache_file(blocker / "data.bin", lambda stream: stream.write(b"x"))
    assert blocker.read_text() == "a file where the cache directory should be"


def test_a_failed_write_leaves_no_temporary(tmp_path: Path) -> None:
    def broken(stream: object) -> None:
        raise OSError("disk full")

    assert not write_cache_file(tmp_path / "data.bin", broken)
    assert list(tmp_path.iterdir()) == []
