"""Text reuse found in short documents: the hand-written sets of `bench/data/reuse*/`.

    python bench/reuse_bench.py [--orders 5]
    python bench/reuse_bench.py --data bench/data/reuse2

`bench/data/reuse/docs/` holds four encyclopedic source texts written for the project
(lighthouses, honey bees, coral reefs, the printing press; 410-540 words) and, for each,
nine short documents (140-220 words), labelled in `labels.tsv`. `bench/data/reuse2/`, a
second set written later to test what the first chose, has the same layout and kinds on
four other subjects (virtual memory, photosynthesis, the Great Fire of London, the
Pythagorean theorem; sources 400-440 words, documents 150-230 words), its independent
answers written as textbook answers to the same question (they share its terms of art,
standard phrasings and famous figures):

- ``cut``: copy-and-paste of two or three paragraphs from different parts of the source,
  with small edits (a word dropped or changed, a clause cut);
- ``light``: light revision of part of the source: same sentences in the same order, some
  words and phrases changed, a sentence merged or dropped;
- ``heavy``: heavy paraphrase: the same content restructured (sentences reordered, merged,
  split), most words changed;
- ``independent``: written without the source, on the same topic (the hard negatives: they
  share its topic words and some of its facts).

File names do not put the source first (``<topic>-<letter>.txt``, letters at random).
With ``--copied-cuts``, every copy-and-paste document gets a near-copy (one word changed),
as when an excerpt is syndicated: the source must still represent the whole family.

Two measures, both with the default settings of ``cleaner dedup`` (`Dedup.Options()`):

- *pair*: `judge_pair(source, document)`: is the document a copy of its source when the two
  are the whole input; for an independent document, whether it is flagged with its source
  or with any other document of its topic (every pair judged): detection quality alone;
- *run*: all 40 documents through one `NearDupIndex`, in file-name order and in `--orders`
  random orders: a derived document counts when it ends in its source's cluster, an
  independent one is flagged when it is in a cluster with any other document. The run
  measure also depends on how families form (which document represents a cluster).

Figures and the command: bench/README.md.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from common import print_table

from cleaner.dedup.index import DedupConfig, NearDupIndex
from cleaner.dedup.pair import judge_pair
from cleaner.processors.dedup import Dedup

REUSE_DIR = Path(__file__).resolve().parent / "data" / "reuse"
KINDS = ("cut", "light", "heavy", "independent")


@dataclass(frozen=True, slots=True)
class Doc:
    file: str
    topic: str
    kind: str
    text: str


def load_reuse(root: Path = REUSE_DIR) -> list[Doc]:
    """The labelled documents, in file-name order."""
    with (root / "labels.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    docs = [
        Doc(r["file"], r["topic"], r["kind"], (root / "docs" / r["file"]).read_text("utf-8"))
        for r in rows
    ]
    return sorted(docs, key=lambda d: d.file)


def pair_flags(docs: Sequence[Doc], config: DedupConfig) -> dict[str, bool]:
    """Per non-source document: flagged with its source (derived kinds), or with any document
    of its topic (independent ones), judging each pair alone."""
    source = {d.topic: d for d in docs if d.kind == "source"}
    flags: dict[str, bool] = {}
    for doc in docs:
        if doc.kind == "source":
            continue
        if doc.kind != "independent":
            flags[doc.file] = judge_pair(source[doc.topic].text, doc.text, config).is_duplicate
            continue
        others = [d for d in docs if d.topic == doc.topic and d is not doc]
        flags[doc.file] = any(judge_pair(o.text, doc.text, config).is_duplicate for o in others)
    return flags


def run_flags(docs: Sequence[Doc], config: DedupConfig, order: Sequence[int]) -> dict[str, bool]:
    """Per non-source document, in one run over `docs` taken in `order`: in its source's
    cluster (derived kinds), or in a cluster with any other document (independent ones)."""
    ordered = [docs[i] for i in order]
    with NearDupIndex(config) as index:
        index.add([d.text for d in ordered], [d.file for d in ordered])
        cluster = index.finish().assignments.cluster
    of = {d.file: int(c) for d, c in zip(ordered, cluster.tolist(), strict=True)}
    sizes = np.bincount(cluster)
    source = {d.topic: d.file for d in docs if d.kind == "source"}
    flags: dict[str, bool] = {}
    for doc in docs:
        if doc.kind == "source":
            continue
        if doc.kind == "independent":
            flags[doc.file] = bool(sizes[of[doc.file]] > 1)
        else:
            flags[doc.file] = of[doc.file] == of[source[doc.topic]]
    return flags


def rows(docs: Sequence[Doc], config: DedupConfig, n_orders: int) -> list[dict[str, object]]:
    """One row per kind: documents, and the share flagged by each measure."""
    pair = pair_flags(docs, config)
    orders = [list(range(len(docs)))]
    rng = random.Random(0)
    for _ in range(n_orders):
        shuffled = list(range(len(docs)))
        rng.shuffle(shuffled)
        orders.append(shuffled)
    runs = [run_flags(docs, config, order) for order in orders]
    out: list[dict[str, object]] = []
    for kind in KINDS:
        files = [d.file for d in docs if d.kind == kind]
        per_order = [sum(run[f] for f in files) / len(files) for run in runs]
        out.append(
            {
                "kind": kind,
                "docs": len(files),
                "pair: flagged": f"{sum(pair[f] for f in files) / len(files):.3f}",
                "run, file order": f"{per_order[0]:.3f}",
                f"run, {n_orders} random orders: min-max": (
                    f"{min(per_order[1:]):.3f}-{max(per_order[1:]):.3f}" if n_orders else "-"
                ),
            }
        )
    wrong = [
        f"{d.file} ({d.kind})"
        for d in docs
        if d.file in pair and pair[d.file] != (d.kind != "independent")
    ]
    print("pair: missed or falsely flagged:", ", ".join(wrong) or "none", file=sys.stderr)
    return out


def with_copied_cuts(docs: Sequence[Doc]) -> list[Doc]:
    """`docs` plus, for every copy-and-paste document, a copy of it with one word changed
    (``<name>-copy.txt``, kind ``cut``): two documents that carry the same passages of a
    source, as when an excerpt is syndicated. The two are near-duplicates of each other and
    only excerpts of the source, so they test that the source, not one of them, represents
    the family."""
    copies = [
        Doc(d.file.replace(".txt", "-copy.txt"), d.topic, d.kind, d.text.replace(" the ", " a ", 1))
        for d in docs
        if d.kind == "cut"
    ]
    return sorted([*docs, *copies], key=lambda d: d.file)


def same_topic_pairs(docs: Sequence[Doc]) -> int:
    """Pairs judged for the independent documents (each with every document of its topic)."""
    return sum(
        1
        for a, b in itertools.permutations(docs, 2)
        if b.kind == "independent" and a.topic == b.topic
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REUSE_DIR)
    parser.add_argument("--orders", type=int, default=5, help="random input orders to run")
    parser.add_argument(
        "--prefer",
        choices=["source", "earliest", "longest"],
        default=Dedup.Options().prefer,
        help="which document represents a cluster (the only setting changed from the defaults)",
    )
    parser.add_argument(
        "--copied-cuts",
        action="store_true",
        help="add a near-copy of every copy-and-paste document (`with_copied_cuts`)",
    )
    args = parser.parse_args(argv)
    docs = load_reuse(args.data)
    if args.copied_cuts:
        docs = with_copied_cuts(docs)
    config = Dedup.Options(prefer=args.prefer).dedup_config()
    table = rows(docs, config, args.orders)
    print_table(list(table[0]), [[str(v) for v in row.values()] for row in table])
    independent = sum(d.kind == "independent" for d in docs)
    print(
        f"independent: {same_topic_pairs(docs)} pairs judged ({independent} documents, each "
        "with every other document of its topic); run: in any cluster"
    )


if __name__ == "__main__":
    main()
