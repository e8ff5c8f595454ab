"""Whose address a request is counted against (login lockout, the survey form's limit): a
forwarded address is believed only from a trusted proxy."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from junheng.web.clientaddress import client_address

TRUSTED = frozenset({"127.0.0.1", "::1"})


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/s/", **extra)


@override_settings(TRUSTED_PROXIES=TRUSTED)
@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        # Reached directly: a header the client wrote itself changes nothing.
        ("203.0.113.7", "198.51.100.1", "203.0.113.7"),
        ("203.0.113.7", None, "203.0.113.7"),
        # Behind nginx on this machine: the address nginx appended (the last entry).
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),
        ("::1", "198.51.100.1", "198.51.100.1"),
        # A client's forged first entry is not the address nginx appended.
        ("127.0.0.1", "10.9.9.9, 198.51.100.1", "198.51.100.1"),
        # Trusted hops at the end are skipped; with nothing else, the proxy itself.
        ("127.0.0.1", "198.51.100.1, 127.0.0.1", "198.51.100.1"),
        ("127.0.0.1", "", "127.0.0.1"),
        ("127.0.0.1", None, "127.0.0.1"),
    ],
)
def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(remote, forwarded, expected):
    assert client_address(_request(remote, forwarded)) == expected


@override_settings(TRUSTED_PROXIES=frozenset())
def test_with_no_trusted_proxy_the_header_is_ignored():
    assert client_address(_request("127.0.0.1", "198.51.100.1")) == "127.0.0.1"
