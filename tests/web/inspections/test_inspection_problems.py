"""A finding becomes exactly one problem of the ledger (source 督导检查, the school, the finding's
title, the visit as origin), however often the button is pressed; photos are checked and stored
like the ledger's evidence; the problem page points back to the visit."""

from __future__ import annotations

import datetime as dt
import io
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from junheng.inspections import kinds
from junheng.web.inspections import services
from junheng.web.inspections.models import Finding, Photo, Visit
from junheng.web.rectification.models import Problem, ProblemSource
from tests.web.sites import PASSWORD


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def visit(site):
    return Visit.objects.create(
        inspector=site["users"]["duxue"],
        school=site["schools"]["one"],
        planned_on=dt.date(2026, 12, 7),
        visited_on=dt.date(2026, 12, 7),
        status=kinds.DONE,
        kind=kinds.ROUTINE,
    )


def _login(client, site, role="duxue"):
    assert client.login(username=site["users"][role].username, password=PASSWORD)


def test_a_finding_with_a_photo_becomes_one_problem(client, site, visit, evidence_dir):
    _login(client, site)
    png = _png()
    response = client.post(
        reverse("inspections_finding", args=[visit.pk]),
        {
            "title": "音乐教室被占作仓库",
            "item": "G3",
            "description": "三楼音乐教室堆放课桌椅",
            "photos": [SimpleUploadedFile("现场.png", png, "image/png")],
        },
    )
    assert response.status_code == 302
    finding = Finding.objects.get()
    photo = Photo.objects.get()
    assert (photo.finding, photo.kind, photo.size) == (finding, "png", len(png))
    assert (evidence_dir / photo.path).read_bytes() == png
    shown = client.get(reverse("inspections_photo", args=[photo.pk]))
    assert shown["Content-Type"] == "image/png"

    url = reverse("inspections_finding_problem", args=[finding.pk])
    client.post(url)
    second = client.post(url, follow=True)
    assert "该问题已在整改台账中：音乐教室被占作仓库，未重复登记" in second.content.decode()
    problem = Problem.objects.get()
    assert (problem.source, problem.title, problem.item) == (
        ProblemSource.INSPECTION,
        "音乐教室被占作仓库",
        "G3",
    )
    assert (problem.school_id, problem.school_name) == ("3100000001", "甲县一小")
    assert problem.county == site["county"] and problem.year.label == "2026"
    assert problem.found_on == dt.date(2026, 12, 7) and problem.found_by == "责任督学 王督学"
    assert problem.description == "三楼音乐教室堆放课桌椅\n（2026-12-07 常规督导发现）"
    finding.refresh_from_db()
    assert finding.problem == problem

    # the visit shows the problem, and the problem page the visit it came from
    page = client.get(reverse("inspections_visit", args=[visit.pk])).content.decode()
    assert "已登记到整改台账" in page and "转为整改问题" not in page
    _login(client, site, "admin")
    problem_page = client.get(reverse("rectification_problem", args=[problem.pk])).content.decode()
    visit_url = reverse("inspections_visit", args=[visit.pk])
    assert f'<a href="{visit_url}">来自2026-12-07 常规督导（甲县一小）</a>' in problem_page


def test_calling_the_service_twice_makes_one_problem(site, visit):
    finding = Finding.objects.create(visit=visit, title="班额超过45人")
    first, made = services.finding_problem(finding, site["users"]["duxue"])
    again, made_again = services.finding_problem(finding, site["users"]["admin"])
    assert (made, made_again) == (True, False)
    assert first == again and Problem.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_make_one_problem(site, visit):
    """Two threads with their own connections press the button at once; the finding's row lock
    lets one make the problem and the other find it (PostgreSQL; SQLite serialises writes)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    finding = Finding.objects.create(visit=visit, title="体育器材室上锁未使用")
    barrier = threading.Barrier(2)
    results: list[bool] = []
    errors: list[BaseException] = []

    def press() -> None:
        try:
            barrier.wait()
            results.append(services.finding_problem(finding, site["users"]["duxue"])[1])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == [False, True]
    assert Problem.objects.filter(title="体育器材室上锁未使用").count() == 1


def test_a_document_is_not_a_photo(client, site, visit, evidence_dir):
    _login(client, site)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(
        reverse("inspections_finding", args=[visit.pk]),
        {"title": "图书室未开放", "photos": [SimpleUploadedFile("说明.pdf", pdf)]},
        follow=True,
    )
    assert "文件“说明.pdf”是PDF 文档，现场照片只接受 JPEG/PNG 图片" in response.content.decode()
    assert not Finding.objects.exists()
    assert not [p for p in evidence_dir.rglob("*") if p.is_file()]


def test_a_renamed_executable_is_refused(client, site, visit, evidence_dir):
    _login(client, site)
    response = client.post(
        reverse("inspections_finding", args=[visit.pk]),
        {"title": "图书室未开放", "photos": [SimpleUploadedFile("照片.png", b"MZ\x90\x00" * 10)]},
        follow=True,
    )
    assert "本条问题未保存" in response.content.decode()
    assert not Finding.objects.exists()


def test_a_photo_over_the_limit_is_refused(client, site, visit, evidence_dir, tmp_path):
    limits = tmp_path / "limits.yaml"
    limits.write_text("max_file_mb: 0.0001\nmax_files: 10\n", encoding="utf-8")
    from junheng.web.rectification import evidence

    original = evidence.LIMITS_FILE
    evidence.limits.__defaults__ = (limits,)
    try:
        _login(client, site)
        response = client.post(
            reverse("inspections_finding", args=[visit.pk]),
            {"title": "操场积水", "photos": [SimpleUploadedFile("大.png", _png() * 20)]},
            follow=True,
        )
    finally:
        evidence.limits.__defaults__ = (original,)
    assert "大小超过上限 0.0001 MB" in response.content.decode()
    assert not Finding.objects.exists()


def test_the_record_keeps_the_checklist_answers(client, site, visit):
    _login(client, site)
    client.post(
        reverse("inspections_record", args=[visit.pk]),
        {
            "visited_on": "2026-12-06",
            "people_met": "校长、教务主任",
            "result_G5-classes": "not_met",
            "note_G5-classes": "四(2)班 52 人",
            "result_R4-rooms": "met",
        },
    )
    visit.refresh_from_db()
    assert visit.visited_on == dt.date(2026, 12, 6) and visit.people_met == "校长、教务主任"
    answers = {a.key: (a.result, a.note) for a in visit.answers.all()}
    assert answers["G5-classes"] == ("not_met", "四(2)班 52 人")
    assert answers["R4-rooms"] == ("met", "")
    assert answers["Q8-burden"] == ("unchecked", "")
    # a leader reads the answers in words
    _login(client, site, "leader")
    page = client.get(reverse("inspections_visit", args=[visit.pk])).content.decode()
    assert '<span class="badge fail">不符合</span>' in page and "四(2)班 52 人" in page
