"""`Index`: a persistent dedup index from Python, and what the CLI and the `dedup` stage use.

    index = cleaner.Index.open("news.index")        # or "redis://localhost:6379/0"
    index.query(["text of a story", doc])           # verdicts, the index unchanged
    index.add(batch)                                # verdicts, and the batch indexed

Both check the documents against the index and against each other (earlier in the list is
preferred); `add` then commits the documents (each marked with what it was decided to be,
the copies too: see `cleaner.index.check`) in one atomic step, so batch after batch (a
`datasets.map` over a corpus) each batch is checked against the index and every batch added
before it. Texts are taken as given: clean them first, as `cleaner clean` does before its
`dedup` step.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import numpy as np

import cleaner.index.codec as codec
from cleaner.dedup.cluster import MatchKind, Settled
from cleaner.dedup.index import DedupConfig, PreparedSketches, Sketcher
from cleaner.document import Document
from cleaner.index.backends import open_store
from cleaner.index.check import BatchCheck, check_batch
from cleaner.index.format import NotAnIndex, check_header, check_settings
from cleaner.index.keys import stored_key_rows
from cleaner.index.store import IndexedDoc, IndexStore, NewDoc
from cleaner.stage import TaskMap, serial_map

#: Document fields and meta keys that give an indexed document's date and location.
DATE_KEYS = ("date", "published", "timestamp")
LOCATION_KEYS = ("url", "source", "path")


def provenance(doc: Document) -> tuple[str, str]:
    """``(date, location)`` of `doc` from its meta or fields ("" when it has none)."""

    def first(keys: tuple[str, ...]) -> str:
        for where in (doc.meta, doc.fields):
            for key in keys:
                value = where.get(key)
                if value:
                    return str(value)
        return ""

    return first(DATE_KEYS), first(LOCATION_KEYS)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One document's verdict: its `kind` (`MatchKind` label) and, for a copy, its
    representative (`of`), how similar they are, and where the representative was seen if
    it is an indexed document (`indexed`)."""

    id: str
    kind: str
    of: str | None = None
    similarity: float | None = None
    containment: float | None = None
    indexed: IndexedDoc | None = None

    @property
    def is_duplicate(self) -> bool:
        return self.of is not None


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What `cleaner index stats` prints."""

    location: str
    documents: int
    copies: int  # documents indexed as copies of others (`Settled`), the rest representatives
    keys: int
    size_bytes: int
    oldest: float | None
    newest: float | None
    settings: str


class Index:
    """A persistent dedup index (see module doc). Use `open`; close it, or use `with`."""

    def __init__(self, store: IndexStore, config: DedupConfig, *, store_text: bool) -> None:
        self.store = store
        self.config = config
        self.sketcher = Sketcher(config)
        self.store_text = store_text
        header = store.header()
        self.exists = header is not None
        if header is not None:
            check_header(store.location, header.name, header.version)
            check_settings(store.location, header.settings or "", self.sketcher.settings)

    @classmethod
    def open(
        cls, location: str, config: DedupConfig | None = None, *, store_text: bool = False
    ) -> Index:
        """The index at `location` (a file, a directory, or ``redis://host:port/db``); a
        new one is created by the first `add`. `config` must be the one it was built with
        (default: `DedupConfig()`, the `dedup` step's defaults)."""
        store = open_store(location)
        try:
            return cls(store, config or DedupConfig(), store_text=store_text)
        except BaseException:
            store.close()
            raise

    @property
    def location(self) -> str:
        return self.store.location

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- checking and adding -------------------------------------------------------------

    def check(
        self, prepared: PreparedSketches, ids: Sequence[str], tasks: TaskMap = serial_map
    ) -> BatchCheck:
        """Decide a prepared batch against the index (`check.check_batch`)."""
        return check_batch(
            self.config, self.store, prepared, ids, settings=self.sketcher.settings, tasks=tasks
        )

    def commit(
        self,
        prepared: PreparedSketches,
        ids: Sequence[str],
        checked: BatchCheck,
        provenance_of: Sequence[tuple[str, str]],
        texts: Sequence[str] | None = None,
    ) -> int:
        """Add the documents of a prepared batch, as `checked` decided them (every one but
        the empty, each with its `Settled` role), in one atomic step; how many."""
        rows = checked.indexed_rows()
        if not rows.size:
            return 0
        chosen = prepared.take(rows)
        roles = checked.roles()[rows]
        records = codec.encode(chosen)
        docs = [
            NewDoc(
                id=ids[r],
                date=provenance_of[r][0],
                location=provenance_of[r][1],
                record=record,
                text=texts[r] if texts is not None and self.store_text else None,
                role=role,
            )
            for r, record, role in zip(rows.tolist(), records, roles.tolist(), strict=True)
        ]
        self.store.commit(self.sketcher.settings, docs, stored_key_rows(chosen, roles))
        self.exists = True
        return len(docs)

    def query(self, docs: Sequence[str | Document] | str | Document) -> list[Verdict]:
        """Verdicts of `docs` against the index and each other; the index is unchanged."""
        batch = _batch(docs)
        prepared = self.sketcher.prepare([text for _, text, _ in batch])
        return self._verdicts(self.check(prepared, [i for i, _, _ in batch]))

    def add(self, docs: Sequence[str | Document] | str | Document) -> list[Verdict]:
        """`query`, then the documents are added (the copies too, marked as such: see
        `check`), atomically, under the index's writer lock (held from the check to the
        commit)."""
        batch = _batch(docs)
        ids = [doc_id for doc_id, _, _ in batch]
        texts = [text for _, text, _ in batch]
        prepared = self.sketcher.prepare(texts)
        with self.store.writer("Index.add"):
            checked = self.check(prepared, ids)
            self.commit(prepared, ids, checked, [p for _, _, p in batch], texts)
        return self._verdicts(checked)

    @staticmethod
    def _verdicts(checked: BatchCheck) -> list[Verdict]:
        out: list[Verdict] = []
        ids = checked.result.ids
        for i in range(checked.size):
            kind = checked.kind_of(i)
            doc_id = ids[checked.offset + i]
            if not kind.is_duplicate:
                out.append(Verdict(doc_id, kind.label))
                continue
            note = checked.annotation(i)
            rep = int(checked.result.assignments.representative[checked.offset + i])
            out.append(
                Verdict(
                    doc_id,
                    kind.label,
                    of=str(note["representative"]),
                    similarity=float(note["similarity"]),
                    containment=float(note["containment"]),
                    indexed=checked.history[rep] if rep < checked.offset else None,
                )
            )
        return out

    # -- upkeep ---------------------------------------------------------------------------

    def _require(self) -> None:
        if not self.exists:
            raise NotAnIndex(f"no index at {self.location}")

    def stats(self) -> IndexStats:
        self._require()
        docs = [doc for doc, _ in self.store.documents()]
        added = [doc.added for doc in docs]
        return IndexStats(
            location=self.location,
            documents=len(added),
            copies=sum(doc.role != Settled.KEPT for doc in docs),
            keys=self.store.key_count(),
            size_bytes=self.store.size_bytes(),
            oldest=min(added) if added else None,
            newest=max(added) if added else None,
            settings=self.sketcher.settings,
        )

    def verify(self) -> list[str]:
        """Problems found: the backend's check, then every record decoded and its keys found
        in the key table; an empty list for a sound index."""
        self._require()
        problems = self.store.check()
        if problems:
            return problems
        slots = self._slots()
        expected = 0
        for doc, record in self.store.documents():
            try:
                sketches = codec.decode(
                    [record], bands=self.sketcher.bands, slots=slots, made_by=""
                )
            except Exception as exc:  # a corrupt record: say which
                problems.append(f"document {doc.number} ({doc.id}): {exc}")
                continue
            expected += len(stored_key_rows(sketches, np.array([doc.role], dtype=np.uint8)))
        found = self.store.key_count()
        if found != expected:
            problems.append(f"{found} keys stored, {expected} expected from the documents")
        return problems

    def expire(self, older_than: float, now: float | None = None) -> int:
        """Remove the documents added more than `older_than` seconds ago; how many."""
        self._require()
        before = (time.time() if now is None else now) - older_than
        with self.store.writer("cleaner index expire"):
            numbers = self.store.added_before(before)
            wanted = set(numbers)
            keys_of = {}
            slots = self._slots()
            for doc, record in self.store.documents():
                if doc.number in wanted:
                    sketches = codec.decode(
                        [record], bands=self.sketcher.bands, slots=slots, made_by=""
                    )
                    roles = np.array([doc.role], dtype=np.uint8)
                    keys_of[doc.number] = stored_key_rows(sketches, roles)
            return self.store.expire(before, keys_of)

    def compact(self) -> None:
        self._require()
        with self.store.writer("cleaner index compact"):
            self.store.compact()

    def find(self, doc_id: str) -> tuple[IndexedDoc, PreparedSketches, str | None] | None:
        """The indexed document `doc_id`: its provenance, sketches and stored text."""
        if not self.exists:
            return None
        found = self.store.find(doc_id)
        if found is None:
            return None
        doc, record, text = found
        sketches = codec.decode(
            [record], bands=self.sketcher.bands, slots=self._slots(), made_by=""
        )
        return doc, sketches, text

    def _slots(self) -> int:
        rewrite = self.config.rewrite
        return rewrite.keys_per_sentence if self.sketcher.rewriter and rewrite else 0


def _batch(
    docs: Sequence[str | Document] | str | Document,
) -> list[tuple[str, str, tuple[str, str]]]:
    """``(id, text, (date, location))`` of each document; a bare text's id is its position."""
    if isinstance(docs, str | Document):
        docs = [docs]
    out: list[tuple[str, str, tuple[str, str]]] = []
    for i, doc in enumerate(docs):
        if isinstance(doc, Document):
            out.append((doc.id, doc.text, provenance(doc)))
        else:
            out.append((str(i), doc, ("", "")))
    return out


def index_kinds() -> Mapping[str, Any]:
    """Labels of the verdict kinds, for documentation and tests."""
    return {kind.label: kind.is_duplicate for kind in MatchKind}
