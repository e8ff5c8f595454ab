"""Fact values as text in the database and typed values in the Dataset, both ways without loss.

Facts are stored as text because their types differ (是/否, ratios, levels, ratings) and a form
shows them as typed by the person; the text written here reads back to the identical value.
"""

from __future__ import annotations

from junheng.core.schema import FALSE_WORDS, LEVEL_NUMERALS, TRUE_WORDS, Fact, FactType


def fact_to_text(fact: Fact, value: object) -> str | None:
    """The stored text of a typed fact value (None stays None)."""
    if value is None:
        return None
    if fact.type == FactType.BOOL:
        return "是" if value else "否"
    if fact.type in (FactType.NUMBER, FactType.RATIO):
        # repr is the shortest text that reads back to the same float.
        return repr(float(value))  # type: ignore[arg-type]
    if fact.type == FactType.LEVEL:
        return str(int(value))  # type: ignore[call-overload]
    return str(value)


def fact_from_text(fact: Fact, text: str | None) -> object:
    """The typed value of stored fact text; raises ValueError with a Chinese message if invalid."""
    if text is None or not text.strip():
        return None
    token = text.strip()
    if fact.type == FactType.BOOL:
        if token.lower() in TRUE_WORDS:
            return True
        if token.lower() in FALSE_WORDS:
            return False
        raise ValueError(f"{fact.zh}：“{token}”不是“是”或“否”")
    if fact.type in (FactType.NUMBER, FactType.RATIO):
        try:
            return float(token)
        except ValueError:
            raise ValueError(f"{fact.zh}：“{token}”不是数字") from None
    if fact.type == FactType.LEVEL:
        if token in LEVEL_NUMERALS:
            return LEVEL_NUMERALS[token]
        try:
            return int(token)
        except ValueError:
            raise ValueError(f"{fact.zh}：“{token}”不是等级（1–4 或 Ⅰ–Ⅳ）") from None
    return token
