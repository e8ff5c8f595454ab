"""Importing workbooks in the browser: the CLI's importer over the database, all or nothing, with
the problem table, the reports, the confirmation of warnings, and every role's limits.

The workbooks are the county template downloaded from the site, filled with the demo county's
values as a bureau would fill it, and per-school books (一校一册) written by the same code.
"""

from __future__ import annotations

import dataclasses
import io
import tempfile
import zipfile
from datetime import timedelta
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl.utils import get_column_letter

from junheng.core.dataset import Dataset
from junheng.intake.importer import import_sources
from junheng.intake.school_form import read_school_form, write_school_workbook
from junheng.intake.writer import write_csv_folder, write_xlsx
from junheng.web.accounts.models import Profile, Role
from junheng.web.collection.models import ChangeLog, SchoolYearData, SegmentData, Status
from junheng.web.imports.models import ImportRun, RunStatus
from junheng.web.imports.services import purge_expired
from junheng.web.registry.management.commands.junheng_demo import DEMO_CITY, DEMO_PROVINCE
from junheng.web.registry.models import City, County, School, SchoolYear
from junheng.web.selectors import dataset_for, fingerprint
from junheng.web.services import load_dataset
from tests import builders
from tests.filled_templates import LEVEL_ZH, fill_county_template

pytestmark = pytest.mark.django_db

PASSWORD = "pw-均衡-2026"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST = "2152010001"
"""城关第一小学: primary, 2,260 students, 113 teachers (4 + 85 + 22 + 2 by degree)."""
SECOND = "2152010002"
"""城关第二小学: primary, 1,860 students."""


# ---------------------------------------------------------------------------------------------
# Workbooks as a county fills them
# ---------------------------------------------------------------------------------------------


def segment_cell(path: Path, school_id: str, level: str, header: str) -> str:
    """The cell of one segment's value in the 学段 sheet, as Excel names it."""
    ws = openpyxl.load_workbook(path)["学段"]
    column = [c.value for c in ws[1]].index(header) + 1
    for row in range(2, ws.max_row + 1):
        if (ws.cell(row, 1).value, ws.cell(row, 2).value) == (school_id, LEVEL_ZH[level]):
            return f"{get_column_letter(column)}{row}"
    raise AssertionError(f"no row for {school_id} {level}")


def set_cells(path: Path, sheet: str, values: dict[str, object]) -> None:
    book = openpyxl.load_workbook(path)
    for ref, value in values.items():
        book[sheet][ref] = value
    book.save(path)


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes(), content_type=XLSX)


# ---------------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.JUNHENG_IMPORT_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def site(loaded, django_user_model):
    county, year = loaded
    other_county = County.objects.create(city=City.objects.first(), name="邻县")
    own, other = School.objects.get(school_id=FIRST), School.objects.get(school_id=SECOND)

    def user(name, role, **scope):
        u = django_user_model.objects.create_user(name, password=PASSWORD)
        Profile.objects.create(user=u, role=role, **scope)
        return u

    users = {
        "school": user("school", Role.SCHOOL_USER, school=own),
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=county),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=other_county),
        "leader": user("leader", Role.LEADER, county=county),
        "inspector": user("inspector", Role.INSPECTOR),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
    }
    users["inspector"].profile.inspected_counties.add(county)
    return {
        "county": county,
        "other_county": other_county,
        "year": year,
        "own": own,
        "other": other,
        "users": users,
    }


@pytest.fixture
def small(tmp_path) -> Path:
    """Any readable workbook, for requests that must be refused before it is read."""
    data = builders.dataset([builders.school("S1", county="示范县")], [builders.segment("S1")])
    path = tmp_path / "小.xlsx"
    write_xlsx(data, path, chinese_headers=True)
    return path


