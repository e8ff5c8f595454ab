"""Task statuses: overdue exactly across a deadline, transitions refused with their Chinese
reasons, tasks due soon and progress per unit — every date given, no clock read."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from junheng.rectification.tasks import (
    OVERDUE,
    TRANSITIONS,
    Status,
    Task,
    TransitionError,
    display_status,
    due_within,
    is_overdue,
    progress_by_unit,
    transition,
)

DEADLINE = date(2026, 6, 30)
TASK = Task(problem_key="R4/primary/P1", lead_unit="县教体局", deadline=DEADLINE)


@pytest.mark.parametrize(
    ("today", "overdue"),
    [(date(2026, 6, 29), False), (date(2026, 6, 30), False), (date(2026, 7, 1), True)],
)
def test_overdue_only_after_the_deadline_day(today, overdue):
    for status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.AWAITING_CHECK):
        task = replace(TASK, status=status)
        assert is_overdue(task, today) is overdue
        assert display_status(task, today) == (OVERDUE if overdue else status.value)
    closed = replace(TASK, status=Status.CLOSED)
    assert is_overdue(closed, today) is False
    assert display_status(closed, today) == "已销号"


def test_a_task_without_deadline_is_never_overdue():
    assert is_overdue(replace(TASK, deadline=None), date(2030, 1, 1)) is False


def test_transitions_table_and_refusals_in_chinese():
    assert [(t.source.value, t.target.value) for t in TRANSITIONS] == [
        ("未开始", "进行中"),
        ("进行中", "待验收"),
        ("待验收", "进行中"),
        ("待验收", "已销号"),
        ("已销号", "进行中"),
    ]
    today = date(2026, 7, 2)
    with pytest.raises(TransitionError) as exc:
        transition(TASK, Status.CLOSED, today=today, approver="王督学")
    assert str(exc.value) == "不能从“未开始”改为“已销号”；当前可以改为：进行中"
    with pytest.raises(
        TransitionError, match=r"^状态“完成”无法识别，应为：未开始、进行中、待验收、已销号$"
    ):
        transition(TASK, "完成", today=today)

    waiting = transition(
        transition(TASK, "进行中", today=today), Status.AWAITING_CHECK, today=today
    )
    assert waiting.status == Status.AWAITING_CHECK
    with pytest.raises(TransitionError) as exc:
        transition(waiting, Status.IN_PROGRESS, today=today)
    assert str(exc.value) == "退回整改须写明原因"
    with pytest.raises(TransitionError) as exc:
        transition(waiting, Status.CLOSED, today=today, snapshot_id=8, indicator_passes=True)
    assert str(exc.value) == "销号须由验收人确认，请填写验收人"
    with pytest.raises(TransitionError) as exc:
        transition(waiting, Status.CLOSED, today=today, approver="王督学")
    assert str(exc.value) == (
        "该问题来自评估数据，销号前须重新评估，并以显示该指标已达标的评估结果为依据"
    )
    with pytest.raises(TransitionError) as exc:
        transition(
            waiting,
            Status.CLOSED,
            today=today,
            approver="王督学",
            snapshot_id=8,
            indicator_passes=False,
        )
    assert str(exc.value) == (
        # the snapshot's database id means nothing to the person closing the task
        "最新评估结果显示该指标仍未达标，不能销号；请更新数据并重新评估后再验收"
    )
    with pytest.raises(TransitionError, match="无法判定（数据缺失），不能销号"):
        transition(
            waiting,
            Status.CLOSED,
            today=today,
            approver="王督学",
            snapshot_id=8,
            indicator_passes=None,
        )

    closed = transition(
        waiting,
        Status.CLOSED,
        today=today,
        approver=" 王督学 ",
        snapshot_id=8,
        indicator_passes=True,
    )
    assert (closed.status, closed.approver, closed.closed_on, closed.closing_snapshot) == (
        Status.CLOSED,
        "王督学",
        today,
        8,
    )
    with pytest.raises(TransitionError, match=r"^撤销销号须写明原因$"):
        transition(closed, Status.IN_PROGRESS, today=today)
    reopened = transition(closed, Status.IN_PROGRESS, today=today, comment="复查发现反弹")
    assert (reopened.status, reopened.approver, reopened.closed_on) == (
        Status.IN_PROGRESS,
        "",
        None,
    )


def test_a_hand_entered_problem_closes_on_approval_alone():
    waiting = Task(
        problem_key=None,
        lead_unit="某校",
        deadline=DEADLINE,
        status=Status.AWAITING_CHECK,
        data_backed=False,
    )
    closed = transition(waiting, "已销号", today=date(2026, 7, 1), approver="李科长")
    assert closed.status == Status.CLOSED and closed.closing_snapshot is None


def test_due_within_includes_both_ends_and_skips_closed_and_late():
    today = date(2026, 6, 20)
    tasks = [
        replace(TASK, deadline=date(2026, 6, 30), id="edge"),
        replace(TASK, deadline=date(2026, 7, 1), id="later"),
        replace(TASK, deadline=date(2026, 6, 20), id="today"),
        replace(TASK, deadline=date(2026, 6, 19), id="late"),
        replace(TASK, deadline=date(2026, 6, 25), status=Status.CLOSED, id="closed"),
        replace(TASK, deadline=None, id="none"),
    ]
    assert [t.id for t in due_within(tasks, today, 10)] == ["today", "edge"]


def test_progress_by_unit_counts_overdue_and_closed():
    today = date(2026, 7, 1)
    late = date(2026, 6, 30)
    tasks = [
        Task("a", "县教体局", late, Status.IN_PROGRESS, responsible_units=("县财政局",)),
        Task("b", "县教体局", late, Status.CLOSED),
        Task("c", "县教体局", date(2026, 8, 1), Status.NOT_STARTED),
        Task("d", "县财政局", late, Status.AWAITING_CHECK, responsible_units=("县财政局",)),
        Task("e", "县人社局", date(2026, 9, 1), Status.CLOSED),
    ]
    lead = {r.unit: r for r in progress_by_unit(tasks, today)}
    assert [r.unit for r in progress_by_unit(tasks, today)] == ["县教体局", "县财政局", "县人社局"]
    edu = lead["县教体局"]
    assert (edu.total, edu.closed, edu.overdue, edu.not_started, edu.in_progress) == (3, 1, 1, 1, 1)
    assert edu.closed_share == pytest.approx(1 / 3)
    assert (lead["县财政局"].total, lead["县财政局"].overdue) == (1, 1)
    assert (lead["县人社局"].total, lead["县人社局"].closed, lead["县人社局"].overdue) == (1, 1, 0)
    both = {r.unit: r for r in progress_by_unit(tasks, today, include_responsible=True)}
    # d names 县财政局 as lead and responsible: counted once.
    assert (both["县财政局"].total, both["县财政局"].overdue) == (2, 2)
