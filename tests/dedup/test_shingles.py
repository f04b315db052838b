"""Normalisation and shingling: the vectorised path equals the plain-Python reference."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from cleaner.dedup import normalization
from cleaner.dedup.hashing import hash64_bytes
from cleaner.dedup.normalization import (
    DELETE,
    DIGIT,
    KEEP,
    SEPARATOR,
    char_class,
    classify,
    normalize,
    normalized_utf8,
)
from cleaner.dedup.shingles import (
    ShingleConfig,
    Shingler,
    ShingleSets,
    gather_ranges,
    shingle_hash,
    shingle_strings,
)
from cleaner.errors import ConfigError

from .textgen import ArticleMaker

TRICKY = [
    "The U.S.-led  talks (2004) went well, said Bob.",
    "",
    "   ...  !!  ",
    "two words",
    "Don't ﬁnd ＡＢＣ ½ Straße 😀x ٣٤ éü\u00adx co\u200bop",
    "Ünïcödé’s ÉLAN — 10,000 people\ttoday\r\nnew line\x00nul",
    "日本語のテキスト、句読点。",
    "a",
]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("The U.S.-led  talks (2004)", "the u s led talks 0000"),
        ("Don't stop", "dont stop"),
        ("It’s ﬁne", "its fine"),
        ("ＡＢＣ Straße", "abc strasse"),
        ("won 3-1 on 12/05", "won 0 0 on 00 00"),
        ("co\u00adoperate", "cooperate"),
        ("  \n\t ", ""),
        ("Ünïcödé ÉLAN", "ünïcödé élan"),
        ("zero\u200bwidth", "zero width"),
    ],
)
def test_normalize_examples(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def unicode_path(text: str) -> bytes:
    """Rule 1 through the Unicode tables, whatever the text."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return folded.encode("utf-8", "surrogatepass")


@pytest.mark.parametrize(
    "text", [*TRICKY, "".join(map(chr, range(128))), "MiXeD CaSe ASCII, 42 [x]\n\tEND"]
)
def test_ascii_shortcut_is_the_unicode_path(text: str) -> None:
    assert normalized_utf8(text) == unicode_path(text)


def test_char_classes() -> None:
    assert char_class("a") == KEEP
    assert char_class("\u0301") == KEEP  # combining mark stays inside its word
    assert char_class("7") == DIGIT
    assert char_class("٣") == DIGIT
    assert char_class("’") == DELETE
    assert char_class("-") == SEPARATOR
    assert char_class("€") == SEPARATOR


@pytest.mark.parametrize(
    "config",
    [ShingleConfig(), ShingleConfig("word", 1), ShingleConfig("char", 4), ShingleConfig("char", 1)],
)
def test_vectorised_equals_reference(config: ShingleConfig, article: ArticleMaker) -> None:
    texts = [*TRICKY, article(1, 120), article(2, 3)]
    sets = Shingler(config).shingle(texts)
    assert len(sets) == len(texts)
    for i, text in enumerate(texts):
        expected = [shingle_hash(s) for s in shingle_strings(text, config)]
        assert sets.doc(i).tolist() == expected, text


def test_shingle_counts() -> None:
    config = ShingleConfig("word", 5)
    assert shingle_strings("", config) == []
    assert shingle_strings("one two three", config) == ["one two three"]
    assert shingle_strings("a b c d e f", config) == ["a b c d e", "b c d e f"]
    sizes = Shingler(config).shingle(["", "one two three", "a b c d e f"]).sizes()
    assert sizes.tolist() == [0, 1, 2]


def test_shingle_hash_is_polynomial_hash_of_utf8() -> None:
    assert (
        shingle_hash("der große")
        == shingle_hash("der große".encode())
        == (hash64_bytes("der große".encode()) & 0xFFFFFFFF)
    )
    assert shingle_hash("a") != shingle_hash("b")
    assert shingle_hash("\x00a") != shingle_hash("a")


def test_batching_does_not_change_hashes(article: ArticleMaker) -> None:
    texts = [article(seed, 50 + seed) for seed in range(10)] + TRICKY
    shingler = Shingler()
    whole = shingler.shingle(texts)
    one_by_one = ShingleSets.concat([shingler.shingle([t]) for t in texts])
    assert np.array_equal(whole.hashes, one_by_one.hashes)
    assert np.array_equal(whole.offsets, one_by_one.offsets)
    assert np.array_equal(whole.text_hashes, one_by_one.text_hashes)


def test_text_hash_identifies_normalised_copies() -> None:
    sets = Shingler().shingle(["Hello, World! 2004", "hello world 1999", "hello there", ""])
    assert sets.text_hashes[0] == sets.text_hashes[1]
    assert sets.text_hashes[0] != sets.text_hashes[2]
    assert sets.text_hashes[3] == 0


