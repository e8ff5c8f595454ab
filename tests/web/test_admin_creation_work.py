"""The creation work's tables in the administration site (督导检查, 考核与会议, 创建进展公开, the
ledger's plan and history): each list opens for the system administrator with its rows, every
list and record page reads in Chinese (no English model names, no internal keys), and rows that
must not be edited by hand are read only — a recorded visit, a finding already in the ledger,
a published bulletin, a task's history."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from junheng.web.accounts.models import Profile, Role
from junheng.web.appraisal.models import Decision, Meeting
from junheng.web.clock import today
from junheng.web.inspections.models import Finding, Photo, Visit
from junheng.web.public import services as public
from junheng.web.public.models import PublicBulletin
from junheng.web.rectification import reports
from junheng.web.rectification.models import Unit
from junheng.web.registry.demo_work import ensure_creation_work
from junheng.web.registry.models import School
from junheng.web.services import run_evaluation
from tests.browser.identifiers import unexpected_identifiers
from tests.web.test_admin_wording import page_text

pytestmark = pytest.mark.django_db

PASSWORD = "pw-均衡-2026"
SCHOOL = "石桥镇中心小学"
TOWNSHIP = "石桥镇"
# usernames made here; a user name is what its owner typed, not an identifier of the system
USERNAMES = {"admin", "county_admin", "school", "duxue"}

# changelist → (its Chinese heading, a row's text it must show)
LISTS = {
    "inspections_visit": ("督导检查", SCHOOL),
    "inspections_finding": ("发现问题", "音乐教室被挪作储物间"),
    "inspections_photo": ("现场照片", "音乐教室.png"),
    "inspections_recheck": ("回头看复查", "0 回头看复查"),
    "appraisal_decision": ("表彰问责决定", "县财政局"),
    "appraisal_meeting": ("会议", "优质均衡创建工作推进会"),
    "public_publicpage": ("进展公开设置", "500101"),
    "public_publicbulletin": ("公开的整改通报", "整改工作周通报"),
    "rectification_plan": ("整改计划", "2027"),
    "rectification_phase": ("计划阶段", "全面整改"),
    "rectification_progressupdate": ("整改进展", "未开始 → 进行中"),
    "rectification_unit": ("整改单位", "石桥镇中心校"),
}


@pytest.fixture
def work(loaded, django_user_model):
    """The demo county of `loaded` (with a 行政区划代码, so its public address is that code)
    with the demo's creation work, a 问责 decision, a photo and a published weekly bulletin."""
    county, year = loaded
    county.code = "500101"
    county.save(update_fields=["code"])
    root = django_user_model.objects.create_superuser("admin", password=PASSWORD)
    cadmin = django_user_model.objects.create_user("county_admin", first_name="示范县教育局")
    Profile.objects.create(user=cadmin, role=Role.COUNTY_ADMIN, county=county)
    clerk = django_user_model.objects.create_user("school", first_name="填报员")
    Profile.objects.create(
        user=clerk, role=Role.SCHOOL_USER, school=School.objects.get(name=SCHOOL)
    )
    duxue = django_user_model.objects.create_user("duxue", first_name="责任督学")
    profile = Profile.objects.create(user=duxue, role=Role.SCHOOL_INSPECTOR, county=county)
    profile.supervised_schools.set(School.objects.filter(county=county, township=TOWNSHIP))
    run_evaluation(county, year, cadmin)
    ensure_creation_work(
        county, year.label, demo_school=SCHOOL, township=TOWNSHIP, target_year=2027
    )
    Decision.objects.create(
        county=county,
        kind="account",
        target_kind="unit",
        unit=Unit.objects.get(county=county, name="县财政局"),
        day=today(),
        reason="经费拨付滞后",
        text="约谈主要负责同志",
        period=f"{today().year}",
        document_name="问责决定.pdf",
        document_kind="pdf",
        document_size=1024,
        document_sha256="ab" * 32,
        document_path="ab/abfile",
        created_by=cadmin,
    )
    Photo.objects.create(
        finding=Finding.objects.get(),
        name="音乐教室.png",
        kind="png",
        size=2048,
        sha256="cd" * 32,
        path="cd/cdfile",
        uploaded_by=duxue,
    )
    public.publish_bulletin(
        county, year, reports.bulletin_for(county, year, "week", today()), cadmin
    )
    client = Client()
    assert client.login(username="admin", password=PASSWORD)
    return {"client": client, "root": root, "county": county}


