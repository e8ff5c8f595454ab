"""Who may open and change each 督导检查 page. A 责任督学 reaches only the schools assigned to them
(others 404, as unknown pages do); a county admin their county; leaders and the county's
inspectors read; school and township users get nothing (they learn of findings through the
ledger's problems)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.inspections import kinds
from junheng.web.inspections.models import Finding, Visit
from tests.web.sites import PASSWORD

READERS = ("sysadmin", "admin", "leader", "inspector", "duxue")
"""May read a visit at 甲县一小 (duxue is its 责任督学)."""
REFUSED = ("other_admin", "duxue2", "school", "township", "nobody")
WRITERS = ("sysadmin", "admin", "duxue")


@pytest.fixture
def visit(site):
    return Visit.objects.create(
        inspector=site["users"]["duxue"],
        school=site["schools"]["one"],
        planned_on=dt.date(2026, 12, 7),
        kind=kinds.ROUTINE,
    )


def _login(client, site, role):
    assert client.login(username=site["users"][role].username, password=PASSWORD)


@pytest.mark.parametrize("role", READERS + REFUSED)
def test_visit_page_for_every_role(client, site, visit, role):
    _login(client, site, role)
    response = client.get(reverse("inspections_visit", args=[visit.pk]))
    if role in READERS:
        assert response.status_code == 200
        text = response.content.decode()
        assert "甲县一小 · 常规督导" in text
        # only those who record see the checklist form
        assert ("保存检查记录" in text) == (role in WRITERS)
        assert "G5 随机抽查班级点名" in text
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("role", READERS + REFUSED)
def test_recording_a_visit_for_every_role(client, site, visit, role):
    _login(client, site, role)
    response = client.post(
        reverse("inspections_record", args=[visit.pk]),
        {"visited_on": "2026-12-01", "people_met": "校长", "result_G5-classes": "not_met"},
    )
    visit.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302
        assert visit.status == kinds.DONE
        assert visit.answers.get(key="G5-classes").result == kinds.NOT_MET
    else:
        assert response.status_code == 404
        assert visit.status == kinds.PLANNED


@pytest.mark.parametrize("role", READERS + REFUSED)
def test_finding_to_problem_for_every_role(client, site, visit, role):
    finding = Finding.objects.create(visit=visit, title="音乐教室被占作仓库")
    _login(client, site, role)
    response = client.post(reverse("inspections_finding_problem", args=[finding.pk]))
    finding.refresh_from_db()
    assert (finding.problem_id is not None) == (role in WRITERS)
    assert response.status_code == (302 if role in WRITERS else 404)


def test_a_duxue_of_the_school_records_only_their_own_visits(client, site, visit):
    # duxue2 is assigned 二小 and later 一小 too: they read duxue's visit, record only theirs
    site["users"]["duxue2"].profile.supervised_schools.add(site["schools"]["one"])
    _login(client, site, "duxue2")
    assert client.get(reverse("inspections_visit", args=[visit.pk])).status_code == 200
    response = client.post(
        reverse("inspections_record", args=[visit.pk]), {"visited_on": "2026-12-01"}
    )
    assert response.status_code == 404


def test_unassigned_school_is_404_for_a_duxue(client, site, visit):
    _login(client, site, "duxue")
    for school in ("two", "other"):
        school_id = site["schools"][school].school_id
        assert client.get(reverse("inspections_school", args=[school_id])).status_code == 404
    one = site["schools"]["one"].school_id
    page = client.get(reverse("inspections_school", args=[one])).content.decode()
    assert "甲县一小 · 督导检查" in page
    # planning: only their schools are offered, another school posted is refused
    page = client.get(reverse("inspections_plan")).content.decode()
    assert "甲县一小" in page and "甲县二小" not in page
    response = client.post(
        reverse("inspections_plan"),
        {"school": site["schools"]["two"].pk, "planned_on": "2026-12-08", "kind": "routine"},
    )
    assert response.status_code == 200
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    "role,status",
    [
        ("sysadmin", 200),
        ("admin", 200),
        ("duxue", 200),
        ("leader", 404),
        ("inspector", 404),
        ("other_admin", 200),
        ("school", 404),
        ("township", 404),
        ("nobody", 404),
    ],
)
def test_plan_page_for_every_role(client, site, role, status):
    _login(client, site, role)
    assert client.get(reverse("inspections_plan")).status_code == status


def test_admin_plans_for_an_assigned_duxue_only(client, site):
    _login(client, site, "admin")
    one, two = site["schools"]["one"], site["schools"]["two"]
    duxue = site["users"]["duxue"]
    refused = client.post(
        reverse("inspections_plan"),
        {"school": two.pk, "inspector": duxue.pk, "planned_on": "2026-12-08", "kind": "special"},
    )
    assert "王督学不是“甲县二小”的责任督学" in refused.content.decode()
    made = client.post(
        reverse("inspections_plan"),
        {"school": one.pk, "inspector": duxue.pk, "planned_on": "2026-12-08", "kind": "special"},
    )
    visit = Visit.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse(
        "inspections_visit", args=[visit.pk]
    )
    assert (visit.kind, visit.status) == ("special", "planned")
    assert visit.planned_on == dt.date(2026, 12, 8)
    assert visit.planned_by == site["users"]["admin"]


@pytest.mark.parametrize(
    "role,status",
    [
        ("sysadmin", 200),
        ("admin", 200),
        ("leader", 200),
        ("inspector", 200),
        ("other_admin", 404),
        ("duxue", 404),
        ("school", 404),
        ("township", 404),
        ("nobody", 404),
    ],
)
def test_summary_for_every_role(client, site, role, status):
    _login(client, site, role)
    county = site["county"]
    assert client.get(reverse("inspections_summary", args=[county.pk])).status_code == status
    xlsx = client.get(reverse("inspections_summary_xlsx", args=[county.pk]))
    assert xlsx.status_code == status


@pytest.mark.parametrize(
    "role,status",
    [
        ("sysadmin", 200),
        ("admin", 200),
        ("leader", 404),
        ("inspector", 404),
        ("other_admin", 404),
        ("duxue", 404),
        ("school", 404),
        ("township", 404),
        ("nobody", 404),
    ],
)
def test_assignment_for_every_role(client, site, role, status):
    _login(client, site, role)
    url = reverse("inspections_assign", args=[site["county"].pk])
    assert client.get(url).status_code == status
    duxue2 = site["users"]["duxue2"]
    response = client.post(url, {"inspector": duxue2.pk, "schools": [site["schools"]["one"].pk]})
    assigned = set(duxue2.profile.supervised_schools.values_list("name", flat=True))
    if status == 200:
        assert response.status_code == 302
        assert assigned == {"甲县一小"}
    else:
        assert response.status_code == 404
        assert assigned == {"甲县二小"}


def test_assignment_page_lists_schools_with_their_duxue(client, site):
    _login(client, site, "admin")
    url = reverse("inspections_assign", args=[site["county"].pk])
    text = client.get(url).content.decode()
    assert "甲县一小" in text and "王督学" in text and "乙县一小" not in text
    # another county's school posted is not assigned; the 督学's other county is kept
    other = site["schools"]["other"]
    site["users"]["duxue"].profile.supervised_schools.add(other)
    client.post(
        url,
        {"inspector": site["users"]["duxue"].pk, "schools": [site["schools"]["two"].pk]},
    )
    names = set(site["users"]["duxue"].profile.supervised_schools.values_list("name", flat=True))
    assert names == {"甲县二小", "乙县一小"}


@pytest.mark.parametrize(
    "role,status",
    [
        ("sysadmin", 200),
        ("admin", 200),
        ("leader", 200),
        ("inspector", 200),
        ("duxue", 200),
        ("school", 404),
        ("township", 404),
        ("nobody", 404),
    ],
)
def test_start_page_for_every_role(client, site, visit, role, status):
    _login(client, site, role)
    response = client.get(reverse("inspections"))
    assert response.status_code == status
    if status == 200:
        assert "甲县一小" in response.content.decode()


def test_start_page_of_a_duxue_lists_their_visits(client, site, visit):
    Visit.objects.create(
        inspector=site["users"]["duxue2"],
        school=site["schools"]["two"],
        planned_on=dt.date(2026, 12, 7),
        kind=kinds.ROUTINE,
    )
    _login(client, site, "duxue")
    text = client.get(reverse("inspections")).content.decode()
    assert "我的督导" in text and "甲县一小" in text and "甲县二小" not in text
    _login(client, site, "admin")
    text = client.get(reverse("inspections")).content.decode()
    assert "甲县一小" in text and "甲县二小" in text and "责任督学分配" in text
