"""Tables of the 督导检查 pages and their .xlsx (the same `presenters.Table` for both)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from junheng.inspections import kinds
from junheng.inspections.summary import Counts, Summary
from junheng.web.accounts.models import Profile, Role
from junheng.web.inspections.services import person_name
from junheng.web.pages.presenters import Cell, Table, int_cell, percent_cell, text_cell
from junheng.web.registry.models import County, School

ANSWER_CSS = {kinds.MET: "ok", kinds.NOT_MET: "fail", kinds.UNCHECKED: "draft"}


def answer_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checklist's answers with the words and badge people see."""
    return [
        {**row, "label": kinds.ANSWERS[row["result"]], "css": ANSWER_CSS[row["result"]]}
        for row in rows
    ]


_HEADERS = (
    "计划督导",
    "已完成",
    "完成率",
    "逾期未检",
    "发现问题",
    "转入台账",
    "已销号",
    "整改中",
)


def _count_cells(c: Counts) -> tuple[Cell, ...]:
    rate = c.done / c.planned if c.planned else None
    return (
        int_cell(c.planned),
        int_cell(c.done),
        percent_cell(rate),
        int_cell(c.overdue),
        int_cell(c.findings),
        int_cell(c.problems),
        int_cell(c.closed),
        int_cell(c.open),
    )


NOTE = (
    "计划督导：计划日期在本期的次数；已完成：检查日期在本期的次数；完成率 = 已完成 ÷ 计划督导；"
    "逾期未检：本期计划、计划日期已过仍未检查；转入台账：登记日期在本期的整改台账问题（含以前各期督导发现的问题和回头看反弹），"
    "已销号与整改中为其当前状态。日期均按北京时间。"
)


def summary_tables(summary: Summary) -> list[Table]:
    rows = [
        ("inspectors", "按责任督学", "责任督学", summary.by_inspector),
        ("schools", "按学校", "学校", summary.by_school),
    ]
    tables = []
    for key, title, first, counts in rows:
        body = [(text_cell(c.name), *_count_cells(c)) for c in counts]
        if counts:
            body.append((text_cell(summary.total.name), *_count_cells(summary.total)))
        tables.append(
            Table(
                key=key,
                title=f"{title}（{summary.period.label}）",
                headers=(first, *_HEADERS),
                rows=tuple(body),
                note=NOTE if key == "inspectors" else "",
                stack=True,
            )
        )
    return tables


def assignment_table(county: County) -> Table:
    """Each school of the county with its 责任督学."""
    names: dict[int, list[str]] = {}
    profiles = (
        Profile.objects.filter(role=Role.SCHOOL_INSPECTOR, supervised_schools__county=county)
        .distinct()
        .select_related("user")
        .prefetch_related(
            Prefetch("supervised_schools", queryset=School.objects.filter(county=county))
        )
    )
    for profile in profiles:
        for school in profile.supervised_schools.all():
            names.setdefault(school.pk, []).append(person_name(profile.user))
    rows = tuple(
        (
            text_cell(s.name),
            text_cell(s.township),
            text_cell("、".join(sorted(names.get(s.pk, []))) or "未分配"),
        )
        for s in School.objects.filter(county=county).order_by("township", "school_id")
    )
    return Table(
        key="assignment",
        title="学校与责任督学",
        headers=("学校", "乡镇", "责任督学"),
        rows=rows,
        stack=True,
    )
