"""Writes and reads of the survey pages; views only call these. Each write is one transaction.

The plan, the questionnaires, the codes and the scoring are `junheng.survey`'s functions, the
same the command line uses; this module stores their results and reads responses back for them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import polars as pl
import yaml
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from junheng.core.dataset import Dataset
from junheng.standards import DEFAULT_STANDARD, load_standard
from junheng.survey.distribution import new_codes
from junheng.survey.loader import bundled_questionnaires, load_rules
from junheng.survey.questionnaire import (
    Questionnaire,
    build_questionnaire,
    derive_questionnaire,
    questionnaire_yaml,
)
from junheng.survey.rules import QUALITY_FLAGS, SurveyRules
from junheng.survey.sampling import AREA_ZH, SamplingPlan, sampling_frame, sampling_plan
from junheng.survey.scoring import Response as CoreResponse
from junheng.survey.scoring import SurveyResult, score_responses
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.selectors import dataset_for
from junheng.web.services import load_dataset
from junheng.web.surveys import respond, tally
from junheng.web.surveys.models import (
    AccessCode,
    CodeBatch,
    Quota,
    Response,
    Survey,
    SurveyQuestionnaire,
    SurveyStatus,
)

CODE_INSERT_BATCH = 2000


class SurveyError(ValueError):
    """A request the survey cannot carry out; the message says why, in Chinese."""


def rules_of(survey: Survey) -> SurveyRules:
    return load_rules(survey.rules_id)


# ---- creating a survey ----------------------------------------------------------------------


def plan_for(
    county: County,
    year: SchoolYear,
    population: int,
    area_population: Mapping[str, int] | None = None,
    rules_id: str = "national",
) -> SamplingPlan:
    """The sampling plan of the county from its stored school data of `year`."""
    rules = load_rules(rules_id)
    frame = sampling_frame(dataset_for(county, year), county.name, rules)
    return sampling_plan(population, frame, rules, area_population=area_population or None)


@transaction.atomic
def create_survey(
    county: County,
    year: SchoolYear,
    user: AbstractBaseUser | None,
    *,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    population: int,
    area_population: Mapping[str, int] | None = None,
    rules_id: str = "national",
    questionnaires: list[Questionnaire] | None = None,
) -> Survey:
    """A survey of the county with the quotas of its sampling plan and a county copy of each
    questionnaire (the bundled ones unless `questionnaires` gives edited copies)."""
    check_dates(opens_at, closes_at)
    rules = load_rules(rules_id)
    plan = plan_for(county, year, population, area_population, rules_id)
    survey = Survey.objects.create(
        county=county,
        year=year,
        title=title,
        opens_at=opens_at,
        closes_at=closes_at,
        rules_id=rules_id,
        population=population,
        area_population=dict(area_population or {}),
        exclude_flags=list(rules.quality.exclude),
        created_by=user,
    )
    copies = questionnaires or [
        derive_questionnaire(q, county.name, rules) for q in bundled_questionnaires(rules)
    ]
    SurveyQuestionnaire.objects.bulk_create(
        SurveyQuestionnaire(survey=survey, key=q.id, version=q.version, text=questionnaire_yaml(q))
        for q in copies
    )
    schools = {s.school_id: s for s in School.objects.filter(county=county)}
    quotas: list[Quota] = []
    for s in plan.schools:
        for group, count in s.quotas.items():
            quotas.append(
                Quota(
                    survey=survey,
                    group=group,
                    school=schools[s.school_id],
                    area_type=s.area_type,
                    count=count,
                )
            )
    for area, counts in plan.areas.items():
        for group, count in counts.items():
            if rules.groups[group].allocation == "area":
                quotas.append(Quota(survey=survey, group=group, area_type=area, count=count))
    Quota.objects.bulk_create(quotas)
    return survey


def check_dates(opens_at: datetime, closes_at: datetime) -> None:
    """Refuse a closing time that is not after the opening time (the same day is fine)."""
    if closes_at <= opens_at:
        raise SurveyError("截止时间应晚于开始时间")


@transaction.atomic
def set_dates(survey: Survey, opens_at: datetime, closes_at: datetime) -> None:
    """Move the survey's opening and closing times (answers already given stay)."""
    check_dates(opens_at, closes_at)
    Survey.objects.filter(pk=survey.pk).update(opens_at=opens_at, closes_at=closes_at)
    survey.opens_at, survey.closes_at = opens_at, closes_at


