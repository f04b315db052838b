from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner.cli.main import main
from cleaner.document import Document, Drop, Edit, Reject
from cleaner.run.report import RunReport

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_counts_add_up_and_rules_are_counted() -> None:
    report = RunReport()
    kept = Document(
        "a",
        "text",
        meta={"lang": "en", "dup": {"kind": "exact", "of": "z"}},
        trace=(
            Edit("boilerplate", "widget.x", "removed", "No time to read?"),
            Edit("boilerplate", "bylines.by", "moved", "by A", meta_key="byline"),
        ),
    )
    report.add(kept, 20)
    report.add(Drop(Document("b", "t"), "filters", "too_short", "1 word"), 1)
    report.add(Reject("c", "f.jsonl", "malformed_json"), 0)
    data = report.to_dict()
    assert data["docs_in"] == 3 and data["docs_out"] == 1 and data["rejected"] == 2
    assert data["balanced"] is True
    assert data["rejected_by_reason"] == {"filters.too_short": 1, "input.malformed_json": 1}
    assert data["removed_by_rule"] == {"widget.x": 1}
    assert data["moved_to_meta_by_rule"] == {"bylines.by": 1}
    assert data["languages"] == {"en": 1}
    assert data["duplicates_flagged"] == {"exact": 1}
    summary = report.summary()
    assert "3 in, 1 out, 2 rejected" in summary
    assert "filters.too_short 1" in summary and "widget.x 1" in summary


# --- duplicate clusters ------------------------------------------------------------------


def _copy(doc_id: str, of: str, kind: str = "near") -> Document:
    return Document(doc_id, "copy", meta={"dup": {"kind": kind, "of": of, "cluster": of}})


def _representative(doc_id: str, copies: int) -> Document:
    dup = {"kind": "representative", "cluster": doc_id, "copies": copies}
    return Document(doc_id, "original", meta={"dup": dup})


def _summary_line(report: RunReport, prefix: str) -> str:
    lines = [line for line in report.summary().splitlines() if line.startswith(prefix)]
    assert len(lines) == 1, report.summary()
    return lines[0]


def test_dedup_clusters_give_a_size_histogram() -> None:
    report = RunReport()
    report.add(_representative("a", 2))
    report.add(_copy("a1", "a", "exact"))
    report.add(Document("alone", "nothing like it"))
    report.add(_copy("a2", "a", "excerpt"))
    for rep in ("b", "c"):
        report.add(_representative(rep, 1))
        report.add(_copy(f"{rep}1", rep))
    clusters = report.to_dict()["duplicate_clusters"]
    assert clusters == {
        "clusters": 3,
        "documents_in_clusters": 7,
        "largest": 3,
        "sizes": {"2": 2, "3": 1},
    }
    assert list(clusters["sizes"]) == ["2", "3"]
    assert (
        _summary_line(report, "  duplicate clusters:")
        == "  duplicate clusters: 3 (sizes 2: 2, 3: 1), largest 3, 7 documents"
    )


def test_dropped_copies_count_in_their_cluster() -> None:
    report = RunReport()
    report.add(_representative("r", 3))
    report.add(_copy("r1", "r"))
    # dedup with policy = "drop": the Drop's document keeps its meta.dup
    for copy_id in ("r2", "r3"):
        dropped = _copy(copy_id, "r")
        report.add(Drop(dropped, "dedup", "duplicate", f"near duplicate of r ({copy_id})"))
    # a copy rejected by a later stage still belongs to the cluster
    report.add(Drop(_copy("s1", "s", "revised"), "filters", "too_short", "3 words"))
    report.add(_representative("s", 1))
    data = report.to_dict()
    assert data["rejected_by_reason"] == {"dedup.duplicate": 2, "filters.too_short": 1}
    assert data["duplicates_flagged"] == {"near": 1, "representative": 2}
    assert data["duplicate_clusters"] == {
        "clusters": 2,
        "documents_in_clusters": 6,
        "largest": 4,
        "sizes": {"2": 1, "4": 1},
    }
    assert data["balanced"] is True


