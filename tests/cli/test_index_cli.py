"""`cleaner index ...` and `--index` on `clean`, `dedup`, `compare` and `explain`, as a user
runs them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from cleaner.cli.main import main


def _corpus() -> Any:
    path = Path(__file__).resolve().parents[1] / "index" / "corpus.py"
    spec = importlib.util.spec_from_file_location("index_corpus", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _corpus()


def _write(path: Path, docs: list[Any]) -> Path:
    rows = []
    for d in docs:
        rows.append(json.dumps({"id": d.id, "text": d.text, **d.fields}) + "\n")
    path.write_text("".join(rows), "utf-8")
    return path


def _dups(path: Path) -> dict[str, tuple[str, str]]:
    out = {}
    for line in path.read_text("utf-8").splitlines():
        record = json.loads(line)
        dup = record.get("meta", {}).get("dup") or {}
        out[record["id"]] = (dup.get("kind", "unique"), dup.get("of", ""))
    return out


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return (
        _write(tmp_path / "history.jsonl", corpus.history()),
        _write(tmp_path / "batch.jsonl", corpus.batch()),
    )


def test_dedup_against_an_index_flags_like_one_run(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    history, batch = files
    one = tmp_path / "one.jsonl"
    # One run that keeps the history (first seen), as the index keeps it under any preference.
    first_seen = ["--prefer", "earliest"]
    assert main(["dedup", str(history), str(batch), "-o", str(one), "-q", *first_seen]) == 0
    index = str(tmp_path / "news.index")
    assert main(["index", "add", str(history), "--index", index, "--dedup-only"]) == 0
    assert "documents added" in capsys.readouterr().out
    out = tmp_path / "out.jsonl"
    assert main(["dedup", str(batch), "-o", str(out), "--index", index, "-q", *first_seen]) == 0
    together = _dups(one)
    against = _dups(out)
    for doc_id, (kind, of) in against.items():
        if kind == "representative":  # a batch representative's copies may be in history
            continue
        assert (kind, of) == together[doc_id], doc_id
    assert against["b-rewrite"] == ("rewrite", "seed0")
    record = next(json.loads(line) for line in out.read_text().splitlines() if '"b-near"' in line)
    assert record["meta"]["dup"]["indexed"] == {"date": "2026-11-08", "location": ""}


def test_update_adds_the_batch_with_its_copies_marked(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, batch = files
    index = str(tmp_path / "news.index")
    args = ["dedup", str(batch), "-o", str(tmp_path / "o.jsonl"), "--index", index, "-q"]
    assert main([*args, "--update", "--overwrite"]) == 0
    assert main(["index", "stats", "--index", index]) == 0
    stats = capsys.readouterr().out
    assert "documents: 18 (2 of them copies)" in stats  # 2 copies within the batch
    assert main([*args, "--update", "--overwrite"]) == 0  # the same batch again: all copies
    assert all(kind != "unique" for kind, _ in _dups(tmp_path / "o.jsonl").values())
    assert main(["index", "verify", "--index", index]) == 0
    assert "ok (36 documents)" in capsys.readouterr().out  # the batch twice, all copies again


def test_clean_with_index_and_expire(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    history, batch = files
    index = str(tmp_path / "news.index")
    assert main(["index", "add", str(history), "--index", index, "-q"]) == 0
    out = tmp_path / "clean.jsonl"
    assert main(["clean", str(batch), "-o", str(out), "--index", index, "-q"]) == 0
    assert _dups(out)["b-exact"] == ("normalized", "seed1")
    assert main(["index", "expire", "--older-than", "30d", "--index", index]) == 0
    assert "0 documents older than 30d removed" in capsys.readouterr().out
    assert main(["index", "compact", "--index", index]) == 0


def test_compare_and_explain_find_ids_in_the_index(
    tmp_path: Path, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    history, batch = files
    kept, bare = str(tmp_path / "kept.index"), str(tmp_path / "bare.index")
    assert main(["index", "add", str(history), "--index", kept, "--store-text", "-q"]) == 0
    assert main(["index", "add", str(history), "--index", bare, "-q"]) == 0
    capsys.readouterr()
    ids = ["--id", "b-rewrite", "--id", "seed0"]
    assert main(["compare", str(batch), *ids, "--index", kept]) == 0
    assert "rewrite duplicate" in capsys.readouterr().out
    assert main(["compare", str(batch), *ids, "--index", bare]) == 0
    shown = capsys.readouterr().out
    assert "text not kept" in shown and "jaccard:" in shown
    assert main(["explain", str(batch), "--id", "b-near", "--id", "h7", "--index", bare]) == 0
    shown = capsys.readouterr().out
    assert "duplicate (near) of h7" in shown
    assert "== h7: in index" in shown and "date 2026-11-08" in shown
    assert "a representative: later copies are flagged against it" in shown
    # the history's own copies are indexed too, and said to be copies
    assert main(["explain", str(batch), "--id", "h4-excerpt", "--id", "h4", "--index", bare]) == 0
    shown = capsys.readouterr().out
    assert "== h4-excerpt: in index" in shown
    assert "indexed as a copy (claimed by clustering)" in shown


@pytest.mark.parametrize(
    "argv, message",
    [
        (["index", "stats", "--index", "{bad}"], "is not a cleaner index"),
        (["index", "stats", "--index", "{missing}"], "no index at"),
        (["index", "expire", "--older-than", "soon", "--index", "{bad}"], "--older-than"),
        (["dedup", "{batch}", "-o", "{out}", "--update"], "need --index"),
        (["dedup", "{batch}", "-o", "{out}", "--index", "{bad}"], "is not a cleaner index"),
    ],
)
def test_bad_index_use_is_one_line_exit_2(
    tmp_path: Path,
    files: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    bad = tmp_path / "bad.index"
    bad.write_bytes(b"\x00garbage" * 100)
    names = {
        "bad": str(bad),
        "missing": str(tmp_path / "missing.index"),
        "batch": str(files[1]),
        "out": str(tmp_path / "o.jsonl"),
        "i": str(tmp_path / "i.index"),
    }
    assert main([a.format(**names) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err
