from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from cleaner.document import Document, Drop
from cleaner.errors import ConfigError
from cleaner.pipeline import Pipeline, to_document
from cleaner.run.plan import Plan


@dataclass(frozen=True)
class Upper:
    name: ClassVar[str] = "upper"
    sequential: ClassVar[bool] = False

    def process(self, doc: Document) -> Document | Drop:
        return doc.evolve(text=doc.text.upper())


@dataclass(frozen=True)
class DropShort:
    name: ClassVar[str] = "drop_short"
    sequential: ClassVar[bool] = False

    def process(self, doc: Document) -> Document | Drop:
        if len(doc.text) < 3:
            return Drop(doc, self.name, "too_short", f"{len(doc.text)} chars")
        return doc


class Boom:
    name: ClassVar[str] = "boom"
    sequential: ClassVar[bool] = False

    def process(self, doc: Document) -> Document | Drop:
        if "boom" in doc.text:
            raise ValueError("exploded")
        return doc


class Counter:
    """A sequential processor with per-run state."""

    name: ClassVar[str] = "counter"
    sequential: ClassVar[bool] = True

    def __init__(self) -> None:
        self.seen = 0

    def fresh(self) -> Counter:
        return Counter()

    def process(self, doc: Document) -> Document | Drop:
        self.seen += 1
        return doc.with_meta(position=self.seen)


def test_run_streams_documents_dicts_and_strings_in_order() -> None:
    pipeline = Pipeline([Upper(), DropShort()])
    results = list(
        pipeline.run(["hello", {"id": "d", "text": "world", "url": "u"}, Document("x", "ab")])
    )
    assert isinstance(results[0], Document) and results[0].text == "HELLO"
    assert results[0].id == "0"
    assert isinstance(results[1], Document) and results[1].id == "d"
    assert results[1].fields == {"url": "u"}
    assert isinstance(results[2], Drop) and results[2].label == "drop_short.too_short"


def test_run_is_lazy() -> None:
    pulled: list[int] = []

    def items() -> object:
        for i in range(1000):
            pulled.append(i)
            yield f"text {i}"

    stream = Pipeline([Upper()]).run(items())  # type: ignore[arg-type]
    next(stream)
    assert len(pulled) == 1


def test_sequential_state_is_fresh_per_run() -> None:
    pipeline = Pipeline([Upper(), Counter()])
    first = [r.meta["position"] for r in pipeline.run(["aaa", "bbb"]) if isinstance(r, Document)]
    second = [r.meta["position"] for r in pipeline.run(["ccc"]) if isinstance(r, Document)]
    assert first == [1, 2]
    assert second == [1]


def test_the_plan_puts_everything_from_the_first_sequential_processor_last() -> None:
    plan = Plan.of(Pipeline([Upper(), Counter(), DropShort()]).chain)
    assert [p.name for p in plan.prefix] == ["upper"]
    assert plan.stages == ()
    assert [p.name for p in plan.rest.processors] == ["counter", "drop_short"]


def test_empty_text_is_dropped_with_a_reason_unless_disabled() -> None:
    [result] = list(Pipeline([Upper()]).run(["   \n"]))
    assert isinstance(result, Drop) and result.label == "pipeline.empty"
    [kept] = list(Pipeline([Upper()], drop_empty=False).run(["   \n"]))
    assert isinstance(kept, Document)


def test_a_processor_exception_becomes_a_drop_not_a_crash() -> None:
    results = list(Pipeline([Boom()]).run(["fine text", "boom goes the text"]))
    assert isinstance(results[0], Document)
    assert isinstance(results[1], Drop)
    assert results[1].label == "boom.error"
    assert "ValueError: exploded" in results[1].detail


def test_to_document_keeps_fields_and_meta() -> None:
    doc = to_document({"id": 7, "text": "t", "meta": {"a": 1}, "url": "u", "n": 2}, 0)
    assert isinstance(doc, Document)
    assert doc.id == "7" and doc.meta == {"a": 1}
    assert list(doc.fields) == ["url", "n"]
    odd = to_document({"text": "t", "meta": "not a dict"}, 3)
    assert isinstance(odd, Document)
    assert odd.id == "3" and odd.fields == {"meta": "not a dict"}
    missing = to_document({"body": "t"}, 0)
    assert isinstance(missing, Drop) and missing.label == "input.missing_text_field"
    assert "no field 'text'" in missing.detail


def test_from_config_builds_the_default_chain() -> None:
    pipeline = Pipeline.from_config()
    assert pipeline.names == [
        "html",
        "encoding",
        "normalize",
        "boilerplate",
        "language",
        "filters",
        "exact_dedup",
        "dedup",
    ]


def test_from_config_rejects_bad_parameters_with_one_line() -> None:
    with pytest.raises(ConfigError) as info:
        Pipeline.from_config(overrides=["filters.min_words='many'"])
    assert "\n" not in str(info.value)
    assert "min_words" in str(info.value)
