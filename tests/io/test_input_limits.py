"""The per-document size limit of every input kind, and what a reject keeps of a document."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.config import load_config
from cleaner.document import Document, Drop, Reject
from cleaner.errors import ConfigError
from cleaner.io import limits
from cleaner.io.limits import (
    EXCERPT_CHARS,
    NOT_A_REGULAR_FILE,
    READ_CHUNK,
    TOO_LARGE,
    InputOptions,
    Oversized,
    read_limited,
)
from cleaner.io.readers import iter_inputs, parquet, read_inputs
from cleaner.io.readers.jsonl import iter_jsonl
from cleaner.io.readers.warc import iter_warc
from cleaner.io.records import drop_record, reject_record

LIMIT = 1000
OPTIONS = InputOptions(max_document_bytes=LIMIT)
SMALL = "A short note about the harbour board."
Item = Document | Reject


def read_all(*paths: Path | str, **kwargs: Any) -> list[Item]:
    return list(iter_inputs([str(p) for p in paths], options=OPTIONS, **kwargs))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def jsonl(*records: dict[str, Any]) -> bytes:
    return b"".join(orjson.dumps(r) + b"\n" for r in records)


def only_reject(items: list[Item], reason: str = TOO_LARGE) -> Reject:
    [reject] = [i for i in items if isinstance(i, Reject)]
    assert reject.reason == reason
    return reject


# -- options -----------------------------------------------------------------------------------


def test_the_default_is_generous_and_documented_in_the_packaged_config() -> None:
    assert InputOptions().max_document_bytes == 10_000_000
    assert InputOptions.from_config({}) == InputOptions()
    packaged = (Path(limits.__file__).parent.parent / "default.toml").read_text("utf-8")
    match = re.search(r"^# max_document_bytes = ([\d_]+)$", packaged, re.MULTILINE)
    assert match is not None and int(match.group(1)) == InputOptions().max_document_bytes


@pytest.mark.parametrize("value", ["0", "-1", "true", "1.5", '"10MB"', str(2**40)])
def test_a_bad_limit_is_a_config_error(value: str) -> None:
    with pytest.raises(ConfigError, match="max_document_bytes"):
        load_config(overrides=[f"input.max_document_bytes={value}"])


def test_the_limit_is_set_with_set() -> None:
    config = load_config(overrides=["input.max_document_bytes=5"])
    assert InputOptions.from_config(config["input"]).max_document_bytes == 5


# -- whole-file documents ----------------------------------------------------------------------


def test_text_file_over_the_limit_is_rejected_with_its_exact_size(tmp_path: Path) -> None:
    data = ("x" * 99 + "\n").encode() * 50  # 5,000 bytes
    (tmp_path / "a_big.txt").write_bytes(data)
    (tmp_path / "b_small.txt").write_text(SMALL)
    (tmp_path / "c_edge.txt").write_bytes(b"y" * LIMIT)  # exactly the limit: kept
    items = read_all(tmp_path)
    reject = only_reject(items)
    assert (reject.id, reject.size, reject.size_exact) == ("a_big.txt", len(data), True)
    assert reject.sha256 == sha(data)
    assert reject.raw == data[:EXCERPT_CHARS].decode()
    assert reject.detail == f"5000 bytes > [input] max_document_bytes {LIMIT}"
    assert [i.id for i in items if isinstance(i, Document)] == ["b_small.txt", "c_edge.txt"]


def test_the_packaged_config_applies_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"z" * 2000)
    config = load_config(overrides=["input.max_document_bytes=1500"])
    [reject] = list(read_inputs([str(path)], config["input"]))
    assert isinstance(reject, Reject) and (reject.reason, reject.size) == (TOO_LARGE, 2000)


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_html_page_over_the_limit(tmp_path: Path, suffix: str) -> None:
    page = b"<html><body><p>" + b"word " * 1000 + b"</p></body></html>"
    compress = {"": bytes, ".gz": gzip.compress, ".zst": zstandard.compress}[suffix]
    (tmp_path / f"page.html{suffix}").write_bytes(compress(page))
    (tmp_path / f"small.html{suffix}").write_bytes(compress(b"<html><p>hello</p></html>"))
    items = read_all(tmp_path)
    reject = only_reject(items)
    assert reject.id == f"page.html{suffix}"
    if suffix:  # a compressed page is not expanded past the limit: its size is a lower bound
        assert (reject.size, reject.size_exact) == (LIMIT + 1, False)
        assert reject.sha256 == sha(page[: LIMIT + 1])
        assert reject.detail.startswith(f"at least {LIMIT + 1} bytes")
    else:
        assert (reject.size, reject.size_exact, reject.sha256) == (len(page), True, sha(page))
    assert reject.raw.startswith("<html><body><p>word")
    assert [i.id for i in items if isinstance(i, Document)] == [f"small.html{suffix}"]


class CountingStream(io.RawIOBase):
    """An endless stream of b"a" that counts what was read from it."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        view[:] = b"a" * len(view)
        self.served += len(view)
        return len(view)