def test_exact_dedup_clusters_count_the_unannotated_first_copy() -> None:
    report = RunReport()
    # policy = "flag": later copies carry meta.dup, the first copy carries nothing
    report.add(Document("x", "text"))
    report.add(_copy("x2", "x", "exact"))
    report.add(_copy("x3", "x", "exact"))
    # policy = "drop": no meta, the Drop names the first copy (ids may contain spaces)
    report.add(Document("dir/first copy.txt", "other"))
    first = "dir/first copy.txt"
    for copy_id in ("dir/b.txt", "dir/c.txt", "dir/d.txt"):
        dropped = Document(copy_id, "other")
        detail = f"duplicate of {first}"
        report.add(Drop(dropped, "exact_dedup", "exact_duplicate", detail, duplicate_of=first))
    assert report.to_dict()["duplicate_clusters"] == {
        "clusters": 2,
        "documents_in_clusters": 7,
        "largest": 4,
        "sizes": {"3": 1, "4": 1},
    }
    assert set(report.dup_clusters) == {"x", "dir/first copy.txt"}


def test_exact_dedup_drop_goes_by_its_duplicate_of_not_input_meta() -> None:
    report = RunReport()
    stale = {"kind": "near", "of": "old", "cluster": "old"}  # came in with the input record
    doc = Document("b", "text", meta={"dup": stale})
    report.add(Drop(doc, "exact_dedup", "exact_duplicate", "duplicate of a", duplicate_of="a"))
    assert set(report.dup_clusters) == {"a"}
    assert report.to_dict()["duplicate_clusters"]["sizes"] == {"2": 1}


def test_a_drop_detail_is_never_parsed_for_a_cluster() -> None:
    """The detail is for people: only `duplicate_of` (or meta) puts a drop in a cluster."""
    report = RunReport()
    report.add(Drop(Document("b", "t"), "exact_dedup", "exact_duplicate", "duplicate of a"))
    report.add(Drop(Document("c", "t"), "filters", "too_short", "duplicate of a"))
    assert report.dup_clusters == {}
    report.add(Drop(Document("d", "t"), "custom", "copy", "kept: e", duplicate_of="e"))
    assert report.dup_clusters == {"e": [1, 0]}


def test_a_representative_declares_copies_not_seen_and_lone_ones_do_not_count() -> None:
    report = RunReport()
    report.add(_representative("r", 3))  # its copies never reached the report
    report.add(_copy("r1", "r"))
    report.add(_representative("lone", 0))
    # an annotation without "cluster" falls back to "of"
    report.add(Document("o1", "t", meta={"dup": {"kind": "exact", "of": "o"}}))
    report.add(Document("bad", "t", meta={"dup": {"kind": "exact", "of": 7}}))
    report.add(Document("odd", "t", meta={"dup": "not a dict"}))
    assert report.to_dict()["duplicate_clusters"] == {
        "clusters": 2,
        "documents_in_clusters": 6,
        "largest": 4,
        "sizes": {"2": 1, "4": 1},
    }


def test_large_cluster_sizes_are_bucketed_and_largest_stays_exact() -> None:
    report = RunReport()
    for rep, size in (("a", 10), ("b", 11), ("c", 20), ("d", 21), ("e", 150), ("f", 1500)):
        report.add(_representative(rep, size - 1))
        for i in range(size - 1):
            report.add(_copy(f"{rep}{i}", rep))
    clusters = report.to_dict()["duplicate_clusters"]
    assert clusters["sizes"] == {"10": 1, "11-20": 2, "21-50": 1, "101-200": 1, "1001+": 1}
    assert list(clusters["sizes"]) == ["10", "11-20", "21-50", "101-200", "1001+"]
    assert clusters["largest"] == 1500
    assert clusters["clusters"] == 6
    assert clusters["documents_in_clusters"] == 10 + 11 + 20 + 21 + 150 + 1500
    assert "(sizes 10: 1, 11-20: 2, 21-50: 1, 101-200: 1, 1001+: 1), largest 1500" in (
        report.summary()
    )


