"""一校一案 and 一镇一册: a school's rectification plan and a township's book, as records the pages
show and as Word documents in the layout of the other reports (GB/T 9704, `docx_style`).

The records are built by the web from the ledger and the latest evaluation (the gaps are the
evaluation's problem drafts of the school, never computed again); this module only arranges and
writes them. Pure: no database, no clock — the day is given.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from docx.enum.text import WD_ALIGN_PARAGRAPH

from junheng.rectification.tasks import OVERDUE
from junheng.reports import docx_style as ds

COUNTY_LEVEL = "县级"
"""The township filter's entry for problems without a school (or whose school has no 乡镇)."""


def township_of_school(school_id: str, townships: Mapping[str, str]) -> str:
    """The township a problem belongs to by its school's 标识码: the school's 乡镇, or 县级 for
    a problem without a school or a school without a township."""
    return townships.get(school_id or "", "") or COUNTY_LEVEL


def township_choices(townships: Iterable[str]) -> list[str]:
    """The townships of a county's schools in order, then 县级."""
    return [*sorted({t for t in townships if t}), COUNTY_LEVEL]


@dataclass(frozen=True)
class Gap:
    """One failing item of the school in the latest evaluation (a problem draft of it)."""

    item: str
    level: str
    title: str
    gap: str
    tolerated: bool = False


@dataclass(frozen=True)
class PlanProblem:
    title: str
    number: str
    source: str
    status: str
    found_on: date | None = None
    id: int | None = None


@dataclass(frozen=True)
class PlanTask:
    problem: str
    measures: str
    lead_unit: str
    responsible: str
    person: str
    deadline: date | None
    status: str
    """The status people read, 逾期 when the deadline has passed and the task is open."""
    progress: str = ""
    """The latest progress report."""
    progress_on: date | None = None
    id: int | None = None

    @property
    def overdue(self) -> bool:
        return self.status == OVERDUE

    @property
    def closed(self) -> bool:
        return self.status == "已销号"


@dataclass(frozen=True)
class SchoolPlan:
    """一校一案: one school's gaps, problems and tasks on a given day."""

    county: str
    school: str
    township: str
    year: str
    today: date
    evaluated: str
    """The day of the evaluation the gaps come from ("2026-03-02"); "" without one."""
    gaps: tuple[Gap, ...]
    problems: tuple[PlanProblem, ...]
    tasks: tuple[PlanTask, ...]
    school_id: str = ""
    standard: str = ""
    """The name of the evaluation's standard."""

    @property
    def closed(self) -> int:
        return sum(1 for t in self.tasks if t.closed)

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.overdue)

    @property
    def closed_share(self) -> str:
        return f"{self.closed / len(self.tasks):.1%}" if self.tasks else "—"

    @property
    def basis(self) -> str:
        return basis_text(self.evaluated, self.standard)

    def summary(self) -> str:
        gaps = (
            f"在 {self.evaluated} 的评估中未达标指标 {len(self.gaps)} 项"
            if self.evaluated
            else "本学年尚无评估结果"
        )
        tasks = f"整改任务 {len(self.tasks)} 项"
        if self.tasks:
            tasks += f"，已销号 {self.closed} 项（{self.closed_share}），逾期 {self.overdue} 项"
        return (
            f"截至{self.today:%Y年%m月%d日}，{self.school}{gaps}；"
            f"登记问题 {len(self.problems)} 个，{tasks}。"
        )

    @property
    def empty(self) -> bool:
        """Nothing to put right: no gap, no problem, no task."""
        return not (self.gaps or self.problems or self.tasks)


def basis_text(evaluated: str, standard: str) -> str:
    """Which evaluation the gaps are read from, as a note under their table."""
    if not evaluated:
        return ""
    return f"{evaluated} 的评估，评估标准：{standard}" if standard else f"{evaluated} 的评估"


@dataclass(frozen=True)
class TownshipBook:
    """一镇一册: a township's schools, each with its plan, and the township unit's tasks."""

    county: str
    township: str
    year: str
    today: date
    evaluated: str
    schools: tuple[SchoolPlan, ...]
    tasks: tuple[PlanTask, ...]
    standard: str = ""

    @property
    def basis(self) -> str:
        return basis_text(self.evaluated, self.standard)

    @property
    def all_tasks(self) -> list[PlanTask]:
        seen: set[int | None] = set()
        out = []
        for task in [*self.tasks, *(t for s in self.schools for t in s.tasks)]:
            if task.id is not None and task.id in seen:
                continue
            seen.add(task.id)
            out.append(task)
        return out

    def summary(self) -> str:
        tasks = self.all_tasks
        closed = sum(1 for t in tasks if t.closed)
        share = f"{closed / len(tasks):.1%}" if tasks else "—"
        gaps = sum(len(s.gaps) for s in self.schools)
        failing = sum(1 for s in self.schools if s.gaps)
        counted = f"整改任务 {len(tasks)} 项"
        if tasks:
            overdue = sum(1 for t in tasks if t.overdue)
            counted += f"，已销号 {closed} 项（{share}），逾期 {overdue} 项"
        return (
            f"截至{self.today:%Y年%m月%d日}，{self.township}共有学校 {len(self.schools)} 所，"
            f"其中 {failing} 所有未达标指标（共 {gaps} 项）；{counted}。"
        )


def _day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else ds.MISSING_TEXT


GAP_HEADER = ["指标", "学段", "问题", "差距"]
GAP_WIDTHS = [1.6, 1.6, 8.4, 4.0]
TASK_HEADER = ["问题", "整改措施", "牵头单位", "责任单位", "完成时限", "状态"]
TASK_WIDTHS = [3.8, 4.0, 2.2, 2.2, 2.2, 1.4]
PROGRESS_HEADER = ["问题", "最近进展", "填报日期"]
PROGRESS_WIDTHS = [5.0, 8.2, 2.4]


