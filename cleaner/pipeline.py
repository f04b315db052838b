"""A pipeline: an ordered chain of processors, built from a config or in Python.

    pipeline = Pipeline.from_config("my.toml")          # defaults < my.toml
    for result in pipeline.run(records):                  # Documents, dicts or strings
        if isinstance(result, Document): ...              # kept, cleaned
        else: ...                                         # a Drop, with processor and reason

`run` is lazy when no processor of the chain is a whole-corpus stage (`cleaner.stage`): it
pulls one item at a time and yields results in input order, so it streams over inputs of any
size. With such a stage (exact or near de-duplication), the run is the sharded run of
`cleaner clean` in a temporary work directory, and results come once the whole input has been
read. Processors marked `sequential` get a fresh instance per run: their state belongs to that
run only.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

from cleaner.config import add_rules_dirs, load_config, validate_config
from cleaner.document import Document, Drop, Reject
from cleaner.io.readers.html import HTML_FORMAT
from cleaner.io.records import INPUT_STAGE, MISSING_TEXT_FIELD, NOT_AN_OBJECT, record_document
from cleaner.options import InputOptions, PipelineOptions
from cleaner.registry import build_processor
from cleaner.run.stream import execute
from cleaner.stage import Chain, Processor, apply_chain, global_stage_of

Item = Document | Mapping[str, Any] | str


class Pipeline:
    """An ordered chain of processors plus the pipeline-level policy (`drop_empty`)."""

    def __init__(
        self,
        processors: Sequence[Processor | str | tuple[str, Mapping[str, Any]]],
        *,
        drop_empty: bool = PipelineOptions.drop_empty,
        config: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(drop_empty, bool):
            raise TypeError(f"Pipeline(): drop_empty must be a bool, got {drop_empty!r}")
        if config is not None and not isinstance(config, Mapping):
            raise TypeError(
                f"Pipeline(): config must be a mapping or None, got a {type(config).__name__}"
            )
        self.processors: tuple[Processor, ...] = tuple(
            _build(entry, position) for position, entry in enumerate(_entries(processors))
        )
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
        if path is not None and not isinstance(path, str | os.PathLike):
            raise TypeError(
                f"from_config(): path must be a str, an os.PathLike or None, got {_kind(path)}"
            )
        for name, value, example in (
            ("overrides", overrides, "['filters.min_words=50']"),
            ("rules", rules, "['my_rules/']"),
        ):
            if isinstance(value, str | bytes | os.PathLike) or not isinstance(value, Iterable):
                raise TypeError(
                    f"from_config(): {name} takes a list, e.g. {name}={example}; got {_kind(value)}"
                )
        return cls.from_dict(add_rules_dirs(load_config(path, overrides), rules))

    @classmethod
    def from_dict(cls, config: Mapping[str, Any]) -> Pipeline:
        """Build from an already merged configuration mapping."""
        if not isinstance(config, Mapping):
            raise TypeError(f"from_dict() takes a configuration mapping, got {_kind(config)}")
        validate_config(config)
        section = PipelineOptions.from_config(config.get("pipeline", {}))
        entries = [(name, dict(config.get(name, {}))) for name in section.processors]
        return cls(entries, drop_empty=section.drop_empty, config=config)

    # -- structure ----------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.processors]

    @property
    def chain(self) -> Chain:
        """The processors and the empty-text policy, as the runner (`cleaner.run`) runs them."""
        return Chain(self.processors, self.drop_empty)

    # -- running ------------------------------------------------------------------------------

    def process(self, doc: Document) -> Document | Drop:
        """Run one document through every processor (stateful ones share this pipeline's
        instances; use `run` for a clean per-run state)."""
        if not isinstance(doc, Document):
            raise TypeError(
                f"process() takes a Document, got {_kind(doc)}; for a str use clean_text"
                " or run([text])"
            )
        if any(_whole_corpus_only(p) for p in self.processors):
            [result] = list(self.run([doc]))
            return result
        return self.finish(apply_chain(self.processors, doc))

    def finish(self, result: Document | Drop) -> Document | Drop:
        """Apply pipeline-level policy after the chain."""
        return self.chain.finish(result)

    def run(self, items: Iterable[Item]) -> Iterator[Document | Drop]:
        """Lazily process `items` (Documents, mappings with a text field, or strings) in order.

        Yields a `Document` for each kept input and a `Drop` for each dropped one: the two
        together always account for every input. An item that cannot be a document (a mapping
        without a string text field, a number) is a `Drop` from the "input" stage with the
        reason the CLI writes to its rejects file, and the run goes on. With a whole-corpus
        stage in the chain (`exact_dedup`, `dedup`), results start once the whole input has
        been read: duplicates can only be decided then.

        `items` itself must be an iterable of items: a str, bytes, a single mapping or a single
        Document is a TypeError, raised by this call (not when the results are first pulled).
        """
        _check_items(items)
        return self._run(items)

    def _run(self, items: Iterable[Item]) -> Iterator[Document | Drop]:
        section = InputOptions.from_config(self.config.get("input", {}))
        docs = (
            to_document(
                item,
                index,
                text_field=section.text_field,
                id_field=section.id_field,
                html_field=section.html_field,
            )
            for index, item in enumerate(items)
        )
        for result in execute(self.chain, docs, jobs=1):
            assert not isinstance(result, Reject)
            yield result


def to_document(
    item: Item,
    index: int,
    *,
    text_field: str = InputOptions.text_field,
    id_field: str = InputOptions.id_field,
    html_field: str = InputOptions.html_field,
) -> Document | Drop:
    """One item given to `Pipeline.run` -> a Document, or a Drop from the "input" stage.

    A Document passes as it is; a str is a document with the item's position as its id; a
    mapping is read as the CLI reads a JSONL record (`record_document`): the text from
    `text_field`, else HTML from `html_field`, the id from `id_field`, "meta" as the meta and
    every other key kept. Anything else is dropped with the reason the CLI gives the same
    input, so library and CLI account for bad records alike.
    """
    if isinstance(item, Document):
        if isinstance(item.text, str):
            return item
        return _input_drop(item, MISSING_TEXT_FIELD, f"Document.text is {_kind(item.text)}")
    if isinstance(item, str):
        return Document(id=str(index), text=item)
    if isinstance(item, Mapping):
        fallback = str(index)
        text = item.get(text_field)
        if isinstance(text, str):
            return record_document(
                item, text=text, body_field=text_field, id_field=id_field, fallback_id=fallback
            )
        html = item.get(html_field) if html_field else None
        if isinstance(html, str):
            doc = record_document(
                item, text=html, body_field=html_field, id_field=id_field, fallback_id=fallback
            )
            return doc.with_meta(format=HTML_FORMAT)
        doc = record_document(
            item, text="", body_field=text_field, id_field=id_field, fallback_id=fallback
        )
        return _input_drop(doc, MISSING_TEXT_FIELD, _missing_text(item, text_field))
    detail = (
        f"item {index} is {_kind(item)}; expected a Document, a mapping with a"
        f" {text_field!r} field, or a str"
    )
    return _input_drop(Document(id=str(index), text=""), NOT_AN_OBJECT, detail)


def _input_drop(doc: Document, reason: str, detail: str) -> Drop:
    return Drop(doc, INPUT_STAGE, reason, detail)


def _missing_text(record: Mapping[str, Any], text_field: str) -> str:
    keys = ", ".join(str(key) for key in list(record)[:20]) or "none"
    if text_field not in record:
        return f"no field {text_field!r}; keys present: {keys}"
    return f"field {text_field!r} is {_kind(record[text_field])}, not a str; keys present: {keys}"


def _kind(value: object) -> str:
    """How error messages name the type of `value`: "an int", "a list", "None"."""
    if value is None:
        return "None"
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def _check_items(items: object) -> None:
    """TypeError for an argument of `run` that is not an iterable of items."""
    usage = "run() takes an iterable of documents"
    if isinstance(items, str):
        raise TypeError(f"{usage}; for one text use clean_text or [text]")
    if isinstance(items, bytes | bytearray):
        raise TypeError(f"{usage}; got bytes: decode them, then pass [text]")
    if isinstance(items, Mapping):
        raise TypeError(f"{usage}; for one record use [record]")
    if isinstance(items, Document):
        raise TypeError(f"{usage}; for one Document use [document] or Pipeline.process")
    if not isinstance(items, Iterable):
        raise TypeError(f"{usage}, got {_kind(items)}")


def _entries(processors: object) -> Iterable[object]:
    """The entries of `Pipeline(processors)`, or a TypeError naming what was expected."""
    usage = "Pipeline() takes a list of processors, processor names or (name, params) pairs"
    if isinstance(processors, str):
        raise TypeError(f"{usage}; for one name use Pipeline([{processors!r}])")
    if isinstance(processors, Mapping):
        raise TypeError(f"{usage}; for a configuration mapping use Pipeline.from_dict")
    if not isinstance(processors, Iterable) or isinstance(processors, bytes | bytearray):
        raise TypeError(f"{usage}, got {_kind(processors)}")
    return processors


def _build(entry: object, position: int) -> Processor:
    """One entry of `Pipeline(processors)` -> a processor, checked now rather than mid-run."""
    if isinstance(entry, str):
        return build_processor(entry)
    if isinstance(entry, tuple):
        if len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], Mapping):
            return build_processor(entry[0], entry[1])
        raise TypeError(
            f"Pipeline(): processor {position} is the tuple {entry!r}; expected a"
            " (name, params) pair: a processor name and a mapping of its parameters"
        )
    name = getattr(entry, "name", None)
    if isinstance(name, str) and name and callable(getattr(entry, "process", None)):
        return cast(Processor, entry)
    raise TypeError(
        f"Pipeline(): processor {position} is {_kind(entry)} ({entry!r:.60}); expected a"
        " processor (an object with a str `name` and a `process(doc)` method), a processor"
        " name, or a (name, params) pair"
    )


def _whole_corpus_only(processor: Processor) -> bool:
    """A global stage with no per-document `process` of its own (not `sequential`)."""
    return global_stage_of(processor) is not None and not getattr(processor, "sequential", False)
