"""Where cleaner's cache lives and which files in it a run may believe."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cleaner.cache import cache_dir, trusted


def test_the_cache_directory_follows_xdg_and_can_be_switched_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("CLEANER_NO_CACHE", raising=False)
    assert cache_dir() == tmp_path / "cleaner"
    monkeypatch.setenv("CLEANER_NO_CACHE", "1")
    assert cache_dir() is None
    monkeypatch.setenv("CLEANER_NO_CACHE", "0")
    assert cache_dir() == tmp_path / "cleaner"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # not absolute: ignored, per XDG
    assert cache_dir() == Path.home() / ".cache" / "cleaner"


def test_only_a_private_regular_file_of_this_user_is_trusted(tmp_path: Path) -> None:
    own = tmp_path / "own"
    own.write_bytes(b"x")
    os.chmod(own, 0o644)
    assert trusted(own)
    os.chmod(own, 0o664)
    assert not trusted(own)  # the group could write it
    os.chmod(own, 0o646)
    assert not trusted(own)  # anyone could write it
    assert not trusted(tmp_path)  # a directory
    assert not trusted(tmp_path / "missing")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo, 0o600)
    assert not trusted(fifo)
