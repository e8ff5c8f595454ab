"""Hostile files at the ledger import, the organisation import and evidence uploads: a zip bomb
is refused from its zip directory with the file named, a sheet past the row limit likewise, and
nothing is written or stored."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.intake import guard
from junheng.rectification.ledger_xlsx import LedgerRow, write_ledger
from junheng.web.rectification.models import Evidence, Problem, Unit
from tests.hostile_files import dimension, padded, rewrite

pytestmark = pytest.mark.django_db


def _ledger(tmp_path, rows: int = 2):
    tasks = [
        LedgerRow(
            problem=f"问题{i}", lead_unit="县教育局", person="张三", deadline=dt.date(2026, 6, 30)
        )
        for i in range(rows)
    ]
    return write_ledger(tasks, tmp_path / "台账.xlsx")


def test_a_ledger_bomb_is_refused_naming_the_file(client, ledger, tmp_path):
    county, year = ledger["county"], ledger["year"]
    path = rewrite(_ledger(tmp_path), "xl/worksheets/sheet1.xml", padded(40))
    client.force_login(ledger["users"]["admin"])
    problems = Problem.objects.count()
    response = client.post(
        reverse("rectification_ledger_import", args=[county.pk, year.label]),
        {"ledger": SimpleUploadedFile("炸弹台账.xlsx", path.read_bytes())},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "炸弹台账.xlsx：工作簿内容异常（解压后体积过大）" in page
    assert Problem.objects.count() == problems


def test_a_long_ledger_is_refused_at_the_limit_plus_one(client, ledger, tmp_path, monkeypatch):
    county, year = ledger["county"], ledger["year"]
    # A title row, the header and 20 tasks; the dimension says one cell.
    path = rewrite(_ledger(tmp_path, rows=20), "xl/worksheets/sheet1.xml", dimension("A1"))
    limits = dataclasses.replace(guard.limits(), max_rows=21)
    monkeypatch.setattr(guard, "limits", lambda: limits)
    client.force_login(ledger["users"]["admin"])
    response = client.post(
        reverse("rectification_ledger_import", args=[county.pk, year.label]),
        {"ledger": SimpleUploadedFile("长台账.xlsx", path.read_bytes())},
    )
    assert (
        "长台账.xlsx 工作表「整改台账」：工作表行数过多（超过 21 行）" in response.content.decode()
    )


def test_an_organisation_bomb_is_refused(client, ledger):
    county, year = ledger["county"], ledger["year"]
    book = openpyxl.Workbook()
    book.active.title = "组织机构"
    book.active.append(("单位类型", "单位名称", "职责", "姓名", "职务", "联系电话"))
    book.active.append(("成员单位", "县水利局", "", "", "", ""))
    out = io.BytesIO()
    book.save(out)
    path_bytes = out.getvalue()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.xlsx"
        path.write_bytes(path_bytes)
        rewrite(path, "xl/worksheets/sheet1.xml", padded(40))
        data = path.read_bytes()
    client.force_login(ledger["users"]["admin"])
    units = Unit.objects.count()
    response = client.post(
        reverse("rectification_organisation", args=[county.pk, year.label]),
        {"action": "import", "table": SimpleUploadedFile("组织机构.xlsx", data)},
    )
    page = response.content.decode()
    assert "组织机构.xlsx：工作簿内容异常（解压后体积过大）" in page
    assert Unit.objects.count() == units


def _docx(padding_mb: float) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(
            "word/document.xml", b"<w:document>" + b" " * int(padding_mb * 2**20) + b"</w:document>"
        )
    return out.getvalue()


def test_an_evidence_document_bomb_is_refused_and_an_ordinary_one_stored(
    client, ledger, evidence_dir
):
    client.force_login(ledger["users"]["edu"])
    url = reverse("rectification_progress", args=[ledger["edu_task"].pk])
    response = client.post(
        url, {"text": "方案", "files": [SimpleUploadedFile("方案.docx", _docx(40))]}, follow=True
    )
    page = response.content.decode()
    assert "文件“方案.docx”内容异常（“word/document.xml”压缩比为" in page
    assert "未上传" in page
    assert not Evidence.objects.exists()
    assert not [p for p in evidence_dir.rglob("*") if p.is_file()]
    # Under 1 MB the ratio is not checked: an ordinary document is stored.
    response = client.post(
        url, {"text": "方案", "files": [SimpleUploadedFile("方案.docx", _docx(0.5))]}, follow=True
    )
    assert "已记录进展" in response.content.decode()
    assert Evidence.objects.count() == 1
