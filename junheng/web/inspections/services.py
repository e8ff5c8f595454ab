"""Writes of 督导检查, each in one transaction, and the reads its pages share.

A finding and a 回头看 rebound become problems of the ledger through
`rectification.services.add_problem` (source 督导检查); the link is kept on this app's rows, and
the row is locked first, so a second click or a second worker finds the problem already made.
Photos are stored by `rectification.evidence` with its limits; only JPEG and PNG are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q

from junheng.inspections import kinds
from junheng.inspections.checklist import Checklist, load_checklist
from junheng.inspections.summary import Period, ProblemFact, Summary, VisitFact, summarise
from junheng.web.accounts.models import Profile, Role
from junheng.web.clock import local_date, today
from junheng.web.inspections.models import CheckAnswer, Finding, Photo, Recheck, Visit
from junheng.web.pages.lookup import start_year
from junheng.web.rectification import evidence
from junheng.web.rectification.models import Problem, ProblemSource, ProblemStatus
from junheng.web.rectification.services import add_problem
from junheng.web.registry.models import County, School, SchoolYear

PHOTO_KINDS = ("jpeg", "png")
PHOTO_TEXT = "JPEG/PNG 图片"


class InspectionRefused(Exception):
    """A change not made; the message is for the user (Chinese)."""


def person_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return ""
    full = getattr(user, "get_full_name", lambda: "")()
    return full or user.get_username()


def inspectors_of(county: County) -> list[AbstractBaseUser]:
    """The county's 责任督学, by name."""
    profiles = (
        Profile.objects.filter(role=Role.SCHOOL_INSPECTOR, county=county, user__is_active=True)
        .select_related("user")
        .order_by("user__username")
    )
    return [p.user for p in profiles]


def assign_schools(inspector: AbstractBaseUser, county: County, schools: Iterable[School]) -> None:
    """The 督学's schools in this county become `schools`; their schools elsewhere stay."""
    profile = Profile.objects.get(user=inspector, role=Role.SCHOOL_INSPECTOR)
    chosen = [s for s in schools if s.county_id == county.pk]
    with transaction.atomic():
        profile.supervised_schools.remove(*profile.supervised_schools.filter(county=county))
        profile.supervised_schools.add(*chosen)


def plan_visit(
    school: School,
    inspector: AbstractBaseUser,
    planned_on: date,
    kind: str,
    user: AbstractBaseUser,
) -> Visit:
    if kind not in kinds.KINDS:
        raise InspectionRefused("请选择督导类型：" + "、".join(kinds.KINDS.values()))
    return Visit.objects.create(
        school=school, inspector=inspector, planned_on=planned_on, kind=kind, planned_by=user
    )


def answers_of(visit: Visit, checklist: Checklist | None = None) -> list[dict[str, Any]]:
    """Every item of the checklist with the visit's answer (未检查 when none was given)."""
    checklist = checklist or load_checklist()
    given = {a.key: a for a in visit.answers.all()}
    rows = []
    for item in checklist.items:
        answer = given.get(item.key)
        rows.append(
            {
                "item": item,
                "result": answer.result if answer else kinds.UNCHECKED,
                "note": answer.note if answer else "",
            }
        )
    return rows


def record_visit(
    visit: Visit,
    *,
    visited_on: date,
    people_met: str,
    remarks: str,
    answers: Mapping[str, tuple[str, str]],
) -> Visit:
    """The visit's record: date, people met, the checklist's answers (key → result, note).
    The visit is done from then on; saving again corrects the record."""
    local_today = today()
    if visited_on > local_today:
        raise InspectionRefused(
            f"检查日期 {visited_on:%Y-%m-%d} 晚于今天（{local_today:%Y-%m-%d}），"
            "请填写实际到校检查的日期"
        )
    known = load_checklist().by_key()
    for key, (result, _) in answers.items():
        if key not in known:
            raise InspectionRefused("核查项不在现场核查清单中，请刷新页面后重新填写")
        if result not in kinds.ANSWERS:
            raise InspectionRefused(
                f"“{known[key].label}”的结果应为" + "、".join(kinds.ANSWERS.values())
            )
    with transaction.atomic():
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        visit.visited_on = visited_on
        visit.people_met = people_met
        visit.remarks = remarks
        visit.status = kinds.DONE
        visit.save()
        for key, (result, note) in answers.items():
            CheckAnswer.objects.update_or_create(
                visit=visit, key=key, defaults={"result": result, "note": note[:500]}
            )
    return visit


