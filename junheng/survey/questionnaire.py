"""Questionnaires as data: the three bundled ones, a county's edited copy, and their versions.

A questionnaire's version is a checksum of its content (title, respondents, scale, questions,
county, base version), so a response that records the version it answered always points at
exactly the wording it saw, and two identical copies have the same version. Answers use one
five-point satisfaction scale whose values 5…1 are the survey table's `answers_5`…`answers_1`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import yaml

from junheng.core.schema import SURVEY, SURVEY_ANSWER_COLUMNS
from junheng.survey.rules import SurveyFileError, SurveyRules, _Reader

SCALE_VALUES: tuple[int, ...] = tuple(int(c.rsplit("_", 1)[1]) for c in SURVEY_ANSWER_COLUMNS)
"""5, 4, 3, 2, 1: the option values, most positive first, as in the survey table."""
SCALE_LABELS: dict[int, str] = {
    v: SURVEY.column(c).zh.removesuffix("人次")
    for v, c in zip(SCALE_VALUES, SURVEY_ANSWER_COLUMNS, strict=True)
}
"""非常满意, 满意, 一般, 不满意, 非常不满意 — the labels of the survey table's columns."""


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    text: str


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: str
    respondents: tuple[str, ...]
    """Group keys of the survey rules that answer this questionnaire."""
    intro: str
    scale: tuple[tuple[int, str], ...]
    questions: tuple[Question, ...]
    county: str | None = None
    based_on: str | None = None
    """Version of the questionnaire this copy was edited from."""

    @property
    def version(self) -> str:
        digest = hashlib.sha256(
            json.dumps(self.content(), ensure_ascii=False, sort_keys=True).encode("utf-8")
        )
        return digest.hexdigest()[:12]

    def content(self) -> dict[str, Any]:
        """The file form (what the version is computed from)."""
        data: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "respondents": list(self.respondents),
            "intro": self.intro,
            "scale": [{"value": v, "label": label} for v, label in self.scale],
            "questions": [{"id": q.id, "topic": q.topic, "text": q.text} for q in self.questions],
        }
        if self.county is not None:
            data["county"] = self.county
        if self.based_on is not None:
            data["based_on"] = self.based_on
        return data

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)


def build_questionnaire(data: Any, rules: SurveyRules, origin: str) -> Questionnaire:
    """A questionnaire from its file form; raises SurveyFileError naming file and field."""
    r = _Reader(origin)
    top = r.mapping(
        data,
        "顶层",
        {"id", "title", "respondents", "intro", "scale", "questions"},
        {"county", "based_on"},
    )
    respondents = top["respondents"]
    if not isinstance(respondents, list) or not respondents:
        raise r.fail("respondents", "应为调查对象列表")
    for i, key in enumerate(respondents):
        r.choice(key, f"respondents[{i}]", tuple(rules.groups))
    scale = top["scale"]
    if not isinstance(scale, list):
        raise r.fail("scale", "应为选项列表")
    options: list[tuple[int, str]] = []
    for i, option in enumerate(scale):
        o = r.mapping(option, f"scale[{i}]", {"value", "label"})
        options.append((r.integer(o["value"], f"scale[{i}].value", 1), r.text(o["label"], "label")))
    if tuple(v for v, _ in options) != SCALE_VALUES:
        raise r.fail("scale", "应为五级选项，取值依次为 5、4、3、2、1（5 为最积极）")
    questions = top["questions"]
    if not isinstance(questions, list) or not questions:
        raise r.fail("questions", "应为题目列表")
    built: list[Question] = []
    for i, q in enumerate(questions):
        where = f"questions[{i}]"
        q = r.mapping(q, where, {"id", "topic", "text"})
        qid = r.text(q["id"], f"{where}.id")
        if any(b.id == qid for b in built):
            raise r.fail(f"{where}.id", f"题号“{qid}”重复")
        built.append(
            Question(
                id=qid,
                topic=r.choice(q["topic"], f"{where}.topic", tuple(rules.topics)),
                text=r.text(q["text"], f"{where}.text"),
            )
        )
    missing = [name for key, name in rules.topics.items() if all(q.topic != key for q in built)]
    if missing:
        raise r.fail("questions", f"题目没有覆盖调查内容：{'、'.join(missing)}")
    return Questionnaire(
        id=r.text(top["id"], "id"),
        title=r.text(top["title"], "title"),
        respondents=tuple(respondents),
        intro=r.text(top["intro"], "intro"),
        scale=tuple(options),
        questions=tuple(built),
        county=r.text(top["county"], "county") if top.get("county") is not None else None,
        based_on=r.text(top["based_on"], "based_on") if top.get("based_on") is not None else None,
    )


def derive_questionnaire(
    base: Questionnaire,
    county: str,
    rules: SurveyRules,
    *,
    title: str | None = None,
    intro: str | None = None,
    texts: Mapping[str, str] | None = None,
    remove: Iterable[str] = (),
    add: Iterable[Question] = (),
) -> Questionnaire:
    """A county's edited copy of `base`, with its own version and `based_on` the base's.

    The copy is checked like a file (every topic still covered, question ids unique), so an
    edit cannot produce a questionnaire that the bundled ones would not be allowed to be.
    """
    texts = dict(texts or {})
    removed = set(remove)
    unknown = sorted((set(texts) | removed) - {q.id for q in base.questions})
    if unknown:
        raise SurveyFileError(base.id, "questions", f"问卷中没有这些题号：{'、'.join(unknown)}")
    questions = [
        replace(q, text=texts.get(q.id, q.text)) for q in base.questions if q.id not in removed
    ]
    edited = replace(
        base,
        title=title or base.title,
        intro=intro or base.intro,
        questions=(*questions, *add),
        county=county,
        based_on=base.version,
    )
    return build_questionnaire(edited.content(), rules, f"{county}·{base.id}")


def questionnaire_yaml(questionnaire: Questionnaire) -> str:
    """The YAML text of a questionnaire (a county's copy is saved in this form)."""
    return yaml.safe_dump(questionnaire.content(), allow_unicode=True, sort_keys=False, width=100)
