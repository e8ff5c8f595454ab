"""报告与档案 in Chromium: the county administrator writes a section of 主要做法与成效 with one of
the engine's figures inserted, uploads G1's layout plan to the archive, generates the 自评报告 on
the 报告 page and watches its progress until it is listed (the worker's function runs in the test,
as the worker process would run it), downloads it and finds the section and the evaluation's
fingerprint in it; then builds the archive and finds the upload in it exactly once. A leader sees
the page without the buttons. Screenshots at 1366 px and on a 360-px phone."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from junheng.demo import demo_county
from junheng.web.accounts.models import Profile, Role
from junheng.web.documents import services
from junheng.web.documents.models import Job, JobKind, JobStatus
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-均衡-2026"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 3 >> endobj\ntrailer <<>>\n%%EOF\n"
SECTION = "县委、县政府成立创建工作领导小组，县长任组长，每季度召开一次推进会。"


@pytest.fixture
def county(django_user_model, settings, tmp_path):
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    settings.JUNHENG_DOCUMENTS_DIR = str(tmp_path / "documents")
    load_dataset(demo_county(), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get()
    admin = django_user_model.objects.create_user(
        "cadmin", password=PASSWORD, first_name="县管理员"
    )
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    leader = django_user_model.objects.create_user("leader", password=PASSWORD, first_name="县领导")
    Profile.objects.create(user=leader, role=Role.LEADER, county=county)
    run_evaluation(county, SchoolYear.objects.get(label=DEMO_YEAR), admin)
    return county


def _go(page: Page, base: str, name: str, *args) -> None:
    page.goto(base + reverse(name, args=args))


def _run_queued() -> None:
    """What the worker process does with every waiting job."""
    for job in Job.objects.filter(status=JobStatus.QUEUED).order_by("pk"):
        services.run_job(job.pk)


def test_sections_evidence_report_and_archive(page, phone, live_server, county, tmp_path):
    base = live_server.url
    login(page, base, "cadmin", PASSWORD)

    # 主要做法与成效: a section written, a figure of the evaluation inserted at the end
    _go(page, base, "practice:edit", county.pk, DEMO_YEAR)
    box = page.locator("textarea[name='text-organisation'], textarea").first
    box.fill(SECTION)
    box.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")
    figure_button = page.locator("button.practice-insert").first
    target = figure_button.get_attribute("data-target")
    first_box = page.locator(f"#{target}")
    first_box.fill(SECTION)
    first_box.evaluate("t => t.setSelectionRange(t.value.length, t.value.length)")
    figure = figure_button.get_attribute("data-insert")
    figure_button.click()
    expect(first_box).to_have_value(SECTION + figure)
    screenshot(page, "reports-practice")
    page.get_by_role("button", name="全部保存").click()
    expect(page.locator(".message.success").first).to_be_visible()
    expect(page.locator(f"#{target}")).to_have_value(SECTION + figure)

    # 创建档案: G1's layout plan uploaded
    _go(page, base, "archive:item", county.pk, DEMO_YEAR, "G1")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "布局规划.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("布局规划.pdf").first).to_be_visible()
    screenshot(page, "reports-archive-item")

    # 报告: the 自评报告 generated, its progress shown, then listed and downloaded
    _go(page, base, "documents:reports", county.pk, DEMO_YEAR)
    page.get_by_role("button", name="生成自评报告").click()
    expect(page.locator(".messages")).to_contain_text("已开始生成自评报告")
    expect(page.locator("#jobs")).to_contain_text("排队中")
    screenshot(page, "reports-queued")
    _run_queued()
    documents = page.locator("table.documents")
    documents.get_by_role("link", name="示范县2026学年自评报告.docx").wait_for(timeout=30_000)
    screenshot(page, "reports-done")
    with page.expect_download() as got:
        documents.get_by_role("link", name="示范县2026学年自评报告.docx").click()
    report = docx.Document(got.value.path())
    text = "\n".join(p.text for p in report.paragraphs)
    assert SECTION + figure in text
    snapshot = Job.objects.get(kind=JobKind.SELF_EVALUATION).snapshot
    assert f"数据指纹 {snapshot.data_fingerprint[:8]}" in text
    assert "【" not in text

    # the archive, built from its page: the upload in G1's folder, once
    _go(page, base, "archive:home", county.pk, DEMO_YEAR)
    page.get_by_role("button", name="生成档案包").click()
    _run_queued()
    job = Job.objects.get(kind=JobKind.ARCHIVE)
    assert job.status == JobStatus.DONE, job.message
    page.reload()
    screenshot(page, "reports-archive")
    with page.expect_download() as got:
        page.get_by_role("link", name="下载最近生成的档案包").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(got.value.path()).read_bytes()))
    uploaded = [n for n in archive.namelist() if n.endswith("布局规划.pdf")]
    assert len(uploaded) == 1 and "G1" in uploaded[0]
    assert archive.read(uploaded[0]) == PDF

    # a leader reads and downloads, never generates; the same page on a phone
    login(phone, base, "leader", PASSWORD)
    _go(phone, base, "documents:reports", county.pk, DEMO_YEAR)
    expect(phone.locator("table.documents")).to_contain_text("示范县2026学年自评报告.docx")
    assert phone.get_by_role("button", name="生成自评报告").count() == 0
    screenshot(phone, "reports-leader-phone")
    phone.context.clear_cookies()
    login(phone, base, "cadmin", PASSWORD)
    for name, args in (
        ("documents:reports", ()),
        ("practice:edit", ()),
        ("archive:home", ()),
        ("archive:item", ("G1",)),
    ):
        _go(phone, base, name, county.pk, DEMO_YEAR, *args)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (name, width)
        screenshot(phone, f"reports-phone-{name.replace(':', '-')}")
