"""A pipeline: an ordered chain of processors, built from a config or in Python.

    pipeline = Pipeline.from_config("my.toml")          # defaults < my.toml
    for result in pipeline.run(records):                  # Documents, dicts or strings
        if isinstance(result, Document): ...              # kept, cleaned
        else: ...                                         # a Drop, with processor and reason

`run` is lazy: it pulls one item at a time and yields results in input order, so it streams
over inputs of any size. Processors marked `sequential` (exact de-duplication) get a fresh
instance per run: their index belongs to that run only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from cleaner.config import add_rules_dirs, load_config, validate_config
from cleaner.document import Document, Drop, Reject
from cleaner.errors import ConfigError
from cleaner.processors.base import Barrier, Processor
from cleaner.registry import build_processor

Item = Document | Mapping[str, Any] | str


class Pipeline:
    """An ordered chain of processors plus the pipeline-level policy (`drop_empty`)."""

    def __init__(
        self,
        processors: Sequence[Processor | str | tuple[str, Mapping[str, Any]]],
        *,
        drop_empty: bool = True,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        built: list[Processor] = []
        for entry in processors:
            if isinstance(entry, str):
                built.append(build_processor(entry))
            elif isinstance(entry, tuple):
                name, params = entry
                built.append(build_processor(name, params))
            else:
                built.append(entry)
        self.processors: tuple[Processor, ...] = tuple(built)
        self.drop_empty = drop_empty
        self.config: dict[str, Any] = dict(config or {})

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_config(
        cls,
        path: str | Path | None = None,
        *,
        overrides: Iterable[str] = (),
        rules: Sequence[str | Path] = (),
    ) -> Pipeline:
        """Packaged defaults, layered with the TOML file at `path`, then `overrides`.

        `overrides` are `section.key=value` strings (the CLI's --set); `rules` are extra rule
        directories for the boilerplate processor (the CLI's --rules).
        """
        return cls.from_dict(add_rules_dirs(load_config(path, overrides), rules))

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> Pipeline:
        """Build from an already merged configuration mapping."""
        validate_config(config)
        section = config.get("pipeline", {})
        names = section.get("processors", [])
        drop_empty = section.get("drop_empty", True)
        if not isinstance(drop_empty, bool):
            raise ConfigError(f"[pipeline] drop_empty: expected bool, got {drop_empty!r}")
        entries = [(name, dict(config.get(name, {}))) for name in names]
        return cls(entries, drop_empty=drop_empty, config=config)

    # -- structure ----------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.processors]

    def split(self) -> tuple[tuple[Processor, ...], tuple[Processor, ...]]:
        """(parallel prefix, sequential suffix): the suffix starts at the first sequential one.

        The runner may spread the prefix over worker processes; the suffix always runs in the
        parent, in input order.
        """
        for i, proc in enumerate(self.processors):
            if getattr(proc, "sequential", False):
                return self.processors[:i], self.processors[i:]
        return self.processors, ()

    def fresh_sequential(self) -> tuple[Processor, ...]:
        """New instances of the sequential suffix, so that their state belongs to one run."""
        _, suffix = self.split()
        return tuple(_fresh(p) for p in suffix)

    # -- running ------------------------------------------------------------------------------

    def process(self, doc: Document) -> Document | Drop:
        """Run one document through every processor (stateful ones share this pipeline's
        instances; use `run` for a clean per-run state)."""
        if any(getattr(p, "barrier", False) for p in self.processors):
            [result] = list(self.run([doc]))
            return result
        return self.finish(apply_chain(self.processors, doc))

    def finish(self, result: Document | Drop) -> Document | Drop:
        """Apply pipeline-level policy after the chain."""
        if isinstance(result, Document) and self.drop_empty and not result.text.strip():
            return Drop(result, "pipeline", "empty", "no text left after cleaning")
        return result

    def run(self, items: Iterable[Item]) -> Iterator[Document | Drop]:
        """Lazily process `items` (Documents, dicts with id/text, or strings) in order.

        Yields a `Document` for each kept input and a `Drop` for each dropped one: the two
        together always account for every input. With a barrier processor in the chain
        (`dedup`), results start once the whole input has been read: near-duplicates can only
        be decided then.
        """
        from cleaner.run.executor import execute

        text_field = self.config.get("input", {}).get("text_field", "text")
        id_field = self.config.get("input", {}).get("id_field", "id")
        docs = (
            to_document(item, index, text_field=text_field, id_field=id_field)
            for index, item in enumerate(items)
        )
        for result in execute(self, docs, jobs=1):
            assert not isinstance(result, Reject)
            yield result

    def split_at_barrier(self) -> tuple[Pipeline, Barrier | None, Pipeline | None]:
        """(chain before the first barrier, the barrier, chain after it) or (self, None, None)."""
        for i, proc in enumerate(self.processors):
            if getattr(proc, "barrier", False):
                assert isinstance(proc, Barrier)
                head = Pipeline(self.processors[:i], drop_empty=self.drop_empty, config=self.config)
                tail = Pipeline(
                    self.processors[i + 1 :], drop_empty=self.drop_empty, config=self.config
                )
                return head, proc, tail
        return self, None, None


def apply_chain(processors: Iterable[Processor], doc: Document) -> Document | Drop:
    """Run `doc` through `processors` in order, stopping at the first drop.

    A processor that raises on one document turns it into a drop with reason "error" and the
    exception's message: one odd document must not end a run over millions, and it still lands
    in the rejects file where it can be found and reported.
    """
    current = doc
    for proc in processors:
        try:
            result = proc.process(current)
        except Exception as exc:
            return Drop(current, proc.name, "error", f"{type(exc).__name__}: {exc}")
        if isinstance(result, Drop):
            return result
        current = result
    return current


def to_document(
    item: Item, index: int, *, text_field: str = "text", id_field: str = "id"
) -> Document:
    """Accept a Document, a mapping with a text field, or a bare string."""
    if isinstance(item, Document):
        return item
    if isinstance(item, str):
        return Document(id=str(index), text=item)
    if isinstance(item, Mapping):
        text = item.get(text_field)
        if not isinstance(text, str):
            raise ConfigError(f"record {index} has no string field {text_field!r}")
        raw_id = item.get(id_field, index)
        meta = item.get("meta")
        skip = {text_field, id_field} | ({"meta"} if isinstance(meta, Mapping) else set())
        fields = {k: v for k, v in item.items() if k not in skip}
        return Document(
            id=str(raw_id),
            text=text,
            meta=dict(meta) if isinstance(meta, Mapping) else {},
            fields=fields,
        )
    raise ConfigError(f"item {index} is a {type(item).__name__}; expected Document, dict or str")


def _fresh(proc: Processor) -> Processor:
    fresh = getattr(proc, "fresh", None)
    return fresh() if callable(fresh) else proc
