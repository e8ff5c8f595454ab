"""`junheng_demo`: a ready system on the first run (three school years evaluated, one account per
role), nothing changed on the next."""

from __future__ import annotations

import io
from dataclasses import replace

import polars as pl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from junheng.demo import demo_county_before
from junheng.web.accounts.models import Role
from junheng.web.accounts.scope import (
    can_edit_school,
    can_evaluate_county,
    can_view_school,
    visible_counties,
    visible_schools,
)
from junheng.web.collection.models import ChangeLog, SchoolYearData, SegmentData, Status
from junheng.web.evaluation.models import Snapshot
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_ACCOUNTS,
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_SCHOOL,
    DemoLogin,
    login_lines,
    new_password,
)
from junheng.web.registry.models import City, County, School, SchoolYear
from junheng.web.services import load_dataset

pytestmark = pytest.mark.django_db(transaction=True)

USERNAMES = ("admin", "county_admin", "school", "leader", "inspector", "township", "duxue")


def _run() -> str:
    out = io.StringIO()
    call_command("junheng_demo", stdout=out)
    return out.getvalue()


def _passwords(output: str) -> dict[str, str]:
    """Username → password from the printed table of demo logins."""
    found = {}
    for line in output.splitlines():
        cells = line.split()
        if cells and cells[0] in USERNAMES:
            found[cells[0]] = cells[1]
    return found


