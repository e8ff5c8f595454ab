"""The appraisal's shell: the ledger's rows turned into the core's plain records
(`junheng.rectification.appraisal`), the county's formula file, and the writes of decisions
and meetings — each in one transaction.

Dates that decide a period are local dates in the county's zone (`web.clock.local_date`): a
progress report saved at 00:30 on 1 April in Beijing (16:30 UTC on 31 March) belongs to the
second quarter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from junheng.rectification import appraisal as core
from junheng.web.appraisal.models import Decision, Meeting, MeetingDecision
from junheng.web.clock import local_date, today
from junheng.web.pages.lookup import start_year
from junheng.web.rectification import evidence
from junheng.web.rectification import services as ledger
from junheng.web.rectification.models import (
    Problem,
    ProblemSource,
    ProgressUpdate,
    Task,
    Unit,
    UnitKind,
)
from junheng.web.registry.models import County, School, SchoolYear

NOT_REPORTS = ("建立整改任务", "修改整改任务")
"""The history lines `save_task` writes on creating or editing a task: not progress reports."""
UNIT_KINDS = {UnitKind.DEPARTMENT: "成员单位", UnitKind.TOWN: "乡镇"}
"""The units appraised: 成员单位 and 乡镇 (schools are appraised through their township)."""


def formula_dir() -> Path:
    """Where counties' own formula files live: `<行政区划代码>.yaml`, each `extends` the
    national-practice file (`settings.JUNHENG_APPRAISAL_DIR`, else var/appraisal)."""
    configured = getattr(settings, "JUNHENG_APPRAISAL_DIR", None)
    return Path(configured or Path(settings.VAR_DIR) / "appraisal")


def formula_for(county: County) -> core.Formula:
    """The county's own formula when it has a file, else the default."""
    if county.code:
        own = formula_dir() / f"{county.code}.yaml"
        if own.is_file():
            return core.load_formula(own)
    return core.load_formula()


def townships(county: County) -> list[str]:
    """The county's townships: its schools' and its 乡镇 units'."""
    names = set(
        School.objects.filter(county=county).exclude(township="").values_list("township", flat=True)
    )
    names |= set(
        Unit.objects.filter(county=county, kind=UnitKind.TOWN)
        .exclude(township="")
        .values_list("township", flat=True)
    )
    return sorted(names)


def parties(county: County) -> list[core.Party]:
    units = [
        core.Party(f"unit:{u.pk}", u.name, "unit", UNIT_KINDS[UnitKind(u.kind)])
        for u in Unit.objects.filter(county=county, kind__in=list(UNIT_KINDS)).order_by(
            "order", "id"
        )
    ]
    towns = [core.Party(f"town:{t}", t, "township", "乡镇（学区）") for t in townships(county)]
    return units + towns


def _unit_township(unit: Unit, school_towns: dict[int, str]) -> str:
    if unit.kind == UnitKind.TOWN:
        return unit.township
    if unit.kind == UnitKind.SCHOOL and unit.school_id is not None:
        return school_towns.get(unit.school_id, "")
    return ""


