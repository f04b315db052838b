"""Fixtures for the dedup tests (the text generator lives in `textgen`)."""

from __future__ import annotations

import pytest

from .textgen import ArticleMaker, make_article


@pytest.fixture
def article() -> ArticleMaker:
    return make_article
