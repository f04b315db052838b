"""`cleaner compare`: why two documents are (or are not) duplicates, with the evidence.

Both documents are cleaned by the text processors of the configured chain (as `cleaner clean`
would before `dedup` sees them), then compared with the `[dedup]` settings: Jaccard and
containment of their shingle sets and the verdict, both from `dedup.pair.judge_pair` (the code
and thresholds of the `dedup` stage itself), and the passages they share, printed side by side
with a little context.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cleaner.api import text_pipeline
from cleaner.dedup.cluster import MatchKind
from cleaner.dedup.pair import PairVerdict, judge_pair
from cleaner.dedup.rewrite import RewriteConfig
from cleaner.dedup.sentences import SentenceSketcher, U32Array, split_sentences
from cleaner.document import Document, Drop
from cleaner.errors import ConfigError
from cleaner.io.readers import read_inputs
from cleaner.processors.dedup import Dedup
from cleaner.registry import make_options

_WORD = re.compile(r"\w+(?:['’]\w+)*")
_MAX_PASSAGES = 12
_CONTEXT_WORDS = 4
_LONG_PASSAGE_ENDS = 12
#: The column widths `--width` accepts: narrower cannot show a passage, wider is no screen.
MIN_WIDTH = 10
MAX_WIDTH = 1000


@dataclass(frozen=True)
class Passage:
    """A run of `length` words shared by A (from word `a`) and B (from word `b`)."""

    a: int
    b: int
    length: int


def compare_inputs(
    config: Mapping[str, Any], inputs: Sequence[str], ids: Sequence[str], *, width: int = 60
) -> str:
    """The comparison report for two documents named by the CLI arguments."""
    check_width(width)
    first, second = _pick(config, inputs, ids)
    cleaner = text_pipeline(config)
    cleaned = [_text(cleaner.process(doc)) for doc in (first, second)]
    options = make_options(Dedup.Options, config.get("dedup", {}), "[dedup]")
    return report(first.id, second.id, cleaned[0], cleaned[1], options, width=width)


def check_width(width: int) -> None:
    """A column width of `MIN_WIDTH` to `MAX_WIDTH` characters, else one ConfigError."""
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        raise ConfigError(f"--width: expected {MIN_WIDTH} to {MAX_WIDTH} columns, got {width}")


def report(
    id_a: str, id_b: str, text_a: str, text_b: str, options: Dedup.Options, *, width: int = 60
) -> str:
    check_width(width)
    dedup_config = options.dedup_config()
    verdict = judge_pair(text_a, text_b, dedup_config)
    shingles = f"{dedup_config.shingles.unit} {dedup_config.shingles.n}-grams"
    count_a, count_b = verdict.shingles
    lines = [
        f"A: {id_a}  ({len(_WORD.findall(text_a))} words, {count_a} shingles)",
        f"B: {id_b}  ({len(_WORD.findall(text_b))} words, {count_b} shingles)",
        f"shingles: {shingles}",
        f"jaccard:           {verdict.jaccard:.4f}   (near at >= {options.threshold})",
        f"containment:       {verdict.containment:.4f}   "
        f"(excerpt/revision at >= {options.containment_threshold})",
        f"verdict:           {_verdict(verdict, id_a, id_b)}",
    ]
    if verdict.kind is MatchKind.REWRITE and dedup_config.rewrite is not None:
        lines.extend(_aligned_report(text_a, text_b, dedup_config.rewrite))
    passages = shared_passages(text_a, text_b, min_words=max(dedup_config.shingles.n, 3))
    total = sum(p.length for p in passages)
    lines.append(f"shared passages:   {len(passages)} ({total} words)")
    lines.append("")
    words_a, words_b = _words(text_a), _words(text_b)
    for passage in passages[:_MAX_PASSAGES]:
        lines.extend(_side_by_side(passage, text_a, text_b, words_a, words_b, width))
        lines.append("")
    if len(passages) > _MAX_PASSAGES:
        lines.append(f"... {len(passages) - _MAX_PASSAGES} more shared passages")
    return "\n".join(lines) + "\n"


def aligned_sentences(
    text_a: str, text_b: str, min_similarity: float, sketcher: SentenceSketcher | None = None
) -> list[tuple[float, str, str]]:
    """For each sentence of B, its most similar sentence of A by content-word Jaccard, when at
    least `min_similarity`: (similarity, A, B). Sentences are sketched by the rewrite stage's
    own `SentenceSketcher` (its content words, its minimum sentence length), so the
    similarities are the ones the stage compares."""
    sketcher = sketcher or RewriteConfig().sketcher()
    sentences_a = [
        (s, words)
        for s in split_sentences(text_a)
        if (words := _content_words(s, sketcher)) is not None
    ]
    aligned = []
    for sentence_b in split_sentences(text_b):
        words_b = _content_words(sentence_b, sketcher)
        if words_b is None:
            continue
        best = max(
            ((_jaccard(words_a, words_b), s) for s, words_a in sentences_a),
            default=(0.0, ""),
        )
        if best[0] >= min_similarity:
            aligned.append((best[0], best[1], sentence_b))
    return aligned


def _content_words(sentence: str, sketcher: SentenceSketcher) -> U32Array | None:
    """The hashes of the content words of `sentence`, or None when the stage skips it."""
    sketches = sketcher.sketch([sentence]).sentences(0)
    return sketches[0] if len(sketches) == 1 else None


def _jaccard(a: U32Array, b: U32Array) -> float:
    common = int(np.intersect1d(a, b, assume_unique=True).size)
    return common / (a.size + b.size - common)


def _aligned_report(text_a: str, text_b: str, rewrite: RewriteConfig) -> list[str]:
    min_similarity = rewrite.sentence_similarity
    aligned = aligned_sentences(text_a, text_b, min_similarity, rewrite.sketcher())
    lines = [f"aligned sentences: {len(aligned)} (content-word Jaccard >= {min_similarity})", ""]
    for similarity, sentence_a, sentence_b in aligned[:_MAX_PASSAGES]:
        lines.append(f"  {similarity:.2f}  A: {textwrap.shorten(sentence_a, 110)}")
        lines.append(f"        B: {textwrap.shorten(sentence_b, 110)}")
    if len(aligned) > _MAX_PASSAGES:
        lines.append(f"  ... {len(aligned) - _MAX_PASSAGES} more aligned sentences")
    lines.append("")
    return lines


def shared_passages(text_a: str, text_b: str, *, min_words: int = 5) -> list[Passage]:
    """Maximal runs of at least `min_words` words (casefolded) that appear in both texts,
    longest first, each stretch of A used once."""
    tokens_a = [m.group().casefold() for m in _WORD.finditer(text_a)]
    tokens_b = [m.group().casefold() for m in _WORD.finditer(text_b)]
    starts: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(tokens_a) - min_words + 1):
        starts.setdefault(tuple(tokens_a[i : i + min_words]), []).append(i)
    found: list[Passage] = []
    j = 0
    while j <= len(tokens_b) - min_words:
        best: Passage | None = None
        for i in starts.get(tuple(tokens_b[j : j + min_words]), []):
            length = min_words
            while (
                i + length < len(tokens_a)
                and j + length < len(tokens_b)
                and tokens_a[i + length] == tokens_b[j + length]
            ):
                length += 1
            if best is None or length > best.length:
                best = Passage(i, j, length)
        if best is None:
            j += 1
        else:
            found.append(best)
            j += best.length
    found.sort(key=lambda p: (-p.length, p.a, p.b))
    used: set[int] = set()
    passages = []
    for passage in found:
        span = set(range(passage.a, passage.a + passage.length))
        if span & used:
            continue
        used |= span
        passages.append(passage)
    return passages


def _pick(
    config: Mapping[str, Any], inputs: Sequence[str], ids: Sequence[str]
) -> tuple[Document, Document]:
    items = read_inputs(inputs, config.get("input", {}))
    docs = [item for item in items if isinstance(item, Document)]
    if ids:
        if len(ids) != 2:
            raise ConfigError("compare needs exactly two --id values")
        by_id = {doc.id: doc for doc in docs if doc.id in ids}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise ConfigError(f"no document with id {', '.join(missing)} in the inputs")
        return by_id[ids[0]], by_id[ids[1]]
    if len(docs) != 2:
        raise ConfigError(
            f"compare needs two documents (two files, or --id twice); the inputs hold {len(docs)}"
        )
    return docs[0], docs[1]


def _text(result: Document | Drop) -> str:
    return result.document.text if isinstance(result, Drop) else result.text


def _verdict(verdict: PairVerdict, id_a: str, id_b: str) -> str:
    if verdict.copy is None:
        return "not duplicates"
    kind = verdict.label
    article = "an" if kind[0] in "aeiou" else "a"
    copy, kept = ("B", f"A ({id_a})") if verdict.copy == 1 else ("A", f"B ({id_b})")
    aligned = f", {verdict.aligned:.0%} of sentences aligned" if verdict.aligned is not None else ""
    return f"{copy} is {article} {kind} duplicate of {kept}{aligned}"


def _words(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _WORD.finditer(text)]


def _excerpt(text: str, words: list[tuple[int, int]], start: int, length: int) -> str:
    lo = max(0, start - _CONTEXT_WORDS)
    hi = min(len(words), start + length + _CONTEXT_WORDS)
    before = text[words[lo][0] : words[start][0]]
    last = start + length - 1
    if length > 2 * _LONG_PASSAGE_ENDS:
        # A long shared passage: its two ends are enough to find it in both documents.
        head = text[words[start][0] : words[start + _LONG_PASSAGE_ENDS - 1][1]]
        tail = text[words[last - _LONG_PASSAGE_ENDS + 1][0] : words[last][1]]
        shared = f"{head} … ({length - 2 * _LONG_PASSAGE_ENDS} words) … {tail}"
    else:
        shared = text[words[start][0] : words[last][1]]
    after = text[words[start + length - 1][1] : words[hi - 1][1]]
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(words) else ""
    return " ".join(f"{prefix}{before}[{shared}]{after}{suffix}".split())


def _side_by_side(
    passage: Passage,
    text_a: str,
    text_b: str,
    words_a: list[tuple[int, int]],
    words_b: list[tuple[int, int]],
    width: int,
) -> list[str]:
    left = textwrap.wrap(_excerpt(text_a, words_a, passage.a, passage.length), width) or [""]
    right = textwrap.wrap(_excerpt(text_b, words_b, passage.b, passage.length), width) or [""]
    head = f"{passage.length} words, A word {passage.a + 1} / B word {passage.b + 1}"
    rows = [f"  {head}"]
    for i in range(max(len(left), len(right))):
        l_part = left[i] if i < len(left) else ""
        r_part = right[i] if i < len(right) else ""
        rows.append(f"  {l_part:<{width}} | {r_part}")
    return rows