@transaction.atomic
def set_status(survey: Survey, status: str) -> None:
    if status not in SurveyStatus.values:
        raise SurveyError(f"未知的调查状态：{status}")
    Survey.objects.filter(pk=survey.pk).update(status=status)
    survey.status = status


# ---- questionnaires ------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _parsed(rules_id: str, text: str, origin: str) -> Questionnaire:
    return build_questionnaire(yaml.safe_load(text), load_rules(rules_id), origin)


def questionnaire_of(stored: SurveyQuestionnaire, rules_id: str) -> Questionnaire:
    """The questionnaire a stored copy holds (parsed once per process)."""
    return _parsed(rules_id, stored.text, f"{stored.key}@{stored.version}")


def questionnaires_of(survey: Survey) -> dict[str, Questionnaire]:
    """Version → questionnaire of the survey."""
    return {
        q.version: questionnaire_of(q, survey.rules_id)
        for q in SurveyQuestionnaire.objects.filter(survey=survey)
    }


def stored_questionnaires(survey: Survey) -> list[tuple[SurveyQuestionnaire, Questionnaire]]:
    """The survey's stored copies with what they hold, in the order of their keys."""
    return [
        (stored, questionnaire_of(stored, survey.rules_id))
        for stored in SurveyQuestionnaire.objects.filter(survey=survey).order_by("key")
    ]


def revision_text(stored: SurveyQuestionnaire) -> str:
    """How a person tells versions apart: 第 2 版（2026-12-07 保存）, the site's local date."""
    return f"第 {stored.revision} 版（{timezone.localdate(stored.saved_at):%Y-%m-%d} 保存）"


def opening_text(at: datetime) -> str:
    """A survey's opening time as the public page says it: 2026年12月10日 08:00 (local)."""
    local = timezone.localtime(at)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def questionnaire_for_group(survey: Survey, group: str) -> Questionnaire:
    for questionnaire in questionnaires_of(survey).values():
        if group in questionnaire.respondents:
            return questionnaire
    raise SurveyError(f"调查没有供“{rules_of(survey).groups[group].name}”作答的问卷")


# ---- access codes --------------------------------------------------------------------------


@transaction.atomic
def generate_codes(
    survey: Survey, group: str, count: int, *, school: School | None = None, area_type: str = ""
) -> CodeBatch:
    """A batch of `count` new codes for one group at one school (or one area)."""
    rules = rules_of(survey)
    spec = rules.groups.get(group)
    if spec is None:
        raise SurveyError(f"调查规则中没有调查对象“{group}”")
    if count < 1 or count > rules.distribution.max_batch:
        raise SurveyError(f"每批访问码数量应为 1 到 {rules.distribution.max_batch:,} 之间的整数")
    if spec.allocation == "school":
        if school is None or school.county_id != survey.county_id:
            raise SurveyError(f"“{spec.name}”的访问码按学校发放，请选择本县的一所学校")
        area_type = school.area_type
    else:
        school = None
    batch = CodeBatch.objects.create(
        survey=survey, group=group, school=school, area_type=area_type, size=count
    )

    def taken(codes: list[str]) -> set[str]:
        return set(AccessCode.objects.filter(code__in=codes).values_list("code", flat=True))

    codes = new_codes(count, rules.distribution, taken)
    AccessCode.objects.bulk_create(
        [AccessCode(survey=survey, batch=batch, code=c) for c in codes],
        batch_size=CODE_INSERT_BATCH,
    )
    return batch


@dataclass(frozen=True)
class CodeFill:
    """What `generate_missing_codes` did: new batches and codes, and quotas already covered."""

    batches: int
    codes: int
    covered: int
    """Quotas that had codes enough before (from earlier batches, by hand or by this)."""

    def explain(self) -> str:
        if not self.batches:
            return f"全部 {self.covered} 项配额都已有足够的访问码，没有生成新的访问码。"
        done = f"已按配额生成 {self.batches} 批、共 {self.codes:,} 个访问码"
        if self.covered:
            return f"{done}；另有 {self.covered} 项配额此前已有足够的访问码，未重复生成。"
        return f"{done}。"


