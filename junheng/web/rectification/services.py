"""Writes of the rectification work, each in one transaction, and the reads the pages share.

The rules are the core's (`junheng.rectification`): problems come from `problems_from_evaluation`
and `reconcile`, status steps from `tasks.transition`, closure evidence from `passes_in`. This
module turns database rows into the core's records and stores what the core decided.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from junheng.rectification import tasks as core
from junheng.rectification.ledger_xlsx import LedgerRow
from junheng.rectification.organisation import PersonRow, UnitRow
from junheng.rectification.problems import (
    SOURCE_EVALUATION,
    SOURCE_INSPECTION,
    ProblemDraft,
    ProblemState,
    passes_in,
    problem_number,
    problems_from_evaluation,
    reconcile,
)
from junheng.standards import load_standard
from junheng.web.clock import local_date, today
from junheng.web.evaluation.models import Snapshot
from junheng.web.rectification import evidence
from junheng.web.rectification.models import (
    Evidence,
    Person,
    PolicyDocument,
    Problem,
    ProblemSource,
    ProblemStatus,
    ProgressUpdate,
    Task,
    Unit,
    UnitKind,
    UnitMember,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import latest_snapshot


def _user_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return full or user.get_username()


# ---- problems -------------------------------------------------------------------------------


def _numbers(draft: ProblemDraft) -> dict[str, Any]:
    return {
        "value": draft.value,
        "threshold": draft.threshold,
        "gap": draft.gap,
        "gap_unit": draft.gap_unit,
        "gap_what": draft.gap_what,
        "schools": list(draft.schools),
    }


def _state(problem: Problem) -> ProblemState:
    numbers = problem.numbers or {}
    return ProblemState(
        key=problem.key,
        source=SOURCE_EVALUATION
        if problem.source == ProblemSource.EVALUATION
        else SOURCE_INSPECTION,
        closed=problem.status == ProblemStatus.CLOSED,
        value=numbers.get("value"),
        threshold=numbers.get("threshold"),
        gap=numbers.get("gap"),
        title=problem.title,
        description=problem.description,
        id=problem.pk,
    )


def _apply_draft(problem: Problem, draft: ProblemDraft, snapshot: Snapshot) -> None:
    problem.kind = draft.kind
    problem.category = draft.category
    problem.item = draft.item
    problem.level = draft.level or ""
    problem.school_id = draft.school_id or ""
    problem.school_name = draft.school_name or ""
    problem.title = draft.title[:500]
    problem.description = draft.description
    problem.numbers = _numbers(draft)
    problem.tolerated = draft.tolerated
    problem.last_snapshot = snapshot


@dataclass(frozen=True)
class GenerationResult:
    snapshot: Snapshot
    created: int
    updated: int
    unchanged: int
    reopened: int
    proposed: int
    undecided: int
    missing: list[ProblemDraft]

    def message(self) -> str:
        parts = [
            f"新增问题 {self.created} 个",
            f"更新 {self.updated} 个",
            f"未变 {self.unchanged} 个",
        ]
        if self.reopened:
            parts.append(f"重新打开 {self.reopened} 个")
        if self.proposed:
            parts.append(f"数据已达标、建议销号 {self.proposed} 个")
        if self.undecided:
            parts.append(f"因数据缺失无法判定 {self.undecided} 个")
        if self.missing:
            parts.append(f"数据缺失 {len(self.missing)} 处（不计为问题）")
        return "根据评估结果生成问题清单：" + "，".join(parts) + "。"


def number_of(problem: Problem) -> str:
    """The number people read ("2026-R5-小学-城关一小"); empty for a hand-entered problem."""
    if not problem.key:
        return ""
    return problem_number(problem.key, problem.year.label, problem.school_name)


def standard_name(snapshot: Snapshot | None) -> str:
    """The standard's Chinese name for a page (its file id is not for people to read)."""
    if snapshot is None:
        return ""
    try:
        return load_standard(snapshot.standard_id).name
    except Exception:  # a standard file removed since: the page still renders
        return "评估时所用的标准（该标准文件已不在本系统中）"