def test_reading_stops_at_the_limit_unless_told_to_count() -> None:
    stream = CountingStream()
    over = read_limited(stream, 100, count_rest=False)
    assert isinstance(over, Oversized)
    assert stream.served == 101 and (over.size, over.exact) == (101, False)
    assert read_limited(io.BytesIO(b"abc"), 3, count_rest=True) == b"abc"
    over = read_limited(io.BytesIO(b"abcd"), 3, count_rest=True)
    assert isinstance(over, Oversized)
    assert (over.size, over.exact, over.sha256, over.head) == (4, True, sha(b"abcd"), b"abcd")


def fake_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_stdin_text_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"some words " * 300
    fake_stdin(monkeypatch, data)
    reject = only_reject(read_all("-"))
    assert (reject.id, reject.size, reject.sha256) == ("stdin", len(data), sha(data))


def test_stdin_of_endless_whitespace_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    fake_stdin(monkeypatch, b" " * (LIMIT * 300))
    reject = only_reject(read_all("-"))
    assert reject.size == LIMIT * 300


# -- records -----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["", ".gz", ".zst"])
def test_jsonl_line_over_the_limit_is_skipped_to_its_newline(tmp_path: Path, suffix: str) -> None:
    first = jsonl({"id": "a", "text": SMALL})
    big = orjson.dumps({"id": "big", "text": "b" * 3000})
    data = first + big + b"\n" + jsonl({"id": "c", "text": SMALL}, {"html": "<p>" * 2000})
    compress = {"": bytes, ".gz": gzip.compress, ".zst": zstandard.compress}[suffix]
    (tmp_path / f"d.jsonl{suffix}").write_bytes(compress(data))
    items = read_all(tmp_path)
    assert [i.id for i in items] == ["a", f"d.jsonl{suffix}:2", "c", f"d.jsonl{suffix}:4"]
    reject = items[1]
    assert isinstance(reject, Reject) and reject.reason == TOO_LARGE
    assert (reject.size, reject.size_exact, reject.sha256) == (len(big), True, sha(big))
    assert (reject.line, reject.offset) == (2, len(first))
    assert reject.raw == big[:EXCERPT_CHARS].decode()
    html = items[3]  # an html field counts like any line
    assert isinstance(html, Reject) and html.reason == TOO_LARGE and html.line == 4


class SpyReader(io.BufferedReader):
    """A buffered reader that records the length of every line it hands out."""

    sizes: list[int]

    def readline(self, size: int | None = -1, /) -> bytes:
        line = super().readline(size)
        self.sizes.append(len(line))
        return line


def test_a_jsonl_line_is_never_read_whole() -> None:
    """A line far over the limit is read in bounded pieces, never in one `readline()`."""
    data = b'{"text": "' + b"x" * (3 * READ_CHUNK) + b'"}\n' + jsonl({"text": SMALL})
    stream = SpyReader(io.BytesIO(data))
    stream.sizes = []
    items = list(iter_jsonl(stream, name="d", source="d", max_bytes=LIMIT))
    assert [type(i) for i in items] == [Reject, Document]
    assert stream.sizes and max(stream.sizes) <= max(LIMIT + 1, READ_CHUNK)


def test_utf16_jsonl_line_over_the_limit(tmp_path: Path) -> None:
    data = jsonl({"id": "big", "text": "é" * 2000}, {"id": "ok", "text": SMALL})
    (tmp_path / "w.jsonl").write_bytes(data.decode().encode("utf-16"))
    items = read_all(tmp_path)
    assert [i.id for i in items] == ["w.jsonl:1", "ok"]
    assert isinstance(items[0], Reject) and items[0].reason == TOO_LARGE


def write_warc(path: Path, bodies: list[bytes]) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for n, body in enumerate(bodies):
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            f"https://example.com/{n}", "response", payload=io.BytesIO(body), http_headers=http
        )
        writer.write_record(record)
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize("backend", ["fastwarc", "warcio"])
def test_warc_payload_over_the_limit(tmp_path: Path, backend: str) -> None:
    big = b"<html><p>" + b"many words " * 500 + b"</p></html>"
    path = tmp_path / "c.warc.gz"
    write_warc(path, [b"<html><p>one</p></html>", big, b"<html><p>three</p></html>"])
    with path.open("rb") as handle:
        items = list(
            iter_warc(handle, name="c", source=str(path), backend=backend, max_bytes=LIMIT)
        )
    assert [type(i) for i in items] == [Document, Reject, Document]
    reject = items[1]
    assert isinstance(reject, Reject) and reject.reason == TOO_LARGE
    assert (reject.size, reject.size_exact) == (LIMIT + 1, False)
    assert reject.sha256 == sha(big[: LIMIT + 1]) and reject.raw.startswith("<html><p>many")
    assert reject.offset is not None and reject.offset > 0


