"""Meetings and 表彰/问责 decisions corrected after they were recorded: the same people who
record them may edit (everyone else gets the site's 404 and changes nothing); an edit is saved
whole; a decision already in the ledger keeps its one problem — its wording changes, no second
problem is made, and the page says the problem exists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.web.appraisal import services
from junheng.web.appraisal.models import Decision, Meeting, MeetingDecision
from junheng.web.rectification import services as ledger
from junheng.web.rectification.models import Problem, Task
from tests.web.appraisal.conftest import ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

MANAGERS = {"admin", "sysadmin"}


@pytest.fixture
def meeting(site):
    """A 推进会 on 3 April 2026 with two decisions, the first already a ledger task."""
    recorded = services.record_meeting(
        Meeting(
            county=site["county"],
            year=site["year"],
            kind="progress",
            day=dt.date(2026, 4, 3),
            title="第一季度推进会",
            attendees="分管副县长",
        ),
        [site["units"]["edu"]],
        ["石桥小学6月底前改建音乐教室", "河口中学补充体育器材"],
    )
    first = recorded.decisions.get(order=1)
    services.decision_to_ledger(
        first,
        ledger.TaskFields(
            lead_unit=site["units"]["edu"],
            responsible_units=[],
            person="",
            leader="",
            measures="改建音乐教室一间",
            deadline=dt.date(2026, 6, 30),
            budget_wan=None,
        ),
        site["users"]["admin"],
    )
    return recorded


def _post(site, meeting, **decisions):
    """The edit form as a browser sends it: the meeting's fields and one block per decision."""
    first, second = meeting.decisions.order_by("order")[:2]
    data = {
        "kind": "joint",
        "day": "2026-04-08",
        "title": "第一季度联席会议",
        "units": [site["units"]["edu"].pk, site["units"]["fin"].pk],
        "attendees": "分管副县长、各学区校长",
        "minutes": "",
        "decisions": "3. 县财政局拨付器材经费",
        f"e{first.pk}-text": "石桥小学5月底前改建音乐教室",
        f"e{first.pk}-lead_unit": site["units"]["fin"].pk,
        f"e{second.pk}-text": "河口中学补充体育器材和音乐器材",
        f"e{second.pk}-lead_unit": site["units"]["town"].pk,
        f"e{second.pk}-deadline": "2026-09-01",
    }
    return data | decisions


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_record_meetings_may_edit_them(client, site, meeting, role):
    client.force_login(site["users"][role])
    url = reverse("appraisal_meeting_edit", args=[meeting.pk])
    page = client.get(url)
    posted = client.post(url, _post(site, meeting))
    meeting.refresh_from_db()
    if role in MANAGERS:
        assert page.status_code == 200 and "修改会议" in page.content.decode()
        assert posted.status_code == 302 and meeting.title == "第一季度联席会议"
    else:
        assert page.status_code == posted.status_code == 404
        assert meeting.title == "第一季度推进会" and meeting.kind == "progress"
        assert meeting.decisions.count() == 2


def test_the_meeting_page_links_the_edit_page_for_managers_only(client, site, meeting):
    url = reverse("appraisal_meeting", args=[meeting.pk])
    edit = reverse("appraisal_meeting_edit", args=[meeting.pk])
    client.force_login(site["users"]["admin"])
    assert edit in client.get(url).content.decode()
    client.force_login(site["users"]["leader"])
    page = client.get(url)
    assert page.status_code == 200 and edit not in page.content.decode()


def test_an_edit_is_saved_and_a_converted_decision_keeps_its_one_problem(client, site, meeting):
    client.force_login(site["users"]["admin"])
    problem = Problem.objects.get()
    task = Task.objects.get()
    page = client.get(reverse("appraisal_meeting_edit", args=[meeting.pk])).content.decode()
    assert "该事项已转为整改台账问题" in page and "修改这里的文字不会再生成问题" in page
    response = client.post(
        reverse("appraisal_meeting_edit", args=[meeting.pk]), _post(site, meeting)
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.day, meeting.title, meeting.attendees) == (
        "joint",
        dt.date(2026, 4, 8),
        "第一季度联席会议",
        "分管副县长、各学区校长",
    )
    assert {u.name for u in meeting.units.all()} == {"县教育局", "县财政局"}
    first, second, third = meeting.decisions.order_by("order")
    # the converted decision: new wording, the same problem, its task as the ledger keeps it
    # (the lead unit posted for it is not the decision's to change)
    assert first.text == "石桥小学5月底前改建音乐教室" and first.problem == problem
    assert first.lead_unit is None
    assert Problem.objects.count() == 1 and Task.objects.count() == 1
    problem.refresh_from_db()
    assert problem.title == "石桥小学6月底前改建音乐教室"
    task.refresh_from_db()
    assert (task.lead_unit.name, task.deadline) == ("县教育局", dt.date(2026, 6, 30))
    # the other decision: wording, proposed lead unit and deadline; a new one numbered 3
    assert (second.text, second.lead_unit.name, second.deadline) == (
        "河口中学补充体育器材和音乐器材",
        "石桥镇人民政府",
        dt.date(2026, 9, 1),
    )
    assert (third.order, third.text, third.problem) == (3, "县财政局拨付器材经费", None)
    # the meeting page proposes them, and the conversion form starts from them
    text = client.get(reverse("appraisal_meeting", args=[meeting.pk])).content.decode()
    assert "拟牵头单位：石桥镇人民政府，拟完成时限 2026-09-01" in text
    assert f'<option value="{site["units"]["town"].pk}" selected>' in text
    assert 'value="2026-09-01"' in text


