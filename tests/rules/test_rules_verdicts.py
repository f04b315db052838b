"""The on-disk cache of regex safety verdicts: reused when it can be trusted, ignored when not,
and never a way for a pathological pattern to reach Python's `re`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cleaner.rules import safety, verdicts
from cleaner.rules.loader import load_rules
from cleaner.rules.locate import default_rules_dir
from cleaner.rules.matcher import ENGINE_RE, Matcher
from cleaner.rules.verdicts import FILE_NAME, VerdictCache, pattern_key, read_verdicts, stamp

PATHOLOGICAL = r"(a+)+$"
SAFE = r"\d+[a-z]+"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh XDG cache directory, and a process cache that reads it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    verdicts.reset_process_cache()
    yield tmp_path / "cleaner"
    verdicts.reset_process_cache()


@pytest.fixture
def no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any fresh safety analysis fail the test: only cached verdicts may be used."""

    def refuse(source: str) -> str | None:
        raise AssertionError(f"analysed again: {source!r}")

    monkeypatch.setattr(safety, "backtracking_risk", refuse)


def _forge(directory: Path, entries: dict[str, str | None], file_stamp: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILE_NAME
    body = {"format": verdicts.FORMAT, "stamp": file_stamp, "verdicts": entries}
    path.write_text(json.dumps(body), encoding="utf-8")
    os.chmod(path, 0o644)
    return path


def test_a_second_load_reuses_the_verdicts_written_by_the_first(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_rules([default_rules_dir()])
    assert (cache_home / FILE_NAME).is_file()
    verdicts.reset_process_cache()
    monkeypatch.setattr(safety, "backtracking_risk", lambda source: pytest.fail(source))
    second = load_rules([default_rules_dir()])
    assert [r.id for r in second] == [r.id for r in first]
    engines = [getattr(r, "pattern", None) for r in second]
    assert [m.engine for m in engines if m] == [m.engine for m in map(_pattern, first) if m]


def _pattern(rule: object) -> Matcher | None:
    return getattr(rule, "pattern", None)


def test_a_pattern_new_to_the_cache_is_analysed_and_refused(cache_home: Path) -> None:
    load_rules([default_rules_dir()])  # a warm cache of the packaged patterns
    verdicts.reset_process_cache()
    matcher = Matcher(PATHOLOGICAL)
    assert matcher.engine != ENGINE_RE
    assert "more than one way" in matcher.risk
    verdicts.process_cache().save()
    stored = read_verdicts(cache_home / FILE_NAME)
    assert stored[pattern_key(PATHOLOGICAL)] == matcher.risk


def test_the_cached_verdict_is_the_analysis_verdict(cache_home: Path) -> None:
    cache = VerdictCache(cache_home)
    assert cache.risk(PATHOLOGICAL) == safety.backtracking_risk(PATHOLOGICAL)
    assert cache.risk(SAFE) is None
    cache.save()
    again = VerdictCache(cache_home)
    assert again.risk(PATHOLOGICAL) == safety.backtracking_risk(PATHOLOGICAL)


def test_a_verdict_from_another_stamp_is_not_trusted(cache_home: Path) -> None:
    # A file claiming the pathological pattern safe, written by another analysis or Python.
    _forge(cache_home, {pattern_key(PATHOLOGICAL): None}, "0" * 64)
    assert Matcher(PATHOLOGICAL).engine != ENGINE_RE


def test_the_same_stamp_is_trusted(cache_home: Path, no_analysis: None) -> None:
    _forge(cache_home, {pattern_key(SAFE): None}, stamp())
    assert VerdictCache(cache_home).risk(SAFE) is None


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b"[]",
        json.dumps({"format": 99, "stamp": "x", "verdicts": {}}).encode(),
        json.dumps({"format": 1, "verdicts": {"k": None}}).encode(),
    ],
)
def test_a_corrupt_cache_is_ignored_and_replaced(cache_home: Path, content: bytes) -> None:
    cache_home.mkdir(parents=True)
    (cache_home / FILE_NAME).write_bytes(content)
    cache = VerdictCache(cache_home)
    assert cache.risk(PATHOLOGICAL) is not None
    cache.save()
    assert read_verdicts(cache_home / FILE_NAME) == {
        pattern_key(PATHOLOGICAL): safety.backtracking_risk(PATHOLOGICAL)
    }


def test_entries_of_the_wrong_shape_void_the_file(cache_home: Path) -> None:
    _forge(cache_home, {pattern_key(SAFE): 3}, stamp())  # type: ignore[dict-item]
    assert read_verdicts(cache_home / FILE_NAME) == {}


def test_a_file_others_can_write_is_ignored(cache_home: Path) -> None:
    path = _forge(cache_home, {pattern_key(PATHOLOGICAL): None}, stamp())
    os.chmod(path, 0o666)
    assert read_verdicts(path) == {}
    assert VerdictCache(cache_home).risk(PATHOLOGICAL) is not None


def test_a_file_of_another_user_is_ignored(
    cache_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _forge(cache_home, {pattern_key(SAFE): None}, stamp())
    assert read_verdicts(path) != {}
    monkeypatch.setattr(os, "getuid", lambda: path.stat().st_uid + 1)
    assert read_verdicts(path) == {}


def test_the_file_is_written_whole_and_private_to_its_owner(cache_home: Path) -> None:
    cache = VerdictCache(cache_home)
    cache.risk(SAFE)
    cache.save()
    names = sorted(p.name for p in cache_home.iterdir())
    assert names == [FILE_NAME]  # no temporary left beside it
    mode = (cache_home / FILE_NAME).stat().st_mode
    assert not mode & 0o022


def test_an_unwritable_cache_directory_costs_nothing_but_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory", encoding="utf-8")
    cache = VerdictCache(blocker / "cleaner")
    assert cache.risk(PATHOLOGICAL) is not None
    cache.save()  # must not raise
    assert blocker.read_text(encoding="utf-8") == "not a directory"
