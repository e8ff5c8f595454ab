"""The school data form over HTTP: labels from the schema, the import's validation with inline
errors, history of every change, optimistic locking between two editors, and role denials."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from junheng.core.schema import SCHOOL_FACT_DEFS, SEGMENTS
from junheng.intake.reader import read_dataset
from junheng.intake.writer import write_csv_folder
from junheng.web.collection.forms import problem_text
from junheng.web.collection.models import (
    ChangeLog,
    SchoolFactValue,
    SchoolYearData,
    SegmentData,
    Status,
)
from junheng.web.selectors import dataset_for
from tests.web import test_entry_fixtures as fixtures
from tests.web.test_entry_fixtures import OWN, edit_url, school_url, stored_form

site = fixtures.site

pytestmark = pytest.mark.django_db


def _segment(site, level="primary", school="own"):
    return SegmentData.objects.get(school=site[school], year=site["year"], level=level)


# Scope and roles ----------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, site):
    url = edit_url(site["own"], site["year"])
    for response in (client.get(url), client.post(url, stored_form(site["own"], site["year"]))):
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert ChangeLog.objects.count() == 0


def test_school_user_cannot_open_another_schools_form(client, site):
    client.force_login(site["users"]["school"])
    url = edit_url(site["other"], site["year"])
    response = client.get(url)
    assert response.status_code == 404
    assert site["other"].name not in response.content.decode()
    form = stored_form(site["other"], site["year"]) | {"primary__students": "1"}
    assert client.post(url, form).status_code == 404
    assert _segment(site, school="other").students == 1860


def test_admin_of_another_county_gets_404(client, site):
    client.force_login(site["users"]["other_admin"])
    url = edit_url(site["own"], site["year"])
    response = client.get(url)
    assert response.status_code == 404
    assert site["own"].name not in response.content.decode()
    form = stored_form(site["own"], site["year"]) | {"primary__students": "1"}
    assert client.post(url, form).status_code == 404
    assert _segment(site).students == 2260


@pytest.mark.parametrize("role", ["leader", "inspector"])
def test_readers_may_not_open_or_post_the_form(client, site, role):
    client.force_login(site["users"][role])
    url = edit_url(site["own"], site["year"])
    assert client.get(url).status_code == 403
    form = stored_form(site["own"], site["year"]) | {"primary__students": "1"}
    assert client.post(url, form).status_code == 403
    assert _segment(site).students == 2260
    # The school page they may read offers no edit link.
    body = client.get(school_url(site["own"], site["year"])).content.decode()
    assert url not in body
    assert "填报 / 修改数据" not in body


def test_form_post_requires_csrf(site):
    client = Client(enforce_csrf_checks=True)
    client.force_login(site["users"]["school"])
    form = stored_form(site["own"], site["year"]) | {"primary__students": "2270"}
    response = client.post(edit_url(site["own"], site["year"]), form)
    assert response.status_code == 403
    assert _segment(site).students == 2260


@pytest.mark.parametrize("who", ["school", "admin", "sysadmin"])
def test_editors_open_the_form(client, site, who):
    client.force_login(site["users"][who])
    assert client.get(edit_url(site["own"], site["year"])).status_code == 200


# The form -----------------------------------------------------------------------------------


def test_form_has_every_segment_field_with_schema_labels_and_units(client, site):
    client.force_login(site["users"]["school"])
    response = client.get(edit_url(site["own"], site["year"]))
    body = response.content.decode()
    assert "小学学段" in body and "初中学段" not in body
    # A single-level school has no shared-facility section.
    assert "整校共用设施" not in body
    for column in SEGMENTS.columns[2:]:
        assert f'name="primary__{column.name}"' in body
        assert column.zh in body
    assert '<span class="unit">㎡</span>' in body and '<span class="unit">人</span>' in body
    for fact in SCHOOL_FACT_DEFS:
        assert fact.zh in body
    # Item ids come from the standard: 章程 feeds Q3, the training budget share Q4.
    assert "Q3 学校制定章程" in body and "Q4 教师培训经费占年度公用经费比例" in body
    assert 'name="primary__students" value="2260"' in body
    assert 'name="primary__equipment_value_yuan" value="7873800"' in body
    assert 'name="version" value="1"' in body


def test_last_years_values_stand_beside_the_fields(client, site):
    from junheng.demo import demo_county_before
    from junheng.web.registry.management.commands.junheng_demo import DEMO_CITY, DEMO_PROVINCE
    from junheng.web.services import load_dataset

    client.force_login(site["users"]["school"])
    url = edit_url(site["own"], site["year"])
    assert "学年：" not in client.get(url).content.decode()  # no earlier year yet
    load_dataset(demo_county_before(1), "2025", province=DEMO_PROVINCE, city=DEMO_CITY)
    body = client.get(url).content.decode()

    def block(name):
        """The field's part of the page: from its input to the next field."""
        start = body.index(f'name="{name}"')
        return body[start : body.index('<div class="entry-field', start)]

    # 2026: 7,873,800 yuan entered; 2025 (the demo's year before): 7,480,110.
    assert 'value="7873800"' in block("primary__equipment_value_yuan")
    assert '<p class="previous">2025 学年：7480110</p>' in block("primary__equipment_value_yuan")
    assert '<p class="previous">2025 学年：2260</p>' in block("primary__students")


