"""The full pipeline on a dump of a million documents: cleaner (1 and 2 workers) vs datatrove.

Run:  .venv/bin/python bench/scale_bench.py [--docs 1000000] [--jobs 1 2] [--repeat N]
                                             [--no-datatrove] [--datatrove-files K]
                                             [--with-language]
                                             [--workdir DIR] [--keep] [--json PATH]

What it does, in one run:

1. Writes a synthetic dump of ``--docs`` news documents made by `dedup_scale.SyntheticStream`
   from the BBC News corpus (`--data`, by default `common.bbc_dir()`; read in place, never
   copied into the repository): base documents assembled from perturbed sentence runs, and a
   known share (15%) of planted copies of earlier documents, 30% exact (case and whitespace
   changed) and 70% near (words replaced, last sentence dropped, a credit line added); see that
   module's docstring. Records are ``{"id": "d0000001", "text": ...}``, one per line, orjson.
   The dump is uncompressed JSONL split into `DUMP_FILES` equal files (contiguous id ranges,
   in id order): uncompressed so that neither tool pays for decompression (datatrove would read
   ``.jsonl.zst`` through fsspec, cleaner through zstandard: two different decoders measured
   instead of the pipelines); several files because datatrove splits a run between its tasks by
   file, so with a single file its second task would have nothing to do. cleaner is given the
   files in order and splits them into shards itself. Everything goes to a new temporary
   directory, deleted at the end; with ``--workdir DIR`` the dump stays there and is reused by
   the next run asking for the same number of documents (the tools' outputs are deleted once
   scored); ``--keep`` keeps everything.
2. cleaner: ``cleaner clean DUMP_FILES -o OUT.jsonl --jobs N`` as a subprocess, once per
   ``--jobs`` value, with a config file holding the default chain without ``language`` (html,
   encoding, normalize, boilerplate, filters, exact_dedup, dedup). Language identification is
   left out because datatrove's language filter needs a fastText model download, which cannot
   happen here, so both tools do the same work: text repair with ftfy, and exact plus near
   duplicate detection; cleaner also runs its whitespace/markdown normalisation, boilerplate
   rules and filters on top. ``--with-language`` puts ``language`` back (for information; the
   datatrove run does not change). ``--repeat N`` runs each worker count N times, in
   interleaved rounds (1, 2, 1, 2, ...); the row shows the fastest run's wall time, the highest
   peak memory of all runs, and every run's wall time under the table.
3. datatrove (``pip install -e '.[bench]'``; skipped with a message when it is missing), the
   same dump in the same run, following its MinHash example (examples/minhash_deduplication.py
   in the datatrove repository), four `LocalPipelineExecutor` stages timed together as one
   wall time, in a child process (``scale_bench.py _datatrove ...``) so that its process tree
   is measured like cleaner's:
   stage 1 ``JsonlReader -> FTFYFormatter -> MinhashDedupSignature`` (2 tasks, 2 workers);
   stage 2 ``MinhashDedupBuckets`` (one task per bucket, 2 workers);
   stage 3 ``MinhashDedupCluster`` (1 task; it also saves cluster ids, for scoring);
   stage 4 ``JsonlReader -> FTFYFormatter -> MinhashDedupFilter(exclusion_writer=removed)
   -> JsonlWriter`` (2 tasks, 2 workers).
   ``--datatrove-files K`` gives datatrove only the first K of the dump's files (the first K/8
   of its documents, same texts): its throughput is per document, so the ratio stays
   meaningful when the whole dump would take it hours; its row gives the documents it read.
   `MINHASH` is datatrove's default `MinhashConfig` (word 5-grams after its text
   simplification, 64-bit xxhash, seed 1, 8 hashes per bucket) with 16 buckets instead of 14,
   so that it computes 128 hashes per document like cleaner's default ``num_perm = 128``: its
   LSH threshold moves from (1/14)^(1/8) = 0.72 to (1/16)^(1/8) = 0.71, and a pair with Jaccard
   0.8 becomes a candidate with probability 0.95 instead of 0.92. Its English word tokenizer is
   spaCy's blank ``en`` pipeline (datatrove's assignment for English; no model download). Both
   writers write uncompressed JSONL, like cleaner's output. datatrove has no exact-dedup step
   in this run: its exact stages (``ExactDedup*``, ``SentenceDedup``) are separate multi-stage
   jobs of their own, and MinHash puts exact copies (after its normalisation: case,
   whitespace, punctuation) in the same cluster anyway.

Measured for each run: wall time of the whole command (interpreter start to exit), throughput
= documents / wall, and peak RSS of the process tree: the RSS of the command and of all its
descendants (workers, datatrove's forkserver and pool), summed, sampled every
`SAMPLE_SECONDS` with psutil. A sum of RSS counts pages shared between forked processes once
per process, so it errs on the high side; the peak of the summed PSS (proportional set size:
a page shared by k processes counts 1/k in each) is printed under the table and saved too, as
is the largest single process. A peak shorter than the sampling period can be missed. cleaner's
rows also give its report's seconds in the map and the reduce phases.

Scored from each tool's output (after timing), against the planted copies:
- flagged: documents marked as copies (cleaner: ``meta.dup`` with a kind other than
  "representative"; datatrove: documents its filter removed);
- planted recall: planted copies put in the same cluster as their source (cleaner: the
  ``meta.dup.cluster`` of each; datatrove: ``minhash_cluster_id``). A cluster rather than
  "the copy is flagged", because datatrove keeps an arbitrary member of a cluster (its
  union-find root) and sometimes removes the source and keeps the copy;
- false flags: flagged documents with no other document of their own family (a base document
  and its planted copies) in their cluster.

Nothing is asserted: the figures go to bench/README.md with the command that produced them.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_DOCS = 1_000_000
DEFAULT_JOBS = (1, 2)
DUMP_FILES = 8
"""Files of the dump: datatrove gives each task whole files (8 divides among 1, 2, 4, 8)."""
DUMP_MANIFEST = ".manifest.json"
CHAIN = ("html", "encoding", "normalize", "boilerplate", "filters", "exact_dedup", "dedup")
"""cleaner's default chain without `language` (see the module docstring)."""
DATATROVE_WORKERS = 2
DATATROVE_TASKS = 2
MINHASH = {"n_grams": 5, "num_buckets": 16, "hashes_per_bucket": 8, "seed": 1}
"""datatrove's `MinhashConfig`: its defaults, 16 buckets x 8 hashes = 128 hashes per document."""
DATATROVE_NEEDS = ("datatrove", "ftfy", "xxhash", "spacy")

