"""Rectification tasks (整改台账): statuses, allowed transitions, the overdue rule, progress.

Nothing here reads the clock: every rule that depends on the date takes `today`, so a page, a
bulletin and a test given the same day agree. 逾期 is derived (deadline passed and not closed),
never stored, so a task cannot stay "overdue" after its deadline is moved.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """The stored statuses; the values are what people read and what a ledger holds."""

    NOT_STARTED = "未开始"
    IN_PROGRESS = "进行中"
    AWAITING_CHECK = "待验收"
    CLOSED = "已销号"


OVERDUE = "逾期"
"""Shown instead of the stored status when the deadline has passed and the task is not closed."""


@dataclass(frozen=True)
class Task:
    """One line of the ledger: a task of one problem."""

    problem_key: str | None
    lead_unit: str
    deadline: date | None
    status: Status = Status.NOT_STARTED
    responsible_units: tuple[str, ...] = ()
    person: str = ""
    leader: str = ""
    measures: str = ""
    budget_wan: float | None = None
    """Budget in 万元 (ten thousand yuan), as counties' ledgers state it."""
    progress: str = ""
    data_backed: bool = True
    """Drawn from an evaluation: closure needs a snapshot where the indicator passes."""
    approver: str = ""
    closed_on: date | None = None
    closing_snapshot: Any = None
    id: Any = None
    problem_title: str = ""
    """What the problem says, for lists and bulletins that name it beside the measures."""


class TransitionError(ValueError):
    """A refused status change; the message is the Chinese sentence shown to the user."""


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    action: str
    """The Chinese name of the step, as on a button."""
    needs_comment: bool = False
    needs_approval: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.NOT_STARTED, Status.IN_PROGRESS, "开始整改"),
    Transition(Status.IN_PROGRESS, Status.AWAITING_CHECK, "提交验收"),
    Transition(Status.AWAITING_CHECK, Status.IN_PROGRESS, "退回整改", needs_comment=True),
    Transition(Status.AWAITING_CHECK, Status.CLOSED, "验收销号", needs_approval=True),
    Transition(Status.CLOSED, Status.IN_PROGRESS, "撤销销号", needs_comment=True),
)
_BY_PAIR: Mapping[tuple[Status, Status], Transition] = {
    (t.source, t.target): t for t in TRANSITIONS
}


def allowed_targets(status: Status) -> list[Status]:
    return [t.target for t in TRANSITIONS if t.source == status]


def transition(
    task: Task,
    target: Status | str,
    *,
    today: date,
    approver: str = "",
    comment: str = "",
    snapshot_id: Any = None,
    indicator_passes: bool | None = None,
) -> Task:
    """The task after moving it to `target`, or TransitionError with the reason in Chinese.

    Closing (销号) needs an approver and, for a data-backed task, the snapshot that shows the
    indicator passing (`indicator_passes` is what `problems.passes_in` says for that snapshot).
    """
    try:
        target = Status(target)
    except ValueError:
        known = "、".join(s.value for s in Status)
        raise TransitionError(f"状态“{target}”无法识别，应为：{known}") from None
    step = _BY_PAIR.get((task.status, target))
    if step is None:
        options = "、".join(s.value for s in allowed_targets(task.status)) or "无"
        raise TransitionError(
            f"不能从“{task.status.value}”改为“{target.value}”；当前可以改为：{options}"
        )
    if step.needs_comment and not comment.strip():
        raise TransitionError(f"{step.action}须写明原因")
    if step.needs_approval:
        check_closure(
            data_backed=task.data_backed,
            approver=approver,
            snapshot_id=snapshot_id,
            indicator_passes=indicator_passes,
        )
        return replace(
            task,
            status=target,
            approver=approver.strip(),
            closed_on=today,
            closing_snapshot=snapshot_id if task.data_backed else None,
        )
    if task.status == Status.CLOSED:
        return replace(task, status=target, approver="", closed_on=None, closing_snapshot=None)
    return replace(task, status=target)


def check_closure(
    *, data_backed: bool, approver: str, snapshot_id: Any, indicator_passes: bool | None
) -> None:
    """The conditions of 销号, for a task or a whole problem: an approver and, when the problem
    comes from the evaluation, a snapshot that shows the indicator passing. Raises
    TransitionError with the reason in Chinese."""
    if not approver.strip():
        raise TransitionError("销号须由验收人确认，请填写验收人")
    if not data_backed:
        return
    if snapshot_id is None:
        raise TransitionError(
            "该问题来自评估数据，销号前须重新评估，并以显示该指标已达标的评估结果为依据"
        )
    if indicator_passes is False:
        raise TransitionError(
            "最新评估结果显示该指标仍未达标，不能销号；请更新数据并重新评估后再验收"
        )
    if indicator_passes is None:
        raise TransitionError(
            "最新评估结果中该指标无法判定（数据缺失），不能销号；请补齐数据并重新评估后再验收"
        )


def is_overdue(task: Task, today: date) -> bool:
    """The deadline has passed (the deadline day itself is still on time) and it is not closed."""
    return task.deadline is not None and today > task.deadline and task.status != Status.CLOSED


def display_status(task: Task, today: date) -> str:
    return OVERDUE if is_overdue(task, today) else task.status.value


def due_within(tasks: Iterable[Task], today: date, days: int) -> list[Task]:
    """Open tasks whose deadline falls from today to `days` days on, earliest first."""
    last = today + timedelta(days=days)
    due = [
        t
        for t in tasks
        if t.status != Status.CLOSED and t.deadline is not None and today <= t.deadline <= last
    ]
    return sorted(due, key=lambda t: t.deadline or today)


@dataclass(frozen=True)
class UnitProgress:
    unit: str
    total: int = 0
    not_started: int = 0
    in_progress: int = 0
    awaiting_check: int = 0
    closed: int = 0
    overdue: int = 0

    @property
    def closed_share(self) -> float | None:
        return self.closed / self.total if self.total else None

    @property
    def closed_share_text(self) -> str:
        """The share closed as bulletins print it: one decimal, "—" without tasks."""
        share = self.closed_share
        return "—" if share is None else f"{share:.1%}"


_COUNTER = {
    Status.NOT_STARTED: "not_started",
    Status.IN_PROGRESS: "in_progress",
    Status.AWAITING_CHECK: "awaiting_check",
    Status.CLOSED: "closed",
}


def progress_by_unit(
    tasks: Iterable[Task], today: date, include_responsible: bool = False
) -> list[UnitProgress]:
    """Counts per lead unit (and, if asked, per responsible unit), most overdue first.

    A task counts once per unit even when a unit is both lead and responsible.
    """
    counts: dict[str, dict[str, int]] = {}
    for task in tasks:
        units = [task.lead_unit]
        if include_responsible:
            units += list(task.responsible_units)
        for unit in dict.fromkeys(u for u in units if u):
            row = counts.setdefault(
                unit, dict.fromkeys(("total", *_COUNTER.values(), "overdue"), 0)
            )
            row["total"] += 1
            row[_COUNTER[task.status]] += 1
            row["overdue"] += is_overdue(task, today)
    rows = [UnitProgress(unit, **row) for unit, row in counts.items()]
    return sorted(rows, key=lambda r: (-r.overdue, -(r.total - r.closed), r.unit))
