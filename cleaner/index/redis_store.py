"""The shared index: Redis (``--index redis://host:port/db``, ``pip install 'cleaner[redis]'``).

For several scrapers feeding one index. Keys, under the prefix ``cleaner-index:``:

- ``meta`` (hash): format, version, settings; ``next`` (the last document number);
- ``doc:N`` (hash): id, date, location, added, role (`Settled`), record, text; ``docs`` and
  ``added`` (sorted sets of the numbers by number and by time added); ``id`` (hash id ->
  number);
- ``k:SPACE:KEY`` (sorted set, score = number): the holders of a lookup key, so a batch's
  capped candidates are one ``ZRANGE key 0 cap-1`` per batch key.

Key rows are written (``ZADD``) and looked up (``ZRANGE``) by server-side Lua scripts, tens
of thousands per call (`_KEY_ROWS`, `_HOLDERS`): one command per key row, ~100 per
document, cost the client 3-4x SQLite's whole commit in command encoding and replies. (The
scripts name keys they are not given as ``KEYS``: a single Redis server, not a cluster.)
A commit is one ``MULTI``/``EXEC`` transaction, its scripts included: a writer that dies
before ``EXEC`` leaves nothing behind. The writer lock is ``lock``: ``SET NX PX`` with a
random token and an expiry, refreshed while held and deleted only by its holder
(compare-and-delete script), so a crashed writer's lock lapses by itself after `LOCK_MS`.
"""

from __future__ import annotations

import contextlib
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
#: Seconds to wait for a reply before a lookup fails with a clear error.
SOCKET_TIMEOUT = 60
#: And for a commit's EXEC, this much longer per key row written (1e-4: 1,000 s more for the
#: ~10 million rows of a 100,000-document batch; measured ~10 s per million on a busy machine).
EXEC_SECONDS_PER_ROW = 1e-4
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
#: Key rows (or batch keys) per script call: a few MB of arguments, tens of ms of server time.
_SCRIPT_ROWS = 50_000
# ``ZADD``/``ZREM`` of many key rows in one call (ARGV: the command, the key prefix, and
# ``SPACE:KEY NUMBER`` rows separated by spaces): a command per row costs the client far more
# (encoding, a reply each) than the server its work. Inside the commit's MULTI/EXEC.
_KEY_ROWS = """
local command, prefix = ARGV[1], ARGV[2]
for name, number in string.gmatch(ARGV[3], "(%S+) (%S+)") do
  if command == "zadd" then
    redis.call("zadd", prefix .. name, number, number)
  else
    redis.call("zrem", prefix .. name, number)
  end
end
return 0
"""
# The capped holders of many keys of one space in one call (ARGV: the space's key prefix,
# the cap, 1 if a key with `cap` holders is crowded, the keys separated by spaces): the
# distinct holders found and the crowded keys, each as one space-separated string.
_HOLDERS = """
local prefix, cap, skip = ARGV[1], tonumber(ARGV[2]), ARGV[3] == "1"
local found, crowded, seen = {}, {}, {}
for key in string.gmatch(ARGV[4], "%S+") do
  local members = redis.call("zrange", prefix .. key, 0, cap - 1)
  if skip and #members >= cap then
    crowded[#crowded + 1] = key
  else
    for _, number in ipairs(members) do
      if not seen[number] then
        seen[number] = true
        found[#found + 1] = number
      end
    end
  end
end
return {table.concat(found, " "), table.concat(crowded, " ")}
"""


class RedisStore:
    """`IndexStore` on a Redis database (see module doc)."""

    def __init__(self, location: str) -> None:
        redis = require(REDIS, f"index {location}")
        self.location = location
        self._errors: tuple[type[BaseException], ...] = (redis.RedisError,)
        try:
            self._redis: Any = redis
            self._db: Any = redis.Redis.from_url(location, socket_timeout=SOCKET_TIMEOUT)
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
                # The server may be busy with this writer's own commit (an EXEC runs alone),
                # or briefly unreachable: try again at the next tick.
                with contextlib.suppress(*self._errors):
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
        found: list[int] = []
        crowded: list[tuple[int, int]] = []
        for space in spaces(keys):
            kind = space // 1024
            wanted = sorted_unique(keys.key[keys.space == space]).tolist()
            pipe = self._db.pipeline(transaction=False)
            for lo in range(0, len(wanted), _SCRIPT_ROWS):
                names = " ".join(map(str, wanted[lo : lo + _SCRIPT_ROWS]))
                pipe.eval(
                    _HOLDERS,
                    0,
                    self._key("k", space, ""),
                    caps[kind],
                    int(kind in skip),
                    names,
                )
            for numbers, full in pipe.execute():
                found += map(int, numbers.split())
                crowded += [(space, int(key)) for key in full.split()]
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
        now = time.time()
        # The EXEC runs every key row on the server before it answers (~10 s per million
        # rows): its own connection, with a timeout that grows with the rows.
        timeout = SOCKET_TIMEOUT + len(keys) * EXEC_SECONDS_PER_ROW
        client = self._redis.Redis.from_url(self.location, socket_timeout=timeout)
        try:
            return self._commit(client, settings, docs, keys, first, now)
        finally:
            client.close()

    def _commit(
        self,
        client: Any,
        settings: str,
        docs: Sequence[NewDoc],
        keys: KeyRows,
        first: int,
        now: float,
    ) -> list[int]:
        """`commit`'s one MULTI/EXEC on `client`: `docs` numbered from `first`; their
        numbers."""
        numbers = list(range(first, first + len(docs)))
        pipe = client.pipeline(transaction=True)  # MULTI ... EXEC: all or nothing
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
        if docs:  # one variadic command each, not one per document
            pipe.zadd(self._key("docs"), {str(number): number for number in numbers})
            pipe.zadd(self._key("added"), {str(number): now for number in numbers})
            ids = {doc.id: number for doc, number in zip(docs, numbers, strict=True)}
            pipe.hset(self._key("id"), mapping=ids)
        self._key_rows(pipe, "zadd", keys, np.array(numbers, dtype=np.int64)[keys.doc])
        pipe.incrby(self._key("keys"), len(keys))
        pipe.set(self._key("next"), first + len(docs) - 1)
        pipe.execute()
        return numbers

    def _key_rows(self, pipe: Any, command: str, keys: KeyRows, numbers: I64Array) -> None:
        """Queue `command` (``zadd`` or ``zrem``) of document ``numbers[i]`` on the holder set
        of key row ``i`` of `keys`, `_SCRIPT_ROWS` rows per script call (`_KEY_ROWS`)."""
        rows = [
            f"{space}:{key} {number}"
            for space, key, number in zip(
                keys.space.tolist(), keys.key.tolist(), numbers.tolist(), strict=True
            )
        ]
        for lo in range(0, len(rows), _SCRIPT_ROWS):
            part = " ".join(rows[lo : lo + _SCRIPT_ROWS])
            pipe.eval(_KEY_ROWS, 0, command, self._key("k", ""), part)

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
            self._key_rows(pipe, "zrem", keys, np.full(len(keys), number, dtype=np.int64))
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