@transaction.atomic
def generate_missing_codes(survey: Survey) -> CodeFill:
    """Codes for every quota of the plan, less those its batches already have: one batch per
    school and group (or area and group) that is short, so a second run adds only what is still
    missing. Batches made by hand count for their school (or area) and group."""
    # two clicks racing would both see the quotas uncovered: the survey row serialises them
    Survey.objects.select_for_update().filter(pk=survey.pk).first()
    rules = rules_of(survey)
    have: dict[tuple[str, int | None, str], int] = {}
    for row in (
        CodeBatch.objects.filter(survey=survey)
        .values("group", "school", "area_type")
        .annotate(n=Sum("size"))
    ):
        key = (row["group"], row["school"], "" if row["school"] else row["area_type"])
        have[key] = have.get(key, 0) + row["n"]
    wanted: list[tuple[Quota, int]] = []
    covered = 0
    for quota in Quota.objects.filter(survey=survey, count__gt=0).order_by("id"):
        key = (quota.group, quota.school_id, "" if quota.school_id else quota.area_type)
        missing = quota.count - have.get(key, 0)
        if missing > 0:
            wanted.append((quota, missing))
        else:
            covered += 1
    total = sum(n for _, n in wanted)
    if not total:
        return CodeFill(0, 0, covered)

    def taken(codes: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(codes), CODE_INSERT_BATCH):
            chunk = codes[start : start + CODE_INSERT_BATCH]
            found |= set(AccessCode.objects.filter(code__in=chunk).values_list("code", flat=True))
        return found

    codes = iter(new_codes(total, rules.distribution, taken))
    batches = 0
    rows: list[AccessCode] = []
    for quota, missing in wanted:
        while missing > 0:
            size = min(missing, rules.distribution.max_batch)
            batch = CodeBatch.objects.create(
                survey=survey,
                group=quota.group,
                school=quota.school,
                area_type=quota.area_type,
                size=size,
            )
            rows += [AccessCode(survey=survey, batch=batch, code=next(codes)) for _ in range(size)]
            batches += 1
            missing -= size
    AccessCode.objects.bulk_create(rows, batch_size=CODE_INSERT_BATCH)
    return CodeFill(batches, total, covered)


# ---- the public form -----------------------------------------------------------------------


class Outcome(enum.Enum):
    ACCEPTED = "accepted"
    REPEATED = "repeated"
    """The same form (code and nonce) was accepted before: answered as if accepted now."""
    USED = "used"
    CLOSED = "closed"
    NOT_OPEN = "not_open"
    UNKNOWN = "unknown"
    INVALID = "invalid"


@dataclass(frozen=True)
class Submission:
    outcome: Outcome
    message: str = ""


def form_state(survey: Survey, now: datetime) -> Outcome | None:
    """None while the survey takes answers, else CLOSED or NOT_OPEN."""
    if survey.status == SurveyStatus.CLOSED or now >= survey.closes_at:
        return Outcome.CLOSED
    if survey.status != SurveyStatus.OPEN or now < survey.opens_at:
        return Outcome.NOT_OPEN
    return None


def find_code(code: str) -> AccessCode | None:
    return (
        AccessCode.objects.filter(code=code)
        .select_related("survey", "batch", "batch__school")
        .first()
    )


def submit(
    code: str, nonce: str, data: Mapping[str, str], seconds: int, now: datetime
) -> Submission:
    """Store one response: exactly once per code, and a retry of the same form is no error.

    The work is `respond`'s: one query finds the code, the answers are checked against the
    group's questionnaire (parsed once per process), and one short transaction marks the code
    used and inserts the response.
    """
    try:
        attempt = respond.submit(code, nonce, data, seconds, now)
    except LookupError as exc:
        raise SurveyError(str(exc)) from None
    return Submission(Outcome(attempt.outcome), attempt.message)


# ---- results -------------------------------------------------------------------------------


@dataclass
class ProgressRow:
    label: str
    group: str
    quota: int
    received: int

    @property
    def share(self) -> float | None:
        return self.received / self.quota if self.quota else None


