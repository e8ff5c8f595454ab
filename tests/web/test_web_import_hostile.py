"""Hostile uploads at the web import: a zip bomb, a sheet past the row limit and a CSV file with a
NUL byte are refused for the county and for a school (whose 一校一册 was accepted before), with
the file named and no run, no annotated copy and no server error; the limits are the intake's
(`junheng/intake/limits.yaml`)."""

# ruff: noqa: F811 (the fixtures of test_web_import are imported by name)
from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.intake import guard
from junheng.intake.writer import write_csv_folder
from junheng.web.imports.models import ImportRun, RunStatus
from tests.hostile_files import dimension, padded, rewrite, sheet_part, worksheet_parts
from tests.web.test_web_import import (  # noqa: F401 (fixtures)
    FIRST,
    PASSWORD,
    XLSX,
    book_of,
    county_url,
    import_dir,
    post_import,
    run_of,
    site,
    state,
    upload,
    workbook,
)

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_county_workbook_bomb_is_refused_on_arrival(site, client, workbook):
    rewrite(workbook, sheet_part(workbook, "学段"), padded(40))
    client.force_login(site["users"]["admin"])
    before = state(site["county"], site["year"])
    page = _page(post_import(client, county_url(site), upload(workbook, "炸弹.xlsx")))
    assert "炸弹.xlsx：工作簿内容异常（解压后体积过大），可能已损坏" in page
    assert "压缩比为" in page and "未导入任何数据" in page
    assert ImportRun.objects.count() == 0
    assert state(site["county"], site["year"]) == before


def test_a_bomb_inside_a_zip_archive_is_named_with_the_archive(site, client, workbook, tmp_path):
    rewrite(workbook, sheet_part(workbook, "学段"), padded(40))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        z.writestr("县/炸弹.xlsx", workbook.read_bytes())
    client.force_login(site["users"]["admin"])
    packed = SimpleUploadedFile("打包.zip", archive.getvalue(), content_type="application/zip")
    page = _page(post_import(client, county_url(site), packed))
    assert "打包.zip/县/炸弹.xlsx：工作簿内容异常" in page
    assert ImportRun.objects.count() == 0


def test_a_sheet_past_the_row_limit_is_refused_and_one_at_it_is_read(site, client, workbook):
    client.force_login(site["users"]["admin"])
    part = sheet_part(workbook, "学段")
    at = workbook.with_name("满.xlsx")
    at.write_bytes(workbook.read_bytes())
    rewrite(at, part, dimension("A1:AB100000"))
    run = run_of(post_import(client, county_url(site), upload(at)))
    assert run.status == RunStatus.LOADED, run.problems

    over = workbook.with_name("超.xlsx")
    over.write_bytes(workbook.read_bytes())
    rewrite(over, part, dimension("A1:AB100001"))
    page = _page(post_import(client, county_url(site), upload(over)))
    assert (
        "超.xlsx 工作表「学段」：工作表行数过多（100,001 行），每张工作表不能超过 100,000 行"
        in page
    )
    assert ImportRun.objects.count() == 1


def test_a_sheet_whose_dimension_lies_is_stopped_while_streaming(
    site, client, workbook, monkeypatch
):
    # Every sheet says it is one cell, so only the count while streaming can stop the long ones.
    for part in worksheet_parts(workbook):
        rewrite(workbook, part, dimension("A1"))
    limits = dataclasses.replace(guard.limits(), max_rows=30)
    monkeypatch.setattr(guard, "limits", lambda: limits)
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(workbook)))
    assert run.status == RunStatus.BLOCKED
    long = [p for p in run.problems if p["code"] == "too-many-rows"]
    assert {p["sheet"] for p in long} >= {"学校", "学段"}
    assert {p["value"] for p in long} == {"超过 30 行"}
    # Only the problem list: the refused workbook is not loaded again for an annotated copy.
    assert run.reports == ["导入问题清单.xlsx"]


def test_a_school_books_bomb_is_refused(site, client, tmp_path, demo):
    book = book_of(demo, FIRST, tmp_path, students=2250)
    rewrite(book, sheet_part(book, "学段数据"), padded(40))
    client.force_login(site["users"]["school"])
    url = reverse("import_school", args=[FIRST, site["year"].label])
    before = state(site["county"], site["year"])
    page = _page(post_import(client, url, upload(book)))
    assert f"{FIRST}.xlsx：工作簿内容异常（解压后体积过大）" in page
    assert ImportRun.objects.count() == 0
    assert state(site["county"], site["year"]) == before


def test_a_school_book_past_the_row_limit_is_refused(site, client, tmp_path, demo, monkeypatch):
    book = book_of(demo, FIRST, tmp_path, students=2250)
    for part in worksheet_parts(book):
        rewrite(book, part, dimension("A1"))
    limits = dataclasses.replace(guard.limits(), max_rows=10)
    monkeypatch.setattr(guard, "limits", lambda: limits)
    client.force_login(site["users"]["school"])
    url = reverse("import_school", args=[FIRST, site["year"].label])
    run = run_of(post_import(client, url, upload(book)))
    assert run.status == RunStatus.BLOCKED
    # 学校信息 (16 rows) is the first sheet the form reader streams past the limit.
    assert [(p["code"], p["file"], p["sheet"]) for p in run.problems] == [
        ("too-many-rows", f"{FIRST}.xlsx", "学校信息")
    ]


def test_a_nul_byte_in_a_gbk_csv_is_a_cell_error_not_a_server_error(site, client, tmp_path, demo):
    folder = tmp_path / "csv"
    write_csv_folder(demo, folder)
    schools = (folder / "schools.csv").read_text(encoding="utf-8-sig")
    assert "城关第一小学" in schools
    (folder / "schools.csv").write_bytes(
        schools.replace("城关第一小学", "城关第一\x00小学", 1).encode("gbk")
    )
    files = [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in sorted(folder.glob("*.csv"))
    ]
    client.force_login(site["users"]["admin"])
    before = state(site["county"], site["year"])
    run = run_of(post_import(client, county_url(site), *files))
    assert run.status == RunStatus.BLOCKED
    problem = next(p for p in run.problems if p["code"] == "control-character")
    assert (problem["file"], problem["column"]) == ("schools.csv", "name")
    assert problem["value"] == "城关第一[U+0000]小学"
    assert "\x00" not in str(run.problems)
    page = _page(client.get(reverse("import_run", args=[run.pk])))
    assert "城关第一[U+0000]小学" in page and "单元格含不可见字符" in page, page[-3000:]
    assert state(site["county"], site["year"]) == before


def test_an_unrecognised_school_book_is_named(site, client, tmp_path, demo):
    import openpyxl

    book = book_of(demo, FIRST, tmp_path)
    workbook = openpyxl.load_workbook(book)
    for sheet in workbook.worksheets:
        sheet.title = f"表{sheet.title}"
    workbook.save(book)
    client.force_login(site["users"]["admin"])
    run = run_of(post_import(client, county_url(site), upload(book, "改过的.xlsx")))
    assert run.status == RunStatus.BLOCKED
    missing = [p for p in run.problems if p["code"] == "missing-table"]
    assert missing and all(p["file"] == "改过的.xlsx" for p in missing)


def test_the_upload_limits_are_the_intakes(tmp_path: Path):
    from junheng.web.imports import uploads

    assert uploads.MAX_FILE_MB == guard.limits().max_file_mb == 50
    assert guard.limits().max_archive_members == uploads.MAX_ARCHIVE_MEMBERS
    assert PASSWORD and XLSX