def add_finding(
    visit: Visit,
    *,
    title: str,
    item: str,
    description: str,
    photos: Iterable[evidence.Upload],
    user: AbstractBaseUser,
) -> Finding:
    """A finding with its photos, all kept or none (a refused photo refuses the finding)."""
    stored = evidence.store_all(photos)
    try:
        for photo in stored:
            if photo.type.kind not in PHOTO_KINDS:
                raise evidence.EvidenceRefused(
                    f"文件“{photo.name}”是{photo.type.label}，现场照片只接受 {PHOTO_TEXT}"
                )
        with transaction.atomic():
            finding = Finding.objects.create(
                visit=visit, title=title, item=item, description=description, created_by=user
            )
            for photo in stored:
                Photo.objects.create(
                    finding=finding,
                    name=photo.name,
                    kind=photo.type.kind,
                    size=photo.size,
                    sha256=photo.sha256,
                    path=photo.path,
                    uploaded_by=user,
                )
    except BaseException:
        evidence.discard(stored)
        raise
    return finding


def ledger_year(county: County) -> SchoolYear:
    """The school year whose ledger receives problems from visits: the one the ledger opens
    on (the latest evaluated, else the latest)."""
    years = list(SchoolYear.objects.order_by("-label"))
    if not years:
        raise InspectionRefused("系统中还没有学年，无法登记到整改台账")
    return start_year(county, years)


def _origin(visit: Visit) -> str:
    day = visit.visited_on or visit.planned_on
    return f"{day:%Y-%m-%d} {visit.get_kind_display()}"


def _found_by(visit: Visit) -> str:
    return f"责任督学 {person_name(visit.inspector)}"[:100]


def finding_problem(finding: Finding, user: AbstractBaseUser) -> tuple[Problem, bool]:
    """The ledger problem of the finding, made now if it has none; (problem, made now)."""
    with transaction.atomic():
        finding = (
            Finding.objects.select_for_update()
            .select_related("visit", "visit__school", "visit__school__county", "visit__inspector")
            .get(pk=finding.pk)
        )
        if finding.problem_id is not None:
            return Problem.objects.get(pk=finding.problem_id), False
        visit = finding.visit
        school = visit.school
        text = finding.description.strip()
        problem = add_problem(
            school.county,
            ledger_year(school.county),
            source=ProblemSource.INSPECTION,
            title=finding.title,
            description=(f"{text}\n" if text else "") + f"（{_origin(visit)}发现）",
            found_on=visit.visited_on or today(),
            found_by=_found_by(visit),
            item=finding.item,
            school_id=school.school_id,
            school_name=school.name,
            user=user,
        )
        finding.problem = problem
        finding.save(update_fields=["problem"])
    return problem, True


def closed_problems(school: School) -> list[Problem]:
    """The school's problems of the ledger that are closed (已销号), oldest closure first."""
    return list(
        Problem.objects.filter(
            county_id=school.county_id, school_id=school.school_id, status=ProblemStatus.CLOSED
        )
        .select_related("year")
        .order_by("closed_at", "id")
    )


