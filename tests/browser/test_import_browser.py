"""Importing in Chromium as a county clerk does it: download the county template from the import
page, upload it filled in with a mistake, read the problem table while the page says it is
checking, download the problem list, upload the corrected workbook and see what was loaded;
on a 1366×768 screen and on a 360 px phone."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from django.urls import reverse

from junheng.demo import DEMO_COUNTY, demo_county
from junheng.intake.school_form import read_school_form
from junheng.web.accounts.models import Profile, Role
from junheng.web.collection.models import ChangeLog, SegmentData
from junheng.web.imports.downloads import county_template
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import login, screenshot
from tests.web.test_web_import import fill_county_template, segment_cell, set_cells

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-均衡-2026"
FIRST = "2152010001"
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def site(django_user_model, settings, tmp_path):
    settings.JUNHENG_IMPORT_DIR = str(tmp_path / "imports")
    demo = demo_county()
    load_dataset(demo, "2026", province="示范省", city="示范市")
    county = County.objects.get(name=DEMO_COUNTY)
    year = SchoolYear.objects.get(label="2026")
    run_evaluation(county, year, None)
    clerk = django_user_model.objects.create_user("cadmin", password=PASSWORD)
    Profile.objects.create(user=clerk, role=Role.COUNTY_ADMIN, county=county)
    return {"county": county, "year": year, "demo": demo}


def _upload_checked(page, path: Path, name: str) -> None:
    """Choose the file and upload it; the first submission is held back in the page so that it
    can be seen saying that it is checking (and saved as a screenshot), then sent."""
    page.get_by_label("选择文件").set_input_files(str(path))
    page.evaluate(
        "() => document.querySelector('form.import-form')"
        ".addEventListener('submit', (e) => e.preventDefault(), {once: true})"
    )
    page.get_by_role("button", name="上传并校验").click()
    busy = page.locator(".import-busy")
    busy.wait_for(state="visible")
    assert "正在校验" in busy.inner_text()
    button = page.locator("form.import-form button[type=submit]")
    page.wait_for_function("() => document.querySelector('form.import-form button').disabled")
    assert button.inner_text() == "正在校验…"
    screenshot(page, name)
    with page.expect_navigation():
        page.evaluate("() => document.querySelector('form.import-form').submit()")


def test_upload_with_errors_then_the_corrected_workbook(page, live_server, site, tmp_path):
    county, year = site["county"], site["year"]
    login(page, live_server.url, "cadmin", PASSWORD)
    page.goto(f"{live_server.url}{reverse('county', args=[county.pk, year.label])}")
    with page.expect_navigation():
        page.get_by_role("link", name="导入数据").click()
    assert page.url.endswith(reverse("import_county", args=[county.pk, year.label]))
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "import-upload")

    with page.expect_download() as download:
        page.get_by_role("link", name="全县填报模板（.xlsx）").click()
    template = tmp_path / download.value.suggested_filename
    download.value.save_as(template)
    assert template.name == "示范县_2026学年_全县填报模板.xlsx"
    fill_county_template(template, site["demo"])
    cell = segment_cell(template, FIRST, "primary", "在校生数（人）")
    set_cells(template, "学段", {cell: "两千三百"})

    _upload_checked(page, template, "import-checking")
    assert "有错误，未导入" in page.content()
    row = page.locator("table.import-problems tbody tr").first
    assert row.locator('td[data-label="单元格"]').inner_text() == cell
    assert row.locator('td[data-label="值"]').inner_text() == "两千三百"
    assert row.locator('td[data-label="问题"]').inner_text() == "不是整数"
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "import-problems")
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 2260

    with page.expect_download() as download:
        page.get_by_role("link", name="导入问题清单.xlsx").click()
    listing = tmp_path / "问题清单.xlsx"
    download.value.save_as(listing)
    rows = list(openpyxl.load_workbook(listing)["导入问题清单"].iter_rows(values_only=True))
    assert rows[1][:4] == ("错误", template.name, "学段", cell)

    history = ChangeLog.objects.count()
    set_cells(template, "学段", {cell: 2300})
    with page.expect_navigation():
        page.get_by_role("link", name="重新上传").click()
    page.get_by_label("选择文件").set_input_files(str(template))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并校验").click()
    text = page.locator(".import-outcome").inner_text()
    assert "导入完成" in text
    assert "学校 60 所（其中新建 0 所）" in text and "修改记录 1 条" in text
    assert ChangeLog.objects.count() == history + 1
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "import-success")

    # 重新评估 asks which data to use first, then shows what changed.
    with page.expect_navigation():
        page.get_by_role("link", name="重新评估").click()
    assert page.url.endswith(reverse("evaluate", args=[county.pk, year.label]))
    page.get_by_label("使用全部数据").check()
    with page.expect_navigation():
        page.get_by_role("button", name="开始评估").click()
    assert "/evaluate/" in page.url and "评估完成" in page.locator("h1").inner_text()

    # The import page keeps the history: who imported what, when, and what came of it.
    with page.expect_navigation():
        page.get_by_role("link", name="查看评估概况").click()
    with page.expect_navigation():
        page.get_by_role("link", name="导入数据").first.click()
    rows = page.locator("table.import-history tbody tr")
    assert rows.count() == 2
    assert "已导入" in rows.nth(0).inner_text() and "修改记录 1 条" in rows.nth(0).inner_text()
    assert "有错误，未导入" in rows.nth(1).inner_text() and "1 个错误" in rows.nth(1).inner_text()
    screenshot(page, "import-history")


def test_on_a_phone(phone, live_server, site, tmp_path):
    county, year = site["county"], site["year"]
    template = tmp_path / "示范县.xlsx"
    template.write_bytes(county_template(county, year.label)[1])
    fill_county_template(template, site["demo"])
    bachelor = segment_cell(template, FIRST, "primary", "本科学历专任教师数（人）")
    set_cells(template, "学段", {bachelor: 86})

    login(phone, live_server.url, "cadmin", PASSWORD)
    phone.goto(f"{live_server.url}{reverse('import_county', args=[county.pk, year.label])}")
    assert phone.evaluate(OVERFLOW) <= 0
    screenshot(phone, "import-upload-phone")
    phone.get_by_label("选择文件").set_input_files(str(template))
    with phone.expect_navigation():
        phone.get_by_role("button", name="上传并校验").click()
    assert "学历人数之和不等于专任教师数" in phone.content()
    assert phone.evaluate(OVERFLOW) <= 0
    screenshot(phone, "import-problems-phone")

    set_cells(template, "学段", {bachelor: 85})
    with phone.expect_navigation():
        phone.get_by_role("link", name="重新上传").click()
    phone.get_by_label("选择文件").set_input_files(str(template))
    with phone.expect_navigation():
        phone.get_by_role("button", name="上传并校验").click()
    assert "导入完成" in phone.content() and "修改记录 0 条" in phone.content()
    assert phone.evaluate(OVERFLOW) <= 0
    screenshot(phone, "import-success-phone")


def test_a_system_admin_confirms_warnings_on_the_general_import_page(
    page, live_server, site, tmp_path, django_user_model
):
    county, year = site["county"], site["year"]
    load_dataset(site["demo"], "2025", province="示范省", city="示范市")  # last year
    admin = django_user_model.objects.create_user("sysadmin", password=PASSWORD)
    Profile.objects.create(user=admin, role=Role.SYSTEM_ADMIN)
    template = tmp_path / "示范县.xlsx"
    template.write_bytes(county_template(county, year.label)[1])
    fill_county_template(template, site["demo"])
    cell = segment_cell(template, FIRST, "primary", "在校生数（人）")
    set_cells(template, "学段", {cell: 3616})  # +60 % on last year's 2,260

    login(page, live_server.url, "sysadmin", PASSWORD)
    page.goto(f"{live_server.url}{reverse('import_start')}")
    page.get_by_label("学年").fill("2026")
    page.get_by_label("县区", exact=True).select_option(label="示范省 示范市 示范县")
    page.get_by_label("选择文件").set_input_files(str(template))
    assert "已选择：示范县.xlsx" in page.locator(".import-chosen").inner_text()
    assert page.evaluate(OVERFLOW) <= 0
    screenshot(page, "import-start")
    with page.expect_navigation():
        page.get_by_role("button", name="上传并校验").click()
    assert "有提示，待确认" in page.content()
    warning = page.locator("table.import-problems tbody tr").first
    assert warning.locator('td[data-label="单元格"]').inner_text() == cell
    assert "3616（上年 2260，变化 +60%）" in warning.inner_text()
    screenshot(page, "import-confirm")
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 2260

    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    assert "导入完成" in page.content() and "修改记录 1 条" in page.content()
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 3616


def test_a_school_user_imports_the_own_book_on_a_phone(
    phone, live_server, site, tmp_path, django_user_model
):
    year = site["year"]
    own = School.objects.get(school_id=FIRST)
    clerk = django_user_model.objects.create_user("clerk", password=PASSWORD)
    Profile.objects.create(user=clerk, role=Role.SCHOOL_USER, school=own)
    login(phone, live_server.url, "clerk", PASSWORD)
    phone.goto(f"{live_server.url}{reverse('import_start')}")
    assert phone.url.endswith(reverse("import_school", args=[FIRST, year.label]))
    assert "导入数据 · 城关第一小学" in phone.content()
    assert phone.evaluate(OVERFLOW) <= 0
    screenshot(phone, "import-school-phone")

    with phone.expect_download() as download:
        phone.get_by_role("link", name="城关第一小学 一校一册（.xlsx）").click()
    book = tmp_path / download.value.suggested_filename
    download.value.save_as(book)
    assert book.name == f"{FIRST}_城关第一小学.xlsx"
    form = read_school_form(book)
    index = next(i for i, r in enumerate(form.rows["segments"]) if r["level"] == "primary")
    assert form.rows["segments"][index]["students"] == "2260"  # this year's figure pre-filled
    workbook = openpyxl.load_workbook(book)
    workbook[form.sheets["segments"]][form.cells[("segments", index, "students")]] = 2280
    workbook.save(book)

    phone.get_by_label("选择文件").set_input_files(str(book))
    with phone.expect_navigation():
        phone.get_by_role("button", name="上传并校验").click()
    text = phone.locator(".import-outcome").inner_text()
    assert "导入完成" in text and "学校 1 所" in text and "修改记录 1 条" in text
    assert "查看城关第一小学" in text and "重新评估" not in text
    assert phone.evaluate(OVERFLOW) <= 0
    screenshot(phone, "import-school-success-phone")
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 2280
