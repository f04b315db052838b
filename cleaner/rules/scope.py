"""Which host a document comes from, for domain-scoped rules."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit


def document_host(meta: Mapping[str, Any]) -> str | None:
    """The lowercase host of `meta["url"]`, else `meta["domain"]`; None when neither is usable.

    A URL without a scheme ("zerohedge.com/news/x") is still read as host + path.
    """
    url = meta.get("url")
    if isinstance(url, str) and url.strip():
        text = url.strip()
        try:
            host = urlsplit(text if "//" in text else "//" + text).hostname
        except ValueError:  # malformed URL (bad port, brackets): no host rather than a crash
            host = None
        if host:
            return host.rstrip(".")
    domain = meta.get("domain")
    if isinstance(domain, str) and domain.strip():
        return domain.strip().lower().rstrip(".")
    return None
