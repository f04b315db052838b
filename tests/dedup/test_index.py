"""NearDupIndex end to end: batches in, verified chain-free clusters out."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.dedup.cluster import ClusterConfig, MatchKind
from cleaner.dedup.index import DedupConfig, NearDupIndex
from cleaner.dedup.minhash import MinHashSigner
from cleaner.errors import ConfigError

from .textgen import ArticleMaker


def _corpus(article: ArticleMaker) -> tuple[list[str], list[str]]:
    """20 unrelated articles plus planted copies, with what each copy should be."""
    texts = [article(seed, 350) for seed in range(20)]
    words = texts[3].split(" ")
    planted = {
        "exact": texts[1].replace("\n\n", "\n").upper(),
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
    assert found == [
        ("doc-20", "doc-1", "exact"),
        ("doc-21", "doc-2", "near"),
        ("doc-22", "doc-3", "excerpt"),
    ]
    assert kinds == ["exact", "near", "excerpt"]
    assert result.stats.duplicates == 3 and result.stats.clusters_with_duplicates == 3
    assert result.annotation(20) == {
        "cluster": 1,
        "kind": "exact",
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
    assert result.assignments.kind_of(2) is MatchKind.EXACT


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
    # generated vocabulary has no stopwords) and 2 per sentence.
    assert index.nbytes - near.nbytes < 0.75 * text_bytes


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
