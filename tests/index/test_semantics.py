"""A batch checked against an index gets the verdicts of one run over history + batch.

History (seeds, generated articles, the original of a spun story, and copies within the
history itself) and a batch with planted exact, near, excerpt and rewrite copies: deduplicated
together in one `NearDupIndex` run, and with the history indexed (`Index.add`, in one go or
batch by batch) then the batch checked against it, the batch gets the same kinds and the same
representatives.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.dedup.cluster import ClusterConfig, MatchKind, Settled
from cleaner.dedup.index import DedupConfig, NearDupIndex
from cleaner.document import Document
from cleaner.index import Index
from cleaner.index.keys import SENTENCE, caps, key_rows

from .corpus import EXPECTED_COPIES, batch, history, make_article

#: The history comes first and is kept: in one run, that is the first-seen preference (the index
#: pins its documents first under any preference; within the batch, this one decides too).
EARLIEST = DedupConfig(cluster=ClusterConfig(prefer="earliest"))


def _one_run(docs: list[Document], batch_docs: list[Document]) -> dict[str, tuple[str, str]]:
    everything = docs + batch_docs
    with NearDupIndex(EARLIEST) as index:
        index.add([d.text for d in everything], [d.id for d in everything])
        result = index.finish()
    out = {}
    for i in range(len(docs), len(everything)):
        kind = result.assignments.kind_of(i)
        rep = result.ids[int(result.assignments.representative[i])]
        out[result.ids[i]] = (kind.label, rep if kind.is_duplicate else "")
    return out


def _against(index: Index, batch_docs: list[Document]) -> dict[str, tuple[str, str]]:
    return {v.id: (v.kind, v.of or "") for v in index.query(batch_docs)}


@pytest.mark.parametrize("chunks", [1, 3])
def test_batch_verdicts_equal_one_run(tmp_path: Path, chunks: int) -> None:
    docs, batch_docs = history(), batch()
    expected = _one_run(docs, batch_docs)
    # the planted copies are found, of the documents they were made from
    assert {k: v[1] for k, v in expected.items() if v[1]} == EXPECTED_COPIES
    assert expected["b-rewrite"][0] == MatchKind.REWRITE.label
    assert expected["b-excerpt"][0] == MatchKind.EXCERPT.label
    assert expected["b-near"][0] == MatchKind.NEAR.label
    with Index.open(str(tmp_path / "news.index"), EARLIEST) as index:
        size = -(-len(docs) // chunks)
        for lo in range(0, len(docs), size):
            index.add(docs[lo : lo + size])
        # the history's own copies are indexed too, marked as copies
        assert index.store.count() == len(docs)
        roles = {doc.id: doc.role for doc, _ in index.store.documents()}
        assert {k for k, v in roles.items() if v != Settled.KEPT} == {"h3-copy", "h4-excerpt"}
        assert _against(index, batch_docs) == expected


def test_copies_name_the_indexed_representative_with_date_and_location(tmp_path: Path) -> None:
    with Index.open(str(tmp_path / "news.index")) as index:
        index.add(history())
        verdicts = {v.id: v for v in index.query(batch())}
    rewrite = verdicts["b-rewrite"]
    assert rewrite.indexed is not None and rewrite.indexed.location == "https://example.org/0"
    near = verdicts["b-near"]
    assert near.indexed is not None and near.indexed.date == "2026-11-08"
    assert verdicts["new0-copy"].indexed is None  # its representative is in the batch


def test_batches_are_checked_against_earlier_batches(tmp_path: Path) -> None:
    docs = batch()
    with Index.open(str(tmp_path / "i.sqlite")) as index:
        first = index.add(docs[:12])
        second = index.add(docs[12:])
        again = index.add(docs[:12])
    assert all(not v.is_duplicate for v in first)
    by_id = {v.id: v for v in second}
    assert by_id["new0-copy"].of == "new0" and by_id["new0-copy"].indexed is not None
    assert all(v.is_duplicate and v.indexed is not None for v in again)


@pytest.mark.parametrize("prefer", ["source", "earliest", "longest"])
def test_indexed_documents_represent_whatever_the_preference(tmp_path: Path, prefer: str) -> None:
    """A longer, later version of an indexed story is its copy under every `prefer`: the
    indexed document is pinned first, never claimed by a batch document."""
    docs = history()
    story = next(d for d in docs if d.id == "h9")
    longer = Document(id="h9-longer", text=story.text + "\n\n" + docs[20].text[:600])
    config = DedupConfig(cluster=ClusterConfig(prefer=prefer))  # type: ignore[arg-type]
    with Index.open(str(tmp_path / "i.sqlite"), config) as index:
        index.add(docs)
        (verdict,) = index.query([longer])
    assert verdict.is_duplicate and verdict.of == "h9"


def test_an_expanded_update_does_not_replace_the_indexed_story(tmp_path: Path) -> None:
    """Decisions about indexed documents never change: a later, longer version of a story
    is flagged as expanded against the indexed one, not the other way round."""
    docs = history()
    story = next(d for d in docs if d.id == "h9")
    longer = Document(id="h9-update", text=story.text + "\n\n" + history()[20].text[:600])
    with Index.open(str(tmp_path / "i.sqlite")) as index:
        index.add(docs)
        (verdict,) = index.add([longer])
        assert verdict.of == "h9"
        story_found, update_found = index.find("h9"), index.find("h9-update")
        assert story_found is not None and story_found[0].role == Settled.KEPT
        # the update is indexed too, as the copy it is
        assert update_found is not None and update_found[0].role == Settled.COPY


#: A line that 14 indexed stories end with: its sentence keys are held by more than
#: `max_key_docs` (8) documents, so in one run they pair nobody.
STOCK = (
    "Readers can follow the regional desk on every platform for continuing coverage of this"
    " developing story."
)


def _stocked(doc: Document) -> Document:
    return Document(id=doc.id, text=f"{doc.text}\n\n{STOCK}", fields=doc.fields)


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_crowded_keys_are_not_loaded_and_verdicts_equal_one_run(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """The holders of a sentence key that is crowded in the index are not loaded (the store
    names the key crowded and `finish` ignores it), yet the verdicts are the one run's."""
    location = str(tmp_path / "news.index")
    if backend == "redis":
        location = request.getfixturevalue("redis_url")
    stocked = {f"h{k}" for k in range(14)}
    docs = [_stocked(d) if d.id in stocked else d for d in history()]
    batch_docs = [_stocked(d) for d in batch()]
    lone = Document(id="lone", text=f"{make_article(2000)}\n\n{STOCK}")
    expected = _one_run(docs, [*batch_docs, lone])
    assert {k: v[1] for k, v in expected.items() if v[1]} == EXPECTED_COPIES
    with Index.open(location, EARLIEST) as index:
        index.add(docs)
        assert _against(index, [*batch_docs, lone]) == expected
        prepared = index.sketcher.prepare([lone.text])
        config = index.config
        assert config.rewrite is not None
        wanted = caps(config.max_full_run, config.rewrite.max_key_docs)
        found = index.store.candidates(key_rows(prepared), wanted, frozenset({SENTENCE}))
        # the stock line's keys (one per slot) are crowded, and nothing else is shared
        assert found.crowded_key.size == config.rewrite.keys_per_sentence
        assert found.numbers.size == 0
        assert index.check(prepared, [lone.id]).history == []
        # without skipping them, the store gives up to 9 holders of each
        found = index.store.candidates(key_rows(prepared), wanted, frozenset())
        assert found.crowded_key.size == 0 and found.numbers.size == wanted[SENTENCE]


