"""The five seed articles, checked line by line against the default chain.

For each seed we list the residue a scraper left in it. After cleaning, every residue line must
be gone and every other line of the article (after markdown residue is reduced to text) must
still be there, word for word: over-cleaning is a bug just like under-cleaning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.pipeline import Pipeline
from cleaner.processors.normalize import Normalize

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

# Whole lines (as they read once markdown is reduced to text) that must not survive.
RESIDUE_LINES: dict[str, set[str]] = {
    "000": set(),
    "001": set(),
    "002": {
        "No time to read?",
        "Get a summary",
        "Previous Article",
        "Sweden: Roller coaster derailment at Gröna Lund causes fatalities and injuries",
        "Next Article",
        "Wagner Crisis and Rising Tensions in Russia: Key Events and Aftermath",
    },
    "003": {
        "Description",
        "Image: AP/Sputnik",
        "pic.twitter.com/IYKRO8toUn",
        "— Teri Schultz (@terischultz) May 19, 2022",
        "by Tyler Durden",
        "Category",
        "1. Army-Wars-Conflict Zones-Military Tech.",
        "2. Main",
        "3. Politics-Geopolitics-Gov.-Events",
        "Date Created",
        "05/22/2022",
    },
    "004": set(),
}
# Spans cut out of a line that otherwise stays.
RESIDUE_SPANS: dict[str, list[str]] = {
    "001": ["(Source attribution: United States Department of State press service)"],
}
EXPECTED_META: dict[str, dict[str, object]] = {
    "001": {"source_attribution": "United States Department of State press service"},
    "003": {
        "byline": "Tyler Durden",
        "categories": [
            "Army-Wars-Conflict Zones-Military Tech.",
            "Main",
            "Politics-Geopolitics-Gov.-Events",
        ],
        "date_created": "05/22/2022",
    },
}


def _seed(prefix: str) -> Path:
    [path] = SEEDS.glob(f"{prefix}_*.txt")
    return path


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline.from_config()


@pytest.mark.parametrize("seed", sorted(RESIDUE_LINES))
def test_seed_residue_gone_and_content_kept(seed: str, pipeline: Pipeline) -> None:
    raw = _seed(seed).read_text("utf-8")
    [result] = list(pipeline.run([Document(seed, raw)]))
    assert isinstance(result, Document)
    out_lines = set(result.text.splitlines())

    plain = Normalize(Normalize.Options()).process(Document(seed, raw))
    assert isinstance(plain, Document)
    residue_seen = set()
    for line in (ln.strip() for ln in plain.text.splitlines()):
        if not line:
            continue
        if line in RESIDUE_LINES[seed]:
            residue_seen.add(line)
            assert line not in out_lines, f"residue survived: {line!r}"
            continue
        for span in RESIDUE_SPANS.get(seed, []):
            if span in line:
                line = line.replace(span, "").strip()
                assert span not in result.text
        assert line in out_lines, f"content lost or changed: {line[:80]!r}"
    assert residue_seen == RESIDUE_LINES[seed], "the residue list names lines the seed lacks"
    for key, value in EXPECTED_META.get(seed, {}).items():
        assert result.meta[key] == value


def test_every_removal_in_the_seeds_names_its_rule(pipeline: Pipeline) -> None:
    for seed in ("002", "003"):
        [result] = list(pipeline.run([Document(seed, _seed(seed).read_text("utf-8"))]))
        assert isinstance(result, Document)
        removals = [e for e in result.trace if e.processor == "boilerplate"]
        assert removals, seed
        assert all(e.rule and e.action in {"removed", "moved"} for e in removals)
