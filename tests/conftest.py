"""Settings for every test run: each test process keeps its cache in its own memory.

The site's cache is a folder shared by all server processes (settings.CACHES). Parallel test
processes have databases of their own whose ids overlap, so they must not share rendered pages
or sessions, and the tests must not leave files in the project's var/ folder.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import override_settings

IN_MEMORY_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "junheng-tests",
        "TIMEOUT": None,
    }
}


@pytest.fixture(scope="session", autouse=True)
def _cache_in_memory() -> Iterator[None]:
    with override_settings(CACHES=IN_MEMORY_CACHE):
        yield
