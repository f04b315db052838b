"""A whole `cleaner clean` run: read inputs, run the pipeline, write output, rejects and report.

Every input ends in exactly one place. The output, the rejects file and the report are each
written atomically (temp file + rename), so a crash leaves the previous files or none at all,
never a half file that looks complete; the hidden temporaries such a crash leaves beside them
are removed by the next run writing the same files.

File inputs run resumably by default (see `cleaner.run.shards` and `cleaner.run.workdir`): the
parallel prefix of the chain runs shard by shard into a work directory (map, with the
signatures of the chain's whole-corpus stages), the stages are decided from the signature
files (reduce, `cleaner.run.reduce`), and the shards are finished with those decisions and
the rest of the chain and written out in order (in the workers where they can be, see
`cleaner.run.finish`). A run killed at any point and started again skips the shards already
done and writes the same bytes as an uninterrupted run. Standard input, or `resumable=False`,
streams a chain without whole-corpus stages (`cleaner.run.executor`); with one, it is the same
sharded run in a private temporary work directory, with nothing to resume.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

import orjson

from cleaner import __version__
from cleaner.document import Document, Drop, Reject
from cleaner.errors import ConfigError
from cleaner.io.atomic import AtomicFile, is_special_file, remove_stale_temporaries
from cleaner.io.formats import STDIO
from cleaner.io.readers import check_inputs, count_hint, read_inputs
from cleaner.io.targets import check_targets
from cleaner.io.writers import (
    DocumentWriter,
    RejectWriter,
    meta_side_path,
    open_writer,
)
from cleaner.options import RunOptions
from cleaner.pipeline import Pipeline
from cleaner.run.finish import FinishTask, finish_shards, finishes_in_workers
from cleaner.run.plan import Plan
from cleaner.run.pool import RESUME_HINT, ProcessMap, capped_jobs, worker_pool
from cleaner.run.progress import progress_bar
from cleaner.run.reduce import decide
from cleaner.run.report import DEFAULT_MAX_REJECT_RATE, RunReport
from cleaner.run.shards import SHARD_CHARS, MapTask, run_map, shard_starts
from cleaner.run.stream import execute_measured, finished, has_global_stage
from cleaner.run.workdir import (
    WorkDir,
    default_workdir,
    fingerprint,
    locked,
    open_workdir,
    private_workdir,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobPaths:
    """Where a run writes. `rejects`/`report` None: not written (pipe mode, unless asked);
    `overwrite`: a directory output may replace an existing directory cleaner did not write."""

    output: str
    rejects: str | None
    report: str | None
    overwrite: bool = False


def run_clean(
    pipeline: Pipeline,
    inputs: Sequence[str],
    paths: JobPaths,
    *,
    jobs: int = RunOptions.jobs,
    batch_size: int = RunOptions.batch_size,
    progress: bool | None = None,
    resumable: bool = True,
    shard_size: int = RunOptions.shard_size,
    workdir: str | None = None,
    executor: str = RunOptions.executor,
    address: str | None = None,
    max_reject_rate: float = DEFAULT_MAX_REJECT_RATE,
) -> RunReport:
    """Clean `inputs` into `paths.output`; rejects and a JSON report beside it.

    With `resumable` (and no standard input among `inputs`) the run goes through a work
    directory (`workdir`, default a hidden sibling of the output) in shards of `shard_size`
    items, and resumes from it if a previous run of the same config over the same inputs was
    interrupted; the directory is deleted once the output is committed.

    `executor` runs the shards of such a run in local worker processes (`"local"`) or as Ray
    tasks (`"ray"`, on the cluster at `address`, else on a local Ray instance with `jobs`
    CPUs); the reduce runs on this machine either way (in this process and `jobs` local
    worker processes), so both write the same bytes.

    Every path is checked first (`cleaner.io.targets.check_targets`): nothing is read and no
    work directory is created for a run that could not write its output safely.

    `max_reject_rate` goes to the report, whose `failure` then says whether the run failed
    on its rejects (the CLI's exit code 3).

    `jobs` is capped at the usable cores (a line on stderr says so) and, per pool, at the
    shards it has to run. A resumable run holds its work directory's lock until its outputs
    are written (another run with the same work directory stops with a ConfigError); with
    standard output as output and no `workdir`, the work directory is private to the run,
    in TMPDIR, and removed however the run ends (`cleaner.run.workdir`).
    """
    # The arguments of a library call are checked as the CLI's [run] table is.
    RunOptions.from_config(
        {"jobs": jobs, "batch_size": batch_size, "shard_size": shard_size, "executor": executor}
    )
    check_inputs(inputs)
    out_fmt = pipeline.config.get("output", {}).get("format", "auto")
    check_targets(
        inputs,
        output=paths.output,
        rejects=paths.rejects,
        report=paths.report,
        meta=meta_side_path(paths.output, fmt=out_fmt),
        workdir=workdir if resumable else None,
        fmt=out_fmt,
        overwrite=paths.overwrite,
    )
    with ExitStack() as stack:
        if resumable and STDIO not in inputs:
            if workdir is None and paths.output == STDIO:
                workdir = stack.enter_context(private_workdir())
            workdir = workdir or default_workdir(paths.output)
            stack.enter_context(locked(workdir))
        elif has_global_stage(pipeline.chain):
            # A stream through whole-corpus stages is a sharded run with nothing to resume.
            workdir = stack.enter_context(private_workdir())
        return _run_clean(
            pipeline,
            inputs,
            paths,
            jobs=capped_jobs(jobs, warn=True),
            batch_size=batch_size,
            progress=progress,
            resumable=resumable,
            shard_size=shard_size,
            workdir=workdir,
            executor=executor,
            address=address,
            max_reject_rate=max_reject_rate,
        )


def _run_clean(
    pipeline: Pipeline,
    inputs: Sequence[str],
    paths: JobPaths,
    *,
    jobs: int,
    batch_size: int,
    progress: bool | None,
    resumable: bool,
    shard_size: int,
    workdir: str | None,
    executor: str,
    address: str | None,
    max_reject_rate: float,
) -> RunReport:
    """`run_clean` once the work directory (if any) is chosen and locked."""
    config = pipeline.config
    in_cfg = config.get("input", {})
    if executor == "ray" and (not resumable or STDIO in inputs):
        raise ConfigError(
            "--executor ray runs sharded runs over input files: it cannot read standard input"
            " or run with --no-resume"
        )
    if executor == "ray":
        from cleaner.run.ray_executor import import_ray

        import_ray()  # a missing Ray is a usage error, found before any work is done

    named = {"output": paths.output, "rejects": paths.rejects, "report": paths.report}
    written = {name: path for name, path in named.items() if path is not None}
    for path in written.values():
        if path != STDIO and not is_special_file(path):
            remove_stale_temporaries(path)  # what a run killed mid-write left beside its outputs
    report = RunReport(paths=written, max_reject_rate=max_reject_rate)
    started = time.perf_counter()
    bar = progress_bar(progress, lambda: count_hint(inputs, fmt=in_cfg.get("format", "auto")))

    def read() -> Iterator[Document | Reject]:
        # The bar counts documents entering the chain: with a whole-corpus stage in it,
        # results only come out after the whole input has been through the map.
        for item in read_inputs(inputs, in_cfg):
            bar.update(1)
            yield item

    work: WorkDir | None = None
    resuming = resumable and STDIO not in inputs
    # Each step's exact text change is recorded only for a trace that is written out.
    tracing = bool(config.get("output", {}).get("trace", False))
    chain = dataclasses.replace(pipeline.chain, record_changes=tracing)
    measured = ((_length(item), item) for item in read())
    if workdir is None:
        with bar:
            results = execute_measured(chain, measured, jobs=jobs, batch_size=batch_size)
            _write_results(paths, config, report, results)
    else:
        digest = "temporary"
        if resuming:
            digest = fingerprint(
                config, inputs, version=__version__, shard_size=shard_size, shard_chars=SHARD_CHARS
            )
        work, notice = open_workdir(workdir, digest)
        if notice:
            log.info("%s", notice)
        plan = Plan.of(chain)
        task = MapTask(plan)
        with bar:
            if executor == "ray":
                from cleaner.run.ray_executor import run_map_ray

                stats = run_map_ray(
                    work, measured, task, shard_size=shard_size, address=address, num_cpus=jobs
                )
            else:
                stats = run_map(work, measured, task, shard_size=shard_size, jobs=jobs)
        mapped = time.perf_counter()
        _reduce(plan, work, stats.total, shard_size, jobs, paths, config, report)
        if resuming:
            report.shards = {"total": stats.total, "resumed": stats.resumed}
            report.executor = executor
            report.phases = {"map": mapped - started, "reduce": time.perf_counter() - mapped}
    report.seconds = time.perf_counter() - started
    if paths.report is not None:
        write_report(report, paths.report)
    if work is not None:
        work.remove()
    return report


def _length(item: Document | Reject) -> int:
    return len(item.text) if isinstance(item, Document) else 0


def _reduce(
    plan: Plan,
    work: WorkDir,
    shards: int,
    shard_size: int,
    workers: int,
    paths: JobPaths,
    config: dict[str, Any],
    report: RunReport,
) -> None:
    """Decide the global stages from the signature files, then finish every shard with its
    decisions and write it out, in shard order: in `workers` processes or here, as
    `finishes_in_workers` says. Both write the same bytes."""
    tasks = ProcessMap(workers, stage="reduce", hint=RESUME_HINT)
    starts = shard_starts(work, shards)
    decided = decide(plan, work, starts, tasks)
    with _outputs(paths, config) as (writer, rejects):
        encoder = writer.stream_encoder
        if encoder is not None and finishes_in_workers(plan, workers, shards, encoder):
            task = FinishTask(plan, work, tuple(starts), encoder, trace_rejects=rejects.trace)
            pool_size = min(workers, shards)  # never a worker without a shard to finish
            with worker_pool(task, pool_size, stage="reduce", hint=RESUME_HINT) as pool:
                for chunk in finish_shards(pool, decided, shards, jobs=workers):
                    chunk.copy_into(writer, rejects)
                    report.merge(chunk.report)
            return
        _write_each(writer, rejects, report, finished(plan, work, starts, decided, shard_size))


@contextmanager
def _outputs(
    paths: JobPaths, config: dict[str, Any]
) -> Iterator[tuple[DocumentWriter, RejectWriter]]:
    """The output writer and the rejects writer, each committed atomically when the block
    ends without an exception, never before."""
    in_cfg = config.get("input", {})
    out_cfg = config.get("output", {})
    with (
        open_writer(
            paths.output,
            fmt=out_cfg.get("format", "auto"),
            text_field=in_cfg.get("text_field", "text"),
            id_field=in_cfg.get("id_field", "id"),
            trace=bool(out_cfg.get("trace", False)),
            overwrite=paths.overwrite,
        ) as writer,
        RejectWriter(paths.rejects) as rejects,
    ):
        yield writer, rejects


def _write_results(
    paths: JobPaths,
    config: dict[str, Any],
    report: RunReport,
    results: Iterable[tuple[int, Document | Drop | Reject]],
) -> None:
    """Write kept documents to the output, the rest to the rejects file; count everything."""
    with _outputs(paths, config) as (writer, rejects):
        _write_each(writer, rejects, report, results)


def _write_each(
    writer: DocumentWriter,
    rejects: RejectWriter,
    report: RunReport,
    results: Iterable[tuple[int, Document | Drop | Reject]],
) -> None:
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
