"""The data-entry workflow of a school year: who may edit, submit, review and unlock, and when.

    填报中 (draft) ──submit──► 已提交 (submitted) ──approve──► 已审核 (approved, locked)
        ▲                          │                              │
        │                        return (comment required)      unlock (reason required)
        │                          ▼                              │
        └──── edit / submit ── 退回 (returned)      填报中 ◄──────┘

Values are edited only in 填报中 and 退回, by the school's own user or the county's
administrators. A school (or its county administrator on its behalf) submits; the county's
administrators (or system admins) approve or return; an approved year is locked against the form
and against imports (`services.load_dataset` refuses it) until a county administrator unlocks it.
Every step is recorded in the ChangeLog beside the value changes (who, when, from → to, comment).

Writes take the row's lock and compare-and-set its version or status, so two people acting on the
same school at once never overwrite each other silently: the second is refused with a message
naming who acted first and when (optimistic locking). The reads at the end of the module serve
the school page's history and the county's review list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Subquery
from django.utils import timezone

from junheng.core.dataset import Dataset
from junheng.core.schema import COUNTY_FACTS_BY_NAME, SCHOOL_FACTS_BY_NAME, SCHOOLS
from junheng.core.schema import SEGMENTS as SEGMENT_TABLE
from junheng.intake.sources import cell_text
from junheng.web import clock
from junheng.web.accounts.scope import (
    AnyUser,
    can_edit_school,
    can_review_county,
    can_review_school,
)
from junheng.web.collection.models import (
    ChangeLog,
    CountyFactsVersion,
    SchoolYearData,
    Status,
)
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.services import History, commit_history, sync_county_facts, sync_school_data

EDITABLE: frozenset[str] = frozenset({Status.DRAFT, Status.RETURNED})
"""States in which values may be changed."""


class Action(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    RETURN = "return"
    UNLOCK = "unlock"


ACTION_ZH: dict[str, str] = {
    Action.SUBMIT: "提交审核",
    Action.APPROVE: "审核通过",
    Action.RETURN: "退回修改",
    Action.UNLOCK: "解除锁定",
}


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: str
    allowed: Callable[[AnyUser, School], bool]
    comment_required: bool = False
    comment_label: str = "意见"


TRANSITIONS: dict[Action, Transition] = {
    Action.SUBMIT: Transition(Action.SUBMIT, EDITABLE, Status.SUBMITTED, can_edit_school),
    Action.APPROVE: Transition(
        Action.APPROVE, frozenset({Status.SUBMITTED}), Status.APPROVED, can_review_school
    ),
    Action.RETURN: Transition(
        Action.RETURN,
        frozenset({Status.SUBMITTED}),
        Status.RETURNED,
        can_review_school,
        comment_required=True,
        comment_label="退回意见",
    ),
    Action.UNLOCK: Transition(
        Action.UNLOCK,
        frozenset({Status.APPROVED}),
        Status.DRAFT,
        can_review_school,
        comment_required=True,
        comment_label="解除锁定原因",
    ),
}
"""Every state change there is: from which states, to which, who may, whether a comment is due."""


class WorkflowError(Exception):
    """An action the workflow does not allow now; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotPermitted(WorkflowError):
    """The user's role or scope does not allow the action at all (answered with 403)."""


class DataLocked(WorkflowError):
    """The year's data is submitted or approved and cannot be changed now."""


class Conflict(WorkflowError):
    """Someone else changed the data after the form was opened; `version` is the current
    version, which the form shown again carries."""

    def __init__(self, message: str, version: int) -> None:
        super().__init__(message)
        self.version = version


def _who(user: AbstractBaseUser | None) -> str:
    if user is None:
        return "系统（批量导入）"
    return user.get_full_name() or user.get_username()  # type: ignore[attr-defined]


def _when(at: datetime | None) -> str:
    return f"{clock.local(at):%Y-%m-%d %H:%M:%S}" if at else "不久前"


def _conflict(
    what: str, version: int, by: AbstractBaseUser | None, at: datetime | None
) -> Conflict:
    return Conflict(
        f"保存失败：在您打开本页之后，{_who(by)}于 {_when(at)} 修改了{what}"
        f"（现为第 {version} 版）。"
        "您填写的内容仍保留在下方，标有“当前值”的项目与您填写的不同，请核对后再次保存；"
        "再次保存将以您填写的内容为准。",
        version,
    )


