"""The quality benchmark's documents in random orders and under new names: the same clusters?

    python bench/dedup_permutation.py [--orders 5] [--seed 0] [--prefer source] [--no-rewrite]

Builds the evaluation set of `dedup_quality` (the BBC News corpus plus its generated rewrites,
4,025 documents with the defaults), runs the full `NearDupIndex` over it in its own order and
then in `--orders` random orders, each time with every id replaced by a random name (ids are
the last tie-break between byte-identical texts, and names change with file names), and
compares every run with the first:

- clusters: the partition of the documents into clusters, compared as sets of documents;
- representatives: the text of each cluster's representative (byte-identical texts are
  interchangeable, so texts are compared, not documents);
- kinds: the `MatchKind` of every text (of byte-identical texts, which one is the
  representative and which the copy is decided by their ids, so kinds are compared per
  text, as a multiset).

A row per order says how many clusters with copies and copies it found and whether each of
the three is identical to the first run. ``--prefer earliest`` shows what input order did to
the clusters before representatives were chosen from the documents (order-dependent on
purpose: the first copy seen is kept). Exits 1 when a run differs under an order-independent
preference. Figures, with the command: bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from cleaner.dedup.cluster import PREFERENCES, ClusterConfig, Preference
from cleaner.dedup.index import DedupConfig, NearDupIndex

try:
    from bench import common
    from bench.dedup_quality import build_eval_set
except ImportError:  # run as a script: bench/ itself is on sys.path
    import common  # type: ignore[no-redef]
    from dedup_quality import build_eval_set  # type: ignore[no-redef]


@dataclass(frozen=True)
class Outcome:
    """One run, in the documents' original numbering."""

    clusters: frozenset[frozenset[int]]  # clusters with more than one document
    representatives: dict[frozenset[int], str]  # cluster -> its representative's text
    kinds: Counter[tuple[str, str]]  # (text, kind): byte-identical texts are interchangeable
    seconds: float

    @property
    def copies(self) -> int:
        return sum(len(c) - 1 for c in self.clusters)


def run_order(
    texts: Sequence[str], order: Sequence[int], names: Sequence[str], config: DedupConfig
) -> Outcome:
    """Index the documents in `order` (original numbers) under `names`."""
    start = time.perf_counter()
    with NearDupIndex(config) as index:
        index.add([texts[i] for i in order], list(names))
        result = index.finish()
    seconds = time.perf_counter() - start
    a = result.assignments
    members: dict[int, set[int]] = {}
    for position, rep in enumerate(a.representative.tolist()):
        members.setdefault(order[rep], set()).add(order[position])
    clusters = {rep: frozenset(m) for rep, m in members.items() if len(m) > 1}
    kinds = Counter(
        (texts[original], a.kind_of(position).label) for position, original in enumerate(order)
    )
    return Outcome(
        clusters=frozenset(clusters.values()),
        representatives={cluster: texts[rep] for rep, cluster in clusters.items()},
        kinds=kinds,
        seconds=seconds,
    )


def compare_orders(
    texts: Sequence[str], ids: Sequence[str], orders: int, seed: int, config: DedupConfig
) -> list[list[str]]:
    """Table rows: the original order, then `orders` shuffled and renamed runs."""
    rng = random.Random(seed)
    first = run_order(texts, range(len(texts)), ids, config)
    rows = [_row("original", first, first)]
    for k in range(orders):
        order = list(range(len(texts)))
        rng.shuffle(order)
        names = [f"{rng.getrandbits(48):012x}" for _ in order]
        rows.append(_row(f"shuffled {k + 1}", run_order(texts, order, names, config), first))
    return rows


def _row(label: str, outcome: Outcome, first: Outcome) -> list[str]:
    def same(flag: bool) -> str:
        return "identical" if flag else "DIFFERENT"

    return [
        label,
        str(len(outcome.clusters)),
        str(outcome.copies),
        same(outcome.clusters == first.clusters),
        same(outcome.representatives == first.representatives),
        same(outcome.kinds == first.kinds),
        f"{outcome.seconds:.1f}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=common.bbc_dir())
    parser.add_argument("--orders", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0, help="of the orders and names")
    parser.add_argument("--per-kind", type=int, default=200)
    parser.add_argument("--prefer", choices=PREFERENCES, default="source")
    parser.add_argument("--no-rewrite", action="store_true", help="rewrite stage off")
    args = parser.parse_args(argv)
    ev = build_eval_set(args.data, per_kind=args.per_kind)
    prefer: Preference = args.prefer
    config = DedupConfig(cluster=ClusterConfig(prefer=prefer))
    if args.no_rewrite:
        config = replace(config, rewrite=None)
    rows = compare_orders(ev.texts, ev.ids, args.orders, args.seed, config)
    header = ["run", "clusters", "copies", "same clusters", "same reps", "same kinds", "s"]
    stage = "on" if config.rewrite is not None else "off"
    print(f"{len(ev.texts)} documents, prefer = {prefer!r}, rewrite stage {stage}")
    print(common.format_table(header, rows, left=1))
    differs = any("DIFFERENT" in row for row in rows)
    return 1 if differs and prefer != "earliest" else 0


if __name__ == "__main__":
    sys.exit(main())
