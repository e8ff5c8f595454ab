"""以名册为准更新填报数据: the roster's counts written into a county's year data through the
loading path every import and the data-entry form share (`services.sync_school_data`,
`sync_county_facts`, `commit_history`), so each changed value is in the schools' change history,
open forms are refused, and the evaluation, snapshots and fingerprints see the data as changed
like after any other edit. All or nothing: a school whose year data is submitted or approved in
the workflow refuses the whole update, naming the schools."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from junheng.core.schema import COUNTY_FACTS_BY_NAME
from junheng.roster.source import SourceUpdate, source_update
from junheng.web.collection.models import (
    SCHOOL_MEASURES,
    SEGMENT_MEASURES,
    CountyFactValue,
    SchoolYearData,
    SegmentData,
    Status,
)
from junheng.web.facts import fact_from_text
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.roster import services
from junheng.web.selectors import dataset_for
from junheng.web.services import History, commit_history, sync_county_facts, sync_school_data
from junheng.web.workflow import EDITABLE

_STATE_ZH = {Status.SUBMITTED: "已提交审核", Status.APPROVED: "已审核锁定"}


class AdoptRefused(Exception):
    """Nothing was written; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Preview:
    update: SourceUpdate
    names: dict[str, str]
    """School id → name, for every school of the county."""
    blocked: dict[str, list[str]]
    """Workflow state (Chinese) → names of the changed schools in it, which refuse the update."""


@dataclass(frozen=True)
class Adopted:
    schools: list[str]
    """Names of the schools whose teacher counts were updated."""
    facts: list[str]
    """Chinese names of the county facts updated."""
    changes: int
    """Values written (one history row each)."""

    def message(self) -> str:
        if not self.changes:
            return "名册统计的人数和比例与填报数据一致，没有需要更新的内容。"
        parts = []
        if self.schools:
            parts.append(f"{len(self.schools)} 所学校的专任教师人数（{'、'.join(self.schools)}）")
        if self.facts:
            parts.append(f"县级指标{'、'.join(self.facts)}")
        return (
            f"已以教师名册为准更新：{'；'.join(parts)}，共 {self.changes} 项，"
            "每项修改都记入了修改记录。评估结果请在县区总览中重新运行评估后更新。"
        )


def _update(county: County, year: SchoolYear) -> SourceUpdate:
    teachers = services.teachers_frame(county, year)
    rotations = services.rotations_frame(county, year)
    result = services.reconciliation(county, year, teachers=teachers, rotations=rotations)
    covered = teachers.get_column("school_id").unique().to_list()
    return source_update(
        dataset_for(county, year),
        result.counts,
        covered,
        county=county.name,
        rates=result.rates,
    )


def _blocked(county: County, year: SchoolYear, school_ids: list[str]) -> dict[str, list[str]]:
    rows = (
        SchoolYearData.objects.filter(
            school__county=county, school__school_id__in=school_ids, year=year
        )
        .exclude(status__in=EDITABLE)
        .select_related("school")
        .order_by("school__school_id")
    )
    blocked: dict[str, list[str]] = {}
    for data in rows:
        blocked.setdefault(_STATE_ZH.get(data.status, data.status), []).append(data.school.name)
    return blocked


def preview(county: County, year: SchoolYear) -> Preview:
    """What 以名册为准更新 would change now, and which schools would refuse it."""
    update = _update(county, year)
    names = dict(School.objects.filter(county=county).values_list("school_id", "name"))
    return Preview(update, names, _blocked(county, year, update.schools))


def refusal(blocked: dict[str, list[str]], year: SchoolYear) -> str:
    """The Chinese refusal naming the schools that keep the update from being made."""
    parts = [f"{state}：{'、'.join(names)}" for state, names in blocked.items()]
    return (
        f"以下学校 {year.label} 学年的数据{'；'.join(parts)}，不能按名册修改，"
        "本次没有更新任何数据。已提交的请先退回，已审核的请先解除锁定，再以名册为准更新。"
    )


@transaction.atomic
def adopt_roster(county: County, year: SchoolYear, user: AbstractBaseUser) -> Adopted:
    """Write the roster's teacher counts and G9, G11, G12 into the year's data; raise
    `AdoptRefused` (nothing written) when a school to change is submitted or approved."""
    update = _update(county, year)
    school_ids = update.schools
    schools = {
        s.school_id: s for s in School.objects.filter(county=county, school_id__in=school_ids)
    }
    # Lock the rows the update rests on, then judge their state.
    list(SchoolYearData.objects.select_for_update().filter(school__in=schools.values(), year=year))
    blocked = _blocked(county, year, school_ids)
    if blocked:
        raise AdoptRefused(refusal(blocked, year))
    history = History(user=user, year=year)
    if school_ids:
        school_rows = [
            {"school_id": d.school.school_id, **{m: getattr(d, m) for m in SCHOOL_MEASURES}}
            for d in SchoolYearData.objects.filter(
                school__in=schools.values(), year=year
            ).select_related("school")
        ]
        wanted = {
            (r["school_id"], r["level"], r["column"]): r["roster"]
            for r in update.segments.iter_rows(named=True)
        }
        segment_rows = []
        for seg in SegmentData.objects.filter(
            school__in=schools.values(), year=year
        ).select_related("school"):
            sid = seg.school.school_id
            row = {"school_id": sid, "level": seg.level}
            for m in SEGMENT_MEASURES:
                row[m] = wanted.get((sid, seg.level, m), getattr(seg, m))
            segment_rows.append(row)
        sync_school_data(schools, school_rows, segment_rows, [], {}, history, fact_owners=[])
    facts: list[str] = []
    if update.facts.height:
        values = {v.fact: v for v in CountyFactValue.objects.filter(county=county, year=year)}
        row = {
            name: fact_from_text(COUNTY_FACTS_BY_NAME[name], v.value) for name, v in values.items()
        }
        for r in update.facts.iter_rows(named=True):
            row[r["fact"]] = r["roster"]
            facts.append(COUNTY_FACTS_BY_NAME[r["fact"]].zh)
        notes = {(county.name, name): v.note for name, v in values.items() if v.note}
        sync_county_facts(
            {county.name: county},
            [{"county": county.name, **row}],
            notes,
            history,
            owners=[county.name],
            log_created=True,
        )
    commit_history(history)
    names = [schools[sid].name for sid in school_ids]
    return Adopted(names, facts, len(history.rows))
