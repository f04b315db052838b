"""The work directory: resumed when its fingerprint matches, wiped only when it is ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.errors import ConfigError
from cleaner.run.workdir import open_workdir


def _killed_in_the_reduce(path: Path) -> None:
    """A work directory as a run killed while reduce workers wrote finished shards leaves it."""
    workdir, _ = open_workdir(str(path), "old digest")
    Path(workdir.shard_file(0)).write_bytes(b"results")
    Path(workdir.done_file(0)).write_text("1\n")
    Path(workdir.finish_dir).mkdir()
    Path(workdir.finished_file(0, "out")).write_bytes(b'{"id": "a"')


def test_same_fingerprint_resumes_and_keeps_the_shards(tmp_path: Path) -> None:
    _killed_in_the_reduce(tmp_path / "work")
    workdir, notice = open_workdir(str(tmp_path / "work"), "old digest")
    assert notice.startswith("cleaner: resuming from") and "(1 shards already done)" in notice
    assert workdir.is_done(0)


def test_another_fingerprint_wipes_a_directory_with_finished_shards(tmp_path: Path) -> None:
    _killed_in_the_reduce(tmp_path / "work")
    workdir, notice = open_workdir(str(tmp_path / "work"), "new digest")
    assert "starting afresh" in notice
    assert not workdir.is_done(0) and not Path(workdir.finish_dir).exists()


def test_a_directory_with_foreign_files_is_never_wiped(tmp_path: Path) -> None:
    _killed_in_the_reduce(tmp_path / "work")
    (tmp_path / "work" / "notes.txt").write_text("precious")
    with pytest.raises(ConfigError, match=r"notes\.txt"):
        open_workdir(str(tmp_path / "work"), "new digest")
    assert (tmp_path / "work" / "notes.txt").read_text() == "precious"
