"""Documents -> output files, and dropped/rejected inputs -> the rejects file.

    with open_writer("out.jsonl.zst") as out, RejectWriter("out.rejects.jsonl") as rejects:
        out.write(doc); rejects.write_drop(drop); rejects.write_reject(reject)

Output formats (chosen by name, or by `fmt`):

- `.jsonl` / `.ndjson`, optionally `.gz` or `.zst`: one record per line, layout in
  `cleaner.io.records`. Compressed output is byte-identical across runs (gzip mtime 0 and no
  file name; zstd level 3, one thread).
- `.txt`: the texts only, each ending with a newline, separated by a line holding a single form
  feed (`\\f\\n`). A form feed is a page break, never part of prose, so
  `data.split("\\n\\f\\n")` recovers the documents; a text line that is exactly a form feed is
  written as an empty line to keep that true. What the texts cannot hold (id, meta, the input's
  other fields) goes to `OUT.meta.jsonl` beside it, one line per document in the same order
  (`cleaner.io.records.meta_record`), committed with it.
- `.parquet`: one row per document, zstd-compressed; layout and type rules in
  `cleaner.io.parquet` (needs pyarrow: `pip install 'cleaner[parquet]'`, imported only then).
- a directory (`out/`, an existing directory, or `fmt="dir"`): one UTF-8 file per document at
  the path its id names, with `.txt` added if missing (see `cleaner.io.layout`), each ending
  with a newline. The tree also holds `.cleaner-meta.jsonl` (one `meta_record` line per
  document, with its `path`, in output order) and the marker `.cleaner-output`: an existing
  directory is replaced only when it holds that marker (cleaner wrote it) or is empty, unless
  `overwrite=True` (see `cleaner.io.atomic.AtomicDirectory`).
- `-`: JSONL on standard output.
- a special file (`/dev/null`, a FIFO): JSONL written to it directly, no meta side file.

Every file output is atomic (`cleaner.io.atomic`): it appears complete when the `with` block
ends without an exception, and an exception leaves the previous output (or none) untouched.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from types import TracebackType
from typing import IO

from cleaner.document import Document, Drop, Reject
from cleaner.errors import ConfigError
from cleaner.io.atomic import AtomicDirectory, AtomicFile, is_special_file
from cleaner.io.compression import open_compressed
from cleaner.io.formats import STDIO, compression_of, output_format, output_stem
from cleaner.io.layout import Layout
from cleaner.io.records import (
    document_record,
    drop_record,
    dumps_line,
    encode_text,
    meta_record,
    reject_record,
)

__all__ = [
    "AtomicDirectory",
    "AtomicFile",
    "DocumentWriter",
    "RejectWriter",
    "StreamEncoder",
    "default_side_paths",
    "meta_side_path",
    "open_writer",
]

TXT_SEPARATOR = b"\f\n"
#: The meta side file inside a directory output (hidden, and never a document's path: every
#: document file ends in `.txt`).
DIR_META_NAME = ".cleaner-meta.jsonl"
#: The meta side file beside a `.txt` output replaces its format suffix: out.txt -> out.meta.jsonl.
TXT_META_SUFFIX = ".meta.jsonl"


class DocumentWriter:
    """Base of the output writers: `write(doc)`, `count`, commit on clean exit.

    Subclasses implement `_open`, `_write`, `_commit` and `_discard`. Nothing is created before
    the writer is entered (or first written to), so a writer that is never used leaves no
    temporary file behind.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self._opened = False
        self._closed = False

    def write(self, doc: Document) -> None:
        if self._closed:
            raise ValueError(f"{self.path}: writer is closed")
        self._ensure_open()
        self._write(doc)
        self.count += 1

    @property
    def stream_encoder(self) -> StreamEncoder | None:
        """For outputs whose bytes are the concatenation of one encoded record per document
        (JSONL, compressed or not): the encoder, so that records can be encoded elsewhere (in
        worker processes) and handed to `write_encoded`. None for every other format."""
        return None

    def write_encoded(self, data: bytes, count: int) -> None:
        """Write `count` documents already encoded by `stream_encoder`, concatenated."""
        if self._closed:
            raise ValueError(f"{self.path}: writer is closed")
        if self.stream_encoder is None:
            raise ValueError(f"{self.path}: this format takes documents, not encoded records")
        self._ensure_open()
        self._write_bytes(data)
        self.count += count

    def close(self) -> None:
        """Finish the output and make it visible (an empty output if nothing was written)."""
        if self._closed:
            return
        self._ensure_open()
        self._closed = True
        self._commit()

    def abort(self) -> None:
        """Drop everything written; a previous output at `path` stays as it was."""
        if self._closed:
            return
        self._closed = True
        if self._opened:
            self._discard()

    def __enter__(self) -> DocumentWriter:
        self._ensure_open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def _ensure_open(self) -> None:
        if not self._opened:
            self._opened = True
            self._open()

    # -- for subclasses -----------------------------------------------------------------------

    def _open(self) -> None:
        raise NotImplementedError

    def _write(self, doc: Document) -> None:
        raise NotImplementedError

    def _write_bytes(self, data: bytes) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        raise NotImplementedError


