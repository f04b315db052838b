"""The 1-3-gram features langdetect extracts from a normalised text, as integer keys.

langdetect's `NGram.add_char` keeps a buffer of up to three characters that restarts with a
space at every word (so "ab c" yields " c", never "b c"), ignores a space after a space, and
`Detector._extract_ngrams` takes, after each character, the last 1, 2 and 3 characters of
that buffer, except the single space, and nothing at all while the character and the one
before it are both upper case (inside an all-capitals word). Unrolled over the whole text:
after dropping spaces that follow a space and prefixing one space, position i yields

- the 1-gram s[i] unless it is a space,
- the 2-gram s[i-1:i+1],
- the 3-gram s[i-2:i+1] unless s[i-1] is a space (the buffer restarted there),

and nothing when s[i] and s[i-1] are both upper case.

A key packs the code points of an n-gram 21 bits apiece into one unsigned 64-bit integer.
No normalised character is U+0000 (it becomes a space), so keys of different lengths never
collide and a key identifies its n-gram.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from cleaner.langid.text import CodePoints

Keys = npt.NDArray[np.uint64]

_BITS = np.uint64(21)
_SPACE = ord(" ")


def key_of(gram: str) -> int:
    """The key of one n-gram (1 to 3 characters)."""
    key = 0
    for ch in gram:
        key = (key << 21) | ord(ch)
    return key


def keys_of(grams: Sequence[str]) -> Keys:
    """`key_of` of every n-gram (1 to 3 characters each), computed in numpy."""
    sizes = np.fromiter(map(len, grams), dtype=np.intp, count=len(grams))
    points = np.frombuffer("".join(grams).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    starts = np.cumsum(sizes) - sizes
    keys = np.zeros(len(grams), dtype=np.uint64)
    for i in range(int(sizes.max(initial=0))):
        longer = sizes > i
        keys[longer] = (keys[longer] << _BITS) | points[starts[longer] + i]
    return keys


def ngram_keys(normalized: CodePoints, upper: npt.NDArray[np.bool_]) -> Keys:
    """Keys of every n-gram langdetect would consider in this normalised text, in no order."""
    space = normalized == _SPACE
    # A space right after a space (or at the very start) changes nothing in langdetect's buffer.
    dropped = space.copy()
    dropped[1:] &= space[:-1]
    keep = ~dropped
    kept = normalized[keep]
    if kept.size < 1:
        return np.empty(0, dtype=np.uint64)
    chars = np.empty(kept.size + 1, dtype=np.uint64)
    chars[0] = _SPACE
    chars[1:] = kept
    caps = np.empty(chars.size, dtype=np.bool_)
    caps[0] = False
    caps[1:] = upper[keep]
    cur, prev = chars[1:], chars[:-1]
    counted = ~(caps[1:] & caps[:-1])
    ones = cur[counted & (cur != _SPACE)]
    twos = ((prev << _BITS) | cur)[counted]
    three_ok = counted[1:] & (chars[1:-1] != _SPACE)
    threes = ((chars[:-2] << (_BITS + _BITS)) | (chars[1:-1] << _BITS) | chars[2:])[three_ok]
    return np.concatenate((ones, twos, threes))
