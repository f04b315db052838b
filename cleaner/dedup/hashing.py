"""Hash functions for shingles: a polynomial string hash computed for many spans at once.

A shingle is a span of the normalised UTF-8 byte stream (see `normalize`). Its hash is

    poly(s) = sum_i s[i] * P**(len(s) - 1 - i) + len(s) * L        (mod 2**64)
    hash64(s) = fmix64(poly(s))                 hash32(s) = hash64(s) mod 2**32

where ``s[i]`` are the shingle's UTF-8 bytes, ``P`` is an odd 64-bit constant and ``fmix64`` is the
MurmurHash3 finaliser (a bijection that spreads the weak low bits of the polynomial over all
64 bits). The length term keeps ``"\\x00a"`` and ``"a"`` apart.

Why a polynomial: it can be computed for *every* span of a long array with two cumulative
operations. Because ``P`` is odd it is invertible modulo 2**64 (``Q = P**-1``), so with the
prefix sums ``S[k] = sum_{i<k} c[i] * Q**i`` the hash of the span ``[s, e)`` is
``P**(e-1) * (S[e] - S[s])``. numpy's ``uint64`` arithmetic wraps around, which *is* the
modulo 2**64. The scalar `hash32_bytes` computes the same value with Horner's rule, so
``datasketch.MinHash(hashfunc=hash32_bytes)`` sees exactly the hashes of the vectorised path.

Not cryptographic, and a polynomial modulo 2**64 has known adversarial collisions for long
strings (Thue-Morse sequences of length > 2,000); shingles are a few dozen bytes, and a
rare collision can only add a candidate that verification then rejects.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

U8Array = npt.NDArray[np.uint8]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]

MASK64 = (1 << 64) - 1
MASK32 = (1 << 32) - 1
POLY_BASE = 0x9E3779B97F4A7C15
"""``P``: odd, so invertible modulo 2**64; the golden-ratio constant has well-mixed bits."""
POLY_BASE_INVERSE = pow(POLY_BASE, -1, 1 << 64)
LENGTH_MULTIPLIER = 0xC2B2AE3D27D4EB4F

_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_FMIX32 = (
    np.uint32(16),
    np.uint32(0x85EBCA6B),
    np.uint32(13),
    np.uint32(0xC2B2AE35),
)


def fmix64(values: U64Array) -> U64Array:
    """MurmurHash3's 64-bit finaliser over a ``uint64`` array (returns a new array)."""
    shift, m1, m2 = _FMIX64
    h = values ^ (values >> shift)
    h *= m1
    h ^= h >> shift
    h *= m2
    h ^= h >> shift
    return h


def fmix64_int(value: int) -> int:
    """`fmix64` for one Python int."""
    h = value & MASK64
    h ^= h >> 33
    h = (h * 0xFF51AFD7ED558CCD) & MASK64
    h ^= h >> 33
    h = (h * 0xC4CEB9FE1A85EC53) & MASK64
    h ^= h >> 33
    return h


def fmix32(values: U32Array) -> U32Array:
    """MurmurHash3's 32-bit finaliser, bit-for-bit what ``datasketch`` applies in "affine32"."""
    s16, m1, s13, m2 = _FMIX32
    h = values ^ (values >> s16)
    h *= m1
    h ^= h >> s13
    h *= m2
    h ^= h >> s16
    return h


def hash64_bytes(data: bytes | str) -> int:
    """`hash64` of one byte string (Horner's rule); a str is hashed as its UTF-8 bytes."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    h = 0
    for byte in data:
        h = (h * POLY_BASE + byte) & MASK64
    h = (h + len(data) * LENGTH_MULTIPLIER) & MASK64
    return fmix64_int(h)


def hash32_bytes(data: bytes | str) -> int:
    """`hash32` of one shingle (its UTF-8 bytes, or a str that is encoded first).

    Usable as ``datasketch.MinHash(hashfunc=hash32_bytes)``: it returns what the vectorised
    path computes for the same shingle.
    """
    return hash64_bytes(data) & MASK32


class SpanHasher:
    """Computes `hash64` of many spans of one code-point array in a few numpy passes.

    Holds the power tables ``P**k`` and ``Q**k`` (16 bytes per byte of the longest array
    seen so far), grown on demand; one instance per `Shingler`, never shared globally.
    """

    def __init__(self) -> None:
        self._powers = np.ones(1, dtype=np.uint64)
        self._inverse_powers = np.ones(1, dtype=np.uint64)

    def _ensure(self, size: int) -> None:
        if self._powers.size >= size:
            return
        size = max(size, 2 * self._powers.size)
        self._powers = _power_table(POLY_BASE, size)
        self._inverse_powers = _power_table(POLY_BASE_INVERSE, size)

    def span_hashes(self, data: U8Array, starts: I64Array, ends: I64Array) -> U64Array:
        """`hash64` of ``data[starts[k]:ends[k]]`` for every k (spans must be non-empty)."""
        n = data.size
        self._ensure(n)
        prefix = np.zeros(n + 1, dtype=np.uint64)
        np.multiply(data, self._inverse_powers[:n], out=prefix[1:])
        np.cumsum(prefix[1:], out=prefix[1:])
        h = prefix[ends] - prefix[starts]
        h *= self._powers[ends - 1]
        h += (ends - starts).astype(np.uint64) * np.uint64(LENGTH_MULTIPLIER)
        return fmix64(h)


def _power_table(base: int, size: int) -> U64Array:
    """``[1, base, base**2, ...]`` modulo 2**64 (numpy ``uint64`` products wrap around)."""
    table = np.full(size, base, dtype=np.uint64)
    table[0] = 1
    np.cumprod(table, out=table)
    return table
