"""The bulletin of a hand-made ledger on Wednesday 2026-07-01: the week is 06-29 … 07-01, the
month 07-01 … 07-01; four tasks of two units, one overdue, one due within 7 days."""

from __future__ import annotations

from datetime import date

from junheng.rectification.bulletin import ClosedProblem, bulletin, period_bounds
from junheng.rectification.tasks import Status, Task

TODAY = date(2026, 7, 1)
TASKS = [
    Task(
        "R2/junior/1",
        "县教育局",
        date(2026, 6, 30),
        Status.IN_PROGRESS,
        measures="补教师",
        problem_title="甲校 R2 未达标",
    ),
    Task("R4/primary/1", "县教育局", date(2026, 7, 5), Status.NOT_STARTED, measures="扩操场"),
    Task("G2", "县财政局", date(2026, 6, 1), Status.CLOSED, measures="保经费"),
    Task("G3", "县财政局", date(2026, 9, 1), Status.AWAITING_CHECK, measures="拨款"),
]
CLOSED = [
    ClosedProblem("G2 经费", date(2026, 6, 30), "县财政局"),
    ClosedProblem("G9 旧问题", date(2026, 6, 10), "县财政局"),
]


def test_periods():
    assert period_bounds("week", TODAY) == (date(2026, 6, 29), TODAY)
    assert period_bounds("month", date(2026, 7, 20)) == (date(2026, 7, 1), date(2026, 7, 20))


def test_weekly_bulletin():
    b = bulletin("示范县", TASKS, CLOSED, period="week", today=TODAY)
    assert b.title == "示范县义务教育优质均衡发展整改工作周通报"
    assert [(p.unit, p.total, p.closed, p.overdue) for p in b.progress] == [
        ("县教育局", 2, 0, 1),
        ("县财政局", 2, 1, 0),
    ]
    assert [p.unit for p in b.ranking] == ["县财政局", "县教育局"]
    assert [t.measures for t in b.overdue] == ["补教师"]
    assert [t.measures for t in b.due] == ["扩操场"]
    assert [c.title for c in b.closed] == ["G2 经费"]
    assert b.summary() == (
        "截至2026年07月01日，全县整改任务 4 项，已销号 1 项（25.0%），逾期 1 项；"
        "本期销号问题 1 个，7 天内到期任务 1 项。"
    )


def test_monthly_bulletin_counts_only_this_month():
    b = bulletin("示范县", TASKS, CLOSED, period="month", today=date(2026, 6, 30))
    assert [c.title for c in b.closed] == ["G9 旧问题", "G2 经费"]
    assert b.title.endswith("月通报")


def test_the_document_names_problem_and_measures():
    import io

    import docx

    from junheng.reports.bulletin import bulletin_document

    b = bulletin("示范县", TASKS, CLOSED, period="week", today=TODAY)
    document = docx.Document(io.BytesIO(bulletin_document(b)))
    overdue = next(t for t in document.tables if t.rows[0].cells[0].text == "问题")
    assert [c.text for c in overdue.rows[1].cells] == [
        "甲校 R2 未达标",
        "县教育局",
        "补教师",
        "",
        "2026-06-30",
        "逾期",
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert b.summary() in text and "（2026年06月29日至2026年07月01日）" in text