def test_combined_school_has_both_levels_and_shared_facilities(client, site):
    client.force_login(site["users"]["combined"])
    body = client.get(edit_url(site["combined"], site["year"])).content.decode()
    assert "小学学段" in body and "初中学段" in body
    assert "整校共用设施" in body
    assert 'name="school__teaching_aux_area_m2" value="16986.3"' in body
    assert 'name="school__senior_students"' in body


def test_saving_writes_every_change_to_the_history(client, site):
    user = site["users"]["school"]
    client.force_login(user)
    form = stored_form(site["own"], site["year"]) | {
        "primary__students": "2270",
        "primary__arts_teachers": "3",
        "fact__training_budget_share": "8%",
        "note__training_budget_share": "县财政局批复",
    }
    response = client.post(edit_url(site["own"], site["year"]), form)
    assert response.status_code == 302
    assert response.url == school_url(site["own"], site["year"])
    segment = _segment(site)
    assert (segment.students, segment.arts_teachers) == (2270, 3)
    fact = SchoolFactValue.objects.get(school=site["own"], fact="training_budget_share")
    assert (fact.value, fact.note) == ("0.08", "县财政局批复")
    logs = {(log.model, log.field): log for log in ChangeLog.objects.all()}
    assert len(logs) == 4
    students = logs[("SegmentData", "students")]
    assert (students.old_value, students.new_value) == ("2260", "2270")
    assert students.user == user and students.school == site["own"]
    assert students.year == site["year"]
    # A value entered where there was none is a change too.
    arts = logs[("SegmentData", "arts_teachers")]
    assert (arts.old_value, arts.new_value) == (None, "3")
    share = logs[("SchoolFactValue", "value")]
    assert (share.old_value, share.new_value) == ("0.077", "0.08")
    assert logs[("SchoolFactValue", "note")].new_value == "县财政局批复"
    data = SchoolYearData.objects.get(school=site["own"], year=site["year"])
    assert data.version == 2 and data.updated_by == user
    assert dataset_for(site["county"], site["year"]).segments.filter(pl.col("school_id") == OWN)[
        "students"
    ].to_list() == [2270]
    page = client.get(response.url).content.decode()
    assert "已保存，共修改 4 项" in page
    assert "小学 · 在校生数（人）" in page and "2260" in page and "2270" in page


def test_an_unchanged_form_changes_nothing(client, site):
    client.force_login(site["users"]["school"])
    response = client.post(
        edit_url(site["own"], site["year"]), stored_form(site["own"], site["year"])
    )
    assert response.status_code == 302
    assert ChangeLog.objects.count() == 0
    assert SchoolYearData.objects.get(school=site["own"], year=site["year"]).version == 1
    assert "没有修改任何内容" in client.get(response.url).content.decode()


