"""A small county made by hand for the public page: two schools in two townships, a snapshot
whose verdict and segments are written out here, four problems with known parts, sources and
statuses, a plan with two phases, an organisation with people, tasks with 责任人 and 包保领导,
users with names — every name and phone distinctive, so a scan of the page finds any leak."""

from __future__ import annotations

import datetime as dt

import pytest

from junheng.web.accounts.models import Role
from junheng.web.evaluation.models import Snapshot
from junheng.web.public.models import PublicPage
from junheng.web.rectification.models import (
    Milestone,
    Person,
    Phase,
    PhaseKind,
    Plan,
    Problem,
    ProblemSource,
    ProblemStatus,
    Task,
    Unit,
    UnitKind,
)
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from tests.web.sites import add_user

NAMES = ("欧阳明珠", "司马光辉", "诸葛县长", "上官婉清", "慕容秋实", "端木春雨", "公孙晓岚")
"""Person.name ×2, Task.person, Task.leader, users' names (first name, last+first, full)."""
PHONES = ("13912345678", "0731-88886666", "18800001111")


@pytest.fixture
def site(db, django_user_model):
    return make_site(django_user_model)


def make_site(django_user_model):
    """The county, its data and users (see the module's docstring); a dict of what tests use."""
    province = Province.objects.create(name="示例省")
    city = City.objects.create(province=province, name="示例市")
    county = County.objects.create(city=city, name="清河县", code="431100")
    other = County.objects.create(city=city, name="邻水县", code="431200")
    year = SchoolYear.objects.create(label="2026")
    first = School.objects.create(
        school_id="4311000001", name="清河一小", county=county, kind="小学", township="城关镇"
    )
    second = School.objects.create(
        school_id="4311000002", name="石桥中学", county=county, kind="初级中学", township="石桥镇"
    )
    School.objects.create(school_id="4312000001", name="邻水一小", county=other, kind="小学")
    # The verdict and segments written out: 资源配置 fails at 石桥中学, 社会认可度 undecided.
    Snapshot.objects.create(
        county=county,
        year=year,
        standard_id="national-2017",
        standard_version="2017",
        policies={},
        data_fingerprint="f" * 64,
        result={
            "segments": [
                {
                    "school_id": first.school_id,
                    "name": "清河一小",
                    "level": "primary",
                    "in_scope": True,
                    "passes": True,
                    "reasons": [],
                },
                {
                    "school_id": second.school_id,
                    "name": "石桥中学",
                    "level": "junior",
                    "in_scope": True,
                    "passes": False,
                    "reasons": ["R1 不足"],
                },
                {
                    "school_id": "4311000009",
                    "name": "停办小学",
                    "level": "primary",
                    "in_scope": False,
                    "passes": None,
                    "reasons": ["不纳入评估：停办"],
                },
            ]
        },
        summary={
            "verdict": False,
            "parts": {"R": False, "G": True, "Q": True, "S": None, "veto": True},
            "segments_total": 2,
            "segments_failing": 1,
        },
    )
    Snapshot.objects.create(
        county=other,
        year=year,
        standard_id="national-2017",
        standard_version="2017",
        policies={},
        data_fingerprint="e" * 64,
        result={"segments": []},
        summary={"verdict": True, "parts": {"R": True}},
    )
    edu = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    Person.objects.create(unit=edu, name=NAMES[0], post="局长", phone=PHONES[0])
    Person.objects.create(unit=edu, name=NAMES[4], post="股长", phone=PHONES[1])

    def problem(title, category, source, status, school=None, closed=None):
        return Problem.objects.create(
            county=county,
            year=year,
            source=source,
            category=category,
            title=title,
            status=status,
            school_id=school.school_id if school else "",
            school_name=school.name if school else "",
            closed_at=closed,
        )

    closed_at = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 on 2 March in Beijing
    problems = [
        problem(
            "石桥中学生均体育场馆面积不足",
            "资源配置",
            ProblemSource.EVALUATION,
            ProblemStatus.CLOSED,
            second,
            closed_at,
        ),
        problem(
            f"{NAMES[1]}反映石桥中学实验室不足，电话{PHONES[2]}",
            "资源配置",
            ProblemSource.INSPECTION,
            ProblemStatus.OPEN,
            second,
        ),
        problem(
            "教师培训经费未足额安排",
            "政府保障程度",
            ProblemSource.SELF_CHECK,
            ProblemStatus.CLOSED,
            None,
            closed_at,
        ),
        problem(
            "清河一小功能室使用记录不全",
            "",
            ProblemSource.INSPECTION,
            ProblemStatus.PROPOSED,
            first,
        ),
    ]
    Problem.objects.create(
        county=other,
        year=year,
        source=ProblemSource.EVALUATION,
        title="邻水县的问题",
        category="资源配置",
    )
    for p, deadline, status in (
        (problems[1], dt.date(2026, 2, 1), "进行中"),
        (problems[0], dt.date(2026, 2, 20), "已销号"),
    ):
        Task.objects.create(
            problem=p,
            lead_unit=edu,
            person=NAMES[1],
            leader=NAMES[2],
            measures=f"联系{NAMES[0]}（{PHONES[0]}）",
            deadline=deadline,
            status=status,
        )
    plan = Plan.objects.create(county=county, target_year=2027, target_date=dt.date(2027, 10, 15))
    deploy = Phase.objects.create(
        plan=plan,
        kind=PhaseKind.DEPLOY,
        name="动员部署",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 1),
    )
    Phase.objects.create(
        plan=plan,
        kind=PhaseKind.IMPLEMENT,
        name="全面整改",
        start=dt.date(2026, 3, 2),
        end=dt.date(2027, 6, 30),
    )
    Milestone.objects.create(
        phase=deploy, name="印发创建实施方案", day=dt.date(2026, 1, 20), done=True
    )
    Milestone.objects.create(
        phase=deploy,
        name=f"各校报送自查报告（联系人{NAMES[0]} {PHONES[1]}）",
        day=dt.date(2026, 3, 1),
    )
    users = {
        "admin": add_user(django_user_model, "cadmin", Role.COUNTY_ADMIN, county=county),
        "other_admin": add_user(django_user_model, "oadmin", Role.COUNTY_ADMIN, county=other),
        "leader": add_user(django_user_model, "leader", Role.LEADER, county=county),
        "inspector": add_user(django_user_model, "inspector", Role.INSPECTOR),
        "sysadmin": add_user(django_user_model, "sysadmin", Role.SYSTEM_ADMIN),
        "school": add_user(django_user_model, "school", Role.SCHOOL_USER, school=first),
        "township": add_user(
            django_user_model, "township", Role.TOWNSHIP_USER, county=county, township="城关镇"
        ),
        "duxue": add_user(django_user_model, "duxue", Role.SCHOOL_INSPECTOR, county=county),
        "department": add_user(django_user_model, "dept", unit=edu),
        "nobody": add_user(django_user_model, "nobody"),
    }
    users["inspector"].profile.inspected_counties.add(county)
    users["duxue"].profile.supervised_schools.add(first)
    users["admin"].first_name = NAMES[3]
    users["admin"].save()
    users["leader"].first_name, users["leader"].last_name = NAMES[5][2:], NAMES[5][:2]
    users["leader"].save()
    users["department"].first_name = NAMES[6]
    users["department"].save()
    page = PublicPage.objects.create(
        county=county,
        slug="qinghe",
        published=True,
        intro=f"欢迎监督。联系人：{NAMES[0]}，电话 {PHONES[0]}。",
    )
    return {
        "county": county,
        "other": other,
        "year": year,
        "page": page,
        "users": users,
        "problems": problems,
        "unit": edu,
        "schools": (first, second),
        "plan": plan,
    }
