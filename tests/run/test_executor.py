from __future__ import annotations

import os
import time
from typing import ClassVar

import pytest

from cleaner.document import Document, Drop, Reject
from cleaner.errors import CleanerError
from cleaner.pipeline import Pipeline
from cleaner.run.executor import RESUME_HINT, execute, worker_pool


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
    serial = list(execute(pipeline, items, jobs=1, batch_size=16))
    parallel = list(execute(pipeline, items, jobs=2, batch_size=16))
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

    stream = execute(Pipeline([Tag()]), items(), jobs=2, batch_size=10)  # type: ignore[arg-type]
    next(stream)
    # 2 workers x 3 batches in flight x 10 docs, plus the first batch: far below the input.
    assert pulled <= 100
    stream.close()  # type: ignore[attr-defined]


def test_small_inputs_run_in_process() -> None:
    results = list(execute(Pipeline([Tag()]), _items(5), jobs=4, batch_size=64))
    assert len(results) == 5


class Barrier:
    """Counts the documents it observed; annotates each with the total."""

    name: ClassVar[str] = "barrier"
    sequential: ClassVar[bool] = True
    barrier: ClassVar[bool] = True

    def start(self) -> _BarrierRun:
        return _BarrierRun()

    def process(self, doc: Document) -> Document | Drop:
        raise AssertionError("not called for barriers")


class _BarrierRun:
    def __init__(self) -> None:
        self.seen: list[int] = []

    def observe(self, position: int, doc: Document) -> None:
        self.seen.append(position)

    def finish(self) -> None:
        pass

    def apply(self, position: int, doc: Document) -> Document | Drop:
        if doc.text.endswith("5"):
            return Drop(doc, "barrier", "fives")
        return doc.with_meta(total=len(self.seen), position=position)


def test_barrier_runs_two_passes_and_keeps_order_and_counts() -> None:
    pipeline = Pipeline([Tag(), Barrier(), Order()])
    items = _items(500)
    serial = list(execute(pipeline, items, jobs=1, batch_size=16))
    parallel = list(execute(pipeline, items, jobs=2, batch_size=16))
    assert serial == parallel
    assert _ids(serial) == [i.id for i in items]
    kept = [r for r in serial if isinstance(r, Document)]
    observed = 500 - 10 - 50  # rejects and Tag's drops never reach the barrier
    assert {d.meta["total"] for d in kept} == {observed}
    assert sum(isinstance(r, Drop) and r.processor == "barrier" for r in serial) == 50
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
