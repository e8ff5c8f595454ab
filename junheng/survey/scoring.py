"""认可度计算: recognition rates per group, school, area and pooled, with response-quality checks.

An answer is favourable when it is one of the top `survey_favourable_options` options (a policy
of the standard). Rates are computed by the function Part S1 of the engine uses
(`junheng.core.checks.county_frame`), applied per group, school and area as well as per county,
so the pooled rate here is by construction the rate S1 computes from `survey_table()`.

Quality checks flag a response that was answered too fast (less than the rules' seconds per
answered question) or straight-lined (the same option for every one of at least k answered
questions). Flagged responses are left out when the rules (or the caller) say so, and any
response can be left out by id after review; left-out responses count nowhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from junheng.core.checks import county_frame, describe_threshold, evaluate_check
from junheng.core.schema import AREA_TYPES, SURVEY, SURVEY_ANSWER_COLUMNS
from junheng.core.standard import Check, Item, Standard
from junheng.survey.questionnaire import SCALE_VALUES, Questionnaire
from junheng.survey.rules import QUALITY_FLAGS, SurveyRules

FLAG_ZH = {"too_fast": "答题过快", "straight_lining": "所有题目选同一项"}
POOLED = "全县"


class SurveyResponseError(ValueError):
    """A response that does not fit its questionnaire; the message names the response."""


@dataclass(frozen=True)
class Response:
    id: str
    group: str
    """Group key of the survey rules (`parents`, `students`, …)."""
    answers: Mapping[str, int | None]
    """Question id → option value 5…1; None for a question left unanswered."""
    version: str = ""
    """Version of the questionnaire answered (its content checksum)."""
    seconds: float | None = None
    school_id: str | None = None
    area_type: str | None = None

    @property
    def answered(self) -> list[int]:
        return [v for v in self.answers.values() if v is not None]


@dataclass(frozen=True)
class Rate:
    counts: tuple[int, ...]
    """Answers per option, most positive first (answers_5 … answers_1)."""
    favourable: int
    rate: float | None
    """favourable ÷ valid, as S1 computes it; None when there is no valid answer."""

    @property
    def valid(self) -> int:
        return sum(self.counts)

    def explain(self) -> str:
        if self.rate is None:
            return "没有有效答案"
        return f"{self.valid:,} 个有效答案中 {self.favourable:,} 个认可，认可度 {self.rate:.2%}"


@dataclass(frozen=True)
class ScoredResponse:
    response: Response
    flags: tuple[str, ...]
    excluded: bool

    def explain(self) -> str:
        return "、".join(FLAG_ZH[f] for f in self.flags)


@dataclass(frozen=True)
class SurveyResult:
    county: str
    favourable_options: int
    responses: tuple[ScoredResponse, ...]
    by_group: dict[str, Rate]
    """Group name (家长, 学生, …) → rate, in the rules' order."""
    by_school: dict[str, Rate]
    by_area: dict[str, Rate]
    pooled: Rate
    notes: tuple[str, ...] = field(default=())
    group_names: dict[str, str] = field(default_factory=dict)
    """Group key → name, for showing responses."""
    favourable_policy: str = ""
    """The Chinese name of the standard's policy that sets `favourable_options`."""
    by_question: dict[tuple[str, str], tuple[int, ...]] = field(default_factory=dict)
    """(questionnaire version, question id) → counted answers per option, most positive first."""
    totals: tuple[int, int] | None = None
    """(responses, left out) when scored from tallies, whose `responses` are not listed."""

    @property
    def flagged(self) -> list[ScoredResponse]:
        return [r for r in self.responses if r.flags]

    @property
    def excluded(self) -> list[ScoredResponse]:
        return [r for r in self.responses if r.excluded]

    @property
    def response_count(self) -> int:
        """All responses, counted or not."""
        return self.totals[0] if self.totals is not None else len(self.responses)

    @property
    def excluded_count(self) -> int:
        """Responses left out (a quality check the survey leaves out, or after review)."""
        return self.totals[1] if self.totals is not None else len(self.excluded)

    def survey_table(self) -> pl.DataFrame:
        """The Dataset's `survey` table for this county: one row per group with answers."""
        rows = [
            {
                "county": self.county,
                "group": name,
                **dict(zip(SURVEY_ANSWER_COLUMNS, r.counts, strict=True)),
            }
            for name, r in self.by_group.items()
            if r.valid
        ]
        schema = {c.name: (pl.String if c.type == "text" else pl.Int64) for c in SURVEY.columns}
        return pl.DataFrame(rows, schema=schema)


