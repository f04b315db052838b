"""HTML inputs: charset precedence, HTML files and directories, JSONL html fields, WARC files."""

from __future__ import annotations

import codecs
import gzip
import io
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.document import Document, Reject
from cleaner.io.html_charset import META_SNIFF_BYTES, decode_html
from cleaner.io.readers import count_hint, iter_inputs, warc

FRENCH = "Le café était fermé, mais «la boulangerie» vendait des croissants à tout le quartier."
RUSSIAN = "Правительство объявило о новых мерах поддержки экономики."


def page(body: str, head: str = "") -> str:
    return (
        f"<!doctype html><html><head>{head}<title>T</title></head><body><p>{body}</p></body></html>"
    )


def read_all(*paths: Path, **kwargs: Any) -> list[Document | Reject]:
    return list(iter_inputs([str(p) for p in paths], **kwargs))


# -- charset precedence -------------------------------------------------------------------------


def test_bom_beats_header_and_meta() -> None:
    data = codecs.BOM_UTF8 + page(FRENCH, '<meta charset="iso-8859-1">').encode()
    text, info = decode_html(data, http_charset="koi8-r")
    assert FRENCH in text
    assert info == {"charset": "utf-8", "method": "bom"}


def test_http_header_beats_meta() -> None:
    data = page(FRENCH, '<meta charset="utf-8">').encode("cp1252")
    text, info = decode_html(data, http_charset="windows-1252")
    assert FRENCH in text
    assert info == {"charset": "cp1252", "method": "http_header"}


def test_meta_charset_and_http_equiv() -> None:
    data = page(RUSSIAN, '<meta charset="koi8-r">').encode("koi8-r")
    assert decode_html(data) == (data.decode("koi8-r"), {"charset": "koi8-r", "method": "meta_tag"})
    equiv = '<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R">'
    text, info = decode_html(page(RUSSIAN, equiv).encode("koi8-r"))
    assert RUSSIAN in text and info["method"] == "meta_tag"


def test_latin1_label_means_windows_1252() -> None:
    sample = "He said \u201cno\u201d \u2013 caf\u00e9"
    data = page(sample, '<meta charset="ISO-8859-1">').encode("cp1252")
    text, info = decode_html(data)
    assert "He said “no” – café" in text
    assert info == {"charset": "cp1252", "method": "meta_tag"}


def test_detection_when_nothing_is_declared() -> None:
    text, info = decode_html(page(FRENCH).encode("cp1252"))
    assert FRENCH in text
    assert info == {"charset": "cp1252", "method": "detected"}
    assert decode_html(page(FRENCH).encode())[1] == {"charset": "utf-8", "method": "utf-8"}


def test_unknown_label_falls_back_to_detection() -> None:
    data = page(FRENCH, '<meta charset="x-no-such-charset">').encode()
    assert decode_html(data, http_charset="nonsense")[1] == {
        "charset": "utf-8",
        "method": "utf-8",
        "refused": [
            {"label": "nonsense", "source": "http_header", "reason": "not_web_encoding"},
            {"label": "x-no-such-charset", "source": "meta_tag", "reason": "not_web_encoding"},
        ],
    }


# A page whose text holds UTF-7's spelling of "<script>" literally: as UTF-7 it becomes markup.
UTF7_BAIT = "Caf\u00e9 notes: +ADw-script+AD4-alert(1)+ADw-/script+AD4- \u2014 na\u00efve."


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_a_utf7_meta_tag_is_refused_and_its_bait_stays_text(encoding: str) -> None:
    data = page(UTF7_BAIT, '<meta charset="UTF-7">').encode(encoding)
    text, info = decode_html(data)
    assert UTF7_BAIT in text and "<script>" not in text
    refused = [{"label": "UTF-7", "source": "meta_tag", "reason": "not_web_encoding"}]
    assert info["refused"] == refused
    assert info["charset"] == ("utf-8" if encoding == "utf-8" else "cp1252")


def test_a_utf7_http_header_is_refused_and_the_meta_tag_used() -> None:
    data = page(UTF7_BAIT, '<meta charset="windows-1252">').encode("cp1252")
    text, info = decode_html(data, http_charset="utf-7")
    assert UTF7_BAIT in text
    assert info == {
        "charset": "cp1252",
        "method": "meta_tag",
        "refused": [{"label": "utf-7", "source": "http_header", "reason": "not_web_encoding"}],
    }


