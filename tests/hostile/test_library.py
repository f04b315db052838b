"""The Python API, called the way another pipeline calls it: bad records become Drops with the
CLI's reasons, wrong argument types fail at once with a TypeError that says what was expected,
and a config file is read again when it changes."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

import cleaner
from cleaner.api import clean_text
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


def test_bad_records_pass_the_whole_corpus_stages_in_place() -> None:
    texts = [f"Document number {n} says something of its own about topic {n}." for n in range(4)]
    items: list[Any] = [texts[0], {"id": "x"}, texts[1], 7, texts[2], texts[3]]
    results = list(Pipeline.from_config().run(items))
    assert len(results) == len(items)
    assert [isinstance(r, Drop) and r.processor == "input" for r in results] == [
        False,
        True,
        False,
        True,
        False,
        False,
    ]


def test_a_generator_that_yields_bad_items_is_consumed_to_the_end() -> None:
    def items() -> Iterator[Any]:
        for n in range(100):
            yield {"id": n, "text": f"text {n}"} if n % 3 else {"id": n}

    results = list(Pipeline([Identity()]).run(items()))
    assert len(results) == 100
    assert sum(isinstance(r, Drop) for r in results) == 34


# -- 2. types at the boundary ------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 123, 4.5, ["text"], bytearray(b"text")])
def test_clean_text_refuses_what_is_not_text(value: Any) -> None:
    with pytest.raises(TypeError, match=r"clean_text\(\) takes a str"):
        clean_text(value)


def test_clean_text_decodes_bytes_as_the_cli_decodes_a_file() -> None:
    text = "Caf\u00e9 au lait \u2014 \u201cquoted\u201d, na\u00efve r\u00e9sum\u00e9."
    assert clean_text(text.encode("utf-8")) == clean_text(text)
    assert clean_text(text.encode("utf-16")) == clean_text(text)  # its byte-order mark
    page = (
        '<html><head><meta charset="windows-1252"></head><body><article><p>'
        + "Un caf\u00e9 tr\u00e8s \u201cbon\u201d, servi chaque matin au comptoir. " * 5
        + "</p></article></body></html>"
    )
    cleaned = clean_text(page.encode("cp1252"), html=True)
    assert "caf\u00e9 tr\u00e8s \u201cbon\u201d" in cleaned


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"config": 123}, "config"),
        ({"url": 5}, "url"),
        ({"html": "yes"}, "html"),
    ],
)
def test_clean_text_refuses_wrong_keyword_types(kwargs: dict[str, Any], expected: str) -> None:
    with pytest.raises(TypeError, match=expected):
        clean_text("text", **kwargs)


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


# -- 3. clean_text(config=path) sees an edited file ---------------------------------------------


def test_clean_text_reads_an_edited_config_again(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    text = "Hello   world."
    config.write_text('[pipeline]\nprocessors = ["normalize"]\n', encoding="utf-8")
    assert clean_text(text, config=config) == "Hello world."
    stat = config.stat()
    # Same size and the same modification time: only the content tells the versions apart.
    config.write_text('[pipeline]\nprocessors = ["encoding" ]\n', encoding="utf-8")
    os.utime(config, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert config.stat().st_size == stat.st_size
    assert clean_text(text, config=config) == text
    config.write_text('[pipeline]\nprocessors = ["normalize"]\n', encoding="utf-8")
    assert clean_text(text, config=str(config)) == "Hello world."


def test_clean_text_reads_an_edited_rule_file_again(
    tmp_path: Path, write_marker_pack: Callable[[Path, str], None]
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    pack = rules / "local.toml"
    config = tmp_path / "c.toml"
    config.write_text(
        f'[pipeline]\nprocessors = ["boilerplate"]\n[boilerplate]\nrules_dirs = ["{rules}"]\n',
        encoding="utf-8",
    )
    text = "The council met on Tuesday.\nAlpha marker line\nBeta marker line"
    write_marker_pack(pack, "Alpha marker line")
    assert clean_text(text, config=config) == "The council met on Tuesday.\nBeta marker line"
    # The config file is unchanged; only the rule file it names was edited.
    write_marker_pack(pack, "Beta marker line")
    assert clean_text(text, config=config) == "The council met on Tuesday.\nAlpha marker line"


def test_clean_text_config_errors_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(cleaner.ConfigError, match="not found"):
        clean_text("x", config=tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[pipeline\n", encoding="utf-8")
    with pytest.raises(cleaner.ConfigError, match="not valid TOML"):
        clean_text("x", config=bad)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"# caf\xe9\n[pipeline]\nprocessors = []\n")
    with pytest.raises(cleaner.ConfigError, match="UTF-8"):
        clean_text("x", config=latin)


def test_the_config_cache_stays_bounded(tmp_path: Path) -> None:
    from cleaner import api

    config = tmp_path / "c.toml"
    for n in range(3 * api.CACHED_PIPELINES):
        config.write_text(f"[filters]\nmin_words = {n}\n", encoding="utf-8")
        clean_text("Some words here.", config=config)
    assert api.cached_pipelines() <= api.CACHED_PIPELINES


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"overrides": "filters.min_words=3"}, r"overrides takes a list"),
        ({"rules": "my_rules/"}, r"rules takes a list"),
        ({"rules": Path("my_rules")}, r"rules takes a list"),
        ({"path": 3}, r"path must be"),
    ],
)
def test_from_config_refuses_one_string_where_a_list_is_expected(
    kwargs: dict[str, Any], expected: str
) -> None:
    with pytest.raises(TypeError, match=expected):
        Pipeline.from_config(**kwargs)


def test_from_dict_and_process_check_their_argument_types() -> None:
    with pytest.raises(TypeError, match="configuration mapping"):
        Pipeline.from_dict(["pipeline"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"process\(\) takes a Document"):
        Pipeline([Identity()]).process("text")  # type: ignore[arg-type]
