"""Submissions racing for one code on PostgreSQL: exactly one is stored, whatever the order."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from junheng.web.surveys import services
from junheng.web.surveys.models import Response
from junheng.web.surveys.services import Outcome

pytestmark = pytest.mark.django_db(transaction=True)


def test_racing_submissions_store_one_response(survey, schools):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time anyway")
    code = services.generate_codes(survey, "parents", 1, school=schools[0]).codes.get().code
    form = {f"q_P{i:02d}": "5" if i % 2 else "3" for i in range(1, 15)}
    nonces = ["same", "same", "other-1", "other-2", "other-3", "other-4"]
    outcomes: list[tuple[str, Outcome]] = []
    start = threading.Barrier(len(nonces))

    def send(nonce: str) -> None:
        try:
            start.wait()
            result = services.submit(code, nonce, form, 100, timezone.now())
            outcomes.append((nonce, result.outcome))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in nonces]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Response.objects.count() == 1
    winner = Response.objects.get().nonce
    accepted = [n for n, o in outcomes if o is Outcome.ACCEPTED]
    assert accepted == [winner]
    for nonce, outcome in outcomes:
        if nonce == winner:
            assert outcome in (Outcome.ACCEPTED, Outcome.REPEATED)
        else:
            assert outcome is Outcome.USED
