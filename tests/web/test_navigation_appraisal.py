"""The header on the 考核与会议 pages: they belong to the ledger's work, so 整改台账 is marked on
each of them (some live under /counties/, which would otherwise mark 县区列表)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from junheng.web.accounts.models import Role
from junheng.web.navigation import navigation_for
from junheng.web.rectification.models import Unit, UnitKind
from tests.web.sites import add_user

pytestmark = pytest.mark.django_db

APPRAISAL_PAGES = (
    "/counties/3/2026/appraisal/",
    "/appraisal/counties/3/decisions/",
    "/appraisal/counties/3/decisions/?year=2026",
    "/appraisal/decisions/5/edit/",
    "/counties/3/2026/meetings/",
    "/meetings/7/",
    "/meetings/7/edit/",
    "/meetings/decisions/8/task/",
)


def _current(user, path: str) -> list[str]:
    request = RequestFactory().get(path)
    request.user = user
    return [link.label for link in navigation_for(request).links if link.active]


@pytest.fixture
def readers(loaded, django_user_model):
    county, _ = loaded
    unit = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    return {
        "admin": add_user(django_user_model, "cadmin", Role.COUNTY_ADMIN, county=county),
        "leader": add_user(django_user_model, "leader", Role.LEADER, county=county),
        "sysadmin": add_user(django_user_model, "sysadmin", Role.SYSTEM_ADMIN),
        "department": add_user(django_user_model, "dept", unit=unit),
    }


@pytest.mark.parametrize("who", ["admin", "leader", "sysadmin", "department"])
@pytest.mark.parametrize("path", APPRAISAL_PAGES)
def test_every_appraisal_page_marks_the_ledger(readers, who, path):
    assert _current(readers[who], path) == ["整改台账"]


@pytest.mark.parametrize(
    ("path", "section"),
    [
        # the pages beside them keep their own sections
        ("/counties/3/2026/", "县区列表"),
        ("/counties/3/2026/indicators/R1/primary/", "县区列表"),
        ("/counties/3/2026/rectification/", "整改台账"),
        ("/counties/3/2026/import/", "数据导入"),
        ("/counties/3/2026/reports/", "报告与档案"),
    ],
)
def test_the_neighbouring_pages_keep_their_sections(readers, path, section):
    assert _current(readers["admin"], path) == [section]
