"""Tiny WSGI applications for the tests of how gunicorn runs (tests/web/test_server_process.py),
loaded by gunicorn with the project's own gunicorn.conf.py."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterable

import polars as pl

StartResponse = Callable[[str, list[tuple[str, str]]], object]


def _grouped_sum() -> int:
    # A group-by runs on Polars' thread pool (a sum over two rows does not).
    frame = pl.DataFrame({"a": [1, 2, 1], "b": [3, 4, 5]})
    return int(frame.group_by("a").agg(pl.col("b").sum())["b"].sum())


def computing(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
    """Computes in each request, never before: the workers may be forked safely."""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(_grouped_sum()).encode()]


if os.environ.get("JUNHENG_TEST_COMPUTE_AT_IMPORT") == "1":
    # What a set-up in the server process does: the pool starts before the workers are forked.
    _grouped_sum()


def stuck(environ: dict, start_response: StartResponse) -> Iterable[bytes]:
    """A request that never ends and ignores gunicorn's SIGABRT, as a worker stuck in native
    code does, so the timeout ends it with SIGKILL."""
    signal.signal(signal.SIGABRT, signal.SIG_IGN)
    while True:
        time.sleep(1)
