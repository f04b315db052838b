"""The work directory: resumed when its fingerprint matches, wiped only when it is ours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cleaner.errors import ConfigError
from cleaner.run.shards import SHARD_CHARS
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


def test_the_fingerprint_changes_with_a_rule_file_s_contents(tmp_path: Path) -> None:
    from cleaner.run.workdir import fingerprint

    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "a.toml").write_text("pack = 'a'\n")
    (rules / "notes.txt").write_text("not a rule file")
    config = {"boilerplate": {"rules_dirs": [str(rules)]}}

    def digest() -> str:
        return fingerprint(config, [], version="1", shard_size=10, shard_chars=SHARD_CHARS)

    before = digest()
    (rules / "notes.txt").write_text("edited, but the rule loader never reads it")
    assert digest() == before
    (rules / "a.toml").write_text("pack = 'b'\n")
    assert digest() != before


def test_a_locked_workdir_refuses_a_second_holder_with_its_pid(tmp_path: Path) -> None:
    import os

    from cleaner.run.workdir import lock_path, locked

    work = str(tmp_path / "work")
    with locked(work):
        assert Path(lock_path(work)).read_text() == f"{os.getpid()}\n"
        busy = rf"{re.escape(work)} is in use .* \(pid {os.getpid()}\)"
        with pytest.raises(ConfigError, match=busy), locked(work):
            pass
    assert not Path(lock_path(work)).exists()
    with locked(work):  # free again
        pass


def test_a_wipe_of_a_stale_workdir_never_touches_the_lock(tmp_path: Path) -> None:
    from cleaner.run.workdir import lock_path, locked

    work = tmp_path / "work"
    _killed_in_the_reduce(work)
    with locked(str(work)):
        open_workdir(str(work), "new digest")
        assert Path(lock_path(str(work))).exists()
        assert not Path(lock_path(str(work))).is_relative_to(work)


def test_a_forked_child_does_not_keep_the_lock(tmp_path: Path) -> None:
    import os

    from cleaner.run.workdir import lock_path, locked

    def lock_fds() -> list[str]:
        """This process's descriptors open on the lock file."""
        fds = Path("/proc/self/fd")
        lock = os.path.realpath(lock_path(str(tmp_path / "work")))
        return [fd.name for fd in fds.iterdir() if os.path.realpath(fd) == lock]

    with locked(str(tmp_path / "work")):
        assert len(lock_fds()) == 1
        pid = os.fork()
        if pid == 0:  # the child: it must not hold the lock on its parent's behalf
            os._exit(0 if lock_fds() == [] else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
