"""HTML extraction quality and speed on two benchmarks, in one run.

    .venv/bin/python bench/html_bench.py [--sets zyte trafilatura] [--repeats N]
        [--data DIR] [--cache DIR] [--breakdown] [--ablation] [--worst K]

Benchmarks (from `../shared/data`, found beside or above the repository; `--data` to point
elsewhere):

- **zyte**: the Zyte article benchmark, 181 news pages with hand-extracted bodies. Its metric:
  `\\w+` tokens, multisets of 4-token shingles, precision and recall per page averaged over the
  pages, F1 of the two averages (an empty extraction scores 0 unless the truth is empty).
- **trafilatura**: `trafilatura-eval-dev`, 481 varied pages (many languages; news, blogs,
  institutions, forums) with snippets that must (`with`) and must not (`without`) be in the
  text. Its metric, trafilatura's: over all pages a `with` snippet found is a true positive,
  a missing one a false negative, a `without` snippet found a false positive (substring
  match after collapsing whitespace in both); precision TP/(TP+FP), recall TP/(TP+FN),
  F1 = 2TP/(2TP+FP+FN).

Systems, each given the same decoded page (`cleaner.io.html_charset.decode_html` on the
bytes, done once, outside the timings):

- cleaner default: the text processors of the packaged default chain (html with the
  trafilatura engine, encoding, normalize, boilerplate), as `cleaner clean` runs them;
- cleaner bs4: the same chain with `[html] engine = "bs4"`;
- trafilatura: `trafilatura.extract(html)` with its defaults; and with `favor_precision=True`;
- readability-lxml (`Document(html).summary()` as text) and resiliparse
  (`extract_plain_text(main_content=True)`) when installed (the `bench` extra installs them);
- BeautifulSoup `get_text()` (lxml parser), the naive baseline.

Speed: each system runs over every page `--repeats` times, the systems interleaved within a
repetition; a page's time is its fastest run, and ms/page is the mean over pages. The shared
machine is noisy: the minimum is the figure least disturbed by other processes. The ratio is
to trafilatura's defaults measured in the same run.

`--cache DIR` stores the outputs and timings of the systems that do not depend on this
repository's code (trafilatura, readability, resiliparse, get_text) per set and library
version, and reuses them: for iterating on cleaner's rules, not for the published figures.

`--breakdown` adds, for the trafilatura set, F1 per page language (the page's `<html lang>`,
else langdetect on its `with` snippets) and per page kind (trafilatura's "hard" pages, the
rest). `--ablation` adds a quality-only table for both sets: cleaner's html processor with
one of its rules switched off at a time.

Nothing is asserted; the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import re
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from common import data_dir

REPO = Path(__file__).resolve().parent.parent

_TOKEN = re.compile(r"\w+")
_LANG = re.compile(rb"<html[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})", re.IGNORECASE)
SHINGLE = 4
SETS = ("zyte", "trafilatura")
SET_DIRS = {"zyte": "zyte-article-benchmark", "trafilatura": "trafilatura-eval-dev"}

Extractor = Callable[[str, str], str]


def default_data() -> Path:
    """The shared data directory (`bench/common.py`: `$CLEANER_BENCH_DATA`, else
    `../shared/data` beside the repository)."""
    return data_dir()


@dataclass(frozen=True)
class Page:
    id: str
    url: str
    html: str
    truth: str = ""  # zyte: the article body
    with_: tuple[str, ...] = ()  # trafilatura: snippets that must be in the text
    without: tuple[str, ...] = ()  # trafilatura: snippets that must not
    lang: str = ""
    kind: str = ""


@dataclass
class Score:
    """Zyte: averaged precision and recall; trafilatura: snippet counts."""

    precision: float
    recall: float
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass
class Result:
    name: str
    score: Score
    ms_per_doc: float
    failures: Counter[str] = field(default_factory=Counter)
    cached: bool = False


# -- metrics ------------------------------------------------------------------------------------


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


def zyte_score(pages: Sequence[Page], outputs: Sequence[str]) -> Score:
    scores = [precision_recall(p.truth, out) for p, out in zip(pages, outputs, strict=True)]
    return Score(sum(s[0] for s in scores) / len(scores), sum(s[1] for s in scores) / len(scores))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def snippet_counts(page: Page, output: str) -> tuple[int, int, int]:
    """(TP, FP, FN) of one page under trafilatura's metric."""
    text = _collapse(output)
    found = sum(_collapse(s) in text for s in page.with_)
    leaked = sum(_collapse(s) in text for s in page.without)
    return found, leaked, len(page.with_) - found


