"""Readers: input paths -> Documents and Rejects, one module per input format.

- `inputs`: which reader reads each path (files, directories, `-`); the entry points below.
- `base`: what the readers share (field names and size limit, common reject reasons).
- `text`, `html`, `jsonl`, `warc`, `parquet`, `stdin`: one format each.
"""

from __future__ import annotations

from cleaner.io.readers.inputs import check_inputs, count_hint, iter_inputs, read_inputs

__all__ = ["check_inputs", "count_hint", "iter_inputs", "read_inputs"]