if str(HERE) not in sys.path:  # common and dedup_scale (the latter imported where it is used,
    sys.path.insert(0, str(HERE))  # not by the datatrove child, which measures datatrove alone)

from common import SAMPLE_SECONDS, TreeSampler, bbc_dir, print_table  # noqa: E402

I64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


# -- the dump --------------------------------------------------------------------------------


def doc_id(number: int) -> str:
    return f"d{number:07d}"


def dump_files(dump_dir: Path) -> list[Path]:
    return [dump_dir / f"part-{k:02d}.jsonl" for k in range(DUMP_FILES)]


def _manifest(n_docs: int) -> dict[str, Any]:
    import dedup_scale

    return {"docs": n_docs, "files": DUMP_FILES, "copy_share": dedup_scale.COPY_SHARE}


def _write_dump(stream: Any, files: list[Path]) -> None:
    """The stream's documents in order, `DUMP_FILES` contiguous id ranges, one file each."""
    per_file = -(-stream.n_docs // len(files))
    number = 0
    handle = None
    try:
        for texts in stream.chunks():
            for text in texts:
                if number % per_file == 0:
                    if handle is not None:
                        handle.close()
                    handle = files[number // per_file].open("wb")
                assert handle is not None
                handle.write(orjson.dumps({"id": doc_id(number), "text": text}) + b"\n")
                number += 1
    finally:
        if handle is not None:
            handle.close()
    for path in files:  # a dump smaller than DUMP_FILES documents: every file exists
        path.touch(exist_ok=True)


def ensure_dump(dump_dir: Path, n_docs: int, data_dir: Path) -> tuple[list[Path], float]:
    """The dump's files, written unless a complete one for `n_docs` is already there; and the
    seconds spent writing it (0 when reused)."""
    import dedup_scale

    files = dump_files(dump_dir)
    manifest = dump_dir / DUMP_MANIFEST
    wanted = _manifest(n_docs)
    complete = manifest.exists() and all(path.exists() for path in files)
    if complete and json.loads(manifest.read_text()) == wanted:
        return files, 0.0
    shutil.rmtree(dump_dir, ignore_errors=True)
    dump_dir.mkdir(parents=True)
    start = time.perf_counter()
    stream = dedup_scale.SyntheticStream(dedup_scale.load_corpus(data_dir), n_docs)
    _write_dump(stream, files)
    manifest.write_text(json.dumps(wanted))
    return files, time.perf_counter() - start


# -- measuring a command ---------------------------------------------------------------------


@dataclass
class Measured:
    """Wall time and sampled peak RSS of one command and its descendants."""

    wall_s: float
    returncode: int
    peak_tree_bytes: int
    peak_process_bytes: int
    peak_tree_pss_bytes: int = 0


def measure(command: Sequence[str], log: Path) -> Measured:
    """Run `command` (stdout and stderr to `log`) and measure its wall time and process tree."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE)])}
    with log.open("wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
        with TreeSampler(process.pid) as sampler:
            returncode = process.wait()
        wall = time.perf_counter() - start
    return Measured(
        wall, returncode, sampler.peak_tree, sampler.peak_process, sampler.peak_tree_pss
    )


# -- scoring against the planted copies ------------------------------------------------------


@dataclass
class Flags:
    """What a tool's output says: documents marked as copies, and each document's cluster
    (its own number when it is in none; numbers >= n_docs for datatrove's cluster ids)."""

    flagged: BoolArray
    cluster: I64Array
    docs_out: int = 0
    kind: dict[int, str] = field(default_factory=dict)
    """cleaner: ``meta.dup.kind`` of each flagged document (to tell which kinds are false)."""

    @classmethod
    def empty(cls, n_docs: int) -> Flags:
        return cls(np.zeros(n_docs, dtype=bool), np.arange(n_docs, dtype=np.int64))


def score(flags: Flags, n_docs: int) -> dict[str, Any]:
    """Planted recall (copy in its source's cluster) and false flags (a flagged document with
    no other member of its family in its cluster); see the module docstring."""
    import dedup_scale

    # planted() is arithmetic on document numbers: it never reads the corpus
    planted = dedup_scale.SyntheticStream(None, n_docs).planted()  # type: ignore[arg-type]
    family = planted.source
    copies = np.flatnonzero(planted.is_copy)
    found = flags.cluster[copies] == flags.cluster[family[copies]]
    key = flags.cluster * np.int64(n_docs) + family  # < 2 n_docs^2: fits in int64
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    false = np.flatnonzero(flags.flagged & (counts[inverse] < 2)).tolist()
    return {
        "docs_out": flags.docs_out,
        "flagged": int(flags.flagged.sum()),
        "planted": int(copies.size),
        "planted_found": int(found.sum()),
        "planted_flagged": int(flags.flagged[copies].sum()),
        "planted_recall": float(found.mean()) if copies.size else 0.0,
        "false_flags": len(false),
        "false_flags_by_kind": dict(Counter(flags.kind.get(k, "removed") for k in false)),
    }


def _records(paths: Sequence[Path]) -> Iterator[dict[str, Any]]:
    for path in paths:
        with path.open("rb") as fh:
            for line in fh:
                yield orjson.loads(line)


# -- cleaner ---------------------------------------------------------------------------------


def cleaner_command() -> list[str]:
    """The `cleaner` console script beside this interpreter, else ``python -m cleaner``."""
    script = Path(sys.executable).with_name("cleaner")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cleaner"]


def write_cleaner_config(path: Path, *, with_language: bool) -> None:
    chain = list(CHAIN)
    if with_language:
        chain.insert(chain.index("filters"), "language")
    names = ", ".join(f'"{name}"' for name in chain)
    path.write_text(f"[pipeline]\nprocessors = [{names}]\n")


def read_cleaner_output(output: Path, n_docs: int) -> Flags:
    """Copies and clusters from ``meta.dup`` of cleaner's JSONL output."""
    flags = Flags.empty(n_docs)
    for record in _records([output]):
        flags.docs_out += 1
        dup = (record.get("meta") or {}).get("dup")
        if not dup:
            continue
        number = int(record["id"][1:])
        flags.cluster[number] = int(dup["cluster"][1:])
        if dup["kind"] != "representative":
            flags.flagged[number] = True
            flags.kind[number] = dup["kind"]
    return flags


def run_cleaner(
    files: Sequence[Path], n_docs: int, run_dir: Path, jobs: int, *, with_language: bool
) -> dict[str, Any]:
    """One ``cleaner clean`` run over the dump; its row."""
    shutil.rmtree(run_dir, ignore_errors=True)  # no stale work directory to resume from
    run_dir.mkdir(parents=True)
    config = run_dir / "config.toml"
    write_cleaner_config(config, with_language=with_language)
    output = run_dir / "out.jsonl"
    command = [*cleaner_command(), "clean", *map(str, files), "-o", str(output)]
    command += ["--jobs", str(jobs), "--config", str(config), "--no-progress"]
    measured = measure(command, run_dir / "log.txt")
    tool = "cleaner+lang" if with_language else "cleaner"
    row = _row(tool, jobs, n_docs, measured, run_dir / "log.txt")
    if row["status"] != "ok":
        return row
    report = json.loads((run_dir / "out.report.json").read_text())
    row["duplicates_by_kind"] = report.get("duplicates_flagged", {})
    row["rejected"] = report.get("rejected", 0)
    row["phase_seconds"] = report.get("phase_seconds", {})
    row.update(score(read_cleaner_output(output, n_docs), n_docs))
    row["docs_out"] = report.get("docs_out", row.get("docs_out"))
    return row


def _row(tool: str, workers: int, n_docs: int, measured: Measured, log: Path) -> dict[str, Any]:
    row: dict[str, Any] = {
        "tool": tool,
        "workers": workers,
        "docs": n_docs,
        "wall_s": measured.wall_s,
        "docs_per_s": n_docs / measured.wall_s,
        "peak_rss_tree_bytes": measured.peak_tree_bytes,
        "peak_rss_largest_process_bytes": measured.peak_process_bytes,
        "peak_pss_tree_bytes": measured.peak_tree_pss_bytes,
        "status": "ok" if measured.returncode == 0 else f"failed (exit {measured.returncode})",
    }
    if measured.returncode != 0:
        row["log_tail"] = log.read_text(errors="replace")[-3000:]
    return row


# -- datatrove -------------------------------------------------------------------------------


def datatrove_missing() -> list[str]:
    return [name for name in DATATROVE_NEEDS if importlib.util.find_spec(name) is None]


def _datatrove_stages(dump_dir: Path, run_dir: Path) -> list[Any]:
    """The four executors of datatrove's MinHash example, on local folders."""
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import (
        MinhashConfig,
        MinhashDedupBuckets,
        MinhashDedupCluster,
        MinhashDedupFilter,
    )
    from datatrove.pipeline.formatters import FTFYFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    config = MinhashConfig(**MINHASH)
    dump, work, logs = str(dump_dir), run_dir / "minhash", run_dir / "logs"

    def reader() -> Any:
        return JsonlReader(dump, glob_pattern="*.jsonl")

    def writer(folder: Path) -> Any:
        return JsonlWriter(str(folder), output_filename="${rank}.jsonl", compression=None)

    signatures = [reader(), FTFYFormatter(), MinhashDedupSignature(str(work / "sigs"), config)]
    buckets = [MinhashDedupBuckets(str(work / "sigs"), str(work / "buckets"), config=config)]
    cluster = [
        MinhashDedupCluster(
            str(work / "buckets"), str(work / "remove_ids"), config=config, save_cluster_id=True
        )
    ]
    dedup_filter = MinhashDedupFilter(
        str(work / "remove_ids"),
        exclusion_writer=writer(run_dir / "removed"),
        load_cluster_ids=True,
    )
    final = [reader(), FTFYFormatter(), dedup_filter, writer(run_dir / "out")]
    plan = [
        ("signatures", signatures, DATATROVE_TASKS, DATATROVE_WORKERS),
        ("buckets", buckets, config.num_buckets, DATATROVE_WORKERS),
        ("cluster", cluster, 1, 1),
        ("filter", final, DATATROVE_TASKS, DATATROVE_WORKERS),
    ]
    return [
        (
            name,
            LocalPipelineExecutor(
                pipeline=steps, tasks=tasks, workers=workers, logging_dir=str(logs / name)
            ),
        )
        for name, steps, tasks, workers in plan
    ]


def datatrove_child(argv: Sequence[str]) -> None:
    """Child mode: run the four datatrove stages, save each stage's seconds."""
    parser = argparse.ArgumentParser(prog="scale_bench.py _datatrove")
    parser.add_argument("dump_dir", type=Path)
    parser.add_argument("run_dir", type=Path)
    args = parser.parse_args(argv)
    seconds: dict[str, float] = {}
    for name, executor in _datatrove_stages(args.dump_dir, args.run_dir):
        start = time.perf_counter()
        executor.run()
        seconds[name] = time.perf_counter() - start
    (args.run_dir / "stages.json").write_text(json.dumps(seconds))


def read_datatrove_output(run_dir: Path, n_docs: int) -> Flags:
    """Removed documents and ``minhash_cluster_id`` of every document, from both writers."""
    flags = Flags.empty(n_docs)
    for folder, removed in (("out", False), ("removed", True)):
        for record in _records(sorted((run_dir / folder).glob("*.jsonl"))):
            number = int(record["id"][1:])
            flags.flagged[number] = removed
            flags.docs_out += int(not removed)
            cluster = (record.get("metadata") or {}).get("minhash_cluster_id", -1)
            if cluster >= 0:
                flags.cluster[number] = n_docs + cluster
    return flags


def datatrove_input(
    files: Sequence[Path], n_docs: int, count: int, run_dir: Path
) -> tuple[Path, int]:
    """The folder datatrove reads and how many documents it holds: the dump's folder, or
    (``--datatrove-files K`` < `DUMP_FILES`) a folder of links to its first K files, i.e.
    the first documents of the same dump (files hold contiguous id ranges from 0)."""
    if count >= len(files):
        return files[0].parent, n_docs
    folder = run_dir / f"first-{count}-files"
    folder.mkdir(parents=True)
    for path in files[:count]:
        (folder / path.name).symlink_to(path.resolve())
    per_file = -(-n_docs // len(files))
    return folder, min(n_docs, per_file * count)


def run_datatrove(
    files: Sequence[Path], n_docs: int, run_dir: Path, file_count: int = DUMP_FILES
) -> dict[str, Any]:
    """The four datatrove stages in a measured child process; its row."""
    shutil.rmtree(run_dir, ignore_errors=True)  # datatrove skips tasks it finds completed
    run_dir.mkdir(parents=True)
    folder, n_docs = datatrove_input(files, n_docs, file_count, run_dir / "input")
    command = [sys.executable, str(Path(__file__).resolve()), "_datatrove"]
    command += [str(folder), str(run_dir)]
    measured = measure(command, run_dir / "log.txt")
    row = _row("datatrove", DATATROVE_WORKERS, n_docs, measured, run_dir / "log.txt")
    if row["status"] != "ok":
        return row
    row["stages_s"] = json.loads((run_dir / "stages.json").read_text())
    row.update(score(read_datatrove_output(run_dir, n_docs), n_docs))
    return row


# -- report ----------------------------------------------------------------------------------


def print_rows(rows: Sequence[dict[str, Any]]) -> None:
    header = ["tool", "workers", "docs", "wall s", "docs/s", "peak RSS", "docs out", "flagged"]
    header += ["recall", "false"]
    cells = []
    for row in rows:
        head = [row["tool"], str(row["workers"]), f"{row['docs']:,}"]
        if row["status"] != "ok":
            cells.append([*head, row["status"], *([""] * (len(header) - 4))])
            continue
        cells.append(
            [
                *head,
                f"{row['wall_s']:.1f}",
                f"{row['docs_per_s']:,.0f}",
                f"{row['peak_rss_tree_bytes'] / 2**20:,.0f} MiB",
                f"{row['docs_out']:,}",
                f"{row['flagged']:,}",
                f"{row['planted_recall']:.4f}",
                f"{row['false_flags']:,}",
            ]
        )
    print_table(header, cells)
    print(
        "peak RSS: the process tree (command + workers), summed, sampled every"
        f" {SAMPLE_SECONDS} s. flagged: cleaner meta.dup copies, datatrove removed documents.\n"
        "recall: planted copies in their source's cluster. false: flagged documents with no"
        " member of their own family (base document + its planted copies) in their cluster."
    )
    for row in rows:
        for note in _notes(row):
            print(f"  {row['tool']} {row['workers']}w: {note}")


def _notes(row: dict[str, Any]) -> list[str]:
    """The details under the table: kinds flagged, false flags by kind, datatrove's stages,
    or the end of the log of a failed run."""
    if row["status"] != "ok":
        return [str(line) for line in row.get("log_tail", "").strip().splitlines()[-1:]]
    notes = []
    if "duplicates_by_kind" in row:
        kinds = ", ".join(f"{k} {v:,}" for k, v in row["duplicates_by_kind"].items())
        notes.append(f"meta.dup {kinds}; rejected {row['rejected']:,}")
    if len(row.get("runs_wall_s", ())) > 1:
        walls = ", ".join(f"{wall:.1f}" for wall in row["runs_wall_s"])
        notes.append(f"runs {walls} s: wall of the fastest, memory the highest of all")
    if row.get("phase_seconds"):
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in row["phase_seconds"].items())
        notes.append(f"phases {phases}")
    if row.get("peak_pss_tree_bytes"):
        notes.append(f"peak PSS (tree) {row['peak_pss_tree_bytes'] / 2**20:,.0f} MiB")
    if "stages_s" in row:
        notes.append("stages " + ", ".join(f"{k} {v:.1f} s" for k, v in row["stages_s"].items()))
    if row["false_flags"]:
        kinds = ", ".join(f"{k} {v:,}" for k, v in row["false_flags_by_kind"].items())
        notes.append(f"false flags by kind: {kinds}")
    return notes


def fastest_of(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """One row for repeated runs of the same command: the wall time (and its phases) of the
    fastest, the highest memory of all, and every run's wall time. A failed run is the row."""
    failed = [row for row in runs if row["status"] != "ok"]
    if failed:
        return failed[0]
    best = dict(min(runs, key=lambda row: row["wall_s"]))
    for key in ("peak_rss_tree_bytes", "peak_rss_largest_process_bytes", "peak_pss_tree_bytes"):
        best[key] = max(row[key] for row in runs)
    best["runs_wall_s"] = [row["wall_s"] for row in runs]
    return best


def _rate(rows: Sequence[dict[str, Any]], tool: str, workers: int) -> float | None:
    for row in rows:
        if row["tool"] == tool and row["workers"] == workers and row["status"] == "ok":
            return float(row["docs_per_s"])
    return None


def ratios(rows: Sequence[dict[str, Any]]) -> dict[str, float]:
    """cleaner 2 workers / 1 worker, and cleaner 2 workers / datatrove 2 workers."""
    out: dict[str, float] = {}
    for tool in ("cleaner", "cleaner+lang"):
        two, one = _rate(rows, tool, 2), _rate(rows, tool, 1)
        theirs = _rate(rows, "datatrove", DATATROVE_WORKERS)
        if two and one:
            out[f"{tool} 2 workers / {tool} 1 worker"] = two / one
        if two and theirs:
            out[f"{tool} 2 workers / datatrove {DATATROVE_WORKERS} workers"] = two / theirs
    return out


# -- main ------------------------------------------------------------------------------------


def _workdir(args: argparse.Namespace) -> tuple[Path, bool]:
    """The work directory, and whether this run made it (then it goes unless --keep)."""
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        return args.workdir.resolve(), False
    return Path(tempfile.mkdtemp(prefix="scale_bench-")), True


def run_all(args: argparse.Namespace, workdir: Path) -> list[dict[str, Any]]:
    files, seconds = ensure_dump(workdir / f"dump-{args.docs}", args.docs, args.data)
    size = sum(path.stat().st_size for path in files)
    how = f"written in {seconds:.1f} s" if seconds else "reused"
    print(f"dump: {args.docs:,} docs, {size / 2**20:,.0f} MiB in {len(files)} files, {how}")
    tool = "cleaner+lang" if args.with_language else "cleaner"
    runs: dict[int, list[dict[str, Any]]] = {jobs: [] for jobs in args.jobs}
    # Rounds interleave the worker counts, so a slow spell of a shared machine does not fall
    # on one of them only.
    for round_no in range(1, args.repeat + 1):
        for jobs in args.jobs:
            of = f" (run {round_no} of {args.repeat})" if args.repeat > 1 else ""
            print(f"running {tool} with {jobs} worker(s){of}...", flush=True)
            run_dir = workdir / f"{tool}-{jobs}w"
            row = run_cleaner(files, args.docs, run_dir, jobs, with_language=args.with_language)
            runs[jobs].append(row)
            if not args.keep:
                shutil.rmtree(run_dir, ignore_errors=True)
    rows = [fastest_of(runs[jobs]) for jobs in args.jobs]
    if not args.no_datatrove:
        missing = datatrove_missing()
        if missing:
            print(
                f"datatrove skipped: {', '.join(missing)} not installed; run"
                " .venv/bin/pip install -e '.[bench]'"
            )
        else:
            print(f"running datatrove with {DATATROVE_WORKERS} workers...", flush=True)
            run_dir = workdir / "datatrove"
            rows.append(run_datatrove(files, args.docs, run_dir, args.datatrove_files))
            if not args.keep:
                shutil.rmtree(workdir / "datatrove", ignore_errors=True)
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_datatrove"]:
        datatrove_child(argv[1:])
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--docs", type=int, default=DEFAULT_DOCS)
    parser.add_argument(
        "--jobs",
        type=int,
        nargs="+",
        default=list(DEFAULT_JOBS),
        help="cleaner worker counts to run (default: 1 2)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each cleaner configuration N times, interleaved; its row gives the fastest"
        " run's wall time and the highest memory of all runs (a shared machine's noise only"
        " ever slows a run down)",
    )
    parser.add_argument("--data", type=Path, default=bbc_dir())
    parser.add_argument("--no-datatrove", action="store_true")
    parser.add_argument(
        "--datatrove-files",
        type=int,
        default=DUMP_FILES,
        help=f"datatrove reads only the first K of the dump's {DUMP_FILES} files (the first"
        " K/8 of the documents), for a throughput ratio when the whole dump would take it"
        " too long; its row says how many documents it read",
    )
    parser.add_argument(
        "--with-language",
        action="store_true",
        help="keep cleaner's language processor in the chain",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where the dump and outputs go (default: a new temporary"
        " directory); a dump of the same --docs there is reused",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the work directory and the tools' outputs"
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat: expected a whole number >= 1")
    if args.datatrove_files < 1:
        parser.error("--datatrove-files: expected a whole number >= 1")
    workdir, made = _workdir(args)
    try:
        rows = run_all(args, workdir)
    finally:
        if made and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print()
    print_rows(rows)
    for name, value in ratios(rows).items():
        print(f"{name}: {value:.2f}x throughput")
    if args.keep:
        print(f"work directory kept: {workdir}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "ratios": ratios(rows)}, indent=1))


if __name__ == "__main__":
    main()
