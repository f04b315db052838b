"""`SentenceSketches.take`: picking documents out of the two-level CSR sentence sketches."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from cleaner.dedup.normalization import normalized_utf8
from cleaner.dedup.sentences import (
    SentenceSketcher,
    SentenceSketches,
    SentenceStore,
    mark_sentences,
    marked_utf8,
)

from .textgen import ArticleMaker


def _texts(article: ArticleMaker) -> list[str]:
    """Articles of several lengths, with documents that have no sketched sentence between
    them (empty, punctuation only, only sentences of fewer than 3 content words)."""
    return [
        article(0, 120),
        "",
        article(1, 40),
        "Too short.\nHi there.",
        "...",
        article(2, 200),
        article(3, 15),
        "",
        article(4, 90),
    ]


def _assert_same(a: SentenceSketches, b: SentenceSketches) -> None:
    assert isinstance(a.hashes, np.ndarray) and isinstance(b.hashes, np.ndarray)
    assert a.hashes.dtype == b.hashes.dtype == np.uint32
    assert a.sentence_sizes.dtype == b.sentence_sizes.dtype == np.uint16
    assert a.doc_offsets.dtype == b.doc_offsets.dtype == np.int64
    assert a.hashes.tolist() == b.hashes.tolist()
    assert a.sentence_sizes.tolist() == b.sentence_sizes.tolist()
    assert a.doc_offsets.tolist() == b.doc_offsets.tolist()


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [5],
        [1],  # a document without sentences, alone
        [3, 4],  # only documents without sentences
        [0, 2, 5, 8],  # ascending, non-contiguous
        [8, 1, 5, 3, 0, 7, 6],  # unordered, empty documents in between
        [5, 5, 1, 5],  # repeated
        list(range(9)),
        list(range(8, -1, -1)),
    ],
)
def test_take_equals_the_chosen_documents(rows: list[int], article: ArticleMaker) -> None:
    texts = _texts(article)
    sketcher = SentenceSketcher()
    sketches = sketcher.sketch(texts)
    assert sketches.sentence_counts()[[1, 3, 4, 7]].tolist() == [0, 0, 0, 0]
    assert (sketches.sentence_counts()[[0, 2, 5, 6, 8]] > 0).all()
    taken = sketches.take(np.array(rows, dtype=np.int64))
    assert len(taken) == len(rows)
    for k, r in enumerate(rows):
        got = [s.tolist() for s in taken.sentences(k)]
        assert got == [s.tolist() for s in sketches.sentences(r)], (k, r)
    # The same arrays as sketching the chosen texts on their own.
    _assert_same(taken, sketcher.sketch([texts[r] for r in rows]))
    # Word offsets stay consistent with the hashes held.
    assert taken.word_offsets()[-1] == np.asarray(taken.hashes).size


def test_take_of_a_take_and_of_nothing(article: ArticleMaker) -> None:
    sketches = SentenceSketcher().sketch(_texts(article))
    twice = sketches.take(np.array([8, 0, 5, 2])).take(np.array([3, 1]))
    _assert_same(twice, sketches.take(np.array([2, 0])))
    none = np.zeros(0, dtype=np.int64)
    _assert_same(SentenceSketches.concat([]).take(none), sketches.take(none))
    only_empty = SentenceSketcher().sketch(["", "...", "Hi."])
    taken = only_empty.take(np.array([2, 0]))
    assert taken.doc_offsets.tolist() == [0, 0, 0] and taken.sentence_sizes.size == 0
    assert [taken.sentences(k) for k in range(2)] == [[], []]


def test_take_needs_hashes_in_memory(article: ArticleMaker) -> None:
    store = SentenceStore(spill_bytes=None)
    store.append(SentenceSketcher().sketch(_texts(article)))
    with pytest.raises(TypeError, match="array"):
        store.sketches().take(np.array([0, 2]))
    store.close()


@pytest.mark.parametrize(
    "text",
    [
        "First sentence. Second one! THIRD?\nA line. lower case after a stop. End",
        "Price rose to £5. Then it fell… «Quoted.» Straße and ＡＢＣ. Done",
        "".join(map(chr, range(128))),
        "",
    ],
)
def test_marked_shortcut_is_the_unicode_path(text: str) -> None:
    assert marked_utf8(text) == normalized_utf8(mark_sentences(text))
    marked = mark_sentences(text)
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", marked).casefold())
    assert marked_utf8(text) == folded.encode("utf-8", "surrogatepass")
