"""Meetings over HTTP: recorded with attending units and decisions; a decision becomes one
ledger problem of source 会议决定 with its task, however often the button is pressed; the
meeting page shows each decision's task and its status."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.web.appraisal import services
from junheng.web.appraisal.models import Meeting, MeetingDecision
from junheng.web.rectification import services as ledger
from junheng.web.rectification.models import Problem, ProblemSource, Task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _meeting(client, site):
    client.force_login(site["users"]["admin"])
    response = client.post(
        reverse("appraisal_meetings", args=[site["county"].pk, site["year"].label]),
        {
            "kind": "progress",
            "day": "2026-04-03",
            "title": "优质均衡创建第一季度推进会",
            "units": [site["units"]["edu"].pk, site["units"]["town"].pk],
            "attendees": "分管副县长、各学区校长",
            "minutes": "通报第一季度整改进展。",
            "decisions": "1. 石桥小学6月底前改建音乐教室\n\n2、河口中学补充体育器材\n",
        },
    )
    assert response.status_code == 302
    return Meeting.objects.get()


def test_a_meeting_is_recorded_with_its_decisions(client, site):
    meeting = _meeting(client, site)
    assert [d.text for d in meeting.decisions.all()] == [
        "石桥小学6月底前改建音乐教室",
        "河口中学补充体育器材",
    ]
    assert {u.name for u in meeting.units.all()} == {"县教育局", "石桥镇人民政府"}
    client.force_login(site["users"]["dept"])
    page = client.get(reverse("appraisal_meeting", args=[meeting.pk])).content.decode()
    assert "推进会" in page and "2026年4月3日" in page
    assert "县教育局、石桥镇人民政府" in page and "分管副县长、各学区校长" in page
    assert "石桥小学6月底前改建音乐教室" in page and "尚未转为整改任务" in page
    # a department reads; only administrators get the form
    assert "转为整改任务</button>" not in page


def _to_task(client, item, site):
    prefix = f"d{item.pk}"
    return client.post(
        reverse("appraisal_decision_task", args=[item.pk]),
        {
            f"{prefix}-lead_unit": site["units"]["edu"].pk,
            f"{prefix}-deadline": "2026-06-30",
            f"{prefix}-measures": "改建音乐教室一间",
        },
    )


def test_a_decision_becomes_exactly_one_problem_with_its_task(client, site):
    meeting = _meeting(client, site)
    item = meeting.decisions.get(order=1)
    # clicked twice: the second answers that it exists and makes nothing
    first = _to_task(client, item, site)
    second = _to_task(client, item, site)
    assert first.status_code == second.status_code == 302
    problem = Problem.objects.get()
    assert problem.source == ProblemSource.MEETING
    assert problem.title == "石桥小学6月底前改建音乐教室"
    assert problem.found_on == dt.date(2026, 4, 3)
    assert "推进会“优质均衡创建第一季度推进会”（2026年04月03日）决定事项第 1 项" in (
        problem.description
    )
    task = Task.objects.get()
    assert (task.problem, task.lead_unit.name, task.deadline, task.measures) == (
        problem,
        "县教育局",
        dt.date(2026, 6, 30),
        "改建音乐教室一间",
    )
    assert MeetingDecision.objects.get(pk=item.pk).problem == problem
    page = client.get(reverse("appraisal_meeting", args=[meeting.pk]), follow=True)
    text = page.content.decode()
    assert "已经转为整改任务，未重复生成" in text
    assert "县教育局：改建音乐教室一间" in text and "未开始" in text
    # the other decision still offers its form
    assert text.count("转为整改任务</button>") == 1
    # the service itself is idempotent too
    fields = ledger.TaskFields(
        lead_unit=site["units"]["fin"],
        responsible_units=[],
        person="",
        leader="",
        measures="重复",
        deadline=dt.date(2026, 7, 1),
        budget_wan=None,
    )
    again, made = services.decision_to_ledger(item, fields, site["users"]["admin"])
    assert (again, made) == (problem, False)
    assert Problem.objects.count() == 1 and Task.objects.count() == 1


def test_the_task_status_follows_the_ledger(client, site):
    meeting = _meeting(client, site)
    item = meeting.decisions.get(order=1)
    _to_task(client, item, site)
    task = Task.objects.get()
    ledger.step(task, "进行中", site["users"]["admin"])
    page = client.get(reverse("appraisal_meeting", args=[meeting.pk])).content.decode()
    assert '<span class="badge warn">进行中</span>' in page


def test_a_decision_form_with_errors_is_shown_again(client, site):
    meeting = _meeting(client, site)
    item = meeting.decisions.get(order=2)
    response = client.post(
        reverse("appraisal_decision_task", args=[item.pk]),
        {f"d{item.pk}-lead_unit": "", f"d{item.pk}-deadline": "6月底", f"d{item.pk}-measures": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择牵头单位" in page and "请填写整改措施" in page
    assert "日期格式应为 年-月-日" in page
    assert not Problem.objects.exists()


def test_meeting_form_errors_are_chinese(client, site):
    client.force_login(site["users"]["admin"])
    response = client.post(
        reverse("appraisal_meetings", args=[site["county"].pk, site["year"].label]),
        {"kind": "progress", "day": "", "title": ""},
    )
    page = response.content.decode()
    assert "请填写会议日期" in page and "请填写会议名称" in page
    assert not Meeting.objects.exists()