def snippet_score(pages: Sequence[Page], outputs: Sequence[str]) -> Score:
    tp = fp = fn = 0
    for page, output in zip(pages, outputs, strict=True):
        a, b, c = snippet_counts(page, output)
        tp, fp, fn = tp + a, fp + b, fn + c
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return Score(precision, recall, tp, fp, fn)


def score(set_name: str, pages: Sequence[Page], outputs: Sequence[str]) -> Score:
    return zyte_score(pages, outputs) if set_name == "zyte" else snippet_score(pages, outputs)


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


def trafilatura_with(failures: Counter[str], **options: bool) -> Extractor:
    import trafilatura

    def run(html: str, url: str) -> str:
        text = trafilatura.extract(html, **options)
        if text is None:
            failures["no output"] += 1
        return text or ""

    return run


def readability_lxml(failures: Counter[str]) -> Extractor:
    from lxml.html import fromstring
    from readability import Document as Readable

    def run(html: str, url: str) -> str:
        try:
            summary = Readable(html).summary(html_partial=True)
            return " ".join(" ".join(fromstring(summary).itertext()).split())
        except Exception as exc:  # readability raises on empty or odd pages
            failures[type(exc).__name__] += 1
            return ""

    return run


def resiliparse_main(failures: Counter[str]) -> Extractor:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    def run(html: str, url: str) -> str:
        return str(extract_plain_text(HTMLTree.parse(html), main_content=True))

    return run


def bs4_get_text(failures: Counter[str]) -> Extractor:
    from bs4 import BeautifulSoup

    def run(html: str, url: str) -> str:
        return str(BeautifulSoup(html, "lxml").get_text())

    return run


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "none"


# (name, factory, cacheable: the key of its code outside this repository, or None)
SystemSpec = tuple[str, Callable[[Counter[str]], Extractor], str | None]


def system_specs() -> list[SystemSpec]:
    traf = f"trafilatura-{_version('trafilatura')}"
    specs: list[SystemSpec] = [
        ("cleaner default", lambda f: cleaner_chain("trafilatura", f), None),
        ("cleaner bs4", lambda f: cleaner_chain("bs4", f), None),
        ("trafilatura", lambda f: trafilatura_with(f), traf),
        (
            "trafilatura favor_precision",
            lambda f: trafilatura_with(f, favor_precision=True),
            traf + "-precision",
        ),
    ]
    if _installed("readability"):
        key = f"readability-{_version('readability-lxml')}"
        specs.append(("readability-lxml", readability_lxml, key))
    if _installed("resiliparse"):
        key = f"resiliparse-{_version('resiliparse')}"
        specs.append(("resiliparse", resiliparse_main, key))
    key = f"bs4-{_version('beautifulsoup4')}"
    specs.append(("BeautifulSoup get_text()", bs4_get_text, key))
    return specs


# -- loading ------------------------------------------------------------------------------------


def _page_language(raw: bytes, snippets: Sequence[str]) -> str:
    found = _LANG.search(raw[:5000])
    if found:
        return found.group(1).decode("ascii").lower()[:2]
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0
    try:
        return str(detect(" ".join(snippets)))[:2]
    except LangDetectException:
        return "??"


def load_zyte(data: Path) -> list[Page]:
    from cleaner.io.html_charset import decode_html

    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        raw = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        html, _ = decode_html(raw)
        entry = truth[page_id]
        pages.append(Page(page_id, entry.get("url", ""), html, truth=entry.get("articleBody", "")))
    return pages