def test_degree_counts_not_summing_to_teachers_show_on_the_form(client, site):
    client.force_login(site["users"]["school"])
    form = stored_form(site["own"], site["year"]) | {"primary__teachers_bachelor": "80"}
    response = client.post(edit_url(site["own"], site["year"]), form)
    assert response.status_code == 200
    body = response.content.decode()
    message = "各学历专任教师数之和（4 + 80 + 22 + 2 = 108）不等于专任教师数，应等于专任教师数 113"
    assert message in body
    # Shown under the 专任教师数 field, and the entered value is kept.
    field = body.index('name="primary__teachers"')
    assert field < body.index(message) < body.index('name="primary__teachers_postgraduate"')
    assert 'name="primary__teachers_bachelor" value="80"' in body
    assert "数据尚未保存" in body
    assert _segment(site).teachers_bachelor == 85
    assert ChangeLog.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("primary__students", "abc", "值“abc”不是整数，应为不小于 0 的整数"),
        ("primary__students", "-5", "值“-5”小于下限，应为不小于 0 的整数"),
        (
            "primary__teaching_aux_area_m2",
            "12000平方米",
            "值“12000平方米”带了单位，应只填数字 12000；单位（㎡）已在表头中",
        ),
        ("primary__pe_teachers", "200", "值“200”超过了专任教师数，应不大于专任教师数 113"),
        (
            "fact__moral_education_rating",
            "很好",
            "值“很好”无效，「德育工作与校园文化建设评价」应填 优秀、良好、合格、不合格 之一",
        ),
        (
            "fact__training_budget_share",
            "8",
            "值“8”无效，「教师培训经费占年度公用经费比例」应填 0 到 1 之间的小数或百分数",
        ),
    ],
)
def test_bad_values_are_refused_inline_in_chinese(client, site, field, value, message):
    client.force_login(site["users"]["school"])
    form = stored_form(site["own"], site["year"]) | {field: value}
    body = client.post(edit_url(site["own"], site["year"]), form).content.decode()
    assert message in body
    at = body.index(f'name="{field}"')
    assert at < body.index(message)
    assert (
        f'name="{field}" value="{value}"' in body
        or f'value="{value}" selected' in body
        or (value in body[at : at + 600])
    )
    assert ChangeLog.objects.count() == 0


def test_the_form_refuses_what_an_import_refuses_with_the_same_words(client, site, tmp_path):
    """The same bad value through a CSV import and through the form gives the same message."""
    dataset = dataset_for(site["county"], site["year"])
    bad = dataset.segments.with_columns(
        pl.when(pl.col("school_id") == OWN)
        .then(pl.lit(80))
        .otherwise(pl.col("teachers_bachelor"))
        .alias("teachers_bachelor")
    )
    folder = tmp_path / "data"
    write_csv_folder(
        type(dataset).build(
            dataset.schools,
            bad,
            dataset.county_facts,
            dataset.school_facts,
            dataset.survey,
            dataset.notes,
        ),
        folder,
    )
    imported = [problem_text(e) for e in read_dataset(Path(folder)).blocking]
    shutil.rmtree(folder)
    assert len(imported) == 1
    client.force_login(site["users"]["school"])
    form = stored_form(site["own"], site["year"]) | {"primary__teachers_bachelor": "80"}
    body = client.post(edit_url(site["own"], site["year"]), form).content.decode()
    assert imported[0] in body


def test_clearing_a_segment_removes_it_and_logs_the_values(client, site):
    client.force_login(site["users"]["combined"])
    form = stored_form(site["combined"], site["year"])
    junior = {k: "" for k in form if k.startswith("junior__")}
    before = SegmentData.objects.get(school=site["combined"], level="junior")
    response = client.post(edit_url(site["combined"], site["year"]), form | junior)
    assert response.status_code == 302
    assert not SegmentData.objects.filter(school=site["combined"], level="junior").exists()
    removed = ChangeLog.objects.get(model="SegmentData", field="students")
    assert (removed.old_value, removed.new_value) == (str(before.students), None)


def test_shared_facilities_reported_twice_are_refused(client, site):
    client.force_login(site["users"]["combined"])
    form = stored_form(site["combined"], site["year"]) | {"junior__teaching_aux_area_m2": "5000"}
    body = client.post(edit_url(site["combined"], site["year"]), form).content.decode()
    assert "已在学校表整校填报" in body
    assert "初中学段也填了此项" in body
    assert ChangeLog.objects.count() == 0


def test_no_level_filled_in_is_refused(client, site):
    client.force_login(site["users"]["school"])
    form = stored_form(site["own"], site["year"])
    blank = {k: "" for k in form if k.startswith("primary__")}
    body = client.post(edit_url(site["own"], site["year"]), form | blank).content.decode()
    assert "表中没有数据行，应至少填写一行数据" in body
    assert _segment(site).students == 2260


# Optimistic locking -------------------------------------------------------------------------


