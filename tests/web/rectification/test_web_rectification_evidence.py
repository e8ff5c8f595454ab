"""Evidence upload over HTTP: typed by content (a renamed executable is refused), size limited
by the data file, stored under the evidence folder by SHA-256, downloaded only by readers of
the county."""

from __future__ import annotations

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.web.rectification import evidence
from junheng.web.rectification.models import Evidence, ProgressUpdate

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def _post(client, task, *files, text="上传整改照片"):
    return client.post(
        reverse("rectification_progress", args=[task.pk]),
        {"text": text, "files": list(files)},
        follow=True,
    )


def _stored_files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_pdf_and_docx_are_stored_by_checksum_and_downloaded(client, ledger, evidence_dir):
    task = ledger["edu_task"]
    client.force_login(ledger["users"]["edu"])
    docx = _docx()
    response = _post(
        client,
        task,
        SimpleUploadedFile("验收报告.pdf", PDF),
        SimpleUploadedFile("方案.docx", docx),
    )
    assert "已记录进展" in response.content.decode()
    files = list(Evidence.objects.order_by("name"))
    assert [(f.name, f.kind, f.size) for f in files] == [
        ("方案.docx", "docx", len(docx)),
        ("验收报告.pdf", "pdf", len(PDF)),
    ]
    pdf = files[1]
    assert pdf.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (evidence_dir / pdf.path).read_bytes() == PDF
    assert pdf.path == f"{pdf.sha256[:2]}/{pdf.sha256}"
    download = client.get(reverse("rectification_evidence", args=[pdf.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Security-Policy"] == "sandbox"
    # readers of the county may download; others get 404
    client.force_login(ledger["users"]["leader"])
    assert client.get(reverse("rectification_evidence", args=[pdf.pk])).status_code == 200
    for role in ("other_admin", "school", "foreign"):
        client.force_login(ledger["users"][role])
        assert client.get(reverse("rectification_evidence", args=[pdf.pk])).status_code == 404


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "实际是Windows 可执行程序"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "实际是Linux 可执行程序"),
    ],
)
def test_a_disguised_executable_is_refused(client, ledger, evidence_dir, content, said):
    task = ledger["edu_task"]
    client.force_login(ledger["users"]["edu"])
    before = ProgressUpdate.objects.count()
    response = _post(
        client, task, SimpleUploadedFile("照片.pdf", PDF), SimpleUploadedFile("验收.pdf", content)
    )
    page = response.content.decode()
    assert f"文件“验收.pdf”{said}" in page and "本次进展未保存" in page
    assert ProgressUpdate.objects.count() == before
    assert not Evidence.objects.exists()
    # the valid file of the same upload was not kept either
    assert _stored_files(evidence_dir) == []


def test_an_oversize_file_is_refused(client, ledger, evidence_dir, monkeypatch):
    monkeypatch.setattr(evidence, "limits", lambda: evidence.Limits(max_file_mb=0.001, max_files=5))
    client.force_login(ledger["users"]["admin"])
    big = PDF + b"0" * 2000  # 1 KB limit is 1,048 bytes
    response = _post(client, ledger["edu_task"], SimpleUploadedFile("扫描件.pdf", big))
    assert "文件“扫描件.pdf”大小超过上限 0.001 MB，未上传" in response.content.decode()
    assert not Evidence.objects.exists()
    assert _stored_files(evidence_dir) == []


def test_limits_come_from_the_data_file(tmp_path):
    path = tmp_path / "limits.yaml"
    path.write_text("max_file_mb: 5\nmax_files: 3\n", encoding="utf-8")
    assert evidence.limits(path) == evidence.Limits(5.0, 3)
    assert evidence.limits(path).max_bytes == 5 * 1048576
    assert evidence.limits().max_file_mb == 20


def test_a_zip_that_is_not_an_office_document_is_refused(client, ledger, evidence_dir):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("setup.exe", b"MZ")
    client.force_login(ledger["users"]["admin"])
    response = _post(client, ledger["edu_task"], SimpleUploadedFile("报告.docx", out.getvalue()))
    assert "是压缩包，但不是 Word（.docx）或 Excel（.xlsx）文档" in response.content.decode()
    assert not Evidence.objects.exists()
