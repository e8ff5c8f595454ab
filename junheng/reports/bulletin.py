"""整改工作周通报 / 月通报 as a Word document in the layout of the other reports (GB/T 9704).

Renders a `junheng.rectification.bulletin.Bulletin`, the record the bulletin page shows, so the
page and the document carry the same numbers.
"""

from __future__ import annotations

import io

from docx.enum.text import WD_ALIGN_PARAGRAPH

from junheng.rectification.bulletin import Bulletin
from junheng.rectification.tasks import Task, display_status
from junheng.reports import docx_style as ds

NONE = "无。"
TASK_HEADER = ["问题", "牵头单位", "整改措施", "责任人", "完成时限", "状态"]
TASK_WIDTHS = [4.6, 2.1, 3.6, 1.4, 2.5, 1.4]


def _task_cells(task: Task, status: str) -> list[str]:
    deadline = f"{task.deadline:%Y-%m-%d}" if task.deadline else ds.MISSING_TEXT
    return [task.problem_title, task.lead_unit, task.measures, task.person, deadline, status]


def bulletin_document(b: Bulletin) -> bytes:
    """The .docx bytes of the bulletin."""
    w = ds.DocumentWriter()
    doc = w.doc
    ds.add_page_numbers(doc.sections[0])
    ds.add_title(doc, b.title)
    ds.add_paragraph(doc, f"（{b.span}）", indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
    w.h("总体情况", 1)
    w.p(b.summary())
    w.h("各单位整改进展", 1)
    if b.progress:
        w.table(
            "各单位整改进展",
            ["牵头单位", "任务数", "未开始", "进行中", "待验收", "已销号", "逾期", "销号率"],
            [
                [
                    p.unit,
                    p.total,
                    p.not_started,
                    p.in_progress,
                    p.awaiting_check,
                    p.closed,
                    p.overdue,
                    p.closed_share_text,
                ]
                for p in b.progress
            ],
            [4.2, 1.4, 1.4, 1.4, 1.4, 1.4, 1.4, 1.8],
            left=(0,),
        )
    else:
        w.p(NONE)
    w.h("单位排名", 1)
    if b.ranking:
        w.table(
            "单位排名（按销号率）",
            ["名次", "牵头单位", "销号率", "逾期"],
            [[i, p.unit, p.closed_share_text, p.overdue] for i, p in enumerate(b.ranking, 1)],
            [1.6, 7.0, 3.0, 2.0],
            left=(1,),
        )
    else:
        w.p(NONE)
    w.h("逾期任务", 1)
    if b.overdue:
        w.table(
            "逾期任务",
            TASK_HEADER,
            [_task_cells(t, display_status(t, b.today)) for t in b.overdue],
            TASK_WIDTHS,
            left=(0, 1, 2),
            note="逾期：已过完成时限仍未销号。请各牵头单位说明原因并限期完成。",
        )
    else:
        w.p("本期没有逾期任务。")
    w.h(f"即将到期任务（{b.due_days} 天内）", 1)
    if b.due:
        w.table(
            f"即将到期任务（{b.due_days} 天内）",
            TASK_HEADER,
            [_task_cells(t, t.status.value) for t in b.due],
            TASK_WIDTHS,
            left=(0, 1, 2),
        )
    else:
        w.p(NONE)
    w.h("本期销号问题", 1)
    if b.closed:
        w.table(
            "本期销号问题",
            ["问题", "牵头单位", "销号日期"],
            [[c.title, c.units, f"{c.closed_on:%Y-%m-%d}"] for c in b.closed],
            [9.6, 3.6, 2.4],
            left=(0, 1),
        )
    else:
        w.p("本期没有销号的问题。")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
