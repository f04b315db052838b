"""The lookup keys a batch is stored and looked up under (`cleaner.index.keys`)."""

from __future__ import annotations

from cleaner.dedup.index import DedupConfig, Sketcher
from cleaner.index.keys import BAND, SENTENCE, TEXT, key_rows, space_of, spaces

from .corpus import history


def test_key_rows_are_every_key_of_every_document_once() -> None:
    docs = history()[:6]
    repeated = docs[0].text.split("\n\n")[0]
    texts = [d.text for d in docs] + ["", f"{repeated}\n\n{repeated}\n\n{docs[1].text}"]
    prepared = Sketcher(DedupConfig()).prepare(texts)
    rows = key_rows(prepared)
    found = list(zip(rows.doc.tolist(), rows.space.tolist(), rows.key.tolist(), strict=True))
    expected: set[tuple[int, int, int]] = set()
    assert prepared.sentences is not None and prepared.sentence_keys is not None
    counts = prepared.sentences.sentence_counts().tolist()
    first = 0
    for doc, count in enumerate(counts):
        if doc == 6:  # the empty document has no keys
            first += count
            continue
        for band, keys in enumerate(prepared.band_keys):
            expected.add((doc, space_of(BAND, band), int(keys[doc].view("i8"))))
        expected.add((doc, space_of(TEXT, 0), int(prepared.sets.text_hashes[doc].view("i8"))))
        for slot, keys in enumerate(prepared.sentence_keys):
            for sentence in range(first, first + count):
                expected.add((doc, space_of(SENTENCE, slot), int(keys[sentence])))
        first += count
    assert len(found) == len(set(found)) == len(expected)  # a repeated sentence: keys once
    assert set(found) == expected
    assert spaces(rows) == sorted({space for _, space, _ in expected})
