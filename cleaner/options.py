"""Options of the configuration tables that are not processors: `[pipeline]`, `[input]`,
`[output]` and `[run]`.

Each table has a frozen dataclass, checked like a processor's `Options`
(`cleaner.registry.make_options`: unknown keys named with the valid ones, types, `Range`
bounds), and each dataclass is the one place its defaults are written; `cleaner/default.toml`
lists the same values with their explanations, and a test keeps the two equal.

A class attribute holds each default (`RunOptions.shard_size`), so a function taking one of
these values as a plain argument uses it as its default instead of writing the number again.

This module imports nothing from `cleaner.io` or `cleaner.run`: both read their settings
from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, TypeVar, get_args

from cleaner.errors import ConfigError
from cleaner.registry import Range, check_options, make_options

#: What `[input] format` accepts: "auto" picks by file name.
InputFormat = Literal["auto", "jsonl", "text", "html", "warc", "parquet"]
#: What `[output] format` accepts: "auto" picks by the output name.
OutputFormat = Literal["auto", "jsonl", "txt", "dir", "parquet"]
#: Where the shards of a resumable run go: local worker processes, or Ray tasks.
Executor = Literal["local", "ray"]
EXECUTORS: tuple[str, ...] = get_args(Executor)

#: The largest `[input] max_document_bytes` accepted: 1 GiB, far beyond any real document.
MAX_DOCUMENT_BYTES_CEILING = 1 << 30
#: The most input items per shard: a shard's items are held in memory while it is mapped.
MAX_SHARD_SIZE = 1_000_000
#: The most documents per task sent to a worker, for the same reason.
MAX_BATCH_SIZE = 1_000_000

S = TypeVar("S", bound="SectionOptions")


@dataclass(frozen=True)
class SectionOptions:
    """Base of the general tables' options: `from_config` builds one from its table, and
    direct construction (a library caller's `RunOptions(shard_size=0)`) is checked the same
    way, so every message about a value of the table comes from `cleaner.registry`."""

    SECTION: ClassVar[str] = ""

    def __post_init__(self) -> None:
        check_options(self, self.where())

    @classmethod
    def where(cls) -> str:
        """How messages name the table: `[run]`."""
        return f"[{cls.SECTION}]"

    @classmethod
    def from_config(cls: type[S], table: Mapping[str, Any]) -> S:
        """The options of one table (`config["run"]`); keys it lacks take their defaults."""
        if not isinstance(table, Mapping):
            raise ConfigError(f"config section {cls.where()} must be a table")
        options: S = make_options(cls, table, where=cls.where())
        return options

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls) if f.init)


@dataclass(frozen=True)
class PipelineOptions(SectionOptions):
    """`processors`: the chain, in order (names of registered processors); `drop_empty`: a
    document whose text is empty after the chain goes to the rejects file."""

    SECTION: ClassVar[str] = "pipeline"

    processors: tuple[str, ...] = (
        "html",
        "encoding",
        "normalize",
        "boilerplate",
        "language",
        "filters",
        "exact_dedup",
        "dedup",
    )
    drop_empty: bool = True


#: `[input]` keys naming a JSONL field: an empty name would match no record.
FIELD_NAME_KEYS = ("text_field", "id_field", "html_field")


@dataclass(frozen=True)
class InputOptions(SectionOptions):
    """How inputs are read.

    `text_field`, `id_field`: JSONL field names (every other field is kept); `html_field`: a
    record without a text field but with this one is an HTML page; `format`: how every input
    file is read ("auto" picks by file name); `max_document_bytes`: the largest document read,
    in bytes (a text file, standard input, a JSONL line, an HTML page after decompression, a
    WARC payload, a Parquet text or html value); larger ones are rejected as `too_large`.
    """

    SECTION: ClassVar[str] = "input"

    text_field: str = "text"
    id_field: str = "id"
    html_field: str = "html"
    format: InputFormat = "auto"
    max_document_bytes: Annotated[int, Range(1, MAX_DOCUMENT_BYTES_CEILING)] = 10_000_000

    def __post_init__(self) -> None:
        super().__post_init__()
        for key in FIELD_NAME_KEYS:
            name = getattr(self, key)
            if not name.strip():
                raise ConfigError(f"{self.where()} {key}: expected a field name, got {name!r}")


@dataclass(frozen=True)
class OutputOptions(SectionOptions):
    """`format`: how the output is written ("auto" picks by its name); `trace`: write each
    document's edit trace into the JSONL output (meta.trace)."""

    SECTION: ClassVar[str] = "output"

    format: OutputFormat = "auto"
    trace: bool = False


@dataclass(frozen=True)
class RunOptions(SectionOptions):
    """How a run is spread and cut into shards; none of them changes what it writes.

    `jobs`: worker processes (0: one per core); `batch_size`: documents per task sent to a
    worker; `shard_size`: input items per shard of a resumable run; `executor`: where the
    shards run; `address`: the Ray cluster of `executor = "ray"` ("" starts a local one).
    """

    SECTION: ClassVar[str] = "run"

    jobs: Annotated[int, Range(0, note="0 = one per core")] = 0
    batch_size: Annotated[int, Range(1, MAX_BATCH_SIZE)] = 64
    shard_size: Annotated[int, Range(1, MAX_SHARD_SIZE)] = 10_000
    executor: Executor = "local"
    address: str = ""


#: The general tables by name, in the order `cleaner/default.toml` lists them.
SECTIONS: dict[str, type[SectionOptions]] = {
    cls.SECTION: cls for cls in (PipelineOptions, InputOptions, OutputOptions, RunOptions)
}
