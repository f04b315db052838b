"""A whole `cleaner clean` run: read inputs, run the pipeline, write output, rejects and report.

Every input ends in exactly one place. The output, the rejects file and the report are each
written atomically (temp file + rename), so a crash leaves the previous files or none at all,
never a half file that looks complete.

File inputs run resumably by default (see `cleaner.run.shards` and `cleaner.run.workdir`): the
parallel prefix of the chain runs shard by shard into a work directory (map), then the shard
files are replayed in order through the rest of the chain and written out (reduce). A run
killed at any point and started again skips the shards already done and writes the same bytes
as an uninterrupted run. Standard input, or `resumable=False`, streams as before.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from tqdm import tqdm

from cleaner import __version__
from cleaner.document import Document, Drop, Reject
from cleaner.errors import ConfigError
from cleaner.io.formats import STDIO
from cleaner.io.readers import check_inputs, count_hint, read_inputs
from cleaner.io.writers import AtomicFile, RejectWriter, open_writer
from cleaner.pipeline import Pipeline
from cleaner.run.executor import default_jobs, execute
from cleaner.run.report import RunReport
from cleaner.run.shards import read_shard, run_map
from cleaner.run.workdir import WorkDir, default_workdir, fingerprint, open_workdir

DEFAULT_SHARD_SIZE = 10_000


@dataclass(frozen=True)
class JobPaths:
    output: str
    rejects: str
    report: str


def run_clean(
    pipeline: Pipeline,
    inputs: Sequence[str],
    paths: JobPaths,
    *,
    jobs: int = 0,
    batch_size: int = 64,
    progress: bool | None = None,
    resumable: bool = True,
    shard_size: int = DEFAULT_SHARD_SIZE,
    workdir: str | None = None,
) -> RunReport:
    """Clean `inputs` into `paths.output`; rejects and a JSON report beside it.

    With `resumable` (and no standard input among `inputs`) the run goes through a work
    directory (`workdir`, default a hidden sibling of the output) in shards of `shard_size`
    items, and resumes from it if a previous run of the same config over the same inputs was
    interrupted; the directory is deleted once the output is committed.
    """
    config = pipeline.config
    in_cfg = config.get("input", {})
    check_inputs(inputs)
    if shard_size < 1:
        raise ConfigError(f"[run] shard_size: expected a whole number >= 1, got {shard_size!r}")

    report = RunReport(
        paths={"output": paths.output, "rejects": paths.rejects, "report": paths.report}
    )
    started = time.perf_counter()
    bar = tqdm(
        total=count_hint(inputs, fmt=in_cfg.get("format", "auto")),
        unit="doc",
        desc="cleaning",
        file=sys.stderr,
        disable=(not progress) if progress is not None else None,
        dynamic_ncols=True,
    )

    def read() -> Iterator[Document | Reject]:
        # The bar counts documents entering the chain: with a barrier (dedup) in it, results
        # only come out after the whole input has been through the first pass.
        for item in read_inputs(inputs, in_cfg):
            bar.update(1)
            yield item

    work: WorkDir | None = None
    if not resumable or STDIO in inputs:
        with bar:
            measured = ((_length(item), item) for item in read())
            _write_results(paths, config, report, _run(pipeline, measured, jobs, batch_size))
    else:
        digest = fingerprint(config, inputs, version=__version__, shard_size=shard_size)
        work, notice = open_workdir(workdir or default_workdir(paths.output), digest)
        if notice:
            print(notice, file=sys.stderr)
        prefix, rest = pipeline.split()
        with bar:
            stats = run_map(
                work,
                read(),
                prefix,
                shard_size=shard_size,
                jobs=default_jobs() if jobs <= 0 else jobs,
            )
        report.shards = {"total": stats.total, "resumed": stats.resumed}
        # Reduce: the rest of the chain (sequential processors, barriers, drop_empty) over the
        # shard files in input order, exactly as the streaming path runs it in the parent.
        reduce = Pipeline(rest, drop_empty=pipeline.drop_empty, config=config)
        _write_results(paths, config, report, _run(reduce, _replayed(work, stats.total), 1, 1))
    report.seconds = time.perf_counter() - started
    write_report(report, paths.report)
    if work is not None:
        work.remove()
    return report


def _length(item: Document | Reject) -> int:
    return len(item.text) if isinstance(item, Document) else 0


def _run(
    pipeline: Pipeline,
    measured: Iterable[tuple[int, Document | Drop | Reject]],
    jobs: int,
    batch_size: int,
) -> Iterator[tuple[int, Document | Drop | Reject]]:
    """Run `(input length, item)` pairs through `pipeline`; yield `(input length, result)`."""
    # Input lengths, in input order, until their results come back (in the same order).
    lengths: deque[int] = deque()

    def source() -> Iterator[Document | Drop | Reject]:
        for length, item in measured:
            lengths.append(length)
            yield item

    for result in execute(pipeline, source(), jobs=jobs, batch_size=batch_size):
        yield lengths.popleft(), result


def _replayed(work: WorkDir, shards: int) -> Iterator[tuple[int, Document | Drop | Reject]]:
    """Every shard's `(input length, result)` records in input order, one at a time."""
    for index in range(shards):
        yield from read_shard(work, index)


def _write_results(
    paths: JobPaths,
    config: dict[str, Any],
    report: RunReport,
    results: Iterable[tuple[int, Document | Drop | Reject]],
) -> None:
    """Write kept documents to the output, the rest to the rejects file; count everything.

    Each file is committed atomically when every result has been written, never before.
    """
    in_cfg = config.get("input", {})
    out_cfg = config.get("output", {})
    text_field = in_cfg.get("text_field", "text")
    id_field = in_cfg.get("id_field", "id")
    with (
        open_writer(
            paths.output,
            fmt=out_cfg.get("format", "auto"),
            text_field=text_field,
            id_field=id_field,
            trace=bool(out_cfg.get("trace", False)),
        ) as writer,
        RejectWriter(paths.rejects) as rejects,
    ):
        for length, result in results:
            report.add(result, length)
            if isinstance(result, Document):
                writer.write(result)
            elif isinstance(result, Drop):
                rejects.write_drop(result)
            else:
                rejects.write_reject(result)


def write_report(report: RunReport, path: str) -> None:
    with AtomicFile(path) as fh:
        fh.write(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
