"""Pages over HTTP: every view refuses anonymous users and users outside its scope, and shows
the snapshot's numbers to those inside it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.web.accounts.models import Profile, Role
from junheng.web.evaluation.models import Snapshot
from junheng.web.registry.models import City, County, School
from junheng.web.services import run_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(loaded, django_user_model):
    county, year = loaded
    run_evaluation(county, year, None)
    other_county = County.objects.create(city=City.objects.first(), name="邻县")
    schools = list(School.objects.filter(county=county).order_by("school_id")[:2])

    def user(name, role, **scope):
        u = django_user_model.objects.create_user(name, password="pw-均衡-2026")
        if role is not None:
            Profile.objects.create(user=u, role=role, **scope)
        return u

    users = {
        "school": user("school", Role.SCHOOL_USER, school=schools[0]),
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=county),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=other_county),
        "leader": user("leader", Role.LEADER, county=county),
        "inspector": user("inspector", Role.INSPECTOR),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
    }
    users["inspector"].profile.inspected_counties.add(county)
    return {
        "county": county,
        "year": year,
        "own": schools[0],
        "other": schools[1],
        "users": users,
    }


def _urls(site):
    county, year = site["county"], site["year"].label
    return [
        reverse("home"),
        reverse("counties"),
        reverse("county", args=[county.pk, year]),
        reverse("school", args=[site["own"].school_id, year]),
    ]


def test_anonymous_is_sent_to_login_everywhere(client, site):
    for url in _urls(site):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("login")), url
    url = reverse("evaluate", args=[site["county"].pk, site["year"].label])
    response = client.post(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Snapshot.objects.count() == 1


def test_login_page_is_chinese_and_logs_in(client, site):
    response = client.get(reverse("login"))
    assert "登录" in response.content.decode()
    response = client.post(reverse("login"), {"username": "leader", "password": "pw-均衡-2026"})
    assert response.status_code == 302
    response = client.get(reverse("home"))
    assert response.url == reverse("county", args=[site["county"].pk, site["year"].label])


def test_home_sends_each_role_to_its_start(client, site):
    users, county, year = site["users"], site["county"], site["year"].label
    expected = {
        "school": reverse("school", args=[site["own"].school_id, year]),
        "admin": reverse("county", args=[county.pk, year]),
        "inspector": reverse("counties"),
        "sysadmin": reverse("counties"),
    }
    for key, url in expected.items():
        client.force_login(users[key])
        assert client.get(reverse("home")).url == url, key


def test_school_user_sees_only_own_school(client, site):
    client.force_login(site["users"]["school"])
    year = site["year"].label
    own = client.get(reverse("school", args=[site["own"].school_id, year]))
    assert own.status_code == 200
    assert site["own"].name in own.content.decode()
    other = client.get(reverse("school", args=[site["other"].school_id, year]))
    assert other.status_code == 404
    assert site["other"].name not in other.content.decode()
    county = client.get(reverse("county", args=[site["county"].pk, year]))
    assert county.status_code in (403, 404)
    assert site["county"].name not in client.get(reverse("counties")).content.decode()
    evaluate = client.post(reverse("evaluate", args=[site["county"].pk, year]))
    assert evaluate.status_code in (403, 404)


def test_admin_of_another_county_is_refused(client, site):
    client.force_login(site["users"]["other_admin"])
    year = site["year"].label
    assert client.get(reverse("county", args=[site["county"].pk, year])).status_code in (403, 404)
    response = client.get(reverse("school", args=[site["own"].school_id, year]))
    assert response.status_code == 404
    assert site["own"].name not in response.content.decode()
    response = client.post(reverse("evaluate", args=[site["county"].pk, year]))
    assert response.status_code in (403, 404)
    assert Snapshot.objects.count() == 1


@pytest.mark.parametrize("role", ["leader", "inspector"])
def test_readers_can_read_but_not_reevaluate(client, site, role):
    client.force_login(site["users"][role])
    county, year = site["county"], site["year"].label
    response = client.get(reverse("county", args=[county.pk, year]))
    assert response.status_code == 200
    assert "重新评估" not in response.content.decode()
    assert client.get(reverse("school", args=[site["other"].school_id, year])).status_code == 200
    assert county.name in client.get(reverse("counties")).content.decode()
    assert client.post(reverse("evaluate", args=[county.pk, year])).status_code == 403
    assert Snapshot.objects.count() == 1


def test_county_admin_reevaluates(client, site):
    client.force_login(site["users"]["admin"])
    county, year = site["county"], site["year"].label
    url = reverse("county", args=[county.pk, year])
    assert "重新评估" in client.get(url).content.decode()
    response = client.post(reverse("evaluate", args=[county.pk, year]), {"data": "all"})
    newest = Snapshot.objects.order_by("-id").first()
    changes = reverse("evaluation_changes", args=[county.pk, year, newest.pk])
    assert response.status_code == 302 and response.url == changes
    assert Snapshot.objects.filter(county=county).count() == 2
    assert Snapshot.objects.order_by("-id").first().created_by == site["users"]["admin"]


def test_reevaluation_requires_csrf(site):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(site["users"]["admin"])
    url = reverse("evaluate", args=[site["county"].pk, site["year"].label])
    response = client.post(url, {"data": "all"})
    assert response.status_code == 403
    assert Snapshot.objects.count() == 1


def test_overview_shows_verdict_and_cv(client, site):
    client.force_login(site["users"]["leader"])
    county, year = site["county"], site["year"]
    body = client.get(reverse("county", args=[county.pk, year.label])).content.decode()
    snapshot = Snapshot.objects.get(county=county)
    assert snapshot.result["verdict"]["passes"] is False
    assert "未达标" in body
    assert f"{snapshot.result['balance']['junior']['R2']['cv']:.3f}" in body
    for part in ("资源配置", "政府保障程度", "教育质量", "社会认可度", "一票否决"):
        assert part in body
    # the standard by its name, never by the id of its file
    assert snapshot.standard_id not in body
    assert "《县域义务教育优质均衡发展督导评估办法（国家标准）》（版本 2017.1）" in body
    for gap in snapshot.result["gaps"]:
        assert gap["sentence"] in body
    assert "数据已有变动" not in body


def test_overview_warns_when_data_changed(client, site):
    from junheng.web.collection.models import SegmentData

    segment = SegmentData.objects.filter(school__county=site["county"]).first()
    segment.students += 1
    segment.save()
    client.force_login(site["users"]["leader"])
    url = reverse("county", args=[site["county"].pk, site["year"].label])
    assert "数据已有变动" in client.get(url).content.decode()


def test_school_page_shows_values_status_and_gaps(client, site):
    snapshot = Snapshot.objects.get(county=site["county"])
    failing = next(s for s in snapshot.result["segments"] if s["in_scope"] and s["passes"] is False)
    client.force_login(site["users"]["admin"])
    url = reverse("school", args=[failing["school_id"], site["year"].label])
    body = client.get(url).content.decode()
    assert failing["name"] in body
    assert "填报中" in body
    assert "未达标" in body
    value = next(iter(failing["values"].values()))
    assert f"{value:.2f}" in body


def test_counties_list_shows_latest_verdict(client, site):
    client.force_login(site["users"]["sysadmin"])
    body = client.get(reverse("counties")).content.decode()
    assert site["county"].name in body and "邻县" in body
    assert "未达标" in body and "尚未评估" in body


def test_home_sends_a_departments_user_to_the_ledger(client, site, django_user_model):
    from junheng.web.rectification.models import Unit, UnitKind, UnitMember

    unit = Unit.objects.create(county=site["county"], kind=UnitKind.DEPARTMENT, name="县财政局")
    member = django_user_model.objects.create_user("czj", password="pw-均衡-2026")
    UnitMember.objects.create(user=member, unit=unit)
    client.force_login(member)
    assert client.get(reverse("home")).url == reverse("rectification_start")
    nobody = django_user_model.objects.create_user("nobody", password="pw-均衡-2026")
    client.force_login(nobody)
    assert client.get(reverse("home")).url == reverse("counties")
