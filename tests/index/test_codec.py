"""`codec`: every array of `PreparedSketches` survives a record round trip, per document."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.dedup.index import DedupConfig, Sketcher
from cleaner.errors import ConfigError
from cleaner.index import codec

from .corpus import make_article


@pytest.mark.parametrize("rewrite", [True, False])
def test_records_round_trip(rewrite: bool) -> None:
    config = DedupConfig() if rewrite else DedupConfig(rewrite=None)
    sketcher = Sketcher(config)
    texts = [make_article(k, 50 + 40 * k) for k in range(6)] + ["", "one two"]
    prepared = sketcher.prepare(texts)
    records = codec.encode(prepared)
    assert len(records) == len(texts)
    slots = config.rewrite.keys_per_sentence if config.rewrite else 0
    rows = [5, 0, 7, 3]
    back = codec.decode([records[r] for r in rows], bands=sketcher.bands, slots=slots, made_by="x")
    want = prepared.take(rows)
    assert np.array_equal(back.band_keys, want.band_keys)
    assert np.array_equal(back.sets.hashes, want.sets.hashes)
    assert np.array_equal(back.sets.offsets, want.sets.offsets)
    assert np.array_equal(back.sets.text_hashes, want.sets.text_hashes)
    if rewrite:
        assert back.sentences is not None and want.sentences is not None
        assert np.array_equal(back.sentences.sentence_sizes, want.sentences.sentence_sizes)
        assert np.array_equal(back.sentences.doc_offsets, want.sentences.doc_offsets)
        assert np.array_equal(back.sentences.hashes, want.sentences.hashes)
        assert np.array_equal(back.sentence_keys, want.sentence_keys)
    else:
        assert back.sentences is None and back.sentence_keys is None


def test_a_damaged_record_is_refused() -> None:
    sketcher = Sketcher(DedupConfig())
    record = codec.encode(sketcher.prepare([make_article(1)]))[0]
    with pytest.raises(ConfigError, match="corrupt"):
        codec.decode([record[:-3]], bands=sketcher.bands, slots=4, made_by="")
    with pytest.raises(ConfigError, match="corrupt"):
        codec.decode([record], bands=sketcher.bands + 1, slots=4, made_by="")