def load_trafilatura(data: Path) -> list[Page]:
    from cleaner.io.html_charset import decode_html

    entries = json.loads((data / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(entries):
        entry = entries[key]
        raw = gzip.decompress((data / "html" / f"{entry['file']}.gz").read_bytes())
        html, _ = decode_html(raw)
        with_ = tuple(s for s in entry.get("with", []) if s)
        without = tuple(s for s in entry.get("without", []) if s)
        url = "" if key.startswith("hard::") else key
        kind = "hard" if key.startswith("hard::") else "regular"
        lang = _page_language(raw, with_)
        pages.append(Page(key, url, html, with_=with_, without=without, lang=lang, kind=kind))
    return pages


def load_set(name: str, data: Path) -> list[Page]:
    folder = data / SET_DIRS[name]
    return load_zyte(folder) if name == "zyte" else load_trafilatura(folder)


# -- running ------------------------------------------------------------------------------------


def run_set(
    set_name: str,
    pages: Sequence[Page],
    specs: Sequence[SystemSpec],
    repeats: int,
    cache: Path | None,
) -> tuple[list[Result], dict[str, list[str]]]:
    """Every system over every page, `repeats` times interleaved; results and outputs."""
    live: list[tuple[str, Extractor, Counter[str]]] = []
    cached: dict[str, tuple[list[str], list[float], Counter[str]]] = {}
    for name, factory, key in specs:
        path = cache / f"{set_name}-{key}.pickle" if cache and key else None
        if path is not None and path.exists():
            cached[name] = pickle.loads(path.read_bytes())
            continue
        failures: Counter[str] = Counter()
        live.append((name, factory(failures), failures))
    best = {name: [float("inf")] * len(pages) for name, _, _ in live}
    outputs: dict[str, list[str]] = {name: [""] * len(pages) for name, _, _ in live}
    for repeat in range(repeats):
        for name, extract, failures in live:
            if repeat:
                failures.clear()  # count failures of the last repetition only
            for i, page in enumerate(pages):
                started = time.perf_counter()
                text = extract(page.html, page.url)
                best[name][i] = min(best[name][i], time.perf_counter() - started)
                outputs[name][i] = text
    for name, _, failures in live:
        key = next(k for n, _, k in specs if n == name)
        if cache and key:
            cache.mkdir(parents=True, exist_ok=True)
            payload = (outputs[name], best[name], failures)
            (cache / f"{set_name}-{key}.pickle").write_bytes(pickle.dumps(payload))
    results = []
    for name, _, _ in specs:
        if name in cached:
            outs, times, failures = cached[name]
            outputs[name] = outs
        else:
            outs, times = outputs[name], best[name]
            failures = next(f for n, _, f in live if n == name)
        ms = 1000 * sum(times) / len(pages)
        results.append(
            Result(name, score(set_name, pages, outs), ms, failures, cached=name in cached)
        )
    return results, outputs


def table(set_name: str, results: Sequence[Result]) -> str:
    reference = next((r.ms_per_doc for r in results if r.name == "trafilatura"), None)
    counts = " | TP | FP | FN" if set_name == "trafilatura" else ""
    lines = [
        f"| system | F1 | precision | recall{counts} | ms/page | time vs trafilatura | failures |",
        "| --- " * (8 if counts else 5) + "| --- | --- |",
    ]
    for r in results:
        ratio = f"{r.ms_per_doc / reference:.2f}x" if reference else ""
        failed = ", ".join(f"{k} {v}" for k, v in sorted(r.failures.items())) or "0"
        s = r.score
        extra = f" | {s.tp} | {s.fp} | {s.fn}" if counts else ""
        mark = " (cached)" if r.cached else ""
        lines.append(
            f"| {r.name} | {s.f1:.4f} | {s.precision:.4f} | {s.recall:.4f}{extra} "
            f"| {r.ms_per_doc:.1f}{mark} | {ratio} | {failed} |"
        )
    return "\n".join(lines)


def breakdown(pages: Sequence[Page], outputs: dict[str, list[str]], min_pages: int = 10) -> str:
    """F1 per language (groups of at least `min_pages`, the rest as "other") and page kind."""
    names = list(outputs)
    langs = Counter(p.lang for p in pages)
    group_of = {p.id: p.lang if langs[p.lang] >= min_pages else "other" for p in pages}
    groups: dict[str, list[int]] = {}
    for i, page in enumerate(pages):
        groups.setdefault(f"lang {group_of[page.id]}", []).append(i)
        groups.setdefault(f"kind {page.kind}", []).append(i)
    header = "| group | pages | " + " | ".join(names) + " |"
    lines = [header, "| --- " * (len(names) + 2) + "|"]
    for group in sorted(groups, key=lambda g: (g.split()[0], -len(groups[g]))):
        members = groups[group]
        subset = [pages[i] for i in members]
        cells = []
        for name in names:
            outs = [outputs[name][i] for i in members]
            cells.append(f"{snippet_score(subset, outs).f1:.3f}")
        lines.append(f"| {group} | {len(members)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- ablation -----------------------------------------------------------------------------------


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


def ablation(sets: dict[str, list[Page]]) -> str:
    """F1 on each set of cleaner's html processor with one rule off at a time."""
    none: Counter[str] = Counter()
    html_only = {"only_html": True}
    variants: list[tuple[str, Extractor, _Switched | None]] = [
        ("trafilatura, include_comments=False, fast=True",
            trafilatura_with(none, include_comments=False, fast=True), None),
        ("cleaner html processor alone", cleaner_chain("trafilatura", none, **html_only), None),
        ("  without the headline rule", cleaner_chain(
            "trafilatura", none, ["html.drop_headline=false"], **html_only), None),
        ("  without link lists/paragraphs", cleaner_chain(
            "trafilatura", none, ["html.link_density=0"], **html_only), None),
        ("  without split-body merging", cleaner_chain("trafilatura", none, **html_only),
            _Switched("merge_split_bodies", lambda root: 0)),
        ("  without nav removal", cleaner_chain("trafilatura", none, **html_only),
            _Switched("prune_navigation", lambda root: [])),
        ("  with fast=False", cleaner_chain(
            "trafilatura", none, ["html.fast=false"], **html_only), None),
        ("cleaner default (+ encoding, normalize, boilerplate)",
            cleaner_chain("trafilatura", none), None),
    ]  # fmt: skip
    names = list(sets)
    lines = [
        "| variant | " + " | ".join(f"{n} F1 | {n} P | {n} R" for n in names) + " |",
        "| --- " * (1 + 3 * len(names)) + "|",
    ]
    for label, extract, switch in variants:
        cells = []
        for set_name, pages in sets.items():
            if switch is not None:
                with switch:
                    outs = [extract(p.html, p.url) for p in pages]
            else:
                outs = [extract(p.html, p.url) for p in pages]
            s = score(set_name, pages, outs)
            cells.append(f"{s.f1:.4f} | {s.precision:.4f} | {s.recall:.4f}")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# -- main ---------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data(), help="shared/data")
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS))
    parser.add_argument("--repeats", type=int, default=3, help="timing repetitions (min taken)")
    parser.add_argument("--cache", type=Path, help="reuse outputs of systems not in this repo")
    parser.add_argument("--systems", nargs="+", help="only these systems (names as printed)")
    parser.add_argument("--breakdown", action="store_true", help="per language and page kind")
    parser.add_argument("--worst", type=int, default=0, help="list the K worst pages per system")
    parser.add_argument("--ablation", action="store_true", help="also print the ablation table")
    args = parser.parse_args(argv)
    missing = [s for s in args.sets if not (args.data / SET_DIRS[s]).is_dir()]
    if missing:
        print(f"no benchmark data for {', '.join(missing)} under {args.data}", file=sys.stderr)
        return 2
    specs = system_specs()
    if args.systems:
        specs = [s for s in specs if s[0] in args.systems or s[0] == "trafilatura"]
    loaded: dict[str, list[Page]] = {}
    for set_name in args.sets:
        pages = load_set(set_name, args.data)
        loaded[set_name] = pages
        results, outputs = run_set(set_name, pages, specs, max(1, args.repeats), args.cache)
        print(f"\n{set_name}: {len(pages)} pages, {args.repeats} timing repetitions\n")
        print(table(set_name, results))
        if args.breakdown and set_name == "trafilatura":
            print("\nF1 by page language and kind:\n")
            print(breakdown(pages, outputs))
        for name in list(outputs) if args.worst else ():
            print(f"\nworst pages, {name}:")
            if set_name == "zyte":
                scored = [precision_recall(p.truth, outputs[name][i]) for i, p in enumerate(pages)]
                for i in sorted(range(len(pages)), key=lambda i: sum(scored[i]))[: args.worst]:
                    print(f"  P {scored[i][0]:.3f} R {scored[i][1]:.3f}  {pages[i].id}")
            else:
                counts = [snippet_counts(p, outputs[name][i]) for i, p in enumerate(pages)]
                order = sorted(range(len(pages)), key=lambda i: -(counts[i][1] + counts[i][2]))
                for i in order[: args.worst]:
                    print(f"  FP {counts[i][1]} FN {counts[i][2]}  {pages[i].id}")
    # The systems run interleaved in this one process, so this is the peak of them all.
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the benchmark process (all systems, all pages): {peak_mib:.0f} MiB")
    if args.ablation:
        print("\nAblation (quality only, one pass):\n")
        print(ablation(loaded))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
