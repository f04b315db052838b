"""A whole `cleaner clean` run: read inputs, run the pipeline, write output, rejects and report.

Every input ends in exactly one place. The output, the rejects file and the report are each
written atomically (temp file + rename), so a crash leaves the previous files or none at all,
never a half file that looks complete.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import orjson
from tqdm import tqdm

from cleaner.document import Document, Drop, Reject
from cleaner.io.readers import check_inputs, count_hint, iter_inputs
from cleaner.io.writers import AtomicFile, RejectWriter, open_writer
from cleaner.pipeline import Pipeline
from cleaner.run.executor import execute
from cleaner.run.report import RunReport


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
) -> RunReport:
    """Clean `inputs` into `paths.output`; rejects and a JSON report beside it."""
    config = pipeline.config
    in_cfg = config.get("input", {})
    out_cfg = config.get("output", {})
    text_field = in_cfg.get("text_field", "text")
    id_field = in_cfg.get("id_field", "id")
    check_inputs(inputs)

    report = RunReport(
        paths={"output": paths.output, "rejects": paths.rejects, "report": paths.report}
    )
    # Input lengths, in input order, until their results come back (in the same order).
    lengths: deque[int] = deque()
    started = time.perf_counter()
    bar = tqdm(
        total=count_hint(inputs),
        unit="doc",
        desc="cleaning",
        file=sys.stderr,
        disable=(not progress) if progress is not None else None,
        dynamic_ncols=True,
    )

    def source() -> Iterator[Document | Reject]:
        # The bar counts documents entering the chain: with a barrier (dedup) in it, results
        # only come out after the whole input has been through the first pass.
        for item in iter_inputs(
            inputs,
            text_field=text_field,
            id_field=id_field,
            fmt=in_cfg.get("format", "auto"),
            html_field=in_cfg.get("html_field", "html"),
        ):
            lengths.append(len(item.text) if isinstance(item, Document) else 0)
            bar.update(1)
            yield item

    with (
        open_writer(
            paths.output,
            fmt=out_cfg.get("format", "auto"),
            text_field=text_field,
            id_field=id_field,
            trace=bool(out_cfg.get("trace", False)),
        ) as writer,
        RejectWriter(paths.rejects) as rejects,
        bar,
    ):
        for result in execute(pipeline, source(), jobs=jobs, batch_size=batch_size):
            report.add(result, lengths.popleft())
            if isinstance(result, Document):
                writer.write(result)
            elif isinstance(result, Drop):
                rejects.write_drop(result)
            else:
                rejects.write_reject(result)
    report.seconds = time.perf_counter() - started
    write_report(report, paths.report)
    return report


def write_report(report: RunReport, path: str) -> None:
    with AtomicFile(path) as fh:
        fh.write(orjson.dumps(report.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
