"""Shards: the input cut by item count and by input characters, numbered in input order,
and a run's results the same however the input is cut."""

from __future__ import annotations

from pathlib import Path

import pytest

import cleaner.run.shards as shards
from cleaner.config import load_config
from cleaner.document import Document, Drop
from cleaner.pipeline import Pipeline
from cleaner.run.plan import Plan, Record
from cleaner.run.shards import MapTask, pending_shards, run_map, shard_starts
from cleaner.run.stream import execute_measured
from cleaner.run.workdir import open_workdir


def _records(lengths: list[int]) -> list[Record]:
    return [(n, Document(f"d{i}", "x" * n)) for i, n in enumerate(lengths)]


def test_a_shard_ends_at_shard_size_items_or_at_the_character_budget(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shards, "SHARD_CHARS", 100)
    work, _ = open_workdir(str(tmp_path / "work"), "test")
    stats = [0, 0]
    items = _records([30, 30, 30, 30, 500, 10, 10, 10, 10, 200])
    cut = [(index, len(shard)) for index, shard in pending_shards(work, items, 3, stats)]
    # three items; then 30 + 500 reaches the budget; three items; one under budget, and
    # 10 + 200 reaches it: an item longer than the budget still makes a shard.
    assert cut == [(0, 3), (1, 2), (2, 3), (3, 2)]
    assert stats == [4, 0]


def _chain_with_a_global_stage() -> Pipeline:
    config = load_config()
    config["pipeline"]["processors"] = ["normalize", "exact_dedup"]
    return Pipeline.from_dict(config)


def _summary(result: object) -> tuple[str, str, str]:
    if isinstance(result, Drop):
        return ("drop", result.document.id, result.reason)
    assert isinstance(result, Document)
    return ("doc", result.id, repr(result.meta.get("dup")))


def test_the_results_do_not_depend_on_where_the_shards_end(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts = [f"Story number {i % 7} about the harbour, told once more." for i in range(40)]
    measured = [(len(t), Document(f"d{i:02d}", t)) for i, t in enumerate(texts)]
    chain = _chain_with_a_global_stage().chain
    whole = [_summary(r) for _, r in execute_measured(chain, measured, jobs=1)]
    monkeypatch.setattr(shards, "SHARD_CHARS", 120)  # two or three documents a shard
    cut = [_summary(r) for _, r in execute_measured(chain, measured, jobs=1)]
    assert cut == whole
    # Each copy points at its first occurrence, which often sits in another shard.
    assert sum(dup != "None" for _, _, dup in whole) == 33
    assert whole[39] == ("doc", "d39", repr({"kind": "exact", "of": "d04", "cluster": "d04"}))


def test_shard_starts_are_the_input_positions_of_each_shards_first_item(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shards, "SHARD_CHARS", 100)
    work, _ = open_workdir(str(tmp_path / "work"), "test")
    plan = Plan.of(_chain_with_a_global_stage().chain)
    stats = run_map(
        work, _records([60, 60, 10, 10, 10, 300, 5]), MapTask(plan), shard_size=3, jobs=1
    )
    assert stats.total == 4
    assert [work.done_count(i) for i in range(4)] == [2, 3, 1, 1]
    assert shard_starts(work, stats.total) == [0, 2, 5, 6]
