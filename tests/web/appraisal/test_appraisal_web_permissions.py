"""Every page of 考核与会议 for every role: readers get the page, everyone else the site's 404
(unknown ids alike), anonymous users the login page; posts of readers change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.web.appraisal.models import Decision, Meeting, MeetingDecision
from junheng.web.rectification.models import Problem
from tests.web.appraisal.conftest import ROLES

pytestmark = pytest.mark.django_db

APPRAISAL_READERS = {"admin", "sysadmin", "leader", "inspector", "dept"}
DECISION_READERS = {"admin", "sysadmin", "leader"}
MEETING_READERS = {"admin", "sysadmin", "leader", "dept"}
MANAGERS = {"admin", "sysadmin"}
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def records(site, evidence_dir):
    (evidence_dir / "ab").mkdir(parents=True)
    (evidence_dir / "ab" / "abfile").write_bytes(PDF)
    decision = Decision.objects.create(
        county=site["county"],
        kind="account",
        target_kind="unit",
        unit=site["units"]["fin"],
        day=dt.date(2026, 4, 2),
        reason="一季度考核排名末位",
        text="约谈主要负责同志",
        document_name="问责决定.pdf",
        document_kind="pdf",
        document_size=len(PDF),
        document_path="ab/abfile",
    )
    meeting = Meeting.objects.create(
        county=site["county"],
        year=site["year"],
        kind="progress",
        day=dt.date(2026, 4, 3),
        title="第一季度推进会",
        attendees="分管副县长王某",
    )
    item = MeetingDecision.objects.create(meeting=meeting, order=1, text="补齐音乐教室")
    return {"decision": decision, "meeting": meeting, "item": item}


def _pages(site, records):
    county, year = site["county"].pk, site["year"].label
    return {
        "appraisal": (reverse("appraisal", args=[county, year]), APPRAISAL_READERS),
        "xlsx": (reverse("appraisal_xlsx", args=[county, year]), APPRAISAL_READERS),
        "decisions": (reverse("appraisal_decisions", args=[county]), DECISION_READERS),
        "document": (
            reverse("appraisal_decision_document", args=[records["decision"].pk]),
            DECISION_READERS,
        ),
        "meetings": (reverse("appraisal_meetings", args=[county, year]), MEETING_READERS),
        "meeting": (reverse("appraisal_meeting", args=[records["meeting"].pk]), MEETING_READERS),
    }


def test_anonymous_goes_to_login(client, site, records):
    for url, _ in _pages(site, records).values():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(client, site, records, role):
    client.force_login(site["users"][role])
    for name, (url, readers) in _pages(site, records).items():
        response = client.get(url)
        expected = 200 if role in readers else 404
        assert response.status_code == expected, (role, name)
        if expected == 404:
            body = response.content.decode()
            assert "示范县" not in body and "王某" not in body, (role, name)


@pytest.mark.parametrize("role", ["admin", "sysadmin", "leader", "dept"])
def test_unknown_ids_answer_404(client, site, records, role):
    client.force_login(site["users"][role])
    year = site["year"].label
    for url in (
        reverse("appraisal", args=[999999, year]),
        reverse("appraisal", args=[site["county"].pk, "1999"]),
        reverse("appraisal_meetings", args=[999999, year]),
        reverse("appraisal_decisions", args=[999999]),
        reverse("appraisal_decision_document", args=[999999]),
        reverse("appraisal_meeting", args=[999999]),
        reverse("appraisal", args=[site["county"].pk, year]) + "?period=2026Q9",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("appraisal_decision_task", args=[999999]), {})
    assert response.status_code == 404


@pytest.mark.parametrize("role", [r for r in ROLES if r not in MANAGERS])
def test_posts_of_non_managers_change_nothing(client, site, records, role):
    client.force_login(site["users"][role])
    county, year = site["county"], site["year"]
    decision_post = {
        "kind": "commend",
        "target_kind": "unit",
        "unit": site["units"]["edu"].pk,
        "day": "2026-04-05",
        "reason": "x",
        "text": "y",
    }
    meeting_post = {"kind": "joint", "day": "2026-04-05", "title": "联席会议"}
    task_post = {
        f"d{records['item'].pk}-lead_unit": site["units"]["edu"].pk,
        f"d{records['item'].pk}-deadline": "2026-06-30",
        f"d{records['item'].pk}-measures": "改建",
    }
    for url, data in (
        (reverse("appraisal_decisions", args=[county.pk]), decision_post),
        (reverse("appraisal_meetings", args=[county.pk, year.label]), meeting_post),
        (reverse("appraisal_decision_task", args=[records["item"].pk]), task_post),
    ):
        assert client.post(url, data).status_code == 404, (role, url)
    assert Decision.objects.count() == 1
    assert Meeting.objects.count() == 1
    assert not Problem.objects.exists()


def test_the_document_of_a_decision_is_served_to_its_readers(client, site, records):
    client.force_login(site["users"]["leader"])
    response = client.get(reverse("appraisal_decision_document", args=[records["decision"].pk]))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Security-Policy"] == "sandbox"
