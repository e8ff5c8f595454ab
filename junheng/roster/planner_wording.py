"""What the planner says: the reason of each move and hire, the plan's summary and its notes, in
Chinese. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

import polars as pl

from junheng.core.formatting import fmt_number, fmt_plain
from junheng.core.standard import Item
from junheng.roster.planner_limits import OPTIMAL, SUBJECTS, PlanLimits


def percent_text(share: Fraction) -> str:
    """1/10 → "10%"."""
    return f"{float(share) * 100:g}%"


def move_reasons(
    moves: pl.DataFrame,
    roster: pl.DataFrame,
    frame: pl.DataFrame,
    items: Sequence[Item],
    gains: Mapping[tuple[str, str, bool, str], Mapping[str, int]],
    rotation_share: Fraction,
    backbone_share: Fraction,
) -> pl.DataFrame:
    """The moves (teacher_id, to_school_id) with the teacher, both schools and the reason:
    the receiving school's gap the teacher closes, else the G11 task; and whether the sending
    school still meets the items after. `gains`: (level, degree, backbone, subject) → item → what
    one such teacher adds; `frame`: the plan's before/after segments."""
    schema = {
        "teacher_id": pl.String,
        "name": pl.String,
        "level": pl.String,
        "subject": pl.String,
        "subject_name": pl.String,
        "degree": pl.String,
        "backbone": pl.Boolean,
        "from_school_id": pl.String,
        "from_school": pl.String,
        "to_school_id": pl.String,
        "to_school": pl.String,
        "reason": pl.String,
    }
    if not moves.height:
        return pl.DataFrame(schema=schema)
    state = {(r["school_id"], r["level"]): r for r in frame.iter_rows(named=True)}
    joined = moves.join(
        roster.select("teacher_id", "name", "level", "subject", "degree", "backbone", "school_id"),
        on="teacher_id",
    )
    rows = []
    for r in joined.iter_rows(named=True):
        src = state[r["school_id"], r["level"]]
        dst = state[r["to_school_id"], r["level"]]
        gain = gains[r["level"], r["degree"], r["backbone"], r["subject"]]
        lifts = [
            f"“{i.name}”为 {fmt_number(dst[f'{i.id}_before'])}，低于标准"
            f" {fmt_plain(i.threshold[r['level']])}"
            for i in items
            if gain[i.id] > 0 and dst[f"{i.id}_short_before"] > 0
        ]
        if lifts:
            reason = "调入学校" + "；".join(lifts) + "，调入可缩小缺口"
        elif r["backbone"]:
            reason = (
                f"完成交流轮岗任务：骨干教师不低于交流人数的 {percent_text(backbone_share)}，"
                "调入学校相关指标已达标"
            )
        else:
            reason = (
                f"完成交流轮岗任务：不低于符合交流条件教师的 {percent_text(rotation_share)}，"
                "调入学校相关指标已达标"
            )
        reason += "；" + _sending_side(src, [i for i in items if gain[i.id] > 0])
        rows.append(
            {
                "teacher_id": r["teacher_id"],
                "name": r["name"],
                "level": r["level"],
                "subject": r["subject"],
                "subject_name": SUBJECTS[r["subject"]],
                "degree": r["degree"],
                "backbone": r["backbone"],
                "from_school_id": r["school_id"],
                "from_school": src["name"],
                "to_school_id": r["to_school_id"],
                "to_school": dst["name"],
                "reason": reason,
            }
        )
    return pl.DataFrame(rows, schema=schema).sort("level", "from_school_id", "teacher_id")


def _sending_side(src: Mapping[str, object], counted: Sequence[Item]) -> str:
    """What the sending school's items the teacher counts in look like after the plan."""
    if not counted:
        return "调出学校的相关指标不受影响"
    still = [i.name for i in counted if src[f"{i.id}_short_before"] and src[f"{i.id}_short_after"]]
    falls = [
        i.name for i in counted if not src[f"{i.id}_short_before"] and src[f"{i.id}_short_after"]
    ]
    parts = []
    if falls:
        parts.append("调出后“" + "”“".join(falls) + "”将低于标准")
    if still:
        parts.append("“" + "”“".join(still) + "”原已低于标准")
    return "调出学校" + "，".join(parts) if parts else "调出学校调出后相关指标仍达标"


