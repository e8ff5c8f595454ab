"""逾期 across the deadline with the rectification clock frozen: on the deadline day a task is
on time; the day after it is 逾期 on the task page, the due list and the bulletin; a moved
deadline ends it, since 逾期 is derived, not stored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.web.rectification import services

pytestmark = pytest.mark.django_db


def _freeze(monkeypatch, day):
    monkeypatch.setattr(services, "today", lambda: day)


def test_overdue_across_the_deadline(client, ledger, monkeypatch):
    task = ledger["edu_task"]  # deadline 2026-06-30
    county, year = ledger["county"].pk, ledger["year"].label
    client.force_login(ledger["users"]["leader"])
    _freeze(monkeypatch, dt.date(2026, 6, 30))
    page = client.get(reverse("rectification_task", args=[task.pk])).content.decode()
    assert '<span class="badge big draft">未开始</span>' in page
    due = client.get(reverse("rectification_due", args=[county, year]) + "?days=7").content.decode()
    assert "7 天内到期（1 项）" in due and "已逾期（0 项）" in due

    _freeze(monkeypatch, dt.date(2026, 7, 1))
    page = client.get(reverse("rectification_task", args=[task.pk])).content.decode()
    assert '<span class="badge big fail">逾期</span>' in page
    due = client.get(
        reverse("rectification_due", args=[county, year]) + "?days=14"
    ).content.decode()
    # the finance task (2026-07-15) is due within 14 days; the education task is overdue
    assert "14 天内到期（1 项）" in due and "已逾期（1 项）" in due
    bulletin = client.get(reverse("rectification_bulletin", args=[county, year])).content.decode()
    assert "逾期任务（1 项）" in bulletin
    assert "截至2026年07月01日，全县整改任务 2 项，已销号 0 项（0.0%），逾期 1 项" in bulletin


def test_moving_the_deadline_ends_overdue(client, ledger, monkeypatch):
    task = ledger["edu_task"]
    _freeze(monkeypatch, dt.date(2026, 7, 1))
    client.force_login(ledger["users"]["edu"])
    page = client.get(reverse("rectification_task", args=[task.pk])).content.decode()
    assert '<span class="badge big fail">逾期</span>' in page
    response = client.post(
        reverse("rectification_task_edit", args=[task.pk]),
        {
            "lead_unit": task.lead_unit_id,
            "responsible_units": [ledger["units"]["hr"].pk],
            "measures": task.measures,
            "deadline": "2026-07-31",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("rectification_task", args=[task.pk])).content.decode()
    assert '<span class="badge big fail">逾期</span>' not in page
    assert '<span class="badge big draft">未开始</span>' in page


def test_a_department_sees_its_own_tasks_due(client, ledger, monkeypatch):
    _freeze(monkeypatch, dt.date(2026, 7, 1))
    county, year = ledger["county"].pk, ledger["year"].label
    url = reverse("rectification_due", args=[county, year]) + "?days=30"
    client.force_login(ledger["users"]["fin"])
    assert "30 天内到期（1 项）" in client.get(url).content.decode()
    page = client.get(url + "&mine=1").content.decode()
    assert "30 天内到期（1 项）" in page and "已逾期（0 项）" in page
    client.force_login(ledger["users"]["hr"])  # responsible for the overdue education task
    page = client.get(url + "&mine=1").content.decode()
    assert "30 天内到期（0 项）" in page and "已逾期（1 项）" in page