def test_loading_the_history_in_chunks_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The indexed documents are loaded and decoded a chunk at a time (memory): with chunks
    of 5, the verdicts are still the one run's."""
    import cleaner.index.check as check

    docs, batch_docs = history(), batch()
    expected = _one_run(docs, batch_docs)
    monkeypatch.setattr(check, "LOAD_CHUNK", 5)
    with Index.open(str(tmp_path / "news.index"), EARLIEST) as index:
        index.add(docs)
        prepared = index.sketcher.prepare([d.text for d in batch_docs])
        loaded = index.check(prepared, [d.id for d in batch_docs]).history
        assert len(loaded) > 5 and [d.number for d in loaded] == sorted(d.number for d in loaded)
        assert _against(index, batch_docs) == expected


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def _partial_copy(source: int, fresh: int) -> str:
    """Three paragraphs of history article `source`, then three of a new article `fresh`: the
    rewrite stage (not clustering) claims it as a partial copy of the source."""
    return "\n\n".join(_paragraphs(make_article(source))[:3] + _paragraphs(make_article(fresh))[:3])


def test_a_copy_the_rewrite_stage_claimed_still_claims_in_clustering(tmp_path: Path) -> None:
    """In one run, clustering decides before the rewrite stage: a history document that the
    rewrite stage claims (here a partial copy of h5) is still free in clustering, where it
    claims an excerpt of its own new part. The index holds that copy (marked as a late
    copy), so the batch's excerpt is its copy too, as in one run."""
    docs = [*history(), Document(id="h5-partial", text=_partial_copy(5, 3000))]
    excerpt = Document(id="b-of-partial", text="\n\n".join(_paragraphs(make_article(3000))[:3]))
    expected = _one_run(docs, [excerpt])
    assert expected == {"b-of-partial": (MatchKind.EXCERPT.label, "h5-partial")}
    with Index.open(str(tmp_path / "news.index"), EARLIEST) as index:
        verdicts = {v.id: v for v in index.add(docs)}
        assert (verdicts["h5-partial"].kind, verdicts["h5-partial"].of) == ("partial", "h5")
        found = index.find("h5-partial")
        assert found is not None and found[0].role == Settled.LATE_COPY
        assert _against(index, [excerpt]) == expected


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_a_key_crowded_only_with_the_copies_is_crowded_in_the_index(
    tmp_path: Path, backend: str, request: pytest.FixtureRequest
) -> None:
    """A stock line held by 6 history articles and 3 partial copies of others: 9 holders
    in one run (the rewrite stage's copies are candidates there), so its keys pair nobody.
    The index holds the copies too: the key is crowded there as well, and the batch's
    verdicts are the one run's."""
    location = str(tmp_path / "news.index")
    if backend == "redis":
        location = request.getfixturevalue("redis_url")
    stocked = {f"h{k}" for k in range(10, 16)}
    docs = [_stocked(d) if d.id in stocked else d for d in history()]
    partials = [
        Document(id=f"h{k}-partial", text=f"{_partial_copy(k, 3000 + k)}\n\n{STOCK}")
        for k in (16, 17, 19)
    ]
    docs += partials
    batch_docs = [_stocked(d) for d in batch()]
    lone = Document(id="lone", text=f"{make_article(2000)}\n\n{STOCK}")
    expected = _one_run(docs, [*batch_docs, lone])
    with Index.open(location, EARLIEST) as index:
        index.add(docs)
        roles = {doc.id: doc.role for doc, _ in index.store.documents()}
        assert all(roles[d.id] == Settled.LATE_COPY for d in partials)
        config = index.config
        assert config.rewrite is not None
        prepared = index.sketcher.prepare([lone.text])
        wanted = caps(config.max_full_run, config.rewrite.max_key_docs)
        found = index.store.candidates(key_rows(prepared), wanted, frozenset({SENTENCE}))
        assert found.crowded_key.size == config.rewrite.keys_per_sentence
        assert _against(index, [*batch_docs, lone]) == expected
