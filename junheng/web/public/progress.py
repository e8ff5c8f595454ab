"""The figures of the public progress page, from plain rows: where each phase and milestone stands
on a given day, problems found and closed by part and by source, and each school's verdict and
problems. Pure: the caller reads the rows and gives the local day (`junheng.web.clock.today`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

CLOSED = "closed"
"""The stored status of a problem that was accepted and closed (销号)."""

OTHER_PART = "其他"
"""The part of a problem recorded without one (a hand-entered finding)."""

LEVEL_ORDER = ("primary", "junior")


@dataclass(frozen=True)
class Stage:
    text: str
    css: str


def phase_stage(start: date, end: date, today: date) -> Stage:
    """未开始 before its first day, 进行中 from the first to the last day (both included),
    已结束 after the last day."""
    if today < start:
        return Stage("未开始", "unknown")
    if today <= end:
        return Stage("进行中", "warn")
    return Stage("已结束", "ok")


def milestone_stage(day: date, done: bool, today: date) -> Stage:
    """已完成; 待完成 up to and on its day; 逾期未完成 from the next day on."""
    if done:
        return Stage("已完成", "ok")
    if today <= day:
        return Stage("待完成", "unknown")
    return Stage("逾期未完成", "fail")


@dataclass
class Count:
    """Problems of one part, source or school: found (all recorded) and closed (销号)."""

    label: str
    found: int = 0
    closed: int = 0

    @property
    def open(self) -> int:
        return self.found - self.closed

    @property
    def closed_share(self) -> str:
        return f"{self.closed / self.found:.1%}" if self.found else "—"


@dataclass
class ProblemCounts:
    by_part: list[Count] = field(default_factory=list)
    by_source: list[Count] = field(default_factory=list)
    total: Count = field(default_factory=lambda: Count("合计"))


def problem_counts(
    rows: Iterable[Mapping[str, Any]],
    source_labels: Mapping[str, str],
    part_order: Sequence[str] = (),
) -> ProblemCounts:
    """`rows` are {category, source, status, n}: counts per part (in `part_order`, then others
    by name, 其他 last) and per source (in the order of `source_labels`), closed = status closed."""
    parts: dict[str, Count] = {}
    sources: dict[str, Count] = {}
    total = Count("合计")
    for row in rows:
        n = int(row["n"])
        closed = n if row["status"] == CLOSED else 0
        part = row.get("category") or OTHER_PART
        source = source_labels.get(row["source"], OTHER_PART)
        for bucket, key in ((parts, part), (sources, source)):
            count = bucket.setdefault(key, Count(key))
            count.found += n
            count.closed += closed
        total.found += n
        total.closed += closed
    rank = {name: i for i, name in enumerate(part_order)}
    ordered_parts = sorted(
        parts.values(),
        key=lambda c: (c.label == OTHER_PART, rank.get(c.label, len(rank)), c.label),
    )
    source_rank = {label: i for i, label in enumerate(source_labels.values())}
    ordered_sources = sorted(sources.values(), key=lambda c: source_rank.get(c.label, 99))
    return ProblemCounts(ordered_parts, ordered_sources, total)


@dataclass(frozen=True)
class SchoolRow:
    name: str
    township: str
    levels: tuple[tuple[str, bool | None], ...]
    """(level label, passes) of each in-scope segment, primary first."""
    found: int
    closed: int


def school_rows(
    segments: Iterable[Mapping[str, Any]],
    townships: Mapping[str, str],
    problems: Iterable[Mapping[str, Any]],
    level_labels: Mapping[str, str],
) -> list[SchoolRow]:
    """One row per school with an in-scope segment, ordered by township then name: the verdict
    of each segment and the school's problems (`problems` rows are {school_id, status, n})."""
    found: dict[str, int] = {}
    closed: dict[str, int] = {}
    for row in problems:
        sid = row["school_id"]
        if not sid:
            continue
        found[sid] = found.get(sid, 0) + int(row["n"])
        if row["status"] == CLOSED:
            closed[sid] = closed.get(sid, 0) + int(row["n"])
    by_school: dict[str, dict[str, Any]] = {}
    for seg in segments:
        if not seg.get("in_scope"):
            continue
        sid = seg["school_id"]
        entry = by_school.setdefault(sid, {"name": seg.get("name") or "", "levels": {}})
        entry["levels"][seg.get("level")] = seg.get("passes")
    rows = [
        SchoolRow(
            name=entry["name"],
            township=townships.get(sid, ""),
            levels=tuple(
                (level_labels.get(level, level), entry["levels"][level])
                for level in sorted(
                    entry["levels"],
                    key=lambda lv: LEVEL_ORDER.index(lv) if lv in LEVEL_ORDER else 9,
                )
            ),
            found=found.get(sid, 0),
            closed=closed.get(sid, 0),
        )
        for sid, entry in by_school.items()
    ]
    return sorted(rows, key=lambda r: (r.township == "", r.township, r.name))
