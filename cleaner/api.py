"""One-call helpers for callers that have a string and want clean text back."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from cleaner.config import load_config, merge
from cleaner.document import Document, Drop
from cleaner.pipeline import Pipeline

# The processors that rewrite text. Language detection, filters and de-duplication annotate or
# drop documents; for a single string the caller wants its cleaned text, never a drop. `html`
# acts only on documents marked as HTML (`clean_text(..., html=True)`).
TEXT_PROCESSORS = ("html", "encoding", "normalize", "boilerplate")


def text_pipeline(config: Mapping[str, Any]) -> Pipeline:
    """The text-rewriting processors of `config`'s chain, in its order, never dropping."""
    names = [n for n in config["pipeline"]["processors"] if n in TEXT_PROCESSORS]
    return Pipeline.from_dict(
        merge(config, {"pipeline": {"processors": names, "drop_empty": False}})
    )


@lru_cache(maxsize=8)
def _text_pipeline(config_path: str | None) -> Pipeline:
    return text_pipeline(load_config(config_path))


def clean_text(
    text: str,
    *,
    config: str | Path | None = None,
    url: str | None = None,
    html: bool = False,
) -> str:
    """Repair, normalise and strip boilerplate from `text`; return the cleaned text.

    `config` is an optional TOML file layered over the packaged defaults; `url` scopes
    domain-specific rules. With `html=True`, `text` is an HTML page and its article text is
    extracted first; a page with no article text gives "". Only the text-rewriting processors
    of that config run.
    """
    pipeline = _text_pipeline(str(config) if config is not None else None)
    meta: dict[str, object] = {"url": url} if url else {}
    if html:
        meta["format"] = "html"
    result = pipeline.process(Document(id="text", text=text, meta=meta))
    if isinstance(result, Drop):
        return "" if result.processor == "html" else result.document.text
    return result.text
