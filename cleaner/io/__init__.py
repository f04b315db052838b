"""Reading inputs into Documents and writing Documents, drops and rejects back out.

- `readers/`: paths (files, directories, stdin) -> Documents and Rejects, one module per
  format (text, HTML, JSONL[.gz|.zst], WARC, Parquet, stdin).
- `writers/`: Documents -> JSONL[.gz|.zst] / .txt / a directory / Parquet / stdout, one module
  per format; the rejects file.
- shared by both: `formats` (what a name says about its format), `records` (the JSON record
  layouts), `decode` and `html_charset` (bytes -> text), `compression`, `limits` (the size
  limit of a document), `atomic` (files and directories that appear complete or not at all),
  `walk` (the files under a directory), `layout` (document ids -> paths in a directory
  output) and `targets` (where a run may write).

Rule for the whole package: bad input gets a clear reason, never a traceback, and nothing is
lost: every input document ends in the output or in the rejects file.
"""

from __future__ import annotations

from cleaner.io.atomic import AtomicDirectory, AtomicFile
from cleaner.io.decode import decode_bytes, looks_binary
from cleaner.io.readers import check_inputs, count_hint, iter_inputs
from cleaner.io.writers import DocumentWriter, RejectWriter, default_side_paths, open_writer

__all__ = [
    "AtomicDirectory",
    "AtomicFile",
    "DocumentWriter",
    "RejectWriter",
    "check_inputs",
    "count_hint",
    "decode_bytes",
    "default_side_paths",
    "iter_inputs",
    "looks_binary",
    "open_writer",
]
