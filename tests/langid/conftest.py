"""One fast detector for the whole session: loading langdetect's profiles takes a second."""

from __future__ import annotations

import pytest

from cleaner.langid import FastDetector


@pytest.fixture(scope="session")
def detector() -> FastDetector:
    found = FastDetector()
    assert found.languages  # load now, once
    return found
