"""The .docx 一校一案 and 一镇一册 as downloaded: read back with python-docx, the school names,
gaps, deadlines and statuses are those of the ledger on the day (frozen at 2026-07-01, so the
school's own task, due 2026-06-30, is 逾期)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from urllib.parse import quote

import pytest
from django.urls import reverse
from docx import Document

from junheng.web.clock import local_date
from junheng.web.rectification import services
from tests.reports.docx_reading import all_text, body, header

pytestmark = pytest.mark.django_db

TASKS = ["问题", "整改措施", "牵头单位", "责任单位", "完成时限", "状态"]


@pytest.fixture
def on_july_first(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 7, 1))


def _docx(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response, Document(BytesIO(response.content))


def test_school_plan_docx(client, parties_site, on_july_first):
    school = parties_site["school"]
    url = reverse("rectification_school_docx", args=[school.school_id, "2026"])
    response, doc = _docx(client, parties_site["users"]["school"], url)
    assert quote("城关第一小学2026学年一校一案.docx") in response["Content-Disposition"]
    text = all_text(doc)
    assert "城关第一小学义务教育优质均衡发展整改方案（一校一案）" in text
    assert "示范县城关镇 · 2026学年 · 2026年07月01日" in text
    # 1 gap, 1 problem, 3 tasks of which the own one (due 06-30) is overdue
    evaluated = f"{local_date(parties_site['snapshot'].created_at):%Y-%m-%d}"
    assert (
        f"截至2026年07月01日，城关第一小学在 {evaluated} 的评估中未达标指标 1 项；"
        "登记问题 1 个，整改任务 3 项，已销号 0 项（0.0%），逾期 1 项。" in text
    )
    assert f"依据：{evaluated} 的评估，评估标准：县域义务教育优质均衡发展督导评估办法" in text
    gaps, tasks = doc.tables[0], doc.tables[1]
    assert header(gaps) == ("指标", "学段", "问题", "差距")
    assert body(gaps)[0][0] == "G4" and body(gaps)[0][3] == "义务教育阶段在校生数超出 260 人"
    assert header(tasks) == tuple(TASKS)
    rows = {r[1]: r for r in body(tasks)}
    assert rows["分流新生，控制学校规模"][2:] == ["城关第一小学", "—", "2026-06-30", "逾期"]
    assert rows["新建城关第七小学"][2:] == ["县教育局", "—", "2027-08-31", "未开始"]
    assert rows["编制城关镇学校布局调整方案"][2:] == [
        "城关镇人民政府",
        "城关第一小学",
        "2026-08-31",
        "未开始",
    ]
    assert "青龙镇" not in text and "城关第二小学" not in text


def test_school_plan_docx_carries_progress(client, parties_site, on_july_first, evidence_dir):
    own = parties_site["own_task"]
    client.force_login(parties_site["users"]["school"])
    client.post(reverse("rectification_progress", args=[own.pk]), {"text": "新生分流方案已公示"})
    url = reverse("rectification_school_docx", args=[parties_site["school"].school_id, "2026"])
    _, doc = _docx(client, parties_site["users"]["school"], url)
    progress = doc.tables[2]
    assert header(progress) == ("问题", "最近进展", "填报日期")
    [row] = body(progress)
    assert row[1] == "新生分流方案已公示"
    # the task's row shows 逾期 still: progress does not move a deadline
    assert any(r[5] == "逾期" for r in body(doc.tables[1]))


def test_township_book_docx(client, parties_site, on_july_first):
    county = parties_site["county"].pk
    url = reverse("rectification_township_docx", args=[county, "2026", "城关镇"])
    response, doc = _docx(client, parties_site["users"]["town"], url)
    assert quote("城关镇2026学年一镇一册.docx") in response["Content-Disposition"]
    text = all_text(doc)
    assert "城关镇义务教育优质均衡发展整改工作手册（一镇一册）" in text
    assert (
        "截至2026年07月01日，城关镇共有学校 12 所，其中 1 所有未达标指标（共 1 项）；"
        "整改任务 3 项，已销号 0 项（0.0%），逾期 1 项。" in text
    )
    schools = doc.tables[0]
    assert header(schools) == ("学校", "未达标指标", "问题", "任务", "已销号", "逾期", "销号率")
    rows = {r[0]: r for r in body(schools)}
    assert len(rows) == 12
    assert rows["城关第一小学"] == ["城关第一小学", "1", "1", "3", "0", "1", "0.0%"]
    assert rows["城关第二小学"] == ["城关第二小学", "0", "0", "0", "0", "0", "—"]
    township_tasks = doc.tables[1]
    assert header(township_tasks) == tuple(TASKS)
    assert body(township_tasks) == [
        [
            "城关镇学校布局需调整",
            "编制城关镇学校布局调整方案",
            "城关镇人民政府",
            "城关第一小学",
            "2026-08-31",
            "未开始",
        ]
    ]
    # the school with work has its section, the eleven others one sentence; nothing of another
    # township
    assert "（一）城关第一小学" in text and "（二）其他学校" in text and "（三）" not in text
    evaluated = f"{local_date(parties_site['snapshot'].created_at):%Y-%m-%d}"
    assert (
        "城关第二小学、城关第三小学、城关第四小学、城关第五小学、示范县实验小学、示范县博雅小学、"
        "示范县第一初级中学、示范县第二初级中学、示范县实验中学、育才九年一贯制学校、"
        f"示范县特殊教育学校在 {evaluated} 的评估中各项指标均达标，没有整改问题和任务。" in text
    )
    assert "青龙镇" not in text and "石桥镇" not in text
