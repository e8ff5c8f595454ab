"""Rows the import templates print without further logic: the problem table (the columns of
导入问题清单.xlsx), the load counts and the history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from junheng.intake.errors import ERROR, SEVERITY_ZH, IntakeError
from junheng.web.imports.models import ImportRun, RunStatus
from junheng.web.imports.services import problems_of

COLUMNS = ("级别", "工作簿", "工作表", "单元格", "行", "列", "值", "问题", "应填写", "修改建议")
"""The problem table's columns, in the order of 导入问题清单.xlsx."""


@dataclass(frozen=True)
class ProblemRow:
    severity: str
    css: str
    cells: tuple[tuple[str, str], ...]
    """(column heading, text) pairs after the severity, for the table and the phone layout."""


def problem_rows(run: ImportRun) -> list[ProblemRow]:
    """Errors first, then warnings, each in the order the importer listed them."""
    return error_rows(problems_of(run))


def error_rows(errors: list[IntakeError]) -> list[ProblemRow]:
    """A problem table (the columns of 导入问题清单.xlsx) of intake errors, errors first, then
    warnings, each in the order given; also the roster import's."""
    rows = []
    for e in sorted(errors, key=lambda e: e.severity != ERROR):
        texts = (
            e.file,
            e.sheet or "",
            e.cell or "",
            "" if e.row is None else str(e.row),
            e.column or "",
            e.value,
            e.title,
            e.expected,
            e.fix,
        )
        rows.append(
            ProblemRow(
                SEVERITY_ZH.get(e.severity, e.severity),
                "fail" if e.severity == ERROR else "warn",
                tuple(zip(COLUMNS[1:], texts, strict=True)),
            )
        )
    return rows


def count_lines(run: ImportRun) -> list[str]:
    """What a load created or changed, as short Chinese phrases."""
    c: dict[str, Any] = run.counts or {}
    if not c:
        return []
    lines = [f"学校 {c.get('schools', 0)} 所（其中新建 {c.get('schools_created', 0)} 所）"]
    lines.append(f"学段 {c.get('segments', 0)} 个")
    if c.get("facts"):
        lines.append(f"指标值 {c['facts']} 项")
    if c.get("survey_groups"):
        lines.append(f"满意度调查 {c['survey_groups']} 类对象")
    changes = c.get("changes", 0)
    same = "" if changes else "（与系统中已有的数据相同，没有改动）"
    lines.append(f"修改记录 {changes} 条{same}")
    return lines


def outcome(run: ImportRun) -> str:
    """One line for the history table."""
    if run.status == RunStatus.BLOCKED:
        return f"{run.error_count} 个错误"
    if run.status == RunStatus.PENDING:
        return f"{run.warning_count} 条提示待确认"
    if run.status == RunStatus.LOADED:
        c = run.counts or {}
        text = f"学校 {c.get('schools', 0)} 所，修改记录 {c.get('changes', 0)} 条"
        return text + (f"，{run.warning_count} 条提示" if run.warning_count else "")
    return run.message[:60]


@dataclass(frozen=True)
class HistoryRow:
    run: ImportRun
    who: str
    files: str
    outcome: str
    mine: bool


def history(runs: list[ImportRun], viewer_id: int | None) -> list[HistoryRow]:
    rows = []
    for run in runs:
        user = run.user
        who = (user.get_full_name() or user.get_username()) if user is not None else "—"
        names = run.files or []
        files = "、".join(names[:3]) + (f" 等 {len(names)} 个文件" if len(names) > 3 else "")
        rows.append(HistoryRow(run, who, files, outcome(run), run.user_id == viewer_id))
    return rows
