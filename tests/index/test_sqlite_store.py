"""The embedded index: one writer, refusals in one line, and atomic commits (real SIGKILL)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cleaner.dedup.index import DedupConfig
from cleaner.errors import ConfigError
from cleaner.index import Index
from cleaner.index.format import IndexLocked, NotAnIndex, SettingsMismatch, VersionMismatch

from .corpus import ROOT, batch, history
from .killing import kill_at_marker


def _built(path: Path) -> Path:
    with Index.open(str(path)) as index:
        index.add(history())
    return path


def test_a_query_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite"
    with Index.open(str(path)) as index:
        assert all(not v.is_duplicate for v in index.query(history()[:5]))
        with pytest.raises(NotAnIndex, match="no index at"):
            index.stats()
    assert not path.exists()


def test_a_second_writer_is_told_who_holds_the_index(tmp_path: Path) -> None:
    path = _built(tmp_path / "i.sqlite")
    with Index.open(str(path)) as first, Index.open(str(path)) as second:
        with first.store.writer("cleaner dedup --update"):
            with pytest.raises(IndexLocked) as caught:
                second.add(batch())
            # readers are not blocked
            assert len(second.query(batch())) == len(batch())
        message = str(caught.value)
        assert f"pid {os.getpid()}" in message and "cleaner dedup --update" in message
        assert "\n" not in message
        second.add(batch())  # free again once the holder is done


@pytest.mark.parametrize("content", [b"not a database at all\n" * 50, b""])
def test_a_file_that_is_not_an_index_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.sqlite"
    path.write_bytes(content)
    if content:
        with pytest.raises(NotAnIndex, match="is not a cleaner index"):
            Index.open(str(path))
    else:  # an empty file is a new index
        with Index.open(str(path)) as index:
            assert not index.exists


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE t (x)")
    db.close()
    with pytest.raises(NotAnIndex, match="is not a cleaner index"):
        Index.open(str(path))


def test_another_format_version_is_refused_clearly(tmp_path: Path) -> None:
    path = _built(tmp_path / "i.sqlite")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'version'")
    db.close()
    with pytest.raises(VersionMismatch, match="format version 99; this cleaner reads version 2"):
        Index.open(str(path))


def test_other_dedup_settings_are_refused(tmp_path: Path) -> None:
    path = _built(tmp_path / "i.sqlite")
    with pytest.raises(SettingsMismatch, match="other dedup settings"):
        Index.open(str(path), DedupConfig(num_perm=64))


def test_a_directory_holds_index_sqlite(tmp_path: Path) -> None:
    (tmp_path / "idx").mkdir()
    with Index.open(str(tmp_path / "idx")) as index:
        index.add(history()[:3])
    assert (tmp_path / "idx" / "index.sqlite").is_file()


def test_verify_expire_compact(tmp_path: Path) -> None:
    path = _built(tmp_path / "i.sqlite")
    with Index.open(str(path)) as index:
        assert index.verify() == []
        count = index.store.count()
        assert index.expire(3600.0) == 0
        assert index.expire(3600.0, now=time.time() + 7200) == count
        assert index.store.count() == 0 and index.store.key_count() == 0
        index.compact()
        assert index.verify() == []
        # expired stories are no longer found
        assert not any(v.is_duplicate for v in index.query(history()[:5]))


def test_verify_finds_a_damaged_record(tmp_path: Path) -> None:
    path = _built(tmp_path / "i.sqlite")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE docs SET record = x'0102' WHERE number = 3")
    db.close()
    with Index.open(str(path)) as index:
        problems = index.verify()
    assert any("document 3" in p for p in problems)


# The child stops inside the commit's transaction (after some of its rows were written)
# and waits to be killed: the SQLite trace callback runs inside `execute`.
_CHILD = """
import sys, time, json
from pathlib import Path
from cleaner.index import sqlite_store
marker = Path(sys.argv[2])
original = sqlite_store.SqliteStore._connect

def connect(self, create):
    db = original(self, create)
    def trace(statement):
        if statement.startswith("INSERT OR IGNORE INTO keys"):
            marker.write_text("in the commit")
            time.sleep(120)
    if db is not None:
        db.set_trace_callback(trace)
    return db

sqlite_store.SqliteStore._connect = connect
{body}
"""


def _kill_during_commit(tmp_path: Path, body: str) -> None:
    marker = tmp_path / "marker"
    script = tmp_path / "child.py"
    script.write_text(_CHILD.format(body=textwrap.dedent(body)))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), str(marker)], env=env, cwd=tmp_path
    )
    kill_at_marker(child, marker)


def _snapshot(path: Path) -> tuple[int, int, list[str]]:
    with Index.open(str(path)) as index:
        assert index.verify() == []
        ids = [doc.id for doc, _ in index.store.documents()]
        return index.store.count(), index.store.key_count(), ids


@pytest.mark.slow
def test_kill_9_during_index_add_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    path = _built(tmp_path / "i.sqlite")
    before = _snapshot(path)
    body = """
        sys.path.insert(0, str(Path(sys.argv[1]).parent))
        from cleaner.index import Index
        from cleaner.document import Document
        docs = [Document(id=f"n{k}", text=f"story {k} " * 40 + str(k)) for k in range(50)]
        with Index.open(str(Path(sys.argv[1]) / "i.sqlite")) as index:
            index.add(docs)
    """
    _kill_during_commit(tmp_path, body)
    assert _snapshot(path) == before
    with Index.open(str(path)) as index:  # and the lock died with the writer
        index.add(batch())


@pytest.mark.slow
def test_kill_9_during_dedup_update_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    path = _built(tmp_path / "i.sqlite")
    before = _snapshot(path)
    batch_file = tmp_path / "batch.jsonl"
    import json

    batch_file.write_text("".join(json.dumps({"id": d.id, "text": d.text}) + "\n" for d in batch()))
    body = f"""
        from cleaner.cli.main import main
        main(["dedup", {str(batch_file)!r}, "-o", {str(tmp_path / "out.jsonl")!r},
              "--index", {str(path)!r}, "--update", "-q", "--jobs", "1"])
    """
    _kill_during_commit(tmp_path, body)
    assert _snapshot(path) == before
    assert not (tmp_path / "out.jsonl").exists()


def test_update_needs_an_index() -> None:
    from cleaner.processors.dedup import Dedup

    with pytest.raises(ConfigError, match="needs an index"):
        Dedup(Dedup.Options(update=True))


def test_a_commit_leaves_no_wal_behind_and_uses_16k_pages(tmp_path: Path) -> None:
    """The WAL is copied into the database and truncated after each commit (it would stay
    as large as the batch's transaction), and a new index has 16 KiB pages (a sketch record
    is ~2.8 KB: default 4 KiB pages would hold one each)."""
    path = _built(tmp_path / "i.sqlite")
    with Index.open(str(path)) as index:
        index.add(batch())
        assert Path(f"{path}-wal").stat().st_size == 0  # open: the file exists, empty
        assert index.store.size_bytes() == path.stat().st_size
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA page_size").fetchone()[0] == 16384
