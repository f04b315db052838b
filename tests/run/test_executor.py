from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import ClassVar

import numpy as np
import pytest

from cleaner.document import Document, Drop, Reject
from cleaner.errors import CleanerError
from cleaner.pipeline import Pipeline
from cleaner.run.executor import execute_chain
from cleaner.run.pool import RESUME_HINT, worker_pool
from cleaner.run.stream import execute
from cleaner.stage import Chain, Signed, TaskMap


class Tag:
    name: ClassVar[str] = "tag"
    sequential: ClassVar[bool] = False

    def process(self, doc: Document) -> Document | Drop:
        if doc.text.endswith("7"):
            return Drop(doc, self.name, "sevens")
        return doc.with_meta(tagged=True)


class Order:
    name: ClassVar[str] = "order"
    sequential: ClassVar[bool] = True

    def __init__(self) -> None:
        self.n = 0

    def fresh(self) -> Order:
        return Order()

    def process(self, doc: Document) -> Document | Drop:
        self.n += 1
        return doc.with_meta(order=self.n)


def _items(n: int) -> list[Document | Reject]:
    out: list[Document | Reject] = []
    for i in range(n):
        if i % 50 == 13:
            out.append(Reject(id=f"bad{i}", source="s", reason="malformed_json"))
        else:
            out.append(Document(id=str(i), text=f"text {i}"))
    return out


def _ids(results: list[Document | Drop | Reject]) -> list[str]:
    return [r.document.id if isinstance(r, Drop) else r.id for r in results]


def test_parallel_results_equal_serial_results_in_order() -> None:
    pipeline = Pipeline([Tag(), Order()])
    items = _items(1000)
    serial = list(execute_chain(pipeline.chain, items, jobs=1, batch_size=16))
    parallel = list(execute_chain(pipeline.chain, items, jobs=2, batch_size=16))
    assert _ids(serial) == [i.id for i in items]
    assert serial == parallel
    kept = [r for r in parallel if isinstance(r, Document)]
    assert [d.meta["order"] for d in kept] == list(range(1, len(kept) + 1))
    assert sum(isinstance(r, Reject) for r in parallel) == 20
    assert sum(isinstance(r, Drop) for r in parallel) == 100


def test_execute_streams_with_a_bounded_window() -> None:
    pulled = 0

    def items() -> object:
        nonlocal pulled
        for i in range(100_000):
            pulled += 1
            yield Document(id=str(i), text=f"text {i}")

    stream = execute_chain(Chain((Tag(),)), items(), jobs=2, batch_size=10)  # type: ignore[arg-type]
    next(stream)
    # 2 workers x 3 batches in flight x 10 docs, plus the first batch: far below the input.
    assert pulled <= 100
    stream.close()  # type: ignore[attr-defined]


def test_small_inputs_run_in_process() -> None:
    results = list(execute_chain(Chain((Tag(),)), _items(5), jobs=4, batch_size=64))
    assert len(results) == 5


class Total:
    """A whole-corpus stage: annotates each document it is shown with how many it was shown,
    and drops those ending in 5."""

    name: ClassVar[str] = "total"
    sequential: ClassVar[bool] = False

    def global_stage(self) -> Total:
        return self

    sees_blank: ClassVar[bool] = True

    def sign(self, docs: list[Document]) -> list[bool]:
        return [doc.text.endswith("5") for doc in docs]

    def decide(self, shards: Iterator[Signed], tasks: TaskMap) -> _Totals:
        seen = [(int(s.alive.sum()), s.signatures) for s in shards]
        return _Totals(sum(count for count, _ in seen), [fives for _, fives in seen])

    def apply(self, decisions: tuple[int, bool], position: int, doc: Document) -> Document | Drop:
        total, _ = decisions
        if doc.text.endswith("5"):
            return Drop(doc, "total", "fives")
        return doc.with_meta(total=total, position=position)

    def process(self, doc: Document) -> Document | Drop:
        raise AssertionError("not called for whole-corpus stages")


class _Totals:
    def __init__(self, total: int, fives: list[list[bool]]) -> None:
        self.total, self.fives = total, fives

    def for_shard(self, index: int) -> tuple[int, bool]:
        return self.total, False

    def kept(self, index: int) -> np.ndarray:  # type: ignore[type-arg]
        return ~np.asarray(self.fives[index], dtype=np.bool_)


def test_a_global_stage_sees_the_whole_input_and_keeps_order_and_counts() -> None:
    pipeline = Pipeline([Tag(), Total(), Order()])
    items = _items(500)
    serial = list(execute(pipeline.chain, items, jobs=1))
    parallel = list(execute(pipeline.chain, items, jobs=2))
    assert serial == parallel
    assert _ids(serial) == [i.id for i in items]
    kept = [r for r in serial if isinstance(r, Document)]
    observed = 500 - 10 - 50  # rejects and Tag's drops never reach the stage
    assert {d.meta["total"] for d in kept} == {observed}
    assert sum(isinstance(r, Drop) and r.processor == "total" for r in serial) == 50
    assert [d.meta["order"] for d in kept] == list(range(1, len(kept) + 1))


def test_a_dead_worker_is_a_one_line_error_naming_the_stage() -> None:
    with (
        pytest.raises(CleanerError) as caught,
        worker_pool(None, 1, stage="map", hint=RESUME_HINT) as pool,
    ):
        pool.submit(os._exit, 9).result()  # the worker dies as if killed
    message = str(caught.value)
    assert message.startswith("map: a worker process died (killed by a signal, or out of memory?)")
    assert "\n" not in message and message.endswith("from the shards already finished")


def test_a_submit_to_a_pool_broken_by_a_dead_worker_is_the_same_error() -> None:
    with (
        pytest.raises(CleanerError, match=r"^reduce: a worker process died"),
        worker_pool(None, 1, stage="reduce") as pool,
    ):
        dying = pool.submit(os._exit, 9)
        while not dying.done():
            time.sleep(0.01)
        pool.submit(int, "1")  # the pool is broken by now: the submit itself raises


def test_a_task_error_passes_through_unchanged() -> None:
    with worker_pool(None, 1, stage="map") as pool:
        with pytest.raises(ValueError, match="invalid literal"):
            pool.submit(int, "not a number").result()
        assert pool.submit(int, "12").result() == 12
