"""County education finance checked per fiscal year: 两个只增不减, education's share of public
spending, 10 % of land revenue, surcharges allocated in full, 5 % training funds, teachers' pay.
Pure.

Every check of the rules (`finance_rules`, `finance_checks.yaml`) is judged for every county and
year of the 县级教育经费 table: True, False, or None with the reason (a figure missing, named; the
first year of a year-over-year check, 不适用; a factor the rules leave to the province, 未设定).
Money is compared exactly at the line, forgiving only the rules' `numeric_tolerance` relative to
the line (docs/ARCHITECTURE.md "Exact at the line"), so one fen short is short.

The per-student figure is the reported 生均一般公共预算教育支出 when given, else 一般公共预算
教育支出 ÷ 在校学生数 of the same year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.finance_rules import FIGURES, FinanceCheck, FinanceRules
from junheng.core.formatting import fmt_number, fmt_percent

PER_STUDENT = "per_student_expenditure_yuan"
EXPENDITURE = "education_expenditure_yuan"
STUDENTS = "students"
STUDENTS_ZH = "在校学生数"
UNIT = "元"


class FinanceError(ValueError):
    """Finance rows the checks cannot read (a county's year given twice); Chinese message."""


@dataclass(frozen=True)
class FinanceVerdict:
    """One check for one county and year, with the numbers behind it."""

    county: str
    year: int
    check: FinanceCheck
    reason: str
    passes: bool | None = None
    value: float | None = None
    """The figure checked (the computed per-student figure when it was not reported)."""
    base: float | None = None
    """What it is compared with: last year's figure (non_decrease) or the base figure."""
    required: float | None = None
    """The line: last year's figure, or factor × base."""
    share: float | None = None
    """value ÷ base for a check whose factor is a share."""
    shortfall: float | None = None
    """required − value when the check fails (yuan)."""
    missing: tuple[str, ...] = ()
    """The figures missing, in Chinese, with their year when it is not this one."""
    applicable: bool = True
    """False for a year-over-year check in the first year of the data."""
    computed: bool = False
    """The per-student figure was computed from expenditure and students."""
    factor: float | None = None
    """The line's factor an `at_least` check was judged by (the rules' or the county's stated
    share of that year); None when unset."""


@dataclass(frozen=True)
class FinanceReport:
    rules: FinanceRules
    verdicts: tuple[FinanceVerdict, ...]

    @property
    def counties(self) -> tuple[str, ...]:
        """Counties with finance rows, in order."""
        return tuple(dict.fromkeys(v.county for v in self.verdicts))

    def for_county(self, county: str) -> list[FinanceVerdict]:
        return [v for v in self.verdicts if v.county == county]

    def years(self, county: str) -> tuple[int, ...]:
        return tuple(sorted({v.year for v in self.verdicts if v.county == county}))


def _money(value: float) -> str:
    text = fmt_number(value, 2, thousands=True)
    # a computed per-student figure can miss the line by less than a fen: still short, and
    # "0.00" would read as no shortfall at all
    return "不足 0.01" if text in ("0.00", "-0.00") and value != 0 else text


def _factor_text(factor: float) -> str:
    return f"{factor * 100:g}%"


def _figure(row: Mapping[str, Any] | None, name: str) -> tuple[float | None, tuple[str, ...], bool]:
    """(value, missing figures, computed) of one figure in one year's row."""
    if row is None:
        return None, (FIGURES[name],), False
    value = row.get(name)
    if value is not None:
        return float(value), (), False
    if name != PER_STUDENT:
        return None, (FIGURES[name],), False
    spent, students = row.get(EXPENDITURE), row.get(STUDENTS)
    missing = tuple(
        label for label, v in ((FIGURES[EXPENDITURE], spent), (STUDENTS_ZH, students)) if v is None
    )
    if missing:
        return None, (*missing,), False
    if students == 0:
        return None, (f"{STUDENTS_ZH}（填为 0）",), False
    return float(spent) / students, (), True


def _at_line(value: float, required: float, tolerance: float) -> bool:
    return value >= required - abs(required) * tolerance


def _shortfall(value: float, required: float, passes: bool) -> float | None:
    # rounded to a millionth of a yuan: keeps a sub-fen shortfall, drops binary noise
    return None if passes else round(required - value, 6)


def _computed_note(row: Mapping[str, Any]) -> str:
    spent = _money(float(row[EXPENDITURE]))
    students = fmt_number(row[STUDENTS], 0, thousands=True)
    return f"（{FIGURES[EXPENDITURE]} {spent} 元 ÷ {STUDENTS_ZH} {students} 人）"


def _undecided(
    county: str,
    year: int,
    check: FinanceCheck,
    missing: tuple[str, ...],
    *,
    value: float | None,
    base: float | None,
    computed: bool,
) -> FinanceVerdict:
    """The verdict of a year that lacks a figure the check reads: undecided, naming the figures."""
    text = f"{year}年{check.name}：缺少数据（{'、'.join(missing)}）"
    if check.value == PER_STUDENT and any(
        STUDENTS_ZH in m or FIGURES[EXPENDITURE] in m for m in missing
    ):
        text += f"，或直接填写{FIGURES[PER_STUDENT]}"
    return FinanceVerdict(
        county,
        year,
        check,
        text + "，无法判定",
        value=value,
        base=base,
        missing=missing,
        computed=computed,
    )


def _non_decrease(
    county: str,
    year: int,
    check: FinanceCheck,
    rows: Mapping[int, Mapping[str, Any]],
    first: int,
    tolerance: float,
) -> FinanceVerdict:
    row = rows[year]
    label = FIGURES[check.value]
    value, missing, computed = _figure(row, check.value)
    if year == first:
        shown = f" {_money(value)} 元" if value is not None else ""
        return FinanceVerdict(
            county,
            year,
            check,
            f"{year}年{label}{shown}；{year}年是所填数据的第一年，没有上年数据可比，不适用",
            value=value,
            applicable=False,
            computed=computed,
        )
    previous_row = rows.get(year - 1)
    previous, previous_missing, _ = _figure(previous_row, check.value)
    if previous_row is None:
        previous_missing = (f"{year - 1}年的数据",)
    else:
        previous_missing = tuple(f"{year - 1}年{m}" for m in previous_missing)
    missing = (*missing, *previous_missing)
    if value is None or previous is None:
        return _undecided(
            county, year, check, missing, value=value, base=previous, computed=computed
        )
    passes = _at_line(value, previous, tolerance)
    change = value - previous
    if passes and change > 0:
        trend = f"比上年增加 {_money(change)} 元，符合逐年只增不减"
    elif passes:
        trend = "与上年持平，符合逐年只增不减"
    else:
        trend = f"比上年减少 {_money(previous - value)} 元，未做到逐年只增不减"
    note = _computed_note(row) if computed else ""
    return FinanceVerdict(
        county,
        year,
        check,
        f"{year}年{label} {_money(value)} 元{note}，上年 {_money(previous)} 元，{trend}",
        passes=passes,
        value=value,
        base=previous,
        required=previous,
        shortfall=_shortfall(value, previous, passes),
        computed=computed,
    )


def _at_least(
    county: str, year: int, check: FinanceCheck, row: Mapping[str, Any], tolerance: float
) -> FinanceVerdict:
    base_figure = check.base or check.value  # the loader requires a base for this kind
    value, missing, computed = _figure(row, check.value)
    base, base_missing, _ = _figure(row, base_figure)
    missing = (*missing, *base_missing)
    if value is None or base is None:
        return _undecided(county, year, check, missing, value=value, base=base, computed=computed)
    label, base_label = FIGURES[check.value], FIGURES[base_figure]
    share = value / base if check.percent and base != 0 else None
    stated = f"{year}年{label} {_money(value)} 元，"
    if share is not None:
        stated += f"占{base_label} {_money(base)} 元的 {fmt_percent(share)}"
    else:
        stated += f"{base_label} {_money(base)} 元"
    factor, stated_by_county = check.factor, False
    if check.factor_from is not None and row.get(check.factor_from) is not None:
        factor, stated_by_county = float(row[check.factor_from]) / 100, True
    if factor is None:
        return FinanceVerdict(
            county,
            year,
            check,
            f"{stated}；未设定{check.factor_name}，无法判定",
            value=value,
            base=base,
            share=share,
            computed=computed,
        )
    required = factor * base
    passes = _at_line(value, required, tolerance)
    by = f"本县填报的{check.factor_name}" if stated_by_county else ""
    if check.percent:
        line = f"要求不低于{by} {_factor_text(factor)}，即 {_money(required)} 元"
    elif factor == 1:
        line = f"要求不低于{base_label}"
    else:
        line = f"要求不低于{base_label}的 {factor:g} 倍，即 {_money(required)} 元"
    verdict = (
        "达到要求" if passes else f"{check.shortfall} {_money(required - value)} 元，未达到要求"
    )
    return FinanceVerdict(
        county,
        year,
        check,
        f"{stated}（{line}），{verdict}",
        passes=passes,
        value=value,
        base=base,
        required=required,
        share=share,
        shortfall=_shortfall(value, required, passes),
        computed=computed,
        factor=factor,
    )


def _frame(data: Dataset | pl.DataFrame) -> pl.DataFrame:
    return data.finance if isinstance(data, Dataset) else data


def check_finance(data: Dataset | pl.DataFrame, *, rules: FinanceRules) -> FinanceReport:
    """Every check of `rules` for every county and year of the finance table (a Dataset's, or
    the frame itself), counties and years in order."""
    frame = _frame(data)
    by_county: dict[str, dict[int, Mapping[str, Any]]] = {}
    if not frame.is_empty():
        for row in frame.sort("county", "year").iter_rows(named=True):
            years = by_county.setdefault(row["county"], {})
            if row["year"] in years:
                raise FinanceError(f"{row['county']} {row['year']}年的教育经费填了不止一行")
            years[row["year"]] = row
    tolerance = rules.numeric_tolerance
    verdicts: list[FinanceVerdict] = []
    for county, rows in by_county.items():
        first = min(rows)
        for year in rows:
            for check in rules.checks:
                if check.kind == "non_decrease":
                    verdicts.append(_non_decrease(county, year, check, rows, first, tolerance))
                else:
                    verdicts.append(_at_least(county, year, check, rows[year], tolerance))
    return FinanceReport(rules, tuple(verdicts))


def year_passes(verdicts: list[FinanceVerdict]) -> bool | None:
    """A year's verdict: False when a check fails, None when one that applies is undecided."""
    if any(v.passes is False for v in verdicts):
        return False
    if any(v.passes is None and v.applicable for v in verdicts):
        return None
    return True


def verdict_to_dict(verdict: FinanceVerdict) -> dict[str, Any]:
    check = verdict.check
    if check.kind == "non_decrease":
        base_name = f"上年{FIGURES[check.value]}"
    else:
        base_name = FIGURES[check.base or check.value]
    return {
        "id": check.id,
        "name": check.name,
        "kind": check.kind,
        "passes": verdict.passes,
        "applicable": verdict.applicable,
        "value": verdict.value,
        "value_name": FIGURES[check.value],
        "base": verdict.base,
        "base_name": base_name,
        "required": verdict.required,
        "factor": verdict.factor if check.kind == "at_least" else check.factor,
        "percent": check.percent,
        "share": verdict.share,
        "shortfall": verdict.shortfall,
        "shortfall_what": check.shortfall,
        "unit": UNIT,
        "computed": verdict.computed,
        "missing": list(verdict.missing),
        "reason": verdict.reason,
        "source": check.source,
    }


def finance_to_dict(report: FinanceReport, county: str) -> dict[str, Any]:
    """A county's finance verdicts as JSON-able data: the rules' name and, per year in order,
    the year's verdict and each check's (see `verdict_to_dict`)."""
    verdicts = report.for_county(county)
    years = []
    for year in report.years(county):
        of_year = [v for v in verdicts if v.year == year]
        years.append(
            {
                "year": year,
                "passes": year_passes(of_year),
                "checks": [verdict_to_dict(v) for v in of_year],
            }
        )
    return {"rules": report.rules.name, "years": years}