@pytest.mark.parametrize(
    ("label", "reason"),
    [
        ("utf-16", "utf16_without_bom"),
        ("UTF-16LE", "utf16_without_bom"),
        ("utf-32", "not_web_encoding"),
        ("cp037", "not_web_encoding"),  # EBCDIC: "<" is not 0x3C
        ("unicode_escape", "not_web_encoding"),  # a Python codec: \u003c would become "<"
        ("base64", "not_web_encoding"),  # a Python bytes-to-bytes codec: decode() raises
        ("rot13", "not_web_encoding"),
        ("iso-2022-kr", "replacement_encoding"),
        ("hz-gb-2312", "replacement_encoding"),
    ],
)
def test_non_ascii_compatible_labels_are_refused(label: str, reason: str) -> None:
    body = "Caf\u00e9 \\u003cb\\u003e bold +ADw-b+AD4-"
    text, info = decode_html(page(body, f'<meta charset="{label}">').encode())
    assert body in text
    assert info == {
        "charset": "utf-8",
        "method": "utf-8",
        "refused": [{"label": label, "source": "meta_tag", "reason": reason}],
    }


def test_a_refused_label_is_recorded_at_a_bounded_length() -> None:
    label = "x" * 3000
    info = decode_html(page(FRENCH, f"<meta charset={label}>").encode())[1]
    assert info["refused"][0]["label"] == "x" * 40


def test_a_utf7_page_file_is_read_as_its_bytes_say(tmp_path: Path) -> None:
    path = tmp_path / "bait.html"
    path.write_bytes(page(UTF7_BAIT, "<meta charset=utf-7>").encode())
    (doc,) = read_all(path)
    assert isinstance(doc, Document) and UTF7_BAIT in doc.text
    assert doc.meta["decoding"]["refused"][0]["reason"] == "not_web_encoding"


def test_a_meta_tag_beyond_the_sniffed_prefix_is_not_read() -> None:
    padding = "<!-- " + "x" * META_SNIFF_BYTES + " -->"
    data = f"<html><head>{padding}<meta charset='koi8-r'></head><body>{FRENCH}</body></html>"
    assert decode_html(data.encode())[1]["method"] == "utf-8"


def test_wrong_declaration_is_followed_and_counted() -> None:
    data = page("ok \xff\xfe end", '<meta charset="utf-8">').encode("latin-1")
    text, info = decode_html(data)
    assert "ok \ufffd\ufffd end" in text
    assert info == {"charset": "utf-8", "method": "meta_tag", "replaced": 2}


# -- HTML files and directories -----------------------------------------------------------------


def test_html_file_is_one_html_document(tmp_path: Path) -> None:
    path = tmp_path / "a.html"
    path.write_bytes(page(FRENCH, '<meta charset="windows-1252">').encode("cp1252"))
    [doc] = read_all(path)
    assert isinstance(doc, Document)
    assert doc.id == str(path) and FRENCH in doc.text
    assert doc.meta == {
        "source": str(path),
        "format": "html",
        "decoding": {"charset": "cp1252", "method": "meta_tag"},
    }


def test_gzipped_html_file(tmp_path: Path) -> None:
    path = tmp_path / "a.html.gz"
    path.write_bytes(gzip.compress(page(FRENCH).encode()))
    [doc] = read_all(path)
    assert isinstance(doc, Document) and FRENCH in doc.text and doc.meta["format"] == "html"


def test_corrupt_gzipped_html_is_a_reject(tmp_path: Path) -> None:
    path = tmp_path / "bad.htm.gz"
    path.write_bytes(gzip.compress(page(FRENCH).encode())[:30])
    [reject] = read_all(path)
    assert isinstance(reject, Reject) and reject.reason == "corrupt_archive"


