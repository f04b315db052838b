"""Publication dates from document meta, as sortable integers for choosing representatives.

In news the earliest published version of a story is its source, so `cluster.preference_order`
ranks documents by publication date first. Dates arrive in a document's meta, or as fields of
its input record (a JSONL line's other keys, a Parquet row's other columns), under different
keys:
`date` from the `html` processor (htmldate's publication date, ``YYYY-MM-DD``) and from many
JSONL dumps, `published`, `date_published`, `datePublished` (schema.org), `published_at`,
`publish_date`, `publication_date`, `pubdate` in others. A WARC record's `warc_date` is when the
page was *crawled*, not published, so it is not read by default.

`published_key` reads the first of the configured keys that holds a date (in the meta, then
in the record's fields) and turns it into
seconds since 1970-01-01 UTC (ISO 8601 strings with or without a time and an offset, naive
times taken as UTC; numbers as Unix seconds, or milliseconds when above 10**11). A value that
is not a date counts as no date (`cluster.NO_DATE`, ranked after every date): a wrong date
must not make a copy the source, and a missing one must not stop a run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from cleaner.dedup.cluster import NO_DATE

DATE_FIELDS: tuple[str, ...] = (
    "date",
    "published",
    "date_published",
    "datePublished",
    "published_at",
    "publish_date",
    "publication_date",
    "pubdate",
)
"""Meta keys read for a publication date, first found first (`Dedup.Options.date_fields`)."""

_MILLISECONDS_FROM = 10**11
"""A number above this is taken as milliseconds (10**11 s is the year 5138)."""

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def published_key(
    meta: Mapping[str, Any],
    fields: Sequence[str] = DATE_FIELDS,
    record: Mapping[str, Any] | None = None,
) -> int:
    """The document's publication time in seconds since 1970 UTC, or `NO_DATE`: the first
    of the keys `fields` holding a date in `meta`, else in `record` (the input record's
    other fields, `Document.fields`)."""
    for source in (meta, record or {}):
        for name in fields:
            value = source.get(name)
            if value is None or value == "":
                continue
            seconds = _seconds(value)
            if seconds is not None:
                return seconds
    return NO_DATE


def _seconds(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if value != value or abs(value) > 1e16:  # NaN, or beyond any calendar
            return None
        return int(value // 1000 if abs(value) > _MILLISECONDS_FROM else value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int((moment - _EPOCH).total_seconds())