def hire_reasons(
    hires: pl.DataFrame,
    frame: pl.DataFrame,
    items: Sequence[Item],
    hire_gain: Mapping[tuple[str, str], tuple[int, ...]],
) -> pl.DataFrame:
    """The hires (seg, subject, hires joined with school_id, level, name) with the school and
    the reason: the gaps of the receiving segment a hire of that subject narrows."""
    schema = {
        "school_id": pl.String,
        "school": pl.String,
        "level": pl.String,
        "subject": pl.String,
        "subject_name": pl.String,
        "hires": pl.Int64,
        "reason": pl.String,
    }
    if not hires.height:
        return pl.DataFrame(schema=schema)
    state = {(r["school_id"], r["level"]): r for r in frame.iter_rows(named=True)}
    rows = []
    for r in hires.iter_rows(named=True):
        seg = state[r["school_id"], r["level"]]
        gain = hire_gain[r["level"], r["subject"]]
        lifts = [
            f"“{i.name}”为 {fmt_number(seg[f'{i.id}_before'])}，低于标准"
            f" {fmt_plain(i.threshold[r['level']])}"
            for k, i in enumerate(items)
            if gain[k] > 0 and seg[f"{i.id}_short_before"] > 0
        ]
        reason = (
            "；".join(lifts) + f"，招聘{SUBJECTS[r['subject']]}教师缩小缺口"
            if lifts
            else f"招聘{SUBJECTS[r['subject']]}教师"
        )
        rows.append(
            {
                "school_id": r["school_id"],
                "school": r["name"],
                "level": r["level"],
                "subject": r["subject"],
                "subject_name": SUBJECTS[r["subject"]],
                "hires": r["hires"],
                "reason": reason,
            }
        )
    return pl.DataFrame(rows, schema=schema).sort("level", "school_id", "subject")


def summary_text(
    eligible: int,
    required: int,
    moved: int,
    backbone: int,
    hired: int,
    before: int,
    after: int,
    items: Sequence[Item],
    status: str,
    gap: float,
    seconds: float,
) -> str:
    """The plan in one paragraph: G11, moves and hires, the shortfall before and after, and how
    sure the solver is."""
    share = f"{backbone / moved * 100:.1f}%" if moved else "—"
    codes = "、".join(i.id for i in items)
    quality = (
        "已证明为最优方案"
        if status == OPTIMAL
        else f"可行方案，与最优方案的差距不超过 {gap * 100:.2f}%"
    )
    return (
        f"符合交流条件的教师 {eligible} 人，至少应交流 {required} 人；方案交流 {moved} 人"
        f"（其中骨干教师 {backbone} 人，占 {share}），招聘 {hired} 人。"
        f"{codes} 低于标准的教师缺口由 {before} 人次降到 {after} 人次。"
        f"{quality}，用时 {seconds:.2f} 秒。"
    )


def plan_notes(segs: pl.DataFrame, limits: PlanLimits, left_out: int = 0) -> tuple[str, ...]:
    """What the plan could not weigh: teachers of schools it leaves out, segments without
    students, or without a township when moves stay within townships."""
    notes = []
    if left_out:
        notes.append(
            f"{left_out} 名教师所在的学校学段不在规划范围内（特殊教育学校、民办学校或学段数据中"
            "没有），不参加交流，也不计入符合交流条件的教师"
        )
    unjudged = segs.filter(~(pl.col("students") > 0)).height
    if unjudged:
        notes.append(f"{unjudged} 个学校学段没有在校生数，未计算缺口，仍可调入调出")
    if limits.scope == "township":
        alone = segs.filter(pl.col("township").is_null() | (pl.col("township") == "")).height
        if alone:
            notes.append(f"{alone} 个学校学段未填乡镇，不参加乡镇内交流")
    return tuple(notes)