def drafts_of(snapshot: Snapshot) -> list[ProblemDraft]:
    try:
        standard = load_standard(snapshot.standard_id)
    except Exception:  # a standard file removed since: the engine's reasons still suffice
        standard = None
    return problems_from_evaluation(snapshot.result, standard)


def generate_problems(
    county: County, year: SchoolYear, snapshot: Snapshot, user: AbstractBaseUser | None
) -> GenerationResult:
    """Problems of the snapshot reconciled with those recorded: no copies on a second run; a
    problem that passes in this snapshot becomes "数据已达标（建议销号）"."""
    drafts = drafts_of(snapshot)
    with transaction.atomic():
        recorded = {
            p.pk: p for p in Problem.objects.select_for_update().filter(county=county, year=year)
        }
        plan = reconcile(
            [_state(p) for p in recorded.values()], drafts, snapshot.pk, snapshot.result
        )
        for draft in plan.create:
            problem = Problem(
                county=county,
                year=year,
                key=draft.key,
                source=ProblemSource.EVALUATION,
                snapshot=snapshot,
                created_by=user,
            )
            _apply_draft(problem, draft, snapshot)
            problem.save()
        for state, draft in plan.update:
            problem = recorded[state.id]
            _apply_draft(problem, draft, snapshot)
            # a problem proposed for closure that fails again is simply open again
            problem.status = ProblemStatus.OPEN
            problem.passing_snapshot = None
            problem.save()
        by_key = {d.key: d for d in drafts}
        for state in plan.unchanged:
            problem = recorded[state.id]
            problem.last_snapshot = snapshot
            # the same numbers may fail the school or not, as the segment's other indicators do
            problem.tolerated = by_key[state.key].tolerated if state.key in by_key else False
            if problem.status == ProblemStatus.PROPOSED:
                problem.status, problem.passing_snapshot = ProblemStatus.OPEN, None
            problem.save()
        for state, draft in plan.reopen:
            problem = recorded[state.id]
            _apply_draft(problem, draft, snapshot)
            problem.status, problem.passing_snapshot = ProblemStatus.OPEN, None
            problem.closed_at, problem.closed_by = None, None
            problem.save()
        for proposal in plan.propose_closure:
            problem = recorded[proposal.state.id]
            problem.status = ProblemStatus.PROPOSED
            problem.passing_snapshot = snapshot
            problem.last_snapshot = snapshot
            problem.save()
    return GenerationResult(
        snapshot=snapshot,
        created=len(plan.create),
        updated=len(plan.update),
        unchanged=len(plan.unchanged),
        reopened=len(plan.reopen),
        proposed=len(plan.propose_closure),
        undecided=len(plan.undecided),
        missing=plan.missing_data,
    )


def add_problem(
    county: County,
    year: SchoolYear,
    *,
    source: str,
    title: str,
    description: str,
    found_on: date | None,
    found_by: str,
    item: str,
    school_name: str,
    user: AbstractBaseUser | None,
    school_id: str = "",
) -> Problem:
    """A problem entered by hand (督导检查, 自查): never touched by generation."""
    with transaction.atomic():
        return Problem.objects.create(
            county=county,
            year=year,
            key=None,
            source=source,
            kind="inspection",
            title=title,
            description=description,
            found_on=found_on,
            found_by=found_by,
            item=item,
            school_id=school_id,
            school_name=school_name,
            created_by=user,
        )


# ---- tasks ----------------------------------------------------------------------------------


def core_task(task: Task) -> core.Task:
    responsible = tuple(u.name for u in task.responsible_units.all())
    return core.Task(
        problem_key=task.problem.key,
        lead_unit=task.lead_unit.name,
        deadline=task.deadline,
        status=core.Status(task.status),
        responsible_units=responsible,
        person=task.person,
        leader=task.leader,
        measures=task.measures,
        budget_wan=float(task.budget_wan) if task.budget_wan is not None else None,
        data_backed=task.problem.data_backed,
        approver=_user_name(task.approver),
        closed_on=task.closed_on,
        closing_snapshot=task.closing_snapshot_id,
        id=task.pk,
        problem_title=task.problem.title,
    )


