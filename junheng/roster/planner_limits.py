"""The planner's vocabulary and limits: subject groups, education columns, the counts a move
changes, and `PlanLimits` with its strict loading from `planner.yaml`. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SUBJECTS: dict[str, str] = {"pe": "体育", "music": "音乐", "fine_art": "美术", "other": "其他学科"}
"""Subject groups of a teacher or a hire, with their Chinese names."""
SUBJECT_COLUMN: dict[str, str | None] = {
    "pe": "pe_teachers",
    "music": "music_teachers",
    "fine_art": "fine_art_teachers",
    "other": None,
}
DEGREES: dict[str, str] = {
    "postgraduate": "研究生",
    "bachelor": "本科",
    "associate": "专科",
    "below_associate": "高中及以下",
}
"""Highest education of a teacher, as the segment table's education columns."""
DEGREE_COLUMN: dict[str, str] = {d: f"teachers_{d}" for d in DEGREES}
COUNT_COLUMNS: tuple[str, ...] = (
    "teachers",
    *DEGREE_COLUMN.values(),
    "backbone_teachers",
    "pe_teachers",
    "music_teachers",
    "fine_art_teachers",
)
"""The segment counts a move or a hire changes."""
TEACHER_COLUMNS: dict[str, str] = {
    "teacher_id": "教师编号",
    "school_id": "学校标识码",
    "level": "学段",
    "subject": "学科",
    "degree": "最高学历",
    "backbone": "骨干教师",
    "eligible": "符合交流条件",
}
SEGMENT_COLUMNS: dict[str, str] = {
    "school_id": "学校标识码",
    "level": "学段",
    "students": "在校生数",
    "teachers": "专任教师数",
    "teachers_postgraduate": "研究生学历专任教师数",
    "teachers_bachelor": "本科学历专任教师数",
    "teachers_associate": "专科学历专任教师数",
    "teachers_below_associate": "高中及以下学历专任教师数",
    "backbone_teachers": "县级及以上骨干教师数",
    "pe_teachers": "体育专任教师数",
    "music_teachers": "音乐专任教师数",
    "fine_art_teachers": "美术专任教师数",
}
SCOPES: dict[str, str] = {"county": "全县范围内", "township": "同一乡镇内"}
OPTIMAL, FEASIBLE = "最优", "可行"

_INF = float("inf")


class PlanError(ValueError):
    """No plan can be made; the message says why in Chinese."""


@dataclass(frozen=True)
class PlanLimits:
    """What a county allows; defaults from `planner.yaml`."""

    items: tuple[str, ...]
    rotation_item: str
    share_check: str
    backbone_check: str
    scope: str
    max_hires: int
    hires_by_subject: Mapping[str, int]
    hire_degree: str
    move_penalty: float
    hire_penalty: float
    spread_weight: float
    mip_gap: float
    time_limit_seconds: float
    rotation_share: float | None = None
    """A county's own minimum share (None: the standard's G11)."""
    backbone_share: float | None = None
    max_moves: int | None = None
    """The most teachers the county will rotate this year (None: no limit beyond G11's need)."""


def limits_from_mapping(data: Mapping[str, Any], source: str = "planner.yaml") -> PlanLimits:
    """Limits from a mapping, strictly: unknown, missing or wrong keys raise `PlanError`."""
    if not isinstance(data, Mapping):
        raise PlanError(f"{source}：内容应为键值映射")
    known = {
        "items",
        "rotation",
        "scope",
        "max_hires",
        "hires_by_subject",
        "hire_degree",
        "move_penalty",
        "hire_penalty",
        "spread_weight",
        "mip_gap",
        "time_limit_seconds",
    }
    problems = [f"未知的字段“{k}”" for k in sorted(set(data) - known)]
    problems += [f"缺少字段“{k}”" for k in sorted(known - set(data))]
    if problems:
        raise PlanError(f"{source}：" + "；".join(problems))
    rotation = data["rotation"]
    if not isinstance(rotation, Mapping) or set(rotation) != {
        "item",
        "share_check",
        "backbone_check",
    }:
        raise PlanError(f"{source}：字段“rotation”应含 item、share_check、backbone_check")
    limits = PlanLimits(
        items=tuple(str(i) for i in data["items"]),
        rotation_item=str(rotation["item"]),
        share_check=str(rotation["share_check"]),
        backbone_check=str(rotation["backbone_check"]),
        scope=data["scope"],
        max_hires=data["max_hires"],
        hires_by_subject=dict(data["hires_by_subject"] or {}),
        hire_degree=data["hire_degree"],
        move_penalty=float(data["move_penalty"]),
        hire_penalty=float(data["hire_penalty"]),
        spread_weight=float(data["spread_weight"]),
        mip_gap=float(data["mip_gap"]),
        time_limit_seconds=float(data["time_limit_seconds"]),
    )
    check_limits(limits, source)
    return limits


def check_limits(limits: PlanLimits, source: str = "规划限制") -> None:
    """Raise `PlanError` in Chinese for a limit out of its range."""
    problems = []
    if limits.scope not in SCOPES:
        problems.append(f"交流范围应为{'或'.join(SCOPES.values())}")
    if limits.max_moves is not None and (
        not isinstance(limits.max_moves, int) or limits.max_moves < 0
    ):
        problems.append("交流人数上限应为不小于 0 的整数")
    if not isinstance(limits.max_hires, int) or limits.max_hires < 0:
        problems.append("招聘总数应为不小于 0 的整数")
    for subject, cap in limits.hires_by_subject.items():
        if subject not in SUBJECTS:
            problems.append(f"分学科招聘上限只能给{'、'.join(SUBJECTS.values())}")
        elif not isinstance(cap, int) or cap < 0:
            problems.append(f"{SUBJECTS[subject]}招聘上限应为不小于 0 的整数")
    if limits.hire_degree not in DEGREES:
        problems.append(f"新招聘教师学历应为{'、'.join(DEGREES.values())}之一")
    if min(limits.move_penalty, limits.hire_penalty, limits.spread_weight) < 0:
        problems.append("交流、招聘和校际差异的权重不能为负数")
    if not 0 <= limits.mip_gap < 1:
        problems.append("最优性差距应在 0 与 1 之间")
    if limits.time_limit_seconds <= 0:
        problems.append("求解时间上限应大于 0 秒")
    for share in (limits.rotation_share, limits.backbone_share):
        if share is not None and not 0 <= share <= 1:
            problems.append("交流比例应在 0 与 1 之间")
    if problems:
        raise PlanError(f"{source}：" + "；".join(problems))


@cache
def default_limits() -> PlanLimits:
    """The packaged `planner.yaml` (read once, like a module constant)."""
    import yaml

    path = Path(__file__).with_name("planner.yaml")
    return limits_from_mapping(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
