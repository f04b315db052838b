"""The rewrite stage's sentence matcher on real news paraphrases (MSRP), beside a baseline.

    python bench/msrp_bench.py [--data DIR]

The Microsoft Research Paraphrase Corpus (`../shared/data/msrp/`, never copied into the
repository): news sentence pairs labelled 1 (paraphrase) or 0 (not; mostly two sentences
about one event that state different facts). The rewrite stage compares sentences by the
Jaccard of their content words (`sentences.SentenceSketcher`: stopwords out, numbers kept,
the hashes the stage compares); the baseline is the Jaccard of all their lower-cased words
(``\\w+``), stopwords included.

The stage uses two thresholds (`rewrite.RewriteConfig`):

- `order_similarity`, the looser one, is *chosen here on the train split*: the highest
  threshold (in steps of 0.05) that keeps >= 95% of the train paraphrases. A sentence pair
  above it may be a paraphrase; the document-level guard (`passages.ordered_chain`) asks
  70% of a document's sentences to match in order, which a same-topic document does not.
- `sentence_similarity` (0.4) was chosen on generated BBC rewrites (`dedup_quality.py`);
  MSRP only tests it.

Every figure is printed for both splits; the test split only tests. Per threshold: the
share of pairs flagged, precision, recall and F1 of "paraphrase", for both measures; then
the baseline's threshold of best train F1, for comparison at its own best.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from common import data_dir, print_table

from cleaner.dedup.rewrite import RewriteConfig
from cleaner.dedup.sentences import SentenceSketcher

F64Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
GRID = tuple(round(0.05 * k, 2) for k in range(2, 13))
TARGET_RECALL = 0.95
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Split:
    name: str
    label: BoolArray  # True: paraphrase
    content: F64Array  # content-word Jaccard (the stage's)
    words: F64Array  # all-word Jaccard (baseline)


def read_pairs(path: Path) -> tuple[list[bool], list[str], list[str]]:
    """Labels and the two sentences of each pair (tab-separated, one header line; the
    sentences hold quotes, so no CSV quoting rules apply). The shared train file has one
    line holding two pairs (a newline lost before a label: 9 fields, the second pair's
    label glued to the first pair's last sentence); it is split back into two."""
    labels, first, second = [], [], []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        next(handle)
        for line in handle:
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) == 9 and parts[4][-1:] in ("0", "1"):
                parts = [*parts[:4], parts[4][:-1], parts[4][-1], *parts[5:]]
            if len(parts) % 5:
                raise ValueError(f"{path}: a line with {len(parts)} fields: {line[:80]!r}")
            for k in range(0, len(parts), 5):
                labels.append(parts[k] == "1")
                first.append(parts[k + 3])
                second.append(parts[k + 4])
    return labels, first, second


def content_sets(texts: Sequence[str], sketcher: SentenceSketcher) -> list[set[int]]:
    """The content-word hashes of each text, all its sentences together (an MSRP
    "sentence" is sometimes two)."""
    sketches = sketcher.sketch(texts)
    return [
        {int(h) for sentence in sketches.sentences(i) for h in sentence.tolist()}
        for i in range(len(texts))
    ]


def jaccard(a: set[int] | set[str], b: set[int] | set[str]) -> float:
    union = len(a | b)  # type: ignore[operator]
    return len(a & b) / union if union else 0.0  # type: ignore[operator]


def load_split(root: Path, name: str) -> Split:
    labels, first, second = read_pairs(root / f"msr_paraphrase_{name}.txt")
    sketcher = SentenceSketcher(min_sentence_words=1)
    a, b = content_sets(first, sketcher), content_sets(second, sketcher)
    words_a = [set(_WORD.findall(t.lower())) for t in first]
    words_b = [set(_WORD.findall(t.lower())) for t in second]
    return Split(
        name=name,
        label=np.array(labels, dtype=np.bool_),
        content=np.array([jaccard(x, y) for x, y in zip(a, b, strict=True)]),
        words=np.array([jaccard(x, y) for x, y in zip(words_a, words_b, strict=True)]),
    )


def scores(scores_: F64Array, label: BoolArray, threshold: float) -> tuple[float, float, float]:
    """Precision, recall, F1 of ``score >= threshold`` as "paraphrase"."""
    flagged = scores_ >= threshold
    tp = int((flagged & label).sum())
    precision = tp / max(int(flagged.sum()), 1)
    recall = tp / max(int(label.sum()), 1)
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return precision, recall, f1


def choose_order_similarity(train: Split) -> float:
    """The highest grid threshold keeping >= `TARGET_RECALL` of the train paraphrases."""
    kept = [t for t in GRID if scores(train.content, train.label, t)[1] >= TARGET_RECALL]
    return max(kept)


def best_f1_threshold(values: F64Array, label: BoolArray) -> float:
    return max(GRID, key=lambda t: scores(values, label, t)[2])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=data_dir("msrp"))
    args = parser.parse_args(argv)
    train, test = load_split(args.data, "train"), load_split(args.data, "test")
    chosen = choose_order_similarity(train)
    config = RewriteConfig()
    baseline = best_f1_threshold(train.words, train.label)
    print(
        f"train {train.label.size} pairs ({train.label.mean():.3f} paraphrases), "
        f"test {test.label.size} ({test.label.mean():.3f})"
    )
    print(
        f"order_similarity chosen on train (highest with recall >= {TARGET_RECALL}): {chosen} "
        f"(RewriteConfig default {config.order_similarity}); sentence_similarity "
        f"{config.sentence_similarity} (chosen on BBC); baseline best-F1 threshold on train: "
        f"{baseline}"
    )
    rows: list[list[str]] = []
    settings = [
        ("content words (order_similarity)", "content", chosen),
        ("content words (sentence_similarity)", "content", config.sentence_similarity),
        ("all words, baseline, same threshold", "words", chosen),
        ("all words, baseline, same threshold", "words", config.sentence_similarity),
        ("all words, baseline, best train F1", "words", baseline),
    ]
    for split in (train, test):
        for name, measure, threshold in settings:
            values = getattr(split, measure)
            precision, recall, f1 = scores(values, split.label, threshold)
            flagged = float((values >= threshold).mean())
            rows.append(
                [
                    split.name,
                    name,
                    f"{threshold:.2f}",
                    f"{flagged:.3f}",
                    f"{precision:.3f}",
                    f"{recall:.3f}",
                    f"{f1:.3f}",
                ]
            )
    header = ["split", "matcher", "threshold", "flagged", "precision", "recall", "F1"]
    print_table(header, rows)


if __name__ == "__main__":
    main()
