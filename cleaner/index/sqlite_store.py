"""The embedded index: one SQLite database in WAL mode (stdlib `sqlite3`, no server).

Layout (``FILE``, or ``DIR/index.sqlite`` when a directory is given; SQLite keeps its
``-wal`` and ``-shm`` files beside it, and the writer lock is ``FILE.lock``):

- ``meta(key, value)``: format name, version, sketch settings (`format`);
- ``docs(number, id, date, location, added, record, text, role)``: one row per indexed
  document, ``record`` its sketches (`codec`), ``text`` only with ``--store-text``, ``role``
  what it was decided to be (`Settled`: kept, or a copy and of which stage);
- ``keys(space, key, number)``, a ``WITHOUT ROWID`` table whose primary key is the lookup:
  the holders of a key are one B-tree range, so a batch's candidates cost a lookup per
  batch key (`candidates`), however long the history.

Why SQLite rather than LMDB: it is in the standard library (nothing to install), one file
that a user can copy, inspect and back up; WAL gives any number of readers beside one
writer; a transaction is atomic and survives ``kill -9`` (the uncommitted WAL frames are
ignored on the next open), and `PRAGMA integrity_check` verifies it. LMDB reads faster, but
needs a binding, a map size chosen in advance, and gives no query layer for the capped
holder lookup.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cleaner.index.format import FORMAT_NAME, FORMAT_VERSION, NotAnIndex
from cleaner.index.keys import KeyRows, spaces
from cleaner.index.lock import file_lock
from cleaner.index.store import Candidates, Header, IndexedDoc, NewDoc

I64Array = npt.NDArray[np.int64]

FILE_NAME = "index.sqlite"
_BATCH = 50_000
#: SQLite's page cache per connection, in KiB (128 MiB).
CACHE_KIB = 128 * 1024
#: Page size of a new index. A sketch record is ~2.8 KB: with SQLite's default 4 KiB pages
#: each takes a page of its own (a third of the docs table wasted, 3.8 KB per document);
#: 16 KiB pages hold five.
PAGE_SIZE = 16384

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    number INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    date TEXT NOT NULL,
    location TEXT NOT NULL,
    added REAL NOT NULL,
    record BLOB NOT NULL,
    text TEXT,
    role INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_id ON docs (id);
CREATE INDEX IF NOT EXISTS docs_added ON docs (added);
CREATE TABLE IF NOT EXISTS keys (
    space INTEGER NOT NULL,
    key INTEGER NOT NULL,
    number INTEGER NOT NULL,
    PRIMARY KEY (space, key, number)
) WITHOUT ROWID;
"""

_DOC = "number, id, date, location, added, role"

# `SqliteStore.candidates`, for the keys of one space (``?2``) given as a JSON array (``?1``):
# the keys with more than ``?3`` holders; every holder of the keys; their first ``?3 + 1``.
_CROWDED = (
    "SELECT j.value FROM json_each(?1) j WHERE EXISTS (SELECT 1 FROM keys k"
    " WHERE k.space = ?2 AND k.key = j.value ORDER BY k.number LIMIT 1 OFFSET ?3)"
)
_HOLDERS = (
    "SELECT DISTINCT k.number FROM json_each(?1) j JOIN keys k ON k.space = ?2 AND k.key = j.value"
)
_FIRST = (
    "SELECT DISTINCT k.number FROM json_each(?1) j JOIN keys k ON k.space = ?2 AND k.key = j.value"
    " AND k.number <= (SELECT k2.number FROM keys k2 WHERE k2.space = ?2 AND k2.key = j.value"
    " ORDER BY k2.number LIMIT 1 OFFSET ?3)"
)


def _by_space_and_key(keys: KeyRows) -> I64Array:
    """The order of `keys` by space, then key (what np.lexsort gives, several times faster:
    a few spaces, each sorted by one array)."""
    parts: list[I64Array] = []
    for space in spaces(keys):
        rows = np.flatnonzero(keys.space == space)
        parts.append(rows[np.argsort(keys.key[rows], kind="stable")])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _json(values: I64Array) -> str:
    """Integers as a JSON array (what `json_each` reads)."""
    return "[" + ",".join(map(str, values.tolist())) + "]"


