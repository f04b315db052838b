"""What every benchmark script shares: where the data is, the BBC corpus, memory, tables.

- `data_dir`: the shared benchmark data, ``../shared/data`` beside the repository (never
  copied into it), or the directory the environment variable `DATA_ENV` names;
- `load_bbc`: the BBC News articles, decoded by the project's own decoder (`decode_bytes`),
  as `cleaner clean` would read the files;
- `peak_rss_bytes` (this process or its waited-for children) and `TreeSampler` (a process
  and its descendants, sampled on a thread with psutil);
- `format_table` / `print_table`: aligned columns of cells the caller formats.

The scripts run as ``python bench/<script>.py``, so this module is imported as `common`. It
imports nothing of cleaner until `load_bbc` runs, so that a process measuring another tool
(scale_bench's datatrove child) does not pay for it.
"""

from __future__ import annotations

import os
import resource
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DATA_ENV = "CLEANER_BENCH_DATA"
"""Environment variable naming the shared data directory, when it is not ``../shared/data``."""
SAMPLE_SECONDS = 0.2
"""How often `TreeSampler` reads the memory of a process tree."""


def data_dir(*parts: str) -> Path:
    """``$CLEANER_BENCH_DATA/parts...``, else ``../shared/data/parts...`` beside the repository."""
    root = os.environ.get(DATA_ENV)
    base = Path(root) if root else REPO.parent / "shared" / "data"
    return base.joinpath(*parts)


def bbc_dir() -> Path:
    """Where the BBC News corpus is (topic folders of ``.txt`` articles)."""
    return data_dir("bbc-news")


@dataclass(frozen=True, slots=True)
class Article:
    """One BBC article: its topic folder, its file name without ``.txt``, its decoded text."""

    topic: str
    name: str
    text: str

    @property
    def id(self) -> str:
        """``topic/name``: unique in the corpus."""
        return f"{self.topic}/{self.name}"


def load_bbc(root: Path | None = None) -> list[Article]:
    """Every ``*/*.txt`` article under `root` (default `bbc_dir`), sorted by path, decoded as
    `cleaner clean` decodes files. Exits with a one-line hint when there is none."""
    from cleaner.io.decode import decode_bytes  # here: the datatrove child never loads cleaner

    root = bbc_dir() if root is None else root
    paths = sorted(root.glob("*/*.txt"))
    if not paths:
        sys.exit(f"no */*.txt articles under {root}: pass --data or set {DATA_ENV}")
    return [
        Article(path.parent.name, path.stem, decode_bytes(path.read_bytes())[0]) for path in paths
    ]


def peak_rss_bytes(who: int = resource.RUSAGE_SELF) -> int:
    """Peak resident memory of this process (or, `RUSAGE_CHILDREN`, of its largest waited-for
    child), in bytes."""
    return resource.getrusage(who).ru_maxrss * 1024  # Linux reports KiB


class TreeSampler:
    """Samples the memory of a process and all its descendants on a thread.

    `peak_tree`: the highest sum of their RSS (pages shared between forked processes count
    once per process, so it errs high); `peak_process`: the largest single RSS;
    `peak_tree_pss`: the highest sum of PSS (a page shared by k processes counts 1/k in each;
    Linux). A peak shorter than the sampling interval can be missed.
    """

    def __init__(self, pid: int, interval: float = SAMPLE_SECONDS) -> None:
        import psutil

        self._root = psutil.Process(pid)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_tree = 0
        self.peak_process = 0
        self.peak_tree_pss = 0

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        import psutil

        try:
            processes = [self._root, *self._root.children(recursive=True)]
        except psutil.Error:
            return
        sizes, shares = [], []
        for process in processes:
            try:
                sizes.append(process.memory_info().rss)
                shares.append(getattr(process.memory_full_info(), "pss", 0))
            except psutil.Error:  # ended between the listing and the reading
                continue
        self.peak_tree = max(self.peak_tree, sum(sizes))
        self.peak_process = max(self.peak_process, max(sizes, default=0))
        self.peak_tree_pss = max(self.peak_tree_pss, sum(shares))

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self._interval)


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1) -> str:
    """`rows` of formatted cells under `header`, as lines: the first `left` columns
    left-aligned, the others right-aligned, each as wide as its widest cell, two spaces apart."""
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = []
    for row in (header, *rows):
        cells = [
            cell.ljust(width) if i < left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1) -> None:
    """Print `format_table(header, rows, left=left)`."""
    print(format_table(header, rows, left=left))
