"""Language detection: the "fast" engine against langdetect, speed, agreement and accuracy.

Both engines run through `Language.identify`, the processor's own path (same prefix:
`[language] max_chars`, same "unknown" rules). The reference is what a user of langdetect
would call, seeded: `langdetect.detect_langs` with `DetectorFactory.seed = 0` (7 trials), on
the same sample the processor reads, "unknown" under the processor's rules (fewer than
`min_chars` letters, or langdetect finds no feature).

Sets (nothing was tuned on any of them: the fast engine's constants are langdetect's own,
alpha 0.5, CONV_THRESHOLD and PROB_THRESHOLD; every set only tests):

- bbc: the 2,225 BBC News articles (English), also the timing set;
- seeds: the project's five scraped articles (`seeds/`);
- trafilatura: the 481 pages of trafilatura-eval-dev, text extracted by `trafilatura.extract`
  (many languages; pages it extracts nothing from are left out);
- lingua: the labelled sentences of lingua-sentences in the languages langdetect knows
  (`nb` is langdetect's `no`, `zh` its `zh-cn` or `zh-tw`); accuracy against the file's label.

Agreement is the share of documents where the engine's label equals the reference's
("unknown" included); "200+" counts only samples of 200 characters or more (the text the
detectors actually read). "score diff" is the mean absolute difference between the engine's
`lang_score` and the reference's top probability where both give the same language.

Usage::

    .venv/bin/python bench/lang_bench.py                 # every set, --repeat 3
    .venv/bin/python bench/lang_bench.py --per-language 200 --skip-trafilatura
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from common import data_dir

from cleaner.io.decode import decode_bytes
from cleaner.processors.language import Language, sample_text

SHARED = data_dir()
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
LONG = 200  # characters of sample for the "200+" columns

# lingua file code -> the langdetect labels that are right for it
LINGUA_LABELS = {"nb": ("no",), "zh": ("zh-cn", "zh-tw")}


@dataclass(frozen=True)
class Item:
    """One text to identify, with its true language when the set has one."""

    text: str
    truth: tuple[str, ...] = ()


def bbc(root: Path) -> list[Item]:
    paths = sorted(root.glob("*/*.txt"))
    if not paths:
        sys.exit(f"no articles under {root}")
    return [Item(decode_bytes(p.read_bytes())[0]) for p in paths]


def seeds(root: Path) -> list[Item]:
    return [Item(p.read_text(encoding="utf-8")) for p in sorted(root.glob("*.txt"))]


def trafilatura_pages(root: Path) -> list[Item]:
    import trafilatura

    from cleaner.io.html_charset import decode_html

    items = []
    for path in sorted((root / "html").glob("*.html.gz")):
        html, _ = decode_html(gzip.decompress(path.read_bytes()))
        text = trafilatura.extract(html)
        if text:
            items.append(Item(text))
    return items


def lingua(root: Path, known: set[str], per_language: int) -> list[Item]:
    items = []
    for path in sorted(root.glob("*.txt")):
        labels = LINGUA_LABELS.get(path.stem, (path.stem,))
        if not set(labels) & known:
            continue
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        items.extend(Item(line, labels) for line in lines[:per_language])
    return items


@dataclass
class Labels:
    """Each engine's (language, score) per item, and the sample each one read."""

    samples: list[str]
    by_engine: dict[str, list[tuple[str, float]]]