@dataclass(frozen=True)
class TaskFields:
    lead_unit: Unit
    responsible_units: Sequence[Unit]
    person: str
    leader: str
    measures: str
    deadline: date
    budget_wan: Decimal | None
    phase: Any = None


def save_task(
    problem: Problem, fields: TaskFields, user: AbstractBaseUser, task: Task | None = None
) -> Task:
    with transaction.atomic():
        creating = task is None
        if task is None:
            task = Task(problem=problem)
        task.lead_unit = fields.lead_unit
        task.person = fields.person
        task.leader = fields.leader
        task.measures = fields.measures
        task.deadline = fields.deadline
        task.budget_wan = fields.budget_wan
        task.phase = fields.phase
        task.save()
        task.responsible_units.set(fields.responsible_units)
        ProgressUpdate.objects.create(
            task=task, author=user, text="建立整改任务" if creating else "修改整改任务"
        )
    return task


def _record_evidence(
    stored: Sequence[evidence.Stored], user: AbstractBaseUser, **owner: Any
) -> None:
    """The rows of stored evidence files, for a progress update or a policy document."""
    for item in stored:
        Evidence.objects.create(
            **owner,
            name=item.name,
            kind=item.type.kind,
            size=item.size,
            sha256=item.sha256,
            path=item.path,
            uploaded_by=user,
        )


def add_progress(
    task: Task, user: AbstractBaseUser, text: str, files: Iterable[evidence.Upload]
) -> ProgressUpdate:
    """A progress report with its evidence files; nothing is kept when a file is refused."""
    stored = evidence.store_all(files)
    try:
        with transaction.atomic():
            update = ProgressUpdate.objects.create(task=task, author=user, text=text)
            _record_evidence(stored, user, update=update)
            if task.status == core.Status.NOT_STARTED.value:
                # reporting progress is starting the work
                _record_step(task, user, core.Status.IN_PROGRESS, "")
    except BaseException:
        evidence.discard(stored)
        raise
    return update


def closure_evidence(task: Task) -> tuple[Snapshot | None, bool | None]:
    """The latest snapshot of the task's county and year and whether it shows the problem
    passing (None when it cannot say or the problem is not data-backed)."""
    problem = task.problem
    snapshot = latest_snapshot(problem.county, problem.year)
    if snapshot is None or not problem.data_backed:
        return snapshot, None
    return snapshot, passes_in(snapshot.result, problem.key or "")


def _record_step(task: Task, user: AbstractBaseUser, target: core.Status, comment: str) -> None:
    ProgressUpdate.objects.create(
        task=task,
        author=user,
        text=comment,
        status_from=task.status,
        status_to=target.value,
    )
    task.status = target.value
    task.save(update_fields=["status", "updated_at"])


def step(
    task: Task,
    target: str,
    user: AbstractBaseUser,
    *,
    comment: str = "",
    approve: bool = False,
) -> Task:
    """Move the task to `target` by the core's table; closure (`approve`) takes the latest
    snapshot as its evidence. Raises `tasks.TransitionError` with the Chinese reason."""
    with transaction.atomic():
        task = Task.objects.select_for_update().select_related("problem").get(pk=task.pk)
        snapshot, passes = closure_evidence(task) if approve else (None, None)
        moved = core.transition(
            core_task(task),
            target,
            today=today(),
            approver=_user_name(user) if approve else "",
            comment=comment,
            snapshot_id=snapshot.pk if snapshot is not None else None,
            indicator_passes=passes,
        )
        ProgressUpdate.objects.create(
            task=task,
            author=user,
            text=comment,
            status_from=task.status,
            status_to=moved.status.value,
        )
        task.status = moved.status.value
        task.closed_on = moved.closed_on
        if moved.status == core.Status.CLOSED:
            task.approver = user
            task.closing_snapshot = snapshot if task.problem.data_backed else None
        else:
            task.approver, task.closing_snapshot = None, None
        task.save()
        _refresh_problem(task.problem, user)
    return task