@dataclass
class Progress:
    rows: list[ProgressRow] = field(default_factory=list)
    groups: list[ProgressRow] = field(default_factory=list)
    total: ProgressRow | None = None
    codes: int = 0
    used: int = 0


def progress(survey: Survey) -> Progress:
    """Responses received against the quotas: per school or area and group, per group, total."""
    rules = rules_of(survey)
    received: dict[tuple[str, int | None, str], int] = {}
    for row in (
        Response.objects.filter(survey=survey)
        .values("group", "school", "area_type")
        .annotate(n=Count("id"))
    ):
        school = row["school"]
        area = "" if school is not None else row["area_type"]
        received[(row["group"], school, area)] = row["n"]
    result = Progress()
    per_group: dict[str, list[int]] = {g: [0, 0] for g in rules.groups}
    # rows, not model instances: the page polls this while hundreds of quotas fill up
    for group, school, school_name, area_type, count in (
        Quota.objects.filter(survey=survey)
        .order_by("school__school_id", "area_type", "id")
        .values_list("group", "school_id", "school__name", "area_type", "count")
    ):
        key = (group, school, "" if school else area_type)
        got = received.pop(key, 0)
        place = school_name if school else AREA_ZH.get(area_type, area_type)
        name = rules.groups[group].name if group in rules.groups else group
        result.rows.append(ProgressRow(place, name, count, got))
        per_group.setdefault(group, [0, 0])
        per_group[group][0] += count
        per_group[group][1] += got
    for (group, _, _), got in received.items():
        # codes handed out beyond the plan (a school not in it) still count for their group
        per_group.setdefault(group, [0, 0])[1] += got
    for group, (quota, got) in per_group.items():
        name = rules.groups[group].name if group in rules.groups else group
        result.groups.append(ProgressRow(name, name, quota, got))
    result.total = ProgressRow(
        "合计",
        "",
        sum(r.quota for r in result.groups),
        sum(r.received for r in result.groups),
    )
    counts = AccessCode.objects.filter(survey=survey).aggregate(
        codes=Count("id"), used=Count("id", filter=Q(used=True))
    )
    result.codes, result.used = counts["codes"], counts["used"]
    return result


def core_responses(survey: Survey) -> list[CoreResponse]:
    """The survey's responses as the scoring core reads them (id = the response's number)."""
    schools = dict(School.objects.filter(county=survey.county).values_list("pk", "school_id"))
    return [
        tally.core_response(r, schools)
        for r in Response.objects.filter(survey=survey)
        .order_by("pk")
        .values("pk", "group", "answers", "version", "seconds", "school", "area_type")
    ]


def score(survey: Survey, exclude_flags: list[str] | None = None) -> SurveyResult:
    """Recognition rates of the survey by the core's scoring, with the survey's choice of
    quality flags left out and the responses excluded after review."""
    excluded = Response.objects.filter(survey=survey, excluded=True).values_list("pk", flat=True)
    return score_responses(
        core_responses(survey),
        survey.county.name,
        load_standard(DEFAULT_STANDARD),
        rules_of(survey),
        questionnaires=questionnaires_of(survey),
        exclude_flags=survey.exclude_flags if exclude_flags is None else exclude_flags,
        exclude_ids=[str(pk) for pk in excluded],
    )


def school_names(survey: Survey) -> dict[str, str]:
    return dict(School.objects.filter(county=survey.county).values_list("school_id", "name"))


@transaction.atomic
def set_exclude_flags(survey: Survey, flags: list[str]) -> None:
    unknown = sorted(set(flags) - set(QUALITY_FLAGS))
    if unknown:
        raise SurveyError(f"未知的质量检查：{'、'.join(unknown)}")
    Survey.objects.filter(pk=survey.pk).update(exclude_flags=flags)
    survey.exclude_flags = flags


@transaction.atomic
def set_excluded(survey: Survey, response_id: int, excluded: bool) -> None:
    updated = Response.objects.filter(survey=survey, pk=response_id).update(excluded=excluded)
    if not updated:
        raise SurveyError(f"本调查没有编号为 {response_id} 的答卷")


