"""Near-duplicate detection: MinHash + LSH candidates, exact verification, chain-free clusters.

The pieces, each in its own module:

- `normalization`: NFKC, casefold, digits to 0, punctuation out (vectorised over UTF-8 bytes);
- `shingles`: word/char n-grams hashed to ``uint32`` in numpy (`Shingler`, `shingle_hash`);
- `minhash`: datasketch-compatible signatures in batches (`MinHashSigner`, `signatures`);
- `lsh`: bands/rows for a promised recall (`choose_bands`), candidate pairs from band keys;
- `verify`: exact Jaccard and containment of candidate pairs on their shingle sets;
- `cluster`: `cluster_pairs`, documents join a cluster only if similar to its representative;
- `sentences`: per sentence, the hashes of its content words (`SentenceSketcher`);
- `rewrite`: rewritten ("spun") copies, found by sentence alignment among what near and
  containment matching left alone (`RewriteConfig`, on by default);
- `index`: `NearDupIndex`, the object a run owns: ``add`` batches, then ``finish``.

Typical use::

    index = NearDupIndex(DedupConfig())
    index.add(texts, ids)
    result = index.finish()
    result.annotation(0)  # {"cluster": 0, "kind": "representative", ...}
"""

from __future__ import annotations

from cleaner.dedup.cluster import Assignments, ClusterConfig, ClusterStats, MatchKind, cluster_pairs
from cleaner.dedup.index import DedupConfig, DedupResult, DedupStats, NearDupIndex
from cleaner.dedup.lsh import band_keys, candidate_pairs, candidate_probability, choose_bands
from cleaner.dedup.minhash import MinHasher, MinHashSigner, signatures, to_lean_minhash
from cleaner.dedup.normalization import normalize
from cleaner.dedup.rewrite import Alignment, RewriteConfig, align_pairs, rewrite_candidates
from cleaner.dedup.sentences import SentenceSketcher, SentenceSketches, split_sentences
from cleaner.dedup.shingles import (
    ShingleConfig,
    Shingler,
    ShingleSets,
    shingle_hash,
    shingle_strings,
)
from cleaner.dedup.verify import PairOverlaps, pair_overlaps

__all__ = [
    "Alignment",
    "Assignments",
    "ClusterConfig",
    "ClusterStats",
    "DedupConfig",
    "DedupResult",
    "DedupStats",
    "MatchKind",
    "MinHashSigner",
    "MinHasher",
    "NearDupIndex",
    "PairOverlaps",
    "RewriteConfig",
    "SentenceSketcher",
    "SentenceSketches",
    "ShingleConfig",
    "ShingleSets",
    "Shingler",
    "align_pairs",
    "band_keys",
    "candidate_pairs",
    "candidate_probability",
    "choose_bands",
    "cluster_pairs",
    "normalize",
    "pair_overlaps",
    "rewrite_candidates",
    "shingle_hash",
    "shingle_strings",
    "signatures",
    "split_sentences",
    "to_lean_minhash",
]