def test_two_editors_the_second_is_refused_and_keeps_what_was_entered(site):
    year, school = site["year"], site["own"]
    first, second = Client(), Client()
    first.force_login(site["users"]["school"])
    second.force_login(site["users"]["admin"])
    url = edit_url(school, year)
    # Both open the form at version 1.
    for client in (first, second):
        assert 'name="version" value="1"' in client.get(url).content.decode()
    opened = stored_form(school, year)

    saved = first.post(url, opened | {"primary__students": "2270"})
    assert saved.status_code == 302

    refused = second.post(url, opened | {"primary__students": "2300", "primary__classes": "55"})
    assert refused.status_code == 409
    body = refused.content.decode()
    data = SchoolYearData.objects.get(school=school, year=year)
    assert data.version == 2
    assert "保存失败：在您打开本页之后，李填报于" in body
    assert data.updated_at is not None
    # Nothing is lost: the second editor's values are still in the form, the stored values
    # are shown beside the fields that differ, and nothing of theirs was written.
    assert 'name="primary__students" value="2300"' in body
    assert 'name="primary__classes" value="55"' in body
    assert "当前值：2270" in body and "当前值：54" in body
    assert _segment(site).students == 2270 and _segment(site).classes == 54
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert 'name="version" value="2"' in body
    again = second.post(url, opened | {"version": "2", "primary__students": "2300"})
    assert again.status_code == 302
    assert _segment(site).students == 2300
    assert list(
        ChangeLog.objects.filter(field="students")
        .order_by("id")
        .values_list("user__username", "new_value")
    ) == [("school", "2270"), ("cadmin", "2300")]


def test_an_import_after_the_form_was_opened_also_refuses_it(client, site, demo):
    from junheng.web.registry.management.commands.junheng_demo import DEMO_CITY, DEMO_PROVINCE
    from junheng.web.services import load_dataset

    client.force_login(site["users"]["school"])
    opened = stored_form(site["own"], site["year"])
    changed = demo.segments.with_columns(
        pl.when(pl.col("school_id") == OWN)
        .then(pl.lit(2261))
        .otherwise(pl.col("students"))
        .alias("students")
    )
    load_dataset(
        type(demo).build(
            demo.schools, changed, demo.county_facts, demo.school_facts, demo.survey, demo.notes
        ),
        site["year"].label,
        province=DEMO_PROVINCE,
        city=DEMO_CITY,
    )
    response = client.post(edit_url(site["own"], site["year"]), opened | {"primary__classes": "55"})
    assert response.status_code == 409
    assert "系统（批量导入）" in response.content.decode()
    assert _segment(site).classes == 54


# Locked states ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "words"),
    [(Status.SUBMITTED, "已提交审核，不能修改"), (Status.APPROVED, "已审核锁定，不能修改")],
)
def test_submitted_or_approved_data_cannot_be_changed(client, site, status, words):
    SchoolYearData.objects.filter(school=site["own"]).update(status=status)
    client.force_login(site["users"]["school"])
    url = edit_url(site["own"], site["year"])
    page = client.get(url).content.decode()
    assert words in page
    assert re.search(r'<input[^>]*name="primary__students"[^>]*disabled', page)
    assert ">保存</button>" not in page
    response = client.post(url, stored_form(site["own"], site["year"]) | {"primary__students": "1"})
    assert response.status_code == 409
    assert words in response.content.decode()
    assert _segment(site).students == 2260


def test_a_year_without_data_is_started_from_the_form(client, site):
    from junheng.web.registry.models import SchoolYear

    year = SchoolYear.objects.create(label="2027")
    school = site["own"]
    client.force_login(site["users"]["school"])
    page = client.get(edit_url(school, year)).content.decode()
    assert 'name="version" value="0"' in page and "小学学段" in page
    form = {
        "version": "0",
        "primary__students": "2300",
        "primary__classes": "55",
        "primary__teachers": "3",
        "primary__teachers_postgraduate": "0",
        "primary__teachers_bachelor": "2",
        "primary__teachers_associate": "1",
        "primary__teachers_below_associate": "0",
        "fact__has_charter": "是",
    }
    response = client.post(edit_url(school, year), form)
    assert response.status_code == 302
    data = SchoolYearData.objects.get(school=school, year=year)
    assert (data.status, data.version) == (Status.DRAFT, 1)
    segment = SegmentData.objects.get(school=school, year=year)
    assert (segment.students, segment.teachers_bachelor, segment.music_rooms) == (2300, 2, None)
    assert SchoolFactValue.objects.get(school=school, year=year).value == "是"
    logged = set(ChangeLog.objects.filter(year=year).values_list("model", "field", "new_value"))
    assert ("SegmentData", "students", "2300") in logged
    assert ("SchoolFactValue", "value", "是") in logged
    assert len(logged) == 8  # seven segment values (zeros included) and one fact
    # The 2026 data is untouched.
    assert _segment(site).students == 2260
