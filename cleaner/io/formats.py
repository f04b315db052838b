"""What a file name says about its format: JSONL, HTML, WARC, Parquet or text, and compression.

Readers and writers share these rules so that `cleaner clean a.jsonl.zst -o b.jsonl.zst` reads and
writes the same formats, and so that the side files (rejects, report) are named after the output
by one function.
"""

from __future__ import annotations

import os
from typing import get_args

from cleaner.errors import ConfigError
from cleaner.io.atomic import is_special_file
from cleaner.options import InputFormat, OutputFormat

#: Name endings of JSON Lines files (before any compression suffix).
JSONL_SUFFIXES = (".jsonl", ".ndjson")
#: Name endings of HTML pages (before any compression suffix).
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
#: Name endings of WARC archives (before any compression suffix: .warc.gz is the usual form).
WARC_SUFFIXES = (".warc",)
#: Name endings of Parquet files (never followed by .gz/.zst: Parquet compresses inside).
PARQUET_SUFFIXES = (".parquet",)
#: Compression suffix -> codec name.
COMPRESSION_SUFFIXES = {".gz": "gzip", ".zst": "zstd"}
#: `fmt` values the readers accept (`[input] format`).
INPUT_FORMATS: tuple[str, ...] = get_args(InputFormat)
#: `fmt` values the writers accept (`[output] format`; "jsonl" still takes its compression
#: from the name).
OUTPUT_FORMATS: tuple[str, ...] = get_args(OutputFormat)

STDIO = "-"


def compression_of(path: str) -> str | None:
    """ "gzip", "zstd" or None, from the last suffix of `path`."""
    lower = path.lower()
    for suffix, codec in COMPRESSION_SUFFIXES.items():
        if lower.endswith(suffix):
            return codec
    return None


def strip_compression(path: str) -> str:
    """`path` without a trailing .gz/.zst."""
    lower = path.lower()
    for suffix in COMPRESSION_SUFFIXES:
        if lower.endswith(suffix):
            return path[: -len(suffix)]
    return path


def is_jsonl_name(path: str) -> bool:
    """True for .jsonl / .ndjson, optionally followed by .gz or .zst."""
    return strip_compression(path).lower().endswith(JSONL_SUFFIXES)


def is_html_name(path: str) -> bool:
    """True for .html / .htm / .xhtml, optionally followed by .gz or .zst."""
    return strip_compression(path).lower().endswith(HTML_SUFFIXES)


def is_warc_name(path: str) -> bool:
    """True for .warc, optionally followed by .gz or .zst."""
    return strip_compression(path).lower().endswith(WARC_SUFFIXES)


def is_parquet_name(path: str) -> bool:
    """True for .parquet (no compression suffix: a Parquet file compresses its own pages)."""
    return path.lower().endswith(PARQUET_SUFFIXES)


def input_kind(name: str, fmt: str) -> str:
    """How to read the file `name`: "jsonl", "html", "warc", "parquet" or "text" (one document).

    With `fmt="auto"` the name decides; any other `fmt` applies to every file.
    """
    if fmt != "auto":
        return fmt
    if is_jsonl_name(name):
        return "jsonl"
    if is_html_name(name):
        return "html"
    if is_warc_name(name):
        return "warc"
    if is_parquet_name(name):
        return "parquet"
    return "text"


def check_input_format(fmt: str) -> str:
    if fmt not in INPUT_FORMATS:
        raise ConfigError(f"[input] format: unknown {fmt!r}; valid: {', '.join(INPUT_FORMATS)}")
    return fmt


def output_format(path: str, fmt: str = "auto") -> str:
    """Resolve the output format: "jsonl", "txt", "parquet", "dir" or "stdout" (JSONL on stdout).

    With "auto": `-` is stdout; an existing special file (`/dev/null`, a FIFO) is JSONL; a
    path ending in a separator or naming an existing directory is
    a directory; then the name decides (.jsonl/.ndjson with optional .gz/.zst, .txt or
    .parquet). A name that says nothing is an error rather than a guess, so `-o out` never
    silently picks one.
    """
    if fmt not in OUTPUT_FORMATS:
        raise ConfigError(f"[output] format: unknown {fmt!r}; valid: {', '.join(OUTPUT_FORMATS)}")
    if path == STDIO:
        if fmt in ("auto", "jsonl"):
            return "stdout"
        raise ConfigError(f"output '-' (stdout) is written as JSONL; format {fmt!r} needs a path")
    if fmt == "auto" and is_special_file(path):
        return "jsonl"  # /dev/null, a FIFO: a record stream, whatever the name says
    is_dir_path = path.endswith(("/", os.sep)) or os.path.isdir(path)
    if fmt == "dir" or (fmt == "auto" and is_dir_path):
        if os.path.exists(path) and not os.path.isdir(path):
            raise ConfigError(f"output {path}: exists and is not a directory")
        return "dir"
    if is_dir_path:
        raise ConfigError(f"output {path}: is a directory; format {fmt!r} needs a file name")
    if fmt != "auto":
        return fmt
    if is_jsonl_name(path):
        return "jsonl"
    if path.lower().endswith(".txt"):
        return "txt"
    if is_parquet_name(path):
        return "parquet"
    raise ConfigError(
        f"output {path}: cannot tell the format from the name; use .jsonl, .jsonl.gz, "
        ".jsonl.zst, .ndjson, .txt or .parquet, end a directory with '/', or set [output] format"
    )


def output_stem(path: str) -> str:
    """The output path without its format suffixes: `out.jsonl.gz` -> `out`, `out/` -> `out`,
    `out.parquet` -> `out`."""
    stem = path.rstrip("/" + os.sep) or path
    stem = strip_compression(stem)
    lower = stem.lower()
    for suffix in (*JSONL_SUFFIXES, ".txt", *PARQUET_SUFFIXES):
        if lower.endswith(suffix):
            return stem[: -len(suffix)]
    return stem
