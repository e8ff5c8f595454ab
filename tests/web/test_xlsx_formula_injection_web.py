"""The workbooks the web hands out hold names typed by users as text, never as formulas.

The demo county is renamed to =HYPERLINK(…), four schools to "+1+1", "-2+3", "@SUM(A1)" and
"\\t=1+1"; a survey is titled, a department named and a task's measures written the same way.
Every download is scanned at the XML level (tests/reports/xlsx_scan.py): no <f> element, the
text there exactly as typed. The writers run without the web in
tests/reports/test_xlsx_formula_injection.py.
"""

from __future__ import annotations

import datetime as dt
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from junheng.reports import xlsx_cells
from junheng.web.accounts.models import Profile, Role
from junheng.web.rectification import services as rectification
from junheng.web.rectification.models import Problem, Unit, UnitKind
from junheng.web.registry.models import School
from junheng.web.services import run_evaluation
from junheng.web.surveys import services as surveys
from tests.reports.xlsx_scan import EVIL, HOSTILE, Scan, scan_workbook
from tests.web import test_web_import as web_import
from tests.web.test_web_import import SECOND, county_url, post_import, run_of, segment_cell, upload

# the import tests' fixtures: their site with its users, the filled county template, and the
# folder of import runs (used by every test of this module, as there)
site = web_import.site
workbook = web_import.workbook
import_dir = web_import.import_dir

pytestmark = pytest.mark.django_db

SCHOOL_NAMES = HOSTILE[1:]


@pytest.fixture
def hostile(loaded, django_user_model):
    county, year = loaded
    county.name = EVIL
    county.save()
    schools = list(School.objects.filter(county=county).order_by("school_id")[: len(SCHOOL_NAMES)])
    for school, name in zip(schools, SCHOOL_NAMES, strict=True):
        school.name = name
        school.save()
    admin = django_user_model.objects.create_user("cadmin", password="pw-均衡-2026")
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    return county, year, admin, schools


def _download(client, url: str) -> Scan:
    response = client.get(url)
    assert response.status_code == 200, url
    content = b"".join(response.streaming_content) if response.streaming else response.content
    scan = scan_workbook(content)
    assert scan.formulas == [], f"{url}: {scan.formulas}"
    return scan


def test_templates_and_school_books(client, hostile):
    county, year, admin, schools = hostile
    client.force_login(admin)
    template = _download(client, reverse("import_county_template", args=[county.pk, year.label]))
    assert set(SCHOOL_NAMES) <= template.texts and EVIL in template.texts
    books = _download(client, reverse("import_school_books", args=[county.pk, year.label]))
    assert set(SCHOOL_NAMES) <= books.texts and EVIL in books.texts
    one = _download(client, reverse("import_school_book", args=[schools[3].school_id, year.label]))
    assert "\t=1+1" in one.texts and "\t=1+1 数据填报表（2026学年）" in one.texts


def test_survey_results(client, hostile):
    county, year, admin, _ = hostile
    now = timezone.now()
    survey = surveys.create_survey(
        county,
        year,
        None,
        title=EVIL,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        population=352_000,
    )
    client.force_login(admin)
    url = reverse("survey_export", args=[survey.pk])
    scan = _download(client, url)
    # the title row is the county and table, the second row the survey's title (A2, merged)
    book = openpyxl.load_workbook(io.BytesIO(client.get(url).content))
    for sheet in book.worksheets:
        assert sheet["A1"].value.startswith(EVIL) and sheet["A1"].data_type == "s"
        assert sheet["A2"].value.startswith(f"{EVIL}（") and sheet["A2"].data_type == "s"
    assert scan.starting_with(EVIL)


def test_ledger_organisation_and_dashboard_exports(client, hostile):
    county, year, admin, _ = hostile
    snapshot = run_evaluation(county, year, None)
    unit = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name=EVIL, duties="+1+1")
    rectification.generate_problems(county, year, snapshot, admin)
    problem = Problem.objects.filter(county=county, year=year).order_by("id").first()
    rectification.save_task(
        problem,
        rectification.TaskFields(
            lead_unit=unit,
            responsible_units=[],
            person="-2+3",
            leader="@SUM(A1)",
            measures="\t=1+1",
            deadline=dt.date(2026, 6, 30),
            budget_wan=None,
        ),
        admin,
    )
    client.force_login(admin)
    ledger = _download(client, reverse("rectification_ledger_xlsx", args=[county.pk, year.label]))
    assert set(HOSTILE) <= ledger.texts
    organisation = _download(
        client, reverse("rectification_organisation_template", args=[county.pk, year.label])
    )
    assert {EVIL, "+1+1"} <= organisation.texts
    schools = _download(client, reverse("county_export", args=[county.pk, year.label, "schools"]))
    assert set(SCHOOL_NAMES) & schools.texts
    assert schools.starting_with(EVIL)  # the heading names the county


def test_import_problem_list_and_annotated_copy(site, client, workbook):
    """A cell typed as text "=HYPERLINK(…)" in a number column is echoed by the problem list and
    kept in the annotated copy, as text in both."""
    students = segment_cell(workbook, SECOND, "primary", "在校生数（人）")
    book = openpyxl.load_workbook(workbook)
    xlsx_cells.set_value(book["学段"][students], EVIL)
    book.save(workbook)
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    assert run.reports == ["导入问题清单.xlsx", f"标注_{workbook.name}"]
    listing = _download(client, reverse("import_report", args=[run.pk, 0]))
    assert EVIL in listing.texts
    annotated = _download(client, reverse("import_report", args=[run.pk, 1]))
    assert EVIL in annotated.texts
