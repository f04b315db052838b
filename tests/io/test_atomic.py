"""Leftovers of writes killed mid-way: found by name, removed only when their writer is gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.io.atomic import AtomicDirectory, AtomicFile, remove_stale_temporaries


def _dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_a_dead_writer_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    pid = _dead_pid()
    half = tmp_path / f".out.jsonl.{pid}.0123abcd.tmp"
    half.write_bytes(b'{"id": "a"}\n{"id"')
    tree = tmp_path / f".out.jsonl.{pid}.89abcdef.tmpdir"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "doc.txt").write_text("x")

    removed = remove_stale_temporaries(target)

    assert removed == sorted([str(half), str(tree)])
    assert not half.exists() and not tree.exists()


def test_a_write_in_progress_and_other_files_are_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("finished\n")
    dead = _dead_pid()
    keep = [
        tmp_path / "out.jsonl.rejects.jsonl",
        tmp_path / f".other.jsonl.{dead}.0123abcd.tmp",  # another target's temporary
        tmp_path / f".out.jsonl.{dead}.0123abcd.tmp.bak",  # not the temporary pattern
        tmp_path / f".out.jsonl.{dead}.XYZ.tmp",
    ]
    for path in keep:
        path.write_text("keep")
    atomic = AtomicFile(target)  # this process is alive: its temporary is in use
    atomic.open().write(b"new\n")
    assert remove_stale_temporaries(target) == []
    assert Path(atomic.temp_path).exists()
    atomic.commit()
    assert target.read_text() == "new\n"
    assert all(path.read_text() == "keep" for path in keep)


def test_an_interrupted_directory_swap_is_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "out"
    with AtomicDirectory(target) as root:
        Path(root, "a.txt").write_text("a")
    old = tmp_path / f".out.{_dead_pid()}.0123abcd.old"
    (old / "x").mkdir(parents=True)

    assert remove_stale_temporaries(target) == [str(old)]
    assert (target / "a.txt").read_text() == "a"


def test_a_missing_directory_is_nothing_to_clean(tmp_path: Path) -> None:
    assert remove_stale_temporaries(tmp_path / "nowhere" / "out.jsonl") == []


def test_pid_of_this_process_counts_as_alive(tmp_path: Path) -> None:
    temp = tmp_path / f".out.jsonl.{os.getpid()}.0123abcd.tmp"
    temp.write_text("mine")
    assert remove_stale_temporaries(tmp_path / "out.jsonl") == []
    assert temp.exists()


def test_the_only_copy_of_a_previous_directory_output_is_kept(tmp_path: Path) -> None:
    """Killed between AtomicDirectory's two renames: no target, the old tree aside."""
    dead = _dead_pid()
    old = tmp_path / f".out.{dead}.0123abcd.old"
    (old / "a.txt").parent.mkdir(parents=True)
    (old / "a.txt").write_text("previous")
    new = tmp_path / f".out.{dead}.89abcdef.tmpdir"
    new.mkdir()

    assert remove_stale_temporaries(tmp_path / "out") == [str(new)]
    assert (old / "a.txt").read_text() == "previous"


def test_names_that_only_look_like_temporaries_are_left_alone(tmp_path: Path) -> None:
    odd = [
        tmp_path / ".out.jsonl.99999999999999.deadbeef.tmp",  # no such pid can exist
        tmp_path / ".out.jsonl.\u0661\u0662.deadbeef.tmp",  # non-ASCII digits
    ]
    for path in odd:
        path.write_text("keep")
    assert remove_stale_temporaries(tmp_path / "out.jsonl") == []
    assert all(path.exists() for path in odd)


def test_what_cannot_be_deleted_is_not_reported_and_does_not_fail(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / f".out.jsonl.{_dead_pid()}.0123abcd.tmp"
    temp.write_text("stuck")

    def refuse(path: str) -> None:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "unlink", refuse)
    assert remove_stale_temporaries(tmp_path / "out.jsonl") == []
    assert temp.exists()


def test_a_special_file_is_written_directly_and_stays_special(tmp_path: Path) -> None:
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as fh:
            got.append(fh.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    with AtomicFile(fifo) as fh:
        fh.write(b"through the pipe\n")
    reader.join(timeout=60)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert os.listdir(tmp_path) == ["pipe"]  # no temporary beside it


def test_a_directory_tree_carries_the_marker(tmp_path: Path) -> None:
    from cleaner.io.atomic import OUTPUT_MARKER, is_marked_directory

    with AtomicDirectory(tmp_path / "out") as root:
        Path(root, "a.txt").write_text("a")
    assert is_marked_directory(tmp_path / "out")
    assert sorted(os.listdir(tmp_path / "out")) == [OUTPUT_MARKER, "a.txt"]
