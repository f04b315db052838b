"""The backend for an index location: Redis for ``redis://`` URLs, SQLite for paths."""

from __future__ import annotations

from cleaner.index.redis_store import RedisStore
from cleaner.index.sqlite_store import SqliteStore
from cleaner.index.store import IndexStore

#: URL schemes that name a Redis server.
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def open_store(location: str) -> IndexStore:
    """The store at `location`: ``redis://host:port/db`` (needs ``cleaner[redis]``, imported
    only then) or a file / directory path (SQLite)."""
    if location.startswith(REDIS_SCHEMES):
        return RedisStore(location)
    return SqliteStore(location)