class StreamEncoder:
    """Document -> bytes for the stream formats (JSONL and .txt). Picklable."""

    def __init__(self, kind: str, *, text_field: str, id_field: str, trace: bool) -> None:
        self.kind = kind
        self.text_field = text_field
        self.id_field = id_field
        self.trace = trace

    def encode(self, doc: Document, first: bool) -> bytes:
        if self.kind == "txt":
            return _txt_block(doc.text, first)
        record = document_record(
            doc, text_field=self.text_field, id_field=self.id_field, trace=self.trace
        )
        return dumps_line(record)


def _txt_block(text: str, first: bool) -> bytes:
    if "\f" in text:
        text = "\n".join("" if line == "\f" else line for line in text.split("\n"))
    if not text.endswith("\n"):
        text += "\n"
    data = encode_text(text)
    return data if first else TXT_SEPARATOR + data


class FileWriter(DocumentWriter):
    """JSONL (plain, gzip, zstd) or .txt into one atomically written file; with `meta_path`,
    each document's `meta_record` line into that file too, committed just before the output."""

    def __init__(
        self, path: str, encoder: StreamEncoder, codec: str | None, meta_path: str | None = None
    ) -> None:
        super().__init__(path)
        self._encoder = encoder
        self._codec = codec
        self._atomic = AtomicFile(path)
        self._stream: IO[bytes] | None = None
        self._meta = AtomicFile(meta_path) if meta_path is not None else None
        self._meta_stream: IO[bytes] | None = None

    def _open(self) -> None:
        self._stream = open_compressed(self._atomic.open(), self._codec)
        if self._meta is not None:
            self._meta_stream = self._meta.open()

    @property
    def stream_encoder(self) -> StreamEncoder | None:
        return self._encoder if self._encoder.kind == "jsonl" else None

    def _write(self, doc: Document) -> None:
        self._write_bytes(self._encoder.encode(doc, self.count == 0))
        if self._meta_stream is not None:
            self._meta_stream.write(dumps_line(meta_record(doc, trace=self._encoder.trace)))

    def _write_bytes(self, data: bytes) -> None:
        assert self._stream is not None
        self._stream.write(data)

    def _commit(self) -> None:
        try:
            if self._stream is not None and self._codec is not None:
                self._stream.close()  # writes the compressed stream's trailer
            if self._meta is not None:
                self._meta.commit()
        except BaseException:
            self._discard()
            raise
        self._atomic.commit()

    def _discard(self) -> None:
        if self._meta is not None:
            self._meta.discard()
        self._atomic.discard()


class StdoutWriter(DocumentWriter):
    """JSONL on standard output (not atomic: a pipe cannot take back what it has sent)."""

    def __init__(self, encoder: StreamEncoder) -> None:
        super().__init__(STDIO)
        self._encoder = encoder

    def _open(self) -> None:
        pass

    @property
    def stream_encoder(self) -> StreamEncoder | None:
        return self._encoder if self._encoder.kind == "jsonl" else None

    def _write(self, doc: Document) -> None:
        self._write_bytes(self._encoder.encode(doc, self.count == 0))

    def _write_bytes(self, data: bytes) -> None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(data)
        else:
            sys.stdout.write(data.decode("utf-8"))

    def _commit(self) -> None:
        sys.stdout.flush()

    def _discard(self) -> None:
        sys.stdout.flush()


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


