"""The plan page: target, phases and milestones entered by the county admin, tasks placed on
phases, the timeline bars, and the forecast with the clock frozen on 2026-06-01.

The demo county's 19 problems, one closed on 2026-05-20 (inside the 4-week window 05-05 …
06-01): 0.25 a week, 18 remaining → 72 weeks → 2027-10-18, after the inspection date
2026-09-01."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from junheng.web.rectification import services
from junheng.web.rectification.models import Milestone, Phase, Plan, Problem, Task

pytestmark = pytest.mark.django_db


def test_plan_phases_milestones_and_forecast(client, ledger, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 6, 1))
    county, year = ledger["county"], ledger["year"]
    url = reverse("rectification_plan", args=[county.pk, year.label])
    client.force_login(ledger["users"]["admin"])
    page = client.get(url).content.decode()
    assert "尚未设定创建目标年份" in page
    client.post(
        url, {"action": "plan", "plan-target_year": "2026", "plan-target_date": "2026-09-01"}
    )
    plan = Plan.objects.get(county=county)
    assert (plan.target_year, plan.target_date) == (2026, dt.date(2026, 9, 1))
    for kind, name, start, end in [
        ("deploy", "动员部署", "2026-03-01", "2026-03-31"),
        ("implement", "整改实施", "2026-04-01", "2026-07-31"),
        ("inspection", "迎检", "2026-08-01", "2026-09-01"),
    ]:
        client.post(
            url,
            {
                "action": "phase",
                "phase-kind": kind,
                "phase-name": name,
                "phase-start": start,
                "phase-end": end,
            },
        )
    response = client.post(
        url,
        {
            "action": "phase",
            "phase-kind": "deploy",
            "phase-name": "倒置",
            "phase-start": "2026-05-01",
            "phase-end": "2026-04-01",
        },
    )
    assert "结束日期不能早于开始日期" in response.content.decode()
    phases = {p.name: p for p in Phase.objects.filter(plan=plan)}
    assert set(phases) == {"动员部署", "整改实施", "迎检"}
    client.post(
        url,
        {
            "action": "milestone",
            "milestone-phase": phases["整改实施"].pk,
            "milestone-name": "完成设备采购",
            "milestone-day": "2026-06-15",
        },
    )
    milestone = Milestone.objects.get(name="完成设备采购")
    client.post(url, {"action": "done", "milestone": milestone.pk})
    assert Milestone.objects.get(pk=milestone.pk).done

    Task.objects.filter(pk=ledger["fin_task"].pk).update(
        status="已销号", closed_on=dt.date(2026, 5, 20), phase=phases["整改实施"]
    )
    assert Problem.objects.filter(county=county, year=year).count() == 19
    closed_at = timezone.make_aware(dt.datetime(2026, 5, 20, 10, 0))
    Problem.objects.filter(pk=ledger["problem"].pk).update(status="closed", closed_at=closed_at)
    page = client.get(url).content.decode()
    assert "问题清单共 19 个问题，已销号 1 个" in page
    assert (
        "近 4 周销号 1 项，平均每周 0.25 项；尚余 18 项，约需 72 周，预计 2027年10月18日 全部销号，"
        "晚于目标日期 2026年09月01日，须加快进度。" in page
    )
    # span 2026-03-01 … 2026-09-01 = 184 days; 整改实施 starts on day 31 and lasts 121 days
    assert "left: 16.85%; width: 65.76%;" in page
    assert "任务 1/1" in page and "另有 1 项整改任务尚未放入阶段" in page
    # today 2026-06-01 is day 92
    assert 'class="timeline-today" style="left: 50.0%;"' in page


def test_readers_see_the_plan_but_cannot_change_it(client, ledger):
    county, year = ledger["county"], ledger["year"]
    url = reverse("rectification_plan", args=[county.pk, year.label])
    for role in ("leader", "edu"):
        client.force_login(ledger["users"][role])
        assert client.get(url).status_code == 200
        response = client.post(url, {"action": "plan", "plan-target_year": "2026"})
        assert response.status_code == 404
    assert not Plan.objects.exists()
    client.force_login(ledger["users"]["other_admin"])
    assert client.get(url).status_code == 404
