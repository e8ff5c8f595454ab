"""回头看: a visit of that kind lists the school's closed problems (and only those); each is
re-checked once as 巩固 or 反弹, and a rebound opens one new problem linked to the old one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.inspections import kinds
from junheng.web.inspections.models import Recheck, Visit
from junheng.web.rectification.models import Problem, ProblemSource, ProblemStatus
from tests.web.sites import PASSWORD


def _problem(site, title, school="one", status=ProblemStatus.CLOSED):
    school = site["schools"][school]
    return Problem.objects.create(
        county=school.county,
        year=site["year"],
        source=ProblemSource.SELF_CHECK,
        title=title,
        item="G5",
        school_id=school.school_id,
        school_name=school.name,
        status=status,
        # 2026-11-30 16:30 UTC is 12-01 00:30 in Beijing: the page says 12-01
        closed_at=dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)
        if status == ProblemStatus.CLOSED
        else None,
    )


@pytest.fixture
def hand(site):
    """At 一小: two closed problems and one still open; at 二小 one closed problem."""
    return {
        "classes": _problem(site, "四年级大班额"),
        "music": _problem(site, "缺音乐专用教室"),
        "open": _problem(site, "操场未硬化", status=ProblemStatus.OPEN),
        "elsewhere": _problem(site, "二小图书不足", school="two"),
    }


@pytest.fixture
def revisit(site):
    return Visit.objects.create(
        inspector=site["users"]["duxue"],
        school=site["schools"]["one"],
        planned_on=dt.date(2026, 12, 7),
        visited_on=dt.date(2026, 12, 7),
        status=kinds.DONE,
        kind=kinds.REVISIT,
    )


def _login(client, site, role="duxue"):
    assert client.login(username=site["users"][role].username, password=PASSWORD)


def test_a_revisit_lists_the_schools_closed_problems(client, site, hand, revisit):
    _login(client, site)
    page = client.get(reverse("inspections_visit", args=[revisit.pk])).content.decode()
    assert "回头看：本校已销号问题" in page
    assert "四年级大班额" in page and "缺音乐专用教室" in page
    assert "操场未硬化" not in page and "二小图书不足" not in page
    assert "2026-12-01 销号" in page


def test_held_and_rebound_each_once(client, site, hand, revisit):
    _login(client, site)
    held = reverse("inspections_recheck", args=[revisit.pk, hand["music"].pk])
    client.post(held, {f"p{hand['music'].pk}-result": "held"})
    rebound = reverse("inspections_recheck", args=[revisit.pk, hand["classes"].pk])
    data = {
        f"p{hand['classes'].pk}-result": "rebound",
        f"p{hand['classes'].pk}-note": "四(1)班 58 人",
    }
    client.post(rebound, data)
    again = client.post(rebound, data, follow=True)
    assert "“四年级大班额”本次已复查（反弹）" in again.content.decode()

    assert Recheck.objects.count() == 2
    assert Recheck.objects.get(problem=hand["music"]).new_problem is None
    new = Recheck.objects.get(problem=hand["classes"]).new_problem
    # 4 problems by hand + 1 rebound, whatever was clicked twice
    assert Problem.objects.count() == 5
    assert new.title == "整改反弹：四年级大班额"
    assert new.source == ProblemSource.INSPECTION and new.status == ProblemStatus.OPEN
    assert (
        new.description
        == "四(1)班 58 人\n（2026-12-07 回头看复查发现反弹，原问题已于 2026-12-01 销号）"
    )
    assert (new.school_id, new.item) == ("3100000001", "G5")
    hand["classes"].refresh_from_db()
    assert hand["classes"].status == ProblemStatus.CLOSED

    page = client.get(reverse("inspections_visit", args=[revisit.pk])).content.decode()
    assert '<span class="badge ok">巩固</span>' in page
    assert '<span class="badge fail">反弹</span> 四(1)班 58 人' in page
    _login(client, site, "admin")
    problem_page = client.get(reverse("rectification_problem", args=[new.pk])).content.decode()
    assert "复查反弹，原问题：四年级大班额" in problem_page


def test_another_schools_or_an_open_problem_is_refused(client, site, hand, revisit):
    _login(client, site)
    for problem in (hand["elsewhere"], hand["open"]):
        url = reverse("inspections_recheck", args=[revisit.pk, problem.pk])
        response = client.post(url, {f"p{problem.pk}-result": "rebound"}, follow=True)
        assert "该问题不是本校已销号的问题，不能在此复查" in response.content.decode()
    assert not Recheck.objects.exists() and Problem.objects.count() == 4


def test_a_routine_visit_does_not_recheck(client, site, hand, revisit):
    revisit.kind = kinds.ROUTINE
    revisit.save()
    _login(client, site)
    page = client.get(reverse("inspections_visit", args=[revisit.pk])).content.decode()
    assert "回头看：本校已销号问题" not in page
    url = reverse("inspections_recheck", args=[revisit.pk, hand["music"].pk])
    response = client.post(url, {f"p{hand['music'].pk}-result": "held"}, follow=True)
    assert "只有“回头看”督导才复查已销号问题" in response.content.decode()


def test_readers_see_rechecks_but_cannot_post(client, site, hand, revisit):
    _login(client, site, "leader")
    page = client.get(reverse("inspections_visit", args=[revisit.pk])).content.decode()
    assert "尚未复查" in page and "保存复查结果" not in page
    url = reverse("inspections_recheck", args=[revisit.pk, hand["music"].pk])
    assert client.post(url, {f"p{hand['music'].pk}-result": "held"}).status_code == 404
