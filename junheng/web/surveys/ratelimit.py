"""Requests per address to the public form, counted in the cache only.

The address is never written anywhere else: it is hashed into a cache key that expires with
its window. Behind nginx every request comes from 127.0.0.1, so the address is the last entry
of X-Forwarded-For, the one nginx itself appended (gunicorn listens on loopback only, so no one
else can set that header).
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest

from junheng.survey.rules import Distribution


def client_address(request: HttpRequest) -> str:
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def allow(request: HttpRequest, distribution: Distribution) -> bool:
    """Count this request against its address; False once the window's limit is passed."""
    seconds = distribution.rate_limit_seconds
    window = int(time.time() // seconds)
    digest = hashlib.blake2b(client_address(request).encode(), digest_size=12).hexdigest()
    key = f"junheng-survey-rate:{digest}:{window}"
    cache.add(key, 0, timeout=seconds * 2)
    try:
        count = cache.incr(key)
    except ValueError:
        # expired between add and incr
        cache.set(key, 1, timeout=seconds * 2)
        count = 1
    return count <= distribution.rate_limit_requests