def test_unique_sorted() -> None:
    sets = Shingler(ShingleConfig("word", 1)).shingle(["b a b c a", "", "z z"])
    unique = sets.unique_sorted()
    for i in range(len(sets)):
        assert unique.doc(i).tolist() == sorted(set(sets.doc(i).tolist()))


def _naive_take(sets: ShingleSets, rows: list[int]) -> ShingleSets:
    """`ShingleSets.take` the slow way: slice every document, then concatenate."""
    return ShingleSets.concat(
        [
            ShingleSets(
                hashes=sets.doc(r).copy(),
                offsets=np.array([0, sets.doc(r).size], dtype=np.int64),
                text_hashes=sets.text_hashes[r : r + 1].copy(),
            )
            for r in rows
        ]
    )


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [0],
        [1],  # an empty document alone
        [9],
        [12, 1, 3, 1, 0],  # unordered, repeated, empty documents in the middle
        [0, 2, 5, 6, 11, 13],  # ascending, non-contiguous
        list(range(14)),
        list(range(13, -1, -1)),
    ],
)
def test_take_equals_per_document_slices(rows: list[int], article: ArticleMaker) -> None:
    texts = [*TRICKY, "", article(1, 40), "", article(2, 3), article(3, 60), ""]
    assert len(texts) == 14
    sets = Shingler().shingle(texts)
    assert (sets.sizes() == 0).sum() >= 4
    for source in (sets, sets.unique_sorted()):
        taken = source.take(np.array(rows, dtype=np.int64))
        expected = _naive_take(source, rows)
        assert len(taken) == len(rows)
        assert taken.hashes.dtype == np.uint32 and taken.offsets.dtype == np.int64
        assert taken.text_hashes.dtype == np.uint64
        assert taken.hashes.tolist() == expected.hashes.tolist()
        assert taken.offsets.tolist() == expected.offsets.tolist()
        assert taken.text_hashes.tolist() == expected.text_hashes.tolist()
        for k, r in enumerate(rows):
            assert taken.doc(k).tolist() == source.doc(r).tolist()
        # Taking from a batch equals shingling the chosen texts on their own.
        if source is sets:
            direct = Shingler().shingle([texts[r] for r in rows])
            assert taken.hashes.tolist() == direct.hashes.tolist()
            assert taken.offsets.tolist() == direct.offsets.tolist()
            assert taken.text_hashes.tolist() == direct.text_hashes.tolist()


def test_take_of_empty_sets() -> None:
    empty = ShingleSets.concat([])
    taken = empty.take(np.zeros(0, dtype=np.int64))
    assert len(taken) == 0 and taken.offsets.tolist() == [0] and taken.hashes.size == 0
    only_empty = Shingler().shingle(["", "..."])
    taken = only_empty.take(np.array([1, 0, 1]))
    assert taken.offsets.tolist() == [0, 0, 0, 0] and taken.hashes.size == 0
    assert taken.text_hashes.tolist() == [0, 0, 0]


@pytest.mark.parametrize("dtype", [np.uint32, np.uint16, np.int64, np.float32])
def test_gather_ranges_equals_slices(dtype: type[np.generic]) -> None:
    rng = np.random.default_rng(3)
    data = rng.integers(0, 1000, 200).astype(dtype)
    cases = [
        ([], []),
        ([5], [0]),
        ([5], [7]),
        ([0, 0, 190], [3, 0, 10]),
        ([150, 10, 10, 199, 0], [20, 5, 0, 1, 200]),  # overlapping, unordered, zero sizes
    ]
    for starts, sizes in cases:
        found = gather_ranges(
            data, np.array(starts, dtype=np.int64), np.array(sizes, dtype=np.int64)
        )
        pieces = [data[s : s + n] for s, n in zip(starts, sizes, strict=True)]
        expected = np.concatenate(pieces) if pieces else data[:0]
        assert found.dtype == data.dtype
        assert found.tolist() == expected.tolist()


def test_config_validation() -> None:
    with pytest.raises(ConfigError):
        ShingleConfig("sentence", 3)  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        ShingleConfig("word", 0)


def test_classify_fills_its_table_on_demand_with_char_class() -> None:
    normalization._bmp_class_table.cache_clear()
    sample = np.array([0x61, 0x1F600, 0x37, 0x2019, 0x61, 0xFFFF], dtype=np.uint32)
    expected = [char_class(chr(int(cp))) for cp in sample]
    assert classify(sample).tolist() == expected
    table = normalization._bmp_class_table()
    assert int((table != normalization._UNKNOWN).sum()) == 4  # a, 7, ’ and U+FFFF, not more
    every = np.arange(0x10000 + 300, dtype=np.uint32)[::-1].copy()
    assert classify(every).tolist() == [char_class(chr(int(cp))) for cp in every]
    assert classify(sample).tolist() == expected  # the filled table answers the same