def _get(client: Client, name: str, *args) -> str:
    response = client.get(reverse(f"admin:{name}", args=args))
    assert response.status_code == 200, name
    return page_text(response.content)


def test_each_list_opens_with_its_rows_in_chinese(work):
    client = work["client"]
    index = _get(client, "index")
    for app in ("督导检查", "考核与会议", "创建进展公开", "整改台账"):
        assert app in index
    for changelist, (heading, row) in LISTS.items():
        text = _get(client, f"{changelist}_changelist")
        assert heading in text.split("|")[0], changelist
        assert row in text, changelist
        assert "object (" not in text, changelist
        assert unexpected_identifiers(text, allowed=USERNAMES) == [], changelist


def test_every_record_page_reads_in_chinese(work):
    client = work["client"]
    models = {
        "inspections_visit": Visit,
        "inspections_finding": Finding,
        "inspections_photo": Photo,
        "appraisal_decision": Decision,
        "appraisal_meeting": Meeting,
        "public_publicbulletin": PublicBulletin,
    }
    for name, model in models.items():
        for row in model.objects.all():
            text = _get(client, f"{name}_change", row.pk)
            assert "object (" not in text, name
            assert unexpected_identifiers(text, allowed=USERNAMES) == [], (name, row.pk)
    # the checklist's items by their Chinese label, the document by name, type and size
    done = Visit.objects.get(status="done")
    visit = _get(client, "inspections_visit_change", done.pk)
    assert "音乐教室堆放杂物，未正常开课" in visit and "不符合" in visit
    decision = _get(client, "appraisal_decision_change", Decision.objects.get().pk)
    assert "问责决定.pdf" in decision and "ab/abfile" not in decision


def test_rows_made_on_the_pages_are_read_only_here(work):
    client = work["client"]
    # a finding in the ledger: shown, never saved
    finding = Finding.objects.get()
    assert finding.problem is not None
    url = reverse("admin:inspections_finding_change", args=[finding.pk])
    page = client.get(url).content.decode()
    assert '<input type="text" name="title"' not in page and 'name="_save"' not in page
    refused = client.post(url, {"title": "改过的标题", "item": "R4", "description": ""})
    assert refused.status_code == 403
    finding.refresh_from_db()
    assert finding.title.endswith("音乐教室被挪作储物间")
    # a recorded visit is read only, a planned one may be corrected (its date, kind, 督学)
    done = Visit.objects.get(status="done")
    planned = Visit.objects.filter(status="planned").first()
    assert (
        'name="planned_on"'
        not in client.get(
            reverse("admin:inspections_visit_change", args=[done.pk])
        ).content.decode()
    )
    assert (
        'name="planned_on"'
        in client.get(reverse("admin:inspections_visit_change", args=[planned.pk])).content.decode()
    )
    # nothing of these is added here: the pages check what the admin site would not
    for name in ("inspections_visit", "inspections_finding", "appraisal_meeting"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403, name
    assert client.get(reverse("admin:public_publicbulletin_add")).status_code == 403
    # a meeting decision in the ledger keeps its link (shown, not a field)
    meeting = Meeting.objects.get()
    page = client.get(reverse("admin:appraisal_meeting_change", args=[meeting.pk]))
    assert 'name="decisions-0-problem"' not in page.content.decode()
    assert "各校建立整改工作台账，每月报送进展" in page_text(page.content)


def test_public_settings_are_corrected_here_by_the_system_admin(work):
    client = work["client"]
    page = work["county"].public_page
    url = reverse("admin:public_publicpage_change", args=[page.pk])
    response = client.post(
        url,
        {
            "county": work["county"].pk,
            "slug": "500101",
            "published": "",
            "show_schools": "on",
            "intro": "暂停公开。",
        },
    )
    assert response.status_code == 302
    page.refresh_from_db()
    assert not page.published and page.updated_by == work["root"]
    assert page.intro == "暂停公开。"
