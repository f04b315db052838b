"""Writers: one module per output format, and the rejects file.

Documents go to an output file, a directory or standard output; dropped and rejected inputs go
to the rejects file.

- `outputs`: `open_writer` (the writer for an output name or format) and the side files' names.
- `base`: `DocumentWriter`, the base of every writer, and `StreamEncoder`.
- `jsonl`, `txt`: the stream formats' encoders; `file` and `stdout` write them.
- `directory`, `parquet`: one format each; `rejects`: the rejects file.
"""

from __future__ import annotations

from cleaner.io.writers.base import DocumentWriter, StreamEncoder
from cleaner.io.writers.outputs import default_side_paths, meta_side_path, open_writer
from cleaner.io.writers.rejects import RejectWriter

__all__ = [
    "DocumentWriter",
    "RejectWriter",
    "StreamEncoder",
    "default_side_paths",
    "meta_side_path",
    "open_writer",
]
