"""The on-disk profile matrix: the same matrix as a fresh build, rebuilt whenever what it was
built from changed, and ignored when it cannot be trusted."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from cleaner.langid import profile_cache
from cleaner.langid.profile_cache import FILE_NAME, cached_profiles, read_cached, stamp
from cleaner.langid.profiles import Profiles, default_directory, load_profiles

ALPHA, BASE_FREQ = 0.5, 10_000.0


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    """Three of langdetect's profiles: a matrix small enough to build in every test."""
    target = tmp_path / "profiles"
    target.mkdir()
    for name in ("de", "en", "fr"):
        shutil.copy(default_directory() / name, target / name)
    return target


@pytest.fixture
def no_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any build from the JSON files fail the test: only the archive may be used."""

    def refuse(directory: Path, alpha: float, base_freq: float) -> Profiles:
        raise AssertionError(f"built again from {directory}")

    monkeypatch.setattr(profile_cache, "load_profiles", refuse)


def _same(left: Profiles, right: Profiles) -> bool:
    return (
        left.languages == right.languages
        and np.array_equal(left.keys, right.keys)
        and np.array_equal(left.log_weights, right.log_weights)
        and left.log_weights.dtype == right.log_weights.dtype
    )


def test_the_archive_holds_the_very_matrix_a_build_gives(profile_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    built = cached_profiles(profile_dir, ALPHA, BASE_FREQ, cache)
    assert (cache / FILE_NAME).is_file()
    assert _same(built, load_profiles(profile_dir, ALPHA, BASE_FREQ))
    read = read_cached(cache / FILE_NAME, stamp(profile_dir, ALPHA, BASE_FREQ))
    assert read is not None and _same(read, built)


def test_a_second_load_reads_the_archive(
    profile_dir: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    cache = tmp_path / "cache"
    first = cached_profiles(profile_dir, ALPHA, BASE_FREQ, cache)
    request.getfixturevalue("no_build")
    assert _same(cached_profiles(profile_dir, ALPHA, BASE_FREQ, cache), first)


def test_a_changed_profile_file_or_parameter_rebuilds(profile_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cached_profiles(profile_dir, ALPHA, BASE_FREQ, cache)
    before = stamp(profile_dir, ALPHA, BASE_FREQ)
    assert stamp(profile_dir, 0.6, BASE_FREQ) != before
    (profile_dir / "en").unlink()  # a reinstalled langdetect with one language fewer
    assert stamp(profile_dir, ALPHA, BASE_FREQ) != before
    rebuilt = cached_profiles(profile_dir, ALPHA, BASE_FREQ, cache)
    assert rebuilt.languages == ("de", "fr")
    assert read_cached(cache / FILE_NAME, before) is None  # the old matrix was replaced


@pytest.mark.parametrize("damage", ["truncated", "garbage", "unsorted", "group-writable", "stamp"])
def test_an_untrustworthy_archive_is_ignored(
    profile_dir: Path, tmp_path: Path, damage: str
) -> None:
    cache = tmp_path / "cache"
    good = cached_profiles(profile_dir, ALPHA, BASE_FREQ, cache)
    path = cache / FILE_NAME
    the_stamp = stamp(profile_dir, ALPHA, BASE_FREQ)
    if damage == "truncated":
        path.write_bytes(path.read_bytes()[:1000])
    elif damage == "garbage":
        path.write_bytes(b"not an archive at all")
    elif damage == "unsorted":
        np.savez(
            path,
            stamp=np.array(the_stamp),
            languages=np.array(good.languages),
            keys=good.keys[::-1].copy(),
            log_weights=good.log_weights,
        )
    elif damage == "group-writable":
        os.chmod(path, 0o664)
    else:
        the_stamp = "0" * 64
    assert read_cached(path, the_stamp) is None
    assert _same(cached_profiles(profile_dir, ALPHA, BASE_FREQ, cache), good)


def test_no_cache_directory_writes_nothing(profile_dir: Path, tmp_path: Path) -> None:
    before = sorted(tmp_path.rglob("*"))
    cached_profiles(profile_dir, ALPHA, BASE_FREQ, None)
    assert sorted(tmp_path.rglob("*")) == before


def test_an_unwritable_cache_directory_costs_nothing_but_time(
    profile_dir: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    built = cached_profiles(profile_dir, ALPHA, BASE_FREQ, blocker / "cleaner")
    assert built.languages == ("de", "en", "fr")
    assert blocker.read_text(encoding="utf-8") == "not a directory"


def test_the_archive_is_written_whole_and_private_to_its_owner(
    profile_dir: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cached_profiles(profile_dir, ALPHA, BASE_FREQ, cache)
    assert sorted(p.name for p in cache.iterdir()) == [FILE_NAME]  # no temporary beside it
    assert not (cache / FILE_NAME).stat().st_mode & 0o022