@pytest.fixture
def workbook(site, client, tmp_path, demo) -> Path:
    """The county template downloaded by the county admin and filled with the demo's values."""
    client.force_login(site["users"]["admin"])
    response = client.get(
        reverse("import_county_template", args=[site["county"].pk, site["year"].label])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    path = tmp_path / "示范县2026.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    fill_county_template(path, demo)
    client.logout()
    return path


def state(county: County, year: SchoolYear) -> tuple[str, int]:
    """What the database holds for the county: data fingerprint and number of history rows."""
    return fingerprint(dataset_for(county, year)), ChangeLog.objects.count()


def post_import(client: Client, url: str, *files: SimpleUploadedFile, **fields: str):
    return client.post(url, {"files": list(files), **fields})


def run_of(response) -> ImportRun:
    assert response.status_code == 302, response.content.decode()[:2000]
    run_id = int(response.url.rstrip("/").split("/")[-1])
    return ImportRun.objects.get(pk=run_id)


def county_url(site) -> str:
    return reverse("import_county", args=[site["county"].pk, site["year"].label])


# ---------------------------------------------------------------------------------------------
# The county template: errors, then the fixed workbook
# ---------------------------------------------------------------------------------------------


def test_errors_are_listed_cell_by_cell_and_nothing_is_written(site, client, workbook, import_dir):
    county, year = site["county"], site["year"]
    before = state(county, year)
    bachelor = segment_cell(workbook, FIRST, "primary", "本科学历专任教师数（人）")
    students = segment_cell(workbook, SECOND, "primary", "在校生数（人）")
    # 4 + 86 + 22 + 2 = 114 teachers by degree, but 113 teachers; and a number written in words.
    set_cells(workbook, "学段", {bachelor: 86, students: "一千八百六十"})

    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    assert run.status == RunStatus.BLOCKED
    assert run.error_count == 2
    assert state(county, year) == before
    assert SegmentData.objects.get(school__school_id=SECOND, year=year).students == 1860

    page = client.get(reverse("import_run", args=[run.pk])).content.decode()
    assert "未写入任何数据" in page
    for heading in ("级别", "工作簿", "工作表", "单元格", "行", "列", "值", "问题", "应填写"):
        assert f'<th scope="col">{heading}</th>' in page
    assert f'<td data-label="单元格">{students}</td>' in page
    assert '<td data-label="值">一千八百六十</td>' in page
    assert '<td data-label="问题">不是整数</td>' in page
    assert '<td data-label="问题">学历人数之和不等于专任教师数</td>' in page
    assert '<td data-label="工作簿">示范县2026.xlsx</td>' in page
    # The degree sum is reported on the row's 专任教师数 cell, with the sum found.
    teachers = segment_cell(workbook, FIRST, "primary", "专任教师数（人）")
    assert f'<td data-label="单元格">{teachers}</td>' in page
    assert '<td data-label="值">4 + 86 + 22 + 2 = 114</td>' in page

    # The same problems, in the same order, as `junheng import` into a folder of the same data.
    folder = import_dir.parent / "数据集"
    write_csv_folder(dataset_for(county, year), folder)
    cli = import_sources([workbook], folder, write=False)
    assert [dataclasses.asdict(e) for e in cli.errors] == run.problems

    # The problem list and the annotated workbook are the CLI's reports.
    assert run.reports == ["导入问题清单.xlsx", "标注_示范县2026.xlsx"]
    listing = client.get(reverse("import_report", args=[run.pk, 0]))
    assert listing.status_code == 200
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(listing.streaming_content)))[
            "导入问题清单"
        ].iter_rows(values_only=True)
    )
    located = {(r[1], r[2], r[3]) for r in rows[1:]}
    assert ("示范县2026.xlsx", "学段", students) in located
    annotated = client.get(reverse("import_report", args=[run.pk, 1]))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(annotated.streaming_content)))
    assert "整数" in book["学段"][students].comment.text
    # The uploads are gone once the run has its outcome; the reports stay for the corrections.
    folder = import_dir / run.folder
    assert (folder / "report" / "导入问题清单.xlsx").is_file()
    assert not (folder / "uploads").exists()


