"""The Redis index against a real redis-server (the `redis_server` fixture starts one)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cleaner.index import Index
from cleaner.index.format import IndexLocked, IndexProblem, NotAnIndex, VersionMismatch

from .corpus import batch, history
from .killing import kill_at_marker


def test_redis_gives_the_verdicts_of_the_embedded_index(redis_url: str, tmp_path: Path) -> None:
    with Index.open(redis_url) as shared, Index.open(str(tmp_path / "i.sqlite")) as local:
        for index in (shared, local):
            index.add(history()[:20])
            index.add(history()[20:])
        assert shared.store.count() == local.store.count()
        assert shared.store.key_count() == local.store.key_count()
        assert shared.query(batch()) == [
            v.__class__(v.id, v.kind, v.of, v.similarity, v.containment, _same(v, shared))
            for v in local.query(batch())
        ]
        assert shared.verify() == []


def _same(verdict: object, shared: Index) -> object:
    """The indexed representative as the Redis index numbers and dates it."""
    of = getattr(verdict, "of", None)
    indexed = getattr(verdict, "indexed", None)
    if indexed is None or of is None:
        return None
    found = shared.find(of)
    assert found is not None
    return found[0]


def test_redis_lock_names_its_holder_and_readers_go_on(redis_url: str) -> None:
    with Index.open(redis_url) as first, Index.open(redis_url) as second:
        first.add(history()[:5])
        with first.store.writer("cleaner index add"):
            with pytest.raises(IndexLocked) as caught:
                second.add(batch())
            assert len(second.query(batch())) == len(batch())
        assert f"pid {os.getpid()}" in str(caught.value)
        assert "cleaner index add" in str(caught.value)
        second.add(batch())  # released


def test_a_commit_is_all_or_nothing(redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A writer that fails before EXEC (here: the connection breaks mid-pipeline) leaves
    nothing of its batch in the index."""
    import redis

    with Index.open(redis_url) as index:
        index.add(history()[:5])
        count, keys = index.store.count(), index.store.key_count()

        execute = redis.client.Pipeline.execute

        def broken(self: redis.client.Pipeline, *args: object, **kwargs: object) -> object:
            # the commit's MULTI/EXEC breaks; the lookups before it go on
            if vars(self).get("transaction"):
                raise redis.ConnectionError("connection lost")
            return execute(self, *args, **kwargs)

        monkeypatch.setattr(redis.client.Pipeline, "execute", broken)
        with pytest.raises(redis.ConnectionError):
            index.add(batch())
        monkeypatch.undo()
        assert (index.store.count(), index.store.key_count()) == (count, keys)
        assert index.verify() == []


def test_expire_on_redis(redis_url: str) -> None:
    import time

    with Index.open(redis_url) as index:
        index.add(history())
        count = index.store.count()
        assert index.expire(3600.0, now=time.time() + 7200) == count
        assert index.store.count() == 0 and index.store.key_count() == 0
        assert not any(v.is_duplicate for v in index.query(history()[:5]))


def test_foreign_or_other_version_redis_data_is_refused(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.set("cleaner-index:next", 3)
    with pytest.raises(NotAnIndex):
        Index.open(redis_url)
    client.hset("cleaner-index:meta", mapping={"format": "cleaner-index", "version": "7"})
    with pytest.raises(VersionMismatch):
        Index.open(redis_url)
    client.close()


def test_an_unreachable_server_is_one_line() -> None:
    with pytest.raises(IndexProblem, match="cannot reach Redis"):
        Index.open("redis://127.0.0.1:1/0")


# The child sends the first half of its commit's MULTI ... EXEC to the server (the queued
# commands arrive, EXEC does not), then waits to be killed: what a writer killed mid-commit
# leaves on the wire.
_KILLED_WRITER = """
import sys, time
from pathlib import Path
import redis.connection

url, marker = sys.argv[1], Path(sys.argv[2])
send = redis.connection.AbstractConnection.send_packed_command

def half_then_wait(self, command, check_health=True):
    items = [command] if isinstance(command, (str, bytes)) else list(command)
    packed = b"".join(i.encode() if isinstance(i, str) else bytes(i) for i in items)
    if packed.startswith(b"*1\\r\\n$5\\r\\nMULTI\\r\\n"):
        send(self, [packed[: len(packed) // 2]], check_health)
        marker.write_text("in the commit")
        time.sleep(120)
    return send(self, command, check_health)

redis.connection.AbstractConnection.send_packed_command = half_then_wait
from cleaner.index import Index
from tests.index.corpus import batch
with Index.open(url) as index:
    index.add(batch())
"""


@pytest.mark.slow
def test_kill_9_during_a_redis_commit_leaves_the_index_as_it_was(
    redis_url: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    from .corpus import ROOT

    with Index.open(redis_url) as index:
        index.add(history())
        before = (index.store.count(), index.store.key_count(), index.query(batch()))
    marker = tmp_path / "marker"
    script = tmp_path / "writer.py"
    script.write_text(_KILLED_WRITER)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, str(script), redis_url, str(marker)], env=env)
    kill_at_marker(child, marker)
    with Index.open(redis_url) as index:
        after = (index.store.count(), index.store.key_count(), index.query(batch()))
        assert after == before  # nothing of the killed commit, and the same verdicts
        assert index.verify() == []
        # The dead writer's lock lapses by itself (LOCK_MS); until then a writer is told who
        # holds it, and readers go on (as above).
        with pytest.raises(IndexLocked, match="pid"):
            index.add(batch())