def test_directory_of_text_and_html(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("plain text", encoding="utf-8")
    (tmp_path / "a.htm").write_text(page("first page"), encoding="utf-8")
    (tmp_path / "sub" / "c.html").write_text(page("second page"), encoding="utf-8")
    (tmp_path / "empty.html").write_bytes(b"  \n")
    items = read_all(tmp_path)
    assert [i.id for i in items] == ["a.htm", "b.txt", "empty.html", "sub/c.html"]
    kinds = [i.meta.get("format") if isinstance(i, Document) else i.reason for i in items]
    assert kinds == ["html", None, "empty_file", "html"]
    assert count_hint([str(tmp_path)]) == 4


def test_format_html_reads_any_name_as_html(tmp_path: Path) -> None:
    path = tmp_path / "page.txt"
    path.write_text(page("x"), encoding="utf-8")
    [doc] = read_all(path, fmt="html")
    assert isinstance(doc, Document) and doc.meta["format"] == "html"


def test_stdin_html_page_is_sniffed(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\n  <!DOCTYPE html>" + page(FRENCH).encode("cp1252")[len("<!doctype html>") :]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    [doc] = list(iter_inputs(["-"]))
    assert isinstance(doc, Document) and doc.id == "stdin" and FRENCH in doc.text
    assert doc.meta["format"] == "html" and doc.meta["decoding"]["method"] == "detected"


# -- JSONL html field ---------------------------------------------------------------------------


def test_jsonl_html_field(tmp_path: Path) -> None:
    records = [
        {"id": "h", "html": page("from html"), "url": "https://example.com/h"},
        {"id": "t", "text": "plain", "html": page("ignored")},
        {"id": "n", "body": "neither"},
        {"id": "m", "html": page("with meta"), "meta": {"lang": "en"}},
    ]
    path = tmp_path / "pages.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    h, t, n, m = read_all(path)
    assert isinstance(h, Document) and h.text == records[0]["html"]
    assert h.meta == {"format": "html"} and h.fields == {"url": "https://example.com/h"}
    assert isinstance(t, Document) and t.text == "plain" and "format" not in t.meta
    assert t.fields == {"html": records[1]["html"]}
    assert isinstance(n, Reject) and n.reason == "missing_text_field"
    assert isinstance(m, Document) and m.meta == {"lang": "en", "format": "html"}


def test_jsonl_custom_html_field(tmp_path: Path) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_bytes(orjson.dumps({"id": 1, "raw": page("x")}) + b"\n")
    [doc] = read_all(path, html_field="raw")
    assert isinstance(doc, Document) and doc.meta["format"] == "html"
    [reject] = read_all(path)
    assert isinstance(reject, Reject)


# -- WARC ---------------------------------------------------------------------------------------

BACKENDS = ["fastwarc", "warcio"]
DATE = "2024-03-05T10:00:00Z"


def write_warc(path: Path) -> None:
    """A response for each case, plus a request and a metadata record (not documents)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)

    def response(url: str, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        record = writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), http_headers=http,
            warc_headers_dict={"WARC-Date": DATE},
        )  # fmt: skip
        writer.write_record(record)

    response(
        "https://example.com/a",
        "200 OK",
        [("Content-Type", "text/html; charset=windows-1252")],
        page(FRENCH).encode("cp1252"),
    )
    request = writer.create_warc_record(
        "https://example.com/a",
        "request",
        payload=io.BytesIO(b"GET /a HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        warc_headers_dict={"WARC-Date": DATE},
    )
    writer.write_record(request)
    response(
        "https://example.com/gz",
        "200 OK",
        [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        gzip.compress(page("compressed body").encode()),
    )
    response("https://example.com/p.png", "200 OK", [("Content-Type", "image/png")], b"\x89PNG")
    response("https://example.com/gone", "404 Not Found", [("Content-Type", "text/html")], b"<p>")
    metadata = writer.create_warc_record(
        "https://example.com/a",
        "metadata",
        payload=io.BytesIO(b"via: crawler"),
        warc_content_type="application/warc-fields",
    )
    writer.write_record(metadata)
    path.write_bytes(buffer.getvalue())


@pytest.mark.parametrize("backend", BACKENDS)
def test_warc_response_records(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path)
    with path.open("rb") as handle:
        items = list(warc.iter_warc(handle, name="crawl", source=str(path), backend=backend))
    assert len(items) == 4  # the request and metadata records are not documents
    page_a, page_gz, image, gone = items
    assert isinstance(page_a, Document) and FRENCH in page_a.text
    assert page_a.id.startswith("urn:uuid:")
    assert page_a.meta["url"] == "https://example.com/a"
    assert page_a.meta["warc_date"] == DATE
    assert page_a.meta["http_charset"] == "windows-1252"
    assert page_a.meta["decoding"] == {"charset": "cp1252", "method": "http_header"}
    assert isinstance(page_gz, Document) and "compressed body" in page_gz.text
    assert isinstance(image, Reject) and image.reason == "not_html"
    assert "image/png" in image.detail
    assert isinstance(gone, Reject) and gone.reason == "http_status" and "404" in gone.detail


@pytest.mark.parametrize("backend", BACKENDS)
def test_damaged_warc_ends_with_one_reject(tmp_path: Path, backend: str) -> None:
    path = tmp_path / "crawl.warc.gz"
    write_warc(path)
    data = path.read_bytes()
    middle = len(data) // 2
    path.write_bytes(data[:middle] + bytes(40) + data[middle + 40 :])
    with path.open("rb") as handle:
        items = list(warc.iter_warc(handle, name="crawl", source=str(path), backend=backend))
    first, damaged = items
    assert isinstance(first, Document) and FRENCH in first.text
    assert isinstance(damaged, Reject) and damaged.reason == "corrupt_archive"
    assert damaged.id == "crawl:2" and "could not be read" in damaged.detail


def test_warc_files_are_read_by_name(tmp_path: Path) -> None:
    write_warc(tmp_path / "crawl.warc.gz")
    items = read_all(tmp_path)
    assert [type(i).__name__ for i in items] == ["Document", "Document", "Reject", "Reject"]
    assert count_hint([str(tmp_path)]) is None


def test_missing_warc_library_is_a_reject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_warc(tmp_path / "crawl.warc.gz")
    monkeypatch.setattr(warc, "available_backend", lambda: None)
    [reject] = read_all(tmp_path / "crawl.warc.gz")
    assert isinstance(reject, Reject) and reject.reason == "missing_dependency"
    assert "cleaner[warc]" in reject.detail
