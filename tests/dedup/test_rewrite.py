"""Rewrite mode: sentence sketches, sentence alignment, the same-topic guard, the seed cases."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import cleaner.dedup.rewrite as rewrite_module
from cleaner.dedup.cluster import MatchKind
from cleaner.dedup.hashing import hash32_bytes
from cleaner.dedup.index import DedupConfig, NearDupIndex
from cleaner.dedup.minhash import MinHashSigner
from cleaner.dedup.normalization import normalize, normalize_batch
from cleaner.dedup.rewrite import (
    Alignment,
    RewriteConfig,
    align_pairs,
    excerpt_candidates,
    rewrite_candidates,
    sentence_keys,
)
from cleaner.dedup.sentences import (
    ENGLISH_STOPWORDS,
    SentenceSketcher,
    SentenceSketches,
    SentenceStore,
    split_sentences,
)
from cleaner.errors import ConfigError
from cleaner.run import pool as pool_module
from cleaner.run.pool import ProcessMap

from .textgen import ArticleMaker

ROOT = Path(__file__).resolve().parents[2]
REWRITE = DedupConfig(rewrite=RewriteConfig())
NEAR_ONLY = DedupConfig(rewrite=None)


def _seed(prefix: str) -> str:
    [path] = (ROOT / "seeds").glob(f"{prefix}_*.txt")
    return path.read_text("utf-8")


def _run(config: DedupConfig, texts: list[str], ids: list[str] | None = None) -> NearDupIndex:
    index = NearDupIndex(config)
    index.add(texts, ids)
    return index


def _edit_words(sentence: str, every: int, offset: int, tag: str) -> str:
    """Replace every `every`-th word (from `offset`) with a new word: a stand-in synonym."""
    words = sentence.split(" ")
    for k in range(offset, len(words), every):
        words[k] = f"{tag}{k}"
    return " ".join(words)


def _spin(text: str, every: int, offset: int, tag: str, *, reverse: bool = False) -> str:
    """`text` with words swapped in every sentence (and the sentence order reversed)."""
    sentences = [_edit_words(s, every, offset, tag) for s in split_sentences(text)]
    return _join(sentences[::-1] if reverse else sentences)


def _join(sentences: list[str]) -> str:
    return ". ".join(sentences) + "."


def _rewrite_heavy(article: ArticleMaker) -> list[str]:
    """12 articles, then: 6 spun copies (some reordered), a doubly spun one, an exact copy,
    a near copy, an excerpt, a spun excerpt, a spun copy of a spun copy reversed (must not chain:
    against the original, half its words are swapped and its order is lost),
    an empty document and one without sketched sentences."""
    base = [article(seed, 220) for seed in range(40, 52)]
    texts = list(base)
    for i in range(6):
        texts.append(_spin(base[i], 4 + i % 2, 1 + i % 3, f"s{i}x", reverse=i % 2 == 1))
    texts.append(_spin(_spin(base[6], 5, 1, "aa"), 5, 3, "bb"))
    texts.append(base[7].upper())
    texts.append(base[8].replace(".", ";", 1) + " Reporting by staff.")
    texts.append(_join(split_sentences(base[9])[:8]))
    texts.append(_spin(_join(split_sentences(base[10])[2:]), 5, 2, "ex"))
    texts.append(_spin(texts[12], 4, 3, "again", reverse=True))
    return [*texts, "", "Too short."]


def _assert_same_alignment(a: Alignment, b: Alignment) -> None:
    for f in fields(Alignment):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert x.dtype == y.dtype and np.array_equal(x, y), f.name


# Sentences and sketches


def test_split_sentences() -> None:
    text = 'He said "no." Then Mr. Smith left! Really? yes.\nA new line\u3002\u4e2d\u6587'
    assert split_sentences(text) == [
        'He said "no',
        "Then Mr",
        "Smith left",
        "Really? yes",
        "A new line",
        "\u4e2d\u6587",
    ]
    assert split_sentences("") == [] and split_sentences("\n\n ") == []


def test_stopwords_are_normalised() -> None:
    assert all(normalize(w) == w for w in ENGLISH_STOPWORDS)


def test_sketch_keeps_content_words_and_numbers() -> None:
    text = (
        "The army said it lost 42 tanks. It was bad.\nShare this article\nTanks: 43 lost overnight."
    )
    sketches = SentenceSketcher().sketch([text])
    words = {hash32_bytes(w): w for w in ("army", "lost", "42", "43", "tanks", "overnight", "bad")}
    found = [sorted(words[h] for h in s.tolist()) for s in sketches.sentences(0)]
    # "It was bad." and "Share this article" have < 3 content words; numbers stay distinct.
    assert found == [["42", "army", "lost", "tanks"], ["43", "lost", "overnight", "tanks"]]
    assert normalize_batch(["won 3-1"], fold_digits=False).text(0) == "won 3 1"
    assert normalize("won 3-1") == "won 0 0"


def test_sketch_batches_and_empty_documents(article: ArticleMaker) -> None:
    texts = [article(seed, 120) for seed in range(6)] + ["", "...", "Too short."]
    sketcher = SentenceSketcher()
    whole = sketcher.sketch(texts)
    pieces = SentenceSketches.concat([sketcher.sketch(texts[:4]), sketcher.sketch(texts[4:])])
    small = SentenceSketcher(chunk_chars=500).sketch(texts)
    for other in (pieces, small):
        assert np.array_equal(whole.sentence_sizes, other.sentence_sizes)
        assert np.array_equal(whole.doc_offsets, other.doc_offsets)
        assert np.array_equal(np.asarray(whole.hashes), np.asarray(other.hashes))
    assert whole.sentence_counts()[-3:].tolist() == [0, 0, 0]
    for i in range(len(texts)):
        for sentence in whole.sentences(i):
            assert sentence.size >= 3 and np.all(np.diff(sentence.astype(np.int64)) > 0)


# Precomputed sentence keys


def test_sentence_keys_depend_on_the_sentence_alone(article: ArticleMaker) -> None:
    texts = _rewrite_heavy(article)
    config = RewriteConfig()
    sketcher = config.sketcher()
    sketches = sketcher.sketch(texts)
    keys = sentence_keys(sketches, config)
    n_sentences = int(sketches.doc_offsets[-1])
    assert keys.shape == (config.keys_per_sentence, n_sentences) and keys.dtype == np.uint32
    # Batch by batch, or from a store (spilled to a file), the keys are the same.
    parts = [sentence_keys(sketcher.sketch(texts[lo : lo + 5]), config) for lo in range(0, 26, 5)]
    assert np.array_equal(np.concatenate(parts, axis=1), keys)
    store = SentenceStore(spill_bytes=0)
    store.append(sketches)
    assert store.disk_bytes > 0
    assert np.array_equal(sentence_keys(store.sketches(), config), keys)
    store.close()
    # Other seeds and key sizes give other keys.
    other = sentence_keys(sketches, RewriteConfig(seed=2))
    assert np.mean(other == keys) < 0.01
    empty = sentence_keys(SentenceSketches.concat([]), config)
    assert empty.shape == (config.keys_per_sentence, 0)


@pytest.mark.parametrize("subset", [False, True])
def test_candidates_from_precomputed_keys(subset: bool, article: ArticleMaker) -> None:
    texts = _rewrite_heavy(article)
    config = RewriteConfig()
    sketches = config.sketcher().sketch(texts)
    members = np.arange(len(texts), dtype=np.int64)
    if subset:  # in preference order, not sorted, as `claim_rewrites` passes them
        members = np.random.default_rng(5).permutation(members)[:15]
        assert not np.array_equal(np.sort(members), members)
    keys = sentence_keys(sketches, config)
    expected_pairs, expected_shared = rewrite_candidates(sketches, members, config)
    assert expected_pairs.shape[0] >= (3 if subset else 8)
    assert np.isin(expected_pairs, members).all()
    runs = [
        rewrite_candidates(sketches, members, config, keys=list(keys)),
        # One array per slot, as the index passes them (`AppendArray` views).
        rewrite_candidates(sketches, members, config, keys=[k.copy() for k in keys]),
        rewrite_candidates(sketches, members, config, chunk_words=60),
    ]
    for pairs, shared in runs:
        assert pairs.dtype == expected_pairs.dtype and shared.dtype == expected_shared.dtype
        assert pairs.tolist() == expected_pairs.tolist()
        assert shared.tolist() == expected_shared.tolist()
    # The keys given are the ones used: one key everywhere is a stock sentence, no pair.
    pairs, _ = rewrite_candidates(sketches, members, config, keys=list(np.zeros_like(keys)))
    assert pairs.shape == (0, 2)


def test_excerpt_candidates_pair_an_excerpt_with_its_source_only(article: ArticleMaker) -> None:
    """A passage copied whole, inside its source or a longer story, is paired with it; two
    stories that share two sentences of ten are not (`rewrite_candidates` pairs those)."""
    source = article(21, 400)
    sentences = split_sentences(source)
    excerpt = _join(sentences[3:9])
    story = _join([*sentences[10:12], *split_sentences(article(22, 200))])
    other = article(23, 300)
    texts = [source, excerpt, story, other]
    config = RewriteConfig()
    sketches = config.sketcher().sketch(texts)
    members = np.arange(len(texts), dtype=np.int64)
    keys = sentence_keys(sketches, config)
    pairs = excerpt_candidates(sketches, members, config, keys=list(keys))
    assert pairs.tolist() == [[0, 1]]
    assert excerpt_candidates(sketches, members, config).tolist() == [[0, 1]]
    assert [0, 2] in rewrite_candidates(sketches, members, config)[0].tolist()
    # Not a member, no pair; keys known to be crowded elsewhere pair nobody.
    assert excerpt_candidates(sketches, members[1:], config).shape == (0, 2)
    crowded = [np.unique(k) for k in keys]
    assert excerpt_candidates(
        sketches, members, config, keys=list(keys), crowded=crowded
    ).shape == (0, 2)


# Alignment and the guard


def test_alignment_survives_reordering_and_swaps(article: ArticleMaker) -> None:
    original = article(1, 300)
    spun = _spin(original, 5, 1, "syn", reverse=True)
    other = article(2, 300)
    config = RewriteConfig()
    sketches = config.sketcher().sketch([original, spun, other])
    alignment = align_pairs(sketches, np.array([[0, 1], [0, 2]]), config)
    assert alignment.share[0] == 1.0 and alignment.share[1] == 0.0
    assert alignment.is_rewrite(config).tolist() == [True, False]
    # Two edits in five words: sentences of ~10 content words keep Jaccard ~0.4-0.5.
    heavier = _spin(_spin(original, 5, 1, "a"), 5, 3, "b")
    sketches = config.sketcher().sketch([original, heavier])
    share = align_pairs(sketches, np.array([[0, 1]]), config).share[0]
    assert 0.0 < share < 1.0


def test_excerpt_aligns_with_its_source(article: ArticleMaker) -> None:
    original = article(3, 400)
    excerpt = _join(split_sentences(original)[:6])
    config = RewriteConfig()
    sketches = config.sketcher().sketch([original, excerpt])
    alignment = align_pairs(sketches, np.array([[0, 1]]), config)
    assert alignment.shorter_sentences[0] == 6 and alignment.share[0] == 1.0


def test_candidates_skip_stock_sentences(article: ArticleMaker) -> None:
    """A sentence in more than `max_key_docs` documents (boilerplate) pairs nobody."""
    stock = "Sign up for our daily newsletter and follow the latest stories today."
    texts = [f"{article(seed, 60)}\n{stock}\n{stock.replace('today', 'now')}" for seed in range(20)]
    config = RewriteConfig(max_key_docs=16)
    sketches = config.sketcher().sketch(texts)
    pairs, _ = rewrite_candidates(sketches, np.arange(len(texts)), config)
    assert pairs.shape == (0, 2)
    pairs, shared = rewrite_candidates(
        sketches, np.arange(len(texts)), RewriteConfig(max_key_docs=20)
    )
    assert pairs.shape[0] == 20 * 19 // 2 and shared.min() >= 2


def test_seed_003_004_same_topic_never_flagged() -> None:
    """Both about a Milley-Gerasimov call, different events: no mode may join them."""
    texts = [_seed("003"), _seed("004")]
    config = RewriteConfig()
    sketches = config.sketcher().sketch(texts)
    assert align_pairs(sketches, np.array([[0, 1]]), config).share[0] < 0.2
    for mode in (NEAR_ONLY, REWRITE):
        result = _run(mode, texts, ["003", "004"]).finish()
        assert result.duplicates() == []
        assert result.assignments.kind.tolist() == [MatchKind.UNIQUE, MatchKind.UNIQUE]


def test_seed_000_spun_rewrite_is_flagged() -> None:
    case = ROOT / "fixtures" / "dedup_seed000_spun"
    texts = [(case / name).read_text("utf-8") for name in ("a.txt", "b.txt")]
    assert texts[0] == _seed("000")
    assert _run(NEAR_ONLY, texts, ["a", "b"]).finish().duplicates() == []
    result = _run(REWRITE, texts, ["a", "b"]).finish()
    assert result.duplicates() == [("b", "a", "rewrite")]
    note = result.annotation(1)
    assert note["kind"] == "rewrite" and note["aligned"] >= 0.6
    assert note["similarity"] < 0.5  # word 5-grams alone would not find it
    assert "aligned" not in result.annotation(0)
    assert result.stats.rewrite_candidate_pairs == 1 and result.stats.duplicates == 1


# The stage inside the index


def test_rewrites_join_only_their_representative(article: ArticleMaker) -> None:
    """A ~ B (rewrite) and B ~ C (rewrite) but A !~ C: C does not chain into A's cluster.

    C is B respun and reversed: against A, half its words are swapped and the sentence
    order is lost, so neither guard holds (in A's order, the ordered guard would find it).
    """
    a = article(5, 300)
    b = _spin(a, 4, 1, "bb")
    c = _spin(b, 4, 3, "cc", reverse=True)
    config = RewriteConfig()
    sketches = config.sketcher().sketch([a, b, c])
    ok = align_pairs(sketches, np.array([[0, 1], [1, 2], [0, 2]]), config).is_rewrite(config)
    assert ok.tolist() == [True, True, False]
    result = _run(REWRITE, [a, b, c, article(6, 300)], ["a", "b", "c", "d"]).finish()
    # b joins one of them (c, preferred by length and text: none contains the others), never
    # both: a stays apart, alone.
    assert result.duplicates() == [("b", "c", "rewrite")]
    assert result.assignments.kind_of(0) is MatchKind.UNIQUE
    assert result.assignments.kind_of(2) is MatchKind.REPRESENTATIVE
    assert result.assignments.cluster.tolist() == [0, 1, 1, 2]


def test_near_copies_keep_their_kind(article: ArticleMaker) -> None:
    a = article(7, 300)
    near = a.replace(".", ";", 1) + " Reporting by staff."
    spun = _spin(a, 5, 2, "x")
    kinds = [
        _run(config, [a, near, spun]).finish().assignments.kind.tolist()
        for config in (NEAR_ONLY, REWRITE)
    ]
    # The near copy (a credit line added) contains the original: it represents.
    assert kinds[0] == [MatchKind.NEAR, MatchKind.REPRESENTATIVE, MatchKind.UNIQUE]
    assert kinds[1] == [MatchKind.NEAR, MatchKind.REPRESENTATIVE, MatchKind.REWRITE]


def test_deterministic_and_batch_independent(article: ArticleMaker) -> None:
    base = [article(seed, 200) for seed in range(8)]
    spun = [_spin(t, 5, 1, "z") for t in base[:4]]
    texts = [*base, *spun]
    whole = _run(REWRITE, texts).finish()
    again = _run(REWRITE, texts).finish()
    pieces = NearDupIndex(REWRITE)
    for start in range(0, len(texts), 3):
        pieces.add(texts[start : start + 3])
    split = pieces.finish()
    for other in (again, split):
        for name in ("cluster", "representative", "similarity", "containment", "kind"):
            assert np.array_equal(
                getattr(whole.assignments, name), getattr(other.assignments, name)
            )
        assert other.aligned is not None and whole.aligned is not None
        assert np.array_equal(whole.aligned, other.aligned)
    assert whole.assignments.counts()["rewrite"] == 4


def test_disabled_and_sketch_requirements(article: ArticleMaker) -> None:
    a = article(8, 200)
    spun = _spin(a, 5, 1, "q")
    for config in (NEAR_ONLY, DedupConfig(rewrite=RewriteConfig(enabled=False))):
        index = _run(config, [a, spun])
        assert index.finish().duplicates() == [] and index.finish().aligned is None
    assert DedupConfig().rewrite == RewriteConfig()  # on by default (see `rewrite`)
    index = NearDupIndex(REWRITE)
    signer = MinHashSigner(num_perm=REWRITE.num_perm, seed=REWRITE.seed)
    signatures, sets = signer.sketch([a, spun])
    with pytest.raises(ValueError, match="sentence sketches"):
        index.add_sketches(signatures, sets)
    assert REWRITE.rewrite is not None
    sentences = REWRITE.rewrite.sketcher().sketch([a, spun])
    index.add_sketches(signatures, sets, sentences=sentences)
    assert index.finish().duplicates() == [("1", "0", "rewrite")]


# Alignment on the runner's worker processes


class RecordingMap:
    """A `ProcessMap` that records how many batches each call maps."""

    def __init__(self, jobs: int) -> None:
        self.inner = ProcessMap(jobs, stage="rewrite alignment")
        self.calls: list[int] = []

    def __call__(self, function: Any, state: Any, tasks: Iterable[Any]) -> Iterator[Any]:
        tasks = list(tasks)
        self.calls.append(len(tasks))
        return self.inner(function, state, tasks)


@pytest.fixture
def fork_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Records the number of workers of every process pool the runner's pool module starts."""
    calls: list[int] = []
    started = pool_module.worker_pool

    def spy(state: object, jobs: int, **kwargs: Any) -> Any:
        calls.append(jobs)
        return started(state, jobs, **kwargs)

    monkeypatch.setattr(pool_module, "worker_pool", spy)
    return calls


@pytest.mark.parametrize("spilled", [False, True])
def test_align_pairs_workers_equal_one_worker(
    spilled: bool, article: ArticleMaker, fork_calls: list[int]
) -> None:
    texts = _rewrite_heavy(article)
    config = RewriteConfig()
    sketches = config.sketcher().sketch(texts)
    store = SentenceStore(spill_bytes=0 if spilled else None)
    if spilled:
        store.append(sketches)
        sketches = store.sketches()
    rng = np.random.default_rng(1)
    candidates, _ = rewrite_candidates(sketches, np.arange(len(texts)), config)
    pairs = np.concatenate([candidates, rng.integers(0, len(texts), (40, 2))])
    single = align_pairs(sketches, pairs, config, max_elements=400)
    assert fork_calls == []
    maps = []
    for workers in (2, 3):
        maps.append(RecordingMap(workers))
        many = align_pairs(sketches, pairs, config, max_elements=400, tasks=maps[-1])
        _assert_same_alignment(single, many)
    assert fork_calls == [2, 3]  # one pool per call, of the workers asked for
    assert min(m.calls[0] for m in maps) > 10  # many batches
    # One batch: no processes; and the batch size does not change results either.
    _assert_same_alignment(single, align_pairs(sketches, pairs, config, tasks=RecordingMap(2)))
    assert fork_calls == [2, 3]
    assert single.is_rewrite(config).sum() >= 8
    store.close()


@pytest.mark.parametrize("spill_bytes", [None, 0])
def test_finish_with_workers_equals_one_worker(
    spill_bytes: int | None,
    article: ArticleMaker,
    fork_calls: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Small alignment batches, so that the workers get several.
    monkeypatch.setattr(
        rewrite_module, "align_pairs", partial(rewrite_module.align_pairs, max_elements=300)
    )
    texts = _rewrite_heavy(article)
    config = DedupConfig(spill_bytes=spill_bytes)
    index = _run(config, texts, [f"d{i}" for i in range(len(texts))])
    assert (index.disk_bytes > 0) == (spill_bytes == 0)
    one = index.finish()
    assert fork_calls == []
    alignment = RecordingMap(2)
    two = index.finish(tasks=alignment)
    assert fork_calls == [2] and alignment.calls[0] > 1
    assert list(one.ids) == list(two.ids)
    for name in ("cluster", "representative", "similarity", "containment", "kind"):
        x, y = getattr(one.assignments, name), getattr(two.assignments, name)
        assert x.dtype == y.dtype and np.array_equal(x, y), name
    assert one.aligned is not None and two.aligned is not None
    assert np.array_equal(one.aligned, two.aligned)
    assert one.stats == two.stats
    assert one.assignments.counts()["rewrite"] == 8
    index.close()


def test_config_validation() -> None:
    with pytest.raises(ConfigError, match="sentence_similarity"):
        RewriteConfig(sentence_similarity=0.0)
    with pytest.raises(ConfigError, match="aligned_share"):
        RewriteConfig(aligned_share=1.5)
    with pytest.raises(ConfigError, match="key_words"):
        RewriteConfig(key_words=4, min_sentence_words=3)
    with pytest.raises(ConfigError, match="max_key_docs"):
        RewriteConfig(max_key_docs=1)
    with pytest.raises(ConfigError, match="max_candidates"):
        RewriteConfig(max_candidates=0)


def test_crowded_keys_pair_nobody(article: ArticleMaker) -> None:
    """Keys named crowded (held by many documents not in this run: a persistent index's
    history) pair nobody, as if all their holders were here; the other keys still pair."""
    stock = "Sign up for our daily newsletter and follow the latest stories today."
    texts = [f"{article(seed, 60)}\n{stock}\n{stock.replace('today', 'now')}" for seed in range(3)]
    config = RewriteConfig()
    sketches = config.sketcher().sketch(texts)
    keys = sentence_keys(sketches, config)
    members = np.arange(len(texts), dtype=np.int64)
    pairs, _ = rewrite_candidates(sketches, members, config, keys=list(keys))
    assert pairs.shape[0] == 3  # the two stock lines pair the three documents
    stock_only = config.sketcher().sketch([f"{stock}\n{stock.replace('today', 'now')}"])
    stock_keys = sentence_keys(stock_only, config)
    crowded = [np.unique(slot) for slot in stock_keys]
    pairs, _ = rewrite_candidates(sketches, members, config, keys=list(keys), crowded=crowded)
    assert pairs.shape == (0, 2)
    # Only the stock keys are dropped: a document sharing its text with another still pairs.
    texts.append(texts[0])
    sketches = config.sketcher().sketch(texts)
    keys = sentence_keys(sketches, config)
    members = np.arange(len(texts), dtype=np.int64)
    pairs, _ = rewrite_candidates(sketches, members, config, keys=list(keys), crowded=crowded)
    assert pairs.tolist() == [[0, 3]]
    with pytest.raises(ValueError, match="crowded"):
        rewrite_candidates(sketches, members, config, crowded=crowded)
