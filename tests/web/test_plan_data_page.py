"""规划数据 pages (`/counties/<id>/<year>/plan-data/` and `…/plan-data/<table>/`): who may read and
who may change them, Chinese headers and dropdowns, a bad cell refused at its cell with nothing
written, a good save visible after reload with its history, one school's rows saved without
touching the others', and a save over a table changed since it was opened refused."""

from __future__ import annotations

import re
from dataclasses import replace

import polars as pl
import pytest
from django.urls import reverse

from junheng.core.dataset import Dataset
from junheng.demo import DEMO_COUNTY
from junheng.web.collection.models import ChangeLog, CountyFinance
from junheng.web.pages.plan_data import ADDED_ROWS, BLANK_ROWS
from junheng.web.selectors import dataset_for, stored_rows
from tests.web.sites import demo_site, unchanged_grid

pytestmark = pytest.mark.django_db

FIRST, SECOND = "2152010001", "2152010002"
"""城关第一小学 and 城关第二小学 of the demo county."""


def _plans(county: str) -> dict[str, pl.DataFrame]:
    def build(**tables: pl.DataFrame) -> Dataset:
        return Dataset.build(pl.DataFrame(), pl.DataFrame(), **tables)

    return {
        "finance": build(
            finance=pl.DataFrame(
                {
                    "county": [county, county],
                    "year": [2024, 2025],
                    "education_expenditure_yuan": [1.5e8, 1.625e8],
                    "students": [30000, 30500],
                }
            )
        ).finance,
        "classes": build(
            classes=pl.DataFrame(
                {
                    "school_id": [FIRST, FIRST, SECOND],
                    "year": [2026, 2026, 2026],
                    "grade": [1, 1, 3],
                    "class_name": ["1", "2", "1"],
                    "students": [45, 44, 52],
                }
            )
        ).classes,
        "projects": build(
            projects=pl.DataFrame(
                {
                    "project_id": ["2026-01"],
                    "county": [county],
                    "name": ["城关一小综合楼"],
                    "kind": ["expand"],
                    "school_id": [FIRST],
                    "planned_finish": ["2027-08-31"],
                    "status": ["building"],
                }
            )
        ).projects,
    }


@pytest.fixture(name="site")
def site_fixture(demo, django_user_model):
    site = demo_site(replace(demo, **_plans(DEMO_COUNTY)), django_user_model)
    assert site["users"]["school"].profile.school.school_id == FIRST
    return site


def _url(site, table: str | None = None, school: str | None = None, of: int = 0) -> str:
    county, year = site["county"].pk, site["year"].label
    if table is None:
        return reverse("plan_data", args=[county, year])
    url = reverse("plan_table", args=[county, year, table])
    return f"{url}?school={school}&year={of}" if school else url


