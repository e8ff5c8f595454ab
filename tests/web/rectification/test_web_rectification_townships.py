"""The 乡镇 filter of the problem list, the due list and the bulletin on a hand-made county, and
the 逾期 of a school's plan on both sides of midnight in Beijing.

The county 测试县 (school year 2026):

    school         township  problems (task deadline)
    甲镇一小        甲镇      操场不足 (2026-07-10), 教师不足 (no task)
    甲镇中学        甲镇      实验室不足 (2026-06-20)
    乙乡小学        乙乡      图书不足 (2026-07-05)
    无乡镇学校      —         围墙破损 (2026-08-30)
    (no school)    —         经费未落实 (2026-06-25), 布局规划未印发 (no task)

So on 2026-07-01: 甲镇 3 problems, 乙乡 1, 县级 3 (the school without a township and the two
county problems); 14 days ahead (to 07-15) 甲镇 has 07-10 due and 06-20 overdue, 乙乡 07-05
due, 县级 06-25 overdue (08-30 is beyond).
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from junheng.web.accounts.models import Role
from junheng.web.rectification import services
from junheng.web.rectification.models import Problem, Unit, UnitKind
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from tests.reports.docx_reading import all_text
from tests.web.sites import add_user

pytestmark = pytest.mark.django_db

SCHOOLS = [
    ("9000000001", "甲镇一小", "甲镇"),
    ("9000000002", "甲镇中学", "甲镇"),
    ("9000000003", "乙乡小学", "乙乡"),
    ("9000000004", "无乡镇学校", ""),
]
PROBLEMS = [
    ("甲镇一小操场不足", "9000000001", dt.date(2026, 7, 10)),
    ("甲镇一小教师不足", "9000000001", None),
    ("甲镇中学实验室不足", "9000000002", dt.date(2026, 6, 20)),
    ("乙乡小学图书不足", "9000000003", dt.date(2026, 7, 5)),
    ("无乡镇学校围墙破损", "9000000004", dt.date(2026, 8, 30)),
    ("县级经费未落实", "", dt.date(2026, 6, 25)),
    ("县级布局规划未印发", "", None),
]


@pytest.fixture
def towns(django_user_model, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 7, 1))
    city = City.objects.create(province=Province.objects.create(name="测试省"), name="测试市")
    county = County.objects.create(city=city, name="测试县")
    year = SchoolYear.objects.get_or_create(label="2026")[0]
    names = {}
    for school_id, name, township in SCHOOLS:
        School.objects.create(
            school_id=school_id, name=name, county=county, kind="primary", township=township
        )
        names[school_id] = name
    admin = add_user(django_user_model, "tadmin", Role.COUNTY_ADMIN, county=county)
    edu = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    for title, school_id, deadline in PROBLEMS:
        problem = services.add_problem(
            county,
            year,
            source="self_check",
            title=title,
            description="",
            found_on=dt.date(2026, 3, 1),
            found_by="",
            item="",
            school_id=school_id,
            school_name=names.get(school_id, ""),
            user=admin,
        )
        if deadline is not None:
            services.save_task(
                problem,
                services.TaskFields(
                    lead_unit=edu,
                    responsible_units=[],
                    person="",
                    leader="",
                    measures=f"整改：{title}",
                    deadline=deadline,
                    budget_wan=None,
                ),
                admin,
            )
    return {"county": county, "year": year, "admin": admin}


def _get(client, towns, name, query=""):
    client.force_login(towns["admin"])
    url = reverse(name, args=[towns["county"].pk, "2026"]) + query
    return client.get(url).content.decode()


@pytest.mark.parametrize(
    ("township", "titles"),
    [
        ("", [p[0] for p in PROBLEMS]),
        ("甲镇", ["甲镇一小操场不足", "甲镇一小教师不足", "甲镇中学实验室不足"]),
        ("乙乡", ["乙乡小学图书不足"]),
        ("县级", ["无乡镇学校围墙破损", "县级经费未落实", "县级布局规划未印发"]),
    ],
)
def test_problem_list_by_township(client, towns, township, titles):
    page = _get(client, towns, "rectification", f"?township={township}")
    assert page.count('data-label="问题"') == len(titles)
    for title, _, _ in PROBLEMS:
        assert (title in page) == (title in titles), title
    # the status filters keep the township; the counts are within it
    if township:
        assert f"township={quote(township)}" in page
        assert f'全部 <span class="count">{len(titles)}</span>' in page


def test_problem_list_offers_the_townships_then_the_county_level(client, towns):
    page = _get(client, towns, "rectification")
    assert (
        '<option value="">全部乡镇</option><option>乙乡</option><option>甲镇</option>'
        "<option>县级</option>" in page
    )
    # a township's list links its 一镇一册; 县级 has none
    town_book = reverse("rectification_township", args=[towns["county"].pk, "2026", "甲镇"])
    assert town_book in _get(client, towns, "rectification", "?township=甲镇")
    assert "一镇一册" not in _get(client, towns, "rectification", "?township=县级")
    # an unknown township is no filter
    assert _get(client, towns, "rectification", "?township=无此镇").count('data-label="问题"') == 7


@pytest.mark.parametrize(
    ("township", "due", "overdue"),
    [
        ("", ["甲镇一小操场不足", "乙乡小学图书不足"], ["甲镇中学实验室不足", "县级经费未落实"]),
        ("甲镇", ["甲镇一小操场不足"], ["甲镇中学实验室不足"]),
        ("乙乡", ["乙乡小学图书不足"], []),
        ("县级", [], ["县级经费未落实"]),
    ],
)
def test_due_list_by_township(client, towns, township, due, overdue):
    page = _get(client, towns, "rectification_due", f"?days=14&township={township}")
    assert f"14 天内到期（{len(due)} 项）" in page and f"已逾期（{len(overdue)} 项）" in page
    for title in [*due, *overdue]:
        assert title in page
    if township:
        # the day links keep the township
        assert f"?days=7&amp;township={quote(township)}" in page


@pytest.mark.parametrize(
    ("township", "sentence"),
    [
        ("", "截至2026年07月01日，全县整改任务 5 项，已销号 0 项（0.0%），逾期 2 项"),
        ("甲镇", "截至2026年07月01日，甲镇整改任务 2 项，已销号 0 项（0.0%），逾期 1 项"),
        ("乙乡", "截至2026年07月01日，乙乡整改任务 1 项，已销号 0 项（0.0%），逾期 0 项"),
        ("县级", "截至2026年07月01日，县级整改任务 2 项，已销号 0 项（0.0%），逾期 1 项"),
    ],
)
def test_bulletin_by_township(client, towns, township, sentence):
    page = _get(client, towns, "rectification_bulletin", f"?township={township}")
    assert sentence in page
    if township:
        assert f"整改工作周通报（{township}）" in page
    docx = _get_bytes(client, towns, f"?township={township}")
    assert sentence in all_text(Document(BytesIO(docx)))


def _get_bytes(client, towns, query):
    url = reverse("rectification_bulletin_docx", args=[towns["county"].pk, "2026"]) + query
    response = client.get(url)
    assert response.status_code == 200
    return response.content


def test_problems_closed_this_week_by_township(client, towns, monkeypatch):
    # Wednesday 2026-07-01 in Beijing at 00:30 is still 06-30 in UTC; the week began Monday 06-29
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 6, 30, 16, 30, tzinfo=dt.UTC))
    admin = towns["admin"]
    services.close_problem(Problem.objects.get(title="甲镇一小教师不足"), admin)
    services.close_problem(Problem.objects.get(title="县级布局规划未印发"), admin)
    jia = _get(client, towns, "rectification_bulletin", "?township=甲镇")
    county = _get(client, towns, "rectification_bulletin", "?township=县级")
    yi = _get(client, towns, "rectification_bulletin", "?township=乙乡")
    assert "本期销号问题 1 个" in jia and "甲镇一小教师不足" in jia
    assert "县级布局规划未印发" not in jia
    assert "本期销号问题 1 个" in county and "县级布局规划未印发" in county
    assert "本期销号问题 0 个" in yi


@pytest.mark.parametrize(
    ("instant", "overdue"),
    [
        # 23:59 on 06-30 in Beijing: the deadline day itself, on time
        (dt.datetime(2026, 6, 30, 15, 59, tzinfo=dt.UTC), False),
        # 00:00 on 07-01 in Beijing, still 06-30 in UTC: overdue
        (dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC), True),
        # 08:30 on 07-01 in Beijing, 07-01 in UTC too
        (dt.datetime(2026, 7, 1, 0, 30, tzinfo=dt.UTC), True),
    ],
)
def test_school_plan_overdue_by_beijing_date(client, parties_site, monkeypatch, instant, overdue):
    monkeypatch.setattr(timezone, "now", lambda: instant)
    client.force_login(parties_site["users"]["school"])
    url = reverse("rectification_school", args=[parties_site["school"].school_id, "2026"])
    page = client.get(url).content.decode()
    assert ('<span class="badge fail">逾期</span>' in page) == overdue
    day = (
        "2026-07-01" if instant >= dt.datetime(2026, 6, 30, 16, 0, tzinfo=dt.UTC) else "2026-06-30"
    )
    assert f"统计日期：{day}" in page
