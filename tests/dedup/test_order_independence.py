"""The same documents in any order, under any names, with any workers give the same families.

A family set with every ordering trap of issue 13: a source with five excerpts taken from
different parts of it (which share nothing with each other), exact and near copies, a chain of
pages sharing template blocks with their neighbours only, and unrelated stories. It is run
through `NearDupIndex` in many orders and through `cleaner dedup` in several orders, file names,
`--jobs` and `--shard-size`; clusters and representatives are compared by text, since ids
change with the names.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from cleaner.cli.main import main
from cleaner.dedup.index import DedupConfig, NearDupIndex

from .textgen import make_article

Families = dict[str, tuple[str, ...]]
"""Representative text -> sorted texts of its members (a document alone has no entry)."""


def _family_texts() -> dict[str, str]:
    """Named texts; the names say what each is (the tests never rely on them)."""
    source = make_article(500, 1000)
    words = source.split(" ")
    texts = {"source": source}
    for k in range(5):  # five excerpts from different parts: disjoint from each other
        texts[f"excerpt-{k}"] = " ".join(words[k * 200 + 20 : k * 200 + 170])
    story = make_article(501, 400)
    texts["story"] = story
    texts["story-shouted"] = story.upper().replace("\n\n", "\n")
    texts["story-near"] = story.replace(".", ";", 3)
    blocks = [make_article(600 + b, 60) for b in range(14)]
    for i in range(6):  # page i shares blocks with pages i-1 and i+1 only
        texts[f"chain-{i}"] = "\n\n".join(blocks[i : i + 9])
    for seed in range(4):
        texts[f"alone-{seed}"] = make_article(700 + seed, 300)
    return texts


def _families(reps: list[str], texts: list[str]) -> Families:
    members: dict[str, list[str]] = {}
    for rep, text in zip(reps, texts, strict=True):
        members.setdefault(rep, []).append(text)
    return {rep: tuple(sorted(m)) for rep, m in members.items() if len(m) > 1}


def _index_families(texts: list[str], names: list[str]) -> tuple[Families, dict[str, str]]:
    with NearDupIndex(DedupConfig()) as index:
        index.add(texts, names)
        result = index.finish()
    a = result.assignments
    reps = [texts[int(r)] for r in a.representative.tolist()]
    kinds = {texts[i]: a.kind_of(i).label for i in range(len(texts))}
    return _families(reps, texts), kinds


def test_source_represents_its_excerpts_in_every_order() -> None:
    named = _family_texts()
    by_text = {text: name for name, text in named.items()}
    texts = list(named.values())
    expected, kinds = _index_families(texts, list(named))
    rng = random.Random(13)
    for trial in range(8):
        order = texts[::-1] if trial == 0 else rng.sample(texts, len(texts))
        names = [f"{rng.getrandbits(40):010x}.txt" for _ in order]  # renamed every time
        assert _index_families(order, names) == (expected, kinds), trial
    # One family around the source: the excerpts are verified against it, not each other.
    family = expected[named["source"]]
    assert sorted(by_text[t] for t in family) == sorted(
        ["source", *(f"excerpt-{k}" for k in range(5))]
    )
    assert kinds[named["source"]] == "representative"
    # (Each holds 15% of the source's shingles, too few for an LSH candidate: the sentence
    # alignment of the rewrite stage finds them.)
    assert {kinds[named[f"excerpt-{k}"]] for k in range(5)} <= {"excerpt", "rewrite"}
    # The chain is cut, never one family; nothing joins the unrelated stories.
    chain = {named[f"chain-{i}"] for i in range(6)}
    assert all(not chain <= set(members) for members in expected.values())
    assert all(kinds[named[f"alone-{s}"]] == "unique" for s in range(4))


def _cli_families(
    tmp: Path, texts: list[str], names: list[str], *flags: str
) -> tuple[Families, dict[str, str]]:
    inputs = tmp / "in"
    inputs.mkdir(parents=True)
    for name, text in zip(names, texts, strict=True):
        (inputs / name).write_text(text, "utf-8")
    out = tmp / "out.jsonl"
    assert main(["dedup", str(inputs), "-o", str(out), "--no-progress", "-q", *flags]) == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    text_of = {r["id"]: r["text"] for r in records}
    reps, kinds = [], {}
    for r in records:
        dup = r.get("meta", {}).get("dup")
        reps.append(text_of[dup["of"]] if dup and "of" in dup else r["text"])
        kinds[r["text"]] = dup["kind"] if dup else "unique"
    return _families(reps, [r["text"] for r in records]), kinds


@pytest.mark.parametrize(
    ("jobs", "shard_size"), [("1", "1000"), ("2", "3"), ("1", "5")], ids=["1x1", "2x3", "1x5"]
)
def test_cli_gives_the_same_families_in_any_order(
    tmp_path: Path, jobs: str, shard_size: str
) -> None:
    """`cleaner dedup DIR`: files named in another order (directories are read in name
    order), other workers and shard sizes, the same families and representatives."""
    named = _family_texts()
    texts = list(named.values())
    baseline = _cli_families(tmp_path / "a", texts, [f"{n}.txt" for n in named])
    rng = random.Random(int(jobs) * 100 + int(shard_size))
    names = [f"{rng.getrandbits(40):010x}.txt" for _ in texts]
    renamed = _cli_families(
        tmp_path / "b", texts, names, "--jobs", jobs, "--shard-size", shard_size
    )
    assert renamed == baseline
    # And the same as the library's answer.
    assert baseline == _index_families(texts, list(named))


REUSE2 = Path(__file__).resolve().parents[2] / "bench" / "data" / "reuse2" / "docs"


def test_a_syndicated_excerpt_does_not_take_the_family_from_its_source() -> None:
    """A copied passage and its syndicated copy (one word changed) match each other in
    clustering, and LSH does not pair either with the long source they come from. The
    source must still outrank them, represent both, and claim its other copies, in any
    order (bench/data/reuse2: a source on virtual memory, two copy-and-paste documents and
    two light revisions of it)."""
    named = {name: (REUSE2 / f"vmem-{name}.txt").read_text("utf-8") for name in "hbpes"}
    named["b-syndicated"] = named["b"].replace(" the ", " a ", 1)
    texts = list(named.values())
    expected, kinds = _index_families(texts, list(named))
    by_text = {text: name for name, text in named.items()}
    assert {by_text[rep]: sorted(by_text[t] for t in m) for rep, m in expected.items()} == {
        "h": ["b", "b-syndicated", "e", "h", "p", "s"]
    }
    assert kinds[named["h"]] == "representative"
    rng = random.Random(5)
    for trial in range(4):
        order = rng.sample(texts, len(texts))
        names = [f"{rng.getrandbits(40):010x}.txt" for _ in order]
        assert _index_families(order, names) == (expected, kinds), trial
