"""Writers: record layout, formats, byte-identical output, atomicity, the rejects file."""

from __future__ import annotations

import gzip
import io
import os
import pickle
import stat
import sys
from collections import Counter
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import orjson
import pytest
import zstandard

from cleaner.document import Document, Drop, Edit, Reject
from cleaner.errors import ConfigError
from cleaner.io.atomic import AtomicDirectory, AtomicFile, NotOurDirectoryError
from cleaner.io.readers import iter_inputs
from cleaner.io.writers import RejectWriter, default_side_paths, meta_side_path, open_writer


class Boom(Exception):
    pass


def docs() -> list[Document]:
    return [
        Document(
            id="a",
            text="First document.\nSecond line.",
            meta={"lang": "en"},
            fields={"url": "http://x/1", "title": "One", "n": 1},
            trace=(Edit("boilerplate", "credits", "removed", "Photo: AP", line=3),),
        ),
        Document(id="b", text="Zweites Dokument – ä ö ü £", fields={"url": "http://x/2"}),
        Document(id="c", text="no fields, no meta"),
    ]


def write(path: Path | str, items: Iterable[Document], **kwargs: Any) -> int:
    with open_writer(str(path), **kwargs) as writer:
        for doc in items:
            writer.write(doc)
        return writer.count


def lines(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def siblings(path: Path) -> list[str]:
    return sorted(os.listdir(path.parent))


# -- JSONL layout ------------------------------------------------------------------------------


def test_jsonl_layout(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert write(out, docs()) == 3
    raw = out.read_bytes()
    assert raw.endswith(b"\n") and raw.count(b"\n") == 3
    first, second, third = lines(out)
    assert list(first) == ["id", "text", "url", "title", "n", "meta"]
    assert first["meta"] == {"lang": "en"}
    assert list(second) == ["id", "text", "url"]  # empty meta is omitted
    assert third == {"id": "c", "text": "no fields, no meta"}


def test_custom_field_names_and_trace(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    write(out, docs()[:2], text_field="body", id_field="doc_id", trace=True)
    first, second = lines(out)
    assert list(first)[:2] == ["doc_id", "body"]
    assert first["meta"]["trace"] == [
        {
            "processor": "boilerplate",
            "rule": "credits",
            "action": "removed",
            "text": "Photo: AP",
            "line": 3,
        }
    ]
    assert second["meta"] == {"trace": []}


def test_round_trip_through_the_reader_keeps_fields_in_order(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b'{"z": 1, "id": "r1", "a": [1, 2], "text": "hello", "meta": {"k": "v"}, "m": null}\n'
    )
    read = [d for d in iter_inputs([str(src)]) if isinstance(d, Document)]
    out = tmp_path / "out.jsonl"
    write(out, read)
    assert out.read_bytes() == (
        b'{"id":"r1","text":"hello","z":1,"a":[1,2],"m":null,"meta":{"k":"v"}}\n'
    )
    again = [d for d in iter_inputs([str(out)]) if isinstance(d, Document)]
    assert again == read


def test_odd_values_do_not_crash(tmp_path: Path) -> None:
    class Thing:
        def __str__(self) -> str:
            return "a thing"

    # Documents built in Python can hold anything; the type checker is told so.
    meta: dict[Any, Any] = {1: "int key", "when": date(2024, 1, 2), "tags": {"b", "a"}}
    meta["obj"] = Thing()
    fields: dict[Any, Any] = {"big": 2**80, "raw": b"bytes", ("t", 1): "tuple key"}
    doc = Document(id="odd", text="lone \udc80 surrogate", meta=meta, fields=fields)
    out = tmp_path / "odd.jsonl"
    write(out, [doc])
    [record] = lines(out)
    assert record["text"] == "lone \ufffd surrogate"
    assert record["big"] == str(2**80)
    assert record["raw"] == "bytes"
    assert record["meta"]["1"] == "int key"
    assert record["meta"]["tags"] == ["a", "b"]
    assert record["meta"]["obj"] == "a thing"
    assert record["meta"]["when"] == "2024-01-02"
    assert record["('t', 1)"] == "tuple key"


# -- compression and determinism ---------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".txt"])
def test_same_documents_give_byte_identical_files(tmp_path: Path, suffix: str) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    write(one / f"out{suffix}", docs() * 50)
    write(two / f"out{suffix}", docs() * 50)
    assert (one / f"out{suffix}").read_bytes() == (two / f"out{suffix}").read_bytes()


def test_gzip_header_has_no_time_and_no_name(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl.gz"
    write(out, docs())
    header = out.read_bytes()[:10]
    assert header[:2] == b"\x1f\x8b"
    assert header[3] & 0x08 == 0  # FNAME flag unset: the temp file name is not recorded
    assert header[4:8] == b"\x00\x00\x00\x00"  # mtime 0


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_compressed_round_trip(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"out{suffix}"
    write(out, docs())
    packed = out.read_bytes()
    if suffix.endswith(".gz"):
        plain = gzip.decompress(packed)
    else:  # a streamed frame has no content size in its header: decompress as a stream
        plain = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(packed)).read()
    assert plain.count(b"\n") == 3
    back = [d for d in iter_inputs([str(out)]) if isinstance(d, Document)]
    assert [d.id for d in back] == ["a", "b", "c"]
    assert back[1].text == "Zweites Dokument – ä ö ü £"
    assert dict(back[0].fields) == {"url": "http://x/1", "title": "One", "n": 1}


def test_forced_jsonl_format_keeps_compression_from_the_name(tmp_path: Path) -> None:
    out = tmp_path / "out.data.gz"
    write(out, docs(), fmt="jsonl")
    assert gzip.decompress(out.read_bytes()).count(b"\n") == 3


# -- .txt --------------------------------------------------------------------------------------


def test_txt_separator(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    items = [
        Document(id="1", text="one\ntwo"),
        Document(id="2", text="three\n"),
        Document(id="3", text="page\n\f\nbreak"),
    ]
    write(out, items)
    data = out.read_bytes()
    # the text line that was exactly a form feed is written empty, so splitting stays exact
    assert data == b"one\ntwo\n\f\nthree\n\f\npage\n\nbreak\n"
    assert data.decode().split("\n\f\n") == ["one\ntwo", "three", "page\n\nbreak\n"]


# -- directory output --------------------------------------------------------------------------


def test_directory_output_mirrors_ids(tmp_path: Path) -> None:
    out = tmp_path / "out"
    items = [
        Document(id="business/001.txt", text="one"),
        Document(id="notes/readme", text="two\n"),
        Document(id="../../escape.txt", text="three"),
        Document(id="/etc/passwd", text="four"),
        Document(id="business/001.txt", text="dup"),
        Document(id="BUSINESS/001.TXT", text="case dup"),
        Document(id="", text="empty id"),
    ]
    write(f"{out}/", items)
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert files == [
        ".cleaner-meta.jsonl",
        ".cleaner-output",
        "BUSINESS/001~3.TXT",
        "_.txt",
        "__/__/escape.txt",
        "business/001.txt",
        "business/001~2.txt",
        "etc/passwd.txt",
        "notes/readme.txt",
    ]
    assert (out / "business" / "001.txt").read_text(encoding="utf-8") == "one\n"
    assert (out / "business" / "001~2.txt").read_text(encoding="utf-8") == "dup\n"
    assert not (tmp_path / "escape.txt").exists()
    assert siblings(out) == ["out"]  # no temporary directory left


def test_directory_output_file_and_directory_clash(tmp_path: Path) -> None:
    out = tmp_path / "out"
    items = [Document(id="a.txt", text="file"), Document(id="a.txt/b", text="inside")]
    write(out, items, fmt="dir")
    assert (out / "a.txt").read_text(encoding="utf-8") == "file\n"
    assert (out / "a.txt~d" / "b.txt").read_text(encoding="utf-8") == "inside\n"


def test_existing_directory_is_replaced_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write(out, [Document(id="old", text="old")], fmt="dir")  # a tree cleaner wrote: marked
    with pytest.raises(Boom), open_writer(str(out)) as writer:
        writer.write(Document(id="new", text="new"))
        raise Boom
    assert sorted(os.listdir(out)) == [".cleaner-meta.jsonl", ".cleaner-output", "old.txt"]
    assert siblings(out) == ["out"]
    write(out, [Document(id="new", text="new")])
    assert sorted(os.listdir(out)) == [".cleaner-meta.jsonl", ".cleaner-output", "new.txt"]
    assert siblings(out) == ["out"]


def test_directory_output_over_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.write_text("a file", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a directory"):
        open_writer(str(target), fmt="dir")


# -- atomicity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst", "out.txt"])
def test_exception_leaves_no_output_and_no_temp_file(tmp_path: Path, name: str) -> None:
    out = tmp_path / name
    with pytest.raises(Boom), open_writer(str(out)) as writer:
        writer.write(docs()[0])
        raise Boom
    assert os.listdir(tmp_path) == []


def test_exception_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"previous run\n")
    with pytest.raises(Boom), open_writer(str(out)) as writer:
        writer.write(docs()[0])
        raise Boom
    assert out.read_bytes() == b"previous run\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_output_appears_only_when_finished(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with open_writer(str(out)) as writer:
        writer.write(docs()[0])
        assert not out.exists()  # only a hidden temp file so far
        [temp] = os.listdir(tmp_path)
        assert temp.startswith(".out.jsonl.") and temp.endswith(".tmp")
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_unused_writer_creates_nothing(tmp_path: Path) -> None:
    open_writer(str(tmp_path / "out.jsonl"))
    assert os.listdir(tmp_path) == []


def test_empty_output_is_still_written(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "dir" / "out.jsonl"
    assert write(out, []) == 0
    assert out.read_bytes() == b""


def test_atomic_file_permissions_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with AtomicFile(tmp_path / "f.json") as fh:
            fh.write(b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "f.json").stat().st_mode) == 0o644


def test_atomic_file_manual_use(tmp_path: Path) -> None:
    target = tmp_path / "x.bin"
    atomic = AtomicFile(target)
    atomic.open().write(b"abc")
    atomic.discard()
    assert os.listdir(tmp_path) == []
    atomic = AtomicFile(target)
    atomic.open().write(b"abc")
    atomic.commit()
    atomic.commit()  # idempotent
    assert target.read_bytes() == b"abc"


def test_atomic_directory_discard(tmp_path: Path) -> None:
    with pytest.raises(Boom), AtomicDirectory(tmp_path / "d") as temp:
        Path(temp, "f.txt").write_text("x", encoding="utf-8")
        raise Boom
    assert os.listdir(tmp_path) == []


# -- output names ------------------------------------------------------------------------------


def test_unclear_output_name_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot tell the format"):
        open_writer(str(tmp_path / "out"))
    with pytest.raises(ConfigError, match="valid: auto, jsonl, txt, dir"):
        open_writer(str(tmp_path / "out.jsonl"), fmt="xml")


def test_stdout_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    stdout = io.TextIOWrapper(buffer, encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stdout)
    with open_writer("-") as writer:
        for doc in docs():
            writer.write(doc)
    stdout.flush()
    records = [orjson.loads(line) for line in buffer.getvalue().splitlines()]
    assert [r["id"] for r in records] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("out.jsonl", ("out.rejects.jsonl", "out.report.json")),
        ("data/out.jsonl.gz", ("data/out.rejects.jsonl", "data/out.report.json")),
        ("out.jsonl.zst", ("out.rejects.jsonl", "out.report.json")),
        ("out.ndjson", ("out.rejects.jsonl", "out.report.json")),
        ("out.txt", ("out.rejects.jsonl", "out.report.json")),
        ("runs/out/", ("runs/out.rejects.jsonl", "runs/out.report.json")),
        ("-", (None, None)),
        (os.devnull, (None, None)),
    ],
)
def test_default_side_paths(output: str, expected: tuple[str | None, str | None]) -> None:
    assert default_side_paths(output) == expected


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("out.txt", "out.meta.jsonl"),
        ("runs/Out.TXT", "runs/Out.meta.jsonl"),
        ("out.jsonl", None),
        ("out/", None),
        ("-", None),
        (os.devnull, None),
    ],
)
def test_meta_side_path(output: str, expected: str | None) -> None:
    assert meta_side_path(output) == expected


def test_an_unmarked_directory_is_replaced_only_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "mydocs"
    out.mkdir()
    (out / "precious.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(NotOurDirectoryError), open_writer(f"{out}/") as writer:
        writer.write(Document(id="new", text="new"))
    assert os.listdir(out) == ["precious.txt"]
    assert siblings(out) == ["mydocs"]
    with open_writer(f"{out}/", overwrite=True) as writer:
        writer.write(Document(id="new", text="new"))
    assert sorted(os.listdir(out)) == [".cleaner-meta.jsonl", ".cleaner-output", "new.txt"]


def test_a_directory_appearing_during_the_run_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    writer = open_writer(f"{out}/")
    writer.write(Document(id="a", text="a"))
    out.mkdir()  # someone else's, created while the run was going
    (out / "theirs.txt").write_text("theirs", encoding="utf-8")
    with pytest.raises(NotOurDirectoryError):
        writer.close()
    assert os.listdir(out) == ["theirs.txt"]
    assert siblings(out) == ["out"]


def test_meta_beside_txt_and_inside_a_directory(tmp_path: Path) -> None:
    items = [
        Document(id="b", text="two", meta={"byline": "Ann"}, fields={"url": "u"}),
        Document(id="a", text="one"),
    ]
    write(tmp_path / "out.txt", items)
    lines = [orjson.loads(x) for x in (tmp_path / "out.meta.jsonl").read_bytes().splitlines()]
    assert lines == [
        {"id": "b", "meta": {"byline": "Ann"}, "fields": {"url": "u"}},
        {"id": "a", "meta": {}},
    ]
    write(tmp_path / "dir", items, fmt="dir")
    meta = tmp_path / "dir" / ".cleaner-meta.jsonl"
    lines = [orjson.loads(x) for x in meta.read_bytes().splitlines()]
    assert [(x["id"], x["path"]) for x in lines] == [("b", "b.txt"), ("a", "a.txt")]


def test_a_failed_txt_run_leaves_no_meta_file(tmp_path: Path) -> None:
    with pytest.raises(Boom), open_writer(str(tmp_path / "out.txt")) as writer:
        writer.write(Document(id="a", text="one", meta={"byline": "Ann"}))
        raise Boom
    assert os.listdir(tmp_path) == []


def test_rejects_without_a_path_are_counted_only(tmp_path: Path) -> None:
    with RejectWriter(None) as rejects:
        rejects.write_reject(Reject(id="x", source="s", reason="malformed_json", detail=""))
    assert rejects.total == 1
    assert os.listdir(tmp_path) == []


def test_default_side_paths_existing_directory(tmp_path: Path) -> None:
    out = tmp_path / "out.v2"
    out.mkdir()
    assert default_side_paths(str(out)) == (f"{out}.rejects.jsonl", f"{out}.report.json")


# -- rejects -----------------------------------------------------------------------------------


def test_rejects_file_is_always_created(tmp_path: Path) -> None:
    path = tmp_path / "out.rejects.jsonl"
    with RejectWriter(str(path)) as rejects:
        pass
    assert path.read_bytes() == b""
    assert rejects.total == 0


def test_reject_records_and_counts(tmp_path: Path) -> None:
    path = tmp_path / "out.rejects.jsonl"
    doc = docs()[0]
    with RejectWriter(str(path)) as rejects:
        rejects.write_drop(Drop(doc, "filters", "too_short", "2 words < min_words 50"))
        rejects.write_reject(
            Reject(
                id="d.jsonl:3", source="in/d.jsonl", reason="malformed_json", detail="x", raw="{"
            )
        )
        rejects.write(Drop(docs()[2], "filters", "too_short"))
    drop, reject, other = lines(path)
    assert drop == {
        "id": "a",
        "stage": "filters",
        "reason": "too_short",
        "detail": "2 words < min_words 50",
        "text": doc.text,
        "fields": {"url": "http://x/1", "title": "One", "n": 1},
        "meta": {"lang": "en"},
    }
    assert reject == {
        "id": "d.jsonl:3",
        "stage": "input",
        "reason": "malformed_json",
        "detail": "x",
        "source": "in/d.jsonl",
        "raw": "{",
    }
    assert "fields" not in other and "meta" not in other
    assert dict(rejects.counts) == {"filters.too_short": 2, "input.malformed_json": 1}


def test_rejects_file_discarded_on_exception(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    with pytest.raises(Boom), RejectWriter(str(path)) as rejects:
        rejects.write_reject(Reject(id="x", source="x", reason="binary_file"))
        raise Boom
    assert os.listdir(tmp_path) == []


# -- records encoded elsewhere -----------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_encoded_chunks_give_the_bytes_of_writing_documents(tmp_path: Path, suffix: str) -> None:
    """Records encoded by `stream_encoder` (in a worker) and written as chunks make the very
    file that writing the documents one by one makes."""
    items = docs() * 20
    expected = tmp_path / f"expected{suffix}"
    write(expected, items)
    chunked = tmp_path / f"chunked{suffix}"
    with open_writer(str(chunked)) as writer:
        encoder = pickle.loads(pickle.dumps(writer.stream_encoder))
        for start in range(0, len(items), 7):
            part = items[start : start + 7]
            writer.write_encoded(b"".join(encoder.encode(d, False) for d in part), len(part))
        assert writer.count == len(items)
    assert chunked.read_bytes() == expected.read_bytes()


def test_formats_that_are_not_record_streams_take_documents_only(tmp_path: Path) -> None:
    for path in (str(tmp_path / "out.txt"), f"{tmp_path / 'outdir'}{os.sep}"):
        writer = open_writer(path)
        assert writer.stream_encoder is None
        with pytest.raises(ValueError, match="takes documents"):
            writer.write_encoded(b"x\n", 1)
        writer.abort()


def test_rejects_encoded_elsewhere_match_written_ones(tmp_path: Path) -> None:
    items: list[Drop | Reject] = [
        Drop(docs()[0], "filters", "too_short", "3 words"),
        Reject("r1", "in.jsonl", "malformed_json", "line 3"),
    ]
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    with RejectWriter(str(one)) as rejects:
        for item in items:
            rejects.write(item)
        expected_counts = dict(rejects.counts)
    with RejectWriter(str(two)) as rejects:
        data = b"".join(RejectWriter.encode(item) for item in items)
        rejects.write_encoded(data, Counter(item.label for item in items))
        assert dict(rejects.counts) == expected_counts
    assert two.read_bytes() == one.read_bytes()
