"""Near-duplicate detection, all three questions in one run: how good, how fast, how big.

    python bench/dedup_bench.py                       # quality, speed, scale at 100k and 1M
    python bench/dedup_bench.py --sizes 100000        # a shorter scale section
    python bench/dedup_bench.py --no-datasketch       # skip datasketch's MinHashLSH at scale

1. quality (`dedup_quality.py`): precision, recall and F1 per kind (natural exact and near
   copies of the BBC corpus, generated light and heavy rewrites, hardest same-topic negatives)
   at the default settings, near mode and rewrite mode;
2. speed (`minhash_speed.py`): MinHash signatures per second end to end from text, cleaner vs
   datasketch vs rensa, on the same shingles;
3. scale (`dedup_scale.py`): full detection over 100,000 and 1,000,000 synthetic documents
   built from the corpus, wall time and peak RSS, each run in a fresh process, beside
   datasketch's in-memory MinHashLSH (capped, reported as "did not fit" past the cap).
Nothing is asserted; the figures go to bench/README.md with this command.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import dedup_quality
import dedup_scale
import minhash_speed
from common import bbc_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=bbc_dir())
    parser.add_argument("--sizes", type=int, nargs="+", default=list(dedup_scale.DEFAULT_SIZES))
    parser.add_argument("--no-datasketch", action="store_true")
    args = parser.parse_args()
    data = ["--data", str(args.data)]

    print("== 1. quality: precision / recall / F1 per kind, default settings\n", flush=True)
    dedup_quality.main(data)
    print("\n== 2. speed: MinHash signatures per second, end to end from text\n", flush=True)
    minhash_speed.main(data)
    print("\n== 3. scale: full detection, wall time and peak RSS\n", flush=True)
    scale_args = [*data, "--sizes", *map(str, args.sizes)]
    if args.no_datasketch:
        scale_args.append("--no-datasketch")
    dedup_scale.main(scale_args)


if __name__ == "__main__":
    main()