def quality_flags(response: Response, rules: SurveyRules) -> tuple[str, ...]:
    """Which quality checks of the rules the response fails (empty when it passes)."""
    answered = response.answered
    q = rules.quality
    flags: list[str] = []
    if response.seconds is not None and response.seconds < q.min_seconds_per_question * len(
        answered
    ):
        flags.append("too_fast")
    if len(answered) >= q.straight_line_min_questions and len(set(answered)) == 1:
        flags.append("straight_lining")
    return tuple(flags)


def check_response(response: Response, questionnaire: Questionnaire) -> None:
    """Refuse a response whose group, questions or options its questionnaire does not have."""
    where = f"答卷 {response.id}"
    if response.group not in questionnaire.respondents:
        raise SurveyResponseError(
            f"{where}：调查对象“{response.group}”不使用问卷“{questionnaire.title}”"
        )
    ids = {q.id for q in questionnaire.questions}
    unknown = sorted(set(response.answers) - ids)
    if unknown:
        raise SurveyResponseError(f"{where}：问卷中没有题号 {'、'.join(unknown)}")


def score_responses(
    responses: Iterable[Response],
    county: str,
    standard: Standard,
    rules: SurveyRules,
    *,
    questionnaires: Mapping[str, Questionnaire] | None = None,
    exclude_flags: Iterable[str] | None = None,
    exclude_ids: Iterable[str] = (),
) -> SurveyResult:
    """Recognition rates of one county's responses.

    `questionnaires` (version → questionnaire) checks every response against the wording it
    answered. `exclude_flags` overrides the rules' `quality.exclude` (pass `()` to count
    flagged responses); `exclude_ids` leaves out responses by id after review.
    """
    dropped_flags = set(rules.quality.exclude if exclude_flags is None else exclude_flags)
    unknown_flags = dropped_flags - set(QUALITY_FLAGS)
    if unknown_flags:
        raise SurveyResponseError(f"未知的质量检查：{'、'.join(sorted(unknown_flags))}")
    dropped_ids = set(exclude_ids)
    scored: list[ScoredResponse] = []
    tallies: dict[str, dict[str, list[int]]] = {"group": {}, "school": {}, "area": {}}
    by_question: dict[tuple[str, str], list[int]] = {}
    seen: set[str] = set()
    for response in responses:
        _validate(response, rules, questionnaires, seen)
        flags = quality_flags(response, rules)
        excluded = response.id in dropped_ids or bool(dropped_flags & set(flags))
        scored.append(ScoredResponse(response, flags, excluded))
        if excluded:
            continue
        keys = {
            "group": rules.groups[response.group].name,
            "school": response.school_id,
            "area": response.area_type,
        }
        for dimension, key in keys.items():
            if key is None:
                continue
            counts = tallies[dimension].setdefault(key, [0] * len(SCALE_VALUES))
            for value in response.answered:
                counts[SCALE_VALUES.index(value)] += 1
        for qid, value in response.answers.items():
            if value is not None:
                tally = by_question.setdefault((response.version, qid), [0] * len(SCALE_VALUES))
                tally[SCALE_VALUES.index(value)] += 1
    missing_ids = sorted(dropped_ids - seen)
    notes = (f"要排除的答卷不存在：{'、'.join(missing_ids)}",) if missing_ids else ()
    return _result(county, standard, rules, tallies, by_question, tuple(scored), notes)


def _result(
    county: str,
    standard: Standard,
    rules: SurveyRules,
    tallies: dict[str, dict[str, list[int]]],
    by_question: dict[tuple[str, str], list[int]],
    responses: tuple[ScoredResponse, ...],
    notes: tuple[str, ...] = (),
    totals: tuple[int, int] | None = None,
) -> SurveyResult:
    """The rates of counted answers per group, school, area and pooled (schools in the order of
    their ids, areas 城区, 镇区, 乡村, so every way of counting lists them alike)."""
    groups = {g.name: tallies["group"].get(g.name) for g in rules.groups.values()}
    pooled = [sum(c[i] for c in tallies["group"].values()) for i in range(len(SCALE_VALUES))]
    return SurveyResult(
        county=county,
        favourable_options=standard.policy("survey_favourable_options"),
        favourable_policy=standard.policies["survey_favourable_options"].name,
        responses=responses,
        by_group=rates({k: v or [0] * len(SCALE_VALUES) for k, v in groups.items()}, standard),
        by_school=rates(dict(sorted(tallies["school"].items())), standard),
        by_area=rates(dict(sorted(tallies["area"].items(), key=_area_order)), standard),
        pooled=rates({POOLED: pooled}, standard)[POOLED],
        notes=notes,
        group_names={k: g.name for k, g in rules.groups.items()},
        by_question={k: tuple(v) for k, v in by_question.items()},
        totals=totals,
    )


def _area_order(item: tuple[str, list[int]]) -> tuple[int, str]:
    order = [key for key, _ in AREA_TYPES]
    return (order.index(item[0]) if item[0] in order else len(order), item[0])


