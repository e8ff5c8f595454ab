"""Two requests turning the same meeting decision into a ledger task at the same moment (a
double click reaching two workers): the decision's row lock lets one make the problem and the
other find it; exactly one problem and one task. PostgreSQL only: SQLite's in-memory test
database is one connection."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections

from junheng.web.appraisal import services
from junheng.web.appraisal.models import Meeting, MeetingDecision
from junheng.web.rectification import services as ledger
from junheng.web.rectification.models import Problem, Task


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_once_make_one_problem(site):
    if connections["default"].vendor != "postgresql":
        pytest.skip("needs two connections to one database (run with DATABASE_URL on PostgreSQL)")
    meeting = Meeting.objects.create(
        county=site["county"],
        year=site["year"],
        kind="joint",
        day=dt.date(2026, 4, 3),
        title="联席会议",
    )
    item = MeetingDecision.objects.create(meeting=meeting, order=1, text="补齐音乐教室")
    fields = ledger.TaskFields(
        lead_unit=site["units"]["edu"],
        responsible_units=[],
        person="",
        leader="",
        measures="改建音乐教室",
        deadline=dt.date(2026, 6, 30),
        budget_wan=None,
    )
    start = threading.Barrier(2)
    made: list[bool] = []
    errors: list[BaseException] = []

    def request() -> None:
        try:
            start.wait()
            made.append(services.decision_to_ledger(item, fields, site["users"]["admin"])[1])
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(made) == [False, True]
    assert Problem.objects.count() == 1 and Task.objects.count() == 1
    assert MeetingDecision.objects.get(pk=item.pk).problem == Problem.objects.get()