@pytest.fixture
def no_password_env(monkeypatch):
    monkeypatch.delenv("JUNHENG_ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("JUNHENG_DEMO_PASSWORD", raising=False)


def test_first_run_loads_three_years_and_evaluates_each(demo, no_password_env):
    output = _run()
    for year in ("2024", "2025", "2026"):
        assert f"已载入 示范省示范市示范县 {year} 年数据：学校 60 所，学段 65 个。" in output
        assert f"已完成评估：示范县 {year} 年，结论：未达标。" in output
    county = County.objects.get()
    assert SchoolYear.objects.filter(label__in=["2024", "2025", "2026"]).count() == 3
    assert SchoolYearData.objects.count() == 3 * demo.schools.height
    snapshots = {s.year.label: s for s in Snapshot.objects.filter(county=county)}
    assert sorted(snapshots) == ["2024", "2025", "2026"]
    # The county catches up: fewer segments fail Part R each year (19 → 8 → 5, the numbers of
    # tests/test_demo_history.py), so the dashboard has a trend to show.
    failing = {
        label: sum(1 for s in snap.result["segments"] if s["in_scope"] and s["passes"] is False)
        for label, snap in snapshots.items()
    }
    assert failing == {"2024": 19, "2025": 8, "2026": 5}
    admin = get_user_model().objects.get(username="admin")
    assert all(s.created_by == admin for s in snapshots.values())


def test_demo_command_is_idempotent(demo, no_password_env):
    first = _run()
    passwords = _passwords(first)
    assert sorted(passwords) == sorted(USERNAMES)
    assert len(set(passwords.values())) == 7
    assert "以上密码只显示这一次" in first
    users = get_user_model().objects
    for username, password in passwords.items():
        assert users.get(username=username).check_password(password), username

    second = _run()
    assert second.count("数据已存在，保留现有数据") == 3
    assert second.count("未重新评估") == 3
    for password in passwords.values():
        assert password not in second
    assert second.count("（首次运行时已显示）") == 7
    assert "JUNHENG_DEMO_PASSWORD=新密码 ./run demo" in second
    for username, password in passwords.items():
        assert users.get(username=username).check_password(password), username
    assert County.objects.count() == 1
    assert School.objects.count() == demo.schools.height
    assert SchoolYearData.objects.count() == 3 * demo.schools.height
    assert Snapshot.objects.count() == 3
    assert users.count() == 7
    assert ChangeLog.objects.count() == 0


def test_an_edited_year_is_kept_and_evaluated_again(no_password_env):
    _run()
    school = School.objects.get(name=DEMO_SCHOOL)
    edited = demo_county_before(1)
    edited = replace(
        edited,
        segments=edited.segments.with_columns(
            backbone_teachers=pl.when(pl.col("school_id") == school.school_id)
            .then(0)
            .otherwise(pl.col("backbone_teachers"))
        ),
    )
    # The demo's earlier years are approved: the county unlocks the year to correct it.
    SchoolYearData.objects.filter(year__label="2025").update(status=Status.DRAFT)
    load_dataset(edited, "2025", province=DEMO_PROVINCE, city=DEMO_CITY)
    output = _run()
    assert "示范县 2025 年数据已存在，保留现有数据。" in output
    assert "已完成评估：示范县 2025 年" in output
    assert output.count("未重新评估") == 2
    segment = SegmentData.objects.get(school=school, year__label="2025", level="primary")
    assert segment.backbone_teachers == 0
    assert Snapshot.objects.filter(year__label="2025").count() == 2


def test_each_demo_account_has_its_role_and_scope(no_password_env):
    _run()
    users = get_user_model().objects
    county = County.objects.get(name="示范县")
    own = School.objects.get(name=DEMO_SCHOOL)
    other = School.objects.exclude(pk=own.pk).first()
    roles = {u.username: u.profile.role for u in users.select_related("profile")}
    assert roles == {
        "admin": Role.SYSTEM_ADMIN,
        "county_admin": Role.COUNTY_ADMIN,
        "school": Role.SCHOOL_USER,
        "leader": Role.LEADER,
        "inspector": Role.INSPECTOR,
        "township": Role.TOWNSHIP_USER,
        "duxue": Role.SCHOOL_INSPECTOR,
    }
    admin, cadmin, school, leader, inspector, township, duxue = (
        users.get(username=u) for u in USERNAMES
    )
    assert admin.is_superuser and admin.is_staff
    assert not any(u.is_staff for u in (cadmin, school, leader, inspector))
    assert cadmin.get_full_name() == "示范县教育局"
    # What the printed table promises each of them.
    assert list(visible_counties(cadmin)) == [county]
    assert can_evaluate_county(cadmin, county) and can_edit_school(cadmin, other)
    assert can_view_school(school, own) and not can_view_school(school, other)
    assert list(visible_counties(school)) == []
    assert list(visible_counties(leader)) == [county]
    assert not can_evaluate_county(leader, county) and not can_edit_school(leader, own)
    # The inspector's scope is the city, so a county added to 示范市 later is theirs too.
    assert list(inspector.profile.inspected_cities.all()) == [City.objects.get(name="示范市")]
    assert list(visible_counties(inspector)) == [county]
    assert not can_evaluate_county(inspector, county)
    # 石桥镇 has six schools (demo.py); the township's office and the 责任督学 see those six.
    shiqiao = set(School.objects.filter(township="石桥镇"))
    assert len(shiqiao) == 6 and own in shiqiao
    far = School.objects.exclude(township="石桥镇").first()
    assert set(visible_schools(township)) == shiqiao == set(visible_schools(duxue))
    for user in (township, duxue):
        assert can_view_school(user, own) and not can_view_school(user, far)
        assert list(visible_counties(user)) == []
        assert not can_edit_school(user, own)


def test_passwords_from_the_environment(monkeypatch):
    monkeypatch.setenv("JUNHENG_ADMIN_PASSWORD", "示范-管理-2026")
    monkeypatch.setenv("JUNHENG_DEMO_PASSWORD", "示范-口令-2026")
    output = _run()
    passwords = _passwords(output)
    assert passwords["admin"] == "示范-管理-2026"
    assert {passwords[u] for u in USERNAMES[1:]} == {"示范-口令-2026"}
    users = get_user_model().objects
    assert users.get(username="admin").check_password("示范-管理-2026")
    assert users.get(username="leader").check_password("示范-口令-2026")

    # A forgotten password is reset by running again with the variable set.
    monkeypatch.delenv("JUNHENG_ADMIN_PASSWORD")
    monkeypatch.setenv("JUNHENG_DEMO_PASSWORD", "新的-口令-2027")
    output = _run()
    assert output.count("已按环境变量重设") == 7
    assert set(_passwords(output).values()) == {"新的-口令-2027"}
    assert users.get(username="admin").check_password("新的-口令-2027")
    assert users.get(username="school").check_password("新的-口令-2027")


def test_login_lines_align_chinese_columns():
    lines = login_lines([DemoLogin(DEMO_ACCOUNTS[0], "pw1"), DemoLogin(DEMO_ACCOUNTS[4], None)])
    assert lines[0] == "  用户名     密码                  角色          可以看到"
    assert (
        lines[1] == "  admin      pw1                   系统管理员    全部县区和学校，系统管理后台"
    )
    assert lines[2] == "  inspector  （首次运行时已显示）  督导检查人员  示范市所属各县（只读）"
    assert "JUNHENG_DEMO_PASSWORD" in lines[3]


def test_generated_passwords_avoid_look_alike_characters():
    passwords = {new_password() for _ in range(200)}
    assert len(passwords) == 200
    assert all(len(p) == 12 for p in passwords)
    assert not set("".join(passwords)) & set("0O1lIo")


def test_the_demo_years_stand_where_a_county_would(no_password_env):
    # Earlier years approved; this year 58 of 60 approved, the demo school filling in and
    # 城关第一小学 submitted, so 重新评估 and the review list have something to show.
    _run()
    states = {
        label: sorted(
            SchoolYearData.objects.filter(year__label=label).values_list("status", flat=True)
        )
        for label in ("2024", "2025", "2026")
    }
    schools = len(states["2024"])
    assert states["2024"] == states["2025"] == [Status.APPROVED] * schools
    assert states["2026"].count(Status.APPROVED) == schools - 2
    assert SchoolYearData.objects.get(year__label="2026", school__name=DEMO_SCHOOL).status == (
        Status.DRAFT
    )
    submitted = SchoolYearData.objects.get(year__label="2026", status=Status.SUBMITTED)
    assert submitted.school.name == "城关第一小学"
