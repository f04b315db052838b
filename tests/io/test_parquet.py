"""Parquet input and output: rows <-> Documents, rejects, streaming, determinism, atomicity."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from cleaner.cli.main import main  # noqa: E402
from cleaner.document import Document, Reject  # noqa: E402
from cleaner.errors import ConfigError  # noqa: E402
from cleaner.io.readers import count_hint, iter_inputs  # noqa: E402
from cleaner.io.readers import parquet as parquet_reader  # noqa: E402
from cleaner.io.writers import default_side_paths, open_writer  # noqa: E402
from cleaner.io.writers import parquet as parquet_writer  # noqa: E402


class Boom(Exception):
    pass


def _write_table(path: Path, rows: list[dict[str, Any]], **kwargs: Any) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, **kwargs)
    return path


def _items(*paths: Path, **kwargs: Any) -> list[Document | Reject]:
    return list(iter_inputs([str(p) for p in paths], **kwargs))


def _docs() -> list[Document]:
    return [
        Document(
            id="a",
            text="First text.",
            meta={"lang": "en", "dup": {"cluster": 1}},
            fields={"url": "http://x/1", "n": 1, "score": 0.5, "tags": ["x", "y"], "ok": True},
        ),
        Document(id="b", text="Second text.", fields={"url": "http://x/2", "n": 2.5}),
        Document(id="c", text="Third text.", fields={"extra": "late field"}),
    ]


def test_names_and_side_paths() -> None:
    assert default_side_paths("out/run.parquet") == (
        "out/run.rejects.jsonl",
        "out/run.report.json",
    )
    assert count_hint(["x.parquet"]) is None


def test_round_trip_keeps_fields_and_meta(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    with open_writer(str(src)) as writer:
        for doc in _docs():
            writer.write(doc)
    out = tmp_path / "out.parquet"
    with open_writer(str(out)) as writer:
        for item in _items(src):
            assert isinstance(item, Document)
            writer.write(item)
    table = pq.read_table(out)
    assert table.column_names == ["id", "text", "url", "n", "score", "tags", "ok", "extra", "meta"]
    types = {field.name: str(field.type) for field in table.schema}
    assert types["n"] == "double" and types["url"] == "string" and types["ok"] == "bool"
    assert types["tags"] == "string"  # a list: stored as JSON text
    assert json.loads(table.column("meta")[0].as_py()) == {"lang": "en", "dup": {"cluster": 1}}
    assert table.column("meta")[1].as_py() is None

    back = _items(out)
    assert all(isinstance(item, Document) for item in back)
    docs = [item for item in back if isinstance(item, Document)]
    assert [d.id for d in docs] == ["a", "b", "c"]
    assert [d.text for d in docs] == ["First text.", "Second text.", "Third text."]
    assert docs[0].meta == {"lang": "en", "dup": {"cluster": 1}}
    assert docs[0].fields["tags"] == ["x", "y"] and docs[0].fields["ok"] is True
    assert docs[0].fields["n"] == 1.0 and docs[1].fields["n"] == 2.5
    assert docs[2].fields["extra"] == "late field" and docs[2].meta == {}

    # and on to JSONL: the same record layout as a JSONL -> JSONL run
    jsonl = tmp_path / "back.jsonl"
    with open_writer(str(jsonl)) as writer:
        for doc in docs:
            writer.write(doc)
    first = json.loads(jsonl.read_text("utf-8").splitlines()[0])
    assert first["id"] == "a" and first["tags"] == ["x", "y"] and first["meta"]["lang"] == "en"


def test_foreign_file_types_ids_and_struct_meta(tmp_path: Path) -> None:
    rows = [
        {
            "id": 7,
            "body": "Seven.",
            "meta": {"lang": "de"},
            "when": dt.datetime(2024, 5, 1, 12, 30, tzinfo=dt.UTC),
            "day": dt.date(2024, 5, 1),
            "price": decimal.Decimal("12.50"),
            "blob": b"\x00\x01",
        },
        {
            "id": None,
            "body": "No id.",
            "meta": None,
            "when": None,
            "day": None,
            "price": None,
            "blob": None,
        },
    ]
    path = _write_table(tmp_path / "in.parquet", rows)
    items = _items(path, text_field="body")
    assert [type(item) for item in items] == [Document, Document]
    first, second = items
    assert isinstance(first, Document) and isinstance(second, Document)
    assert first.id == "7" and first.text == "Seven." and first.meta == {"lang": "de"}
    assert list(first.fields) == ["when", "day", "price", "blob"]
    assert first.fields["when"] == "2024-05-01T12:30:00+00:00"
    assert first.fields["day"] == "2024-05-01" and first.fields["price"] == "12.50"
    assert second.id == f"{path}:2"
    # none of these values stops the JSONL writer
    out = tmp_path / "out.jsonl"
    with open_writer(str(out)) as writer:
        writer.write(first)
    assert json.loads(out.read_text("utf-8"))["when"] == "2024-05-01T12:30:00+00:00"


def test_streams_several_row_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [{"id": f"d{i}", "text": f"text {i}"} for i in range(250)]
    path = _write_table(tmp_path / "in.parquet", rows, row_group_size=100)
    assert pq.ParquetFile(path).num_row_groups == 3
    monkeypatch.setattr(parquet_reader, "READ_BATCH_ROWS", 16)
    items = _items(path)
    assert [item.id for item in items] == [f"d{i}" for i in range(250)]

    monkeypatch.setattr(parquet_writer, "ROW_GROUP_ROWS", 40)
    out = tmp_path / "out.parquet"
    with open_writer(str(out)) as writer:
        for item in items:
            assert isinstance(item, Document)
            writer.write(item)
    written = pq.ParquetFile(out)
    assert written.num_row_groups == 7 and written.metadata.num_rows == 250
    assert written.metadata.row_group(0).column(0).compression == "ZSTD"


def test_missing_text_column_and_null_texts_are_rejected_per_row(tmp_path: Path) -> None:
    no_text = _write_table(tmp_path / "a.parquet", [{"id": "x"}, {"id": "y"}, {"id": None}])
    some_null = _write_table(
        tmp_path / "b.parquet",
        [{"id": "1", "text": "ok"}, {"id": "2", "text": None}, {"id": "3", "text": "fine"}],
    )
    items = _items(no_text, some_null)
    assert len(items) == 6  # every row is accounted for
    rejects = [item for item in items if isinstance(item, Reject)]
    assert [r.reason for r in rejects] == ["missing_text_field"] * 4
    expected_ids = [f"{no_text}:1", f"{no_text}:2", f"{no_text}:3", f"{some_null}:2"]
    assert [r.id for r in rejects] == expected_ids
    assert "no column 'text'" in rejects[0].detail
    assert "is null" in rejects[3].detail
    assert [item.id for item in items if isinstance(item, Document)] == ["1", "3"]


def test_html_column_when_no_text(tmp_path: Path) -> None:
    path = _write_table(tmp_path / "p.parquet", [{"id": "p", "html": "<html><p>Hi</p></html>"}])
    (doc,) = _items(path)
    assert isinstance(doc, Document) and doc.meta == {"format": "html"}
    assert doc.text.startswith("<html>") and "html" not in doc.fields


def test_corrupt_file_is_a_reject_and_the_run_goes_on(tmp_path: Path) -> None:
    bad = tmp_path / "a_bad.parquet"
    bad.write_bytes(b"this is not parquet at all")
    good = _write_table(tmp_path / "b_good.parquet", [{"id": "g", "text": "good"}])
    forced = tmp_path / "c_forced.bin"
    forced.write_bytes(good.read_bytes())
    items = _items(tmp_path)
    assert isinstance(items[0], Reject) and items[0].reason == "corrupt_archive"
    assert items[0].source == str(bad) and "rows from 1 on" in items[0].detail
    assert isinstance(items[1], Document) and items[1].id == "g"
    # a file not named .parquet is read as Parquet when the format is forced
    (forced_doc,) = _items(forced, fmt="parquet")
    assert isinstance(forced_doc, Document) and forced_doc.text == "good"


def test_missing_pyarrow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write_table(tmp_path / "in.parquet", [{"id": "a", "text": "a"}])
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` raises ImportError
    (reject,) = _items(path)
    assert isinstance(reject, Reject) and reject.reason == "missing_dependency"
    assert "cleaner[parquet]" in reject.detail
    with pytest.raises(ConfigError, match=r"cleaner\[parquet\]"):
        open_writer(str(tmp_path / "out.parquet"))


def test_output_is_byte_identical(tmp_path: Path) -> None:
    outputs = []
    for name in ("one.parquet", "two.parquet"):
        path = tmp_path / name
        with open_writer(str(path), trace=True) as writer:
            for doc in _docs():
                writer.write(doc)
        outputs.append(path.read_bytes())
    assert outputs[0] == outputs[1]


def test_empty_output_is_a_valid_file(tmp_path: Path) -> None:
    out = tmp_path / "empty.parquet"
    with open_writer(str(out)):
        pass
    table = pq.read_table(out)
    assert table.num_rows == 0 and table.column_names == ["id", "text", "meta"]


def test_atomic_exception_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    with pytest.raises(Boom), open_writer(str(out)) as writer:
        writer.write(_docs()[0])
        raise Boom
    assert os.listdir(tmp_path) == []


def test_cli_end_to_end(tmp_path: Path) -> None:
    rows = [
        {"id": "a", "text": "A plain sentence that stays.", "url": "http://x/a"},
        {"id": "b", "text": None, "url": "http://x/b"},
    ]
    src = _write_table(tmp_path / "in.parquet", rows)
    out = tmp_path / "out.parquet"
    assert main(["clean", str(src), "-o", str(out), "-q", "--no-progress"]) == 0
    table = pq.read_table(out)
    assert table.column("id").to_pylist() == ["a"]
    assert table.column("url").to_pylist() == ["http://x/a"]
    rejects = (tmp_path / "out.rejects.jsonl").read_text("utf-8").splitlines()
    assert [json.loads(line)["reason"] for line in rejects] == ["missing_text_field"]
    report = json.loads((tmp_path / "out.report.json").read_text("utf-8"))
    assert report["docs_in"] == 2 and report["balanced"]
