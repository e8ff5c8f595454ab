"""Access codes and the answers of the public form, checked without any web framework.

A code is drawn from the rules' alphabet with the operating system's random source, so it
cannot be predicted from other codes; people may type it in lower case, with spaces or dashes.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping

from junheng.survey.questionnaire import SCALE_VALUES, Questionnaire
from junheng.survey.rules import Distribution
from junheng.survey.scoring import SurveyResponseError

CODE_GROUP = 5
"""Characters between dashes when a code is printed (ABCDE-FGHJK reads back more easily)."""


def new_code(
    distribution: Distribution, randbelow: Callable[[int], int] = secrets.randbelow
) -> str:
    """One random access code of the rules' length and alphabet."""
    alphabet = distribution.code_alphabet
    return "".join(alphabet[randbelow(len(alphabet))] for _ in range(distribution.code_length))


def new_codes(
    count: int,
    distribution: Distribution,
    taken: Callable[[list[str]], set[str]] = lambda codes: set(),
) -> list[str]:
    """`count` distinct new codes; `taken` says which of a list are already in use (drawn again)."""
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        wanted = [new_code(distribution) for _ in range(count - len(codes))]
        fresh = [c for c in dict.fromkeys(wanted) if c not in seen]
        used = taken(fresh)
        for code in fresh:
            if code not in used:
                codes.append(code)
                seen.add(code)
    return codes


def normalize_code(text: str) -> str:
    """A code as stored: upper case, without the spaces and dashes people type or print."""
    return "".join(c for c in text.upper() if c not in " -_\u3000\t")


def is_code(text: str, distribution: Distribution) -> bool:
    """Whether a normalized text could be a code at all (checked before any database look-up)."""
    return len(text) == distribution.code_length and all(
        c in distribution.code_alphabet for c in text
    )


def printed_code(code: str) -> str:
    """A code as printed on a sheet: groups of characters joined by dashes."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def read_answers(questionnaire: Questionnaire, data: Mapping[str, str]) -> dict[str, int]:
    """The answers of a submitted form (field `q_<question id>` → option value).

    Every question must be answered with one of the scale's values; the error names the
    questions by their number on the form, as the respondent sees them.
    """
    answers: dict[str, int] = {}
    missing: list[str] = []
    invalid: list[str] = []
    for number, question in enumerate(questionnaire.questions, start=1):
        raw = (data.get(f"q_{question.id}") or "").strip()
        if not raw:
            missing.append(str(number))
            continue
        if not raw.isdigit() or int(raw) not in SCALE_VALUES:
            invalid.append(str(number))
            continue
        answers[question.id] = int(raw)
    if invalid:
        raise SurveyResponseError(f"第 {'、'.join(invalid)} 题的选项无效，请重新选择")
    if missing:
        raise SurveyResponseError(f"还有题目没有作答：第 {'、'.join(missing)} 题")
    return answers
