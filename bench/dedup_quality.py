"""Quality of near-duplicate and rewrite detection on real news: precision, recall, F1 per kind.

    python bench/dedup_quality.py [--data DIR] [--seed 0] [--per-kind 200]
    python bench/dedup_quality.py --list-natural     # the labelled natural pairs, to audit

The evaluation set is built deterministically from the BBC News corpus (2,225 articles in 5
topic folders), then the FULL `NearDupIndex` runs over the whole corpus plus the generated
documents (4,025 in all), so a false match anywhere counts. A pair is *found* when both
documents end in the same cluster; every pair inside a cluster is a *flagged* pair.

Ground truth, by hand-auditable rules (word 5-gram shingles of `cleaner.dedup`, computed
exactly for every pair of articles that shares at least 3 shingles):

- ``exact``: natural copies, equal after whitespace normalisation (all pairs of each group);
- ``near-natural``: natural near-identical copies and updated versions: same topic folder
  and word 5-gram Jaccard >= 0.5, or containment >= 0.8 with >= 20 shingles in the shorter;
- ``related`` (ignored): same topic, not a positive, containment in [0.4, 0.8): a story
  and its follow-up that repeat much of the text with a new lead (e.g. politics/327 and 328,
  a denial and the next day's "I was not leant on"). Whether they are "the same story" is a
  matter of taste, so these pairs count neither as true nor as false; how many each mode
  flags is printed, and ``overall, strict`` counts them as false;
- generated kinds (`dedup_rewrites.KINDS`): one rewrite per original, `per_kind` originals
  per kind, drawn without replacement from the articles in no natural pair;
- ``same-topic``: the hardest negatives, for each topic the `negatives_per_topic` pairs of
  the same topic with the highest content-word Jaccard that are not positives or related
  (mostly follow-ups sharing names, background paragraphs and quotes: containment < 0.4);
- every other pair is a negative too; flagged pairs in the same "story" (the connected
  components of the positive pairs, e.g. two rewrites of one original) are true positives.

The labels were spot-checked by reading pairs on both sides of each boundary: the updated
versions with Jaccard 0.35-0.7 (politics/111 and 293, an article and the same with more
readers' comments; sport/444 and 458; politics/088 and 337) are one story; the related pairs
(politics/327 and 328, 374 and 409, tech/101 and 123) are a story and its next version with
a new lead; the hardest negatives (entertainment/076 and 100, two weekends of one box-office
chart; sport/417 and 418; politics/294 and 311) are different stories that reuse background
sentences and quotes.

Rows per kind: pairs (positives of that kind, or negatives for ``same-topic``), TP and FN
over those, FP = flagged pairs that are false and attributed to the kind (a generated
document matched with a document of another story; ``same-topic``: a flagged negative;
``other``: any other false pair of two corpus articles). ``light+natural`` and ``heavy``
sum the kinds of `dedup_rewrites.LIGHT_KINDS` (with the natural ones) and the rest.
``overall`` counts every flagged pair once (ignoring ``related``). Both modes are run:
``near`` (rewrite stage off) and ``rewrite`` (on, the default), at default settings otherwise.

Figures, with the command that produced them: bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cleaner.dedup.index import DedupConfig, NearDupIndex
from cleaner.dedup.lsh import run_pairs
from cleaner.dedup.normalization import normalize
from cleaner.dedup.rewrite import RewriteConfig
from cleaner.dedup.sentences import ENGLISH_STOPWORDS
from cleaner.dedup.shingles import Shingler
from cleaner.dedup.verify import pair_overlaps

try:
    from bench import common
    from bench.dedup_rewrites import KINDS, LIGHT_KINDS
except ImportError:  # run as a script: bench/ itself is on sys.path
    import common  # type: ignore[no-redef]
    from dedup_rewrites import KINDS, LIGHT_KINDS  # type: ignore[no-redef]

NEAR_JACCARD = 0.5
NEAR_CONTAINMENT = 0.8
RELATED_CONTAINMENT = 0.4
MIN_CONTAINMENT_SHINGLES = 20

I64Array = npt.NDArray[np.int64]
Pair = tuple[int, int]


@dataclass
class EvalSet:
    """Texts (corpus first, then generated), labelled pairs and their kinds."""

    texts: list[str]
    ids: list[str]
    topics: list[str]
    n_corpus: int
    positives: dict[Pair, str] = field(default_factory=dict)
    related: set[Pair] = field(default_factory=set)
    overlaps: dict[Pair, tuple[float, float]] = field(default_factory=dict)
    negatives: set[Pair] = field(default_factory=set)
    kind_of_doc: dict[int, str] = field(default_factory=dict)


def _pair(a: int, b: int) -> Pair:
    return (a, b) if a < b else (b, a)


def load_corpus(data_dir: Path) -> tuple[list[str], list[str], list[str]]:
    """Texts, ids (``topic/name``) and topics of the BBC articles, sorted by path."""
    articles = common.load_bbc(data_dir)
    return [a.text for a in articles], [a.id for a in articles], [a.topic for a in articles]


def shingle_overlaps(texts: Sequence[str]) -> tuple[I64Array, np.ndarray, np.ndarray]:
    """Word 5-gram Jaccard and containment of every pair sharing >= 3 shingles (exact)."""
    sets = Shingler().shingle(texts).unique_sorted()
    docs = np.repeat(np.arange(len(texts), dtype=np.int64), sets.sizes())
    # All pairs within runs of equal shingles; stock phrases (> 64 docs) only via anchors.
    pairs = run_pairs(sets.hashes.astype(np.uint64), docs, max_full_run=64, anchors=64)
    low = np.minimum(pairs[:, 0], pairs[:, 1]).astype(np.uint64)
    high = np.maximum(pairs[:, 0], pairs[:, 1]).astype(np.uint64)
    codes, counts = np.unique((low << np.uint64(32)) | high, return_counts=True)
    codes = codes[counts >= 3]
    found = np.stack([(codes >> np.uint64(32)), codes & np.uint64(0xFFFFFFFF)], axis=1)
    found = found.astype(np.int64)
    found = found[found[:, 0] != found[:, 1]]
    overlaps = pair_overlaps(sets, found)
    smaller = np.minimum(overlaps.left_size, overlaps.right_size)
    containment = np.where(smaller >= MIN_CONTAINMENT_SHINGLES, overlaps.containment, 0.0)
    return found, overlaps.jaccard, containment


def label_natural(ev: EvalSet) -> None:
    """Exact groups, near-natural positives and related pairs among the corpus articles."""
    texts = ev.texts[: ev.n_corpus]
    groups: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        groups.setdefault(" ".join(text.split()), []).append(i)
    for members in groups.values():
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                ev.positives[_pair(members[x], members[y])] = "exact"
    pairs, jaccard, containment = shingle_overlaps(texts)
    for (a, b), j, c in zip(pairs.tolist(), jaccard.tolist(), containment.tolist(), strict=True):
        key = _pair(a, b)
        ev.overlaps[key] = (j, c)
        if key in ev.positives or ev.topics[a] != ev.topics[b]:
            continue
        if j >= NEAR_JACCARD or c >= NEAR_CONTAINMENT:
            ev.positives[key] = "near-natural"
        elif c >= RELATED_CONTAINMENT:
            ev.related.add(key)


def content_words(text: str) -> set[str]:
    return {
        w
        for w in normalize(text).split()
        if len(w) > 1 and w not in ENGLISH_STOPWORDS and w.strip("0")
    }


def hardest_negatives(ev: EvalSet, per_topic: int) -> None:
    """Same-topic pairs with the highest content-word Jaccard, not positive, not related."""
    words = [content_words(t) for t in ev.texts[: ev.n_corpus]]
    touched = set(ev.positives) | ev.related
    topics = np.array(ev.topics[: ev.n_corpus])
    for topic in sorted(set(ev.topics[: ev.n_corpus])):
        members = np.flatnonzero(topics == topic)
        vocab: dict[str, int] = {}
        for i in members:
            for w in words[i]:
                vocab.setdefault(w, len(vocab))
        matrix = np.zeros((members.size, len(vocab)), dtype=np.float32)
        for row, i in enumerate(members):
            matrix[row, [vocab[w] for w in words[i]]] = 1.0
        inter = matrix @ matrix.T
        size = matrix.sum(axis=1)
        jaccard = inter / (size[:, None] + size[None, :] - inter)
        upper = np.triu_indices(members.size, 1)
        taken = 0
        for k in np.argsort(-jaccard[upper], kind="stable").tolist():
            key = _pair(int(members[upper[0][k]]), int(members[upper[1][k]]))
            if key in touched:
                continue
            ev.negatives.add(key)
            taken += 1
            if taken == per_topic:
                break


def generate(ev: EvalSet, per_kind: int, seed: int) -> None:
    """Append one rewrite per original, `per_kind` originals per kind (no original reused)."""
    busy = {i for pair in [*ev.positives, *ev.related] for i in pair}
    free = [i for i in range(ev.n_corpus) if i not in busy]
    rng = random.Random(seed)
    chosen = rng.sample(free, min(len(free), per_kind * len(KINDS)))
    for k, (kind, make) in enumerate(KINDS.items()):
        for original in chosen[k * per_kind : (k + 1) * per_kind]:
            doc = len(ev.texts)
            text = make(ev.texts[original], random.Random(f"{seed}:{kind}:{original}"))
            ev.texts.append(text)
            ev.ids.append(f"{kind}:{ev.ids[original]}")
            ev.topics.append(ev.topics[original])
            ev.kind_of_doc[doc] = kind
            ev.positives[_pair(original, doc)] = kind


def build_eval_set(
    data_dir: Path, *, seed: int = 0, per_kind: int = 200, negatives_per_topic: int = 100
) -> EvalSet:
    texts, ids, topics = load_corpus(data_dir)
    ev = EvalSet(texts=texts, ids=ids, topics=topics, n_corpus=len(texts))
    label_natural(ev)
    hardest_negatives(ev, negatives_per_topic)
    generate(ev, per_kind, seed)
    return ev


class Stories:
    """Connected components of the positive pairs: documents telling one story."""

    def __init__(self, n_docs: int, pairs: Iterable[Pair]) -> None:
        self.parent = list(range(n_docs))
        for a, b in pairs:
            self.parent[self.find(a)] = self.find(b)

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x


def flagged_pairs(cluster: I64Array) -> set[Pair]:
    """Every pair of documents that share a cluster."""
    order = np.argsort(cluster, kind="stable")
    bounds = np.flatnonzero(np.diff(cluster[order])) + 1
    out: set[Pair] = set()
    for group in np.split(order, bounds):
        members = sorted(group.tolist())
        for x in range(len(members)):
            for y in range(x + 1, len(members)):
                out.add((members[x], members[y]))
    return out


def evaluate(ev: EvalSet, config: DedupConfig, mode: str) -> list[dict[str, object]]:
    """Run the index over the whole evaluation set and score it per kind."""
    index = NearDupIndex(config)
    index.add(ev.texts, ev.ids)
    result = index.finish()
    flagged = flagged_pairs(result.assignments.cluster)
    stories = Stories(len(ev.texts), ev.positives)
    kinds = ["exact", "near-natural", *KINDS]
    tp = dict.fromkeys([*kinds, "same-topic", "other"], 0)
    fp = dict(tp)
    fn = dict(tp)
    pairs = dict(tp)
    for key, kind in ev.positives.items():
        pairs[kind] += 1
        if key in flagged:
            tp[kind] += 1
        else:
            fn[kind] += 1
    pairs["same-topic"] = len(ev.negatives)
    extra_tp = related_flagged = 0
    for a, b in flagged:
        key = (a, b)
        if key in ev.positives:
            continue
        if key in ev.related:
            related_flagged += 1
        elif stories.find(a) == stories.find(b):
            extra_tp += 1
        elif key in ev.negatives:
            fp["same-topic"] += 1
        else:
            generated = ev.kind_of_doc.get(b) or ev.kind_of_doc.get(a)
            fp[generated or "other"] += 1
    rows = [_row(mode, k, pairs[k], tp[k], fp[k], fn[k]) for k in kinds]
    light = [k for k in kinds if k in LIGHT_KINDS or k in ("exact", "near-natural")]
    heavy = [k for k in KINDS if k not in LIGHT_KINDS]
    for name, group in (("light+natural", light), ("heavy", heavy)):
        rows.append(
            _row(
                mode,
                name,
                sum(pairs[k] for k in group),
                sum(tp[k] for k in group),
                sum(fp[k] for k in group),
                sum(fn[k] for k in group),
            )
        )
    rows.append(_row(mode, "same-topic", pairs["same-topic"], 0, fp["same-topic"], 0))
    rows.append(_row(mode, "other", 0, 0, fp["other"], 0))
    rows.append(_row(mode, "related (ignored)", len(ev.related), 0, 0, 0, related_flagged))
    total_tp = sum(tp.values()) + extra_tp
    false = sum(fp.values())
    rows.append(_row(mode, "overall", len(ev.positives), total_tp, false, sum(fn.values())))
    strict = _row(
        mode,
        "overall, strict",
        len(ev.positives),
        total_tp,
        false + related_flagged,
        sum(fn.values()),
    )
    rows.append(strict)  # related pairs counted as false
    return rows


def _row(
    mode: str, kind: str, pairs: int, tp: int, fp: int, fn: int, flagged: int | None = None
) -> dict[str, object]:
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall > 0
        else None
    )
    return {
        "mode": mode,
        "kind": kind,
        "pairs": pairs,
        "TP": tp,
        "FP": fp,
        "FN": fn,
        "flagged": tp + fp if flagged is None else flagged,
        "precision": precision,
        "recall": recall,
        "F1": f1,
    }


def modes() -> dict[str, DedupConfig]:
    """The two modes compared: the library defaults with the rewrite stage off and on."""
    default = DedupConfig()
    rewrite = replace(default.rewrite or RewriteConfig(), enabled=True)
    return {"near": replace(default, rewrite=None), "rewrite": replace(default, rewrite=rewrite)}


def run_quality(
    data_dir: Path, *, seed: int = 0, per_kind: int = 200, negatives_per_topic: int = 100
) -> list[dict[str, object]]:
    """Rows (mode, kind, pairs, TP, FP, FN, flagged, precision, recall, F1) for both modes."""
    ev = build_eval_set(
        data_dir, seed=seed, per_kind=per_kind, negatives_per_topic=negatives_per_topic
    )
    rows: list[dict[str, object]] = []
    for mode, config in modes().items():
        rows.extend(evaluate(ev, config, mode))
    return rows


def format_table(rows: Sequence[dict[str, object]]) -> str:
    def num(value: object) -> str:
        return "-" if value is None else f"{value:.3f}"

    header = ["mode", "kind", "pairs", "TP", "FP", "FN", "flagged", "precision", "recall", "F1"]
    cells = [
        [
            *(str(r[key]) for key in ("mode", "kind", "pairs", "TP", "FP", "FN", "flagged")),
            *(num(r[key]) for key in ("precision", "recall", "F1")),
        ]
        for r in rows
    ]
    return common.format_table(header, cells, left=2)


def natural_pairs(ev: EvalSet) -> str:
    """The labelled natural pairs with their word 5-gram Jaccard and containment, to audit."""
    lines = [f"{'label':<13} {'jaccard':>7} {'contain':>7}  pair"]
    labelled = [(k, v) for k, v in ev.positives.items() if v in ("exact", "near-natural")]
    labelled += [(k, "related") for k in sorted(ev.related)]
    for (a, b), label in sorted(labelled, key=lambda item: (item[1], item[0])):
        j, c = ev.overlaps.get((a, b), (1.0, 1.0))
        lines.append(f"{label:<13} {j:7.3f} {c:7.3f}  {ev.ids[a]} {ev.ids[b]}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=common.bbc_dir())
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--negatives-per-topic", type=int, default=100)
    parser.add_argument(
        "--list-natural", action="store_true", help="print the labelled natural pairs and exit"
    )
    args = parser.parse_args(argv)
    if args.list_natural:
        print(natural_pairs(build_eval_set(args.data, seed=args.seed, per_kind=0)))
        return
    rows = run_quality(
        args.data,
        seed=args.seed,
        per_kind=args.per_kind,
        negatives_per_topic=args.negatives_per_topic,
    )
    print(format_table(rows))


if __name__ == "__main__":
    sys.exit(main())
