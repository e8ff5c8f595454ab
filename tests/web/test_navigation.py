"""The header's sections: each role gets the links of the pages it may open, the current one
marked; a section whose page does not exist (yet) is left out; and the header costs no query."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from junheng.web.accounts.models import Profile, Role
from junheng.web.navigation import Link, navigation_for
from junheng.web.rectification.models import Unit, UnitKind, UnitMember
from junheng.web.registry.models import City, School
from junheng.web.services import run_evaluation

pytestmark = pytest.mark.django_db

# A site with only the first pages: no comparison, no import, no administration.
urlpatterns = [
    path("", lambda request: HttpResponse(), name="home"),
    path("counties/", lambda request: HttpResponse(), name="counties"),
]


@pytest.fixture
def users(loaded, django_user_model):
    county, _ = loaded
    school = School.objects.filter(county=county).order_by("school_id").first()

    def user(name, role, **scope):
        u = django_user_model.objects.create_user(name, password="pw-均衡-2026")
        Profile.objects.create(user=u, role=role, **scope)
        return u

    made = {
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=county),
        "school": user("school", Role.SCHOOL_USER, school=school),
        "leader": user("leader", Role.LEADER, county=county),
        "inspector": user("inspector", Role.INSPECTOR),
        "superuser": django_user_model.objects.create_superuser("root", "", "pw-均衡-2026"),
        "department": django_user_model.objects.create_user("czj", password="pw-均衡-2026"),
        "nobody": django_user_model.objects.create_user("nobody", password="pw-均衡-2026"),
    }
    made["inspector"].profile.inspected_cities.add(City.objects.get())
    return made


def _nav(user, url="/"):
    request = RequestFactory().get(url)
    request.user = user
    return navigation_for(request)


def test_each_role_gets_the_sections_it_may_open(users):
    county = users["admin"].profile.county
    department = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县财政局")
    UnitMember.objects.create(user=users["department"], unit=department)
    labels = {key: [link.label for link in _nav(u).links] for key, u in users.items()}
    county_wide = ["县区列表", "县域对比"]
    assert labels == {
        "sysadmin": [*county_wide, "数据导入", "整改台账", "督导检查", "认可度调查", "报告与档案"],
        "admin": [*county_wide, "数据导入", "整改台账", "督导检查", "认可度调查", "报告与档案"],
        "school": ["本校数据", "数据导入", "一校一案"],
        "leader": [*county_wide, "整改台账", "督导检查", "认可度调查", "报告与档案"],
        "inspector": [*county_wide, "整改台账", "督导检查", "认可度调查", "报告与档案"],
        "superuser": [
            *county_wide,
            "数据导入",
            "整改台账",
            "督导检查",
            "认可度调查",
            "报告与档案",
            "系统管理",
        ],
        "department": ["整改台账"],
        "nobody": [],
    }
    roles = {key: _nav(u).role for key, u in users.items()}
    assert roles["leader"] == "县级领导" and roles["superuser"] == "系统管理员"
    assert roles["nobody"] is None
    assert _nav(AnonymousUser()).links == []


def test_the_current_section_is_the_longest_matching_path(users):
    admin = users["superuser"]
    assert [link.label for link in _nav(admin, "/counties/3/2026/").links if link.active] == [
        "县区列表"
    ]
    assert [link.label for link in _nav(admin, "/compare/2026/").links if link.active] == [
        "县域对比"
    ]
    assert [link.label for link in _nav(admin, "/admin/auth/").links if link.active] == ["系统管理"]
    # A county's import page lives under /counties/ but belongs to the imports.
    on_import = _nav(admin, "/counties/3/2026/import/").links
    assert [link.label for link in on_import if link.active] == ["数据导入"]
    assert not any(link.active for link in _nav(admin, "/login/").links)
    school = _nav(users["school"], "/schools/2152020001/2026/").links
    assert school[0] == Link("本校数据", reverse("home"), True)


@override_settings(ROOT_URLCONF=__name__)
def test_sections_without_a_page_are_left_out(users):
    assert _nav(users["superuser"]).links == [Link("县区列表", "/counties/")]
    assert [link.label for link in _nav(users["school"]).links] == ["本校数据"]


def _without_navigation():
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].remove("junheng.web.navigation.navigation")
    return override_settings(TEMPLATES=templates)


@pytest.mark.parametrize("who", ["admin", "leader", "inspector", "school"])
def test_the_header_costs_no_query(client, users, loaded, who):
    county, year = loaded
    run_evaluation(county, year, None)
    school = users["school"].profile.school
    url = (
        reverse("school", args=[school.school_id, year.label])
        if who == "school"
        else reverse("county", args=[county.pk, year.label])
    )
    client.force_login(users[who])
    client.get(url)  # the first request warms caches (content types, standards)
    with CaptureQueriesContext(connection) as with_nav:
        page = client.get(url)
    assert page.status_code == 200
    assert 'class="site-nav"' in page.content.decode()
    with _without_navigation(), CaptureQueriesContext(connection) as without_nav:
        page = client.get(url)
    assert 'class="site-nav"' not in page.content.decode()
    assert len(with_nav) == len(without_nav)
