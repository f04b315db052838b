"""A plain text file -> one Document, decoded whatever its encoding, or a Reject.

Used for every file that is not JSONL, HTML, WARC or Parquet, and for standard input that is
neither JSONL nor an HTML page. Text of unknown encoding goes through `decode_bytes`, which
records how it decoded in `meta["decoding"]`.
"""

from __future__ import annotations

from typing import Any

from cleaner.document import Document, Reject
from cleaner.io.decode import decode_bytes, unusable_bytes


def text_document(data: bytes, *, doc_id: str, source: str) -> Document | Reject:
    """The bytes of a whole file -> one Document, or a Reject if they are not usable text."""
    problem = unusable_bytes(data)
    if problem is not None:
        return Reject(id=doc_id, source=source, reason=problem[0], detail=problem[1])
    text, decoding = decode_bytes(data)
    if not text.strip():
        detail = f"only whitespace after decoding ({len(data)} bytes)"
        return Reject(id=doc_id, source=source, reason="empty_file", detail=detail)
    meta: dict[str, Any] = {"source": source}
    if decoding:
        meta["decoding"] = decoding
    return Document(id=doc_id, text=text, meta=meta)
