"""`cleaner index add|stats|verify|compact|expire`, and the `--index` lookups of `compare`
and `explain` (parsing lives in `cleaner.cli.main`).

`index add INPUT...` runs the configured chain (as `cleaner clean` would; `--dedup-only` as
`cleaner dedup` would) with the index checked and updated, and writes no output: the
documents are added in one commit, the copies (of the index or of each other) marked as such.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, TextIO

import numpy as np

from cleaner.cli.exit_codes import EXIT_FAILURE, EXIT_OK
from cleaner.config import merge
from cleaner.dedup.cluster import Settled
from cleaner.dedup.verify import pair_overlaps
from cleaner.document import Document, Drop, Reject
from cleaner.errors import ConfigError
from cleaner.index.api import Index
from cleaner.index.check import concat_prepared
from cleaner.index.format import parse_age
from cleaner.io.readers import read_inputs
from cleaner.meta import DUP_KIND, META_DUP
from cleaner.pipeline import Pipeline
from cleaner.processors.dedup import Dedup
from cleaner.registry import make_options
from cleaner.run.stream import execute

#: The config keys `--index`, `--update` and `--store-text` set.
INDEX_KEYS = ("index", "update", "store_text")


def index_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The `[dedup]` values the index flags of a command give (none without --index)."""
    location = getattr(args, "index", None)
    if location is None:
        if getattr(args, "update", False) or getattr(args, "store_text", False):
            raise ConfigError("--update and --store-text need --index PATH")
        return {}
    if not location:
        raise ConfigError("--index: expected a path or redis://host:port/db, got ''")
    out: dict[str, Any] = {"index": location}
    if getattr(args, "update", False):
        out["update"] = True
    if getattr(args, "store_text", False):
        out["store_text"] = True
    return out


def open_index(config: Mapping[str, Any], location: str) -> Index:
    """The index at `location`, with the `[dedup]` settings of `config`."""
    options = make_options(Dedup.Options, config.get("dedup", {}), "[dedup]")
    return Index.open(location, options.dedup_config(), store_text=options.store_text)


def run_index_command(args: argparse.Namespace, config: dict[str, Any]) -> int:
    """Dispatch `cleaner index ACTION`."""
    action = args.index_command
    if action == "add":
        return _add(args, config)
    age = parse_age(args.older_than) if action == "expire" else 0.0  # checked before opening
    with open_index(config, args.index) as index:
        if action == "stats":
            _print_stats(index, sys.stdout)
            return EXIT_OK
        if action == "verify":
            problems = index.verify()
            for problem in problems:
                print(f"{index.location}: {problem}")
            if problems:
                return EXIT_FAILURE
            print(f"{index.location}: ok ({index.store.count()} documents)")
            return EXIT_OK
        if action == "compact":
            before = index.store.size_bytes()
            index.compact()
            print(f"{index.location}: {before} -> {index.store.size_bytes()} bytes")
            return EXIT_OK
        if action == "expire":
            removed = index.expire(age)
            print(f"{index.location}: {removed} documents older than {args.older_than} removed")
            return EXIT_OK
    raise ConfigError(f"unknown index action {action!r}")  # pragma: no cover


def _add(args: argparse.Namespace, config: dict[str, Any]) -> int:
    dedup = {**config.get("dedup", {}), "index": args.index, "update": True}
    if args.store_text:
        dedup["store_text"] = True
    config = merge(config, {"dedup": dedup})
    if args.dedup_only:
        config = merge(config, {"pipeline": {"processors": ["dedup"]}})
    pipeline = Pipeline.from_dict(config)
    if "dedup" not in pipeline.names:
        raise ConfigError("index add needs the dedup step in [pipeline] processors")
    counts: Counter[str] = Counter()
    items = read_inputs(args.inputs, config.get("input", {}))
    for result in execute(pipeline.chain, items, jobs=1):
        if isinstance(result, Reject | Drop):
            counts["rejected"] += 1
            continue
        dup = result.meta.get(META_DUP)
        kind = dup.get(DUP_KIND) if isinstance(dup, dict) else None
        counts["added"] += 1
        counts["copies"] += kind not in (None, "representative")
    print(
        f"{args.index}: {counts['added']} documents added ({counts['copies']} of them copies"
        f" of indexed or earlier documents, marked as such), {counts['rejected']} rejected"
    )
    return EXIT_OK