def locked_message(status: str, year: SchoolYear) -> str:
    """Why values cannot be changed in `status` (submitted or approved)."""
    if status == Status.APPROVED:
        return f"{year.label} 学年的数据已审核锁定，不能修改；如需修改，请县级管理员先解除锁定。"
    return f"{year.label} 学年的数据已提交审核，不能修改；如需修改，请县级管理员退回后再改。"


# Rules ----------------------------------------------------------------------------------------


def may_edit(user: AnyUser, school: School, data: SchoolYearData | None) -> bool:
    """Whether the user may change the school's values now (role and state)."""
    status = data.status if data is not None else Status.DRAFT
    return can_edit_school(user, school) and status in EDITABLE


def allowed_actions(user: AnyUser, school: School, data: SchoolYearData | None) -> list[Action]:
    """The workflow steps the user may take now, in the order a page shows them."""
    if data is None:
        return []
    return [
        t.action
        for t in TRANSITIONS.values()
        if data.status in t.sources and t.allowed(user, school)
    ]


# Writes ---------------------------------------------------------------------------------------


@transaction.atomic
def transition(
    school: School,
    year: SchoolYear,
    action: Action | str,
    user: AbstractBaseUser,
    comment: str = "",
) -> SchoolYearData:
    """Move the school's year to the action's target state and record it in the history.

    Raises NotPermitted when the user's role may never take the action on this school, and
    WorkflowError when the action does not apply to the current state or a comment is missing.
    """
    try:
        step = TRANSITIONS[Action(action)]
    except ValueError:
        raise WorkflowError(f"未知的操作“{action}”。") from None
    if not step.allowed(user, school):
        raise NotPermitted(f"您没有权限对本校数据执行“{ACTION_ZH[step.action]}”。")
    comment = comment.strip()
    if step.comment_required and not comment:
        raise WorkflowError(f"请填写{step.comment_label}后再{ACTION_ZH[step.action]}。")
    data = SchoolYearData.objects.select_for_update().filter(school=school, year=year).first()
    if data is None:
        raise WorkflowError(
            f"{school.name} {year.label} 学年尚无数据，无法{ACTION_ZH[step.action]}。"
        )
    if data.status not in step.sources:
        raise WorkflowError(
            f"本校数据当前为“{data.get_status_display()}”，不能{ACTION_ZH[step.action]}"
            f"（只有“{'”或“'.join(Status(s).label for s in sorted(step.sources))}”的数据可以）。"
        )
    before = data.status
    # Compare-and-set: on databases without row locks the state may have moved since the read.
    moved = SchoolYearData.objects.filter(pk=data.pk, status=before).update(
        status=step.target,
        review_comment=comment if step.action != Action.SUBMIT else F("review_comment"),
    )
    if not moved:
        raise WorkflowError("本校数据的状态刚刚被他人修改，请刷新页面后重试。")
    ChangeLog.objects.create(
        user=user,
        model="SchoolYearData",
        object_id=school.school_id,
        field="status",
        old_value=before,
        new_value=step.target,
        comment=comment,
        school=school,
        county_id=school.county_id,
        year=year,
    )
    data.refresh_from_db()
    return data


def _claim(model: Any, pk: int, version: int, user: AbstractBaseUser, now: datetime) -> bool:
    """Move a row's version on from `version`; False when someone else moved it first."""
    return bool(
        model.objects.filter(pk=pk, version=version).update(
            version=F("version") + 1, updated_by=user, updated_at=now
        )
    )


