"""The public form's limit per address, shared by every worker through the database.

What the limit is for is guessing codes, so what it counts is requests for codes that do not
exist: an address that asked for more than the rules' number of unknown codes within a window
is answered "请稍后再试" for every code, known or not, until the window ends (otherwise a known
code answered normally would still tell the guesser a hit). A parents' meeting behind one
school network sends hundreds of known codes from one address and is never counted.

The address is never written: a row holds a keyed hash of it that changes with every window,
and rows of past windows are deleted when the next window starts. The site's cache is not used
on purpose: it is a folder of files holding rendered pages. On PostgreSQL the table is not
written to the database's log (a crash loses counts, never answers), so a count costs no flush
to disk.

The address is `clientaddress.client_address`: behind nginx the entry nginx appended to
X-Forwarded-For; the header is ignored when it does not come from a trusted proxy.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest

from junheng.survey.rules import Distribution
from junheng.web.clientaddress import client_address
from junheng.web.surveys.models import RateCount

_lock = threading.Lock()
_cleared: int | None = None
"""The window whose predecessors this process has deleted already."""


def _now() -> float:
    return time.time()


def _window(distribution: Distribution) -> int:
    return int(_now() // distribution.rate_limit_seconds)


def _key(request: HttpRequest, window: int) -> str:
    message = f"{window}|{client_address(request)}".encode()
    secret = f"junheng.surveys.ratelimit|{settings.SECRET_KEY}".encode()
    return hmac.new(secret, message, hashlib.blake2b).hexdigest()[:32]


def _clear_past(window: int) -> None:
    global _cleared
    with _lock:
        if _cleared == window:
            return
        _cleared = window
    RateCount.objects.filter(window__lt=window).delete()


def where(request: HttpRequest, distribution: Distribution) -> tuple[int, str]:
    """(window, key) of the request's address now: where its count is kept."""
    window = _window(distribution)
    return window, _key(request, window)


def passed(count: int | None, distribution: Distribution) -> bool:
    """Whether a count read at `where` is past the limit (the form's lookup reads it)."""
    return count is not None and count > distribution.rate_limit_requests


def exceeded(request: HttpRequest, distribution: Distribution) -> bool:
    """Whether the address has passed the limit in this window (a read: nothing is counted)."""
    window, key = where(request, distribution)
    count = RateCount.objects.filter(window=window, key=key).values_list("count", flat=True)
    return passed(count.first(), distribution)


def count_miss(request: HttpRequest, distribution: Distribution) -> bool:
    """Count a request for a code that does not exist; True while the address is within the
    limit (this request included), False once it is past it."""
    window = _window(distribution)
    _clear_past(window)
    q = connection.ops.quote_name
    table, window_, key, count_ = (
        q(name) for name in (RateCount._meta.db_table, "window", "key", "count")
    )
    with connection.cursor() as cursor:
        # one statement, so two workers counting the same address cannot both insert
        cursor.execute(
            f"INSERT INTO {table} ({window_}, {key}, {count_}) VALUES (%s, %s, 1) "
            f"ON CONFLICT ({window_}, {key}) DO UPDATE SET {count_} = {table}.{count_} + 1 "
            f"RETURNING {count_}",
            [window, _key(request, window)],
        )
        (count,) = cursor.fetchone()
    return count <= distribution.rate_limit_requests


def reset() -> None:
    """Forget what this process remembers (tests; their database starts without counts)."""
    global _cleared
    with _lock:
        _cleared = None
