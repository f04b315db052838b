"""HTML extraction quality and speed on the Zyte article benchmark, in one run.

    .venv/bin/python bench/html_bench.py [--data DIR] [--repeats N] [--worst K] [--ablation]

Systems, each given the same decoded page (`cleaner.io.html_charset.decode_html` on the
gzipped bytes, done once, outside the timings):

- cleaner default: the text processors of the packaged default chain (html with the
  trafilatura engine, encoding, normalize, boilerplate), as `cleaner clean` runs them;
- cleaner bs4: the same chain with `[html] engine = "bs4"`;
- trafilatura: `trafilatura.extract(html)` with its defaults;
- BeautifulSoup `get_text()` (lxml parser), the naive baseline.

Metric (the benchmark's, written from its description in ../shared/data/README.md): split the
text into `\\w+` tokens, build the multiset of 4-token shingles (a text of fewer than 4 tokens is
one shingle), count per document true positives (shingles in both, with multiplicity), false
positives and false negatives; precision and recall are averaged over documents and F1 is the
harmonic mean of the two averages. A document whose extraction is empty has precision 0 (and
recall 0) unless its ground truth is empty too.

Speed: each system runs over every page `--repeats` times, the systems interleaved within a
repetition; a page's time is its fastest run, and ms/doc is the mean over pages. The shared
machine is noisy: the minimum is the figure least disturbed by other processes.

`--ablation` adds a quality-only table (one pass, no timing): trafilatura with the settings
cleaner uses, then cleaner's default with one of its own rules switched off at a time, so that
each rule's contribution can be read off.

Nothing is asserted; the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "zyte-article-benchmark"

_TOKEN = re.compile(r"\w+")
SHINGLE = 4

Extractor = Callable[[str, str], str]


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    html: str
    truth: str


@dataclass
class Result:
    name: str
    precision: float
    recall: float
    ms_per_doc: float
    failures: Counter[str]

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


# -- metric -------------------------------------------------------------------------------------


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text)
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def precision_recall(truth: str, predicted: str) -> tuple[float, float]:
    expected, got = shingles(truth), shingles(predicted)
    tp = sum((expected & got).values())
    fp = sum(got.values()) - tp
    fn = sum(expected.values()) - tp
    if not expected:
        return (1.0, 1.0) if not got else (0.0, 1.0)
    precision = tp / (tp + fp) if tp + fp else 0.0
    return precision, tp / (tp + fn)


# -- systems ------------------------------------------------------------------------------------


def cleaner_chain(
    engine: str, failures: Counter[str], overrides: Sequence[str] = (), only_html: bool = False
) -> Extractor:
    """The default chain's text processors (or `html` alone), with the given html engine."""
    from cleaner.api import TEXT_PROCESSORS
    from cleaner.config import load_config
    from cleaner.document import Document
    from cleaner.pipeline import Pipeline

    config = load_config(overrides=[f'html.engine="{engine}"', *overrides])
    wanted = ("html",) if only_html else TEXT_PROCESSORS
    names = [n for n in config["pipeline"]["processors"] if n in wanted]
    config["pipeline"]["processors"] = names
    config["pipeline"]["drop_empty"] = False
    pipeline = Pipeline.from_dict(config)

    def run(html: str, url: str) -> str:
        result = pipeline.process(Document("page", html, meta={"format": "html", "url": url}))
        if isinstance(result, Document):
            return result.text
        failures[result.label] += 1
        return ""

    return run


def trafilatura_alone(failures: Counter[str]) -> Extractor:
    import trafilatura

    def run(html: str, url: str) -> str:
        text = trafilatura.extract(html)
        if text is None:
            failures["no output"] += 1
        return text or ""

    return run


def trafilatura_with(failures: Counter[str], **options: bool) -> Extractor:
    import trafilatura

    def run(html: str, url: str) -> str:
        return trafilatura.extract(html, **options) or ""

    return run


def bs4_get_text(failures: Counter[str]) -> Extractor:
    from bs4 import BeautifulSoup

    def run(html: str, url: str) -> str:
        return str(BeautifulSoup(html, "lxml").get_text())

    return run


# -- running ------------------------------------------------------------------------------------


def load_pages(data: Path) -> list[Page]:
    from cleaner.io.html_charset import decode_html

    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        html, _ = decode_html(raw)
        entry = truth[page_id]
        pages.append(Page(page_id, entry.get("url", ""), html, entry.get("articleBody", "")))
    return pages


def run(
    systems: Sequence[tuple[str, Extractor, Counter[str]]], pages: Sequence[Page], repeats: int
) -> tuple[list[Result], dict[str, list[tuple[float, float]]]]:
    best = {name: [float("inf")] * len(pages) for name, _, _ in systems}
    outputs: dict[str, list[str]] = {name: [""] * len(pages) for name, _, _ in systems}
    for repeat in range(repeats):
        for name, extract, failures in systems:
            if repeat:
                failures.clear()  # count failures of the last repetition only
            for i, page in enumerate(pages):
                started = time.perf_counter()
                text = extract(page.html, page.url)
                best[name][i] = min(best[name][i], time.perf_counter() - started)
                outputs[name][i] = text
    results = []
    per_doc: dict[str, list[tuple[float, float]]] = {}
    for name, _, failures in systems:
        scores = [precision_recall(p.truth, outputs[name][i]) for i, p in enumerate(pages)]
        per_doc[name] = scores
        results.append(
            Result(
                name=name,
                precision=sum(s[0] for s in scores) / len(scores),
                recall=sum(s[1] for s in scores) / len(scores),
                ms_per_doc=1000 * sum(best[name]) / len(pages),
                failures=failures,
            )
        )
    return results, per_doc