def _refresh_problem(problem: Problem, user: AbstractBaseUser) -> None:
    """A problem is closed when all its tasks are (by the approver of the last); revoking one
    reopens it."""
    statuses = list(problem.tasks.values_list("status", flat=True))
    closed = bool(statuses) and all(s == core.Status.CLOSED.value for s in statuses)
    fields = ["status", "closed_at", "closed_by"]
    if closed and problem.status != ProblemStatus.CLOSED:
        problem.status, problem.closed_at, problem.closed_by = (
            ProblemStatus.CLOSED,
            timezone.now(),
            user,
        )
        problem.save(update_fields=fields)
    elif not closed and problem.status == ProblemStatus.CLOSED:
        reopened = ProblemStatus.PROPOSED if problem.passing_snapshot_id else ProblemStatus.OPEN
        problem.status, problem.closed_at, problem.closed_by = reopened, None, None
        problem.save(update_fields=fields)


def problem_closure_evidence(problem: Problem) -> tuple[Snapshot | None, bool | None]:
    """The latest snapshot of the problem's county and year, and whether it shows it passing."""
    snapshot = latest_snapshot(problem.county, problem.year)
    if snapshot is None or not problem.data_backed:
        return snapshot, None
    return snapshot, passes_in(snapshot.result, problem.key or "")


def close_problem(problem: Problem, user: AbstractBaseUser) -> Problem:
    """销号 of a whole problem, for one whose tasks are all closed or that has none (a problem
    the data show resolved before any task was set). Same conditions as a task's closure.
    Raises `tasks.TransitionError` with the Chinese reason."""
    with transaction.atomic():
        problem = Problem.objects.select_for_update().get(pk=problem.pk)
        if problem.status == ProblemStatus.CLOSED:
            raise core.TransitionError("该问题已销号")
        still_open = problem.tasks.exclude(status=core.Status.CLOSED.value).count()
        if still_open:
            raise core.TransitionError(
                f"该问题还有 {still_open} 项整改任务未销号，请先逐项验收销号"
            )
        snapshot, passes = problem_closure_evidence(problem)
        core.check_closure(
            data_backed=problem.data_backed,
            approver=_user_name(user),
            snapshot_id=snapshot.pk if snapshot is not None else None,
            indicator_passes=passes,
        )
        problem.status, problem.closed_at, problem.closed_by = (
            ProblemStatus.CLOSED,
            timezone.now(),
            user,
        )
        if problem.data_backed:
            problem.passing_snapshot = snapshot
        problem.save()
    return problem


def ledger_tasks(county: County, year: SchoolYear) -> list[Task]:
    return list(
        Task.objects.filter(problem__county=county, problem__year=year)
        .select_related("problem", "lead_unit", "approver", "phase")
        .prefetch_related("responsible_units")
        .order_by("deadline", "id")
    )


# ---- organisation ---------------------------------------------------------------------------


def import_organisation(county: County, units: Sequence[UnitRow]) -> tuple[int, int]:
    """Units (`organisation.UnitRow`) written at once: a unit named in the table gets the
    table's type, duties and people; units not named stay as they are (tasks refer to them).
    Returns (units, people) written."""
    people = 0
    with transaction.atomic():
        start = Unit.objects.filter(county=county).count()
        for index, row in enumerate(units):
            unit, created = Unit.objects.get_or_create(
                county=county,
                name=row.name,
                defaults={"kind": row.kind, "duties": row.duties, "order": start + index},
            )
            if not created:
                unit.kind = row.kind
                if row.duties:
                    unit.duties = row.duties
                unit.save()
                unit.people.all().delete()
            Person.objects.bulk_create(
                Person(unit=unit, name=p.name, post=p.post, phone=p.phone) for p in row.people
            )
            people += len(row.people)
    return len(units), people


class OrganisationError(Exception):
    """A change of the organisation refused, with the reason in Chinese."""


def organisation_rows(county: County) -> list[UnitRow]:
    """The county's units with their people, as the organisation table's rows."""
    return [
        UnitRow(
            kind=unit.kind,
            name=unit.name,
            duties=unit.duties,
            people=[PersonRow(p.name, p.post, p.phone) for p in unit.people.all()],
        )
        for unit in Unit.objects.filter(county=county).prefetch_related("people")
    ]


