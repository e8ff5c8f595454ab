"""一校一案 and 一镇一册 records and documents on hand-made plans (no database)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from docx import Document

from junheng.rectification.books import (
    COUNTY_LEVEL,
    Gap,
    PlanProblem,
    PlanTask,
    SchoolPlan,
    TownshipBook,
    school_plan_document,
    township_book_document,
    township_choices,
    township_of_school,
)
from tests.reports.docx_reading import all_text, body

TODAY = dt.date(2026, 7, 1)


def _task(id_, status, deadline=dt.date(2026, 6, 30), progress=""):
    return PlanTask(
        problem=f"问题{id_}",
        measures=f"措施{id_}",
        lead_unit="县教育局",
        responsible="",
        person="",
        deadline=deadline,
        status=status,
        progress=progress,
        progress_on=dt.date(2026, 6, 28) if progress else None,
        id=id_,
    )


def _plan(name, tasks=(), gaps=(), problems=()):
    return SchoolPlan(
        county="测试县",
        school=name,
        township="甲镇",
        year="2026",
        today=TODAY,
        evaluated="2026-05-10",
        gaps=tuple(gaps),
        problems=tuple(problems),
        tasks=tuple(tasks),
        standard="国家标准",
    )


def test_township_of_a_problem():
    towns = {"1": "甲镇", "2": ""}
    assert township_of_school("1", towns) == "甲镇"
    # a school without a township, an unknown school and no school are the county's
    assert township_of_school("2", towns) == COUNTY_LEVEL
    assert township_of_school("9", towns) == COUNTY_LEVEL
    assert township_of_school("", towns) == COUNTY_LEVEL
    assert township_choices(["甲镇", "乙乡", "", "甲镇"]) == ["乙乡", "甲镇", COUNTY_LEVEL]


def test_school_summary_counts():
    # 4 tasks: 1 closed (25.0 %), 2 overdue
    tasks = [_task(1, "已销号"), _task(2, "逾期"), _task(3, "逾期"), _task(4, "进行中")]
    plan = _plan("甲镇一小", tasks, [Gap("R5", "小学", "体育场馆不足", "需新建 200 平方米")])
    assert plan.summary() == (
        "截至2026年07月01日，甲镇一小在 2026-05-10 的评估中未达标指标 1 项；"
        "登记问题 0 个，整改任务 4 项，已销号 1 项（25.0%），逾期 2 项。"
    )
    assert plan.basis == "2026-05-10 的评估，评估标准：国家标准"
    # without tasks no share is stated
    assert _plan("甲镇二小").summary().endswith("登记问题 0 个，整改任务 0 项。")
    assert _plan("甲镇二小").empty and not plan.empty


def test_township_counts_a_shared_task_once():
    shared = _task(7, "逾期")
    a = _plan("甲镇一小", [shared, _task(8, "已销号")], [Gap("G4", "", "规模过大", "超出 260 人")])
    b = _plan("甲镇二小", [shared])
    book = TownshipBook("测试县", "甲镇", "2026", TODAY, "2026-05-10", (a, b), (shared,))
    # tasks 7 and 8: one closed (50.0 %), one overdue
    assert book.summary() == (
        "截至2026年07月01日，甲镇共有学校 2 所，其中 1 所有未达标指标（共 1 项）；"
        "整改任务 2 项，已销号 1 项（50.0%），逾期 1 项。"
    )


def test_documents_hold_the_records():
    plan = _plan(
        "甲镇一小",
        [_task(1, "逾期", progress="已招标")],
        [Gap("R5", "小学", "体育场馆不足", "需新建 200 平方米", tolerated=True)],
        [PlanProblem("问题1", "", "自查", "整改中")],
    )
    doc = Document(BytesIO(school_plan_document(plan)))
    text = all_text(doc)
    assert "甲镇一小义务教育优质均衡发展整改方案（一校一案）" in text
    assert body(doc.tables[0]) == [
        ["R5", "小学", "体育场馆不足（单项未达标，不影响学校达标）", "需新建 200 平方米"]
    ]
    assert body(doc.tables[1]) == [["问题1", "措施1", "县教育局", "—", "2026-06-30", "逾期"]]
    assert body(doc.tables[2]) == [["问题1", "已招标", "2026-06-28"]]
    quiet = _plan("甲镇二小")
    book = TownshipBook("测试县", "甲镇", "2026", TODAY, "2026-05-10", (plan, quiet), ())
    doc = Document(BytesIO(township_book_document(book)))
    text = all_text(doc)
    assert body(doc.tables[0]) == [
        ["甲镇一小", "1", "1", "1", "0", "1", "0.0%"],
        ["甲镇二小", "0", "0", "0", "0", "0", "—"],
    ]
    assert "没有由甲镇牵头或负责的整改任务。" in text
    assert "甲镇二小在 2026-05-10 的评估中各项指标均达标，没有整改问题和任务。" in text
