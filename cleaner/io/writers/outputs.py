"""An output name -> the writer of its format, and the names of the side files beside it.

    with open_writer("out.jsonl.zst") as out, RejectWriter("out.rejects.jsonl") as rejects:
        out.write(doc); rejects.write_drop(drop); rejects.write_reject(reject)

Output formats (chosen by name, or by `fmt`):

- `.jsonl` / `.ndjson`, optionally `.gz` or `.zst`: one record per line, layout in
  `cleaner.io.records`, written by `cleaner.io.writers.file` (`cleaner.io.writers.jsonl`).
- `.txt`: the texts only, each ending with a newline, separated by a line holding a single form
  feed (`\\f\\n`). A form feed is a page break, never part of prose, so
  `data.split("\\n\\f\\n")` recovers the documents; a text line that is exactly a form feed is
  written as an empty line to keep that true. What the texts cannot hold (id, meta, the input's
  other fields) goes to `OUT.meta.jsonl` beside it, one line per document in the same order
  (`cleaner.io.records.meta_record`), committed with it (`cleaner.io.writers.txt`).
- `.parquet`: one row per document, zstd-compressed; layout and type rules in
  `cleaner.io.writers.parquet` (needs pyarrow: `pip install 'cleaner[parquet]'`, imported
  only then).
- a directory (`out/`, an existing directory, or `fmt="dir"`): one UTF-8 file per document at
  the path its id names, with `.txt` added if missing (see `cleaner.io.layout`), each ending
  with a newline. The tree also holds `.cleaner-meta.jsonl` (one `meta_record` line per
  document, with its `path`, in output order) and the marker `.cleaner-output`: an existing
  directory is replaced only when it holds that marker (cleaner wrote it) or is empty, unless
  `overwrite=True` (`cleaner.io.writers.directory`).
- `-`: JSONL on standard output (`cleaner.io.writers.stdout`).
- a special file (`/dev/null`, a FIFO): JSONL written to it directly, no meta side file.

Every file output is atomic (`cleaner.io.atomic`): it appears complete when the `with` block
ends without an exception, and an exception leaves the previous output (or none) untouched.
"""

from __future__ import annotations

import os

from cleaner.io.atomic import is_special_file
from cleaner.io.formats import STDIO, compression_of, output_format, output_stem
from cleaner.io.writers.base import DocumentWriter
from cleaner.io.writers.directory import DirectoryWriter
from cleaner.io.writers.file import FileWriter
from cleaner.io.writers.jsonl import JsonlEncoder
from cleaner.io.writers.parquet import ParquetDocumentWriter
from cleaner.io.writers.stdout import StdoutWriter
from cleaner.io.writers.txt import TXT_META_SUFFIX, TxtEncoder


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
        return ParquetDocumentWriter(path, text_field=text_field, id_field=id_field, trace=trace)
    if kind == "txt":
        meta_path = meta_side_path(path, fmt=fmt)
        return FileWriter(path, TxtEncoder(), None, meta_path=meta_path, trace=trace)
    encoder = JsonlEncoder(text_field=text_field, id_field=id_field, trace=trace)
    if kind == "stdout":
        return StdoutWriter(encoder)
    return FileWriter(path, encoder, compression_of(path), trace=trace)


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
