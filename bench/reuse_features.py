"""Which document-level features tell a heavy paraphrase from an independent answer.

    python bench/reuse_features.py [--sets bench/data/reuse bench/data/reuse2]

On each hand-written reuse set (`bench/reuse_bench.py` describes them), every derived
document (cut, light, heavy) is measured against its source, and every independent
document against each other document of its topic (its score is the highest: one pair is
enough to flag it in a run). Features, each a share of the shorter side:

- ``w2``, ``w3``: word 2-gram and 3-gram containment (all words, case folded);
- ``cw``: content-word containment (the rewrite stage's content words: stopwords out);
- ``lcs``: longest common subsequence of the two content-word sequences;
- ``mono``: content words shared along a monotone sentence alignment (the best chain of
  sentence pairs whose positions both increase, each weighted by the content words the
  two sentences share);
- ``chain``: the rewrite stage's ordered chain (`passages.ordered_chain`: sentences whose
  best match at content-word Jaccard >= `order_similarity` keeps its order);
- ``char``: the same chain with sentences compared on character 4-grams (Jaccard >= 0.2),
  which tolerates changed word forms;
- ``spec``: containment of "specific" tokens: numbers and capitalised words inside a
  sentence (names, terms);
- ``cand``: 1 when the rewrite stage's sentence keys make the pair a candidate in a run
  over the whole set (`rewrite.rewrite_candidates`, default settings).

Then the rule search the issue asks for: every rule ``f >= t`` and ``f >= t and g >= u``
(thresholds at the heavy documents' values) that flags no independent document and at
least half the heavy ones on one set, tested on the other set. Figures: bench/README.md.
"""

from __future__ import annotations

import argparse
import itertools
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from common import print_table
from reuse_bench import REUSE_DIR, Doc, load_reuse

from cleaner.dedup.passages import ordered_run
from cleaner.dedup.rewrite import RewriteConfig, rewrite_candidates
from cleaner.dedup.sentences import ENGLISH_STOPWORDS, split_sentences

REUSE2_DIR = REUSE_DIR.parent / "reuse2"
FEATURES = ("w2", "w3", "cw", "lcs", "mono", "chain", "char", "spec")
_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*")
Features = dict[str, float]


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().replace("'", "").replace("’", ""))


def content(text: str) -> list[str]:
    return [w for w in words(text) if w not in ENGLISH_STOPWORDS and len(w) > 1]


def _contained(a: set[object], b: set[object]) -> float:
    smaller = min(len(a), len(b))
    return len(a & b) / smaller if smaller else 0.0


