"""The .txt output format: the texts only, each ending with a newline, separated by a line
holding a single form feed (`\\f\\n`).

A form feed is a page break, never part of prose, so `data.split("\\n\\f\\n")` recovers the
documents; a text line that is exactly a form feed is written as an empty line to keep that
true. What the texts cannot hold (id, meta, the input's other fields) goes to the meta side
file beside the output, `OUT.meta.jsonl` (`TXT_META_SUFFIX`), written by
`cleaner.io.writers.file.FileWriter`.
"""

from __future__ import annotations

from cleaner.document import Document
from cleaner.io.records import encode_text
from cleaner.io.writers.base import StreamEncoder

#: Between two documents of a .txt output.
TXT_SEPARATOR = b"\f\n"
#: The meta side file beside a `.txt` output replaces its format suffix: out.txt -> out.meta.jsonl.
TXT_META_SUFFIX = ".meta.jsonl"


class TxtEncoder(StreamEncoder):
    """Document -> its text, preceded by `TXT_SEPARATOR` unless it is the first."""

    def encode(self, doc: Document, first: bool) -> bytes:
        text = doc.text
        if "\f" in text:
            text = "\n".join("" if line == "\f" else line for line in text.split("\n"))
        if not text.endswith("\n"):
            text += "\n"
        data = encode_text(text)
        return data if first else TXT_SEPARATOR + data