def reference(options: Language.Options) -> Callable[[str], tuple[str, float]]:
    """Seeded `langdetect.detect_langs` on the processor's sample, under its unknown rules."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    from cleaner.processors.language import _letter_count

    DetectorFactory.seed = 0

    def run(sample: str) -> tuple[str, float]:
        if _letter_count(sample) < max(options.min_chars, 1):
            return options.unknown, 0.0
        try:
            ranked = detect_langs(sample)
        except LangDetectException:
            return options.unknown, 0.0
        if not ranked:
            return options.unknown, 0.0
        return str(ranked[0].lang), float(ranked[0].prob)

    return run


def label(items: Sequence[Item], engines: dict[str, Language]) -> Labels:
    max_chars = next(iter(engines.values())).options.max_chars
    samples = [sample_text(item.text, max_chars) for item in items]
    ref = reference(next(iter(engines.values())).options)
    by_engine = {name: [engine.identify(s) for s in samples] for name, engine in engines.items()}
    by_engine["reference"] = [ref(s) for s in samples]
    return Labels(samples, by_engine)


def agreement(labels: Labels, engine: str, long_only: bool) -> tuple[float, int]:
    pairs = [
        (mine, ref)
        for mine, ref, sample in zip(
            labels.by_engine[engine], labels.by_engine["reference"], labels.samples, strict=True
        )
        if not long_only or len(sample) >= LONG
    ]
    if not pairs:
        return float("nan"), 0
    return sum(m[0] == r[0] for m, r in pairs) / len(pairs), len(pairs)


def score_diff(labels: Labels, engine: str) -> float:
    diffs = [
        abs(m[1] - r[1])
        for m, r in zip(labels.by_engine[engine], labels.by_engine["reference"], strict=True)
        if m[0] == r[0] and r[1] > 0
    ]
    return sum(diffs) / len(diffs) if diffs else float("nan")


def accuracy(items: Sequence[Item], labels: Labels, engine: str) -> float:
    right = sum(
        got[0] in item.truth for item, got in zip(items, labels.by_engine[engine], strict=True)
    )
    return right / len(items)


def time_engines(
    texts: Sequence[str], engines: dict[str, Language], repeat: int
) -> dict[str, tuple[float, float]]:
    """Best-of-`repeat` seconds per document: (whole `identify`, detection on the sample).

    The engines alternate inside each repeat, so both see the same machine load.
    """
    max_chars = next(iter(engines.values())).options.max_chars
    samples = [sample_text(t, max_chars) for t in texts]
    for engine in engines.values():
        engine.identify(texts[0])  # loads the profiles: not part of the per-document time
    best: dict[str, list[float]] = {name: [float("inf")] * 2 for name in engines}
    for _ in range(repeat):
        for name, engine in engines.items():
            start = time.perf_counter()
            for text in texts:
                engine.identify(text)
            whole = time.perf_counter() - start
            detect = _detect_only(engine)
            start = time.perf_counter()
            for sample in samples:
                detect(sample)
            only = time.perf_counter() - start
            best[name][0] = min(best[name][0], whole / len(texts))
            best[name][1] = min(best[name][1], only / len(texts))
    return {name: (b[0], b[1]) for name, b in best.items()}


def _detect_only(engine: Language) -> Callable[[str], object]:
    from cleaner.processors.language import _detect

    if engine.options.engine == "fast":
        return engine._fast.detect
    trials = engine.options.trials
    return lambda sample: _detect(sample, trials)


def load_seconds() -> float:
    """Time to load the fast engine's profiles in a fresh detector."""
    from cleaner.langid import FastDetector

    start = time.perf_counter()
    FastDetector().detect("warm up the profiles")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=SHARED)
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument("--repeat", type=int, default=3, help="timing passes (best is kept)")
    parser.add_argument("--per-language", type=int, default=1000, help="lingua sentences")
    parser.add_argument("--skip-trafilatura", action="store_true")
    args = parser.parse_args()
    if args.repeat < 1 or args.per_language < 1:
        parser.error("--repeat and --per-language must be >= 1")

    engines = {
        "fast": Language(Language.Options(engine="fast")),
        "langdetect": Language(Language.Options(engine="langdetect")),
    }
    opts = engines["langdetect"].options
    print(f"prefix max_chars={opts.max_chars}, min_chars={opts.min_chars}, trials={opts.trials}")
    print(f"fast engine profile load: {load_seconds():.2f} s (once per process)")

    corpus = bbc(args.data / "bbc-news")
    times = time_engines([i.text for i in corpus], engines, args.repeat)
    print(f"\nTime per document, BBC ({len(corpus)} articles, best of {args.repeat}):\n")
    print("| engine | identify ms/doc | detection only ms/doc |")
    print("| --- | --- | --- |")
    for name, (whole, only) in times.items():
        print(f"| {name} | {whole * 1e3:.3f} | {only * 1e3:.3f} |")
    fast, slow = times["fast"], times["langdetect"]
    print(f"| ratio langdetect / fast | {slow[0] / fast[0]:.1f}x | {slow[1] / fast[1]:.1f}x |")

    known = set(engines["fast"]._fast.languages)
    sets: list[tuple[str, list[Item]]] = [("bbc", corpus), ("seeds", seeds(args.seeds))]
    if not args.skip_trafilatura:
        sets.append(("trafilatura", trafilatura_pages(args.data / "trafilatura-eval-dev")))
    lingua_items = lingua(args.data / "lingua-sentences", known, args.per_language)
    sets.append(("lingua", lingua_items))

    print("\nAgreement with seeded langdetect.detect (7 trials) on the same sample:\n")
    print(
        "| set | docs | fast | fast 200+ (docs) | langdetect engine | langdetect 200+ "
        "| score diff fast | score diff langdetect |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    lingua_labels = None
    for name, items in sets:
        labels = label(items, engines)
        if name == "lingua":
            lingua_labels = labels
        fa, _ = agreement(labels, "fast", False)
        fl, n_long = agreement(labels, "fast", True)
        la, _ = agreement(labels, "langdetect", False)
        ll, _ = agreement(labels, "langdetect", True)
        print(
            f"| {name} | {len(items)} | {fa:.2%} | {fl:.2%} ({n_long}) | {la:.2%} | {ll:.2%} "
            f"| {score_diff(labels, 'fast'):.4f} | {score_diff(labels, 'langdetect'):.4f} |"
        )

    assert lingua_labels is not None
    languages = sorted({item.truth[0] for item in lingua_items})
    print(
        f"\nAccuracy against the true language, lingua-sentences "
        f"({len(lingua_items)} sentences, {len(languages)} languages):\n"
    )
    print("| engine | accuracy |")
    print("| --- | --- |")
    for engine in ("fast", "langdetect", "reference"):
        shown = "seeded langdetect.detect (7 trials)" if engine == "reference" else engine
        print(f"| {shown} | {accuracy(lingua_items, lingua_labels, engine):.2%} |")
    print(json.dumps({"lingua_languages": languages}))


if __name__ == "__main__":
    main()