def _gap_rows(gaps: Iterable[Gap]) -> list[list[str]]:
    return [
        [
            g.item,
            g.level or "—",
            g.title + ("（单项未达标，不影响学校达标）" if g.tolerated else ""),
            g.gap or "—",
        ]
        for g in gaps
    ]


def _task_rows(tasks: Iterable[PlanTask]) -> list[list[str]]:
    return [
        [
            t.problem,
            t.measures,
            t.lead_unit,
            t.responsible or "—",
            _day(t.deadline),
            t.status,
        ]
        for t in tasks
    ]


def _school_sections(w: ds.DocumentWriter, plan: SchoolPlan, level: int, prefix: str) -> None:
    w.h("存在的差距", level)
    if plan.gaps:
        w.table(
            f"{prefix}未达标指标",
            GAP_HEADER,
            _gap_rows(plan.gaps),
            GAP_WIDTHS,
            left=(2, 3),
            note=f"依据：{plan.basis}。" if plan.evaluated else None,
        )
    elif plan.evaluated:
        w.p(f"在 {plan.evaluated} 的评估中本校各项指标均达标。")
    else:
        w.p("本学年尚无评估结果。")
    w.h("整改任务", level)
    if plan.tasks:
        w.table(
            f"{prefix}整改任务",
            TASK_HEADER,
            _task_rows(plan.tasks),
            TASK_WIDTHS,
            left=(0, 1, 2, 3),
            note="逾期：已过完成时限仍未销号。" if plan.overdue else None,
        )
    elif plan.problems:
        w.p(f"登记的 {len(plan.problems)} 个问题尚未部署整改任务。")
    else:
        w.p("无。")
    reported = [t for t in plan.tasks if t.progress]
    w.h("整改进展", level)
    if reported:
        w.table(
            f"{prefix}最近进展",
            PROGRESS_HEADER,
            [[t.problem, t.progress, _day(t.progress_on)] for t in reported],
            PROGRESS_WIDTHS,
            left=(0, 1),
        )
    else:
        w.p("尚无进展记录。")


def _save(w: ds.DocumentWriter) -> bytes:
    out = io.BytesIO()
    w.doc.save(out)
    return out.getvalue()


def school_plan_title(plan: SchoolPlan) -> str:
    return f"{plan.school}义务教育优质均衡发展整改方案（一校一案）"


def township_book_title(book: TownshipBook) -> str:
    return f"{book.township}义务教育优质均衡发展整改工作手册（一镇一册）"


def school_plan_document(plan: SchoolPlan) -> bytes:
    """The .docx bytes of a school's 一校一案."""
    w = ds.DocumentWriter()
    ds.add_page_numbers(w.doc.sections[0])
    ds.add_title(w.doc, school_plan_title(plan))
    where = f"{plan.county}{plan.township} · " if plan.township else f"{plan.county} · "
    ds.add_paragraph(
        w.doc,
        f"（{where}{plan.year}学年 · {plan.today:%Y年%m月%d日}）",
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    w.h("总体情况", 1)
    w.p(plan.summary())
    _school_sections(w, plan, 1, "")
    return _save(w)


SCHOOLS_HEADER = ["学校", "未达标指标", "问题", "任务", "已销号", "逾期", "销号率"]
SCHOOLS_WIDTHS = [4.6, 2.6, 1.4, 1.4, 1.6, 1.4, 1.8]


def school_counts(plan: SchoolPlan) -> list[str | int]:
    return [
        plan.school,
        len(plan.gaps),
        len(plan.problems),
        len(plan.tasks),
        plan.closed,
        plan.overdue,
        plan.closed_share,
    ]


def township_book_document(book: TownshipBook) -> bytes:
    """The .docx bytes of a township's 一镇一册: the township, its schools in one table, the
    township unit's tasks, then each school's gaps, tasks and progress."""
    w = ds.DocumentWriter()
    ds.add_page_numbers(w.doc.sections[0])
    ds.add_title(w.doc, township_book_title(book))
    ds.add_paragraph(
        w.doc,
        f"（{book.county} · {book.year}学年 · {book.today:%Y年%m月%d日}）",
        indent=False,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    w.h("总体情况", 1)
    w.p(book.summary())
    if book.schools:
        w.table(
            "各校整改情况",
            SCHOOLS_HEADER,
            [school_counts(s) for s in book.schools],
            SCHOOLS_WIDTHS,
            left=(0,),
            note=f"未达标指标依据：{book.basis}。" if book.evaluated else None,
        )
    w.h("乡镇整改任务", 1)
    if book.tasks:
        w.table(
            f"{book.township}承担的整改任务",
            TASK_HEADER,
            _task_rows(book.tasks),
            TASK_WIDTHS,
            left=(0, 1, 2, 3),
        )
    else:
        w.p(f"没有由{book.township}牵头或负责的整改任务。")
    w.h("各校整改方案", 1)
    detailed = [p for p in book.schools if not p.empty]
    if not detailed:
        w.p("无。")
    for plan in detailed:
        w.h(plan.school, 2)
        w.p(plan.summary())
        _school_sections(w, plan, 3, f"{plan.school}")
    quiet = [p.school for p in book.schools if p.empty]
    if quiet and detailed:
        w.h("其他学校", 2)
    if quiet and book.evaluated:
        w.p(f"{'、'.join(quiet)}在 {book.evaluated} 的评估中各项指标均达标，没有整改问题和任务。")
    elif quiet:
        w.p(f"{'、'.join(quiet)}没有登记整改问题和任务（本学年尚无评估结果）。")
    return _save(w)