def test_converting_after_an_edit_makes_one_problem_with_the_edited_wording(client, site, meeting):
    client.force_login(site["users"]["admin"])
    client.post(reverse("appraisal_meeting_edit", args=[meeting.pk]), _post(site, meeting))
    second = meeting.decisions.get(order=2)
    prefix = f"d{second.pk}"
    client.post(
        reverse("appraisal_decision_task", args=[second.pk]),
        {
            f"{prefix}-lead_unit": site["units"]["town"].pk,
            f"{prefix}-deadline": "2026-09-01",
            f"{prefix}-measures": "采购器材",
        },
    )
    assert Problem.objects.count() == 2
    assert (
        MeetingDecision.objects.get(pk=second.pk).problem.title == "河口中学补充体育器材和音乐器材"
    )
    # editing both again makes nothing new
    again = _post(site, meeting, decisions="")
    client.post(reverse("appraisal_meeting_edit", args=[meeting.pk]), again)
    assert Problem.objects.count() == 2 and Task.objects.count() == 2


def test_a_decision_not_yet_converted_may_be_deleted_a_converted_one_not(client, site, meeting):
    client.force_login(site["users"]["admin"])
    first, second = meeting.decisions.order_by("order")
    data = _post(site, meeting, decisions="")
    data |= {f"e{first.pk}-delete": "on", f"e{second.pk}-delete": "on", f"e{second.pk}-text": ""}
    response = client.post(reverse("appraisal_meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 302
    # the converted decision stays (its form has no delete box), the other is gone
    assert list(meeting.decisions.values_list("order", flat=True)) == [1]
    assert Problem.objects.count() == 1


def test_edit_errors_are_chinese_and_nothing_is_saved(client, site, meeting):
    client.force_login(site["users"]["admin"])
    first, second = meeting.decisions.order_by("order")
    data = _post(site, meeting, title="")
    data |= {f"e{first.pk}-text": "", f"e{second.pk}-deadline": "9月1日"}
    response = client.post(reverse("appraisal_meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "请填写会议名称" in page and "请填写决定事项" in page
    assert "日期格式应为 年-月-日" in page
    meeting.refresh_from_db()
    assert meeting.title == "第一季度推进会"
    assert meeting.decisions.get(order=1).text == "石桥小学6月底前改建音乐教室"


# ---- 表彰/问责 decisions ---------------------------------------------------------------------


@pytest.fixture
def decision(site):
    return Decision.objects.create(
        county=site["county"],
        kind="account",
        target_kind="unit",
        unit=site["units"]["fin"],
        day=dt.date(2026, 4, 2),
        reason="一季度考核排名末位",
        text="约谈主要负责同志",
    )


def _decision_post(site):
    return {
        "kind": "commend",
        "target_kind": "township",
        "township": "石桥镇",
        "day": "2026-04-09",
        "reason": "一季度销号率第一",
        "text": "通报表扬",
        "period": "2026Q1",
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_those_who_record_decisions_may_edit_them(client, site, decision, role):
    client.force_login(site["users"][role])
    url = reverse("appraisal_decision_edit", args=[decision.pk])
    page = client.get(url)
    posted = client.post(url, _decision_post(site))
    decision.refresh_from_db()
    if role in MANAGERS:
        assert page.status_code == 200 and "修改问责决定" in page.content.decode()
        assert posted.status_code == 302 and decision.kind == "commend"
    else:
        assert page.status_code == posted.status_code == 404
        assert (decision.kind, decision.text) == ("account", "约谈主要负责同志")


def test_a_decision_edit_is_saved_with_its_target(client, site, decision):
    client.force_login(site["users"]["admin"])
    listing = client.get(reverse("appraisal_decisions", args=[site["county"].pk]))
    assert reverse("appraisal_decision_edit", args=[decision.pk]) in listing.content.decode()
    client.post(reverse("appraisal_decision_edit", args=[decision.pk]), _decision_post(site))
    decision.refresh_from_db()
    assert (decision.kind, decision.target_kind, decision.township, decision.unit) == (
        "commend",
        "township",
        "石桥镇",
        None,
    )
    assert (decision.day, decision.text, decision.period) == (
        dt.date(2026, 4, 9),
        "通报表扬",
        "2026Q1",
    )
    assert Decision.objects.count() == 1
    # a reader sees the corrected record without the edit link
    client.force_login(site["users"]["leader"])
    page = client.get(reverse("appraisal_decisions", args=[site["county"].pk])).content.decode()
    assert "石桥镇" in page and "通报表扬" in page and "2026年第一季度考核" in page
    assert reverse("appraisal_decision_edit", args=[decision.pk]) not in page