def records(
    county: County, year: SchoolYear
) -> tuple[list[core.TaskRecord], list[core.FindingRecord]]:
    """The ledger of the county and year as the core's records.

    A task counts for its lead and responsible units and for the township of its problem's
    school, of a 学校 unit among its parties or of a 乡镇 unit among them. A finding (a problem
    of source 督导检查) counts against its school's township, the 乡镇 units of that township
    (they answer for the township's schools whether or not a task names them) and the units
    leading its tasks.
    """
    schools = School.objects.filter(county=county).values_list("pk", "school_id", "township")
    by_pk = {pk: town for pk, _, town in schools}
    by_code = {code: town for _, code, town in schools}
    tasks = list(
        Task.objects.filter(problem__county=county, problem__year=year)
        .select_related("lead_unit", "problem")
        .prefetch_related("responsible_units")
    )
    reports: dict[int, list[date]] = {}
    for task_id, text, moved, at in ProgressUpdate.objects.filter(
        task__in=[t.pk for t in tasks]
    ).values_list("task_id", "text", "status_to", "created_at"):
        if moved or text not in NOT_REPORTS:
            reports.setdefault(task_id, []).append(local_date(at))
    task_records: list[core.TaskRecord] = []
    lead_units: dict[int, set[str]] = {}
    for t in tasks:
        units = [t.lead_unit, *t.responsible_units.all()]
        keys = {f"unit:{u.pk}" for u in units}
        towns = {_unit_township(u, by_pk) for u in units}
        towns.add(by_code.get(t.problem.school_id, "") if t.problem.school_id else "")
        keys |= {f"town:{town}" for town in towns if town}
        lead_units.setdefault(t.problem_id, set()).add(f"unit:{t.lead_unit_id}")
        task_records.append(
            core.TaskRecord(
                parties=frozenset(keys),
                deadline=t.deadline,
                created_on=local_date(t.created_at),
                closed_on=t.closed_on,
                reports=tuple(sorted(reports.get(t.pk, []))),
            )
        )
    town_units: dict[str, set[str]] = {}
    for pk, town in Unit.objects.filter(county=county, kind=UnitKind.TOWN).values_list(
        "pk", "township"
    ):
        if town:
            town_units.setdefault(town, set()).add(f"unit:{pk}")
    findings: list[core.FindingRecord] = []
    for problem in Problem.objects.filter(
        county=county, year=year, source=ProblemSource.INSPECTION
    ):
        keys = set(lead_units.get(problem.pk, set()))
        town = by_code.get(problem.school_id, "") if problem.school_id else ""
        if town:
            keys.add(f"town:{town}")
            keys |= town_units.get(town, set())
        found_on = problem.found_on or local_date(problem.created_at)
        findings.append(core.FindingRecord(parties=frozenset(keys), found_on=found_on))
    return task_records, findings


def decisions_year(county: County, label: str = "") -> SchoolYear | None:
    """The school year the 表彰与问责 page's tabs and breadcrumb lead to (the page itself is not
    of a year): the one the reader came from (`label`), else where the county's ledger opens;
    None only when the site has no year at all."""
    if label:
        found = SchoolYear.objects.filter(label=label).first()
        if found is not None:
            return found
    years = list(SchoolYear.objects.order_by("-label"))
    return start_year(county, years) if years else None


def default_period(kind: str = "quarter") -> core.Period:
    return core.period_of(today(), kind)


def period_choices(
    task_records: Sequence[core.TaskRecord], kind: str, day: date
) -> list[core.Period]:
    """The periods a page offers: from the first task's creation to today, newest first."""
    first = min((t.created_on for t in task_records), default=day)
    return core.periods_between(first, day, kind)


@dataclass(frozen=True)
class AppraisalPage:
    appraisal: core.Appraisal
    periods: list[core.Period]


def appraisal_for(county: County, year: SchoolYear, period: core.Period) -> AppraisalPage:
    """Every unit's and township's score in the period, from the ledger as it is now."""
    day = today()
    task_records, findings = records(county, year)
    result = core.appraise(
        parties(county), task_records, findings, formula_for(county), period, day
    )
    return AppraisalPage(result, period_choices(task_records, period.kind, day))


# ---- decisions ------------------------------------------------------------------------------


def record_decision(decision: Decision, upload: evidence.Upload | None) -> Decision:
    """Save a decision with its document (checked like ledger evidence); nothing is kept when
    the file is refused (`evidence.EvidenceRefused` with the Chinese reason)."""
    stored = evidence.store_all([upload]) if upload is not None else []
    try:
        with transaction.atomic():
            if stored:
                item = stored[0]
                decision.document_name = item.name
                decision.document_kind = item.type.kind
                decision.document_size = item.size
                decision.document_sha256 = item.sha256
                decision.document_path = item.path
            decision.save()
    except BaseException:
        evidence.discard(stored)
        raise
    return decision


