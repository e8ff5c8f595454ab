"""一校一案 and 一镇一册 over HTTP: who reads which school's and township's problems, tasks and
pages (forbidden and unknown answer 404 alike), who reports progress, that nobody but the
county approves, and the school unit made on demand by the task form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.web.rectification import services
from junheng.web.rectification.models import Evidence, ProgressUpdate, Task, Unit, UnitKind

pytestmark = pytest.mark.django_db

READERS = ("admin", "sysadmin", "leader", "inspector", "edu", "fin", "hr")
OUTSIDERS = ("other_admin", "foreign", "nobody")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _status(client, user, url, method="get", data=None):
    client.force_login(user)
    return getattr(client, method)(url, data or {}).status_code


def _check(client, site, url, allowed, method="get", data=None):
    """Every role of the site: 200 for `allowed`, 404 for the others."""
    for role, user in site["users"].items():
        want = 200 if role in allowed else 404
        assert _status(client, user, url, method, data) == want, (role, url)


def test_the_task_form_makes_the_schools_unit_once(client, parties_site):
    school, own = parties_site["school"], parties_site["own_task"]
    unit = own.lead_unit
    assert (unit.kind, unit.school, unit.name) == (UnitKind.SCHOOL, school, "城关第一小学")
    client.force_login(parties_site["users"]["admin"])
    page = client.get(
        reverse("rectification_task_new", args=[parties_site["county_problem"].pk])
    ).content.decode()
    # the school is offered once, as a school, with its township
    assert page.count("城关第一小学（城关镇）") == 2  # lead select and responsible checkboxes
    assert f'value="{unit.pk}"' not in page
    client.post(
        reverse("rectification_task_new", args=[parties_site["county_problem"].pk]),
        {
            "lead_unit": f"s{school.school_id}",
            "responsible_units": [f"s{parties_site['second'].school_id}"],
            "measures": "两校联合调整学区",
            "deadline": "2026-09-30",
        },
    )
    assert Unit.objects.filter(school=school).count() == 1
    task = Task.objects.get(measures="两校联合调整学区")
    assert task.lead_unit == unit
    assert [u.name for u in task.responsible_units.all()] == ["城关第二小学"]
    edit = client.get(reverse("rectification_task_edit", args=[task.pk])).content.decode()
    assert f'value="s{school.school_id}" selected' in edit


def test_school_plan_page_by_role(client, parties_site):
    url = reverse("rectification_school", args=[parties_site["school"].school_id, "2026"])
    docx = reverse("rectification_school_docx", args=[parties_site["school"].school_id, "2026"])
    allowed = {*READERS, "school", "town", "duxue"}
    _check(client, parties_site, url, allowed)
    _check(client, parties_site, docx, allowed)
    client.force_login(parties_site["users"]["admin"])
    assert client.get(url.replace("2152010001", "9999999999")).status_code == 404
    assert client.get(url.replace("2026", "1999")).status_code == 404


def test_township_page_by_role(client, parties_site):
    county = parties_site["county"].pk
    url = reverse("rectification_township", args=[county, "2026", "城关镇"])
    docx = reverse("rectification_township_docx", args=[county, "2026", "城关镇"])
    allowed = {*READERS, "town"}
    _check(client, parties_site, url, allowed)
    _check(client, parties_site, docx, allowed)
    # a township no school of the county names, and another county's, answer the same
    client.force_login(parties_site["users"]["admin"])
    unknown = reverse("rectification_township", args=[county, "2026", "无此镇"])
    assert client.get(unknown).status_code == 404
    other = reverse(
        "rectification_township", args=[parties_site["other_county"].pk, "2026", "城关镇"]
    )
    assert client.get(other).status_code == 404


def test_schools_list_is_the_school_inspectors(client, parties_site):
    url = reverse("rectification_schools")
    _check(client, parties_site, url, {"duxue"})
    client.force_login(parties_site["users"]["duxue"])
    page = client.get(url).content.decode()
    assert "城关第一小学" in page and "城关第二小学" not in page
    assert reverse("rectification_school", args=["2152010001", "2026"]) in page
    assert reverse("school", args=["2152010001", "2026"]) in page


def test_problem_pages_by_role(client, parties_site):
    own = reverse("rectification_problem", args=[parties_site["school_problem"].pk])
    _check(client, parties_site, own, {*READERS, "school", "town", "duxue"})
    # another township's school (青龙镇初级中学): the county's readers only
    other = reverse("rectification_problem", args=[parties_site["problem"].pk])
    _check(client, parties_site, other, set(READERS))
    # a county-level problem: the county's readers only
    county_level = reverse("rectification_problem", args=[parties_site["county_problem"].pk])
    _check(client, parties_site, county_level, set(READERS))


def test_task_pages_by_role(client, parties_site):
    def url(name):
        return reverse("rectification_task", args=[parties_site[name].pk])

    school_side = {*READERS, "school", "town", "duxue"}
    _check(client, parties_site, url("own_task"), school_side)
    _check(client, parties_site, url("bureau_task"), school_side)
    # the township's own task, where the school's unit is responsible
    _check(client, parties_site, url("town_task"), school_side)
    _check(client, parties_site, url("edu_task"), set(READERS))


def test_a_task_links_its_problem_only_for_its_readers(client, parties_site):
    task = parties_site["town_task"]
    problem_url = reverse("rectification_problem", args=[parties_site["county_problem"].pk])
    for role, linked in (("school", False), ("town", False), ("admin", True)):
        client.force_login(parties_site["users"][role])
        page = client.get(reverse("rectification_task", args=[task.pk])).content.decode()
        assert "城关镇学校布局需调整" in page
        assert (problem_url in page) == linked, role


def test_the_county_lists_stay_closed_to_schools_and_townships(client, parties_site):
    county, year = parties_site["county"].pk, "2026"
    for name in (
        "rectification",
        "rectification_due",
        "rectification_bulletin",
        "rectification_plan",
        "rectification_organisation",
        "rectification_policies",
        "rectification_ledger_xlsx",
    ):
        for role in ("school", "school2", "town", "stone_town", "duxue"):
            user = parties_site["users"][role]
            assert _status(client, user, reverse(name, args=[county, year])) == 404, (role, name)


def test_who_reports_progress(client, parties_site, evidence_dir):
    users = parties_site["users"]

    def report(role, task):
        client.force_login(users[role])
        before = ProgressUpdate.objects.filter(task=task).count()
        response = client.post(
            reverse("rectification_progress", args=[task.pk]), {"text": f"{role} 报告"}
        )
        added = ProgressUpdate.objects.filter(task=task).count() - before
        return response.status_code, added

    own, bureau, town = (parties_site[k] for k in ("own_task", "bureau_task", "town_task"))
    assert report("school", own) == (302, 2)  # the report and the step 未开始 → 进行中
    assert report("school", town) == (302, 2)  # responsible for the township's task
    assert report("town", town) == (302, 1)
    for role in ("school", "town", "duxue", "school2", "leader"):
        assert report(role, bureau) == (404, 0), role
    for role in ("town", "duxue", "school2", "stone_town", "leader"):
        assert report(role, own) == (404, 0), role
    assert report("stone_town", town) == (404, 0)


def test_schools_and_townships_never_approve(client, parties_site):
    users = parties_site["users"]
    own = parties_site["own_task"]
    client.force_login(users["school"])
    client.post(reverse("rectification_step", args=[own.pk]), {"target": "进行中"})
    response = client.post(reverse("rectification_step", args=[own.pk]), {"target": "待验收"})
    assert response.status_code == 302
    assert Task.objects.get(pk=own.pk).status == "待验收"
    page = client.get(reverse("rectification_task", args=[own.pk])).content.decode()
    assert "验收销号" not in page and "修改任务" not in page
    for role in ("school", "town", "duxue"):
        client.force_login(users[role])
        for target in ("已销号", "进行中"):
            url = reverse("rectification_step", args=[own.pk])
            assert client.post(url, {"target": target, "comment": "x"}).status_code == 404
        assert client.get(reverse("rectification_approve", args=[own.pk])).status_code == 404
        assert client.get(reverse("rectification_task_edit", args=[own.pk])).status_code == 404
        url = reverse("rectification_problem_close", args=[parties_site["school_problem"].pk])
        assert client.post(url).status_code == 404
    assert Task.objects.get(pk=own.pk).status == "待验收"


def test_a_school_reports_progress_with_evidence(client, parties_site, evidence_dir, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 6, 20))
    users, own = parties_site["users"], parties_site["own_task"]
    client.force_login(users["school"])
    page = client.get(reverse("rectification_task", args=[own.pk])).content.decode()
    assert "提交进展" in page and "一校一案" in page
    # the county's tabs (organisation, bulletin) are not offered to a school
    assert "组织机构" not in page and "整改通报" not in page
    response = client.post(
        reverse("rectification_progress", args=[own.pk]),
        {"text": "已与教育局商定分流方案", "files": [SimpleUploadedFile("分流方案.png", PNG)]},
        follow=True,
    )
    assert "已记录进展" in response.content.decode()
    stored = Evidence.objects.get(name="分流方案.png")
    assert (stored.kind, stored.size, stored.uploaded_by) == ("png", len(PNG), users["school"])
    assert Task.objects.get(pk=own.pk).status == "进行中"
    plan = client.get(
        reverse("rectification_school", args=[parties_site["school"].school_id, "2026"])
    ).content.decode()
    assert "已与教育局商定分流方案" in plan and "本单位办理" in plan
    download = reverse("rectification_evidence", args=[stored.pk])
    assert client.get(download).status_code == 200
    for role, code in (("town", 200), ("duxue", 200), ("school2", 404), ("stone_town", 404)):
        client.force_login(users[role])
        assert client.get(download).status_code == code, role


def test_the_school_plan_page(client, parties_site, monkeypatch):
    school = parties_site["school"]
    url = reverse("rectification_school", args=[school.school_id, "2026"])
    client.force_login(parties_site["users"]["school"])
    # the own task's deadline is 2026-06-30: on time that day, 逾期 the day after
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 6, 30))
    page = client.get(url).content.decode()
    assert '<span class="badge fail">逾期</span>' not in page and "逾期 0 项" in page
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 7, 1))
    page = client.get(url).content.decode()
    assert '<span class="badge fail">逾期</span>' in page
    # the gap of the latest evaluation: G4, 2,260 pupils against 2,000
    assert "义务教育阶段在校生数超出 260 人" in page
    # three tasks: its own, the bureau's on its problem, the township's where it is responsible
    assert "整改任务（3 项，" in page and "逾期 1 项" in page
    assert "分流新生，控制学校规模" in page and "新建城关第七小学" in page
    assert "编制城关镇学校布局调整方案" in page
    # nothing of another school
    assert "青龙镇" not in page and "城关第二小学" not in page
    assert "统计日期：2026-07-01" in page


def test_the_township_page(client, parties_site, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 7, 1))
    client.force_login(parties_site["users"]["town"])
    url = reverse("rectification_township", args=[parties_site["county"].pk, "2026", "城关镇"])
    page = client.get(url).content.decode()
    # the twelve schools of 城关镇, one of them with a gap; the tasks counted once
    assert page.count('data-label="学校"') == 12
    assert "城关镇共有学校 12 所，其中 1 所有未达标指标（共 1 项）；整改任务 3 项" in page
    assert "城关镇承担的整改任务（1 项）" in page
    assert "编制城关镇学校布局调整方案" in page and "青龙镇" not in page
    # the township's own task is marked as its unit's, in its list and again under 城关第一小学
    # (responsible for it); the county's approver sees no such mark
    assert page.count("本单位办理") == 2
    client.force_login(parties_site["users"]["admin"])
    assert "本单位办理" not in client.get(url).content.decode()


def test_home_and_start_lead_each_to_their_own_page(client, parties_site):
    users, county = parties_site["users"], parties_site["county"]
    town_page = reverse("rectification_township", args=[county.pk, "2026", "城关镇"])
    client.force_login(users["town"])
    assert client.get(reverse("home")).url == town_page
    assert client.get(reverse("rectification_start")).url == town_page
    client.force_login(users["duxue"])
    assert client.get(reverse("home")).url == reverse("rectification_schools")
    assert client.get(reverse("rectification_start")).url == reverse("rectification_schools")


@pytest.mark.parametrize(
    ("role", "label"),
    [("school", "一校一案"), ("town", "一镇一册"), ("duxue", "责任学校")],
)
def test_navigation_has_each_roles_entry(client, parties_site, role, label):
    client.force_login(parties_site["users"][role])
    url = reverse("rectification_task", args=[parties_site["town_task"].pk])
    nav = client.get(url).context["nav"]
    labels = [link.label for link in nav.links]
    assert label in labels and "整改台账" not in labels
    assert next(link for link in nav.links if link.label == label).active


def test_the_county_keeps_its_own_entry(client, parties_site):
    client.force_login(parties_site["users"]["admin"])
    nav = client.get(reverse("rectification_start"), follow=True).context["nav"]
    labels = [link.label for link in nav.links]
    assert "整改台账" in labels
    assert not {"一校一案", "一镇一册", "责任学校"} & set(labels)
