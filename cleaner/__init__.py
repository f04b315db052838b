"""cleaner: turn scraped web and news dumps into clean, de-duplicated text.

Library entry points:

    import cleaner
    cleaner.clean_text(raw)                       # one str (or bytes) in, cleaned str out
    pipeline = cleaner.Pipeline.from_config(path) # packaged defaults < your TOML file
    for result in pipeline.run(records): ...      # Documents (kept) and Drops (with reasons)
    index = cleaner.Index.open("news.index")      # persistent dedup index (or redis://...)
    index.add(batch)                              # verdicts; the non-copies join the index
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cleaner.api import clean_text
from cleaner.document import Document, Drop, Edit, Reject
from cleaner.errors import CleanerError, ConfigError, RuleError
from cleaner.pipeline import Pipeline

if TYPE_CHECKING:
    from cleaner.index import Index

__version__ = "0.1.0"

__all__ = [
    "CleanerError",
    "ConfigError",
    "Document",
    "Drop",
    "Edit",
    "Index",
    "Pipeline",
    "Reject",
    "RuleError",
    "__version__",
    "clean_text",
]


def __getattr__(name: str) -> Any:
    """`cleaner.Index`, imported on first use: a `cleaner clean` run never needs the index
    (its codec and backends take ~35 ms to import, paid at every start otherwise)."""
    if name == "Index":
        from cleaner.index import Index

        return Index
    raise AttributeError(f"module 'cleaner' has no attribute {name!r}")