# ---- meetings -------------------------------------------------------------------------------


def decision_lines(text: str) -> list[str]:
    """The decisions typed one per line (blank lines and list marks such as "1." dropped)."""
    lines = []
    for raw in text.splitlines():
        line = raw.strip().lstrip("-•·").strip()
        head, _, rest = line.partition(".")
        if head.isdigit() and rest:
            line = rest.strip()
        head, _, rest = line.partition("、")
        if head.isdigit() and rest:
            line = rest.strip()
        if line:
            lines.append(line)
    return lines


def record_meeting(meeting: Meeting, units: Sequence[Unit], decisions: Sequence[str]) -> Meeting:
    with transaction.atomic():
        meeting.save()
        meeting.units.set(units)
        MeetingDecision.objects.bulk_create(
            MeetingDecision(meeting=meeting, order=i, text=text)
            for i, text in enumerate(decisions, start=1)
        )
    return meeting


@dataclass(frozen=True)
class DecisionEdit:
    """A decision as the edit page sends it back; `lead_unit`, `deadline` and `delete` are
    ignored for a decision already in the ledger."""

    pk: int
    text: str
    lead_unit: Unit | None = None
    deadline: date | None = None
    delete: bool = False


def edit_meeting(
    meeting: Meeting,
    units: Sequence[Unit],
    edits: Sequence[DecisionEdit],
    added: Sequence[str],
) -> Meeting:
    """The meeting's corrected record, its decisions' wording, proposed lead units and
    deadlines, decisions deleted or added, in one transaction.

    A decision that has become a ledger problem keeps its problem: only its wording here
    changes (the problem and its task are edited in the ledger), it is never deleted, and no
    second problem is made. Its row is locked first, so a conversion at the same moment is
    seen. Numbers are kept (a problem's description cites "决定事项第 N 项"): added decisions
    follow the highest number.
    """
    with transaction.atomic():
        meeting.save()
        meeting.units.set(units)
        rows = {
            d.pk: d for d in MeetingDecision.objects.select_for_update().filter(meeting=meeting)
        }
        for edit in edits:
            row = rows.get(edit.pk)
            if row is None:
                continue
            if row.problem_id is not None:
                row.text = edit.text
                row.save(update_fields=["text"])
            elif edit.delete:
                row.delete()
                del rows[edit.pk]
            else:
                row.text, row.lead_unit, row.deadline = edit.text, edit.lead_unit, edit.deadline
                row.save(update_fields=["text", "lead_unit", "deadline"])
        last = max((row.order for row in rows.values()), default=0)
        MeetingDecision.objects.bulk_create(
            MeetingDecision(meeting=meeting, order=last + i, text=text)
            for i, text in enumerate(added, start=1)
        )
    return meeting


def decision_to_ledger(
    decision: MeetingDecision,
    fields: ledger.TaskFields,
    user: AbstractBaseUser,
) -> tuple[Problem, bool]:
    """The decision as a ledger problem of source 会议决定 with its task, made once: a second
    request (a double click, a retry) returns the problem already made. (problem, made now)."""
    with transaction.atomic():
        locked = (
            MeetingDecision.objects.select_for_update()
            .select_related("meeting", "meeting__county", "meeting__year")
            .get(pk=decision.pk)
        )
        if locked.problem_id is not None:
            return Problem.objects.get(pk=locked.problem_id), False
        meeting = locked.meeting
        problem = ledger.add_problem(
            meeting.county,
            meeting.year,
            source=ProblemSource.MEETING,
            title=locked.text[:500],
            description=(
                f"{meeting.get_kind_display()}“{meeting.title}”"
                f"（{meeting.day:%Y年%m月%d日}）决定事项第 {locked.order} 项"
            ),
            found_on=meeting.day,
            found_by=meeting.title[:100],
            item="",
            school_name="",
            user=user,
        )
        ledger.save_task(problem, fields, user)
        locked.problem = problem
        locked.save(update_fields=["problem"])
    return problem, True
