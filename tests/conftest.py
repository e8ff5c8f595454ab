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
from typing import Any

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


# The files whose tests take longest (tens of seconds each: benchmark scripts, servers started in
# their own process, LibreOffice, Chromium, Hypothesis), slowest first. They are run before all
# others, so that `pytest -n 2` hands them out while both workers are busy and the run ends on
# the many short tests instead of one worker finishing a long test while the other waits.
SLOW_FIRST = (
    "tests/survey/test_survey_benchmark.py",
    "tests/test_benchmarks.py",
    "tests/browser/test_server_browser.py",
    "tests/reports/test_school_book.py",
    "tests/browser/test_rectification_browser.py",
    "tests/browser/test_entry_browser.py",
    "tests/core/test_balance.py",
    "tests/reports/test_self_evaluation.py",
    "tests/browser/test_import_browser.py",
    "tests/intake/test_intake_fuzz.py",
    "tests/intake/test_import.py",
    "tests/test_cli.py",
    "tests/intake/test_intake_roundtrip.py",
    "tests/intake/test_intake_files.py",
    "tests/web/test_web_demo_command.py",
    "tests/web/test_settings_deploy.py",
    "tests/browser/",
)


def _slow_rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::", 1)[0]
    for rank, prefix in enumerate(SLOW_FIRST):
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return rank
    return len(SLOW_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A stable sort: the tests of one file keep their order, and so do all other files.
    items.sort(key=_slow_rank)


# Django keeps a connection per context (asgiref's Local). Part-way through a run on PostgreSQL
# the tests can find themselves in a new context (a library ran code in a copied context and
# copied its variables back), and the connection of the old context is then out of reach of the
# test databases' teardown, which refuses to drop a database still in use. Each context's
# connection is remembered and closed before the databases are dropped.
_CONTEXT_CONNECTIONS: list[Any] = []


@pytest.fixture(scope="session")
def _close_connections_of_every_context(django_db_setup: None) -> Iterator[None]:
    # set up after the databases, so torn down before them
    yield
    for wrapper in _CONTEXT_CONNECTIONS:
        wrapper.close()


@pytest.fixture(autouse=True)
def _remember_the_connection(request: pytest.FixtureRequest) -> Iterator[None]:
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if uses_db:
        request.getfixturevalue("_close_connections_of_every_context")
    yield
    if uses_db:
        from django.db import connections

        wrapper = connections["default"]
        if all(seen is not wrapper for seen in _CONTEXT_CONNECTIONS):
            _CONTEXT_CONNECTIONS.append(wrapper)
