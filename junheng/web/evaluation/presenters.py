"""Rows the evaluation pages print: the state of the county's data before 重新评估, which data a
snapshot used, and what changed against the previous snapshot (`junheng.core.diff`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from junheng.core.diff import EntryDiff, VerdictChange, compare_entries
from junheng.core.formatting import fmt_number, fmt_plain
from junheng.core.schema import LEVEL_ZH
from junheng.web.collection.models import Status
from junheng.web.evaluation.models import DataScope, Snapshot
from junheng.web.pages.presenters import PARTS, short_name, standard_of, verdict_css, verdict_text

NAMES_SHOWN = 5
"""Schools named in the one-line summary of a snapshot's data; the changes page lists them all."""

PART_ZH = dict(PARTS)


def _names(names: Sequence[str], limit: int | None = None) -> str:
    if limit is not None and len(names) > limit:
        return "、".join(names[:limit]) + f" 等 {len(names)} 所"
    return "、".join(names)


def scope_line(snapshot: Snapshot, limit: int | None = NAMES_SHOWN, names: bool = True) -> str:
    """One sentence: which data the snapshot was computed over, naming up to `limit` schools
    (all with None; none when `names` is false, for pages about one level or one school)."""
    records: list[dict[str, Any]] = snapshot.unapproved or []
    listed = [r.get("name") or r.get("school_id", "") for r in records]
    which = f"：{_names(listed, limit)}" if names else ""
    if snapshot.data_scope == DataScope.APPROVED:
        if not listed:
            return "评估数据：只用已审核的数据（全部学校的数据均已审核）。"
        return (
            f"评估数据：只用已审核的数据，{len(listed)} 所学校未参加本次评估"
            f"（数据未审核，或与其中心校、教学点一并未纳入）{which}。"
        )
    if not listed:
        # Runs made before the choice existed recorded nothing about approval.
        return "评估数据：全部数据。"
    return f"评估数据：全部数据，其中 {len(listed)} 所学校的数据尚未审核{which}。"


@dataclass(frozen=True)
class PendingGroup:
    status: str
    text: str
    names: list[str]


@dataclass(frozen=True)
class Readiness:
    """What the confirmation page says about the county's data before the run."""

    counts: list[tuple[str, int]]
    """(state in Chinese, number of schools) for every state with schools, approved first."""
    approved: int
    pending: list[PendingGroup]
    pending_total: int
    without_data: int


def readiness(counts: dict[str, int], pending: Sequence[Any], no_data_key: str) -> Readiness:
    """`counts` from `workflow.status_counts`, `pending` from `services.unapproved_schools`."""
    order = [Status.APPROVED, Status.SUBMITTED, Status.DRAFT, Status.RETURNED]
    groups = []
    for status in order[1:]:
        names = [p.name for p in pending if p.status == status]
        if names:
            groups.append(PendingGroup(status, Status(status).label, names))
    return Readiness(
        counts=[(Status(s).label, counts.get(s, 0)) for s in order if counts.get(s, 0)],
        approved=counts.get(Status.APPROVED, 0),
        pending=groups,
        pending_total=sum(len(g.names) for g in groups),
        without_data=counts.get(no_data_key, 0),
    )


@dataclass(frozen=True)
class ChangeRow:
    what: str
    old: str
    new: str
    old_css: str
    new_css: str
    note: str = ""


def _row(what: str, change: VerdictChange, note: str = "") -> ChangeRow:
    return ChangeRow(
        what,
        verdict_text(change.old),
        verdict_text(change.new),
        verdict_css(change.old),
        verdict_css(change.new),
        note,
    )


def _cv_text(old: float | None, new: float | None) -> tuple[str, str]:
    # Three decimals as in the CV table; more when three would hide the change.
    a, b = fmt_number(old, 3), fmt_number(new, 3)
    if a == b and old != new:
        a, b = fmt_number(old, 6), fmt_number(new, 6)
    return a, b


@dataclass(frozen=True)
class Changes:
    previous: Snapshot | None
    diff: EntryDiff | None
    verdict: ChangeRow | None
    parts: list[ChangeRow]
    items: list[ChangeRow]
    segments: list[ChangeRow]
    cvs: list[ChangeRow]

    @property
    def empty(self) -> bool:
        return self.diff is not None and self.diff.empty


def changes(snapshot: Snapshot, previous: Snapshot | None) -> Changes:
    """The changes from `previous` to `snapshot`, as rows with Chinese labels."""
    if previous is None:
        return Changes(None, None, None, [], [], [], [])
    diff = compare_entries(previous.result, snapshot.result)
    standard = standard_of(snapshot.standard_id)
    items = dict(standard.items) if standard is not None else {}
    verdict = _row("县域结论", diff.verdict) if diff.verdict else None
    parts = [_row(PART_ZH.get(c.key, c.key), c) for c in diff.parts]
    item_rows = [_row(short_name(items.get(c.key), c.key), c) for c in diff.items]
    segment_rows = []
    for s in diff.segments:
        level = LEVEL_ZH.get(s.level, s.level)
        row = ChangeRow(
            f"{s.name}（{level}）",
            verdict_text(s.old) if s.present_before else "未参加评估",
            verdict_text(s.new) if s.present_after else "未参加评估",
            verdict_css(s.old) if s.present_before else "unknown",
            verdict_css(s.new) if s.present_after else "unknown",
        )
        segment_rows.append(row)
    cv_rows = []
    for c in diff.cvs:
        old, new = _cv_text(c.old, c.new)
        limit = f"限值 ≤ {fmt_plain(c.limit)}" if c.limit is not None else ""
        verdicts = (
            f"{verdict_text(c.old_passes)} → {verdict_text(c.new_passes)}"
            if c.verdict_changed
            else f"仍{verdict_text(c.new_passes)}"
        )
        name = short_name(items.get(c.item), c.item)
        cv_rows.append(
            ChangeRow(
                f"{LEVEL_ZH.get(c.level, c.level)} {name} 差异系数",
                old,
                new,
                "",
                "",
                "；".join(t for t in (limit, verdicts) if t),
            )
        )
    return Changes(previous, diff, verdict, parts, item_rows, segment_rows, cv_rows)
