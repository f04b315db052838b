"""The trace replays: applying a document's recorded changes to its input gives its output.

For every fixture (`fixtures/<case>/`, and each document of the `dedup_*` cases), cleaned by
the default chain as `tests/test_fixtures.py` and `tests/test_dedup_fixtures.py` clean them,
`cleaner.trace.replay(input text, trace)` must equal the output text, as ftfy proves its
explanations by re-applying them.
"""

from __future__ import annotations

import itertools
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cleaner.config import load_config
from cleaner.document import Document, Drop, Edit, Reject
from cleaner.io.readers import iter_inputs
from cleaner.pipeline import Pipeline, apply_chain
from cleaner.processors.base import ProcessorBase
from cleaner.run.report import RunReport
from cleaner.trace import UNITEMISED, apply_changes, replay, text_changes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("dedup_"))
DEDUP_CASES = sorted(p.name for p in FIXTURES.glob("dedup_*") if p.is_dir())


def _case_settings(case: Path) -> dict[str, Any]:
    settings_file = case / "case.toml"
    return tomllib.loads(settings_file.read_text("utf-8")) if settings_file.exists() else {}


def _input_path(case: Path, settings: dict[str, Any]) -> Path:
    return (case / settings["input"]).resolve() if "input" in settings else case / "input.txt"


def _replayed(original: Document, result: Document | Drop) -> tuple[str, str]:
    doc = result.document if isinstance(result, Drop) else result
    return replay(original.text, doc.trace), doc.text


@pytest.mark.parametrize("name", CASES)
def test_a_fixture_output_is_its_input_with_the_trace_replayed(name: str) -> None:
    case = FIXTURES / name
    settings = _case_settings(case)
    pipeline = Pipeline.from_dict(load_config(extra=settings.get("config", {})))
    [item] = list(iter_inputs([str(_input_path(case, settings))]))
    if isinstance(item, Reject):
        return  # nothing was read, nothing was changed
    if "url" in settings:
        item = item.with_meta(url=settings["url"])
    [result] = list(pipeline.run([item]))
    replayed, output = _replayed(item, result)
    assert replayed == output


@pytest.mark.parametrize("name", DEDUP_CASES)
def test_every_document_of_a_dedup_fixture_replays(name: str) -> None:
    docs = [Document(p.stem, p.read_text("utf-8")) for p in sorted((FIXTURES / name).glob("*.txt"))]
    results = list(Pipeline.from_config().run(docs))
    assert len(results) == len(docs)
    for doc, result in zip(docs, results, strict=True):
        replayed, output = _replayed(doc, result)
        assert replayed == output, doc.id


def test_the_fixtures_exercise_every_text_changing_processor() -> None:
    """The replay above proves something only if the fixtures change text in each step."""
    changed: set[str] = set()
    for name in CASES:
        case = FIXTURES / name
        settings = _case_settings(case)
        pipeline = Pipeline.from_dict(load_config(extra=settings.get("config", {})))
        for item in iter_inputs([str(_input_path(case, settings))]):
            if isinstance(item, Document):
                for result in pipeline.run([item]):
                    doc = result.document if isinstance(result, Drop) else result
                    changed |= {e.processor for e in doc.trace if e.changes}
    assert {"encoding", "normalize", "boilerplate"} <= changed


def test_html_extraction_replays_as_one_whole_text_change(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    body = "<p>The council approved the harbour budget on Monday after a long debate.</p>" * 3
    page.write_text(f"<html><body><nav><a href='/'>Home</a></nav>{body}</body></html>")
    [item] = list(iter_inputs([str(page)]))
    assert isinstance(item, Document)
    [result] = list(Pipeline.from_config().run([item]))
    replayed, output = _replayed(item, result)
    assert replayed == output and "harbour budget" in output
    html_changes = [e for e in result.trace if e.processor == "html" and e.changes]
    assert len(html_changes) == 1


class _Upper(ProcessorBase):
    """Changes the text without recording an edit of its own."""

    name = "upper"

    def process(self, doc: Document) -> Document | Drop:
        return doc.evolve(text=doc.text.upper())


def test_a_step_without_edits_gets_an_unitemised_edit_the_report_does_not_count() -> None:
    result = apply_chain([_Upper()], Document("d", "one\ntwo\nthree"))
    assert isinstance(result, Document) and result.text == "ONE\nTWO\nTHREE"
    [edit] = result.trace
    assert edit.action == UNITEMISED and edit.processor == "upper"
    assert replay("one\ntwo\nthree", result.trace) == result.text
    report = RunReport()
    report.add(result)
    assert report.to_dict()["edits_by_processor"] == {}
    assert json.dumps(edit.to_dict())  # written with --trace like any edit


def test_changes_go_on_the_first_edit_of_the_step() -> None:
    doc = Document("d", "keep\nDROP me\nkeep too\n")
    edits = (Edit("p", "r1", "removed", "DROP me", line=2), Edit("p", "r2", "removed", "\n"))

    class _Drop(ProcessorBase):
        name = "p"

        def process(self, doc: Document) -> Document | Drop:
            return doc.evolve(text="keep\nkeep too", edits=edits)

    result = apply_chain([_Drop()], doc)
    assert isinstance(result, Document)
    assert result.trace[0].changes and not result.trace[1].changes
    assert replay(doc.text, result.trace) == "keep\nkeep too"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "new"),
        ("old", ""),
        ("a\nb\nc\n", "a\nc"),
        ("a  b\r\nc\u200b\n\n\n\nd", "a b\nc\n\nd"),
        ("x\n" * 50 + "tail", "y\n" + "x\n" * 48 + "tail\nmore"),
        ("\n".join(str(i) for i in range(3000)), "\n".join(str(i) for i in range(1, 3001, 2))),
        ("same", "same"),
    ],
)
def test_text_changes_rebuild_the_new_text(before: str, after: str) -> None:
    changes = text_changes(before, after)
    assert apply_changes(before, changes) == after
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(changes))


def test_changes_far_apart_are_recorded_apart_not_as_the_whole_text() -> None:
    lines = [f"line {i} of a long article, with enough words to be a paragraph" for i in range(200)]
    before = "\n".join(lines) + "\n"
    after_lines = list(lines)
    after_lines[3] = after_lines[3].replace("long", "short")
    del after_lines[150]
    after = "\n".join(after_lines)
    changes = text_changes(before, after)
    assert apply_changes(before, changes) == after
    assert len(changes) == 3  # the word, the removed line, the final line break
    assert sum(len(new) + end - start for start, end, new in changes) < 200


def test_without_recording_the_text_and_the_counted_edits_are_the_same() -> None:
    """`record_changes=False` (a run that writes no trace) skips only the diff: the output
    text and the edits the report counts do not change."""
    doc = Document("d", "one\ntwo\nthree")
    recorded = apply_chain([_Upper()], doc)
    skipped = apply_chain([_Upper()], doc, record_changes=False)
    assert isinstance(recorded, Document) and isinstance(skipped, Document)
    assert skipped.text == recorded.text
    assert skipped.trace == ()  # no unitemised edit carrying a change
    counted = [RunReport(), RunReport()]
    counted[0].add(recorded)
    counted[1].add(skipped)
    assert counted[0].to_dict() == counted[1].to_dict()