def recheck(
    visit: Visit, problem: Problem, result: str, note: str, user: AbstractBaseUser
) -> tuple[Recheck, bool]:
    """回头看 of one closed problem: 巩固 or 反弹; a rebound opens a new problem of the ledger
    linked to the old one. Once per visit and problem; (recheck, recorded now)."""
    if result not in kinds.RECHECKS:
        raise InspectionRefused("复查结果应为" + "、".join(kinds.RECHECKS.values()))
    if visit.kind != kinds.REVISIT:
        raise InspectionRefused("只有“回头看”督导才复查已销号问题")
    with transaction.atomic():
        # the visit row is the lock: two submissions of the same re-check wait for each other
        visit = (
            Visit.objects.select_for_update()
            .select_related("school", "school__county", "inspector")
            .get(pk=visit.pk)
        )
        done = Recheck.objects.filter(visit=visit, problem=problem).first()
        if done is not None:
            return done, False
        if (
            problem.school_id != visit.school.school_id
            or problem.county_id != visit.school.county_id
            or problem.status != ProblemStatus.CLOSED
        ):
            raise InspectionRefused("该问题不是本校已销号的问题，不能在此复查")
        new_problem = None
        if result == kinds.REBOUND:
            closed = (
                f"，原问题已于 {local_date(problem.closed_at):%Y-%m-%d} 销号"
                if (problem.closed_at)
                else ""
            )
            new_problem = add_problem(
                visit.school.county,
                ledger_year(visit.school.county),
                source=ProblemSource.INSPECTION,
                title=f"整改反弹：{problem.title}"[:500],
                description=(f"{note.strip()}\n" if note.strip() else "")
                + f"（{_origin(visit)}复查发现反弹{closed}）",
                found_on=visit.visited_on or today(),
                found_by=_found_by(visit),
                item=problem.item,
                school_id=visit.school.school_id,
                school_name=visit.school.name,
                user=user,
            )
        made = Recheck.objects.create(
            visit=visit,
            problem=problem,
            result=result,
            note=note[:500],
            new_problem=new_problem,
            created_by=user,
        )
    return made, True


@dataclass(frozen=True)
class Origin:
    """Where a problem of the ledger came from, for its page."""

    visit: Visit
    text: str


def origin_of(problem: Problem) -> Origin | None:
    """The visit a problem came from (a finding or a 回头看 rebound), if any."""
    finding = Finding.objects.filter(problem=problem).select_related("visit").first()
    if finding is not None:
        return Origin(finding.visit, f"来自{_origin(finding.visit)}（{finding.visit.school}）")
    rebound = Recheck.objects.filter(new_problem=problem).select_related("visit", "problem").first()
    if rebound is not None:
        return Origin(
            rebound.visit,
            f"来自{_origin(rebound.visit)}（{rebound.visit.school}）复查反弹，"
            f"原问题：{rebound.problem.title}",
        )
    return None


def summary(county: County, period: Period) -> Summary:
    """The county's inspection summary for the period (dates as the site's zone sees them)."""
    in_period = Q(planned_on__range=(period.start, period.end)) | Q(
        visited_on__range=(period.start, period.end)
    )
    visits = (
        Visit.objects.filter(in_period, school__county=county)
        .select_related("school", "inspector")
        .prefetch_related("findings")
    )
    facts = [
        VisitFact(
            inspector=person_name(v.inspector),
            school=v.school.name,
            planned_on=v.planned_on,
            visited_on=v.visited_on,
            done=v.status == kinds.DONE,
            findings=len(v.findings.all()),
        )
        for v in visits
    ]
    problems: list[ProblemFact] = []
    # a day wider on each side than the period in any zone; `summarise` decides by the local day
    around = (
        dt.datetime.combine(period.start - dt.timedelta(days=1), dt.time(), dt.UTC),
        dt.datetime.combine(period.end + dt.timedelta(days=2), dt.time(), dt.UTC),
    )
    findings = Finding.objects.filter(
        visit__school__county=county, problem__isnull=False, problem__created_at__range=around
    ).select_related("visit__school", "visit__inspector", "problem")
    rebounds = Recheck.objects.filter(
        visit__school__county=county,
        new_problem__isnull=False,
        new_problem__created_at__range=around,
    ).select_related("visit__school", "visit__inspector", "new_problem")
    for visit, problem in [(f.visit, f.problem) for f in findings] + [
        (r.visit, r.new_problem) for r in rebounds
    ]:
        assert problem is not None
        problems.append(
            ProblemFact(
                inspector=person_name(visit.inspector),
                school=visit.school.name,
                opened_on=local_date(problem.created_at),
                closed=problem.status == ProblemStatus.CLOSED,
            )
        )
    return summarise(period, facts, problems, today())
