"""What the web's 自评报告 tells beside the evaluation, gathered for one snapshot: the keyword
arguments of `junheng.reports.self_evaluation.write_self_evaluation`.

    write_self_evaluation(evaluation, county.name, path, dataset=dataset, date=day,
                          **report_inputs(snapshot))

The ledger, the survey and the county's sections are those of the snapshot's county and year as
they stand when the report is made; the snapshot is named (time, which data, fingerprint) so a
reader can tell which evaluation every number comes from.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from junheng.core.schema import SURVEY, SURVEY_ANSWER_COLUMNS
from junheng.reports.story import (
    GroupRate,
    LedgerProblem,
    LedgerStory,
    LedgerTask,
    PracticeSection,
    SurveyStory,
    practice_sections,
)
from junheng.web import clock
from junheng.web.evaluation.models import Snapshot
from junheng.web.practice.models import PracticeText
from junheng.web.rectification.models import Evidence, Problem, Task
from junheng.web.rectification.services import number_of
from junheng.web.surveys import services as surveys
from junheng.web.surveys.models import Survey


def report_inputs(snapshot: Snapshot) -> dict[str, Any]:
    """`ledger`, `survey`, `practice`, `fingerprint` and `snapshot_label` for the report."""
    return {
        "ledger": ledger_story(snapshot),
        "survey": survey_story(snapshot),
        "practice": practice_story(snapshot),
        "fingerprint": snapshot.data_fingerprint,
        "snapshot_label": snapshot_label(snapshot),
    }


def snapshot_label(snapshot: Snapshot) -> str:
    """ "2026年12月7日 10:32 的评估结果（只用已审核的数据）"."""
    at = clock.local(snapshot.created_at)
    return (
        f"{at.year}年{at.month}月{at.day}日 {at:%H:%M} 的评估结果"
        f"（{snapshot.get_data_scope_display()}）"
    )


def _day(at: Any) -> str:
    day = clock.local_date(at)
    return f"{day.year}年{day.month}月{day.day}日"


def _closing_evidence(task: Task, files: int) -> str:
    bits = []
    if task.closing_snapshot is not None:
        bits.append(f"{_day(task.closing_snapshot.created_at)}的评估结果显示已达标")
    if files:
        bits.append(f"佐证材料{files}份")
    return "，".join(bits)


def ledger_story(snapshot: Snapshot) -> LedgerStory:
    """The county's problems of the year with their tasks (an empty ledger when none)."""
    tasks = Task.objects.select_related("lead_unit", "closing_snapshot").prefetch_related(
        "responsible_units"
    )
    problems = (
        Problem.objects.filter(county_id=snapshot.county_id, year_id=snapshot.year_id)
        .select_related("year")
        .prefetch_related(Prefetch("tasks", queryset=tasks.order_by("deadline", "id")))
        .order_by("id")
    )
    files: dict[int, int] = {}
    for task_id in Evidence.objects.filter(
        update__task__problem__county_id=snapshot.county_id,
        update__task__problem__year_id=snapshot.year_id,
    ).values_list("update__task_id", flat=True):
        files[task_id] = files.get(task_id, 0) + 1
    return LedgerStory(
        tuple(
            LedgerProblem(
                number=number_of(p),
                title=p.title,
                category=p.category,
                status=p.get_status_display(),
                tasks=tuple(
                    LedgerTask(
                        measures=t.measures,
                        lead_unit=t.lead_unit.name,
                        deadline=t.deadline,
                        status=t.status,
                        units=tuple(
                            u.name
                            for u in sorted(t.responsible_units.all(), key=lambda u: u.order)
                            if u.pk != t.lead_unit_id
                        ),
                        person=t.person,
                        closed_on=t.closed_on,
                        closing_evidence=_closing_evidence(t, files.get(t.pk, 0)),
                    )
                    for t in p.tasks.all()
                ),
            )
            for p in problems
        )
    )


def survey_story(snapshot: Snapshot) -> SurveyStory | None:
    """The county's latest survey of the year that counted at least one questionnaire, scored
    as the survey pages score it; None when no survey was run (the report then words S1 from
    the evaluation's data)."""
    for survey in Survey.objects.filter(
        county_id=snapshot.county_id, year_id=snapshot.year_id
    ).order_by("-created_at", "-id"):
        result = surveys.score(survey)
        check = surveys.sample_check(survey, result)
        if not check.received:
            continue
        options = [SURVEY.column(c).zh.removesuffix("人次") for c in SURVEY_ANSWER_COLUMNS]
        pooled = result.pooled
        return SurveyStory(
            title=survey.title,
            opens_on=clock.local_date(survey.opens_at),
            closes_on=clock.local_date(survey.closes_at),
            rate=pooled.rate,
            responses=check.received,
            required=check.required,
            valid=pooled.valid,
            favourable=pooled.favourable,
            groups=tuple(
                GroupRate(name, rate.valid, rate.favourable, rate.rate)
                for name, rate in result.by_group.items()
                if rate.valid
            ),
            favourable_options="、".join(options[: result.favourable_options]),
        )
    return None


def practice_story(snapshot: Snapshot) -> list[PracticeSection]:
    """Every section of 主要做法与成效 with the county's text ("" when not written)."""
    rows = PracticeText.objects.filter(county_id=snapshot.county_id, year_id=snapshot.year_id)
    return practice_sections({row.key: row.text for row in rows})
