"""The directory output format: one UTF-8 file per document, at the path its id names.

The path is the id with `.txt` added if missing (`cleaner.io.layout`), and each file ends with
a newline. The tree also holds `DIR_META_NAME` (one `meta_record` line per document, with its
`path`, in output order) and the marker `.cleaner-output`: an existing directory is replaced
only when it holds that marker (cleaner wrote it) or is empty, unless `overwrite=True` (see
`cleaner.io.atomic.AtomicDirectory`).
"""

from __future__ import annotations

import os
from typing import IO

from cleaner.document import Document
from cleaner.io.atomic import AtomicDirectory
from cleaner.io.layout import Layout
from cleaner.io.records import dumps_line, encode_text, meta_record
from cleaner.io.writers.base import DocumentWriter

#: The meta side file inside a directory output (hidden, and never a document's path: every
#: document file ends in `.txt`).
DIR_META_NAME = ".cleaner-meta.jsonl"


class DirectoryWriter(DocumentWriter):
    """One file per document, built in a temporary directory and swapped in on success, with
    the documents' `meta_record` lines in `DIR_META_NAME` inside it."""

    def __init__(self, path: str, *, trace: bool = False, overwrite: bool = False) -> None:
        super().__init__(path)
        self._atomic = AtomicDirectory(path, overwrite=overwrite)
        self._layout = Layout()
        self._root = ""
        self._trace = trace
        self._meta: IO[bytes] | None = None

    def _open(self) -> None:
        self._root = self._atomic.open()
        self._meta = open(os.path.join(self._root, DIR_META_NAME), "wb")  # noqa: SIM115

    def _write(self, doc: Document) -> None:
        rel = self._layout.path_for(doc.id)
        target = os.path.join(self._root, *rel.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        text = doc.text if doc.text.endswith("\n") else doc.text + "\n"
        with open(target, "wb") as handle:
            handle.write(encode_text(text))
            handle.flush()
            os.fsync(handle.fileno())
        assert self._meta is not None
        self._meta.write(dumps_line(meta_record(doc, path=rel, trace=self._trace)))

    def _commit(self) -> None:
        try:
            assert self._meta is not None
            self._meta.flush()
            os.fsync(self._meta.fileno())
            self._meta.close()
        except BaseException:
            self._discard()
            raise
        self._atomic.commit()

    def _discard(self) -> None:
        if self._meta is not None:
            self._meta.close()
        self._atomic.discard()