def unit_deletion_refusal(unit: Unit) -> str:
    """Why the unit cannot be deleted (it leads tasks, which need a lead unit), or ""."""
    led = unit.led_tasks.count()
    if led:
        return (
            f"“{unit.name}”牵头 {led} 项整改任务，不能删除；"
            "请先在这些任务中改由其他单位牵头，再删除该单位。"
        )
    return ""


def delete_unit(unit: Unit) -> tuple[int, int]:
    """Delete a unit that leads no task, with its people and department logins' memberships
    (the logins stay, without access to the ledger). Returns (people, tasks it shared)."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update().get(pk=unit.pk)
        refusal = unit_deletion_refusal(unit)
        if refusal:
            raise OrganisationError(refusal)
        people = unit.people.count()
        shared = unit.shared_tasks.count()
        unit.delete()
    return people, shared


# ---- policy checklist -----------------------------------------------------------------------


def save_policy(
    county: County,
    item_id: str,
    *,
    status: str,
    document_number: str,
    issued_on: date | None,
    files: Iterable[evidence.Upload],
    user: AbstractBaseUser,
) -> PolicyDocument:
    """A checklist document's status and files, written together or not at all."""
    stored = evidence.store_all(files)
    try:
        with transaction.atomic():
            document, _ = PolicyDocument.objects.select_for_update().get_or_create(
                county=county, item_id=item_id
            )
            document.status = status
            document.document_number = document_number
            document.issued_on = issued_on
            document.save()
            _record_evidence(stored, user, policy=document)
    except BaseException:
        evidence.discard(stored)
        raise
    return document


def ledger_rows(county: County, year: SchoolYear) -> list[LedgerRow]:
    """The ledger as `ledger_xlsx` rows: one per task, and one per problem without a task."""
    rows: list[LedgerRow] = []
    problems = (
        Problem.objects.filter(county=county, year=year)
        .select_related("year")
        .prefetch_related("tasks__lead_unit", "tasks__responsible_units", "tasks__updates")
        .order_by("id")
    )
    for problem in problems:
        tasks = list(problem.tasks.all()) or [None]
        for task in tasks:
            common = dict(
                problem=problem.title,
                number=len(rows) + 1,
                indicator=problem.item,
                school=problem.school_name,
                # the readable number; the import maps it back to the key (`_keys_by_number`)
                problem_key=number_of(problem)
                if problem.source == ProblemSource.EVALUATION
                else None,
            )
            if task is None:
                rows.append(LedgerRow(**common))
                continue
            progress = next((u.text for u in task.updates.all() if u.text and not u.status_to), "")
            rows.append(
                LedgerRow(
                    **common,
                    lead_unit=task.lead_unit.name,
                    person=task.person,
                    deadline=task.deadline,
                    status=core.Status(task.status),
                    responsible_units=tuple(u.name for u in task.responsible_units.all()),
                    leader=task.leader,
                    measures=task.measures,
                    budget_wan=float(task.budget_wan) if task.budget_wan is not None else None,
                    progress=progress,
                )
            )
    return rows


def problem_closures(county: County, year: SchoolYear) -> list[date | None]:
    """The day each problem of the ledger was closed (None while open), for the forecast."""
    return [
        local_date(closed) if closed is not None else None
        for closed in Problem.objects.filter(county=county, year=year).values_list(
            "closed_at", flat=True
        )
    ]


@dataclass(frozen=True)
class LedgerImport:
    problems_created: int
    tasks_created: int
    tasks_updated: int
    units_created: list[str]
    awaiting_check: int
    """Rows marked 已销号 in the workbook, imported as 待验收: closure stays the approver's."""

    def message(self) -> str:
        text = (
            f"已导入台账：新增问题 {self.problems_created} 个，新增任务 {self.tasks_created} 项，"
            f"更新任务 {self.tasks_updated} 项"
        )
        if self.units_created:
            text += f"；新登记单位 {len(self.units_created)} 个：{'、'.join(self.units_created)}"
        if self.awaiting_check:
            text += f"；台账中已销号的 {self.awaiting_check} 项导入为“待验收”，须由验收人确认销号"
        return text + "。"


