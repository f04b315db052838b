"""Throughput of the default cleaning chain on real news text, beside a hand-rolled baseline.

    python bench/clean_bench.py [--docs 20000] [--jobs 2] [--data DIR]

`--data` defaults to `common.bbc_dir()` (``../shared/data/bbc-news``, or
``$CLEANER_BENCH_DATA/bbc-news``).

What it does, in one run:
  1. builds a JSONL dump of --docs documents from the BBC News corpus (2,225 articles, repeated;
     each repetition is a distinct id, so exact de-duplication flags the repeats as it would in
     a real dump), in a temporary directory;
  2. times each processor of the default chain on one pass over the corpus, in this process;
  3. runs the whole job (read JSONL, clean on --jobs workers, write JSONL + rejects + report)
     exactly as `cleaner clean` does, and reports docs/s and peak RSS (parent and workers);
  4. runs the baseline a user would otherwise write (ftfy.fix_text + langdetect + a hash set,
     one process) over the same documents and prints the ratio.
Nothing is asserted: figures go to bench/README.md with the command that produced them.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from resource import RUSAGE_CHILDREN

import numpy as np
import orjson
from common import bbc_dir, load_bbc, peak_rss_bytes, print_table

from cleaner.document import Document
from cleaner.pipeline import Pipeline
from cleaner.run.job import JobPaths, run_clean
from cleaner.stage import Signed, global_stage_of, serial_map


def load_corpus(root: Path) -> list[tuple[str, str]]:
    """(id, text) for every BBC article, decoded as `cleaner clean` decodes files."""
    return [(f"{a.id}.txt", a.text) for a in load_bbc(root)]


def write_dump(corpus: list[tuple[str, str]], n_docs: int, path: Path) -> None:
    with path.open("wb") as fh:
        for i in range(n_docs):
            doc_id, text = corpus[i % len(corpus)]
            fh.write(orjson.dumps({"id": f"{i}:{doc_id}", "text": text}) + b"\n")


def time_processors(corpus: list[tuple[str, str]]) -> dict[str, float]:
    """Seconds spent in each processor over one pass of the corpus, single process.

    A whole-corpus stage (exact_dedup, dedup) is timed over its whole run, as one shard: sign
    every document, decide, then apply the decisions to every document.
    """
    pipeline = Pipeline.from_config()
    docs: list[Document] = [Document(doc_id, text) for doc_id, text in corpus]
    spent: dict[str, float] = defaultdict(float)
    for proc in pipeline.processors:
        start = time.perf_counter()
        stage = global_stage_of(proc)
        if stage is not None:
            everyone = np.ones(len(docs), dtype=np.bool_)
            positions = np.arange(len(docs), dtype=np.int64)
            signed = Signed(0, positions, [d.id for d in docs], everyone, stage.sign(docs))
            decisions = stage.decide(iter([signed]), serial_map).for_shard(0)
            results = [stage.apply(decisions, n, doc) for n, doc in enumerate(docs)]
        else:
            fresh = getattr(proc, "fresh", None)
            proc = fresh() if callable(fresh) else proc
            results = [proc.process(doc) for doc in docs]
        spent[proc.name] += time.perf_counter() - start
        docs = [r for r in results if isinstance(r, Document)]
    return dict(spent)


def baseline(dump: Path) -> float:
    """What a user would hand-write: ftfy + langdetect + exact hash set, one process."""
    import ftfy
    from langdetect import DetectorFactory, detect_langs

    DetectorFactory.seed = 0
    seen: set[bytes] = set()
    start = time.perf_counter()
    with dump.open("rb") as fh:
        for line in fh:
            record = orjson.loads(line)
            text = ftfy.fix_text(record["text"])
            text = "\n".join(ln.strip() for ln in text.splitlines() if ln.strip())
            detect_langs(text[:1000])
            seen.add(hashlib.blake2b(text.lower().encode(), digest_size=16).digest())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--data", type=Path, default=bbc_dir())
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()

    corpus = load_corpus(args.data)
    print(f"corpus: {len(corpus)} articles from {args.data}")
    spent = time_processors(corpus)
    total = sum(spent.values())
    print(f"\nper processor, one process, {len(corpus)} docs:")
    rows = [
        [name, f"{seconds / len(corpus) * 1000:.3f}", f"{seconds / total:.1%}"]
        for name, seconds in spent.items()
    ]
    rows.append(["all", f"{total / len(corpus) * 1000:.3f}", ""])
    print_table(["processor", "ms/doc", "share"], rows)

    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "dump.jsonl"
        write_dump(corpus, args.docs, dump)
        out = Path(tmp) / "out.jsonl"
        paths = JobPaths(str(out), str(Path(tmp) / "rejects.jsonl"), str(Path(tmp) / "r.json"))
        pipeline = Pipeline.from_config()
        start = time.perf_counter()
        report = run_clean(pipeline, [str(dump)], paths, jobs=args.jobs, progress=False)
        seconds = time.perf_counter() - start
        rate = args.docs / seconds
        print(f"\nfull job (`cleaner clean` path), {args.docs} docs, {args.jobs} workers:")
        print(f"  wall {seconds:.1f} s  ->  {rate:,.0f} docs/s")
        print(
            f"  out {report.docs_out}, rejected {report.rejected_total}, "
            f"balanced {report.check_balance()}, dups flagged {dict(report.duplicates)}"
        )
        print(
            f"  peak RSS: parent {peak_rss_bytes() / 2**20:.0f} MiB, largest worker"
            f" {peak_rss_bytes(RUSAGE_CHILDREN) / 2**20:.0f} MiB"
        )
        if not args.skip_baseline:
            base_seconds = baseline(dump)
            base_rate = args.docs / base_seconds
            print("\nbaseline (ftfy.fix_text + langdetect + hash set, 1 process):")
            print(f"  wall {base_seconds:.1f} s  ->  {base_rate:,.0f} docs/s")
            print(f"  ratio cleaner / baseline: {rate / base_rate:.2f}x")


if __name__ == "__main__":
    main()
