"""Publication dates read from meta for ranking representatives."""

from __future__ import annotations

from cleaner.dedup.cluster import NO_DATE
from cleaner.dedup.dates import published_key

DAY = 86_400


def test_iso_dates_and_times_sort_in_time_order() -> None:
    day = published_key({"date": "2024-03-01"})
    assert day == published_key({"date": "2024-03-01T00:00:00Z"})
    assert published_key({"date": "2024-03-01T02:00:00+02:00"}) == day  # same instant
    assert published_key({"date": "2024-03-02"}) == day + DAY
    assert published_key({"date": "1999-12-31"}) < day


def test_first_configured_key_with_a_date_wins() -> None:
    meta = {"date": "not a date", "published": "2024-03-01", "pubdate": "2020-01-01"}
    assert published_key(meta) == published_key({"date": "2024-03-01"})
    assert published_key(meta, ("pubdate",)) == published_key({"date": "2020-01-01"})
    assert published_key({"warc_date": "2024-03-01"}) == NO_DATE  # crawled, not published


def test_unix_seconds_and_milliseconds() -> None:
    assert published_key({"published": 1_709_251_200}) == published_key({"date": "2024-03-01"})
    assert published_key({"published": 1_709_251_200_000}) == 1_709_251_200


def test_what_is_not_a_date_is_no_date() -> None:
    for value in (None, "", "yesterday", True, float("nan"), 1e300, ["2024-03-01"], {"y": 1}):
        assert published_key({"date": value}) == NO_DATE, value
    assert published_key({}) == NO_DATE


def test_record_fields_after_meta() -> None:
    record = {"published_at": "2024-03-01"}
    assert published_key({}, record=record) == published_key({"date": "2024-03-01"})
    assert published_key({"date": "2020-01-01"}, record=record) < published_key({}, record=record)
