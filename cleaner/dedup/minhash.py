"""MinHash signatures, bit-for-bit compatible with ``datasketch``, computed in numpy batches.

For a shingle hash ``h`` (32 bits) and permutation ``k``, ``datasketch`` (>= 2.0) computes:

- ``"affine32"`` (its default since 2.0): ``a[k] * fmix32(h) + b[k]`` in ``uint32`` arithmetic
  (wrapping, i.e. modulo 2**32), with ``a`` odd so every permutation is a bijection;
- ``"legacy"`` (the only scheme before 2.0): ``((a[k] * h + b[k]) mod (2**61 - 1)) & (2**32 - 1)``
  where ``a[k] * h + b[k]`` is itself computed in ``uint64`` and wraps around first. That
  wraparound is a quirk, but it is what the stored sketches contain, so it is replicated.

The signature value ``k`` is the minimum over the document's shingles. ``a`` and ``b`` come
from ``np.random.RandomState(seed)`` drawn exactly as ``datasketch`` draws them, so for the
same ``num_perm``, ``seed``, scheme and shingle hashes the signature equals
``datasketch.MinHash(...).update_batch(shingles).hashvalues`` (the tests prove it).

"affine32" is the default here as well: it is datasketch's current default, it has no
collision bias on large sets, and it is about 4x cheaper in numpy than "legacy" (``uint32``
multiply-add instead of a ``uint64`` modulo).

Batch layout: the shingle hashes of many documents are one array; permutations are applied
to windows of `window` hashes as a ``(num_perm, window)`` matrix (4 MB, cache-sized) and
reduced per document with ``np.minimum.reduceat``. Documents longer than a window are split
over windows and their partial minima combined. An empty document's signature is all
``2**32 - 1`` (datasketch's empty value); callers must exclude empty documents from matching.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from cleaner.dedup.hashing import fmix32
from cleaner.dedup.shingles import ShingleConfig, Shingler, ShingleSets
from cleaner.errors import ConfigError

if TYPE_CHECKING:
    from datasketch import LeanMinHash

Scheme = Literal["affine32", "legacy"]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]

MAX_HASH = np.uint32(0xFFFFFFFF)
"""Signature value of an empty set (datasketch's ``_max_hash``)."""
MERSENNE_PRIME = np.uint64((1 << 61) - 1)
_WINDOW_BYTES = 4 << 20
_CHUNK_CHARS = 1 << 18


def permutations(
    num_perm: int, seed: int, scheme: Scheme
) -> tuple[npt.NDArray[np.unsignedinteger], npt.NDArray[np.unsignedinteger]]:
    """The ``(a, b)`` permutation parameters ``datasketch.MinHash`` generates for these settings.

    "affine32": ``uint32`` arrays, ``a`` odd. "legacy": ``uint64`` arrays, drawn as pairs.
    """
    gen = np.random.RandomState(seed)
    if scheme == "legacy":
        drawn = [
            (
                gen.randint(1, MERSENNE_PRIME, dtype=np.uint64),
                gen.randint(0, MERSENNE_PRIME, dtype=np.uint64),
            )
            for _ in range(num_perm)
        ]
        pairs = np.array(drawn, dtype=np.uint64).reshape(num_perm, 2)
        return pairs[:, 0].copy(), pairs[:, 1].copy()
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


@dataclass(frozen=True)
class MinHasher:
    """Applies ``num_perm`` datasketch-compatible permutations to batches of shingle hashes."""

    num_perm: int = 128
    seed: int = 1
    scheme: Scheme = "affine32"
    _a: npt.NDArray[np.unsignedinteger] = field(init=False, repr=False, compare=False)
    _b: npt.NDArray[np.unsignedinteger] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.scheme not in ("affine32", "legacy"):
            raise ConfigError(f"MinHash scheme must be 'affine32' or 'legacy', not {self.scheme!r}")
        if self.num_perm < 1:
            raise ConfigError(f"num_perm must be >= 1, not {self.num_perm}")
        a, b = permutations(self.num_perm, self.seed, self.scheme)
        object.__setattr__(self, "_a", a[:, None])
        object.__setattr__(self, "_b", b[:, None])

    def signatures_from_hashes(self, hashes: U32Array, offsets: I64Array) -> U32Array:
        """Signatures ``(n_docs, num_perm)`` of documents given as shingle hashes in CSR form.

        `hashes` may come from any 32-bit hash function (e.g. datasketch's ``sha1_hash32``);
        duplicates within a document are harmless (a minimum is a minimum).
        """
        n_docs = int(offsets.size - 1)
        out = np.full((self.num_perm, n_docs), MAX_HASH, dtype=np.uint32)
        sizes = np.diff(offsets)
        docs = np.flatnonzero(sizes > 0)
        if docs.size == 0:
            return np.ascontiguousarray(out.T)
        if self.scheme == "legacy":
            values: npt.NDArray[np.unsignedinteger] = np.asarray(hashes, dtype=np.uint64)
        else:
            values = fmix32(np.asarray(hashes, dtype=np.uint32))
        doc_starts = offsets[docs]
        window = max(256, _WINDOW_BYTES // (self.num_perm * values.itemsize))
        total = int(offsets[-1])
        # A piece is the part of one document inside one window; reduceat gives one min per piece.
        cuts = np.union1d(doc_starts, np.arange(0, total, window, dtype=np.int64))
        piece_doc = docs[np.searchsorted(doc_starts, cuts, side="right") - 1]
        window_of_piece = np.searchsorted(cuts, np.arange(0, total + window, window))
        buffer = np.empty((self.num_perm, window), dtype=values.dtype)
        for w, lo in enumerate(range(0, total, window)):
            hi = min(lo + window, total)
            first, last = window_of_piece[w], window_of_piece[w + 1]
            mins = self._window_minima(values[lo:hi], cuts[first:last] - lo, buffer)
            cols = piece_doc[first:last]
            out[:, cols] = np.minimum(out[:, cols], mins)
        return np.ascontiguousarray(out.T)

    def _window_minima(
        self,
        values: npt.NDArray[np.unsignedinteger],
        piece_starts: I64Array,
        buffer: npt.NDArray[np.unsignedinteger],
    ) -> U32Array:
        permuted = buffer[:, : values.size]
        np.multiply(self._a, values[None, :], out=permuted)
        np.add(permuted, self._b, out=permuted)
        if self.scheme == "legacy":
            np.remainder(permuted, MERSENNE_PRIME, out=permuted)
            np.bitwise_and(permuted, np.uint64(MAX_HASH), out=permuted)
        return np.minimum.reduceat(permuted, piece_starts, axis=1).astype(np.uint32, copy=False)

    def signatures(self, sets: ShingleSets) -> U32Array:
        """Signatures ``(n_docs, num_perm)`` ``uint32`` of the documents in `sets`."""
        return self.signatures_from_hashes(sets.hashes, sets.offsets)

    def to_lean_minhash(self, signature: U32Array) -> LeanMinHash:
        """A ``datasketch.LeanMinHash`` holding one signature row (for MinHashLSH etc.)."""
        return to_lean_minhash(signature, self.seed, self.scheme)


def to_lean_minhash(signature: U32Array, seed: int = 1, scheme: Scheme = "affine32") -> LeanMinHash:
    """Wrap one signature row as a ``datasketch.LeanMinHash`` with the same seed and scheme.

    Needs datasketch >= 2.0 (the ``scheme`` argument). datasketch is imported here, not at
    module import, because it pulls in scipy (~0.5 s).
    """
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=np.asarray(signature), scheme=scheme)


class MinHashSigner:
    """Text in, signatures out: `Shingler` + `MinHasher`, in batches bounded by text size.

    Owns the shingler's power tables, so reuse one signer for many calls.
    """

    def __init__(
        self,
        shingles: ShingleConfig | None = None,
        num_perm: int = 128,
        seed: int = 1,
        scheme: Scheme = "affine32",
        chunk_chars: int = _CHUNK_CHARS,
    ) -> None:
        self.shingler = Shingler(shingles)
        self.hasher = MinHasher(num_perm=num_perm, seed=seed, scheme=scheme)
        self.chunk_chars = chunk_chars

    def chunks(self, texts: Sequence[str]) -> list[tuple[int, int]]:
        """``[start, end)`` ranges of `texts` whose total length stays near `chunk_chars`."""
        lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
        ends = np.cumsum(lengths)
        ranges: list[tuple[int, int]] = []
        start = 0
        while start < len(texts):
            base = int(ends[start - 1]) if start else 0
            stop = int(np.searchsorted(ends, base + self.chunk_chars, side="right"))
            stop = max(stop, start + 1)
            ranges.append((start, stop))
            start = stop
        return ranges

    def sketch(self, texts: Sequence[str]) -> tuple[U32Array, ShingleSets]:
        """Signatures and shingle sets (as produced, not deduplicated) of `texts`."""
        sigs = np.empty((len(texts), self.hasher.num_perm), dtype=np.uint32)
        parts: list[ShingleSets] = []
        for start, stop in self.chunks(texts):
            sets = self.shingler.shingle(texts[start:stop])
            sigs[start:stop] = self.hasher.signatures(sets)
            parts.append(sets)
        return sigs, ShingleSets.concat(parts)

    def signatures(self, texts: Sequence[str]) -> U32Array:
        """Signatures ``(len(texts), num_perm)`` ``uint32`` of `texts`."""
        sigs = np.empty((len(texts), self.hasher.num_perm), dtype=np.uint32)
        for start, stop in self.chunks(texts):
            sigs[start:stop] = self.hasher.signatures(self.shingler.shingle(texts[start:stop]))
        return sigs


def signatures(
    texts: Sequence[str],
    *,
    num_perm: int = 128,
    seed: int = 1,
    scheme: Scheme = "affine32",
    shingles: ShingleConfig | None = None,
) -> U32Array:
    """Signatures ``(len(texts), num_perm)`` ``uint32`` of `texts` (one-off convenience).

    For repeated calls build a `MinHashSigner` once and call its ``signatures``.
    """
    signer = MinHashSigner(shingles=shingles, num_perm=num_perm, seed=seed, scheme=scheme)
    return signer.signatures(texts)
