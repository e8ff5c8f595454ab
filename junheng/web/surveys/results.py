"""What the results page shows beyond the core's tables: the standard's requirement and the
verdict on the pooled rate, the sample against the plan, each question's answers, and the
charts, every chart from the same rows as the table beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from junheng.core.formatting import fmt_percent
from junheng.standards import DEFAULT_STANDARD, load_standard
from junheng.survey.questionnaire import SCALE_LABELS, SCALE_VALUES
from junheng.survey.scoring import (
    POOLED,
    QuestionRate,
    Requirement,
    SurveyResult,
    recognition_requirement,
)
from junheng.survey.scoring import question_rates as core_question_rates
from junheng.web.pages.charts import Chart
from junheng.web.surveys import services
from junheng.web.surveys.charts import rate_chart
from junheng.web.surveys.models import Survey

VERDICTS = {True: ("达标", "ok"), False: ("未达标", "fail"), None: ("无法判定", "unknown")}


@dataclass(frozen=True)
class Verdict:
    requirement: str
    """"社会认可度 ≥ 85%" from the standard."""
    item: str
    """The standard's item that sets it (S1 社会认可度达到85%以上)."""
    rate: str
    text: str
    css: str


def requirement() -> Requirement:
    return recognition_requirement(load_standard(DEFAULT_STANDARD))


def verdict(result: SurveyResult, rule: Requirement) -> Verdict:
    text, css = VERDICTS[rule.passes(result.pooled.rate)]
    return Verdict(
        requirement=rule.text,
        item=f"{rule.item.id} {rule.item.name}",
        rate=fmt_percent(result.pooled.rate, 2),
        text=text,
        css=css,
    )


def _rate_cells(rows: list[QuestionRate], rule: Requirement) -> list[dict[str, Any]]:
    cells = []
    verdicts = rule.passes_all([row.rate.rate for row in rows])
    for row, ok in zip(rows, verdicts, strict=True):
        cells.append(
            {
                "number": row.number,
                "text": row.text,
                "topic": row.topic,
                "counts": list(row.rate.counts),
                "valid": row.rate.valid,
                "favourable": row.rate.favourable,
                "rate": fmt_percent(row.rate.rate, 1)
                if row.rate.rate is not None
                else "无有效答案",
                "css": VERDICTS[ok][1],
            }
        )
    return cells


def question_sections(
    survey: Survey, result: SurveyResult, rule: Requirement
) -> list[dict[str, Any]]:
    """Per questionnaire: a chart of its questions' rates and the table of their answers."""
    stored = services.stored_questionnaires(survey)
    questionnaires = {s.version: q for s, q in stored}
    rows = core_question_rates(
        result, questionnaires, load_standard(DEFAULT_STANDARD), services.rules_of(survey)
    )
    sections = []
    for n, (_, questionnaire) in enumerate(stored, start=1):
        mine = [r for r in rows if r.questionnaire_id == questionnaire.id]
        chart: Chart = rate_chart(
            f"chart-questions-{n}",
            "各题认可度",
            [(f"第 {r.number} 题 {r.topic}", r.rate) for r in mine],
            rule,
            narrow_labels=[f"第 {r.number} 题" for r in mine],
        )
        answered = sum(r.rate.valid for r in mine)
        sections.append(
            {
                "title": questionnaire.title,
                "chart": chart,
                "rows": _rate_cells(mine, rule),
                "answered": answered,
            }
        )
    return sections


def group_chart(result: SurveyResult, rule: Requirement) -> Chart:
    """The groups' rates and the county's, as in the table 社会认可度（按调查对象）."""
    rows = [*result.by_group.items(), (POOLED, result.pooled)]
    return rate_chart("chart-groups", "各类调查对象的认可度", rows, rule)


SCALE_HEADERS = [SCALE_LABELS[v] for v in SCALE_VALUES]