@dataclass(frozen=True)
class Tally:
    """How many answers `value` the responses of one group at one school (or area) gave, among
    those failing the same quality checks: what the rates by group, school and area count."""

    group: str
    school_id: str | None
    area_type: str | None
    flags: tuple[str, ...]
    value: int
    count: int


@dataclass(frozen=True)
class QuestionTally:
    """How many responses to one questionnaire version chose `value` for `question`, among
    those failing the same quality checks: what the rates by question count."""

    version: str
    question: str
    flags: tuple[str, ...]
    value: int
    count: int


def score_tallies(
    tallies: Iterable[Tally],
    question_tallies: Iterable[QuestionTally],
    responses: Mapping[tuple[tuple[str, ...], bool], int],
    county: str,
    standard: Standard,
    rules: SurveyRules,
    *,
    exclude_flags: Iterable[str] | None = None,
    reviewed_out: Iterable[Response] = (),
) -> SurveyResult:
    """The rates `score_responses` gives, from answers counted in advance.

    The tallies count every response; `responses` says how many there are by (failed quality
    checks, left out after review); `reviewed_out` are the responses left out after review,
    whose answers are taken off the tallies. The result lists no responses; its `totals` say
    how many there are and how many are left out.
    """
    dropped = set(rules.quality.exclude if exclude_flags is None else exclude_flags)
    unknown_flags = dropped - set(QUALITY_FLAGS)
    if unknown_flags:
        raise SurveyResponseError(f"未知的质量检查：{'、'.join(sorted(unknown_flags))}")
    places: dict[tuple[str, str | None, str | None, int], int] = {}
    for t in tallies:
        if t.group not in rules.groups:
            raise SurveyResponseError(f"调查规则中没有调查对象“{t.group}”")
        if t.value not in SCALE_VALUES:
            raise SurveyResponseError(f"选项取值应为 5、4、3、2、1，实际有 {t.value}")
        if not dropped & set(t.flags):
            key = (t.group, t.school_id, t.area_type, t.value)
            places[key] = places.get(key, 0) + t.count
    questions: dict[tuple[str, str, int], int] = {}
    for q in question_tallies:
        if not dropped & set(q.flags):
            key_q = (q.version, q.question, q.value)
            questions[key_q] = questions.get(key_q, 0) + q.count
    for r in reviewed_out:
        if dropped & set(quality_flags(r, rules)):
            continue  # not counted in the first place
        for qid, value in r.answers.items():
            if value is not None:
                key = (r.group, r.school_id, r.area_type, value)
                places[key] = places.get(key, 0) - 1
                questions[(r.version, qid, value)] = questions.get((r.version, qid, value), 0) - 1
    dims: dict[str, dict[str, list[int]]] = {"group": {}, "school": {}, "area": {}}
    for (group, school, area, value), n in places.items():
        if not n:
            continue  # only responses left out after review gave it: as if never answered
        i = SCALE_VALUES.index(value)
        for dimension, name in (
            ("group", rules.groups[group].name),
            ("school", school),
            ("area", area),
        ):
            if name is not None:
                dims[dimension].setdefault(name, [0] * len(SCALE_VALUES))[i] += n
    by_question: dict[tuple[str, str], list[int]] = {}
    for (version, qid, value), n in questions.items():
        if n:
            counts = by_question.setdefault((version, qid), [0] * len(SCALE_VALUES))
            counts[SCALE_VALUES.index(value)] += n
    total = sum(responses.values())
    left_out = sum(n for (flags, out), n in responses.items() if out or dropped & set(flags))
    return _result(county, standard, rules, dims, by_question, (), totals=(total, left_out))


def score_counts(survey: pl.DataFrame, county: str, standard: Standard) -> dict[str, Rate]:
    """Rates per group and pooled (`POOLED`) from the Dataset's `survey` table of one county."""
    mine = survey.filter(pl.col("county") == county)
    counts = {
        row["group"]: [row[c] or 0 for c in SURVEY_ANSWER_COLUMNS]
        for row in mine.iter_rows(named=True)
    }
    pooled = [sum(c[i] for c in counts.values()) for i in range(len(SURVEY_ANSWER_COLUMNS))]
    return rates({**counts, POOLED: pooled}, standard)


def rates(counts: Mapping[str, list[int]], standard: Standard) -> dict[str, Rate]:
    """Rate per key from answer counts (most positive first), by S1's own computation: the
    counts of each key are put through `county_frame` as if the key were a county."""
    if not counts:
        return {}
    keys = list(counts)
    survey = pl.DataFrame(
        [{"county": k, **dict(zip(SURVEY_ANSWER_COLUMNS, counts[k], strict=True))} for k in keys],
        schema={"county": pl.String, **dict.fromkeys(SURVEY_ANSWER_COLUMNS, pl.Int64)},
    )
    facts = pl.DataFrame(
        {"county": keys, "recognition_rate": [None] * len(keys)},
        schema={"county": pl.String, "recognition_rate": pl.Float64},
    )
    computed = dict(
        county_frame(facts, survey, standard).select("county", "recognition_rate").iter_rows()
    )
    n = standard.policy("survey_favourable_options")
    return {k: Rate(tuple(counts[k]), sum(counts[k][:n]), computed[k]) for k in keys}


