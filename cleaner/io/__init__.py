"""Reading inputs into Documents and writing Documents, drops and rejects back out.

- `decode`: bytes of unknown encoding -> text, with a record of how (`meta["decoding"]`).
- `readers`: paths (files, directories, JSONL[.gz|.zst], stdin) -> Documents and Rejects.
- `writers`: Documents -> JSONL[.gz|.zst] / .txt / a directory / stdout; the rejects file.
- `atomic`: files and directories that appear complete or not at all.

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