class _Switched:
    """Temporarily replace one function of the trafilatura engine (an ablation)."""

    def __init__(self, name: str, replacement: Callable[..., object]) -> None:
        self.name = name
        self.replacement = replacement
        self.saved: object = None

    def __enter__(self) -> None:
        from cleaner.html import trafilatura_engine

        self.saved = getattr(trafilatura_engine, self.name)
        setattr(trafilatura_engine, self.name, self.replacement)

    def __exit__(self, *exc: object) -> None:
        from cleaner.html import trafilatura_engine

        setattr(trafilatura_engine, self.name, self.saved)


def ablation(pages: Sequence[Page]) -> str:
    """F1 of cleaner's default with one rule off at a time, and of trafilatura's settings."""
    none: Counter[str] = Counter()
    variants: list[tuple[str, Extractor, _Switched | None]] = [
        ("trafilatura defaults", trafilatura_with(none), None),
        ("+ include_comments=False", trafilatura_with(none, include_comments=False), None),
        ("+ fast=True", trafilatura_with(none, include_comments=False, fast=True), None),
        ("cleaner html processor alone", cleaner_chain("trafilatura", none, only_html=True), None),
        ("  without the headline rule", cleaner_chain(
            "trafilatura", none, ["html.drop_headline=false"], only_html=True), None),
        ("  without link lists/paragraphs", cleaner_chain(
            "trafilatura", none, ["html.link_density=0"], only_html=True), None),
        ("  without split-body merging", cleaner_chain("trafilatura", none, only_html=True),
            _Switched("merge_split_bodies", lambda root: 0)),
        ("  without nav removal", cleaner_chain("trafilatura", none, only_html=True),
            _Switched("prune_navigation", lambda root: [])),
        ("  with fast=False", cleaner_chain(
            "trafilatura", none, ["html.fast=false"], only_html=True), None),
        ("cleaner default (+ encoding, normalize, boilerplate)",
            cleaner_chain("trafilatura", none), None),
    ]  # fmt: skip
    lines = ["| variant | F1 | precision | recall |", "| --- | --- | --- | --- |"]
    for name, extract, switch in variants:
        if switch is not None:
            with switch:
                scores = [precision_recall(p.truth, extract(p.html, p.url)) for p in pages]
        else:
            scores = [precision_recall(p.truth, extract(p.html, p.url)) for p in pages]
        precision = sum(s[0] for s in scores) / len(scores)
        recall = sum(s[1] for s in scores) / len(scores)
        f1 = 2 * precision * recall / (precision + recall)
        lines.append(f"| {name} | {f1:.4f} | {precision:.4f} | {recall:.4f} |")
    return "\n".join(lines)


def table(results: Sequence[Result]) -> str:
    reference = next((r.ms_per_doc for r in results if r.name == "trafilatura"), None)
    lines = [
        "| system | F1 | precision | recall | ms/doc | docs/s | time vs trafilatura | failures |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        ratio = f"{r.ms_per_doc / reference:.2f}x" if reference else ""
        failed = ", ".join(f"{k} {v}" for k, v in sorted(r.failures.items())) or "0"
        lines.append(
            f"| {r.name} | {r.f1:.4f} | {r.precision:.4f} | {r.recall:.4f} "
            f"| {r.ms_per_doc:.1f} | {1000 / r.ms_per_doc:.0f} | {ratio} | {failed} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--repeats", type=int, default=3, help="timing repetitions (min taken)")
    parser.add_argument("--worst", type=int, default=0, help="list the K worst pages per system")
    parser.add_argument("--ablation", action="store_true", help="also print the ablation table")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").exists():
        print(f"no benchmark data at {args.data}", file=sys.stderr)
        return 2
    pages = load_pages(args.data)
    systems: list[tuple[str, Extractor, Counter[str]]] = []
    for name, factory in (
        ("cleaner default", lambda f: cleaner_chain("trafilatura", f)),
        ("cleaner bs4", lambda f: cleaner_chain("bs4", f)),
        ("trafilatura", trafilatura_alone),
        ("BeautifulSoup get_text()", bs4_get_text),
    ):
        failures: Counter[str] = Counter()
        systems.append((name, factory(failures), failures))
    results, per_doc = run(systems, pages, max(1, args.repeats))
    print(f"Zyte article benchmark: {len(pages)} pages, {args.repeats} timing repetitions\n")
    print(table(results))
    # The systems run interleaved in this one process, so this is the peak of them all.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the benchmark process (all systems, all pages): {peak_mib:.0f} MiB")
    if args.ablation:
        print("\nAblation (quality only, one pass):\n")
        print(ablation(pages))
    for name, scores in per_doc.items() if args.worst else ():
        ranked = sorted(range(len(pages)), key=lambda i: sum(scores[i]))[: args.worst]
        print(f"\nworst pages, {name}:")
        for i in ranked:
            print(f"  P {scores[i][0]:.3f} R {scores[i][1]:.3f}  {pages[i].url}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