def test_parquet_row_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    rows = [
        {"id": "a", "text": SMALL, "html": None},
        {"id": "big", "text": "é" * LIMIT, "html": None},  # 2,000 bytes of UTF-8
        {"id": "page", "text": None, "html": "<p>" * 1000},
        {"id": "d", "text": SMALL, "html": None},
    ]
    pq.write_table(pa.Table.from_pylist(rows), path)
    items = read_all(tmp_path)
    assert [i.id for i in items] == ["a", "t.parquet:2", "t.parquet:3", "d"]
    reject = items[1]
    assert isinstance(reject, Reject) and reject.reason == TOO_LARGE
    data = ("é" * LIMIT).encode()
    assert (reject.size, reject.size_exact, reject.sha256) == (len(data), True, sha(data))
    assert isinstance(items[2], Reject) and items[2].size == 3000
    assert isinstance(items[3], Document) and items[3].text == SMALL


def test_parquet_rows_are_converted_a_few_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.parquet"
    rows = [{"id": f"r{n}", "text": f"{SMALL} {n}" * (n % 7 + 1)} for n in range(50)]
    rows[20]["text"] = "x" * (LIMIT + 1)
    pq.write_table(pa.Table.from_pylist(rows), path)
    whole = read_all(path)
    converted: list[int] = []
    real = parquet._python_rows

    def spy(batch: Any) -> Iterator[dict[str, Any]]:
        for row in real(batch):
            converted.append(1)
            yield row

    monkeypatch.setattr(parquet, "CONVERT_BYTES", 1)
    monkeypatch.setattr(parquet, "_python_rows", spy)
    assert read_all(path) == whole
    assert len(converted) == 49 and isinstance(whole[20], Reject)


# -- special files and odd names ---------------------------------------------------------------


def test_fifo_in_a_directory_is_rejected_without_blocking(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "z.txt").write_text(SMALL)
    items = read_all(tmp_path)
    reject = only_reject(items, NOT_A_REGULAR_FILE)
    assert reject.id == "pipe.txt" and "FIFO" in reject.detail
    assert [i.id for i in items if isinstance(i, Document)] == ["z.txt"]


def test_fifo_or_device_given_as_input_is_rejected(tmp_path: Path, no_hang: None) -> None:
    os.mkfifo(tmp_path / "pipe")
    items = read_all(tmp_path / "pipe", "/dev/zero")
    assert [(i.reason, i.id) for i in items if isinstance(i, Reject)] == [
        (NOT_A_REGULAR_FILE, str(tmp_path / "pipe")),
        (NOT_A_REGULAR_FILE, "/dev/zero"),
    ]
    assert "character device" in str(items[1])


def test_non_utf8_file_name_in_a_directory(tmp_path: Path) -> None:
    os.makedirs(tmp_path / "in")
    with open(os.path.join(os.fsencode(tmp_path / "in"), b"caf\xe9.txt"), "wb") as fh:
        fh.write(SMALL.encode())
    [doc] = read_all(tmp_path / "in")
    assert isinstance(doc, Document) and doc.text == SMALL
    assert doc.id == "caf\\xe9.txt" and doc.id.isprintable()
    assert str(doc.meta["source"]).endswith("caf\\xe9.txt")


# -- what rejects keep -------------------------------------------------------------------------


def test_a_long_dropped_text_is_cut_with_its_size_and_hash() -> None:
    text = "é" * (EXCERPT_CHARS + 5)
    record = drop_record(Drop(Document(id="d", text=text), "filters", "too_short"))
    assert record["text"] == text[:EXCERPT_CHARS]
    assert record["text_truncated"] is True
    assert record["size"] == len(text.encode()) and record["sha256"] == sha(text.encode())
    small = drop_record(Drop(Document(id="s", text=SMALL), "filters", "too_short"))
    assert small["text"] == SMALL
    assert not {"text_truncated", "size", "sha256"} & set(small)


def test_reject_records_carry_size_hash_and_location() -> None:
    over = Oversized(size=12, exact=False, sha256="ab" * 32, head=b"x" * 5000)
    record = reject_record(limits.too_large("f:3", "in/f.jsonl", over, 10, line=3, offset=77))
    assert record == {
        "id": "f:3",
        "stage": "input",
        "reason": TOO_LARGE,
        "detail": "at least 12 bytes > [input] max_document_bytes 10",
        "source": "in/f.jsonl",
        "raw": "x" * EXCERPT_CHARS,
        "size": 12,
        "size_is_minimum": True,
        "sha256": "ab" * 32,
        "line": 3,
        "offset": 77,
    }
    long_raw = reject_record(Reject(id="r", source="s", reason="malformed_json", raw="y" * 5000))
    assert long_raw["raw"] == "y" * EXCERPT_CHARS and "size" not in long_raw
