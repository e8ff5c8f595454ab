"""Who sees what of the roster: county and system admins manage, leaders and inspectors read the
counts only (no names), a school user reads their own school's teachers, everyone else 404;
the export with full ID numbers is the county's own administrator's alone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.web.registry.models import School
from junheng.web.roster import services
from junheng.web.roster.models import FullExport

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(loaded, roster_file, make_teacher):
    county, year = loaded
    first, second = School.objects.filter(county=county).order_by("school_id")[:2]
    path = roster_file(
        [
            make_teacher(first.school_id, "T1", name="甲老师"),
            make_teacher(second.school_id, "T2", name="乙老师", id_number="152201198106061238"),
        ]
    )
    assert services.import_roster(county, year, path, None, path.name).record is not None
    return county, year, first, second


def _get(client, user, name, county, year, query=""):
    client.force_login(user)
    return client.get(reverse(name, args=[county.pk, year.label]) + query)


@pytest.mark.parametrize("role", ["admin", "sysadmin"])
def test_admins_see_the_list_and_the_upload(client, users, stored, role):
    county, year, *_ = stored
    text = _get(client, users[role], "roster:page", county, year).content.decode()
    assert "导入教师名册" in text and "甲老师" in text and "乙老师" in text
    assert "152201********1234" in text
    # the full export is the county's own administrator's, not the server's
    link = reverse("roster:full_export", args=[county.pk, year.label])
    assert (link in text) == (role == "admin")


@pytest.mark.parametrize("role", ["leader", "inspector"])
def test_leaders_and_inspectors_see_counts_and_no_person(client, users, stored, role):
    county, year, *_ = stored
    response = _get(client, users[role], "roster:page", county, year)
    text = response.content.decode()
    assert response.status_code == 200
    assert "人数汇总" in text and "不显示教师个人信息" in text
    assert "甲老师" not in text and "152201" not in text and "导入教师名册" not in text
    assert _get(client, users[role], "roster:reconcile", county, year).status_code == 200
    for name in ("roster:template", "roster:full_export"):
        assert _get(client, users[role], name, county, year).status_code == 404
    assert client.post(reverse("roster:page", args=[county.pk, year.label])).status_code == 404


def test_a_school_user_reads_their_own_school_only(client, users, stored):
    county, year, first, second = stored
    assert users["school"].profile.school == first
    response = _get(client, users["school"], "roster:page", county, year)
    text = response.content.decode()
    assert response.status_code == 200
    assert "甲老师" in text and "乙老师" not in text and second.name not in text
    assert "导入教师名册" not in text
    for name in ("roster:reconcile", "roster:template", "roster:full_export"):
        assert _get(client, users["school"], name, county, year).status_code == 404
    assert client.post(reverse("roster:page", args=[county.pk, year.label])).status_code == 404


@pytest.mark.parametrize("role", ["department", "nobody", "other_admin", "far_inspector"])
def test_everyone_else_gets_404(client, users, stored, role):
    county, year, *_ = stored
    for name in ("roster:page", "roster:reconcile", "roster:template", "roster:full_export"):
        assert _get(client, users[role], name, county, year).status_code == 404


def test_the_full_export_needs_a_confirmation_and_is_recorded(client, users, stored, caplog):
    county, year, *_ = stored
    url = reverse("roster:full_export", args=[county.pk, year.label])
    assert _get(client, users["sysadmin"], "roster:full_export", county, year).status_code == 404
    client.force_login(users["admin"])
    assert client.get(url).status_code == 200
    refused = client.post(url, {})
    assert refused.status_code == 400 and "请先勾选确认" in refused.content.decode()
    assert not FullExport.objects.exists()
    with caplog.at_level("INFO", logger="junheng.roster"):
        response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    record = FullExport.objects.get()
    assert (record.user, record.teachers) == (users["admin"], 2)
    assert "教师名册完整导出" in caplog.text and "152201" not in caplog.text
    assert "cadmin" in client.get(url).content.decode()


def test_the_search_finds_names_not_id_numbers(client, users, stored):
    county, year, *_ = stored
    found = _get(client, users["admin"], "roster:page", county, year, "?q=乙").content.decode()
    assert "乙老师" in found and "甲老师" not in found
    by_id = _get(client, users["admin"], "roster:page", county, year, "?q=198106061238")
    assert "乙老师" not in by_id.content.decode()
    assert "共 0 人" in by_id.content.decode()