def test_the_fixed_workbook_is_loaded_with_history(site, client, workbook):
    county, year = site["county"], site["year"]
    students = segment_cell(workbook, FIRST, "primary", "在校生数（人）")
    set_cells(workbook, "学段", {students: 2300})  # 2,260 → 2,300 (+1.8 %, no warning)
    history = ChangeLog.objects.count()

    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    assert run.status == RunStatus.LOADED, run.problems
    assert run.counts["schools"] == 60 and run.counts["segments"] == 65
    assert run.counts["changes"] == 1
    change = ChangeLog.objects.order_by("-id").first()
    assert ChangeLog.objects.count() == history + 1
    assert (change.model, change.object_id, change.field) == (
        "SegmentData",
        f"{FIRST}/小学",
        "students",
    )
    assert (change.old_value, change.new_value) == ("2260", "2300")
    assert change.user == site["users"]["admin"]
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 2300

    page = client.get(reverse("import_run", args=[run.pk])).content.decode()
    assert "导入完成" in page
    assert "学校 60 所（其中新建 0 所）" in page and "修改记录 1 条" in page
    assert reverse("county", args=[county.pk, year.label]) in page
    assert reverse("evaluate", args=[county.pk, year.label]) in page
    # The workbook held the whole county: the database now equals what was validated.
    assert not ImportRun.objects.get(pk=run.pk).folder


def test_a_partial_upload_keeps_the_other_schools(site, client, tmp_path, demo):
    county, year = site["county"], site["year"]
    school = demo.schools.filter(pl.col("school_id") == FIRST).to_dicts()[0]
    path = write_school_workbook(tmp_path / "一校一册.xlsx", school, year="2026", current=demo)
    form = read_school_form(path)
    index = next(i for i, r in enumerate(form.rows["segments"]) if r["level"] == "primary")
    ref = form.cells[("segments", index, "students")]
    book = openpyxl.load_workbook(path)
    book[form.sheets["segments"]][ref] = 2270
    book.save(path)
    others = SegmentData.objects.exclude(school__school_id=FIRST).filter(year=year)
    before = sorted(others.values_list("school__school_id", "level", "students"))

    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(path)))
    assert run.status == RunStatus.LOADED, run.problems
    assert run.counts["schools"] == 1 and run.counts["changes"] == 1
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 2270
    assert sorted(others.values_list("school__school_id", "level", "students")) == before
    assert SchoolYearData.objects.filter(school__county=county, year=year).count() == 60