@transaction.atomic
def save_school_data(
    school: School, year: SchoolYear, dataset: Dataset, user: AbstractBaseUser, version: int
) -> int:
    """Write a school's values from a validated form (its Dataset rows) and log every change.

    `version` is the SchoolYearData version the form was opened at (0 when the year had no data
    yet). Returns the number of fields changed; raises NotPermitted, DataLocked or Conflict.
    """
    if not can_edit_school(user, school):
        raise NotPermitted("您没有权限修改本校数据。")
    data = SchoolYearData.objects.select_for_update().filter(school=school, year=year).first()
    if data is not None and data.status not in EDITABLE:
        raise DataLocked(locked_message(data.status, year))
    if data is None and version != 0:
        raise _conflict("本校数据", 0, None, None)
    if data is not None and version != data.version:
        raise _conflict("本校数据", data.version, data.updated_by, data.updated_at)
    history = History(user=user, year=year)
    notes = {(n["school_id"], n["fact"]): n["note"] for n in dataset.notes.to_dicts()}
    try:
        with transaction.atomic():
            sync_school_data(
                {school.school_id: school},
                dataset.schools.to_dicts(),
                dataset.segments.to_dicts(),
                dataset.school_facts.to_dicts(),
                notes,
                history,
                fact_owners=[school.school_id],
                log_created=True,
            )
    except IntegrityError:
        # The year's first data was created by someone else at the same moment.
        fresh = SchoolYearData.objects.get(school=school, year=year)
        raise _conflict("本校数据", fresh.version, fresh.updated_by, fresh.updated_at) from None
    if not history.rows:
        return 0
    history.changed_schools.discard(school.pk)
    if data is not None and not _claim(SchoolYearData, data.pk, version, user, timezone.now()):
        fresh = SchoolYearData.objects.get(pk=data.pk)
        raise _conflict("本校数据", fresh.version, fresh.updated_by, fresh.updated_at)
    commit_history(history)
    return len(history.rows)


def county_facts_version(county: County, year: SchoolYear) -> CountyFactsVersion | None:
    return CountyFactsVersion.objects.filter(county=county, year=year).first()


@transaction.atomic
def save_county_facts(
    county: County,
    year: SchoolYear,
    rows: Sequence[Mapping[str, Any]],
    notes: Mapping[str, str],
    user: AbstractBaseUser,
    version: int,
) -> int:
    """Write a county's facts from a validated form and log every change.

    `rows` are the wide fact rows intake produced (zero or one row for the county), `notes` the
    evidence note of each fact, `version` the county facts version the form was opened at.
    Returns the number of fields changed; raises NotPermitted or Conflict.
    """
    if not can_review_county(user, county):
        raise NotPermitted("只有本县管理员或系统管理员可以填报县级指标。")
    state, _ = CountyFactsVersion.objects.get_or_create(county=county, year=year)
    state = CountyFactsVersion.objects.select_for_update().get(pk=state.pk)
    if state.version != version:
        raise _conflict("本县县级指标", state.version, state.updated_by, state.updated_at)
    history = History(user=user, year=year)
    sync_county_facts(
        {county.name: county},
        rows,
        {(county.name, fact): note for fact, note in notes.items()},
        history,
        owners=[county.name],
        log_created=True,
    )
    if not history.rows:
        return 0
    history.changed_counties.discard(county.pk)
    if not _claim(CountyFactsVersion, state.pk, version, user, timezone.now()):
        fresh = CountyFactsVersion.objects.get(pk=state.pk)
        raise _conflict("本县县级指标", fresh.version, fresh.updated_by, fresh.updated_at)
    commit_history(history)
    return len(history.rows)


# Reads ----------------------------------------------------------------------------------------

HISTORY_PAGE = 50
"""History entries shown at once on a school page; older ones load on request."""

_REGISTRY_LABELS: dict[str, str] = {
    "county": "县区",
    "parent_id": "所属中心校",
    **{c.name: c.header_zh for c in SCHOOLS.columns},
}
_ENUMS: dict[str, dict[str, str]] = {
    c.name: dict(c.enum) for c in (*SCHOOLS.columns, *SEGMENT_TABLE.columns) if c.enum
}


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    who: str
    field: str
    """What changed, in Chinese: "初中 · 在校生数（人）", "状态"."""
    old: str
    new: str
    comment: str
    is_step: bool
    """A workflow step (submit, return, approve, unlock) rather than a value change."""


def _value_text(model: str, field: str, text: str | None) -> str:
    if text is None or text == "":
        return "（空）"
    if field == "status" and model == "SchoolYearData":
        return Status(text).label if text in Status.values else text
    if field in _ENUMS and model == "School":
        return _ENUMS[field].get(text, text)
    try:
        number = float(text)
    except ValueError:
        return text
    # Stored floats read "1234.0"; a person writes 1234.
    return (cell_text(number) or text) if text.endswith(".0") else text