def open_writer(
    path: str,
    *,
    fmt: str = "auto",
    text_field: str = "text",
    id_field: str = "id",
    trace: bool = False,
    overwrite: bool = False,
) -> DocumentWriter:
    """A writer for `path`; the format comes from `fmt` or, with "auto", from the name.

    `fmt` is one of "auto", "jsonl" (compression still from a .gz/.zst suffix), "txt", "dir",
    "parquet". Raises ConfigError at once for a name that does not say its format, and for
    Parquet output when pyarrow is not installed. `overwrite` lets a directory output replace
    an existing directory cleaner did not write.
    """
    kind = output_format(path, fmt)
    if kind == "dir":
        return DirectoryWriter(path, trace=trace, overwrite=overwrite)
    if kind == "parquet":
        # imported here: cleaner.io.parquet builds on this module (DocumentWriter)
        from cleaner.io.parquet import ParquetDocumentWriter

        return ParquetDocumentWriter(path, text_field=text_field, id_field=id_field, trace=trace)
    encoder = StreamEncoder(
        "txt" if kind == "txt" else "jsonl", text_field=text_field, id_field=id_field, trace=trace
    )
    if kind == "stdout":
        return StdoutWriter(encoder)
    codec = compression_of(path) if kind == "jsonl" else None
    return FileWriter(path, encoder, codec, meta_path=meta_side_path(path, fmt=fmt))


class RejectWriter:
    """The rejects file: one JSON line per dropped document or rejected input.

    Always created (an empty file says "nothing was rejected", where a missing one could mean
    the run never got that far). `counts` counts records by label (`filters.too_short`,
    `input.malformed_json`), for the run summary. With `path=None` (a pipe-mode run asked for
    no rejects file) the records are counted and not written anywhere.
    """

    def __init__(self, path: str | None, *, trace: bool = False) -> None:
        if path == STDIO:
            raise ConfigError("the rejects file needs a path, not '-'")
        self.path = path
        self.trace = trace
        self.counts: Counter[str] = Counter()
        self._atomic = AtomicFile(path) if path is not None else None
        self._handle: IO[bytes] | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def write_drop(self, drop: Drop) -> None:
        self._write(self.encode(drop, trace=self.trace))
        self.counts[drop.label] += 1

    def write_reject(self, reject: Reject) -> None:
        self._write(self.encode(reject))
        self.counts[reject.label] += 1

    @staticmethod
    def encode(item: Drop | Reject, *, trace: bool = False) -> bytes:
        """The line `write` writes for `item` (with `trace`: a Drop's edit trace too)."""
        if isinstance(item, Drop):
            return dumps_line(drop_record(item, trace=trace))
        return dumps_line(reject_record(item))

    def write_encoded(self, data: bytes, counts: Counter[str]) -> None:
        """Write lines made by `encode` elsewhere, concatenated; `counts` by label."""
        self._write(data)
        self.counts.update(counts)

    def write(self, item: Drop | Reject) -> None:
        """Either kind of record."""
        if isinstance(item, Drop):
            self.write_drop(item)
        else:
            self.write_reject(item)

    def close(self) -> None:
        if self._atomic is not None:
            self._atomic.commit()

    def abort(self) -> None:
        if self._atomic is not None:
            self._atomic.discard()

    def _write(self, data: bytes) -> None:
        if self._atomic is None:
            return
        if self._handle is None:
            self._handle = self._atomic.open()
        self._handle.write(data)

    def __enter__(self) -> RejectWriter:
        if self._atomic is not None:
            self._handle = self._atomic.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def default_side_paths(output: str, *, fmt: str = "auto") -> tuple[str | None, str | None]:
    """(rejects path, report path) beside `output`, or (None, None): no side files.

    `out.jsonl[.gz|.zst]`, `out.txt`, `out.parquet` and the directory `out/` give
    `out.rejects.jsonl` and `out.report.json`. An output directory is never given a name with
    its format stripped. `-` (stdout) and a special file (`/dev/null`, a FIFO) give none: a
    pipe has no place beside it, and the current directory (or /dev) is not one to write into
    unasked; `--rejects` and `--report` name them explicitly.
    """
    if output == STDIO or is_special_file(output):
        return None, None
    is_dir = fmt == "dir" or output.endswith(("/", os.sep)) or os.path.isdir(output)
    stem = (output.rstrip("/" + os.sep) or output) if is_dir else output_stem(output)
    return f"{stem}.rejects.jsonl", f"{stem}.report.json"


def meta_side_path(output: str, *, fmt: str = "auto") -> str | None:
    """Where the meta of a `.txt` output goes: `out.txt` -> `out.meta.jsonl`; None for every
    other format (JSONL and Parquet hold the meta; a directory holds its own `DIR_META_NAME`)
    and for a special file."""
    if output == STDIO or is_special_file(output) or output_format(output, fmt) != "txt":
        return None
    return output_stem(output) + TXT_META_SUFFIX
