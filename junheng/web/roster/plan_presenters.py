"""What the planner page and its workbook print: the plan's status, moves and hires, and the
engine's figures before and after, in Chinese."""

from __future__ import annotations

from typing import Any

from junheng.core.formatting import fmt_number, fmt_percent
from junheng.core.schema import LEVEL_ZH
from junheng.roster.plan_report import PlanFigures
from junheng.roster.planner import RotationPlan
from junheng.roster.planner_limits import DEGREES
from junheng.web.pages.presenters import Cell, Table

ITEM_NAMES = {"R1": "R1 高学历教师数", "R2": "R2 骨干教师数", "R3": "R3 体育音乐美术专任教师数"}
MOVE_HEADINGS = ("教师编号", "姓名", "学段", "学科", "学历", "骨干", "调出学校", "调入学校", "理由")
HIRE_HEADINGS = ("学校", "学段", "学科", "招聘人数", "理由")


def _verdict(passes: bool | None) -> tuple[str, str]:
    if passes is None:
        return "—", "undecided"
    return ("达到", "pass") if passes else ("未达到", "fail")


def status_rows(plan: RotationPlan) -> dict[str, str]:
    return {
        "status": plan.status,
        "gap": f"{plan.gap * 100:.2f}%",
        "seconds": f"{plan.seconds:.2f}",
        "moves": str(plan.moves.height),
        "backbone": str(plan.backbone_moved),
        "required": str(plan.required_moves),
        "eligible": str(plan.eligible),
        "hires": str(int(plan.hires["hires"].sum()) if plan.hires.height else 0),
    }


def move_rows(plan: RotationPlan) -> list[dict[str, str]]:
    return [
        {
            "teacher_id": m["teacher_id"],
            "name": m["name"] or "—",
            "level": LEVEL_ZH.get(m["level"], m["level"]),
            "subject": m["subject_name"],
            "degree": DEGREES.get(m["degree"], m["degree"]),
            "backbone": "是" if m["backbone"] else "否",
            "from": m["from_school"],
            "to": m["to_school"],
            "reason": m["reason"],
        }
        for m in plan.moves.iter_rows(named=True)
    ]


def hire_rows(plan: RotationPlan) -> list[dict[str, str]]:
    return [
        {
            "school": h["school"],
            "level": LEVEL_ZH.get(h["level"], h["level"]),
            "subject": h["subject_name"],
            "hires": str(h["hires"]),
            "reason": h["reason"],
        }
        for h in plan.hires.iter_rows(named=True)
    ]


def figure_rows(figures: PlanFigures) -> dict[str, Any]:
    balance = []
    for b in figures.balance:
        text, css = _verdict(b.passes_after)
        balance.append(
            {
                "level": LEVEL_ZH.get(b.level, b.level),
                "item": ITEM_NAMES.get(b.item, b.item),
                "before": fmt_number(b.before, 3),
                "after": fmt_number(b.after, 3),
                "limit": f"≤ {fmt_number(b.limit, 2)}",
                "verdict": text,
                "css": css,
                "better": b.before is not None and b.after is not None and b.after < b.before,
            }
        )
    g11 = []
    for g in figures.g11:
        text, css = _verdict(g.passes_after)
        g11.append(
            {
                "label": g.label,
                "before": fmt_percent(g.before),
                "after": fmt_percent(g.after),
                "target": f"≥ {fmt_percent(g.threshold, 0)}",
                "verdict": text,
                "css": css,
            }
        )
    below = [
        {
            "level": LEVEL_ZH.get(b.level, b.level),
            "item": ITEM_NAMES.get(b.item, b.item),
            "before": str(b.before),
            "after": str(b.after),
        }
        for b in figures.below
    ]
    return {
        "balance": balance,
        "g11": g11,
        "below": below,
        "below_before": figures.schools_below_before,
        "below_after": figures.schools_below_after,
    }


def workbook_tables(plan: RotationPlan, heading: str) -> list[Table]:
    """The moves and hires as sheets (text as text; teacher numbers and names, never an ID
    number: the planner's frames do not hold one)."""
    moves = tuple(tuple(Cell(v, v) for v in row.values()) for row in move_rows(plan))
    hires = tuple(
        tuple(Cell(v, int(v)) if k == "hires" else Cell(v, v) for k, v in row.items())
        for row in hire_rows(plan)
    )
    return [
        Table("moves", "交流名单", MOVE_HEADINGS, moves, note=heading),
        Table("hires", "招聘计划", HIRE_HEADINGS, hires, note=heading),
    ]
