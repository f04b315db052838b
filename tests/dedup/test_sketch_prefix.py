"""Only a bounded prefix of each document is sketched: memory per document stays bounded."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.dedup.index import SKETCH_PREFIX_CHARS, DedupConfig, NearDupIndex, Sketcher
from cleaner.errors import ConfigError
from cleaner.processors.dedup import Dedup

from .textgen import ArticleMaker


def test_the_default_prefix_is_shared_by_the_processor_and_the_index() -> None:
    assert Dedup.Options().max_sketch_chars == SKETCH_PREFIX_CHARS == 1_000_000
    assert DedupConfig().max_chars == SKETCH_PREFIX_CHARS
    assert Dedup.Options(max_sketch_chars=500).dedup_config().max_chars == 500
    with pytest.raises(ConfigError, match="max_chars"):
        DedupConfig(max_chars=0)


@pytest.mark.parametrize("rewrite", [True, False])
def test_a_long_document_is_sketched_by_its_prefix(article: ArticleMaker, rewrite: bool) -> None:
    text = article(1, 400)
    config = (
        DedupConfig(max_chars=len(text))
        if rewrite
        else DedupConfig(max_chars=len(text), rewrite=None)
    )
    sketcher = Sketcher(config)
    tails = text + " " + article(2, 3000)
    long, short = sketcher.prepare([tails]), sketcher.prepare([text])
    assert np.array_equal(long.band_keys, short.band_keys)
    assert np.array_equal(long.sets.hashes, short.sets.hashes)
    assert np.array_equal(long.sets.text_hashes, short.sets.text_hashes)


def test_documents_within_the_prefix_are_sketched_whole(article: ArticleMaker) -> None:
    texts = [article(seed, 300) for seed in range(5)]
    bounded = Sketcher(DedupConfig(max_chars=max(map(len, texts)))).prepare(texts)
    whole = Sketcher(DedupConfig(max_chars=10**9)).prepare(texts)
    assert np.array_equal(bounded.band_keys, whole.band_keys)
    assert np.array_equal(bounded.sets.hashes, whole.sets.hashes)


def test_copies_differing_only_after_the_prefix_are_exact_copies(article: ArticleMaker) -> None:
    head = article(3, 300)
    with NearDupIndex(DedupConfig(max_chars=len(head))) as index:
        index.add([head + " first ending.", head + " a different ending entirely."], ["a", "b"])
        result = index.finish()
    assert result.duplicates() == [("b", "a", "normalized")]