def _validate(
    response: Response,
    rules: SurveyRules,
    questionnaires: Mapping[str, Questionnaire] | None,
    seen: set[str],
) -> None:
    where = f"答卷 {response.id}"
    if response.id in seen:
        raise SurveyResponseError(f"{where}：答卷编号重复")
    seen.add(response.id)
    if response.group not in rules.groups:
        raise SurveyResponseError(f"{where}：调查规则中没有调查对象“{response.group}”")
    bad = [v for v in response.answered if v not in SCALE_VALUES]
    if bad:
        raise SurveyResponseError(f"{where}：选项取值应为 5、4、3、2、1，实际有 {bad[0]}")
    if questionnaires is not None:
        questionnaire = questionnaires.get(response.version)
        if questionnaire is None:
            raise SurveyResponseError(f"{where}：找不到版本为“{response.version}”的问卷")
        check_response(response, questionnaire)


RATE_COLUMN = "recognition_rate"
"""The county fact S1 compares; a survey's rate stands in for it (see `county_frame`)."""


@dataclass(frozen=True)
class Requirement:
    """The standard's requirement on the recognition rate (S1's check), to judge a survey by."""

    item: Item
    check: Check
    tolerance: float

    @property
    def text(self) -> str:
        """ "社会认可度 ≥ 85%" as the standard states it."""
        return f"{self.check.label} {describe_threshold(self.check)}"

    @property
    def threshold(self) -> float:
        return float(self.check.threshold.constant)

    def passes(self, rate: float | None) -> bool | None:
        """The verdict S1 would give this rate (same comparison and tolerance); None without one."""
        return self.passes_all([rate])[0]

    def passes_all(self, rates: Sequence[float | None]) -> list[bool | None]:
        """`passes` of every rate, judged at once (a page judges dozens)."""
        known = [r for r in rates if r is not None]
        if not known:
            return [None] * len(rates)
        frame = pl.DataFrame({RATE_COLUMN: known}, schema={RATE_COLUMN: pl.Float64})
        judged = evaluate_check(frame, self.check, dict(self.item.params), self.tolerance)
        verdicts = iter(judged["ok"].to_list())
        return [None if r is None else bool(next(verdicts)) for r in rates]


def recognition_requirement(standard: Standard) -> Requirement:
    """The check of the standard that judges the recognition rate (S1 in the national one),
    found by the fact it reads rather than by its id, so a provincial standard's item counts."""
    for item in standard.items.values():
        for check in item.checks:
            reads = check.value.columns(dict(item.params))
            if reads == {RATE_COLUMN} and check.threshold.constant is not None:
                return Requirement(item, check, standard.policy("numeric_tolerance"))
    raise ValueError(f"标准 {standard.name} 没有对社会认可度的要求")


@dataclass(frozen=True)
class QuestionRate:
    """One question's answers in the counted responses: per option and favourable."""

    questionnaire_id: str
    questionnaire: str
    """The questionnaire's title."""
    number: int
    text: str
    topic: str
    """The topic's name (from the rules)."""
    rate: Rate


def question_rates(
    result: SurveyResult,
    questionnaires: Mapping[str, Questionnaire],
    standard: Standard,
    rules: SurveyRules,
) -> list[QuestionRate]:
    """Every question of every questionnaire (version → questionnaire, as in scoring) with its
    counted answers; the responses left out of the result are left out here too. Rates are S1's
    computation, as for groups and schools."""
    counts = result.by_question
    keys: list[tuple[str, str]] = []
    for version, questionnaire in sorted(questionnaires.items(), key=lambda kv: kv[1].id):
        keys += [(version, q.id) for q in questionnaire.questions]
    computed = rates(
        {f"{v}/{q}": list(counts.get((v, q), [0] * len(SCALE_VALUES))) for v, q in keys},
        standard,
    )
    rows: list[QuestionRate] = []
    for version, qid in keys:
        questionnaire = questionnaires[version]
        number = next(n for n, q in enumerate(questionnaire.questions, start=1) if q.id == qid)
        question = questionnaire.questions[number - 1]
        rows.append(
            QuestionRate(
                questionnaire_id=questionnaire.id,
                questionnaire=questionnaire.title,
                number=number,
                text=question.text,
                topic=rules.topics.get(question.topic, question.topic),
                rate=computed[f"{version}/{qid}"],
            )
        )
    return rows
