"""`cleaner clean` end to end on HTML inputs: a directory of pages, JSONL html fields, a WARC."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

import orjson
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.cli.main import main

STORY = (
    "The harbour board met on {day} and agreed to extend the northern quay by two hundred "
    "metres, a project first proposed a decade ago. Fishermen welcomed the decision, saying the "
    "current berths are too short for the larger trawlers now working the coast. Topic {n}."
)


def page(n: int, title: str = "Harbour news") -> str:
    paragraphs = "".join(
        f"<p>{STORY.format(day=day, n=n)}</p>" for day in ("Monday", "Tuesday", "Friday")
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title} {n}</title></head>"
        f"<body><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li></ul>"
        f"</nav><article><h1>{title} {n}</h1>{paragraphs}"
        f"<ul class='related'><li><a href='/x'>Another story</a></li></ul></article>"
        f"<footer><p>Copyright Example News</p></footer></body></html>"
    )


def clean(*args: str) -> int:
    return main(["clean", *args, "--no-progress", "--quiet"])


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def report(out: Path) -> dict[str, Any]:
    stem = str(out).removesuffix(".jsonl")
    data: dict[str, Any] = json.loads(Path(f"{stem}.report.json").read_text("utf-8"))
    assert data["docs_in"] == data["docs_out"] + data["rejected"] and data["balanced"]
    return data


def assert_clean(text: str) -> None:
    assert "extend the northern quay" in text
    for chrome in ("Home", "Another story", "Copyright", "Harbour news", "<p>"):
        assert chrome not in text


def test_directory_of_html_files(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "2024").mkdir(parents=True)
    (pages / "a.html").write_text(page(1), encoding="utf-8")
    (pages / "2024" / "b.htm").write_bytes(page(2).encode("utf-8"))
    (pages / "2024" / "c.html.gz").write_bytes(gzip.compress(page(3).encode("utf-8")))
    (pages / "notes.txt").write_text("A plain text note about the harbour board.\n", "utf-8")
    (pages / "empty.html").write_text("<html><body><nav>Menu</nav></body></html>", "utf-8")
    out = tmp_path / "out.jsonl"
    assert clean(str(pages), "-o", str(out), "--jobs", "1") == 0
    records = {r["id"]: r for r in read_jsonl(out)}
    assert sorted(records) == ["2024/b.htm", "2024/c.html.gz", "a.html", "notes.txt"]
    for doc_id in ("a.html", "2024/b.htm", "2024/c.html.gz"):
        assert_clean(records[doc_id]["text"])
        assert records[doc_id]["meta"]["title"].startswith("Harbour news")
        assert records[doc_id]["meta"]["extracted_from_html"] is True
    assert records["notes.txt"]["text"] == "A plain text note about the harbour board."
    summary = report(out)
    assert (summary["docs_in"], summary["docs_out"]) == (5, 4)
    assert summary["rejected_by_reason"] == {"html.no_content": 1}
    assert summary["removed_by_rule"]["html.nav"] == 4
    [rejected] = read_jsonl(tmp_path / "out.rejects.jsonl")
    assert (rejected["id"], rejected["stage"]) == ("empty.html", "html")


def test_jsonl_with_html_fields_and_parallel_workers(tmp_path: Path) -> None:
    records = [{"id": f"p{n}", "html": page(n), "source": "crawl"} for n in range(4)]
    records.append({"id": "t", "text": "A plain text record about the harbour board and quay."})
    records.append({"id": "x", "html": "   "})
    source = tmp_path / "pages.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        code = clean(str(source), "-o", str(out), "--jobs", jobs, "--set", "run.batch_size=1")
        assert code == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]  # workers give byte-identical output
    kept = read_jsonl(tmp_path / "out1.jsonl")
    assert [r["id"] for r in kept] == ["p0", "p1", "p2", "p3", "t"]
    for record in kept[:4]:
        assert_clean(record["text"])
        assert record["source"] == "crawl" and "html" not in record
    summary = report(tmp_path / "out1.jsonl")
    assert summary["rejected_by_reason"] == {"html.unparseable": 1}


def write_warc(path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)

    def record(kind: str, url: str, body: bytes, content_type: str = "") -> None:
        http = None
        if kind == "response":
            http = StatusAndHeaders("200 OK", [("Content-Type", content_type)], "HTTP/1.1")
        headers = {"WARC-Date": "2024-03-05T10:00:00Z"}
        payload = io.BytesIO(body)
        writer.write_record(
            writer.create_warc_record(
                url, kind, payload=payload, http_headers=http, warc_headers_dict=headers
            )
        )

    for n in range(3):
        url = f"https://news.example.com/{n}"
        record("request", url, b"GET / HTTP/1.1\r\n\r\n")
        record("response", url, page(n).encode("cp1252"), "text/html; charset=windows-1252")
    record("response", "https://news.example.com/logo.png", b"\x89PNG\r\n", "image/png")
    path.write_bytes(buffer.getvalue())


def test_warc_file(tmp_path: Path) -> None:
    source = tmp_path / "crawl.warc.gz"
    write_warc(source)
    out = tmp_path / "out.jsonl"
    assert clean(str(source), "-o", str(out)) == 0
    kept = read_jsonl(out)
    assert len(kept) == 3
    for n, record in enumerate(kept):
        assert_clean(record["text"])
        assert record["id"].startswith("urn:uuid:")
        assert record["meta"]["url"] == f"https://news.example.com/{n}"
        assert record["meta"]["warc_date"] == "2024-03-05T10:00:00Z"
        assert record["meta"]["decoding"] == {"charset": "cp1252", "method": "http_header"}
    summary = report(out)
    assert (summary["docs_in"], summary["docs_out"]) == (4, 3)
    assert summary["rejected_by_reason"] == {"input.not_html": 1}


def test_explain_shows_html_removals(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "a.html"
    path.write_text(page(1), encoding="utf-8")
    assert main(["explain", str(path)]) == 0
    shown = capsys.readouterr().out
    assert "html.nav" in shown and "«Home News»" in shown
    assert "html.headline" in shown
