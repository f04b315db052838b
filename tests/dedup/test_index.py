"""NearDupIndex end to end: batches in, verified chain-free clusters out."""

from __future__ import annotations

import pickle
from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest

from cleaner.dedup.cluster import ClusterConfig, MatchKind
from cleaner.dedup.index import (
    DedupConfig,
    DedupResult,
    NearDupIndex,
    PreparedSketches,
    Sketcher,
)
from cleaner.dedup.minhash import MinHashSigner
from cleaner.dedup.rewrite import RewriteConfig
from cleaner.errors import ConfigError

from .test_rewrite import _rewrite_heavy
from .textgen import ArticleMaker

REWRITE_MODES = [
    pytest.param(DedupConfig(), id="rewrite"),
    pytest.param(DedupConfig(rewrite=None), id="no-rewrite"),
]


def _corpus(article: ArticleMaker) -> tuple[list[str], list[str]]:
    """20 unrelated articles plus planted copies, with what each copy should be."""
    texts = [article(seed, 350) for seed in range(20)]
    words = texts[3].split(" ")
    planted = {
        "normalized": texts[1].replace("\n\n", "\n").upper(),
        "near": texts[2].replace(words[0], "Breaking", 1) + " Reporting by our staff.",
        "excerpt": " ".join(words[: len(words) // 2]),
    }
    return [*texts, *planted.values()], list(planted)


def test_finds_planted_duplicates(article: ArticleMaker) -> None:
    texts, kinds = _corpus(article)
    ids = [f"doc-{i}" for i in range(len(texts))]
    index = NearDupIndex()
    index.add(texts, ids)
    result = index.finish()
    assert result.ids == tuple(ids)
    found = result.duplicates()
    # The near copy (a credit line added) contains the original, so it represents; the
    # normalized copy has the same text as doc-1, and the smaller id represents.
    assert found == [
        ("doc-2", "doc-21", "near"),
        ("doc-20", "doc-1", "normalized"),
        ("doc-22", "doc-3", "excerpt"),
    ]
    assert kinds == ["normalized", "near", "excerpt"]
    assert result.stats.duplicates == 3 and result.stats.clusters_with_duplicates == 3
    assert result.annotation(20) == {
        "cluster": 1,
        "kind": "normalized",
        "representative": "doc-1",
        "similarity": 1.0,
        "containment": 1.0,
    }
    assert result.annotation(0)["kind"] == "unique"
    assert result.annotation(1)["kind"] == "representative"


def test_batches_equal_one_batch(article: ArticleMaker) -> None:
    texts, _ = _corpus(article)
    whole = NearDupIndex()
    whole.add(texts)
    pieces = NearDupIndex()
    for start in range(0, len(texts), 7):
        pieces.add(texts[start : start + 7])
    a, b = whole.finish().assignments, pieces.finish().assignments
    for name in ("cluster", "representative", "similarity", "containment", "kind"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_deterministic(article: ArticleMaker) -> None:
    texts, _ = _corpus(article)
    runs = []
    for _ in range(2):
        index = NearDupIndex()
        index.add(texts)
        runs.append(index.finish())
    for name in ("cluster", "representative", "similarity", "containment", "kind"):
        assert np.array_equal(
            getattr(runs[0].assignments, name), getattr(runs[1].assignments, name)
        )
    assert runs[0].stats == runs[1].stats


def test_precomputed_sketches(article: ArticleMaker) -> None:
    texts, _ = _corpus(article)
    config = DedupConfig()
    signer = MinHashSigner(num_perm=config.num_perm, seed=config.seed)
    signatures, sets = signer.sketch(texts)
    index = NearDupIndex(config)
    sentences = config.rewrite.sketcher().sketch(texts) if config.rewrite else None
    index.add_sketches(signatures, sets, sentences=sentences)
    direct = NearDupIndex(config)
    direct.add(texts)
    assert np.array_equal(index.finish().assignments.kind, direct.finish().assignments.kind)
    with pytest.raises(ValueError, match="num_perm"):
        index.add_sketches(signatures[:, :10], sets)


def test_empty_documents_never_match(article: ArticleMaker) -> None:
    index = NearDupIndex()
    index.add(["", "...", article(1, 100), "", "!!!"])
    result = index.finish()
    assert [result.assignments.kind_of(i) for i in range(5)] == [
        MatchKind.EMPTY,
        MatchKind.EMPTY,
        MatchKind.UNIQUE,
        MatchKind.EMPTY,
        MatchKind.EMPTY,
    ]
    assert result.assignments.representative.tolist() == [0, 1, 2, 3, 4]
    assert result.stats.empty == 4 and result.stats.duplicates == 0


def test_mass_boilerplate_is_linear_and_clusters_to_first(article: ArticleMaker) -> None:
    """3,000 copies of one page: every band key is shared, yet pairs stay ~linear."""
    page = "Page not found. The page you requested does not exist on this server anymore."
    texts = [article(1, 200), *([page] * 3000)]
    index = NearDupIndex()
    index.add(texts)
    result = index.finish()
    assert result.stats.candidate_pairs <= 4 * len(texts)
    assert (result.assignments.representative[1:] == 1).all()
    assert result.assignments.kind_of(2) is MatchKind.NORMALIZED


def test_longest_preference(article: ArticleMaker) -> None:
    full = article(4, 400)
    short = " ".join(full.split(" ")[:300])
    config = DedupConfig(cluster=ClusterConfig(prefer="longest"))
    index = NearDupIndex(config)
    index.add([short, full], ["short", "full"])
    assert index.finish().duplicates() == [("short", "full", "excerpt")]


def test_memory_is_compact(article: ArticleMaker) -> None:
    texts = [article(seed, 400) for seed in range(50)]
    near = NearDupIndex(DedupConfig(rewrite=None))
    near.add(texts)
    text_bytes = sum(len(t.encode()) for t in texts)
    assert near.nbytes < text_bytes  # shingle hashes + band keys, no texts, no signatures
    index = NearDupIndex()
    index.add(texts)
    # Rewrite mode adds sentence sketches: 4 bytes per content word (every word here, the
    # generated vocabulary has no stopwords) and 2 per sentence, and 16 bytes of candidate
    # keys per sentence.
    assert index.nbytes - near.nbytes < 0.85 * text_bytes


def test_config_validation() -> None:
    with pytest.raises(ConfigError, match="above the match threshold"):
        DedupConfig(lsh_threshold=0.9)
    with pytest.raises(ConfigError):
        DedupConfig(bands=10)
    with pytest.raises(ConfigError):
        DedupConfig(bands=20, rows=10)
    assert NearDupIndex(DedupConfig(bands=16, rows=8)).bands == 16
    with pytest.raises(ValueError, match="ids"):
        NearDupIndex().add(["a", "b"], ["only-one"])


# Prepared sketches: the per-document half of `add`, run anywhere, appended as is


def _mixed_texts(article: ArticleMaker) -> list[str]:
    """Exact, near and excerpt copies (`_corpus`) and rewrites (`_rewrite_heavy`)."""
    texts, _ = _corpus(article)
    return [*texts, *_rewrite_heavy(article)]


def _assert_same_result(a: DedupResult, b: DedupResult) -> None:
    assert list(a.ids) == list(b.ids)
    for name in ("cluster", "representative", "similarity", "containment", "kind"):
        x, y = getattr(a.assignments, name), getattr(b.assignments, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    if a.aligned is None or b.aligned is None:
        assert a.aligned is None and b.aligned is None
    else:
        assert np.array_equal(a.aligned, b.aligned)
    assert a.stats == b.stats


def _assert_same_prepared(a: PreparedSketches, b: PreparedSketches) -> None:
    assert len(a) == len(b)
    assert a.band_keys.dtype == b.band_keys.dtype == np.uint64
    assert a.band_keys.shape == b.band_keys.shape and np.array_equal(a.band_keys, b.band_keys)
    for name in ("hashes", "offsets", "text_hashes"):
        x, y = getattr(a.sets, name), getattr(b.sets, name)
        assert x.dtype == y.dtype and x.tolist() == y.tolist(), name
    if a.sentences is None or b.sentences is None:
        assert a.sentences is None and b.sentences is None
        assert a.sentence_keys is None and b.sentence_keys is None
        return
    for name in ("hashes", "sentence_sizes", "doc_offsets"):
        x, y = np.asarray(getattr(a.sentences, name)), np.asarray(getattr(b.sentences, name))
        assert x.dtype == y.dtype and x.tolist() == y.tolist(), name
    assert a.sentence_keys is not None and b.sentence_keys is not None
    assert a.sentence_keys.dtype == b.sentence_keys.dtype == np.uint32
    assert a.sentence_keys.shape == b.sentence_keys.shape
    assert np.array_equal(a.sentence_keys, b.sentence_keys)


@pytest.mark.parametrize("config", REWRITE_MODES)
def test_add_prepared_equals_add(config: DedupConfig, article: ArticleMaker) -> None:
    texts = _mixed_texts(article)
    ids = [f"doc-{i}" for i in range(len(texts))]
    direct = NearDupIndex(config)
    direct.add(texts, ids)
    expected = direct.finish()
    counts = expected.assignments.counts()
    assert counts["normalized"] >= 2 and counts["near"] >= 2 and counts["excerpt"] >= 2
    assert counts["rewrite"] == (8 if config.rewrite else 0)

    sketcher = Sketcher(config)  # not the index's own
    prepared = NearDupIndex(config)
    bounds = [0, 1, 1, 8, 11, 30, 31, len(texts)]  # uneven, with an empty batch
    for lo, hi in pairwise(bounds):
        batch = sketcher.prepare(texts[lo:hi])
        assert len(batch) == hi - lo
        batch = pickle.loads(pickle.dumps(batch))  # as if from a map worker
        prepared.add_prepared(batch, ids[lo:hi])
    _assert_same_result(expected, prepared.finish())

    # Mixed with `add`, and without ids (positions).
    mixed = NearDupIndex(config)
    mixed.add(texts[:13])
    mixed.add_prepared(sketcher.prepare(texts[13:]))
    plain = NearDupIndex(config)
    plain.add(texts)
    _assert_same_result(plain.finish(), mixed.finish())


@pytest.mark.parametrize("config", REWRITE_MODES)
def test_take_equals_prepare_of_the_rows(config: DedupConfig, article: ArticleMaker) -> None:
    texts = _mixed_texts(article)
    sketcher = Sketcher(replace(config, chunk_chars=3000))
    assert len(sketcher.signer.chunks(texts)) > 10  # several chunks, joined by `prepare`
    whole = sketcher.prepare(texts)
    assert len(whole) == len(texts)
    _assert_same_prepared(whole, Sketcher(config).prepare(texts))  # chunking changes nothing
    n = len(texts)
    for rows in (
        [],
        [0],
        [n - 2],  # the empty document
        [2, 5, 21, 22, 30, 44, n - 1],  # ascending, non-contiguous, across chunks
        list(range(n)),
        [n - 1, 3, 3, 40, 0],  # unordered and repeated
    ):
        taken = whole.take(np.array(rows, dtype=np.int64))
        _assert_same_prepared(taken, sketcher.prepare([texts[r] for r in rows]))


@pytest.mark.parametrize("config", REWRITE_MODES)
def test_add_prepared_of_taken_rows(config: DedupConfig, article: ArticleMaker) -> None:
    """Sketch once, then index the documents in another order: same as adding the texts."""
    texts = _mixed_texts(article)
    whole = Sketcher(config).prepare(texts)
    rows = np.random.default_rng(2).permutation(len(texts))
    by_take = NearDupIndex(config)
    for part in np.array_split(rows, 4):
        by_take.add_prepared(whole.take(part), [f"t{r}" for r in part.tolist()])
    direct = NearDupIndex(config)
    direct.add([texts[r] for r in rows.tolist()], [f"t{r}" for r in rows.tolist()])
    _assert_same_result(direct.finish(), by_take.finish())


def test_add_prepared_rejects_other_configs(article: ArticleMaker) -> None:
    texts = [article(seed, 120) for seed in range(4)]
    texts.append(texts[0].upper())
    for config in (DedupConfig(), DedupConfig(rewrite=None)):
        index = NearDupIndex(config)
        index.add(texts)
        before = index.finish()
        other_bands = replace(config, bands=16, rows=8)
        assert Sketcher(other_bands).bands != index.bands
        with pytest.raises(ValueError, match="bands"):
            index.add_prepared(Sketcher(other_bands).prepare(texts))
        other_mode = replace(config, rewrite=None if config.rewrite else RewriteConfig())
        with pytest.raises(ValueError, match="rewrite stage"):
            index.add_prepared(Sketcher(other_mode).prepare(texts))
        disabled = replace(config, rewrite=RewriteConfig(enabled=False))
        if config.rewrite is not None:
            with pytest.raises(ValueError, match="rewrite stage"):
                index.add_prepared(Sketcher(disabled).prepare(texts))
        else:  # a disabled stage prepares like no stage
            _assert_same_prepared(Sketcher(disabled).prepare(texts), index.sketcher.prepare(texts))
        with pytest.raises(ValueError, match="ids"):
            index.add_prepared(Sketcher(config).prepare(texts), ["just-one"])
        # Rejected batches leave nothing behind.
        assert len(index) == len(texts)
        _assert_same_result(before, index.finish())


@pytest.mark.parametrize("broken", ["no-keys", "other-keys-per-sentence"])
def test_rejected_rewrite_batch_leaves_index_unchanged(broken: str, article: ArticleMaker) -> None:
    texts = [article(seed, 120) for seed in range(4)]
    index = NearDupIndex()
    index.add(texts)
    before = index.finish()
    if broken == "no-keys":
        prepared = replace(index.sketcher.prepare(texts), sentence_keys=None)
    else:
        other = DedupConfig(rewrite=RewriteConfig(keys_per_sentence=3))
        prepared = Sketcher(other).prepare(texts)
    with pytest.raises(ValueError):
        index.add_prepared(prepared)
    assert len(index) == len(texts)
    _assert_same_result(before, index.finish())


@pytest.mark.parametrize(
    "other", [DedupConfig(seed=7), DedupConfig(bands=23, rows=2), DedupConfig(num_perm=64)]
)
def test_sketches_made_with_other_settings_are_refused(
    other: DedupConfig, article: ArticleMaker
) -> None:
    texts = [article(seed, 120) for seed in range(3)]
    index = NearDupIndex()
    with pytest.raises(ValueError):
        index.add_prepared(Sketcher(other).prepare(texts))
    assert len(index) == 0