def field_label(model: str, object_id: str, field: str) -> str:
    """The Chinese name of a changed field, with its segment or fact where it has one."""
    if model == "SchoolYearData":
        if field == "status":
            return "状态"
        return f"整校 · {SCHOOLS.column(field).header_zh}"
    if model == "SegmentData":
        level = object_id.rsplit("/", 1)[-1]
        return f"{level} · {SEGMENT_TABLE.column(field).header_zh}"
    if model in ("SchoolFactValue", "CountyFactValue"):
        name = object_id.rsplit("/", 1)[-1]
        fact = SCHOOL_FACTS_BY_NAME.get(name) or COUNTY_FACTS_BY_NAME.get(name)
        label = fact.zh if fact else name
        return f"{label}（说明）" if field == "note" else label
    if model == "School":
        return f"学校信息 · {_REGISTRY_LABELS.get(field, field)}"
    return f"{model} · {field}"


def _entry(log: ChangeLog) -> HistoryEntry:
    return HistoryEntry(
        id=log.pk,
        at=log.at,
        who=_who(log.user),
        field=field_label(log.model, log.object_id, log.field),
        old=_value_text(log.model, log.field, log.old_value),
        new=_value_text(log.model, log.field, log.new_value),
        comment=log.comment,
        is_step=log.model == "SchoolYearData" and log.field == "status",
    )


def _page(logs: Any, before: int | None, limit: int) -> tuple[list[HistoryEntry], int | None]:
    if before is not None:
        logs = logs.filter(id__lt=before)
    rows = list(logs.select_related("user").order_by("-id")[: limit + 1])
    more = rows[limit - 1].pk if len(rows) > limit else None
    return [_entry(log) for log in rows[:limit]], more


def school_history(
    school: School, year: SchoolYear, *, before: int | None = None, limit: int = HISTORY_PAGE
) -> tuple[list[HistoryEntry], int | None]:
    """The school's changes in the year, newest first, and the id to continue from (or None).

    Entries are ordered by id: rows of one write share its time, and ids follow commit order.
    """
    return _page(ChangeLog.objects.filter(school=school, year=year), before, limit)


def county_facts_history(
    county: County, year: SchoolYear, *, before: int | None = None, limit: int = HISTORY_PAGE
) -> tuple[list[HistoryEntry], int | None]:
    """Changes of the county's facts in the year, newest first (see `school_history`)."""
    logs = ChangeLog.objects.filter(
        county=county, year=year, school__isnull=True, model="CountyFactValue"
    )
    return _page(logs, before, limit)


NO_DATA = "none"
"""Review-list filter value for schools without data for the year."""


@dataclass(frozen=True)
class ReviewRow:
    school: School
    data: SchoolYearData | None
    last_at: datetime | None
    last_by: str


def review_rows(county: County, year: SchoolYear, status: str | None = None) -> list[ReviewRow]:
    """Every school of the county with its state for the year and its last change.

    `status` filters by state (`NO_DATA` for schools without data). Three queries whatever the
    number of schools.
    """
    last = ChangeLog.objects.filter(school=OuterRef("pk"), year=year).order_by("-id")
    schools = School.objects.filter(county=county).annotate(
        last_at=Subquery(last.values("at")[:1]), last_user=Subquery(last.values("user")[:1])
    )
    data = {
        d.school_id: d
        for d in SchoolYearData.objects.filter(school__county=county, year=year).select_related(
            "updated_by"
        )
    }
    if status == NO_DATA:
        schools = schools.exclude(pk__in=list(data))
    elif status:
        schools = schools.filter(pk__in=[pk for pk, d in data.items() if d.status == status])
    rows = list(schools.order_by("school_id"))
    users = _users({r.last_user for r in rows if r.last_user})
    result = []
    for school in rows:
        row_data = data.get(school.pk)
        at, by = school.last_at, users.get(school.last_user)
        if at is None and row_data is not None:
            # Never changed since it was imported: the import is the last change.
            at, by = row_data.updated_at, row_data.updated_by
        result.append(ReviewRow(school, row_data, at, _who(by) if at else ""))
    return result


def _users(ids: set[int]) -> dict[int, AbstractBaseUser]:
    return {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}


def status_counts(county: County, year: SchoolYear) -> dict[str, int]:
    """How many of the county's schools are in each state (and without data) for the year."""
    counts = dict(
        SchoolYearData.objects.filter(school__county=county, year=year)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    total = School.objects.filter(county=county).count()
    counts[NO_DATA] = total - sum(counts.values())
    return {**{s: counts.get(s, 0) for s in Status.values}, NO_DATA: counts[NO_DATA]}
