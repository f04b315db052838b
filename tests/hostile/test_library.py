"""The Python API, called the way another pipeline calls it: bad records become Drops with the
CLI's reasons, wrong argument types fail at once with a TypeError that says what was expected,
and a config file is read again when it changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from cleaner.cli.main import main
from cleaner.document import Document, Drop
from cleaner.io.records import MISSING_TEXT_FIELD, NOT_AN_OBJECT
from cleaner.pipeline import Pipeline


class Identity:
    name: ClassVar[str] = "identity"
    sequential: ClassVar[bool] = False

    def process(self, doc: Document) -> Document | Drop:
        return doc


# -- 1. a bad record is a Drop, as the CLI makes it a reject --------------------------------------


def test_a_record_without_text_is_a_drop_and_the_run_goes_on() -> None:
    records: list[Any] = [
        {"id": "a", "text": "first text"},
        {"id": "b", "content": "wrong field"},
        {"id": "c", "text": "third text"},
    ]
    results = list(Pipeline([Identity()]).run(records))
    assert [type(r).__name__ for r in results] == ["Document", "Drop", "Document"]
    drop = results[1]
    assert isinstance(drop, Drop)
    assert (drop.processor, drop.reason) == ("input", MISSING_TEXT_FIELD)
    assert drop.document.id == "b"
    assert drop.document.fields == {"content": "wrong field"}
    assert "'text'" in drop.detail and "content" in drop.detail


def test_the_library_drop_has_the_reason_the_cli_writes_to_rejects(tmp_path: Path) -> None:
    records = [{"id": "ok", "text": "A sentence that is kept."}, {"id": "bad", "body": "x"}]
    dump = tmp_path / "in.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["clean", str(dump), "-o", str(out), "-q", "--no-progress", "--no-resume"]) == 0
    [reject] = [json.loads(line) for line in out.with_suffix(".rejects.jsonl").open()]

    drops = [r for r in Pipeline.from_config().run(records) if isinstance(r, Drop)]
    [drop] = [d for d in drops if d.document.id == "bad"]
    assert (drop.processor, drop.reason) == (reject["stage"], reject["reason"])


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ({"id": "n", "text": 123}, ["'text'", "int"]),
        ({"id": "n", "text": None}, ["'text'", "None"]),
        ({"id": "n", "text": b"bytes"}, ["'text'", "bytes"]),
    ],
)
def test_a_record_whose_text_is_not_a_string_is_a_drop(
    record: dict[str, Any], words: list[str]
) -> None:
    [drop] = list(Pipeline([Identity()]).run([record]))
    assert isinstance(drop, Drop) and drop.reason == MISSING_TEXT_FIELD
    assert all(word in drop.detail for word in words), drop.detail


def test_an_item_that_is_not_a_record_is_a_drop() -> None:
    items: list[Any] = ["kept", 42, None, ["a", "list"], "kept too"]
    results = list(Pipeline([Identity()]).run(items))
    assert [type(r).__name__ for r in results] == ["Document", "Drop", "Drop", "Drop", "Document"]
    for index, drop in enumerate(results[1:4], start=1):
        assert isinstance(drop, Drop)
        assert (drop.processor, drop.reason) == ("input", NOT_AN_OBJECT)
        assert drop.document.id == str(index)
    first = results[1]
    assert isinstance(first, Drop) and "int" in first.detail


def test_a_document_with_non_string_text_is_a_drop() -> None:
    bad = Document(id="d", text=None)  # type: ignore[arg-type]
    [drop] = list(Pipeline([Identity()]).run([bad]))
    assert isinstance(drop, Drop) and drop.reason == MISSING_TEXT_FIELD


def test_a_record_with_only_an_html_field_is_read_as_html_like_the_cli() -> None:
    [doc] = list(Pipeline([Identity()]).run([{"id": "p", "html": "<p>Hi</p>"}]))
    assert isinstance(doc, Document)
    assert doc.text == "<p>Hi</p>" and doc.meta.get("format") == "html"


def test_bad_records_pass_a_barrier_in_place() -> None:
    texts = [f"Document number {n} says something of its own about topic {n}." for n in range(4)]
    items: list[Any] = [texts[0], {"id": "x"}, texts[1], 7, texts[2], texts[3]]
    results = list(Pipeline.from_config().run(items))
    assert len(results) == len(items)
    assert [isinstance(r, Drop) and r.processor == "input" for r in results] == [
        False, True, False, True, False, False,
    ]


def test_a_generator_that_yields_bad_items_is_consumed_to_the_end() -> None:
    def items() -> Iterator[Any]:
        for n in range(100):
            yield {"id": n, "text": f"text {n}"} if n % 3 else {"id": n}

    results = list(Pipeline([Identity()]).run(items()))
    assert len(results) == 100
    assert sum(isinstance(r, Drop) for r in results) == 34


# -- 2. types at the boundary ------------------------------------------------------------------


@pytest.mark.parametrize("items", ["abc", b"abc", {"id": "a", "text": "x"}])
def test_run_refuses_one_text_or_one_record_when_called(items: Any) -> None:
    pipeline = Pipeline([Identity()])
    with pytest.raises(TypeError, match=r"run\(\) takes an iterable of documents"):
        pipeline.run(items)  # raised at the call, before anything is iterated


def test_run_of_a_str_names_the_ways_to_clean_one_text() -> None:
    with pytest.raises(TypeError) as info:
        Pipeline([Identity()]).run("abc")
    assert "for one text use clean_text or [text]" in str(info.value)


@pytest.mark.parametrize("items", [None, 12, Document(id="d", text="t")])
def test_run_refuses_what_is_not_iterable(items: Any) -> None:
    with pytest.raises(TypeError, match=r"run\(\) takes an iterable of documents"):
        Pipeline([Identity()]).run(items)


@pytest.mark.parametrize(
    ("processors", "expected"),
    [
        ([123], r"processor 0 is an int"),
        ([Identity(), object()], r"processor 1 is an object"),
        ([("encoding",)], r"\(name, params\)"),
        ([("encoding", "fast")], r"\(name, params\)"),
        ([(1, {})], r"\(name, params\)"),
        (None, r"takes a list of processors"),
        ({"encoding": {}}, r"Pipeline\.from_dict"),
    ],
)
def test_pipeline_refuses_bad_processors_when_built(processors: Any, expected: str) -> None:
    with pytest.raises(TypeError, match=expected):
        Pipeline(processors)


def test_pipeline_of_one_name_is_a_type_error_with_a_hint() -> None:
    with pytest.raises(TypeError) as info:
        Pipeline("encoding")  # type: ignore[arg-type]
    assert "Pipeline(['encoding'])" in str(info.value)


def test_pipeline_refuses_a_non_bool_drop_empty_and_a_non_mapping_config() -> None:
    with pytest.raises(TypeError, match="drop_empty"):
        Pipeline([Identity()], drop_empty="no")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="config"):
        Pipeline([Identity()], config=["a"])  # type: ignore[arg-type]


def test_pipeline_still_builds_from_names_pairs_and_objects() -> None:
    pipeline = Pipeline(["normalize", ("encoding", {"fix_mojibake": False}), Identity()])
    assert pipeline.names == ["normalize", "encoding", "identity"]
