"""Compact index storage: growing arrays, spilled shingle hashes, packed ids, same results."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.dedup.index import DedupConfig, DedupResult, NearDupIndex
from cleaner.dedup.lsh import candidate_pairs, pair_codes, pairs_from_codes, unique_pairs
from cleaner.dedup.store import AppendArray, HashStore, IdLog
from cleaner.errors import ConfigError

from .textgen import ArticleMaker


def _batches(rng: np.random.Generator, count: int) -> list[np.ndarray]:
    return [
        rng.integers(0, 2**32, int(rng.integers(0, 5000)), dtype=np.uint32) for _ in range(count)
    ]


def test_append_array_grows_without_changing_contents() -> None:
    rng = np.random.default_rng(1)
    batches = _batches(rng, 60)  # ~600 KB: several remaps past the first 64 KiB
    grown = AppendArray(np.uint32)
    for batch in batches:
        grown.append(batch)
    assert len(grown) == sum(b.size for b in batches)
    assert np.array_equal(grown.view(), np.concatenate(batches))
    assert not grown.view().flags.writeable


def test_append_array_keeps_a_live_view_valid_while_growing() -> None:
    grown = AppendArray(np.uint64)
    grown.append(np.arange(10, dtype=np.uint64))
    early = grown.view()  # an exported buffer: the map cannot be remapped now
    grown.append(np.arange(10, 100_000, dtype=np.uint64))
    assert early.tolist() == list(range(10))
    assert np.array_equal(grown.view(), np.arange(100_000, dtype=np.uint64))
    grown.close()
    assert len(grown) == 0 and grown.view().size == 0
    assert early.tolist() == list(range(10))  # still readable: it kept its own map


@pytest.mark.parametrize("spill_bytes", [None, 0, 40_000])
def test_hash_store_spills_to_disk_with_the_same_contents(spill_bytes: int | None) -> None:
    rng = np.random.default_rng(2)
    batches = _batches(rng, 40)
    store = HashStore(spill_bytes=spill_bytes)
    for batch in batches:
        store.append(batch)
    expected = np.concatenate(batches)
    assert len(store) == expected.size
    assert np.array_equal(store.array(), expected)
    if spill_bytes is None:
        assert store.disk_bytes == 0 and store.ram_bytes == expected.nbytes
    else:
        assert store.spilled and store.disk_bytes == expected.nbytes and store.ram_bytes == 0
    # Ranges: consecutive ones (read together from a file), scattered ones, empty ones.
    starts = np.array([0, 10, 25, 25, 1000, 5, expected.size - 3], dtype=np.int64)
    sizes = np.array([10, 15, 0, 30, 7, 2, 3], dtype=np.int64)
    wanted = np.concatenate([expected[a : a + n] for a, n in zip(starts, sizes, strict=True)])
    assert np.array_equal(store.read(starts, sizes), wanted)
    store.release()  # drops mapped pages only: the data is still there
    assert np.array_equal(store.array(), expected)
    more = rng.integers(0, 2**32, 777, dtype=np.uint32)
    store.append(more)  # growing after a read
    assert np.array_equal(store.array(), np.concatenate([expected, more]))
    assert np.array_equal(store.read(np.array([expected.size]), np.array([777])), more)
    store.close()
    assert len(store) == 0 and store.disk_bytes == 0


def test_id_log_packs_ids_and_numbers_the_rest() -> None:
    log = IdLog()
    log.extend(None, 3)
    log.extend(["a", "β-ü", ""], 3)
    log.extend(["x"], 1)
    log.extend(None, 2)
    ids = log.view()
    expected = ["0", "1", "2", "a", "β-ü", "", "x", "7", "8"]
    assert list(ids) == expected and len(ids) == 9
    assert ids == tuple(expected) and ids == expected and ids != expected[:-1]
    assert ids[4] == "β-ü" and ids[-1] == "8" and ids[2:5] == ["2", "a", "β-ü"]
    with pytest.raises(IndexError):
        ids[9]
    log.extend(["late"], 1)  # a view is a snapshot
    assert len(ids) == 9 and list(ids) == expected
    assert log.view()[9] == "late"
    with pytest.raises(ValueError, match="ids"):
        log.extend(["a"], 2)


def test_candidate_pairs_band_by_band_equal_all_bands() -> None:
    rng = np.random.default_rng(3)
    keys = rng.integers(0, 40, size=(6, 500)).astype(np.uint64)  # many equal keys
    members = rng.permutation(500).astype(np.int64)
    whole = candidate_pairs(keys, members)
    by_band = candidate_pairs(iter(list(keys)), members)
    assert np.array_equal(whole, by_band) and whole.shape[1] == 2
    pairs = rng.integers(0, 1000, size=(2000, 2))
    codes = pair_codes(pairs)
    assert np.array_equal(
        np.sort(pairs, axis=1)[pairs[:, 0] != pairs[:, 1]], pairs_from_codes(codes)
    )
    assert unique_pairs(np.zeros((0, 2), dtype=np.int64)).shape == (0, 2)


def _corpus(article: ArticleMaker) -> list[str]:
    texts = [article(seed, 300) for seed in range(40)]
    words = texts[5].split(" ")
    return [
        *texts,
        texts[1].upper(),
        texts[2] + " Reporting by our staff.",
        " ".join(words[: len(words) // 2]),
        "",
        texts[7],
    ]


def _same(a: DedupResult, b: DedupResult) -> None:
    for name in ("cluster", "representative", "similarity", "containment", "kind"):
        assert np.array_equal(getattr(a.assignments, name), getattr(b.assignments, name)), name
    assert a.stats == b.stats
    assert list(a.ids) == list(b.ids)
    assert a.duplicates() == b.duplicates()


def test_spilled_index_gives_identical_results(article: ArticleMaker) -> None:
    texts = _corpus(article)
    ids = [f"doc-{i}" for i in range(len(texts))]
    with NearDupIndex(DedupConfig(spill_bytes=None)) as in_ram:
        in_ram.add(texts, ids)
        expected = in_ram.finish()
        assert in_ram.disk_bytes == 0
        ram_bytes = in_ram.nbytes
    assert expected.stats.duplicates == 4
    with NearDupIndex(DedupConfig(spill_bytes=2_000)) as spilled:
        for start in range(0, len(texts), 6):
            spilled.add(texts[start : start + 6], ids[start : start + 6])
        assert spilled.disk_bytes > 0
        assert spilled.nbytes + spilled.disk_bytes == ram_bytes  # the hashes moved to disk
        _same(spilled.finish(), expected)


def test_index_keeps_growing_after_finish(article: ArticleMaker) -> None:
    texts = _corpus(article)
    for spill_bytes in (None, 0):
        with NearDupIndex(DedupConfig(spill_bytes=spill_bytes)) as growing:
            growing.add(texts[:20])
            first = growing.finish()
            growing.add(texts[20:])
            second = growing.finish()
        with NearDupIndex(DedupConfig(spill_bytes=spill_bytes)) as whole:
            whole.add(texts)
            _same(second, whole.finish())
        assert len(first.ids) == 20 and first.ids[19] == "19"


def test_ids_are_optional_and_compact(article: ArticleMaker) -> None:
    texts = _corpus(article)
    index = NearDupIndex()
    index.add(texts[:10])
    index.add(texts[10:], [f"url-{i}" for i in range(10, len(texts))])
    result = index.finish()
    assert result.ids[3] == "3" and result.ids[40] == "url-40"
    # 1 and 40 have the same normalised text; whichever represents is named by its id.
    rep = int(result.assignments.representative[40])
    copy = 1 if rep == 40 else 40
    assert rep in (1, 40) and int(result.assignments.representative[copy]) == rep
    assert result.annotation(copy)["representative"] == {1: "1", 40: "url-40"}[rep]
    index.close()


def test_spill_config_validation() -> None:
    with pytest.raises(ConfigError, match="spill_bytes"):
        DedupConfig(spill_bytes=-1)