def test_warnings_only_wait_for_confirmation_of_the_saved_upload(site, client, workbook, demo):
    county, year = site["county"], site["year"]
    load_dataset(demo, "2025", province=DEMO_PROVINCE, city=DEMO_CITY)  # last year: the same
    students = segment_cell(workbook, FIRST, "primary", "在校生数（人）")
    set_cells(workbook, "学段", {students: 3616})  # 2,260 → 3,616: +60 % on last year
    before = state(county, year)

    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    assert run.status == RunStatus.PENDING
    assert (run.error_count, run.warning_count) == (0, 1)
    (warning,) = run.problems
    assert warning["code"] == "implausible-change" and warning["cell"] == students
    assert warning["value"] == "3616（上年 2260，变化 +60%）"
    assert state(county, year) == before
    page = client.get(reverse("import_run", args=[run.pk])).content.decode()
    assert "确认导入" in page and reverse("import_confirm", args=[run.pk]) in page
    assert '<td data-label="级别"><span class="badge warn">警告</span></td>' in page

    # The confirmation posts no file: the saved upload is checked again and loaded.
    response = client.post(reverse("import_confirm", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.LOADED and run.counts["changes"] == 1
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 3616
    assert ChangeLog.objects.count() == before[1] + 1
    # A second confirmation changes nothing.
    client.post(reverse("import_confirm", args=[run.pk]))
    assert ChangeLog.objects.count() == before[1] + 1


def test_warnings_that_changed_before_the_confirmation_are_shown_again(
    site, client, workbook, demo
):
    year = site["year"]
    load_dataset(demo, "2025", province=DEMO_PROVINCE, city=DEMO_CITY)
    students = segment_cell(workbook, FIRST, "primary", "在校生数（人）")
    set_cells(workbook, "学段", {students: 3616})
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    # Meanwhile last year's figure is corrected: the warning now reads differently.
    SegmentData.objects.filter(school__school_id=FIRST, year__label="2025").update(students=2000)
    client.post(reverse("import_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.PENDING
    assert "有变化" in run.message
    assert run.problems[0]["value"] == "3616（上年 2000，变化 +81%）"
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 2260


def test_a_locked_school_refuses_the_whole_import(site, client, workbook):
    county, year = site["county"], site["year"]
    SchoolYearData.objects.filter(school__school_id=SECOND, year=year).update(
        status=Status.APPROVED
    )
    students = segment_cell(workbook, FIRST, "primary", "在校生数（人）")
    set_cells(workbook, "学段", {students: 2300})
    before = state(county, year)
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    assert run.status == RunStatus.REFUSED
    assert "已审核锁定" in run.message and "城关第二小学" in run.message
    assert state(county, year) == before
    page = client.get(reverse("import_run", args=[run.pk])).content.decode()
    assert "城关第二小学" in page and "未写入任何数据" in page


# ---------------------------------------------------------------------------------------------
# Scope: another county's rows, another school's book, another user's reports
# ---------------------------------------------------------------------------------------------


def test_rows_of_another_county_are_errors_naming_their_cells(site, client, workbook):
    county, year = site["county"], site["year"]
    set_cells(workbook, "学校", {"C3": "邻县"})  # 城关第二小学 moved to the neighbour county
    before = state(county, year)
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    assert run.status == RunStatus.BLOCKED
    located = [
        (p["sheet"], p["cell"], p["value"]) for p in run.problems if p["code"] == "out-of-scope"
    ]
    assert located == [("学校", "C3", "邻县")]
    assert "本次导入的是示范县的数据" in run.problems[0]["expected"]
    assert state(county, year) == before
    assert not County.objects.get(name="邻县").schools.exists()


def test_a_school_of_another_county_cannot_be_taken_over(site, client, tmp_path):
    other = site["other_county"]
    School.objects.create(school_id="2152990001", name="邻县小学", county=other, kind="primary")
    data = builders.dataset(
        [builders.school("2152990001", county="示范县")],
        [builders.segment("2152990001")],
        counties=["示范县"],
    )
    path = tmp_path / "补报.xlsx"
    write_xlsx(Dataset.build(data.schools, data.segments), path, chinese_headers=True)
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(path)))
    assert run.status == RunStatus.BLOCKED
    refused = [p for p in run.problems if p["code"] == "out-of-scope"]
    assert [(p["sheet"], p["cell"], p["value"]) for p in refused] == [("学校", "A2", "2152990001")]
    assert "已登记为其他县区的学校" in refused[0]["expected"]
    assert School.objects.get(school_id="2152990001").county == other


def book_of(demo: Dataset, school_id: str, folder: Path, students: int | None = None) -> Path:
    school = demo.schools.filter(pl.col("school_id") == school_id).to_dicts()[0]
    path = write_school_workbook(folder / f"{school_id}.xlsx", school, year="2026", current=demo)
    if students is not None:
        form = read_school_form(path)
        book = openpyxl.load_workbook(path)
        book[form.sheets["segments"]][form.cells[("segments", 0, "students")]] = students
        book.save(path)
    return path


def test_a_school_user_imports_only_the_own_schools_book(site, client, tmp_path, demo):
    county, year = site["county"], site["year"]
    client.force_login(site["users"]["school"])
    url = reverse("import_school", args=[FIRST, year.label])
    assert client.get(reverse("import_start")).url == url

    before = state(county, year)
    other = book_of(demo, SECOND, tmp_path, students=1900)
    run = run_of(post_import(client, url, upload(other)))
    assert run.status == RunStatus.REFUSED
    assert "城关第二小学" in run.message and "城关第一小学" in run.message
    assert state(county, year) == before

    run = run_of(post_import(client, url, upload(workbook_like(tmp_path))))
    assert run.status == RunStatus.REFUSED and "不是一校一册" in run.message

    own = book_of(demo, FIRST, tmp_path, students=2250)
    run = run_of(post_import(client, url, upload(own)))
    assert run.status == RunStatus.LOADED, run.problems
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 2250
    assert ChangeLog.objects.count() == before[1] + 1
    page = client.get(reverse("import_run", args=[run.pk])).content.decode()
    assert reverse("school", args=[FIRST, year.label]) in page
    assert reverse("county", args=[county.pk, year.label]) not in page  # not theirs to see
    assert reverse("evaluate", args=[county.pk, year.label]) not in page


def workbook_like(folder: Path) -> Path:
    """A county-style workbook holding only the school user's own school."""
    demo = builders.dataset([builders.school(FIRST, county="示范县")], [builders.segment(FIRST)])
    path = folder / "全县格式.xlsx"
    write_xlsx(demo, path, chinese_headers=True)
    return path


def test_reports_and_runs_belong_to_the_user_who_uploaded(site, client, workbook):
    set_cells(workbook, "学段", {segment_cell(workbook, FIRST, "primary", "在校生数（人）"): "多"})
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    assert run.status == RunStatus.BLOCKED
    owner_urls = [
        reverse("import_run", args=[run.pk]),
        reverse("import_report", args=[run.pk, 0]),
        reverse("import_report", args=[run.pk, 1]),
    ]
    for url in owner_urls:
        assert client.get(url).status_code == 200, url
    assert client.get(reverse("import_report", args=[run.pk, 2])).status_code == 404
    for key in ("sysadmin", "other_admin", "leader", "school"):
        client.force_login(site["users"][key])
        for url in owner_urls:
            response = client.get(url)
            assert response.status_code == 404, (key, url)
            assert "导入问题清单" not in response.content.decode()
        assert client.post(reverse("import_confirm", args=[run.pk])).status_code == 404
    # Another admin of the same county sees that an import happened, not its problems.
    colleague = Profile.objects.get(user=site["users"]["admin"])
    colleague.pk = None
    colleague.user = type(site["users"]["admin"]).objects.create_user("cadmin2", password=PASSWORD)
    colleague.save()
    client.force_login(colleague.user)
    page = client.get(county_url(site)).content.decode()
    assert "有错误，未导入" in page
    assert reverse("import_run", args=[run.pk]) not in page
    assert client.get(owner_urls[1]).status_code == 404


# ---------------------------------------------------------------------------------------------
# Roles over HTTP
# ---------------------------------------------------------------------------------------------


def _get_urls(site) -> list[str]:
    county, year = site["county"], site["year"].label
    return [
        reverse("import_start"),
        reverse("import_county", args=[county.pk, year]),
        reverse("import_school", args=[FIRST, year]),
        reverse("import_county_template", args=[county.pk, year]),
        reverse("import_school_books", args=[county.pk, year]),
        reverse("import_school_book", args=[FIRST, year]),
        reverse("import_run", args=[1]),
        reverse("import_report", args=[1, 0]),
    ]


def test_anonymous_users_are_sent_to_login(site, client, small):
    for url in _get_urls(site):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    for url in (county_url(site), reverse("import_start"), reverse("import_confirm", args=[1])):
        response = post_import(client, url, upload(small))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert ImportRun.objects.count() == 0


@pytest.mark.parametrize("role", ["leader", "inspector"])
def test_readers_may_not_import_or_download_templates(site, client, small, role):
    client.force_login(site["users"][role])
    before = state(site["county"], site["year"])
    for url in _get_urls(site)[:6]:
        assert client.get(url).status_code == 403, url
    for url in (county_url(site), reverse("import_start")):
        assert post_import(client, url, upload(small)).status_code == 403, url
    school_url = reverse("import_school", args=[FIRST, site["year"].label])
    assert post_import(client, school_url, upload(small)).status_code == 403
    assert ImportRun.objects.count() == 0 and state(site["county"], site["year"]) == before
    # The county page offers no import button to those who may not import.
    page = client.get(reverse("county", args=[site["county"].pk, site["year"].label]))
    assert reverse("import_county", args=[site["county"].pk, site["year"].label]) not in (
        page.content.decode()
    )


def test_the_admin_of_another_county_is_refused(site, client, small):
    client.force_login(site["users"]["other_admin"])
    county, year = site["county"], site["year"].label
    for url in (
        reverse("import_county", args=[county.pk, year]),
        reverse("import_county_template", args=[county.pk, year]),
        reverse("import_school_books", args=[county.pk, year]),
        reverse("import_school", args=[FIRST, year]),
        reverse("import_school_book", args=[FIRST, year]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "城关第一小学" not in response.content.decode()
    assert post_import(client, county_url(site), upload(small)).status_code == 404
    # On the general page the other county is not offered, and naming it changes nothing.
    page = client.get(reverse("import_start")).content.decode()
    assert "邻县" in page and "示范县" not in page
    response = post_import(
        client, reverse("import_start"), upload(small), year="2026", county=str(county.pk)
    )
    assert response.status_code == 200 and ImportRun.objects.count() == 0


def test_a_school_user_cannot_reach_other_schools_or_the_county(site, client, small):
    client.force_login(site["users"]["school"])
    county, year = site["county"], site["year"].label
    for url in (
        reverse("import_school", args=[SECOND, year]),
        reverse("import_school_book", args=[SECOND, year]),
        reverse("import_county", args=[county.pk, year]),
        reverse("import_county_template", args=[county.pk, year]),
        reverse("import_school_books", args=[county.pk, year]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "城关第二小学" not in response.content.decode()
    response = post_import(client, reverse("import_school", args=[SECOND, year]), upload(small))
    assert response.status_code == 404
    assert ImportRun.objects.count() == 0
    book = client.get(reverse("import_school_book", args=[FIRST, year]))
    assert book.status_code == 200
    path = Path(small).with_name("本校.xlsx")
    path.write_bytes(b"".join(book.streaming_content))
    assert read_school_form(path).rows["schools"][0]["school_id"] == FIRST


def test_uploads_require_the_csrf_token(site, small):
    client = Client(enforce_csrf_checks=True)
    client.force_login(site["users"]["admin"])
    assert client.get(county_url(site)).status_code == 200
    assert post_import(client, county_url(site), upload(small)).status_code == 403
    assert ImportRun.objects.count() == 0
    school = Client(enforce_csrf_checks=True)
    school.force_login(site["users"]["school"])
    url = reverse("import_school", args=[FIRST, site["year"].label])
    assert post_import(school, url, upload(small)).status_code == 403
    assert ImportRun.objects.count() == 0


def test_the_county_page_offers_the_import_to_its_admin(site, client):
    url = reverse("county", args=[site["county"].pk, site["year"].label])
    client.force_login(site["users"]["admin"])
    assert county_url(site) in client.get(url).content.decode()
    client.force_login(site["users"]["sysadmin"])
    assert county_url(site) in client.get(url).content.decode()


# ---------------------------------------------------------------------------------------------
# System administrators, uploads and templates
# ---------------------------------------------------------------------------------------------


def test_a_system_admin_registers_a_new_county_under_the_chosen_province_and_city(
    site, client, tmp_path
):
    data = builders.dataset(
        [builders.school("N1", county="新设县"), builders.school("N2", "junior", "新设县")],
        [builders.segment("N1"), builders.segment("N2", "junior", 600)],
    )
    path = tmp_path / "新设县.xlsx"
    write_xlsx(data, path, chinese_headers=True)
    client.force_login(site["users"]["sysadmin"])
    fields = {"year": "2027", "county": "", "province": "测试省", "city": "测试市"}
    response = post_import(client, reverse("import_start"), upload(path), **fields)
    assert response.status_code == 200
    assert "新县区请填写省、市和县区名称" in response.content.decode()
    fields["county_name"] = "新设县"
    run = run_of(post_import(client, reverse("import_start"), upload(path), **fields))
    assert run.status == RunStatus.LOADED, run.problems
    county = County.objects.get(name="新设县")
    assert (county.city.name, county.city.province.name) == ("测试市", "测试省")
    assert run.county == county
    assert sorted(county.schools.values_list("school_id", flat=True)) == ["N1", "N2"]
    assert SegmentData.objects.get(school__school_id="N2", year__label="2027").students == 600
    assert ImportRun.objects.filter(county=county).count() == 1


def test_a_county_admin_cannot_create_counties(site, client, tmp_path):
    client.force_login(site["users"]["admin"])
    page = client.get(reverse("import_start")).content.decode()
    assert (
        "新县区" not in page and 'name="province"' not in page and 'name="county_name"' not in page
    )
    assert County.objects.count() == 2


def test_a_zip_of_csv_files_is_one_dataset_and_other_types_are_refused(site, client, demo):
    county, year = site["county"], site["year"]
    changed = demo.segments.with_columns(
        pl.when(pl.col("school_id") == FIRST)
        .then(pl.col("students") + 10)
        .otherwise(pl.col("students"))
        .alias("students")
    )
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        data = Dataset.build(
            demo.schools, changed, demo.county_facts, demo.school_facts, demo.survey, demo.notes
        )
        write_csv_folder(data, Path(tmp))
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in sorted(Path(tmp).iterdir()):
                archive.write(path, f"2026数据/{path.name}")
    client.force_login(site["users"]["admin"])
    archive = SimpleUploadedFile("全县数据.zip", buffer.getvalue(), content_type="application/zip")
    run = run_of(post_import(client, county_url(site), archive))
    assert run.status == RunStatus.LOADED, run.problems
    assert run.files == ["全县数据.zip"]
    assert SegmentData.objects.get(school__school_id=FIRST, year=year).students == 2270
    assert county.schools.count() == 60

    for name, content in (("报表.xls", b"\xd0\xcf\x11\xe0"), ("说明.docx", b"PK\x03\x04")):
        response = post_import(client, county_url(site), SimpleUploadedFile(name, content))
        assert response.status_code == 200
        assert "只能上传 .xlsx 工作簿" in response.content.decode()
    response = client.post(county_url(site), {})
    assert "请选择要导入的文件" in response.content.decode()
    assert ImportRun.objects.count() == 1


def test_file_names_are_made_safe(site, client, workbook, import_dir):
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook, "../../etc/全县<1>.xlsx")))
    assert run.files == ["全县1.xlsx"]
    assert run.status == RunStatus.LOADED
    assert not (import_dir.parent / "etc").exists()


def test_expired_uploads_are_removed_and_cannot_be_confirmed(site, client, workbook, demo):
    load_dataset(demo, "2025", province=DEMO_PROVINCE, city=DEMO_CITY)
    students = segment_cell(workbook, FIRST, "primary", "在校生数（人）")
    set_cells(workbook, "学段", {students: 3616})
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    assert run.status == RunStatus.PENDING
    assert purge_expired() == 0
    assert purge_expired(timezone.now() + timedelta(hours=25)) == 1
    run.refresh_from_db()
    assert run.status == RunStatus.EXPIRED and run.folder == ""
    client.post(reverse("import_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.EXPIRED
    assert SegmentData.objects.get(school__school_id=FIRST, year=site["year"]).students == 2260
    assert client.get(reverse("import_report", args=[run.pk, 0])).status_code == 404


def test_school_books_zip_has_one_book_per_school_with_last_years_values(site, client, demo):
    load_dataset(demo, "2025", province=DEMO_PROVINCE, city=DEMO_CITY)
    SegmentData.objects.filter(school__school_id=FIRST, year__label="2025").update(students=2100)
    client.force_login(site["users"]["admin"])
    response = client.get(
        reverse("import_school_books", args=[site["county"].pk, site["year"].label])
    )
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert len(names) == 59  # 60 schools, the special school has no book
    assert f"{FIRST}_城关第一小学.xlsx" in names
    book = openpyxl.load_workbook(io.BytesIO(archive.read(f"{FIRST}_城关第一小学.xlsx")))
    values = [c for row in book["学段数据"].iter_rows(values_only=True) for c in row]
    assert 2100 in values and 2260 in values  # last year beside this year's figure


def test_too_many_or_too_large_files_are_refused_with_the_pages_message(
    site, client, workbook, settings, monkeypatch
):
    client.force_login(site["users"]["admin"])
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    files = [upload(workbook, f"{n}.xlsx") for n in range(3)]
    response = post_import(client, county_url(site), *files)
    # Refused before the form (and its unchecked CSRF token) is read: no form on the page.
    assert response.status_code == 413
    assert "一次最多上传 2 个文件" in response.content.decode()
    assert 'name="files"' not in response.content.decode()

    monkeypatch.setattr("junheng.web.imports.uploads.MAX_FILE_MB", 1)
    big = SimpleUploadedFile("大文件.xlsx", b"PK\x03\x04" + b"0" * (2**20 + 10), content_type=XLSX)
    response = post_import(client, county_url(site), big)
    assert response.status_code == 200
    page = response.content.decode()
    assert "“大文件.xlsx”超过 1 MB，未导入任何数据" in page
    assert "请选择要导入的文件" not in page
    assert ImportRun.objects.count() == 0


def test_a_forged_post_of_too_many_files_gets_no_page_and_a_few_get_403(site, workbook, settings):
    # A post from another site carries no CSRF token; with more files than the limit the body is
    # never parsed, so the token cannot be checked: the refusal must show nothing else.
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    forged = Client(enforce_csrf_checks=True)
    forged.force_login(site["users"]["admin"])
    forged.cookies["csrftoken"] = "a" * 32  # the victim's browser has the site's cookie
    many = [upload(workbook, f"{n}.xlsx") for n in range(3)]
    response = post_import(forged, county_url(site), *many)
    page = response.content.decode()
    assert response.status_code == 413 and "一次最多上传 2 个文件" in page
    assert 'name="files"' not in page and "导入记录" not in page
    response = post_import(forged, county_url(site), upload(workbook, "1.xlsx"))
    assert response.status_code == 403
    assert ImportRun.objects.count() == 0


def test_each_problem_of_a_school_book_names_the_row_of_its_own_cell(site, client, tmp_path, demo):
    # A 一校一册 runs one segment down column C, so the four cells of one record are on four
    # rows: C2 在校生数, C3 班级数, C6 研究生学历, C10 骨干教师. Each problem shows its own row
    # (2, 3, 6, 10), not the first row of the record (2), on the page and in 导入问题清单.xlsx.
    path = book_of(demo, FIRST, tmp_path)
    form = read_school_form(path)
    book = openpyxl.load_workbook(path)
    sheet = book[form.sheets["segments"]]
    for ref in ("C2", "C3", "C6", "C10"):
        sheet[ref] = "几个"
    book.save(path)

    client.force_login(site["users"]["school"])
    run = run_of(post_import(client, reverse("import_school", args=[FIRST, "2026"]), upload(path)))
    assert run.status == RunStatus.BLOCKED

    page = client.get(reverse("import_run", args=[run.pk])).content.decode()
    for ref, row in (("C2", 2), ("C3", 3), ("C6", 6), ("C10", 10)):
        assert f'<td data-label="单元格">{ref}</td><td data-label="行">{row}</td>' in page

    listing = client.get(reverse("import_report", args=[run.pk, 0]))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(b"".join(listing.streaming_content)))[
            "导入问题清单"
        ].iter_rows(values_only=True)
    )
    assert rows[0][3:5] == ("单元格", "行")
    located = {r[3]: r[4] for r in rows[1:] if r[2] == form.sheets["segments"]}
    assert located == {"C2": 2, "C3": 3, "C6": 6, "C10": 10}
