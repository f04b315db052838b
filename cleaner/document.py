"""The record that flows through a pipeline, and the two outcomes a processor can give.

A `Document` is frozen: a processor never edits one in place, it returns a new one built with
`Document.evolve` (what `dataclasses.replace` gives). That keeps every processor a pure
function of its input, which is what makes parallel runs and byte-identical re-runs possible.

`meta` and `fields` are plain dicts so that documents pickle cheaply between worker processes;
by convention they are never mutated after construction: processors copy and extend them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: One exact change to a text: characters ``start:end`` become the string (see `cleaner.trace`).
Change = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Edit:
    """One change a processor made to a document, kept so that `cleaner explain` can show it.

    `action` is one of:
      - "removed": `text` was deleted (a line, or a span within a line);
      - "replaced": `text` became `replacement` (mojibake repair, markdown residue);
      - "moved": `text` was removed and stored in `meta[meta_key]` (byline, categories, date);
      - "unitemised": only carries `changes` that no rule's edit stands for (`cleaner.trace`).
    `line` is the 1-based line number in the text the processor received, when it is known.
    `changes`, on the first edit of each processor step that changed the text, is that
    step's exact change, so that `cleaner.trace.replay` rebuilds the output from the input.
    """

    processor: str
    rule: str
    action: str
    text: str
    replacement: str = ""
    meta_key: str = ""
    line: int | None = None
    changes: tuple[Change, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "processor": self.processor,
            "rule": self.rule,
            "action": self.action,
            "text": self.text,
        }
        if self.replacement:
            out["replacement"] = self.replacement
        if self.meta_key:
            out["meta_key"] = self.meta_key
        if self.line is not None:
            out["line"] = self.line
        if self.changes:
            out["changes"] = [list(change) for change in self.changes]
        return out


@dataclass(frozen=True, slots=True)
class Document:
    """A unit of text with its identity, annotations, provenance and passthrough fields.

    - `id`: stable identity (relative path for files, the id field for JSONL records).
    - `text`: the current text.
    - `meta`: annotations written by processors (lang, byline, dup, decoding, ...).
    - `trace`: every edit made so far, in order.
    - `fields`: the input record's other fields, written back unchanged on output.
    """

    id: str
    text: str
    meta: Mapping[str, Any] = field(default_factory=dict)
    trace: tuple[Edit, ...] = ()
    fields: Mapping[str, Any] = field(default_factory=dict)

    def evolve(
        self,
        *,
        text: str | None = None,
        meta: Mapping[str, Any] | None = None,
        edits: tuple[Edit, ...] | list[Edit] = (),
    ) -> Document:
        """Return a copy with new text and/or meta, and `edits` appended to the trace.

        What `dataclasses.replace` would build, constructed directly: it runs several times
        per document, and replace's generic field handling costs more than the copy itself.
        """
        if text is None and meta is None and not edits:
            return self
        return Document(
            self.id,
            self.text if text is None else text,
            self.meta if meta is None else meta,
            self.trace + tuple(edits) if edits else self.trace,
            self.fields,
        )

    def with_meta(self, **updates: Any) -> Document:
        """Return a copy whose meta has `updates` merged over the current values."""
        return self.evolve(meta={**self.meta, **updates})


@dataclass(frozen=True, slots=True)
class Drop:
    """A processor's decision that a document leaves the output, and why.

    `reason` is a short machine-friendly code ("too_short", "language", "exact_duplicate");
    `detail` is the human sentence ("12 words < min_words 50"). The runner writes the document
    with both to the rejects file, so nothing is ever lost silently.
    `duplicate_of` is the id of the kept copy a dropped duplicate belongs with (its cluster),
    for the run report; `detail` is for people and is never parsed.
    """

    document: Document
    processor: str
    reason: str
    detail: str = ""
    duplicate_of: str | None = None

    @property
    def label(self) -> str:
        """`processor.reason`, the key used to count rejects in the run summary."""
        return f"{self.processor}.{self.reason}"


@dataclass(frozen=True, slots=True)
class Reject:
    """An input that never became a valid Document (malformed JSON, binary file, ...).

    Readers yield these instead of raising, so one bad record never stops a run. `raw` is an
    excerpt of the input; for a document too large to read (`too_large`), `size` is its size
    in bytes (a lower bound unless `size_exact`), `sha256` the hash of the bytes read, and
    `line` (JSONL, 1-based) and `offset` (bytes into the decompressed file) locate it.
    """

    id: str
    source: str
    reason: str
    detail: str = ""
    raw: str = ""
    size: int | None = None
    size_exact: bool = True
    sha256: str = ""
    line: int | None = None
    offset: int | None = None

    @property
    def label(self) -> str:
        return f"input.{self.reason}"
