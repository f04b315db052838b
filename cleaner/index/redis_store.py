"""The shared index: Redis (``--index redis://host:port/db``, ``pip install 'cleaner[redis]'``).

For several scrapers feeding one index. Keys, under the prefix ``cleaner-index:``:

- ``meta`` (hash): format, version, settings; ``next`` (the last document number);
- ``doc:N`` (hash): id, date, location, added, role (`Settled`), record, text; ``docs`` and
  ``added`` (sorted sets of the numbers by number and by time added); ``id`` (hash id ->
  number);
- ``k:SPACE:KEY`` (sorted set, score = number): the holders of a lookup key, so a batch's
  capped candidates are one ``ZRANGE key 0 cap-1`` per batch key, pipelined.

A commit is one ``MULTI``/``EXEC`` transaction: a writer that dies before ``EXEC`` leaves
nothing behind. The writer lock is ``lock``: ``SET NX PX`` with a random token and an
expiry, refreshed while held and deleted only by its holder (compare-and-delete script), so
a crashed writer's lock lapses by itself after `LOCK_MS`.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

from cleaner.dedup.lsh import sorted_unique
from cleaner.errors import ConfigError
from cleaner.index.format import FORMAT_NAME, FORMAT_VERSION, IndexLocked, IndexProblem
from cleaner.index.keys import KeyRows, spaces
from cleaner.index.store import Candidates, Header, IndexedDoc, NewDoc
from cleaner.optional import REDIS, require

I64Array = npt.NDArray[np.int64]

PREFIX = "cleaner-index:"
LOCK_MS = 30_000
_PIPELINE = 10_000
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)
_REFRESH = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then"
    " return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
)
_DOC_FIELDS = ("id", "date", "location", "added", "role")


class RedisStore:
    """`IndexStore` on a Redis database (see module doc)."""

    def __init__(self, location: str) -> None:
        redis = require(REDIS, f"index {location}")
        self.location = location
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError,)
        try:
            self._db: Any = redis.Redis.from_url(location, socket_timeout=60)
            self._db.ping()
        except (ValueError, *self._errors) as exc:
            raise IndexProblem(f"index {location}: cannot reach Redis ({exc})") from None

    def _key(self, *parts: object) -> str:
        return PREFIX + ":".join(str(p) for p in parts)

    def header(self) -> Header | None:
        meta = {k.decode(): v.decode() for k, v in self._db.hgetall(self._key("meta")).items()}
        if not meta:
            if self._db.exists(self._key("next"), self._key("docs")):
                return Header(None, None, None)
            return None
        return Header(meta.get("format"), meta.get("version"), meta.get("settings"))

    @contextmanager
    def writer(self, what: str) -> Iterator[None]:
        lock = self._key("lock")
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        token = f"pid {os.getpid()} on {socket.gethostname()} since {stamp} ({what})"
        token += f" #{secrets.token_hex(8)}"
        if not self._db.set(lock, token, nx=True, px=LOCK_MS):
            holder = (self._db.get(lock) or b"another process").decode("utf-8", "replace")
            holder = holder.rsplit(" #", 1)[0]
            raise IndexLocked(
                f"index {self.location} is being written by {holder}; one writer at a time:"
                " try again when it has finished"
            )
        done = threading.Event()

        def refresh() -> None:
            while not done.wait(LOCK_MS / 3000):
                self._db.eval(_REFRESH, 1, lock, token, LOCK_MS)

        keeper = threading.Thread(target=refresh, daemon=True)
        keeper.start()
        try:
            yield
        finally:
            done.set()
            keeper.join()
            self._db.eval(_RELEASE, 1, lock, token)

    def candidates(self, keys: KeyRows, caps: dict[int, int], skip: frozenset[int]) -> Candidates:
        if not len(keys):
            return Candidates.of([], [])
        wanted = [
            (space, key)
            for space in spaces(keys)
            for key in sorted_unique(keys.key[keys.space == space]).tolist()
        ]
        found: list[int] = []
        crowded: list[tuple[int, int]] = []
        for lo in range(0, len(wanted), _PIPELINE):
            pipe = self._db.pipeline(transaction=False)
            part = wanted[lo : lo + _PIPELINE]
            for space, key in part:
                pipe.zrange(self._key("k", space, key), 0, caps[space // 1024] - 1)
            for (space, key), members in zip(part, pipe.execute(), strict=True):
                kind = space // 1024
                if kind in skip and len(members) >= caps[kind]:
                    crowded.append((space, key))
                else:
                    found.extend(int(m) for m in members)
        return Candidates.of(found, crowded)

    def load(self, numbers: I64Array) -> tuple[list[IndexedDoc], list[bytes]]:
        docs: list[IndexedDoc] = []
        records: list[bytes] = []
        wanted = numbers.tolist()
        for lo in range(0, len(wanted), _PIPELINE):
            pipe = self._db.pipeline(transaction=False)
            part = wanted[lo : lo + _PIPELINE]
            for number in part:
                pipe.hmget(self._key("doc", number), *_DOC_FIELDS, "record")
            for number, values in zip(part, pipe.execute(), strict=True):
                if values[-1] is None:
                    raise IndexProblem(f"{self.location}: document {number} missing (corrupt)")
                docs.append(_indexed(number, values))
                records.append(bytes(values[-1]))
        return docs, records

    def commit(self, settings: str, docs: Sequence[NewDoc], keys: KeyRows) -> list[int]:
        first = int(self._db.get(self._key("next")) or 0) + 1
        numbers = list(range(first, first + len(docs)))
        now = time.time()
        pipe = self._db.pipeline(transaction=True)  # MULTI ... EXEC: all or nothing
        pipe.hsetnx(self._key("meta"), "format", FORMAT_NAME)
        pipe.hsetnx(self._key("meta"), "version", str(FORMAT_VERSION))
        pipe.hsetnx(self._key("meta"), "settings", settings)
        for number, doc in zip(numbers, docs, strict=True):
            fields: dict[str, Any] = {
                "id": doc.id,
                "date": doc.date,
                "location": doc.location,
                "added": repr(now),
                "record": doc.record,
                "role": doc.role,
            }
            if doc.text is not None:
                fields["text"] = doc.text
            pipe.hset(self._key("doc", number), mapping=fields)
            pipe.zadd(self._key("docs"), {str(number): number})
            pipe.zadd(self._key("added"), {str(number): now})
            pipe.hset(self._key("id"), doc.id, number)
        number_of = np.array(numbers, dtype=np.int64)
        for space, key, row in zip(
            keys.space.tolist(), keys.key.tolist(), keys.doc.tolist(), strict=True
        ):
            number = int(number_of[row])
            pipe.zadd(self._key("k", space, key), {str(number): number})
        pipe.incrby(self._key("keys"), len(keys))
        pipe.set(self._key("next"), first + len(docs) - 1)
        pipe.execute()
        return numbers

    def find(self, doc_id: str) -> tuple[IndexedDoc, bytes, str | None] | None:
        number = self._db.hget(self._key("id"), doc_id)
        if number is None:
            return None
        values = self._db.hmget(self._key("doc", int(number)), *_DOC_FIELDS, "record", "text")
        if values[-2] is None:
            return None
        text = values[-1].decode("utf-8") if values[-1] is not None else None
        return _indexed(int(number), values[:-2]), bytes(values[-2]), text

    def documents(self) -> Iterator[tuple[IndexedDoc, bytes]]:
        numbers = [int(n) for n in self._db.zrange(self._key("docs"), 0, -1)]
        docs, records = self.load(np.array(numbers, dtype=np.int64))
        yield from zip(docs, records, strict=True)

    def count(self) -> int:
        return int(self._db.zcard(self._key("docs")))

    def key_count(self) -> int:
        return int(self._db.get(self._key("keys")) or 0)

    def size_bytes(self) -> int:
        """The Redis server's memory in use (the whole server's: an upper bound)."""
        return int(self._db.info("memory")["used_memory"])

    def check(self) -> list[str]:
        problems: list[str] = []
        listed = self.count()
        last = int(self._db.get(self._key("next")) or 0)
        if listed > last:
            problems.append(f"{listed} documents listed but the last number is {last}")
        return problems

    def added_before(self, before: float) -> list[int]:
        found = self._db.zrangebyscore(self._key("added"), "-inf", f"({before!r}")
        return sorted(int(n) for n in found)

    def expire(self, before: float, keys_of: dict[int, KeyRows]) -> int:
        ids = {}
        for number in keys_of:
            doc_id = self._db.hget(self._key("doc", number), "id")
            if doc_id is not None:
                ids[number] = doc_id
        pipe = self._db.pipeline(transaction=True)
        removed = 0
        for number, keys in keys_of.items():
            for space, key in zip(keys.space.tolist(), keys.key.tolist(), strict=True):
                pipe.zrem(self._key("k", space, key), str(number))
            removed += len(keys)
            pipe.delete(self._key("doc", number))
            pipe.zrem(self._key("docs"), str(number))
            pipe.zrem(self._key("added"), str(number))
            if number in ids:
                pipe.hdel(self._key("id"), ids[number])
        pipe.decrby(self._key("keys"), removed)
        pipe.execute()
        return len(keys_of)

    def compact(self) -> None:
        """Nothing to do: Redis frees what `expire` deletes at once."""

    def close(self) -> None:
        self._db.close()


def _indexed(number: int, values: Sequence[bytes | None]) -> IndexedDoc:
    """The `_DOC_FIELDS` of document `number` as read."""
    text = [(v or b"").decode("utf-8", "surrogatepass") for v in values[: len(_DOC_FIELDS)]]
    try:
        added = float(text[3] or 0)
        role = int(text[4] or 0)
    except ValueError:
        raise ConfigError(f"document {number}: bad time added or role {text[3:5]!r}") from None
    return IndexedDoc(
        number=number, id=text[0], date=text[1], location=text[2], added=added, role=role
    )
