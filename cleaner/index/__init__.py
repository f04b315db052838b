"""A persistent dedup index: check each new batch against everything seen before.

- `format`: the format name and version an index stores, and the one-line refusals;
- `codec`: `PreparedSketches` <-> one record per document, field by field;
- `keys`: the lookup keys (band keys, text hashes, sentence keys) a store indexes;
- `store`: the backend protocol; `sqlite_store` (embedded, the default) and `redis_store`,
  chosen by `backends`;
- `lock`: the one-writer lock of a file index;
- `check`: a batch decided against the index by the one-run `NearDupIndex.finish`;
- `api`: `Index`, from Python, the CLI and the `dedup` stage.
"""

from __future__ import annotations

from cleaner.index.api import Index, IndexStats, Verdict

__all__ = ["Index", "IndexStats", "Verdict"]