def _grams(tokens: list[str], n: int) -> set[object]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def _lcs(a: Sequence[str], b: Sequence[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def _sentence_sets(text: str, min_words: int) -> list[set[str]]:
    sets = [set(content(s)) for s in split_sentences(text)]
    return [s for s in sets if len(s) >= min_words]


def _monotone(a: list[set[str]], b: list[set[str]]) -> float:
    """Content words shared along the best monotone chain of sentence pairs, over the
    shorter document's content words."""
    table = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
    for i, x in enumerate(a, start=1):
        for j, y in enumerate(b, start=1):
            table[i, j] = max(table[i - 1, j], table[i, j - 1], table[i - 1, j - 1] + len(x & y))
    total = min(sum(map(len, a)), sum(map(len, b)))
    return float(table[-1, -1]) / total if total else 0.0


def _chain(
    a: list[set[str]],
    b: list[set[str]],
    similar: Callable[[set[str], set[str]], float],
    threshold: float,
) -> float:
    """Share of the shorter document's sentences in its ordered chain (the stage's rule)."""
    if len(a) > len(b):
        a, b = b, a
    best: list[int] = []
    for x in a:
        scores = [similar(x, y) for y in b]
        if scores and max(scores) >= threshold:
            best.append(int(np.argmax(scores)))
    return ordered_run(best) / len(a) if a else 0.0


def _jaccard(x: set[str], y: set[str]) -> float:
    union = len(x | y)
    return len(x & y) / union if union else 0.0


def _char_sets(text: str, min_words: int, n: int = 4) -> list[set[str]]:
    out = []
    for sentence in split_sentences(text):
        if len(set(content(sentence))) >= min_words:
            joined = " ".join(words(sentence))
            out.append({joined[i : i + n] for i in range(len(joined) - n + 1)})
    return out


def specific(text: str) -> set[str]:
    """Numbers and capitalised words that do not start a sentence."""
    out: set[str] = set()
    for sentence in split_sentences(text):
        for i, token in enumerate(_TOKEN.findall(sentence)):
            if any(c.isdigit() for c in token):
                out.add(token.replace(",", ""))
            elif i and token[0].isupper() and token.casefold() not in ENGLISH_STOPWORDS:
                out.add(token.casefold())
    return out


def features(a: str, b: str, config: RewriteConfig) -> Features:
    wa, wb, ca, cb = words(a), words(b), content(a), content(b)
    sa = _sentence_sets(a, config.min_sentence_words)
    sb = _sentence_sets(b, config.min_sentence_words)
    return {
        "w2": _contained(_grams(wa, 2), _grams(wb, 2)),
        "w3": _contained(_grams(wa, 3), _grams(wb, 3)),
        "cw": _contained(set(ca), set(cb)),
        "lcs": _lcs(ca, cb) / max(1, min(len(ca), len(cb))),
        "mono": _monotone(sa, sb),
        "chain": _chain(sa, sb, _jaccard, config.order_similarity),
        "char": _chain(
            _char_sets(a, config.min_sentence_words),
            _char_sets(b, config.min_sentence_words),
            _jaccard,
            0.2,
        ),
        "spec": _contained(specific(a), specific(b)),
    }


def candidates(docs: Sequence[Doc], config: RewriteConfig) -> set[tuple[str, str]]:
    """Pairs of file names the sentence keys make candidates in one run over `docs`."""
    sketches = config.sketcher().sketch([d.text for d in docs])
    members = np.arange(len(docs), dtype=np.int64)
    pairs, _ = rewrite_candidates(sketches, members, config)
    out: set[tuple[str, str]] = set()
    for i, j in pairs.tolist():
        out.add((docs[i].file, docs[j].file))
        out.add((docs[j].file, docs[i].file))
    return out


Scorer = Callable[[str, str, RewriteConfig], Features]


def measure(
    docs: Sequence[Doc],
    config: RewriteConfig,
    score: Scorer = features,
    names: Sequence[str] = FEATURES,
    *,
    sources_only: bool = False,
) -> dict[str, list[tuple[str, Features]]]:
    """Per kind, each document's features (against its source; independent documents: the
    highest over the other documents of their topic, or against the source alone with
    `sources_only`). `score` gives a pair's features, `names` are those kept."""
    found = candidates(docs, config)
    by_kind: dict[str, list[tuple[str, Features]]] = {}
    for doc in docs:
        if doc.kind == "source":
            continue
        topic = [d for d in docs if d.topic == doc.topic and d is not doc]
        sources = [d for d in topic if d.kind == "source"]
        partners = topic if doc.kind == "independent" and not sources_only else sources
        scored = [score(p.text, doc.text, config) for p in partners]
        best = {name: max(f[name] for f in scored) for name in names}
        best["cand"] = float(any((p.file, doc.file) in found for p in partners))
        by_kind.setdefault(doc.kind, []).append((doc.file, best))
        if doc.kind == "independent":
            doc_pairs = by_kind.setdefault("_independent_pairs", [])
            doc_pairs.extend((doc.file, f) for f in scored)
    return by_kind


Rule = tuple[tuple[str, float], ...]


def flags(rule: Rule, pairs: Sequence[tuple[str, Features]]) -> set[str]:
    """Documents with at least one pair meeting every condition of `rule`."""
    return {name for name, f in pairs if all(f[k] >= t for k, t in rule)}


def search(
    chosen: dict[str, list[tuple[str, Features]]], names: Sequence[str] = FEATURES
) -> list[Rule]:
    """Rules (one or two conditions, thresholds at heavy documents' values) that flag no
    independent document and at least half the heavy ones on the `chosen` set, best
    first."""
    heavy = chosen["heavy"]
    independent = chosen["_independent_pairs"]
    found: list[tuple[int, Rule]] = []
    for k1, k2 in itertools.combinations_with_replacement(names, 2):
        for t1 in sorted({f[k1] for _, f in heavy}):
            for t2 in sorted({f[k2] for _, f in heavy}):
                rule: Rule = ((k1, t1),) if k1 == k2 else ((k1, t1), (k2, t2))
                hits = len(flags(rule, heavy))
                if 2 * hits >= len(heavy) and not flags(rule, independent):
                    found.append((hits, rule))
    found.sort(key=lambda item: -item[0])
    return [rule for _, rule in dict.fromkeys(found)]


def _range(values: Sequence[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=Path, nargs=2, default=[REUSE_DIR, REUSE2_DIR])
    parser.add_argument("--rules", type=int, default=5, help="rules shown per chosen set")
    args = parser.parse_args(argv)
    config = RewriteConfig()
    measured = {path.name: measure(load_reuse(path), config) for path in args.sets}
    report(measured, FEATURES, args.rules)


def report(
    measured: dict[str, dict[str, list[tuple[str, Features]]]], names: Sequence[str], shown: int
) -> None:
    """Print each set's feature ranges per kind, then the rule search chosen on each set
    and tested on the other."""
    header = ["set", "kind", "docs", *names, "cand"]
    table = []
    for name, by_kind in measured.items():
        for kind in ("cut", "light", "heavy", "independent"):
            rows = [f for _, f in by_kind[kind]]
            cells = [_range([f[k] for f in rows]) for k in names]
            cand = f"{sum(f['cand'] for f in rows):.0f}/{len(rows)}"
            table.append([name, kind, str(len(rows)), *cells, cand])
    print_table(header, table, left=2)
    print()
    sets = list(measured)
    for chosen, tested in ((sets[0], sets[1]), (sets[1], sets[0])):
        rules = search(measured[chosen], names)
        print(f"chosen on {chosen}: {len(rules)} rules flag >= half the heavy, no independent")
        for rule in rules[:shown]:
            text = " and ".join(f"{k} >= {t:.3f}" for k, t in rule)
            scores = []
            for name in (chosen, tested):
                heavy = measured[name]["heavy"]
                wrong = flags(rule, measured[name]["_independent_pairs"])
                scores.append(
                    f"{name}: heavy {len(flags(rule, heavy))}/{len(heavy)}, "
                    f"independent {len(wrong)}/{len(measured[name]['independent'])}"
                )
            print(f"  {text:38s} {'; '.join(scores)}")
        other = measured[tested]
        safe = [r for r in rules if not flags(r, other["_independent_pairs"])]
        best = max((len(flags(r, other["heavy"])) for r in safe), default=0)
        print(
            f"  of these, {len(safe)} flag no independent document of {tested}; "
            f"the best of them finds {best}/{len(other['heavy'])} of its heavy paraphrases"
        )


if __name__ == "__main__":
    main()