def _print_stats(index: Index, out: TextIO) -> None:
    stats = index.stats()

    def when(stamp: float | None) -> str:
        return "-" if stamp is None else time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(stamp))

    out.write(
        f"index:     {stats.location}\n"
        f"documents: {stats.documents} ({stats.copies} of them copies)\n"
        f"keys:      {stats.keys}\n"
        f"size:      {stats.size_bytes} bytes\n"
        f"oldest:    {when(stats.oldest)} UTC\n"
        f"newest:    {when(stats.newest)} UTC\n"
        f"settings:  {stats.settings}\n"
    )


def indexed_document(index: Index, doc_id: str) -> Document | None:
    """The indexed document `doc_id` as a Document when its text was kept (`--store-text`)."""
    found = index.find(doc_id)
    if found is None:
        return None
    doc, _, text = found
    if text is None:
        return None
    meta = {"source": doc.location, "date": doc.date, "indexed": True}
    return Document(id=doc.id, text=text, meta=meta)


def compare_in_index(
    config: Mapping[str, Any],
    inputs: Sequence[str],
    ids: Sequence[str],
    location: str,
    *,
    width: int,
) -> str | None:
    """`cleaner compare DUMP --id X --id Y --index PATH` when X or Y is not in DUMP but in
    the index; None when both are in the inputs (the ordinary comparison applies)."""
    from cleaner.api import text_pipeline
    from cleaner.cli.compare import check_width, report

    check_width(width)
    if len(ids) != 2:
        return None
    docs = {
        item.id: item
        for item in read_inputs(inputs, config.get("input", {}))
        if isinstance(item, Document) and item.id in ids
    }
    if all(i in docs for i in ids):
        return None
    cleaner = text_pipeline(config)
    options = make_options(Dedup.Options, config.get("dedup", {}), "[dedup]")
    texts: dict[str, str] = {}
    for doc_id, doc in docs.items():
        result = cleaner.process(doc)
        texts[doc_id] = result.document.text if isinstance(result, Drop) else result.text
    with open_index(config, location) as index:
        for doc_id in ids:
            if doc_id in texts:
                continue
            if index.find(doc_id) is None:
                raise ConfigError(f"no document with id {doc_id} in the inputs or {location}")
            stored = indexed_document(index, doc_id)
            if stored is not None:
                texts[doc_id] = stored.text  # indexed texts are stored cleaned
                continue
            others = [i for i in ids if i != doc_id and i in docs]
            if not others:
                raise ConfigError(
                    f"{doc_id} is in {location} without its text: compare it with a document"
                    " of the inputs, or index it with --store-text"
                )
            return compare_with_sketches(index, doc_id, docs[others[0]], texts[others[0]])
    return report(ids[0], ids[1], texts[ids[0]], texts[ids[1]], options, width=width)


def compare_with_sketches(index: Index, doc_id: str, other: Document, text: str) -> str:
    """What can be said of `other` (cleaned `text`) against an indexed document whose text
    was not kept: Jaccard and containment of their shingle sets, from the stored sketches."""
    found = index.find(doc_id)
    assert found is not None
    doc, stored, _ = found
    mine = index.sketcher.prepare([text[: index.config.max_chars]])
    both = concat_prepared([stored, mine], index.sketcher)
    overlaps = pair_overlaps(both.sets, np.array([[0, 1]], dtype=np.int64))
    return (
        f"A: {doc.id}  (indexed {doc.location or '-'} {doc.date}".rstrip() + ", text not kept)\n"
        f"B: {other.id}\n"
        f"jaccard:           {float(overlaps.jaccard[0]):.4f}\n"
        f"containment:       {float(overlaps.containment[0]):.4f}\n"
        "shared passages:   need the text: index with --store-text\n"
    )


#: What `describe_indexed` says of an indexed document of each `Settled` role.
_ROLES: dict[int, str] = {
    Settled.KEPT: "a representative: later copies are flagged against it",
    Settled.LATE_COPY: "indexed as a copy (claimed by the rewrite stage)",
    Settled.COPY: "indexed as a copy (claimed by clustering)",
}


def describe_indexed(index: Index, ids: Sequence[str], out: TextIO) -> list[str]:
    """Print what the index knows of each of `ids` (for `explain`); the ids it does not hold."""
    missing = []
    for doc_id in ids:
        found = index.find(doc_id)
        if found is None:
            missing.append(doc_id)
            continue
        doc, _, text = found
        added = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(doc.added))
        kept = f"{len(text)} characters of text kept" if text is not None else "no text kept"
        role = _ROLES.get(doc.role, f"role {doc.role}")
        out.write(
            f"== {doc.id}: in index {index.location} (document {doc.number}, added {added} UTC),"
            f" {role}\n"
            f"   date {doc.date or '-'}, location {doc.location or '-'}; {kept}\n\n"
        )
    return missing
