"""Importing the teacher roster on its page: a good file replaces the roster of the year in
full (teachers and rotations, with who and when), a file with one bad cell stores nothing and
names the cell in Chinese, and files that are not rosters are refused before reading."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.web.registry.models import School
from junheng.web.roster.models import RosterImport, Rotation, Teacher

pytestmark = pytest.mark.django_db


def _schools(county) -> list[str]:
    return list(
        School.objects.filter(county=county)
        .order_by("school_id")
        .values_list("school_id", flat=True)
    )


def _upload(client, county, year, path):
    with path.open("rb") as f:
        upload = SimpleUploadedFile(path.name, f.read())
    return client.post(reverse("roster:page", args=[county.pk, year.label]), {"roster": upload})


def test_a_good_roster_is_stored_with_who_and_when(
    client, loaded, users, roster_file, make_teacher
):
    county, year = loaded
    a, b = _schools(county)[:2]
    path = roster_file(
        [
            make_teacher(a, "T1"),
            make_teacher(a, "T2", degree="postgraduate", backbone="county"),
            make_teacher(b, "T3", status="sick_leave"),
        ],
        [
            {
                "teacher_id": "T2",
                "from_school": b,
                "to_school": a,
                "start": dt.date(2026, 8, 25),
                "end": dt.date(2029, 7, 10),
            }
        ],
    )
    client.force_login(users["admin"])
    response = _upload(client, county, year, path)
    assert response.status_code == 302
    assert Teacher.objects.filter(county=county, year=year).count() == 3
    stored = Teacher.objects.get(teacher_id="T2")
    assert (stored.school.school_id, stored.degree, stored.backbone) == (
        a,
        "postgraduate",
        "county",
    )
    assert stored.id_number == "152201198005171234"
    assert stored.birth_date == dt.date(1980, 5, 17)
    rotation = Rotation.objects.get(county=county, year=year)
    assert (rotation.from_school, rotation.to_school, rotation.end) == (b, a, dt.date(2029, 7, 10))
    record = RosterImport.objects.get(county=county, year=year)
    assert (record.user, record.teachers, record.rotations) == (users["admin"], 3, 1)
    page = client.get(response.url)
    text = page.content.decode()
    assert "导入完成" in text and "教师 <strong>3</strong> 人" in text


def test_a_bad_cell_is_named_in_chinese_and_nothing_is_stored(
    client, loaded, users, roster_file, make_teacher, edit_cell
):
    county, year = loaded
    a = _schools(county)[0]
    client.force_login(users["admin"])
    assert _upload(client, county, year, roster_file([make_teacher(a, "OLD")])).status_code == 302
    # Row 2 is the first teacher (row 1 the headers); 最高学历 is the roster's 8th column, H.
    path = edit_cell(
        roster_file([make_teacher(a, "N1"), make_teacher(a, "N2")]), "最高学历", 2, "博士后"
    )
    response = _upload(client, county, year, path)
    assert response.status_code == 400
    text = response.content.decode()
    assert "未写入任何数据" in text
    assert "H2" in text and "博士后" in text and "最高学历" in text
    assert list(Teacher.objects.filter(county=county).values_list("teacher_id", flat=True)) == [
        "OLD"
    ]
    assert RosterImport.objects.filter(county=county).count() == 1


def test_an_unknown_school_is_an_error_at_its_cell(
    client, loaded, users, roster_file, make_teacher
):
    county, year = loaded
    client.force_login(users["admin"])
    response = _upload(client, county, year, roster_file([make_teacher("9999999999", "T1")]))
    assert response.status_code == 400
    text = response.content.decode()
    assert "A2" in text and "9999999999" in text
    assert not Teacher.objects.exists()


def test_an_import_replaces_the_whole_roster_of_the_year(
    client, loaded, users, roster_file, make_teacher
):
    county, year = loaded
    a, b = _schools(county)[:2]
    client.force_login(users["admin"])
    first = roster_file(
        [make_teacher(a, "T1"), make_teacher(a, "T2")],
        [{"teacher_id": "T1", "from_school": b, "to_school": a, "start": dt.date(2026, 9, 1)}],
    )
    assert _upload(client, county, year, first).status_code == 302
    second = roster_file([make_teacher(b, "T9", name="李老师")])
    assert _upload(client, county, year, second).status_code == 302
    assert [(t.teacher_id, t.school.school_id, t.name) for t in Teacher.objects.all()] == [
        ("T9", b, "李老师")
    ]
    assert not Rotation.objects.exists()
    assert RosterImport.objects.filter(county=county, year=year).count() == 2


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("名册.pdf", b"%PDF-1.4", "不是 .xlsx 工作簿"),
        ("名册.xlsx", b"not a workbook", "未写入任何数据"),
    ],
)
def test_files_that_are_not_rosters_are_refused(client, loaded, users, name, content, reason):
    county, year = loaded
    client.force_login(users["admin"])
    upload = SimpleUploadedFile(name, content)
    response = client.post(reverse("roster:page", args=[county.pk, year.label]), {"roster": upload})
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not Teacher.objects.exists()


def test_a_post_without_a_file_asks_for_one(client, loaded, users):
    county, year = loaded
    client.force_login(users["admin"])
    response = client.post(reverse("roster:page", args=[county.pk, year.label]), {})
    assert response.status_code == 400
    assert "请选择要上传的教师名册文件" in response.content.decode()


def test_a_masked_roster_sent_back_keeps_the_full_numbers(
    client, loaded, users, roster_file, make_teacher
):
    county, year = loaded
    a = _schools(county)[0]
    client.force_login(users["admin"])
    assert _upload(client, county, year, roster_file([make_teacher(a, "T1")])).status_code == 302
    masked = client.get(reverse("roster:template", args=[county.pk, year.label]) + "?current=1")
    path = roster_file([])
    path.write_bytes(masked.content)
    response = _upload(client, county, year, path)
    assert response.status_code == 400
    text = response.content.decode()
    # a cell error at the ID number of T1's row (Excel row 2), the value still masked
    assert (
        "未写入任何数据" in text and "完整的身份证号：下载的当前名册隐去了身份证号中间 8 位" in text
    )
    assert '<td data-label="列">身份证号</td>' in text and '<td data-label="行">2</td>' in text
    assert "152201********1234" in text
    assert Teacher.objects.get().id_number == "152201198005171234"


def test_the_empty_template_has_the_roster_columns(client, loaded, users):
    county, year = loaded
    client.force_login(users["admin"])
    response = client.get(reverse("roster:template", args=[county.pk, year.label]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["教师名册", "交流轮岗记录"]
    headers = [c.value for c in book["教师名册"][1]]
    assert headers[:3] == ["学校标识码", "教师编号", "姓名"] and "身份证号" in headers
    assert book["教师名册"].max_row == 1
