"""Requests per address to the public form, counted in this process's memory only.

The address is never written anywhere: it is hashed into a counter of the current window, and
all counters are dropped when the window ends. The site's shared cache is not used on purpose:
it is a folder of files holding rendered pages, and one entry per respondent would both make
every request write a file and push the pages out. Each gunicorn worker counts for itself, so
an address reaches at most the rules' limit in each worker; that still leaves guessing a code
hopeless, which is what the limit is for.

The address is `clientaddress.client_address`: behind nginx the entry nginx appended to
X-Forwarded-For, and the header is ignored when it does not come from a trusted proxy.
"""

from __future__ import annotations

import hashlib
import threading
import time

from django.http import HttpRequest

from junheng.survey.rules import Distribution
from junheng.web.clientaddress import client_address

_lock = threading.Lock()
_window: tuple[int, int] | None = None
_counts: dict[bytes, int] = {}


def allow(request: HttpRequest, distribution: Distribution) -> bool:
    """Count this request against its address; False once the window's limit is passed."""
    global _window
    seconds = distribution.rate_limit_seconds
    window = (seconds, int(time.time() // seconds))
    key = hashlib.blake2b(client_address(request).encode(), digest_size=12).digest()
    with _lock:
        if window != _window:
            _counts.clear()
            _window = window
        count = _counts.get(key, 0) + 1
        _counts[key] = count
    return count <= distribution.rate_limit_requests


def reset() -> None:
    """Forget all counts (tests start from none)."""
    global _window
    with _lock:
        _counts.clear()
        _window = None