def _keys_by_number(county: County, year: SchoolYear) -> dict[str, str]:
    """Problem keys by the number a ledger shows ("2026-R5-小学-城关一小"): of the problems
    recorded and of those the latest evaluation would generate, so a downloaded ledger joins
    its problems again. A key written in the ledger itself still joins as it is."""
    keys: dict[str, str] = {}
    snapshot = latest_snapshot(county, year)
    if snapshot is not None:
        for draft in drafts_of(snapshot):
            if not draft.missing:
                keys[problem_number(draft.key, year.label, draft.school_name or "")] = draft.key
    for key, school in Problem.objects.filter(
        county=county, year=year, key__isnull=False
    ).values_list("key", "school_name"):
        keys[problem_number(key, year.label, school)] = key
    return keys


def import_ledger(
    county: County, year: SchoolYear, rows: Sequence[LedgerRow], user: AbstractBaseUser
) -> LedgerImport:
    """A county's existing ledger (`ledger_xlsx.LedgerRow`s) written at once.

    Rows with a 问题编号 join the problem of that key (created when generation has not made it
    yet); other rows join the hand-entered problem of the same text or make one (自查). A task
    already recorded for the problem with the same lead unit and measures is updated, so
    importing the same workbook twice adds nothing. Units not registered yet are registered as
    成员单位. A row marked 已销号 is imported as 待验收: the workbook is not an approval.
    """
    problems_created = tasks_created = tasks_updated = awaiting = 0
    new_units: list[str] = []
    keys = _keys_by_number(county, year)
    with transaction.atomic():
        units = {u.name: u for u in Unit.objects.filter(county=county)}

        def unit(name: str) -> Unit:
            if name not in units:
                units[name] = Unit.objects.create(
                    county=county, kind=UnitKind.DEPARTMENT, name=name, order=len(units)
                )
                new_units.append(name)
            return units[name]

        for row in rows:
            problem: Problem | None
            key = keys.get(row.problem_key, row.problem_key) if row.problem_key else None
            if key:
                problem = Problem.objects.filter(county=county, year=year, key=key).first()
                source = ProblemSource.EVALUATION
            else:
                problem = (
                    Problem.objects.filter(
                        county=county, year=year, key__isnull=True, title=row.problem
                    )
                    .order_by("id")
                    .first()
                )
                source = ProblemSource.SELF_CHECK
            if problem is None:
                problem = Problem.objects.create(
                    county=county,
                    year=year,
                    key=key,
                    source=source,
                    kind="imported",
                    title=row.problem[:500],
                    item=row.indicator,
                    school_name=row.school,
                    created_by=user,
                )
                problems_created += 1
            lead = unit(row.lead_unit)
            status = core.Status(row.status)
            if status == core.Status.CLOSED:
                status, awaiting = core.Status.AWAITING_CHECK, awaiting + 1
            task = Task.objects.filter(
                problem=problem, lead_unit=lead, measures=row.measures
            ).first()
            if task is None:
                task = Task(problem=problem, lead_unit=lead, measures=row.measures)
                tasks_created += 1
            else:
                tasks_updated += 1
            task.person = row.person
            task.leader = row.leader
            task.deadline = row.deadline
            task.budget_wan = Decimal(str(row.budget_wan)) if row.budget_wan is not None else None
            task.status = status.value
            task.save()
            task.responsible_units.set([unit(name) for name in row.responsible_units])
            ProgressUpdate.objects.create(
                task=task,
                author=user,
                text=f"从整改台账导入（状态：{row.status.value}）"
                + (f"：{row.progress}" if row.progress else ""),
            )
    return LedgerImport(problems_created, tasks_created, tasks_updated, new_units, awaiting)


def add_member(unit: Unit, username: str, full_name: str, password: str) -> AbstractBaseUser:
    """A new login that works for `unit` (a department user), created with its membership."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(username, password=password)
        if full_name:
            user.first_name = full_name[:150]
            user.save(update_fields=["first_name"])
        UnitMember.objects.create(user=user, unit=unit)
    return user
