"""Names shared between the processors that write document meta and the code that reads it.

A meta key, a duplicate kind or a reject reason that one module writes and another reads is
a constant here, so that the report, `cleaner explain` and the processors cannot drift apart
by a typo, and nothing parses another module's human-readable text.

`meta["dup"]` (written by `exact_dedup` and `dedup`) is a dict:

- `DUP_KIND`: how the document relates to its cluster (the `KIND_*` values below);
- `DUP_OF` and `DUP_CLUSTER`: the id of the copy it duplicates (the first copy for
  `exact_dedup`, the representative for `dedup`); on a representative, `DUP_CLUSTER` is its own
  id and `DUP_COPIES` the number of its copies.
"""

from __future__ import annotations

from typing import Final

#: Meta key of the duplicate annotation (a dict, see the module doc).
META_DUP: Final = "dup"
#: Meta key of the detected language code.
META_LANG: Final = "lang"

DUP_KIND: Final = "kind"
DUP_OF: Final = "of"
DUP_CLUSTER: Final = "cluster"
DUP_COPIES: Final = "copies"

#: `exact_dedup`: the same text after NFKC, case folding and white space collapsing (and,
#: with `ignore_punctuation`, punctuation removal).
KIND_EXACT: Final = "exact"
#: `dedup`: the same words after its shingling normalisation (case and punctuation out, every
#: digit folded to 0), so "7 dead" and "9 dead" are copies of this kind: not `KIND_EXACT`.
KIND_NORMALIZED: Final = "normalized"
#: `dedup`: the kept copy of a cluster with copies.
KIND_REPRESENTATIVE: Final = "representative"

#: Reject reason of a copy dropped by `exact_dedup` (`policy = "drop"`).
REASON_EXACT_DUPLICATE: Final = "exact_duplicate"
#: Reject reason of a copy dropped by `dedup` (`policy = "drop"`).
REASON_DUPLICATE: Final = "duplicate"
