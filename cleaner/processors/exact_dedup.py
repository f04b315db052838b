"""Exact de-duplication: the first copy of a text is kept, later copies are flagged or dropped.

"Exact" after normalisation: Unicode NFKC, case folded, every run of whitespace one space,
ends stripped; with `ignore_punctuation`, punctuation and symbols are removed as well, so
copies that differ only in quote style or a trailing full stop count as the same text.
The key is a 16-byte BLAKE2b digest of that form, so the index costs ~100 bytes per distinct
document (digest, first id, dict slot) whatever the document's length.

The index belongs to one run: the pipeline marks this processor `sequential`, runs it in the
parent process in input order, and calls `fresh()` for each run. So "first" always means first
in the input, whatever the number of worker processes.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import ClassVar, Literal

from cleaner.document import Document, Drop
from cleaner.processors.base import ProcessorBase
from cleaner.registry import register

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
            return Drop(doc, self.name, "exact_duplicate", f"duplicate of {first}")
        return doc.with_meta(dup={"kind": "exact", "of": first, "cluster": first})

    def process(self, doc: Document) -> Document | Drop:
        return self.decide(doc, self.first_of(self.key(doc), doc.id))