def _text(response) -> str:
    """What a person reads: the page without tags, attributes and scripts."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _as(client, site, who: str):
    client.force_login(site["users"][who])
    return client


@pytest.mark.parametrize("who", ["admin", "sysadmin", "leader", "inspector"])
def test_the_list_names_every_table_in_chinese_with_its_rows(client, site, who):
    response = _as(client, site, who).get(_url(site))
    assert response.status_code == 200
    text = _text(response)
    for title in (
        "年级在校生",
        "出生人口",
        "班级学生数",
        "县级教育经费",
        "建设项目",
        "编制与招聘计划",
    ):
        assert title in text
    # 3 classes in 2 schools, 2 finance years, 1 project.
    assert "3 行（2 所学校）" in text and "2 行" in text and "1 行" in text
    for name in ("grades", "births", "classes", "finance", "projects", "staffing"):
        assert name not in text
    assert ("查看和修改" in text) is (who in ("admin", "sysadmin"))


@pytest.mark.parametrize("who", ["other_admin", "school", "department"])
def test_the_pages_answer_404_outside_the_county_views(client, site, who):
    _as(client, site, who)
    assert client.get(_url(site)).status_code == 404
    assert client.get(_url(site, "finance")).status_code == 404
    assert client.post(_url(site, "finance"), {}).status_code == 404


def test_an_unknown_table_is_404(client, site):
    assert _as(client, site, "admin").get(_url(site, "schools")).status_code == 404


@pytest.mark.parametrize("who", ["leader", "inspector"])
def test_leaders_and_inspectors_read_the_table_and_cannot_post(client, site, who):
    response = _as(client, site, who).get(_url(site, "finance"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "rows-TOTAL_FORMS" not in html and "<input" not in html.split("</header>")[-1]
    text = _text(response)
    assert "一般公共预算教育支出（元）" in text and "162500000" in text
    before = list(CountyFinance.objects.values_list("students", flat=True))
    assert client.post(_url(site, "finance"), {"rows-TOTAL_FORMS": "0"}).status_code == 404
    assert list(CountyFinance.objects.values_list("students", flat=True)) == before


def test_the_grid_has_chinese_headers_units_and_dropdowns(client, site):
    response = _as(client, site, "admin").get(_url(site, "projects"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "新增教学及辅助用房面积（㎡）" in html and "计划竣工" in html
    # The stored 改扩建 and 在建 selected, the school chosen by name.
    assert '<option value="改扩建" selected>改扩建</option>' in html
    assert '<option value="在建" selected>在建</option>' in html
    assert f'<option value="{FIRST}" selected>城关第一小学</option>' in html
    # One stored project and the blank rows below it.
    assert len(response.context["formset"].forms) == 1 + BLANK_ROWS


def test_a_bad_cell_is_shown_at_its_cell_and_nothing_is_written(client, site):
    _as(client, site, "admin")
    data = unchanged_grid(client.get(_url(site, "finance")))
    data["rows-1-students"] = "三万"
    response = client.post(_url(site, "finance"), data)
    assert response.status_code == 400
    form = response.context["formset"].forms[1]
    assert form.errors["students"], "the message belongs to the cell"
    assert "三万" in form.errors["students"][0]
    text = _text(response)
    assert "数据尚未保存" in text and "第 2 行“在校学生数（人）”" in text
    assert [r["students"] for r in stored_rows(site["county"], site["year"], "finance")] == [
        30000,
        30500,
    ]
    assert not ChangeLog.objects.exists()


def test_a_good_save_is_logged_and_shown_after_reload(client, site):
    _as(client, site, "admin")
    data = unchanged_grid(client.get(_url(site, "finance")))
    data["rows-1-students"] = "30,800"
    # A new fiscal year typed into the first blank row.
    data["rows-2-year"] = "2026"
    data["rows-2-education_expenditure_yuan"] = "170000000"
    response = client.post(_url(site, "finance"), data)
    assert response.status_code == 302
    again = client.get(response["Location"])
    text = _text(again)
    assert "县级教育经费已保存，共修改 3 项。" in text
    assert again.context["formset"].forms[1]["students"].value() == "30800"
    assert again.context["formset"].forms[2]["year"].value() == "2026"
    # Changed: 2025's students; created: 2026's year and expenditure (3 values).
    logs = ChangeLog.objects.filter(model="CountyFinance", user=site["users"]["admin"])
    assert logs.count() == 3
    assert "在校学生数（人）" in text and "30500" in text and "30800" in text
    finance = dataset_for(site["county"], site["year"]).finance
    assert finance.get_column("students").to_list() == [30000, 30800, None]


def test_a_deleted_row_is_removed(client, site):
    _as(client, site, "admin")
    data = unchanged_grid(client.get(_url(site, "finance")))
    data["rows-0-DELETE"] = "on"
    assert client.post(_url(site, "finance"), data).status_code == 302
    assert [r["year"] for r in stored_rows(site["county"], site["year"], "finance")] == [2025]


def test_one_schools_rows_of_one_year_are_saved_and_the_others_kept(client, site):
    _as(client, site, "admin")
    chooser = client.get(_url(site, "classes"))
    assert "城关第二小学" in _text(chooser)
    assert f"?school={FIRST}&amp;year=2026" in chooser.content.decode()
    grid = client.get(_url(site, "classes", FIRST, 2026))
    # The school and the year are the page's: the grid has grade, class and students.
    assert list(grid.context["formset"].forms[0].fields) == [
        "grade",
        "class_name",
        "students",
        "DELETE",
    ]
    data = unchanged_grid(grid)
    data["rows-1-students"] = "43"
    data |= {"rows-2-grade": "2", "rows-2-class_name": "1", "rows-2-students": "41"}
    response = client.post(_url(site, "classes"), data)
    assert response.status_code == 302
    rows = stored_rows(site["county"], site["year"], "classes")
    assert sorted((r["school_id"], r["year"], r["grade"], r["students"]) for r in rows) == [
        (FIRST, 2026, 1, 43),
        (FIRST, 2026, 1, 45),
        (FIRST, 2026, 2, 41),
        (SECOND, 2026, 3, 52),
    ]


def test_another_year_of_a_school_is_a_grid_of_its_own(client, site):
    _as(client, site, "admin")
    data = unchanged_grid(client.get(_url(site, "classes", FIRST, 2027)))
    assert data["rows-TOTAL_FORMS"] == str(BLANK_ROWS)
    data |= {"rows-0-grade": "1", "rows-0-students": "40"}
    assert client.post(_url(site, "classes"), data).status_code == 302
    rows = stored_rows(site["county"], site["year"], "classes", table_year=2027)
    assert [(r["school_id"], r["grade"], r["students"]) for r in rows] == [(FIRST, 1, 40)]
    assert len(stored_rows(site["county"], site["year"], "classes")) == 4


@pytest.mark.parametrize(
    "query", ["?school=2152010001", "?school=2152010001&year=公元", "?school=x&year=2026"]
)
def test_a_school_page_needs_a_school_of_the_county_and_a_year(client, site, query):
    assert _as(client, site, "admin").get(_url(site, "classes") + query).status_code == 404


def test_a_duplicate_grade_row_is_refused_at_its_cell(client, site):
    _as(client, site, "admin")
    data = unchanged_grid(client.get(_url(site, "grades", FIRST, 2025)))
    for n in (0, 1):
        data |= {f"rows-{n}-grade": "1", f"rows-{n}-students": "40"}
    response = client.post(_url(site, "grades"), data)
    assert response.status_code == 400
    assert response.context["formset"].forms[1].errors["grade"]
    assert "第 2 行“年级”" in _text(response)
    assert not ChangeLog.objects.exists()


def test_adding_rows_saves_nothing(client, site):
    _as(client, site, "admin")
    data = unchanged_grid(client.get(_url(site, "finance")))
    data["add"] = "1"
    response = client.post(_url(site, "finance"), data)
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 2 + BLANK_ROWS + ADDED_ROWS
    assert not ChangeLog.objects.exists()


def test_a_save_over_a_table_changed_since_is_refused_then_allowed(client, site):
    _as(client, site, "admin")
    opened = unchanged_grid(client.get(_url(site, "finance")))
    first = dict(opened, **{"rows-0-students": "31000"})
    assert client.post(_url(site, "finance"), first).status_code == 302
    second = dict(opened, **{"rows-1-students": "32000"})
    refused = client.post(_url(site, "finance"), second)
    assert refused.status_code == 409
    assert "有人修改了这张表" in _text(refused)
    assert [r["students"] for r in stored_rows(site["county"], site["year"], "finance")] == [
        31000,
        30500,
    ]
    # Saving again from the refused page is deliberate: the typed values win.
    again = unchanged_grid(refused) | {"rows-1-students": "32000"}
    assert client.post(_url(site, "finance"), again).status_code == 302
    assert [r["students"] for r in stored_rows(site["county"], site["year"], "finance")] == [
        30000,
        32000,
    ]


def test_the_overview_links_to_the_plan_data(client, site):
    from junheng.web.services import run_evaluation

    run_evaluation(site["county"], site["year"], None)
    response = _as(client, site, "leader").get(
        reverse("county", args=[site["county"].pk, site["year"].label])
    )
    assert _url(site) in response.content.decode()


def test_a_staffing_change_in_the_history_names_the_level_in_chinese(client, site):
    from junheng.web.registry.models import School
    from junheng.web.selectors import stored_rows
    from junheng.web.services import save_stored_table

    county, year = site["county"], site["year"]
    school = School.objects.get(school_id=FIRST)
    rows = [
        {"school_id": FIRST, "year": 2027, "level": "primary", "approved_posts": 80, "hires": 3}
    ]
    save_stored_table(county, year, "staffing", rows, None, school=school, table_year=2027)
    assert stored_rows(county, year, "staffing", school=school, table_year=2027)
    page = _as(client, site, "admin").get(_url(site, "staffing", FIRST, 2027))
    text = _text(page)
    # the row is named by its school and its key: year and level, the level as 小学
    assert "城关第一小学/2027/小学" in text
    assert "primary" not in text