def test_no_duplicates_gives_zeros_and_no_summary_line() -> None:
    report = RunReport()
    report.add(Document("a", "one"))
    report.add(Drop(Document("b", "two"), "filters", "too_short", "1 word"))
    report.add(Reject("c", "f.jsonl", "malformed_json"))
    assert report.to_dict()["duplicate_clusters"] == {
        "clusters": 0,
        "documents_in_clusters": 0,
        "largest": 0,
        "sizes": {},
    }
    assert "duplicate clusters" not in report.summary()


@pytest.mark.parametrize(
    ("policy", "rejected"),
    [
        ("flag", {}),
        ("drop", {"exact_dedup.exact_duplicate": 2, "dedup.duplicate": 1}),
    ],
)
def test_clean_reports_duplicate_clusters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], policy: str, rejected: dict[str, int]
) -> None:
    texts = [p.read_text("utf-8") for p in sorted(SEEDS.iterdir())]
    records = [{"id": f"seed{i}", "text": t} for i, t in enumerate(texts)]
    records.append({"id": "copy0a", "text": texts[0]})
    records.append({"id": "copy0b", "text": texts[0]})
    records.append({"id": "excerpt2", "text": texts[2][: len(texts[2]) * 2 // 3]})
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    out = tmp_path / "out.jsonl"
    sets = ["--set", f"exact_dedup.policy={policy}", "--set", f"dedup.policy={policy}"]
    assert main(["clean", str(dump), "-o", str(out), "--no-progress", "-j", "1", *sets]) == 0
    report = json.loads((tmp_path / "out.report.json").read_text("utf-8"))
    assert report["balanced"] is True
    assert report["rejected_by_reason"] == rejected
    assert report["duplicate_clusters"] == {
        "clusters": 2,
        "documents_in_clusters": 5,
        "largest": 3,
        "sizes": {"2": 1, "3": 1},
    }
    summary = capsys.readouterr().err
    assert "duplicate clusters: 2 (sizes 2: 1, 3: 1), largest 3, 5 documents" in summary


def test_merging_reports_of_consecutive_parts_equals_one_report() -> None:
    """A sharded run counts each shard in a report of its own and merges them in order: that
    must be the report of feeding every result to one."""
    results: list[tuple[Document | Drop | Reject, int]] = [
        (_representative("r", 3), 10),
        (_copy("c1", "r"), 9),
        (Drop(_copy("c2", "r", "near"), "dedup", "duplicate", "near duplicate of r", "r"), 8),
        (Drop(Document("x", "dup"), "exact_dedup", "duplicate", "duplicate of first", "first"), 3),
        (Document("first", "t", meta={"lang": "de"}), 1),
        (Reject("bad", "in.jsonl", "malformed_json"), 0),
        (_copy("c3", "r", "rewrite"), 7),
        (_representative("r", 4), 10),
        (Document("e", "t", trace=(Edit("boilerplate", "w", "removed", "x"),)), 5),
    ]
    whole = RunReport()
    for result, length in results:
        whole.add(result, length)
    for cut in range(len(results) + 1):
        merged, second = RunReport(), RunReport()
        for result, length in results[:cut]:
            merged.add(result, length)
        for result, length in results[cut:]:
            second.add(result, length)
        merged.merge(second)
        assert merged.to_dict() == whole.to_dict(), cut
        assert merged.dup_clusters == whole.dup_clusters, cut


def test_failure_says_why_a_run_failed_on_its_rejects() -> None:
    empty = RunReport()
    assert empty.failure() is None and empty.reject_rate == 0.0
    rejected = RunReport()
    for name in ("a", "b"):
        rejected.add(Reject(name, "f.jsonl", "missing_text_field"))
    assert rejected.failure() == "all 2 input documents were rejected (input.missing_text_field 2)"
    mixed = RunReport(max_reject_rate=0.25)
    mixed.add(Document("k", "kept"))
    mixed.add(Drop(Document("d", "t"), "filters", "too_short", "1 word"))
    assert mixed.reject_rate == 0.5
    assert mixed.failure() == (
        "1 of 2 documents rejected (50.0% > max reject rate 25.0%: filters.too_short 1)"
    )
    mixed.max_reject_rate = 0.5  # "more than" the rate fails; exactly the rate passes
    assert mixed.failure() is None
    assert mixed.to_dict()["failure"] is None and mixed.to_dict()["max_reject_rate"] == 0.5
