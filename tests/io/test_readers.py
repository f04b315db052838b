"""iter_inputs and friends: every input ends as exactly one Document or Reject, never a crash."""

from __future__ import annotations

import codecs
import gzip
import io
import itertools
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import orjson
import pytest
import zstandard

from cleaner.document import Document, Reject
from cleaner.errors import ConfigError
from cleaner.io.readers import check_inputs, count_hint, iter_inputs

Item = Document | Reject


def read_all(*paths: Path | str, **kwargs: Any) -> list[Item]:
    return list(iter_inputs([str(p) for p in paths], **kwargs))


def jsonl_bytes(*records: dict[str, Any]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def by_kind(items: list[Item]) -> tuple[list[Document], list[Reject]]:
    docs = [i for i in items if isinstance(i, Document)]
    rejects = [i for i in items if isinstance(i, Reject)]
    return docs, rejects


# -- text files --------------------------------------------------------------------------------


def test_text_file_is_one_document_with_the_path_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("seeds").mkdir()
    Path("seeds/000.txt").write_text("Hello world.\n", encoding="utf-8")
    [doc] = read_all("seeds/000.txt")
    assert isinstance(doc, Document)
    assert doc.id == "seeds/000.txt"
    assert doc.text == "Hello world.\n"
    assert doc.meta == {"source": "seeds/000.txt"}
    assert doc.fields == {}


def test_latin1_text_file_decodes_and_records_it(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Ça coûte £5 à Zürich.".encode("latin-1"))
    [doc] = read_all(path)
    assert isinstance(doc, Document)
    assert doc.text == "Ça coûte £5 à Zürich."
    assert doc.meta["decoding"] == {"charset": "cp1252", "method": "detected"}


def test_cp1252_smart_quotes(tmp_path: Path) -> None:
    path = tmp_path / "q.txt"
    path.write_bytes("He said “no” – it’s over…".encode("cp1252"))
    [doc] = read_all(path)
    assert isinstance(doc, Document)
    assert doc.text == "He said “no” – it’s over…"


def test_utf16_with_bom_is_text(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes("Windows notepad £ text".encode("utf-16"))
    [doc] = read_all(path)
    assert isinstance(doc, Document)
    assert doc.text == "Windows notepad £ text"
    assert doc.meta["decoding"]["method"] == "bom"


def test_invalid_utf8_text_file_records_replacements(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes("Grüße aus Köln – “gut”. ".encode() * 3 + b"\xff\xfe.")
    [doc] = read_all(path)
    assert isinstance(doc, Document)
    assert doc.text.startswith("Grüße aus Köln")
    assert doc.meta["decoding"] == {"charset": "utf-8", "method": "replace", "replaced": 2}


def test_binary_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    [rej] = read_all(path)
    assert isinstance(rej, Reject)
    assert (rej.id, rej.reason, rej.source) == (str(path), "binary_file", str(path))
    assert "PNG" in rej.detail


@pytest.mark.parametrize("content", [b"", b"   \n\t\r\n  "])
def test_empty_file_is_rejected(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    [rej] = read_all(path)
    assert isinstance(rej, Reject)
    assert rej.reason == "empty_file"
    assert rej.label == "input.empty_file"


def test_utf16_whitespace_only_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank16.txt"
    path.write_bytes(" \n ".encode("utf-16"))
    [rej] = read_all(path)
    assert isinstance(rej, Reject) and rej.reason == "empty_file"


# -- paths -------------------------------------------------------------------------------------


def test_missing_path_raises_before_anything_is_read(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text("x", encoding="utf-8")
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(ConfigError, match=r"^input not found: .*nope\.jsonl$"):
        iter_inputs([str(good), str(missing)])  # raises at the call, not on iteration
    with pytest.raises(ConfigError):
        check_inputs([str(missing)])
    check_inputs([str(good), "-"])


def test_unknown_format_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="valid: auto, jsonl, text"):
        iter_inputs([str(tmp_path)], fmt="xml")


# -- directories -------------------------------------------------------------------------------


def make_tree(root: Path) -> None:
    files = {
        "b.txt": "bee",
        "a/x.txt": "ex",
        "a/y/z.txt": "zed",
        "a-b.txt": "a dash b",
        ".hidden.txt": "hidden",
        ".git/config": "[core]",
        "a/.swp": "swap",
        "C.txt": "capital",
    }
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_directory_order_ids_and_hidden_files(tmp_path: Path) -> None:
    root = tmp_path / "in"
    make_tree(root)
    items = read_all(root)
    assert [i.id for i in items] == ["C.txt", "a-b.txt", "a/x.txt", "a/y/z.txt", "b.txt"]
    assert all(isinstance(i, Document) for i in items)
    doc = items[3]
    assert isinstance(doc, Document)
    assert doc.meta["source"] == os.path.join(str(root), "a", "y", "z.txt")
    assert doc.text == "zed"


def test_directory_order_is_stable_across_listings(tmp_path: Path) -> None:
    root = tmp_path / "in"
    make_tree(root)
    assert [i.id for i in read_all(root)] == [i.id for i in read_all(root)]


def test_jsonl_inside_a_directory_is_read_as_jsonl(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "recs.jsonl").write_bytes(
        jsonl_bytes({"id": "r1", "text": "one"}, {"text": "two"})
    )
    (root / "note.txt").write_text("a note", encoding="utf-8")
    items = read_all(root)
    assert [i.id for i in items] == ["note.txt", "r1", "sub/recs.jsonl:2"]


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "d").mkdir(parents=True)
    (root / "d" / "f.txt").write_text("f", encoding="utf-8")
    os.symlink(root, root / "d" / "loop")
    assert [i.id for i in read_all(root)] == ["d/f.txt"]


def test_file_vanishing_mid_run_is_unreadable(tmp_path: Path) -> None:
    root = tmp_path / "in"
    root.mkdir()
    for name in ("a.txt", "b.txt", "c.txt"):
        (root / name).write_text(name, encoding="utf-8")
    stream = iter_inputs([str(root)])
    first = next(stream)
    (root / "b.txt").unlink()
    rest = list(stream)
    assert first.id == "a.txt"
    assert [(i.id, type(i).__name__) for i in rest] == [("b.txt", "Reject"), ("c.txt", "Document")]
    rej = rest[0]
    assert isinstance(rej, Reject) and rej.reason == "unreadable"
    assert "No such file" in rej.detail


def test_unlistable_directory_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "in"
    (root / "locked").mkdir(parents=True)
    (root / "ok.txt").write_text("ok", encoding="utf-8")
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = read_all(root)
    assert [(i.id, type(i).__name__) for i in items] == [
        ("locked", "Reject"),
        ("ok.txt", "Document"),
    ]
    rej = items[0]
    assert isinstance(rej, Reject) and rej.reason == "unreadable"
    assert "Permission denied" in rej.detail


def test_count_hint(tmp_path: Path) -> None:
    root = tmp_path / "in"
    make_tree(root)
    single = tmp_path / "one.txt"
    single.write_text("x", encoding="utf-8")
    data = tmp_path / "d.jsonl"
    data.write_bytes(jsonl_bytes({"text": "x"}))
    assert count_hint([str(root), str(single)]) == 6
    assert count_hint([str(data)]) is None
    assert count_hint(["-"]) is None
    assert count_hint([str(single)], fmt="jsonl") is None


# -- JSONL -------------------------------------------------------------------------------------


def test_jsonl_records_ids_fields_and_meta(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(
        jsonl_bytes(
            {"url": "u1", "id": "a", "title": "T", "text": "one", "meta": {"lang": "en"}, "z": 1},
            {"text": "two", "id": 7},
            {"text": "three", "meta": "not a dict"},
        )
    )
    docs, rejects = by_kind(read_all(path))
    assert not rejects
    assert [d.id for d in docs] == ["a", "7", f"{path}:3"]
    first = docs[0]
    assert first.text == "one"
    assert first.meta == {"lang": "en"}
    assert list(first.fields.items()) == [("url", "u1"), ("title", "T"), ("z", 1)]
    assert docs[2].fields == {"meta": "not a dict"}
    assert docs[2].meta == {}


def test_custom_field_names(tmp_path: Path) -> None:
    path = tmp_path / "data.ndjson"
    path.write_bytes(jsonl_bytes({"doc_id": "x1", "body": "hello", "text": "other"}))
    [doc] = read_all(path, text_field="body", id_field="doc_id")
    assert isinstance(doc, Document)
    assert (doc.id, doc.text, dict(doc.fields)) == ("x1", "hello", {"text": "other"})


def test_bad_lines_each_become_one_reject_and_counts_add_up(tmp_path: Path) -> None:
    lines = [
        b'{"id": "ok1", "text": "good"}',
        b"",
        b'{"id": "broken", "text": "unterminated',
        b"[1, 2, 3]",
        b'"just a string"',
        b'{"id": "nt", "body": "no text field"}',
        b'{"id": "num", "text": 42}',
        b"   ",
        b'{"id": "ok2", "text": "also good"}',
        b"{" + b"x" * 500,
        b"null",
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = read_all(path)
    non_blank = sum(1 for line in lines if line.strip())
    assert len(items) == non_blank  # every line accounted for exactly once
    docs, rejects = by_kind(items)
    assert [d.id for d in docs] == ["ok1", "ok2"]
    reasons = [(r.id, r.reason) for r in rejects]
    name = str(path)
    assert reasons == [
        (f"{name}:3", "malformed_json"),
        (f"{name}:4", "not_an_object"),
        (f"{name}:5", "not_an_object"),
        (f"{name}:6", "missing_text_field"),
        (f"{name}:7", "missing_text_field"),
        (f"{name}:10", "malformed_json"),
        (f"{name}:11", "not_an_object"),
    ]
    assert all(r.source == name for r in rejects)
    malformed = rejects[0]
    assert "line 1 column" in malformed.detail  # orjson's message
    assert malformed.raw == '{"id": "broken", "text": "unterminated'
    assert len(rejects[5].raw) == 200
    assert "array" in rejects[1].detail
    assert "'text'" in rejects[3].detail and "id, body" in rejects[3].detail
    assert "number" in rejects[4].detail


def test_invalid_utf8_inside_a_jsonl_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "x", "text": "caf\xe9 \xff ok"}\n{"id": "y", "text": "fine"}\n')
    docs, rejects = by_kind(read_all(path))
    assert not rejects
    assert docs[0].text == "caf\ufffd \ufffd ok"
    assert docs[0].meta == {"decoding": {"charset": "utf-8", "method": "replace", "replaced": 2}}
    assert docs[1].meta == {}


def test_lone_surrogate_escape_is_replaced_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "emoji.jsonl"
    path.write_bytes(b'{"id": "e", "text": "cut emoji \\ud83d here", "meta": {"a": 1}}\n')
    [doc] = read_all(path)
    assert isinstance(doc, Document)
    assert doc.text == "cut emoji \ufffd here"
    assert doc.meta == {
        "a": 1,
        "decoding": {"charset": "utf-8", "method": "replace", "replaced": 1},
    }


def test_utf8_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(codecs.BOM_UTF8 + b'{"id": "1", "text": "a"}\r\n{"id": "2", "text": "b"}\r\n')
    assert [(i.id, type(i).__name__) for i in read_all(path)] == [
        ("1", "Document"),
        ("2", "Document"),
    ]


def test_utf16_jsonl_from_powershell(tmp_path: Path) -> None:
    path = tmp_path / "ps.jsonl"
    path.write_bytes('{"id": "1", "text": "£1"}\r\n{"id": "2", "text": "b"}\r\n'.encode("utf-16"))
    docs, rejects = by_kind(read_all(path))
    assert not rejects
    assert [d.text for d in docs] == ["£1", "b"]


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst", ".ndjson.gz"])
def test_compressed_jsonl(tmp_path: Path, suffix: str) -> None:
    data = jsonl_bytes(*({"id": str(i), "text": f"doc {i}"} for i in range(1000)))
    packed = gzip.compress(data) if suffix.endswith(".gz") else zstandard.compress(data)
    path = tmp_path / f"data{suffix}"
    path.write_bytes(packed)
    docs, rejects = by_kind(read_all(path))
    assert not rejects
    assert [d.id for d in docs] == [str(i) for i in range(1000)]


def test_multi_frame_zst(tmp_path: Path) -> None:
    path = tmp_path / "frames.jsonl.zst"
    path.write_bytes(
        zstandard.compress(jsonl_bytes({"text": "a"}))
        + zstandard.compress(jsonl_bytes({"text": "b"}))
    )
    assert [i.text for i in read_all(path) if isinstance(i, Document)] == ["a", "b"]


def test_truncated_gz_rejects_the_rest_and_the_run_goes_on(tmp_path: Path) -> None:
    data = jsonl_bytes(*({"id": str(i), "text": "x" * 50 + str(i)} for i in range(20000)))
    packed = gzip.compress(data)
    broken = tmp_path / "broken.jsonl.gz"
    broken.write_bytes(packed[: len(packed) // 2])
    after = tmp_path / "after.txt"
    after.write_text("still read", encoding="utf-8")
    items = read_all(broken, after)
    docs, rejects = by_kind(items)
    assert 0 < len(docs) - 1 < 20000
    [rej] = rejects
    assert rej.reason == "corrupt_archive"
    assert rej.id == f"{broken}:{len(docs)}"  # the first line that could not be read
    assert "could not be read" in rej.detail
    assert docs[-1].id == str(after)
    assert [d.id for d in docs[:-1]] == [str(i) for i in range(len(docs) - 1)]


def test_truncated_zst_is_noticed(tmp_path: Path) -> None:
    data = jsonl_bytes(*({"id": str(i), "text": f"t{i}"} for i in range(5000)))
    packed = zstandard.ZstdCompressor().compress(data)
    path = tmp_path / "broken.jsonl.zst"
    path.write_bytes(packed[:-10])
    items = read_all(path)
    assert isinstance(items[-1], Reject)
    assert items[-1].reason == "corrupt_archive"
    assert "truncated" in items[-1].detail


@pytest.mark.parametrize("suffix", [".jsonl.gz", ".jsonl.zst"])
def test_not_actually_compressed(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"liar{suffix}"
    path.write_bytes(jsonl_bytes({"text": "plain"}))
    [rej] = read_all(path)
    assert isinstance(rej, Reject)
    assert (rej.reason, rej.id) == ("corrupt_archive", f"{path}:1")


def test_format_can_be_forced(tmp_path: Path) -> None:
    path = tmp_path / "records.txt"
    path.write_bytes(jsonl_bytes({"id": "r", "text": "rec"}))
    [forced] = read_all(path, fmt="jsonl")
    assert isinstance(forced, Document) and forced.id == "r"
    jsonl = tmp_path / "one.jsonl"
    jsonl.write_bytes(jsonl_bytes({"id": "r", "text": "rec"}))
    [whole] = read_all(jsonl, fmt="text")
    assert isinstance(whole, Document) and whole.id == str(jsonl)
    assert whole.text.startswith('{"id":"r"')


def test_reading_is_lazy_and_streams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Endless(io.RawIOBase):
        """An infinite JSONL stream: only a streaming reader can take items from it."""

        def __init__(self) -> None:
            self.lines = (f'{{"id": "{i}", "text": "t"}}\n'.encode() for i in itertools.count())
            self.buf = b""

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            while len(self.buf) < len(b):
                self.buf += next(self.lines)
            n = len(b)
            b[:n], self.buf = self.buf[:n], self.buf[n:]
            return n

    fake = io.TextIOWrapper(io.BufferedReader(Endless()))
    monkeypatch.setattr(sys, "stdin", fake)
    first = list(itertools.islice(iter_inputs(["-"]), 5))
    assert [i.id for i in first] == ["0", "1", "2", "3", "4"]


# -- stdin -------------------------------------------------------------------------------------


def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_jsonl_is_sniffed(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b'\n  \n{"id": "s1", "text": "one"}\n{"text": "two"}\n')
    items = read_all("-")
    assert [i.id for i in items] == ["s1", "stdin:4"]  # line numbers count the blank lines


def test_stdin_text_is_one_document(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, "  Just some text, £5.\n".encode("cp1252"))
    [doc] = read_all("-")
    assert isinstance(doc, Document)
    assert doc.id == "stdin"
    assert doc.text == "  Just some text, £5.\n"
    assert doc.meta["source"] == "stdin"


def test_stdin_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b"")
    [rej] = read_all("-")
    assert isinstance(rej, Reject) and (rej.id, rej.reason) == ("stdin", "empty_file")


def test_stdin_without_binary_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO('{"id": "a", "text": "x"}\n'))
    assert [i.id for i in read_all("-")] == ["a"]


def test_stdin_large_whitespace_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b" " * 200_000 + b'{"id": "late", "text": "x"}\n')
    assert [i.id for i in read_all("-")] == ["late"]


# -- everything together -------------------------------------------------------------------------


def test_every_input_is_accounted_for(tmp_path: Path) -> None:
    root = tmp_path / "dump"
    root.mkdir()
    (root / "a.txt").write_text("text a", encoding="utf-8")
    (root / "b.bin").write_bytes(bytes(100))
    (root / "c.txt").write_bytes(b"")
    (root / "d.jsonl").write_bytes(b'{"text": "1"}\nnot json\n\n{"x": 1}\n{"text": "2"}\n')
    items = read_all(root)
    labels = Counter(i.label if isinstance(i, Reject) else "doc" for i in items)
    assert labels == Counter(
        {
            "doc": 3,
            "input.binary_file": 1,
            "input.empty_file": 1,
            "input.malformed_json": 1,
            "input.missing_text_field": 1,
        }
    )
