"""How far a margin over trafilatura on eval-dev can be trusted on pages nobody has seen.

    .venv/bin/python bench/html_halves.py [--data DIR] [--halves N] [--engine trafilatura|bs4]

trafilatura's evaluation set was split in two: `trafilatura-eval-dev` here, the other half
held out. A rule chosen on eval-dev is judged on the other half, so the question is how much
the F1 margin of cleaner over `trafilatura.extract` (defaults) moves between two halves of
the same kind of pages. This script scores both systems once per page (trafilatura's snippet
metric, `html_bench.snippet_counts`), then draws `--halves` random halves of the pages
(seeded) and prints the margin's mean, spread and percentiles over them, the share of halves
where it reaches +0.01 (the issue's goal), and the pages where cleaner loses or leaks a
snippet that trafilatura does not (the errors that would carry over).

Nothing is asserted; the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from html_bench import Page, cleaner_chain, default_data, load_set, snippet_counts, trafilatura_with

Counts = tuple[int, int, int]


def f1(counts: Sequence[Counts], pages: Sequence[int]) -> float:
    """trafilatura's F1 = 2TP / (2TP + FP + FN) over the given pages."""
    tp = sum(counts[i][0] for i in pages)
    errors = sum(counts[i][1] + counts[i][2] for i in pages)
    return 2 * tp / (2 * tp + errors) if tp or errors else 0.0


def half_margins(
    ours: Sequence[Counts], theirs: Sequence[Counts], halves: int, seed: int = 0
) -> list[float]:
    """F1(ours) - F1(theirs) on `halves` random halves of the pages, sorted."""
    rng = random.Random(seed)
    order = list(range(len(ours)))
    margins = []
    for _ in range(halves):
        rng.shuffle(order)
        half = order[: len(order) // 2]
        margins.append(f1(ours, half) - f1(theirs, half))
    return sorted(margins)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data(), help="shared/data")
    parser.add_argument("--halves", type=int, default=2000)
    parser.add_argument("--engine", choices=("trafilatura", "bs4"), default="trafilatura")
    args = parser.parse_args(argv)
    pages: list[Page] = load_set("trafilatura", args.data)
    failures: Counter[str] = Counter()
    ours_run = cleaner_chain(args.engine, failures)
    theirs_run = trafilatura_with(failures)
    ours = [snippet_counts(p, ours_run(p.html, p.url)) for p in pages]
    theirs = [snippet_counts(p, theirs_run(p.html, p.url)) for p in pages]
    everything = range(len(pages))
    full = f1(ours, everything) - f1(theirs, everything)
    print(f"eval-dev, {len(pages)} pages: cleaner ({args.engine} engine) F1 "
          f"{f1(ours, everything):.4f}, trafilatura {f1(theirs, everything):.4f}, "
          f"margin {full:+.4f}")  # fmt: skip
    margins = half_margins(ours, theirs, max(2, args.halves))
    n = len(margins)
    print(f"margin on {n} random halves ({len(pages) // 2} pages each, seed 0): "
          f"mean {statistics.mean(margins):+.4f}, sd {statistics.stdev(margins):.4f}, "
          f"p5 {margins[n // 20]:+.4f}, p25 {margins[n // 4]:+.4f}, "
          f"median {margins[n // 2]:+.4f}, p95 {margins[n - 1 - n // 20]:+.4f}")  # fmt: skip
    print(f"share of halves with margin >= +0.01: {sum(m >= 0.01 for m in margins) / n:.3f}; "
          f"> 0: {sum(m > 0 for m in margins) / n:.3f}")  # fmt: skip
    lost = sum(max(o[2] - t[2], 0) for o, t in zip(ours, theirs, strict=True))
    won = sum(max(t[2] - o[2], 0) for o, t in zip(ours, theirs, strict=True))
    leaked = sum(max(o[1] - t[1], 0) for o, t in zip(ours, theirs, strict=True))
    kept_out = sum(max(t[1] - o[1], 0) for o, t in zip(ours, theirs, strict=True))
    print(f"against trafilatura, page by page: {lost} snippets lost that it finds, "
          f"{won} found that it loses; {leaked} leaked that it keeps out, "
          f"{kept_out} kept out that it leaks")  # fmt: skip
    worse = [i for i in everything if ours[i][1] > theirs[i][1] or ours[i][2] > theirs[i][2]]
    print(f"pages where cleaner has more FP or FN than trafilatura: {len(worse)}")
    for i in worse:
        fp, fn = f"FP {ours[i][1]} vs {theirs[i][1]}", f"FN {ours[i][2]} vs {theirs[i][2]}"
        print(f"  {fp}, {fn}  {pages[i].id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
