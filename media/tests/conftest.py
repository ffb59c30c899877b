from pathlib import Path

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """A fresh, empty local store per test, so tests can assert exactly which files exist."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def clear_throttle_history():
    """Upload throttling counts per user id in the cache; ids repeat across tests on SQLite."""
    cache.clear()
    yield
    cache.clear()
