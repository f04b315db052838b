"""Exact de-duplication: first copy kept, later copies flagged or dropped, per-run index."""

from __future__ import annotations

import pickle

from cleaner.document import Document, Drop
from cleaner.processors.exact_dedup import ExactDedup, dedup_key


def docs(*texts: str) -> list[Document]:
    return [Document(id=f"doc{i}", text=t) for i, t in enumerate(texts)]


def run(processor: ExactDedup, items: list[Document]) -> list[Document | Drop]:
    return [processor.process(d) for d in items]


def test_first_kept_later_copies_flagged() -> None:
    first, other, copy = run(
        ExactDedup(ExactDedup.Options()), docs("Same text.", "Other.", "Same text.")
    )
    assert isinstance(first, Document) and "dup" not in first.meta
    assert isinstance(other, Document) and "dup" not in other.meta
    assert isinstance(copy, Document)
    assert copy.meta["dup"] == {"kind": "exact", "of": "doc0", "cluster": "doc0"}
    assert copy.text == "Same text."


def test_drop_policy() -> None:
    processor = ExactDedup(ExactDedup.Options(policy="drop"))
    first, copy, again = run(processor, docs("Same text.", "Same text.", "Same text."))
    assert isinstance(first, Document)
    for result in (copy, again):
        assert isinstance(result, Drop)
        assert (result.processor, result.reason) == ("exact_dedup", "exact_duplicate")
        assert result.detail == "duplicate of doc0"


def test_whitespace_case_and_unicode_variants_are_duplicates() -> None:
    variants = [
        "Markets fell sharply.\n\nTraders were worried.",
        "  markets FELL   sharply. Traders\twere worried.\n",
        "Ｍarkets fell sharply.\u00a0Traders were worried.",  # full-width M, no-break space
    ]
    results = run(ExactDedup(ExactDedup.Options()), docs(*variants))
    assert [isinstance(r, Document) and "dup" in r.meta for r in results] == [False, True, True]


def test_different_text_is_not_a_duplicate() -> None:
    results = run(
        ExactDedup(ExactDedup.Options()), docs("Markets fell.", "Markets fell!", "Markets rose.")
    )
    assert all(isinstance(r, Document) and "dup" not in r.meta for r in results)


def test_ignore_punctuation_option() -> None:
    texts = ("“Markets fell,” he said.", '"Markets fell" he said')
    strict = run(ExactDedup(ExactDedup.Options()), docs(*texts))
    loose = run(ExactDedup(ExactDedup.Options(ignore_punctuation=True)), docs(*texts))
    assert isinstance(strict[1], Document) and "dup" not in strict[1].meta
    assert isinstance(loose[1], Document) and loose[1].meta["dup"]["of"] == "doc0"


def test_fresh_resets_the_index_and_keeps_options() -> None:
    processor = ExactDedup(ExactDedup.Options(policy="drop"))
    run(processor, docs("A text."))
    assert len(processor) == 1
    fresh = processor.fresh()
    assert fresh is not processor and len(fresh) == 0
    assert fresh.options == processor.options
    assert isinstance(fresh.process(Document(id="x", text="A text.")), Document)


def test_sequential_flag() -> None:
    assert ExactDedup.sequential is True


def test_keys_are_deterministic() -> None:
    assert dedup_key("Hello  World") == dedup_key("hello world")
    assert dedup_key("Hello World").hex() == "e9a804b2e527fd3601d2ffc0bb023cd6"
    assert len(dedup_key("x")) == 16


def test_same_ids_twice_are_still_duplicates() -> None:
    processor = ExactDedup(ExactDedup.Options())
    a, b = run(processor, [Document(id="same", text="t"), Document(id="same", text="t")])
    assert isinstance(a, Document) and "dup" not in a.meta
    assert isinstance(b, Document) and b.meta["dup"]["of"] == "same"


def test_processor_pickles_with_its_index() -> None:
    processor = ExactDedup(ExactDedup.Options())
    run(processor, docs("Seen."))
    clone = pickle.loads(pickle.dumps(processor))
    result = clone.process(Document(id="later", text="Seen."))
    assert isinstance(result, Document) and result.meta["dup"]["of"] == "doc0"
