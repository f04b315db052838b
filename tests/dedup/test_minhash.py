"""MinHash signatures equal datasketch's, bit for bit, for both permutation schemes."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32

from cleaner.dedup.minhash import (
    MAX_HASH,
    MinHasher,
    MinHashSigner,
    Scheme,
    permutations,
    signatures,
    to_lean_minhash,
)
from cleaner.dedup.shingles import ShingleConfig, shingle_hash, shingle_strings

from .textgen import ArticleMaker

SCHEMES: list[Scheme] = ["affine32", "legacy"]


def _texts(article: ArticleMaker) -> list[str]:
    long_doc = article(99, 6000)  # spans several permutation windows
    return [article(1, 200), "", "short text", article(2, 40), long_doc, "Ünïcödé’s ÉLAN"]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("num_perm", "seed"), [(128, 1), (64, 42), (7, 3)])
def test_permutations_match_datasketch(scheme: Scheme, num_perm: int, seed: int) -> None:
    a, b = permutations(num_perm, seed, scheme)
    theirs = MinHash(num_perm=num_perm, seed=seed, scheme=scheme).permutations
    assert np.array_equal(a, np.asarray(theirs[0]))
    assert np.array_equal(b, np.asarray(theirs[1]))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_same_as_datasketch_with_fast_hash(scheme: Scheme, article: ArticleMaker) -> None:
    texts = _texts(article)
    ours = MinHashSigner(num_perm=128, seed=7, scheme=scheme).signatures(texts)
    assert ours.dtype == np.uint32 and ours.shape == (len(texts), 128)
    for i, text in enumerate(texts):
        theirs = MinHash(num_perm=128, seed=7, scheme=scheme, hashfunc=shingle_hash)
        theirs.update_batch(shingle_strings(text))
        assert np.array_equal(ours[i], theirs.hashvalues), i


@pytest.mark.parametrize("scheme", SCHEMES)
def test_same_as_datasketch_with_sha1(scheme: Scheme, article: ArticleMaker) -> None:
    texts = _texts(article)
    shingles = [[s.encode() for s in shingle_strings(t)] for t in texts]
    hashes = np.array([sha1_hash32(s) for doc in shingles for s in doc], dtype=np.uint32)
    offsets = np.concatenate([[0], np.cumsum([len(doc) for doc in shingles])]).astype(np.int64)
    ours = MinHasher(num_perm=96, seed=5, scheme=scheme).signatures_from_hashes(hashes, offsets)
    for i, doc in enumerate(shingles):
        theirs = MinHash(num_perm=96, seed=5, scheme=scheme)  # default hashfunc: sha1_hash32
        theirs.update_batch(doc)
        assert np.array_equal(ours[i], theirs.hashvalues), i


def test_char_shingles_also_match(article: ArticleMaker) -> None:
    config = ShingleConfig("char", 5)
    text = article(3, 80)
    ours = signatures([text], shingles=config)[0]
    theirs = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash)
    theirs.update_batch(shingle_strings(text, config))
    assert np.array_equal(ours, theirs.hashvalues)


def test_empty_document_signature() -> None:
    sigs = signatures(["", "...", "real words here"])
    assert (sigs[0] == MAX_HASH).all() and (sigs[1] == MAX_HASH).all()
    assert not (sigs[2] == MAX_HASH).all()
    assert MinHash(num_perm=128).hashvalues.tolist() == sigs[0].tolist()


def test_chunking_does_not_change_signatures(article: ArticleMaker) -> None:
    texts = [article(seed, 30 + 7 * seed) for seed in range(40)]
    whole = MinHashSigner().signatures(texts)
    tiny_chunks = MinHashSigner(chunk_chars=500).signatures(texts)
    assert np.array_equal(whole, tiny_chunks)


def test_deterministic(article: ArticleMaker) -> None:
    texts = [article(seed, 100) for seed in range(5)]
    assert np.array_equal(signatures(texts), signatures(texts))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_lean_minhash_conversion(scheme: Scheme, article: ArticleMaker) -> None:
    base = article(10, 300)
    edited = base.replace(".", "!", 3) + " " + article(11, 20)
    sigs = MinHashSigner(seed=3, scheme=scheme).signatures([base, edited])
    lean = [to_lean_minhash(row, seed=3, scheme=scheme) for row in sigs]
    assert all(isinstance(m, LeanMinHash) for m in lean)
    reference = MinHash(num_perm=128, seed=3, scheme=scheme, hashfunc=shingle_hash)
    reference.update_batch(shingle_strings(base))
    assert lean[0] == LeanMinHash(reference)
    assert lean[0].jaccard(lean[1]) == pytest.approx(np.mean(sigs[0] == sigs[1]))
    # Usable in datasketch's own LSH index.
    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    lsh.insert("base", lean[0])
    assert lsh.query(lean[1]) == ["base"]


def test_bad_parameters() -> None:
    from cleaner.errors import ConfigError

    with pytest.raises(ConfigError):
        MinHasher(scheme="affine64")  # type: ignore[arg-type]
    with pytest.raises(ConfigError):
        MinHasher(num_perm=0)
