"""Near-duplicate detection at dump scale: wall time and peak RSS, cleaner vs datasketch.

Run:  .venv/bin/python bench/dedup_scale.py [--sizes 100000 1000000] [--no-datasketch]
                                             [--engines cleaner cleaner-near cleaner-ram]
From Python: ``run_scale(data_dir, sizes)`` returns one dict per run.

Builds N synthetic news documents from the BBC News corpus (2,225 articles; `--data`, by
default `common.bbc_dir()`; never copied into the repository) and deduplicates them
end to end from text, each run in a fresh Python process so that its peak RSS is its own:

- cleaner: `NearDupIndex.add` chunk by chunk, then `finish()` (candidates, exact
  verification, chain-free clusters), in three configurations (`CLEANER_ENGINES`):
  "cleaner" the default `DedupConfig` (shingle hashes spill to a temporary file beyond
  256 MiB), "cleaner-near" without the rewrite stage (near-duplicates and containment
  only), "cleaner-ram" never spilling;
- datasketch: what users write: ``MinHash.update_batch`` per document over the same word
  5-gram shingles (cleaner's `shingle_strings`), ``MinHashLSH(threshold=0.8, num_perm=128)``;
  each document is queried, then inserted. Its candidates are not verified. It runs under an
  address-space cap (``RLIMIT_AS``) and is reported as "did not fit" if it dies.

Synthetic documents. Articles are cut into sentences, and each sentence is made in `VARIANTS`
versions with a quarter of its words replaced by other corpus words (see `_variants`). A *base*
document is 3 to 5 runs of 3 to 6 consecutive sentences, each run from a randomly chosen
article, each sentence in a randomly chosen version (~18 sentences, ~2.3 KB, like a BBC
article); two base documents share a run only by chance and then only a small part of their
text. A share of the documents (`COPY_SHARE`) are planted copies of an earlier base
document, anywhere earlier in the stream: 30% *exact* (same normalised text: whitespace and
case changed) and 70% *near* (a word replaced per ~150 words, the last sentence dropped,
sometimes a credit line added). Everything is a function of the document's position (a
counter-based hash, no state), so a copy regenerates its source from the source's number
instead of keeping earlier texts, and the stream is built chunk by chunk: the benchmark never
holds more than one chunk of texts.

Reported per run: wall time (including generating the texts), the time in the detector alone
(``add`` + ``finish`` for cleaner, sketch + insert + query for datasketch) and its docs/s,
peak RSS of the process, and its baseline RSS before the first document (interpreter, numpy,
the corpus' sentences), the duplicates found, and the recall on the planted copies (a copy
counts as found when it is in its source's cluster, whichever of the two represents it, for
datasketch when its query returns its source); "extra" counts the flagged documents whose
representative belongs to another family (cleaner) or the unplanted documents flagged
(datasketch). Nothing is asserted: the numbers are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import time
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from common import bbc_dir, load_bbc, peak_rss_bytes, print_table

from cleaner.dedup.hashing import fmix64

DEFAULT_SIZES = (100_000, 1_000_000)
CHUNK_DOCS = 10_000
COPY_SHARE = 0.15
EXACT_SHARE = 0.3
MAX_PARTS = 5
MAX_RUN = 6
VARIANTS = 8
VARIANT_EDIT_SHARE = 0.25
NUM_PERM = 128
DATASKETCH_THRESHOLD = 0.8
DATASKETCH_CAP_BYTES = 12 << 30
"""Address-space cap of the datasketch process: it stops there instead of taking the machine."""

I64Array = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(£$0-9])")
_SALT_PARTS, _SALT_COPY, _SALT_SOURCE, _SALT_EXACT = 1, 2, 3, 4
_SALT_ARTICLE, _SALT_LENGTH, _SALT_START, _SALT_VARIANT = 10, 20, 30, 40
_MASK64 = (1 << 64) - 1
_CREDITS = ("Reporting by our staff.", "Additional reporting by agencies.", "Updated at 1800 GMT.")


@dataclass(frozen=True)
class Corpus:
    """Sentences of all articles, `VARIANTS` versions of each, as UTF-8 in one buffer.

    Article ``a`` has sentences ``start[a] .. start[a] + count[a] - 1``; version ``v`` of
    sentence ``s`` is ``text[bounds[k]:bounds[k + 1]]`` with ``k = s * VARIANTS + v``. One
    buffer instead of a list of strings keeps the generator's own memory small (~45 MB).
    """

    text: bytearray
    bounds: I64Array
    start: I64Array
    count: I64Array

    def __len__(self) -> int:
        return int(self.start.size)


def load_corpus(data_dir: Path) -> Corpus:
    """Read ``*/*.txt`` under `data_dir`, decode with `decode_bytes`, cut into sentences, and
    make `VARIANTS` versions of each sentence with `VARIANT_EDIT_SHARE` of its words replaced
    by corpus words (deterministic)."""
    sentences: list[str] = []
    start: list[int] = []
    count: list[int] = []
    for article in load_bbc(data_dir):
        text = article.text
        found = [
            s.strip()
            for paragraph in text.split("\n")
            for s in _SENTENCE_END.split(paragraph)
            if s.strip()
        ]
        if found:
            start.append(len(sentences))
            count.append(len(found))
            sentences.extend(found)
    blob, bounds = _variants(sentences)
    return Corpus(blob, bounds, np.array(start, dtype=np.int64), np.array(count, dtype=np.int64))


def _variants(sentences: list[str]) -> tuple[bytearray, I64Array]:
    """`VARIANTS` versions of each sentence, interleaved, as one UTF-8 buffer and its bounds.

    A version replaces each word with probability `VARIANT_EDIT_SHARE` by a word drawn from
    the corpus (by frequency). Two documents that happen to use the same article then share
    the same version of a sentence only one time in `VARIANTS`, as unrelated dump documents
    rarely share whole passages: without it every sentence would recur hundreds of times in a
    million documents, and the candidate pairs would grow with the square of the size.
    """
    code: dict[str, int] = {}
    tokens = array("i")
    lengths = array("q")
    for sentence in sentences:
        words = sentence.split(" ")
        lengths.append(len(words))
        tokens.extend([code.setdefault(w, len(code)) for w in words])
    vocabulary = list(code)
    original = np.frombuffer(tokens, dtype=np.int32)
    rng = np.random.default_rng(2005)
    versions = np.empty((VARIANTS, original.size), dtype=np.int32)
    for version in versions:
        version[:] = original
        replace = rng.random(original.size) < VARIANT_EDIT_SHARE
        version[replace] = original[rng.integers(0, original.size, int(replace.sum()))]
    ends = np.cumsum(np.frombuffer(lengths, dtype=np.int64)).tolist()
    blob = bytearray()
    bounds = array("q", [0])
    for first, last in zip([0, *ends[:-1]], ends, strict=True):
        for version in versions[:, first:last].tolist():
            blob += " ".join([vocabulary[t] for t in version]).encode("utf-8")
            bounds.append(len(blob))
    return blob, np.frombuffer(bounds, dtype=np.int64).copy()


def _mix(docs: U64Array, salt: int) -> U64Array:
    """A well-mixed 64-bit value per document and salt (counter-based: no generator state)."""
    offset = np.uint64((salt * 0x632BE59BD9B4E019 + 1) & _MASK64)
    return fmix64(docs * np.uint64(0x9E3779B97F4A7C15) + offset)


def _below(values: U64Array, share: float) -> BoolArray:
    return (values % np.uint64(1_000_000)) < np.uint64(int(share * 1_000_000))


@dataclass(frozen=True)
class Planted:
    """Which documents are planted copies, and of which base document."""

    is_copy: BoolArray
    source: I64Array
    exact: BoolArray


class SyntheticStream:
    """`n_docs` synthetic documents, produced in chunks (see the module docstring)."""

    def __init__(self, corpus: Corpus, n_docs: int, *, copy_share: float = COPY_SHARE) -> None:
        self.corpus = corpus
        self.n_docs = n_docs
        self.copy_share = copy_share

    def planted(self, start: int = 0, stop: int | None = None) -> Planted:
        """Copy flags and base sources of documents ``start..stop-1`` (vectorised)."""
        stop = self.n_docs if stop is None else stop
        docs = np.arange(start, stop, dtype=np.uint64)
        is_copy = _below(_mix(docs, _SALT_COPY), self.copy_share) & (docs > 0)
        source = docs.copy()
        pending = is_copy.copy()
        # Pick an earlier document; if that one is a copy too, follow it to its base.
        while pending.any():
            current = source[pending]
            source[pending] = _mix(current, _SALT_SOURCE) % current
            pending[pending] = _below(_mix(source[pending], _SALT_COPY), self.copy_share) & (
                source[pending] > 0
            )
        exact = is_copy & _below(_mix(docs, _SALT_EXACT), EXACT_SHARE)
        return Planted(is_copy=is_copy, source=source.astype(np.int64), exact=exact)

    def _base_texts(self, docs: I64Array) -> list[str]:
        """The base text of each of `docs` (a pure function of the document number)."""
        corpus = self.corpus
        keys = docs.astype(np.uint64)
        parts = 3 + (_mix(keys, _SALT_PARTS) % np.uint64(3)).astype(np.int64)
        salts = np.arange(MAX_PARTS, dtype=np.uint64)
        grid = keys[:, None] * np.uint64(MAX_PARTS) + salts[None, :]
        article = (_mix(grid, _SALT_ARTICLE) % np.uint64(len(corpus))).astype(np.int64)
        count = corpus.count[article]
        length = np.minimum(
            3 + (_mix(grid, _SALT_LENGTH) % np.uint64(MAX_RUN - 2)).astype(np.int64), count
        )
        offset = (_mix(grid, _SALT_START) % (count - length + 1).astype(np.uint64)).astype(np.int64)
        first = corpus.start[article] + offset
        # Which version of each sentence: (document, run, sentence in run) -> 0..VARIANTS-1.
        cells = np.arange(MAX_PARTS * MAX_RUN, dtype=np.uint64).reshape(MAX_PARTS, MAX_RUN)
        cells = keys[:, None, None] * np.uint64(MAX_PARTS * MAX_RUN) + cells
        version = (_mix(cells, _SALT_VARIANT) % np.uint64(VARIANTS)).astype(np.int64)
        where = (first[:, :, None] + np.arange(MAX_RUN)) * VARIANTS + version
        np.minimum(where, corpus.bounds.size - 2, out=where)  # past a run's end: unused
        begins, ends = corpus.bounds[where].tolist(), corpus.bounds[where + 1].tolist()
        text = corpus.text
        out = []
        for k, lengths, doc_begins, doc_ends in zip(
            parts.tolist(), length.tolist(), begins, ends, strict=True
        ):
            runs = [
                b" ".join([text[a:e] for a, e in zip(b_run[:n], e_run[:n], strict=True)])
                for b_run, e_run, n in zip(doc_begins[:k], doc_ends[:k], lengths[:k], strict=True)
            ]
            out.append(b"\n\n".join(runs).decode("utf-8"))
        return out

    def chunks(self, size: int = CHUNK_DOCS) -> Iterator[list[str]]:
        """The documents in order, `size` at a time."""
        for start in range(0, self.n_docs, size):
            yield self.texts(start, min(start + size, self.n_docs))

    def texts(self, start: int, stop: int) -> list[str]:
        """Documents ``start..stop-1``: the same texts whatever slices they are asked in."""
        planted = self.planted(start, stop)
        texts = self._base_texts(planted.source)
        for k in np.flatnonzero(planted.is_copy).tolist():
            if planted.exact[k]:
                texts[k] = _exact_variant(texts[k])
            else:
                texts[k] = _near_variant(texts[k], random.Random(start + k))
        return texts


def _exact_variant(text: str) -> str:
    """Same normalised text: paragraph breaks and case changed, spaces doubled."""
    return text.replace("\n\n", "\n").replace(" ", "  ").upper()


def _near_variant(text: str, rng: random.Random) -> str:
    """Light edits: one word replaced per ~150, the last sentence dropped, maybe a credit."""
    words = text.split(" ")
    for _ in range(1 + len(words) // 150):
        words[rng.randrange(len(words))] = rng.choice(("reportedly", "also", "now", "still"))
    edited = " ".join(words)
    cut = edited.rfind(". ")
    if cut > len(edited) * 0.8:
        edited = edited[: cut + 1]
    if rng.random() < 0.5:
        edited += "\n\n" + rng.choice(_CREDITS)
    return edited


CLEANER_ENGINES: dict[str, dict[str, Any]] = {
    "cleaner": {},
    "cleaner-near": {"rewrite": None},
    "cleaner-ram": {"spill_bytes": None},
}
"""`DedupConfig` overrides per engine: the defaults; without the rewrite stage (MinHash
near-duplicates and containment only); never spilling to disk."""


def _run_cleaner(stream: SyntheticStream, overrides: dict[str, Any]) -> dict[str, Any]:
    from dataclasses import fields, replace

    from cleaner.dedup.index import DedupConfig, NearDupIndex

    base_rss = peak_rss_bytes()
    start = time.perf_counter()
    detect = 0.0
    known = {f.name for f in fields(DedupConfig)}
    config = replace(DedupConfig(), **{k: v for k, v in overrides.items() if k in known})
    rewrite = getattr(config, "rewrite", None)
    with NearDupIndex(config) as index:
        for texts in stream.chunks():
            t = time.perf_counter()
            index.add(texts)
            detect += time.perf_counter() - t
        t = time.perf_counter()
        result = index.finish()
        finish = time.perf_counter() - t
        detect += finish
        wall = time.perf_counter() - start
        ram_per_doc = index.nbytes / max(1, len(index))
        disk_per_doc = index.disk_bytes / max(1, len(index))
    planted = stream.planted()
    a = result.assignments
    copies = np.flatnonzero(planted.is_copy)
    # A copy is found when it shares its source's cluster (either may represent: the copy
    # with a credit line added contains its source). A flagged document is extra when its
    # representative is of another family (base document and its planted copies).
    found = a.cluster[copies] == a.cluster[planted.source[copies]]
    family = np.arange(len(a), dtype=np.int64)
    family[copies] = planted.source[copies]
    duplicate = a.is_duplicate
    extra = duplicate & (family[a.representative] != family)
    return {
        "wall_s": wall,
        "detect_s": detect,
        "finish_s": finish,
        "base_rss": base_rss,
        "rewrite_stage": bool(rewrite is not None and getattr(rewrite, "enabled", True)),
        "index_ram_bytes_per_doc": ram_per_doc,
        "index_disk_bytes_per_doc": disk_per_doc,
        "clusters_with_duplicates": result.stats.clusters_with_duplicates,
        "duplicates": int(duplicate.sum()),
        "candidate_pairs": result.stats.candidate_pairs,
        "verified_pairs": result.stats.verified_pairs,
        "planted": int(copies.size),
        "planted_found": int(found.sum()),
        "unplanted_duplicates": int(extra.sum()),
    }


def _run_datasketch(stream: SyntheticStream) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    from cleaner.dedup.shingles import shingle_strings

    base_rss = peak_rss_bytes()
    start = time.perf_counter()
    detect = 0.0
    lsh = MinHashLSH(threshold=DATASKETCH_THRESHOLD, num_perm=NUM_PERM)
    flagged = planted_found = n_planted = 0
    first = 0
    for texts in stream.chunks():
        planted = stream.planted(first, first + len(texts))
        t = time.perf_counter()
        shingled = ([s.encode("utf-8") for s in shingle_strings(text)] for text in texts)
        for k, minhash in enumerate(MinHash.generator(shingled, num_perm=NUM_PERM, seed=1)):
            found = lsh.query(minhash)
            flagged += bool(found)
            if planted.is_copy[k]:
                n_planted += 1
                planted_found += int(planted.source[k]) in found
            lsh.insert(first + k, minhash, check_duplication=False)
        detect += time.perf_counter() - t
        first += len(texts)
    return {
        "wall_s": time.perf_counter() - start,
        "detect_s": detect,
        "base_rss": base_rss,
        "clusters_with_duplicates": None,
        "duplicates": flagged,
        "planted": n_planted,
        "planted_found": planted_found,
        "bands_rows": f"{lsh.b}x{lsh.r}",
    }


def _child(engine: str, n_docs: int, data_dir: Path, cap_bytes: int | None) -> None:
    """Entry point of a measured run: prints one JSON line with the figures."""
    if cap_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (cap_bytes, cap_bytes))
    stream = SyntheticStream(load_corpus(data_dir), n_docs)
    if engine == "datasketch":
        row = _run_datasketch(stream)
    else:
        row = _run_cleaner(stream, CLEANER_ENGINES[engine])
    row["peak_rss"] = peak_rss_bytes()
    print(json.dumps(row), flush=True)


def measure(
    engine: str, n_docs: int, data_dir: Path, *, cap_bytes: int | None = None
) -> dict[str, Any]:
    """Run one engine on `n_docs` documents in a fresh process; its figures as a dict."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", engine, str(n_docs)]
    command += ["--data", str(data_dir)]
    if cap_bytes:
        command += ["--cap", str(cap_bytes)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    row: dict[str, Any] = {"engine": engine, "docs": n_docs}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        reason = "MemoryError" if "MemoryError" in done.stderr else f"exit {done.returncode}"
        limit = f" under a {cap_bytes / 2**30:.0f} GiB cap" if cap_bytes else ""
        row["status"] = f"did not fit{limit} ({reason})" if cap_bytes else f"failed ({reason})"
        row["stderr"] = done.stderr[-2000:]
        return row
    row.update(json.loads(lines[-1]))
    row["status"] = "ok"
    row["docs_per_s"] = n_docs / row["detect_s"]
    row["planted_recall"] = row["planted_found"] / max(1, row["planted"])
    return row


def run_scale(
    data_dir: Path,
    sizes: Sequence[int] = DEFAULT_SIZES,
    *,
    with_datasketch: bool = True,
    engines: Sequence[str] = tuple(CLEANER_ENGINES),
    datasketch_cap_bytes: int = DATASKETCH_CAP_BYTES,
) -> list[dict[str, Any]]:
    """Measure cleaner's `engines` (see `CLEANER_ENGINES`; all by default) and datasketch at
    each size, each run in a fresh process; one dict per run."""
    rows: list[dict[str, Any]] = []
    for n_docs in sizes:
        rows.extend(measure(engine, n_docs, data_dir) for engine in engines)
        if with_datasketch:
            rows.append(measure("datasketch", n_docs, data_dir, cap_bytes=datasketch_cap_bytes))
    return rows


def print_table_of(rows: Sequence[dict[str, Any]]) -> None:
    """The rows as a table (sizes in MiB, index bytes per document); failed runs below it."""
    header = ["engine", "docs", "wall s", "detect s", "finish s", "docs/s", "peak RSS"]
    header += ["base RSS", "RAM B/doc", "disk B/doc", "dups", "clusters", "recall", "extra"]
    cells = []
    for row in rows:
        if row["status"] != "ok":
            continue

        def cell(key: str, spec: str, row: dict[str, Any] = row) -> str:
            value = row.get(key)
            return "-" if value is None else format(value, spec)

        cells.append(
            [
                row["engine"],
                f"{row['docs']:,}",
                f"{row['wall_s']:.1f}",
                f"{row['detect_s']:.1f}",
                cell("finish_s", ".1f"),
                f"{row['docs_per_s']:.0f}",
                f"{row['peak_rss'] / 2**20:.0f} MiB",
                f"{row['base_rss'] / 2**20:.0f} MiB",
                cell("index_ram_bytes_per_doc", ".0f"),
                cell("index_disk_bytes_per_doc", ".0f"),
                f"{row['duplicates']:,}",
                cell("clusters_with_duplicates", ","),
                f"{row['planted_recall']:.4f}",
                cell("unplanted_duplicates", "d"),
            ]
        )
    print_table(header, cells)
    for row in rows:
        if row["status"] != "ok":
            print(f"{row['engine']} {row['docs']:,}: {row['status']}")
    print(
        "detect s: time in the detector (cleaner: add + finish; datasketch: sketch, query,"
        " insert); docs/s from it. base RSS: before the first document.\nrecall: planted"
        " copies found in their source's cluster (datasketch: source among the query's"
        " unverified candidates). extra: flagged documents outside their own family."
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Near-duplicate detection at scale.")
    parser.add_argument("--data", type=Path, default=bbc_dir())
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--no-datasketch", action="store_true")
    parser.add_argument(
        "--engines",
        nargs="+",
        choices=list(CLEANER_ENGINES),
        default=list(CLEANER_ENGINES),
        help="cleaner configurations to run (default: all)",
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "DOCS"), help=argparse.SUPPRESS)
    parser.add_argument("--cap", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], int(args.child[1]), args.data, args.cap)
        return
    rows = []
    for n_docs in args.sizes:  # one size at a time, so that figures appear as they come
        new = run_scale(
            args.data, [n_docs], with_datasketch=not args.no_datasketch, engines=args.engines
        )
        print_table_of(new)
        print()
        rows.extend(new)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
