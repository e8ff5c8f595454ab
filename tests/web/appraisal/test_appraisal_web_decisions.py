"""表彰、问责 decisions over HTTP: recorded by the county's administrators with a document
checked like ledger evidence (refusals in Chinese, nothing kept), the target required by its
kind, listed for the county's leaders."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.web.appraisal.models import Decision

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _stored(evidence_dir):
    return sorted(
        p.name for p in evidence_dir.rglob("*") if p.is_file() and "incoming" not in p.parts
    )


def _post(client, site, document=None, **fields):
    data = {
        "kind": "commend",
        "target_kind": "township",
        "township": "石桥镇",
        "day": "2026-04-08",
        "reason": "第一季度考核乡镇排名第一",
        "text": "通报表扬",
        "period": "2026Q1",
        **fields,
    }
    if document is not None:
        data["document"] = document
    return client.post(reverse("appraisal_decisions", args=[site["county"].pk]), data)


def test_a_decision_with_its_document(client, site, evidence_dir):
    client.force_login(site["users"]["admin"])
    response = _post(client, site, SimpleUploadedFile("表彰决定.pdf", PDF))
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.kind, decision.target_name, decision.period) == ("commend", "石桥镇", "2026Q1")
    assert (decision.document_name, decision.document_kind) == ("表彰决定.pdf", "pdf")
    assert decision.unit is None and decision.school is None
    client.force_login(site["users"]["leader"])
    page = client.get(reverse("appraisal_decisions", args=[site["county"].pk])).content.decode()
    assert "表彰" in page and "石桥镇" in page and "第一季度考核乡镇排名第一" in page
    assert "表彰决定.pdf" in page and "2026年第一季度考核" in page
    # a leader reads: no form
    assert "登记决定" not in page
    download = client.get(reverse("appraisal_decision_document", args=[decision.pk]))
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("决定.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "实际是Windows 可执行程序"),
        ("决定.exe", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "决定.exe"),
    ],
)
def test_a_wrong_file_type_is_refused_in_chinese(client, site, evidence_dir, name, content, said):
    client.force_login(site["users"]["admin"])
    response = _post(client, site, SimpleUploadedFile(name, content))
    page = response.content.decode()
    assert response.status_code == 200
    assert said in page and "（本次决定未登记）" in page
    assert not Decision.objects.exists()
    assert _stored(evidence_dir) == []


def test_the_target_must_be_given_for_its_kind(client, site, evidence_dir):
    client.force_login(site["users"]["admin"])
    page = _post(client, site, target_kind="unit", township="").content.decode()
    assert "请选择被表彰或问责的单位" in page
    page = _post(client, site, target_kind="school", township="").content.decode()
    assert "请选择被表彰或问责的学校" in page
    # a unit of another county is not offered and refused
    page = _post(
        client, site, target_kind="unit", unit=site["units"]["edu"].pk + 1000
    ).content.decode()
    assert "请从列表中选择本县的单位" in page
    page = _post(client, site, period="2026年一季度").content.decode()
    assert "请从列表中选择考核周期" in page
    page = _post(client, site, day="").content.decode()
    assert "请填写决定日期" in page
    assert not Decision.objects.exists()


def test_only_the_chosen_target_is_kept(client, site, evidence_dir):
    client.force_login(site["users"]["admin"])
    response = _post(
        client,
        site,
        kind="account",
        target_kind="school",
        school=site["school"].pk,
        unit=site["units"]["edu"].pk,
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.target_name == "石桥小学"
    assert decision.unit is None and decision.township == ""