def database_path(location: str) -> Path:
    """The database file of `location`: the path, or ``index.sqlite`` inside a directory."""
    path = Path(location)
    if path.is_dir() or location.endswith(os.sep):
        return path / FILE_NAME
    return path


class SqliteStore:
    """`IndexStore` on one SQLite file (see module doc)."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.path = database_path(location)
        self._db: sqlite3.Connection | None = None

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._db is not None:
            return self._db
        if not self.path.exists():
            if not create:
                return None
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            # Before anything is written (a no-op on an existing database): see PAGE_SIZE.
            db.execute(f"PRAGMA page_size={PAGE_SIZE}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("PRAGMA busy_timeout=30000")
            # The key table's B-tree is visited at random: a page cache of CACHE_KIB (instead of
            # SQLite's 2 MiB) keeps its inner pages resident as the history grows.
            db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            db.execute("PRAGMA temp_store=MEMORY")  # DISTINCT of `candidates`
        except sqlite3.DatabaseError as exc:
            raise NotAnIndex(f"{self.location} is not a cleaner index ({exc})") from None
        self._db = db
        return db

    def header(self) -> Header | None:
        db = self._connect(create=False)
        if db is None:
            return None
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not tables:
                return None  # an empty file: a new database
            if "meta" not in tables:
                return Header(None, None, None)
            values = dict(db.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise NotAnIndex(f"{self.location} is not a cleaner index ({exc})") from None
        return Header(values.get("format"), values.get("version"), values.get("settings"))

    def writer(self, what: str) -> AbstractContextManager[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return file_lock(f"{self.path}.lock", what, self.location)

    def _read(self) -> sqlite3.Connection:
        db = self._connect(create=False)
        if db is None:
            raise NotAnIndex(f"no index at {self.location}")
        return db

    def candidates(self, keys: KeyRows, caps: dict[int, int], skip: frozenset[int]) -> Candidates:
        db = self._connect(create=False)
        if db is None or not len(keys):
            return Candidates.of([], [])
        numbers: list[int] = []
        crowded: list[tuple[int, int]] = []
        db.execute("BEGIN")  # one snapshot for all the lookups
        try:
            for space in spaces(keys):
                wanted = np.unique(keys.key[keys.space == space])
                cap = caps[space // 1024]
                # The keys with a cap-th holder, then every holder of the others: one B-tree
                # range each; the keys go in as one JSON array (`json_each`), not row by row.
                full = np.array(
                    [row[0] for row in db.execute(_CROWDED, (_json(wanted), space, cap - 1))],
                    dtype=np.int64,
                )
                rest = np.setdiff1d(wanted, full, assume_unique=True)
                numbers += [row[0] for row in db.execute(_HOLDERS, (_json(rest), space))]
                if space // 1024 in skip:
                    crowded += [(space, key) for key in full.tolist()]
                elif full.size:
                    numbers += [row[0] for row in db.execute(_FIRST, (_json(full), space, cap - 1))]
        finally:
            db.execute("COMMIT")
        return Candidates.of(numbers, crowded)

    def load(self, numbers: I64Array) -> tuple[list[IndexedDoc], list[bytes]]:
        db = self._read()
        docs: list[IndexedDoc] = []
        records: list[bytes] = []
        wanted = numbers.tolist()
        for lo in range(0, len(wanted), 500):
            part = wanted[lo : lo + 500]
            marks = ",".join("?" * len(part))
            query = f"SELECT {_DOC}, record FROM docs WHERE number IN ({marks}) ORDER BY number"
            for row in db.execute(query, part):
                docs.append(IndexedDoc(*row[:6]))
                records.append(bytes(row[6]))
        if len(docs) != len(wanted):
            raise NotAnIndex(f"{self.location}: documents missing under their keys (corrupt)")
        return docs, records

    def commit(self, settings: str, docs: Sequence[NewDoc], keys: KeyRows) -> list[int]:
        db = self._connect(create=True)
        assert db is not None
        now = time.time()
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)  # executescript would commit: one transaction
            db.executemany(
                "INSERT OR IGNORE INTO meta VALUES (?, ?)",
                [("format", FORMAT_NAME), ("version", str(FORMAT_VERSION)), ("settings", settings)],
            )
            # Numbered after the highest number ever given (AUTOINCREMENT's sequence: an
            # expired document's number is never reused), in one executemany.
            row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'docs'").fetchone()
            first = (int(row[0]) if row else 0) + 1
            numbers = list(range(first, first + len(docs)))
            db.executemany(
                "INSERT INTO docs (number, id, date, location, added, record, text, role)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (number, doc.id, doc.date, doc.location, now, doc.record, doc.text, doc.role)
                    for number, doc in zip(numbers, docs, strict=True)
                ],
            )
            number_of = np.array(numbers, dtype=np.int64)
            # In primary-key order: each B-tree page is visited once, not once per row. (Rows
            # come grouped by space: one single-array sort per space.)
            order = _by_space_and_key(keys)
            space, key, owner = keys.space[order], keys.key[order], number_of[keys.doc[order]]
            for lo in range(0, len(keys), _BATCH):
                hi = lo + _BATCH
                db.executemany(
                    "INSERT OR IGNORE INTO keys VALUES (?, ?, ?)",
                    zip(
                        space[lo:hi].tolist(),
                        key[lo:hi].tolist(),
                        owner[lo:hi].tolist(),
                        strict=True,
                    ),
                )
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        # The WAL file grows to the size of the transaction (a batch's sketches) and SQLite
        # keeps it at that size: copy it into the database and truncate it. (Skipped while a
        # reader holds an old snapshot: its pages are then copied by a later checkpoint.)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return numbers

    def find(self, doc_id: str) -> tuple[IndexedDoc, bytes, str | None] | None:
        db = self._connect(create=False)
        if db is None:
            return None
        row = db.execute(
            f"SELECT {_DOC}, record, text FROM docs WHERE id = ? ORDER BY number DESC LIMIT 1",
            (doc_id,),
        ).fetchone()
        if row is None:
            return None
        return IndexedDoc(*row[:6]), bytes(row[6]), row[7]

    def documents(self) -> Iterator[tuple[IndexedDoc, bytes]]:
        db = self._read()
        for row in db.execute(f"SELECT {_DOC}, record FROM docs ORDER BY number"):
            yield IndexedDoc(*row[:6]), bytes(row[6])

    def count(self) -> int:
        db = self._read()
        return int(db.execute("SELECT COUNT(*) FROM docs").fetchone()[0])

    def key_count(self) -> int:
        db = self._read()
        return int(db.execute("SELECT COUNT(*) FROM keys").fetchone()[0])

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, Path(f"{self.path}-wal")) if p.exists())

    def check(self) -> list[str]:
        db = self._read()
        found = [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()]
        return [] if found == ["ok"] else [f"sqlite: {line}" for line in found]

    def added_before(self, before: float) -> list[int]:
        db = self._read()
        return [r[0] for r in db.execute("SELECT number FROM docs WHERE added < ?", (before,))]

    def expire(self, before: float, keys_of: dict[int, KeyRows]) -> int:
        db = self._read()
        db.execute("BEGIN IMMEDIATE")
        try:
            for number, keys in keys_of.items():
                db.executemany(
                    "DELETE FROM keys WHERE space = ? AND key = ? AND number = ?",
                    [(int(s), int(k), number) for s, k in zip(keys.space, keys.key, strict=True)],
                )
                db.execute("DELETE FROM docs WHERE number = ?", (number,))
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        return len(keys_of)

    def compact(self) -> None:
        db = self._read()
        db.execute("VACUUM")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
