"""Settings for every test run: each test process keeps its cache in its own memory, and
passwords are hashed with one PBKDF2 round.

The site's cache is a folder shared by all server processes (settings.CACHES). Parallel test
processes have databases of their own whose ids overlap, so they must not share rendered pages
or sessions, and the tests must not leave files in the project's var/ folder.

The site hashes passwords with Django's PBKDF2 at a million rounds, about two seconds of CPU on
a busy test machine, and the web tests create hundreds of users. The test hasher is the same
PBKDF2-SHA256 code and hash format with one round: a stored hash still reads back, a wrong
password is still refused, and the site's own hasher accepts the hashes (the round count is part
of each hash).
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


FAST_HASHERS = ["tests.hashers.OneRoundPBKDF2PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _test_settings() -> Iterator[None]:
    with override_settings(CACHES=IN_MEMORY_CACHE, PASSWORD_HASHERS=FAST_HASHERS):
        yield
