"""End-to-end time of `cleaner clean` over a directory of HTML pages, beside trafilatura.

    .venv/bin/python bench/html_e2e.py [--sets zyte trafilatura] [--jobs 1 2] [--repeats N]
        [--data DIR] [--workdir DIR] [--processors LIST]

As a user runs it: the benchmark pages are written once, decompressed, as `<name>.html` files
into one directory per set (`--workdir`, default a temporary directory; not timed). Then, per
set and per number of processes, interleaved `--repeats` times, two commands are timed as
subprocesses, start-up included:

- cleaner: `cleaner clean DIR -o out.jsonl --jobs N --no-progress -q` with the default chain
  (`--processors` to set `pipeline.processors` instead, e.g. '["html"]');
- trafilatura: a plain Python script that lists the same files and runs
  `trafilatura.extract` on each file's bytes (trafilatura decodes them itself), in one
  process for N = 1 or in a `multiprocessing` pool of N processes, and writes the texts to a
  JSONL file.

Printed: the fastest wall time of each, the ratio cleaner / trafilatura, pages per second, the
least CPU time (user + system, the command and its worker processes) of each with its ratio,
and the median over the repeats of each pair's CPU ratio (cleaner's run divided by the
trafilatura run right after it): on a shared machine whose speed drifts from minute to minute,
the paired median is the steadiest figure; wall time mostly measures the other jobs, CPU time
is what the command itself spent.
Nothing is asserted; the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from html_bench import SET_DIRS, SETS, default_data

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

TRAFILATURA_SCRIPT = """
import json, sys
from multiprocessing import Pool
from pathlib import Path
import trafilatura

def extract(path):
    return trafilatura.extract(Path(path).read_bytes()) or ""

if __name__ == "__main__":
    folder, output, jobs = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    files = sorted(str(p) for p in folder.iterdir() if p.suffix == ".html")
    if jobs > 1:
        with Pool(jobs) as pool:
            texts = pool.map(extract, files, chunksize=8)
    else:
        texts = [extract(f) for f in files]
    with open(output, "w", encoding="utf-8") as out:
        for name, text in zip(files, texts):
            out.write(json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\\n")
"""


def write_pages(data: Path, set_name: str, target: Path) -> int:
    """The set's pages as plain .html files in `target`; returns how many."""
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for source in sorted((data / SET_DIRS[set_name] / "html").glob("*.gz")):
        name = source.name.removesuffix(".gz")
        if not name.endswith((".html", ".htm")):
            name += ".html"
        page = target / name
        if not page.exists():
            page.write_bytes(gzip.decompress(source.read_bytes()))
        count += 1
    return count


def timed(command: Sequence[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the command and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data())
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--jobs", nargs="+", type=int, default=[1])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--processors", help="pipeline.processors, as TOML (default chain)")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="html-e2e-"))
    script = work / "trafilatura_run.py"
    work.mkdir(parents=True, exist_ok=True)
    script.write_text(TRAFILATURA_SCRIPT, encoding="utf-8")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print(
            "note: PYTHONDONTWRITEBYTECODE is set: an editable install of cleaner compiles its"
            " modules at every start (about 0.6 s) while trafilatura's come from installed"
            " bytecode; a user's install writes the bytecode once (unset it to measure that)\n"
        )
    chain = "default chain" if not args.processors else f"processors {args.processors}"
    print(f"cleaner ({chain}) vs trafilatura.extract, fastest of {args.repeats} runs\n")
    print(
        "| set | pages | processes | cleaner s | trafilatura s | ratio "
        "| cleaner CPU s | trafilatura CPU s | CPU ratio | CPU ratio, median of pairs "
        "| cleaner pages/s |"
    )
    print("| --- " * 11 + "|")
    for set_name in args.sets:
        pages_dir = work / set_name / "pages"
        count = write_pages(args.data, set_name, pages_dir)
        for jobs in args.jobs:
            out = work / set_name / f"cleaner-{jobs}.jsonl"
            cleaner = [str(BIN / "cleaner"), "clean", str(pages_dir), "-o", str(out)]
            cleaner += ["--jobs", str(jobs), "--overwrite", "--no-progress", "-q", "--no-resume"]
            if args.processors:
                cleaner += ["--set", f"pipeline.processors={args.processors}"]
            reference = [sys.executable, str(script), str(pages_dir)]
            reference += [str(work / set_name / f"trafilatura-{jobs}.jsonl"), str(jobs)]
            best = {"cleaner": float("inf"), "trafilatura": float("inf")}
            cpu = {"cleaner": float("inf"), "trafilatura": float("inf")}
            paired: list[float] = []
            for _ in range(max(1, args.repeats)):
                pair: dict[str, float] = {}
                for name, command in (("cleaner", cleaner), ("trafilatura", reference)):
                    wall, used = timed(command)
                    best[name] = min(best[name], wall)
                    cpu[name] = min(cpu[name], used)
                    pair[name] = used
                paired.append(pair["cleaner"] / pair["trafilatura"])
            ratio = best["cleaner"] / best["trafilatura"]
            cpu_ratio = cpu["cleaner"] / cpu["trafilatura"]
            print(
                f"| {set_name} | {count} | {jobs} | {best['cleaner']:.2f} "
                f"| {best['trafilatura']:.2f} | {ratio:.2f}x | {cpu['cleaner']:.2f} "
                f"| {cpu['trafilatura']:.2f} | {cpu_ratio:.2f}x"
                f" | {statistics.median(paired):.2f}x ({min(paired):.2f}-{max(paired):.2f})"
                f" | {count / best['cleaner']:.0f} |",
                flush=True,
            )
    report = {"workdir": str(work)}
    print(f"\n{json.dumps(report)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
