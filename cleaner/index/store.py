"""What every index backend provides (`IndexStore`), and the records it hands back.

A store is dumb on purpose: documents (number, id, date, location, time added, the sketch
record of `codec`, the text if asked) and their lookup keys (`keys`). All decisions are made
by `cleaner.index.check` with the one-run dedup code, whatever the backend.

Documents are numbered in the order they were added (1, 2, ...), which is their preference
order: an indexed document always comes before a later one and before any batch document.
Every document of a batch is added, the copies too, with what it was decided to be (its
`Settled` role): in one run over everything the copies are there too, and they count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from cleaner.dedup.cluster import Settled
from cleaner.dedup.lsh import sorted_unique
from cleaner.index.keys import KeyRows

I64Array = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class IndexedDoc:
    """What the index says about one of its documents (not its sketches)."""

    number: int
    id: str
    date: str
    location: str
    added: float  # Unix time of the commit that added it
    role: int = Settled.KEPT  # what it was decided to be when it was added (`Settled`)


@dataclass(frozen=True, slots=True)
class NewDoc:
    """A document to add: its provenance and sketch record (`codec.encode`)."""

    id: str
    date: str
    location: str
    record: bytes
    text: str | None = None
    role: int = Settled.KEPT


@dataclass(frozen=True, slots=True)
class Candidates:
    """What a batch's keys find in an index (`IndexStore.candidates`): the documents to load
    (`numbers`, sorted), and the crowded keys whose holders were left out (``space, key``
    rows, `crowded_space` and `crowded_key`)."""

    numbers: I64Array
    crowded_space: I64Array
    crowded_key: I64Array

    @staticmethod
    def of(numbers: list[int], crowded: list[tuple[int, int]]) -> Candidates:
        """From the numbers found (any order, repeats allowed) and the crowded keys."""
        table = np.array(crowded, dtype=np.int64).reshape(-1, 2)
        return Candidates(
            numbers=sorted_unique(np.array(numbers, dtype=np.int64)),
            crowded_space=table[:, 0].copy(),
            crowded_key=table[:, 1].copy(),
        )


@dataclass(frozen=True, slots=True)
class Header:
    """The index's self-description (`format`)."""

    name: str | None
    version: str | None
    settings: str | None


class IndexStore(Protocol):
    """A persistent index: any number of readers, one writer (`writer`), atomic `commit`."""

    location: str

    def header(self) -> Header | None:
        """The stored header, or None for a new, empty index."""
        ...

    def writer(self, what: str) -> AbstractContextManager[None]:
        """Hold the index's one writer lock for the block; `what` names the holder's work in
        the message a second writer gets (`format.IndexLocked`)."""
        ...

    def candidates(self, keys: KeyRows, caps: dict[int, int], skip: frozenset[int]) -> Candidates:
        """The documents holding any of `keys`: for each key, its ``caps[kind]``
        lowest-numbered holders (kind = ``space // 1024``); but a key of a kind in `skip`
        with ``caps[kind]`` holders or more is crowded: none of its holders, the key listed
        in `Candidates.crowded_space` / `crowded_key` instead."""
        ...

    def load(self, numbers: I64Array) -> tuple[list[IndexedDoc], list[bytes]]:
        """The documents `numbers` (sorted) and their sketch records, in that order."""
        ...

    def commit(self, settings: str, docs: Sequence[NewDoc], keys: KeyRows) -> list[int]:
        """Add `docs` (with their `keys`, ``keys.doc`` = row in `docs`) in one atomic step,
        writing the header if the index is new; their numbers, in order."""
        ...

    def find(self, doc_id: str) -> tuple[IndexedDoc, bytes, str | None] | None:
        """The latest document with id `doc_id`: record and stored text (None if not kept)."""
        ...

    def documents(self) -> Iterator[tuple[IndexedDoc, bytes]]:
        """Every document in number order, with its record."""
        ...

    def count(self) -> int: ...

    def key_count(self) -> int: ...

    def size_bytes(self) -> int:
        """Bytes the index takes (on disk, or in the server's memory)."""
        ...

    def check(self) -> list[str]:
        """The backend's own integrity check: problems found, none if sound."""
        ...

    def expire(self, before: float, keys_of: dict[int, KeyRows]) -> int:
        """Remove, atomically, the documents added before Unix time `before`, with their keys
        (`keys_of`: number -> its keys); how many were removed."""
        ...

    def added_before(self, before: float) -> list[int]:
        """Numbers of the documents added before Unix time `before`."""
        ...

    def compact(self) -> None:
        """Give back the space freed by `expire`."""
        ...

    def close(self) -> None: ...
