"""The policy checklist page: the county admin records a document as issued with its file (the
evidence rules apply); readers see it with the verdicts of the items it feeds."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.web.rectification.models import Evidence, PolicyDocument

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def test_issue_a_document_with_its_file(client, ledger):
    county, year = ledger["county"], ledger["year"]
    url = reverse("rectification_policies", args=[county.pk, year.label])
    client.force_login(ledger["users"]["admin"])
    page = client.get(url).content.decode()
    assert "义务教育学校布局规划" in page and "已印发 0 / 12 份" in page
    response = client.post(
        url,
        {"item": "layout-plan", "status": "已印发", "document_number": "示府发〔2026〕3号"},
        follow=True,
    )
    assert "已印发的文件须填写印发日期" in response.content.decode()
    assert not PolicyDocument.objects.exists()
    response = client.post(
        url,
        {
            "item": "layout-plan",
            "status": "已印发",
            "document_number": "示府发〔2026〕3号",
            "issued_on": "2026-03-15",
            "files": [SimpleUploadedFile("布局规划.pdf", PDF)],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "已保存" in page and "已印发 1 / 12 份" in page and "示府发〔2026〕3号" in page
    document = PolicyDocument.objects.get(county=county, item_id="layout-plan")
    item = Evidence.objects.get(policy=document)
    client.force_login(ledger["users"]["leader"])
    assert client.get(reverse("rectification_evidence", args=[item.pk])).status_code == 200
    assert "布局规划.pdf" in client.get(url).content.decode()
    client.force_login(ledger["users"]["other_admin"])
    assert client.get(reverse("rectification_evidence", args=[item.pk])).status_code == 404


def test_a_disguised_file_refuses_the_whole_change(client, ledger):
    county, year = ledger["county"], ledger["year"]
    url = reverse("rectification_policies", args=[county.pk, year.label])
    client.force_login(ledger["users"]["admin"])
    response = client.post(
        url,
        {
            "item": "training-plan",
            "status": "起草中",
            "files": [SimpleUploadedFile("培训规划.pdf", b"MZ\x90\x00" + b"\x00" * 64)],
        },
        follow=True,
    )
    assert "实际是Windows 可执行程序" in response.content.decode()
    assert not PolicyDocument.objects.exists() and not Evidence.objects.exists()


@pytest.mark.parametrize("role", ["leader", "edu"])
def test_readers_cannot_change_the_checklist(client, ledger, role):
    county, year = ledger["county"], ledger["year"]
    url = reverse("rectification_policies", args=[county.pk, year.label])
    client.force_login(ledger["users"][role])
    assert client.get(url).status_code == 200
    assert client.post(url, {"item": "layout-plan", "status": "起草中"}).status_code == 404
    assert not PolicyDocument.objects.exists()
