"""`Document.evolve` builds exactly what `dataclasses.replace` would."""

from __future__ import annotations

import dataclasses

from cleaner.document import Document, Edit


def test_evolve_is_replace() -> None:
    edit = Edit("normalize", "whitespace.spaces", "replaced", "a  b", replacement="a b")
    doc = Document("7", "a  b", {"lang": "en"}, (edit,), {"url": "u"})
    later = Edit("boilerplate", "credit", "removed", "x", line=2)
    assert doc.evolve(text="a b") == dataclasses.replace(doc, text="a b")
    assert doc.evolve(meta={"lang": "fr"}) == dataclasses.replace(doc, meta={"lang": "fr"})
    assert doc.evolve(text="t", meta={}, edits=[later]) == dataclasses.replace(
        doc, text="t", meta={}, trace=(edit, later)
    )
    assert doc.with_meta(score=1.0) == dataclasses.replace(doc, meta={"lang": "en", "score": 1.0})
    assert doc.evolve() is doc
    assert doc.evolve(text="").text == ""
