"""Exact de-duplication: the first copy of a text is kept, later copies are flagged or dropped.

"Exact" after normalisation: Unicode NFKC, case folded, every run of whitespace one space,
ends stripped; with `ignore_punctuation`, punctuation and symbols are removed as well, so
copies that differ only in quote style or a trailing full stop count as the same text.
The key is a 16-byte BLAKE2b digest of that form, so the index costs ~100 bytes per distinct
document (digest, first id, dict slot) whatever the document's length.

A run decides it as a whole-corpus stage (`ExactDedupStage`, see `cleaner.stage`): the map
workers compute each document's digest, the reduce walks the digests in input order, and each
document is then flagged or dropped from its shard's decisions. So "first" always means first
in the input, whatever the number of worker processes. `process` (with its own index, one
per `fresh()` instance) serves `Pipeline.process`, one document at a time.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar, Literal

import numpy as np

from cleaner.document import Document, Drop
from cleaner.meta import DUP_CLUSTER, DUP_KIND, DUP_OF, KIND_EXACT, META_DUP, REASON_EXACT_DUPLICATE
from cleaner.processors.base import ProcessorBase
from cleaner.registry import register
from cleaner.stage import ERROR_REASON, BoolArray, Signed, TaskMap

_PUNCTUATION = re.compile(r"[^\w\s]+|_+")


def dedup_key(text: str, *, ignore_punctuation: bool = False) -> bytes:
    """The digest two texts share exactly when they are the same text up to normalisation."""
    norm = unicodedata.normalize("NFKC", text).casefold()
    if ignore_punctuation:
        norm = _PUNCTUATION.sub(" ", norm)
    norm = " ".join(norm.split())
    return hashlib.blake2b(norm.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@register
class ExactDedup(ProcessorBase):
    """Flag (`meta["dup"]`) or drop every document whose normalised text was seen before."""

    name = "exact_dedup"
    sequential: ClassVar[bool] = True

    @dataclass(frozen=True)
    class Options:
        policy: Literal["flag", "drop"] = "flag"
        ignore_punctuation: bool = False

    options: Options

    def __init__(self, options: Options) -> None:
        self.options = options
        self._first: dict[bytes, str] = {}  # digest -> id of the first document with it

    def fresh(self) -> ExactDedup:
        """A new instance with the same options and an empty index (one per run)."""
        return ExactDedup(self.options)

    def __len__(self) -> int:
        """Number of distinct texts seen so far."""
        return len(self._first)

    def key(self, doc: Document) -> bytes:
        """The digest of `doc` under this processor's options (pure: safe in any process)."""
        return dedup_key(doc.text, ignore_punctuation=self.options.ignore_punctuation)

    def first_of(self, key: bytes, doc_id: str) -> str | None:
        """The id of the earlier document with this `key`, or None (then `doc_id` is first)."""
        first = self._first.get(key)
        if first is None:
            self._first[key] = doc_id
        return first

    def decide(self, doc: Document, first: str | None) -> Document | Drop:
        """`doc` as it leaves this processor, given the id of its first copy (or None)."""
        if first is None:
            return doc
        if self.options.policy == "drop":
            detail = f"duplicate of {first}"
            return Drop(doc, self.name, REASON_EXACT_DUPLICATE, detail, duplicate_of=first)
        dup = {DUP_KIND: KIND_EXACT, DUP_OF: first, DUP_CLUSTER: first}
        return doc.with_meta(**{META_DUP: dup})

    def process(self, doc: Document) -> Document | Drop:
        return self.decide(doc, self.first_of(self.key(doc), doc.id))

    def global_stage(self) -> ExactDedupStage:
        return ExactDedupStage(self)


ExactKey = bytes | str
"""A document's digest, or the error message computing it raised."""


@dataclass
class ExactShard:
    """One shard's decisions: the first id of each duplicate, and the errors of signing, by
    global position."""

    firsts: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)


@dataclass
class ExactDecided:
    """Every shard's `ExactShard`, and which of its signed documents stay."""

    shards: list[ExactShard]
    kept_rows: list[BoolArray]

    def for_shard(self, index: int) -> ExactShard:
        return self.shards[index]

    def kept(self, index: int) -> BoolArray:
        return self.kept_rows[index]


@dataclass(frozen=True)
class ExactDedupStage:
    """`exact_dedup` as a whole-corpus stage: digests in the map, first-seen in the reduce."""

    processor: ExactDedup
    sees_blank: ClassVar[bool] = True

    @property
    def name(self) -> str:
        return self.processor.name

    def sign(self, docs: list[Document]) -> list[ExactKey]:
        return [_key_or_error(self.processor, doc) for doc in docs]

    def decide(self, shards: Iterator[Signed], tasks: TaskMap) -> ExactDecided:
        index = self.processor.fresh()
        drops = self.processor.options.policy == "drop"
        decided = ExactDecided([], [])
        for shard in shards:
            decisions = ExactShard()
            kept = np.ones(len(shard), dtype=np.bool_)
            alive = shard.alive.tolist()
            positions = shard.positions.tolist()
            keys: list[ExactKey] = shard.signatures
            for j, key in enumerate(keys):
                if not alive[j]:
                    continue
                if isinstance(key, str):
                    decisions.errors[positions[j]] = key
                    kept[j] = False
                    continue
                first = index.first_of(key, shard.ids[j])
                if first is not None:
                    decisions.firsts[positions[j]] = first
                    kept[j] = not drops
            decided.shards.append(decisions)
            decided.kept_rows.append(kept)
        return decided

    def apply(self, decisions: ExactShard, position: int, doc: Document) -> Document | Drop:
        error = decisions.errors.get(position)
        if error is not None:
            return Drop(doc, self.name, ERROR_REASON, error)
        return self.processor.decide(doc, decisions.firsts.get(position))


def _key_or_error(processor: ExactDedup, doc: Document) -> ExactKey:
    try:
        return processor.key(doc)
    except Exception as exc:  # the same policy as apply_chain: the document, not the run
        return f"{type(exc).__name__}: {exc}"