@dataclass(frozen=True)
class SampleCheck:
    """Counted responses against the sample the plan asked for."""

    received: int
    """Responses counted in the result (flagged or reviewed ones left out)."""
    required: int
    """The sample size: the sum of the survey's quotas."""

    @property
    def missing(self) -> int:
        return max(0, self.required - self.received)

    def explain(self) -> str:
        said = f"已收到 {self.received:,} 份有效答卷，样本量要求 {self.required:,} 份"
        return f"{said}，还差 {self.missing:,} 份" if self.missing else f"{said}，已达到"


def sample_check(survey: Survey, result: SurveyResult) -> SampleCheck:
    required = Quota.objects.filter(survey=survey).aggregate(n=Sum("count"))["n"] or 0
    return SampleCheck(result.response_count - result.excluded_count, required)


class SampleShortfall(SurveyError):
    """Fewer counted responses than the sample, and no confirmation of that shortfall."""

    def __init__(self, check: SampleCheck) -> None:
        self.check = check
        super().__init__(
            f"{check.explain()}。样本量不足时写入测评数据须先确认，S1 将按这些答卷计算。"
        )


@transaction.atomic
def feed_evaluation(
    survey: Survey,
    user: AbstractBaseUser | None,
    now: datetime,
    *,
    accept_missing: int | None = None,
) -> SurveyResult:
    """Write the pooled counts per group into the county's survey counts of the survey's year
    (what S1 of the evaluation reads), through the data load, so the change is logged and the
    county's data revision moves.

    Below the sample size this is refused unless `accept_missing` confirms a shortfall at least
    as large as the present one (a confirmation given for "还差 5 份" does not cover 50)."""
    result = score(survey)
    if not result.pooled.valid:
        raise SurveyError("还没有计入的答卷，不能写入测评数据")
    check = sample_check(survey, result)
    if check.missing and (accept_missing is None or check.missing > accept_missing):
        raise SampleShortfall(check)
    county = survey.county
    dataset = Dataset.build(
        pl.DataFrame(), pl.DataFrame(), survey=result.survey_table(), source=f"survey:{survey.pk}"
    )
    load_dataset(
        dataset,
        survey.year.label,
        province=county.city.province.name,
        city=county.city.name,
        user=user,
    )
    Survey.objects.filter(pk=survey.pk).update(fed_at=now)
    survey.fed_at = now
    return result


@transaction.atomic
def edit_questionnaire(
    survey: Survey,
    key: str,
    *,
    title: str,
    intro: str,
    texts: Mapping[str, str],
    now: datetime,
) -> SurveyQuestionnaire:
    """Replace the county's copy of questionnaire `key` by one edited from the bundled base;
    the stored copy is returned with its next revision number (第 N 版) and the time it was saved.

    The copy gets a new version; as responses record the version they answered, a copy that
    has been answered is not changed (a survey keeps the wording its answers were given to).
    """
    stored = SurveyQuestionnaire.objects.select_for_update().filter(survey=survey, key=key).first()
    if stored is None:
        raise SurveyError(f"本调查没有问卷“{key}”")
    if Response.objects.filter(survey=survey, version=stored.version).exists():
        raise SurveyError("这份问卷已经有人作答，不能再修改（答卷须与所答问卷的文字一致）")
    rules = rules_of(survey)
    base = next((q for q in bundled_questionnaires(rules) if q.id == key), None)
    if base is None:
        raise SurveyError(f"没有问卷“{key}”的原始版本")
    empty = [n for n, q in enumerate(base.questions, start=1) if not texts.get(q.id, "").strip()]
    if empty or not title.strip() or not intro.strip():
        what = ["问卷标题"] if not title.strip() else []
        what += ["说明"] if not intro.strip() else []
        what += [f"第 {'、'.join(map(str, empty))} 题"] if empty else []
        raise SurveyError(f"{'、'.join(what)}不能为空")
    edited = derive_questionnaire(
        base,
        survey.county.name,
        rules,
        title=title.strip(),
        intro=intro.strip(),
        texts={qid: text.strip() for qid, text in texts.items()},
    )
    stored.version = edited.version
    stored.text = questionnaire_yaml(edited)
    stored.revision += 1
    stored.saved_at = now
    stored.save(update_fields=["version", "text", "revision", "saved_at"])
    return stored
