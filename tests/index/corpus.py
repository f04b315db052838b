"""A small realistic history and batch for the index tests: the bundled seed articles, the
spun pair of `fixtures/dedup_seed000_spun`, generated articles, and planted copies of every
kind (exact, near, excerpt, rewrite), some already copied within the history."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from cleaner.document import Document

ROOT = Path(__file__).resolve().parents[2]


def _textgen() -> object:
    """The dedup tests' article generator (`tests/dedup/textgen.py`), loaded by path: the
    test directories are not one package under importlib import mode."""
    spec = importlib.util.spec_from_file_location(
        "dedup_textgen", ROOT / "tests" / "dedup" / "textgen.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_article = _textgen().make_article  # type: ignore[attr-defined]


def _near(text: str) -> str:
    """A small edit: three words changed, a credit line added (Jaccard ~0.9)."""
    words = text.split(" ")
    for k in (40, 120, 200):
        words[k] = "changed"
    return " ".join(words) + "\n\nReporting by the news desk."


def _excerpt(text: str) -> str:
    return text[: len(text) // 2]


def history() -> list[Document]:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    docs = [
        Document(
            id=f"seed{k}", text=p.read_text("utf-8"), fields={"url": f"https://example.org/{k}"}
        )
        for k, p in enumerate(seeds)
    ]
    docs += [
        Document(id=f"h{k}", text=make_article(k), fields={"date": f"2026-11-{k % 28 + 1:02d}"})
        for k in range(40)
    ]
    # copies inside the history itself
    docs.append(Document(id="h3-copy", text=make_article(3)))
    docs.append(Document(id="h4-excerpt", text=_excerpt(make_article(4))))
    return docs


def batch() -> list[Document]:
    spun = (ROOT / "fixtures" / "dedup_seed000_spun" / "b.txt").read_text("utf-8")
    seed = sorted((ROOT / "seeds").glob("*.txt"))[1].read_text("utf-8")
    docs = [
        Document(id="b-exact", text=seed),
        Document(id="b-near", text=_near(make_article(7))),
        Document(id="b-excerpt", text=_excerpt(make_article(8))),
        Document(id="b-rewrite", text=spun),
        Document(id="b-of-copied", text=make_article(3)),
        Document(id="b-of-excerpt", text=_excerpt(make_article(4))),
    ]
    docs += [Document(id=f"new{k}", text=make_article(1000 + k)) for k in range(10)]
    docs.append(Document(id="new0-copy", text=make_article(1000)))
    docs.append(Document(id="new1-near", text=_near(make_article(1001))))
    return docs


#: The batch documents that are copies, and of what (in one run over history + batch).
EXPECTED_COPIES = {
    "b-exact": "seed1",
    "b-near": "h7",
    "b-excerpt": "h8",
    "b-rewrite": "seed0",  # the spun copy of fixtures/dedup_seed000_spun
    "b-of-copied": "h3",
    "b-of-excerpt": "h4",
    "new0-copy": "new0",
    "new1-near": "new1",
}
