"""One-call helpers for callers that have a string and want clean text back."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from cleaner.config import load_config, merge
from cleaner.document import Document, Drop
from cleaner.errors import ConfigError
from cleaner.io.decode import decode_bytes
from cleaner.io.html_charset import decode_html
from cleaner.io.readers.html import HTML_FORMAT
from cleaner.pipeline import Pipeline
from cleaner.rules.loader import rule_digests

# The processors that rewrite text. Language detection, filters and de-duplication annotate or
# drop documents; for a single string the caller wants its cleaned text, never a drop. `html`
# acts only on documents marked as HTML (`clean_text(..., html=True)`).
TEXT_PROCESSORS = ("html", "encoding", "normalize", "boilerplate")

#: How many text pipelines `clean_text` keeps built, one per distinct config file content.
CACHED_PIPELINES = 8


def text_pipeline(config: Mapping[str, Any]) -> Pipeline:
    """The text-rewriting processors of `config`'s chain, in its order, never dropping."""
    names = [n for n in config["pipeline"]["processors"] if n in TEXT_PROCESSORS]
    return Pipeline.from_dict(
        merge(config, {"pipeline": {"processors": names, "drop_empty": False}})
    )


def _config_file_table(source: str | None, content: bytes | None) -> dict[str, Any]:
    """A config file's `content` as a TOML table ({} without a file), errors as ConfigError."""
    if content is None:
        return {}
    try:
        return tomllib.loads(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {source} is not UTF-8 text (byte {exc.start}); save it as UTF-8"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {source} is not valid TOML: {exc}") from None


def _extra_rule_digests(table: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Digests of the rule files a config file adds (`[boilerplate] rules_dirs`).

    The packaged packs are not hashed on every call: they do not change under a running
    process. A malformed entry hashes nothing here; building the pipeline reports it.
    """
    boilerplate = table.get("boilerplate")
    dirs = boilerplate.get("rules_dirs") if isinstance(boilerplate, Mapping) else None
    if not isinstance(dirs, list) or not all(isinstance(d, str) for d in dirs):
        return ()
    return rule_digests(dirs)


@lru_cache(maxsize=CACHED_PIPELINES)
def _text_pipeline(
    source: str | None, content: bytes | None, rules: tuple[tuple[str, str], ...]
) -> Pipeline:
    """The text pipeline of the packaged defaults layered with a config file's `content`.

    Keyed by the file's bytes, not its path, and by the digests of the rule files it adds
    (`rules`): an edited config or rule file is a new key, so a long-running caller always
    cleans with what the files say now.
    """
    table = _config_file_table(source, content)
    return text_pipeline(load_config(extra=table) if content is not None else load_config())


def cached_pipelines() -> int:
    """How many text pipelines `clean_text` holds built (at most `CACHED_PIPELINES`)."""
    return _text_pipeline.cache_info().currsize


def _read_config(config: str | os.PathLike[str]) -> tuple[str, bytes]:
    """(path as given, content) of the config file, I/O errors as ConfigError."""
    path = Path(config)
    try:
        return str(path), path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from None


def _check_arguments(text: object, config: object, url: object, html: object) -> None:
    """TypeError naming what `clean_text` expected, for an argument of the wrong type."""
    if not isinstance(text, str | bytes):
        raise TypeError(f"clean_text() takes a str (or bytes to decode), got {type(text).__name__}")
    if config is not None and not isinstance(config, str | os.PathLike):
        raise TypeError(
            f"clean_text(): config must be a path (str or os.PathLike) or None,"
            f" got {type(config).__name__}"
        )
    if url is not None and not isinstance(url, str):
        raise TypeError(f"clean_text(): url must be a str or None, got {type(url).__name__}")
    if not isinstance(html, bool):
        raise TypeError(f"clean_text(): html must be a bool, got {type(html).__name__}")


def clean_text(
    text: str | bytes,
    *,
    config: str | os.PathLike[str] | None = None,
    url: str | None = None,
    html: bool = False,
) -> str:
    """Repair, normalise and strip boilerplate from `text`; return the cleaned text.

    `text` is a str, or bytes decoded the way the CLI decodes a file: a byte-order mark, then
    UTF-8, then charset detection (with `html=True`, a declared `<meta charset>` first), so a
    page fetched as bytes needs no guessing by the caller. Anything else is a TypeError.

    `config` is an optional TOML file layered over the packaged defaults; it is read on every
    call, so an edited file takes effect at once. `url` scopes domain-specific rules. With
    `html=True`, `text` is an HTML page and its article text is extracted first; a page with
    no article text gives "". Only the text-rewriting processors of that config run.
    """
    _check_arguments(text, config, url, html)
    source, content = _read_config(config) if config is not None else (None, None)
    # Parsed here only when the file can name rule files; else the cached pipeline's parse is all.
    names_rules = content is not None and b"rules_dirs" in content
    rules = _extra_rule_digests(_config_file_table(source, content)) if names_rules else ()
    pipeline = _text_pipeline(source, content, rules)
    meta: dict[str, object] = {"url": url} if url else {}
    if isinstance(text, bytes):
        text, decoding = decode_html(text) if html else decode_bytes(text)
        if decoding:
            meta["decoding"] = decoding
    if html:
        meta["format"] = HTML_FORMAT
    result = pipeline.process(Document(id="text", text=text, meta=meta))
    if isinstance(result, Drop):
        return "" if result.processor == "html" else result.document.text
    return result.text
