"""Problems of the ledger from a county's education finance: one per failed check and fiscal year
with the shortfall, 数据缺失 per year for checks missing a figure, closure proposed when a newer
evaluation shows the check passing, and the numbers people read.

County 甲县 (all other figures of the evaluation pass, see tests/builders.py):
- 一般公共预算支出 50,000,000.00 both years (no provincial share is set: undecided, not missing).
- 2023: 一般公共预算教育支出 10,000,000.00; land revenue 1,000,000.00 with 100,000.00 set aside
  (10 % exactly: passes).
- 2024: 一般公共预算教育支出 9,999,999.99 (0.01 less than 2023: fails 只增不减); land revenue
  1,000,000.00 with 87,654.33 set aside (100,000.00 − 87,654.33 = 12,345.67 short).
A newer evaluation has 2024's set-aside corrected to 100,000.00 and the expenditure unchanged.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from junheng.core.dataset import Dataset
from junheng.core.evaluate import evaluate
from junheng.core.finance import check_finance, finance_to_dict
from junheng.core.finance_rules import national_rules
from junheng.rectification.ledger_xlsx import rows_from_drafts
from junheng.rectification.problems import (
    CATEGORY_FINANCE,
    CATEGORY_MISSING,
    CLOSURE_REASON,
    KIND_FINANCE,
    ProblemDraft,
    finance_check_of,
    passes_in,
    problem_number,
    problems_from_evaluation,
    reconcile,
)
from junheng.standards import load_standard
from tests.builders import dataset, school, segment
from tests.rectification.stored import as_stored

STANDARD = load_standard()
BASE = dataset([school("P1")], [segment("P1")])


def _finance(*rows: dict) -> dict:
    frame = pl.DataFrame([{"county": "甲县", **r} for r in rows], infer_schema_length=None)
    finance = Dataset.build(pl.DataFrame(), pl.DataFrame(), finance=frame).finance
    return finance_to_dict(check_finance(finance, rules=national_rules()), "甲县")


def _entry(set_aside_2024: float | None) -> dict:
    entry = evaluate(BASE, STANDARD).to_dict()["counties"][0]
    land_2024 = {"land_revenue_yuan": 1_000_000.0, "land_revenue_education_yuan": set_aside_2024}
    entry["finance"] = _finance(
        {
            "year": 2023,
            "education_expenditure_yuan": 10_000_000.0,
            "public_expenditure_yuan": 50_000_000.0,
            "land_revenue_yuan": 1_000_000.0,
            "land_revenue_education_yuan": 100_000.0,
        },
        {
            "year": 2024,
            "education_expenditure_yuan": 9_999_999.99,
            "public_expenditure_yuan": 50_000_000.0,
            **land_2024,
        },
    )
    return entry


@pytest.fixture(scope="module")
def first() -> dict:
    return _entry(87_654.33)


@pytest.fixture(scope="module")
def corrected() -> dict:
    return _entry(100_000.0)


def _finance_drafts(drafts: list[ProblemDraft]) -> dict[str, ProblemDraft]:
    return {d.key: d for d in drafts if d.kind == KIND_FINANCE}


def test_one_problem_per_failed_check_and_year_with_its_shortfall(first):
    drafts = _finance_drafts(problems_from_evaluation(first, STANDARD))
    assert sorted(drafts) == ["FIN/education_expenditure/2024", "FIN/land_revenue/2024"]
    land = drafts["FIN/land_revenue/2024"]
    assert land.category == CATEGORY_FINANCE and land.item == "土地出让收益按10%计提教育资金"
    # The title carries the figure and the line, to the fen: 87,654.33 given, 10 % of
    # 1,000,000.00 = 100,000.00 required.
    assert land.title == (
        "2024年土地出让收益按10%计提教育资金未达到要求：87,654.33 元，应不低于 100,000.00 元"
    )
    # 100,000.00 − 87,654.33 = 12,345.67
    assert land.gap == 12_345.67 and land.gap_unit == "元"
    assert land.gap_what == "土地出让收益计提教育资金少"
    assert land.value == 87_654.33 and land.threshold == pytest.approx(100_000.0)
    assert "土地出让收益计提教育资金少 12,345.67 元，未达到要求" in land.description
    assert (
        "（依据：《国务院关于进一步加大财政教育投入的意见》（国发〔2011〕22号）" in land.description
    )
    spent = drafts["FIN/education_expenditure/2024"]
    # 10,000,000.00 − 9,999,999.99 = 0.01
    assert spent.gap == 0.01 and spent.gap_what == "一般公共预算教育支出比上年少"


def test_the_ledger_row_reads_the_shortfall(first):
    rows = rows_from_drafts(_finance_drafts(problems_from_evaluation(first, STANDARD)).values())
    land = next(r for r in rows if r.problem_key == "FIN/land_revenue/2024")
    assert land.problem == (
        "2024年土地出让收益按10%计提教育资金未达到要求：87,654.33 元，应不低于 100,000.00 元；"
        "土地出让收益计提教育资金少 12,345.67 元"
    )
    assert land.indicator == "土地出让收益按10%计提教育资金"


def test_missing_figures_make_one_missing_data_draft_per_year(first):
    missing = {
        d.key: d
        for d in problems_from_evaluation(first, STANDARD)
        if d.missing and d.key.startswith("NA/FIN/")
    }
    assert sorted(missing) == ["NA/FIN/2023", "NA/FIN/2024"]
    draft = missing["NA/FIN/2024"]
    assert draft.category == CATEGORY_MISSING and draft.item == CATEGORY_FINANCE
    # no students and no per-student figure; surcharges, training funds and pay not given
    assert draft.covers == (
        "FIN/per_student_expenditure/2024",
        "FIN/urban_surcharge/2024",
        "FIN/local_surcharge/2024",
        "FIN/training_funds/2024",
        "FIN/teacher_pay/2024",
    )
    # the share without a provincial figure is undecided but not for want of data, and the first
    # year's 只增不减 checks are 不适用
    assert "FIN/education_share/2024" not in draft.covers
    assert "FIN/education_expenditure/2023" not in missing["NA/FIN/2023"].covers
    assert "缺少数据（在校学生数、2023年在校学生数）" in draft.description


def test_a_check_passing_in_a_newer_evaluation_is_proposed_for_closure(first, corrected):
    old = _finance_drafts(problems_from_evaluation(first, STANDARD))
    states = [as_stored(d, pk) for pk, d in enumerate(old.values(), 1)]
    new = problems_from_evaluation(corrected, STANDARD)
    result = reconcile(states, new, snapshot_id=2, county_entry=corrected)
    assert [(p.state.key, p.reason) for p in result.propose_closure] == [
        ("FIN/land_revenue/2024", CLOSURE_REASON)
    ]
    assert [s.key for s in result.unchanged] == ["FIN/education_expenditure/2024"]
    assert passes_in(corrected, "FIN/land_revenue/2024") is True
    assert passes_in(first, "FIN/land_revenue/2024") is False
    assert passes_in(first, "FIN/land_revenue/2023") is True


def test_a_check_the_newer_evaluation_cannot_decide_stays_open(first):
    old = _finance_drafts(problems_from_evaluation(first, STANDARD))
    state = as_stored(old["FIN/land_revenue/2024"], 1)
    # the set-aside is no longer given: undecided, held open by the year's 数据缺失 draft
    blank = _entry(None)
    result = reconcile([state], problems_from_evaluation(blank, STANDARD), 3, county_entry=blank)
    assert [(s.id, d.key) for s, d in result.undecided] == [(1, "NA/FIN/2024")]
    assert passes_in(blank, "FIN/land_revenue/2024") is None
    # an evaluation without finance, or without that year, says nothing about it
    bare = {k: v for k, v in first.items() if k != "finance"}
    result = reconcile([state], problems_from_evaluation(bare, STANDARD), 4, county_entry=bare)
    assert [(s.id, d) for s, d in result.undecided] == [(1, None)]
    assert passes_in(first, "FIN/land_revenue/2019") is None
    assert passes_in(first, "FIN/no_such_check/2024") is None


def test_finance_check_of_finds_the_keys_check(first):
    check = finance_check_of(first, "FIN/land_revenue/2024")
    assert check is not None and check["passes"] is False and check["shortfall"] == 12_345.67
    assert finance_check_of(first, "R4/primary/P1") is None


def test_problem_numbers_of_finance_keys_are_chinese():
    assert problem_number("FIN/land_revenue/2024", "2026") == (
        "2026-教育经费-2024年-土地出让收益按10%计提教育资金"
    )
    assert problem_number("FIN/education_expenditure/2023", "2026") == (
        "2026-教育经费-2023年-一般公共预算教育支出逐年只增不减"
    )
    assert problem_number("NA/FIN/2024", "2026") == "2026-数据缺失-教育经费-2024年"
    # a check no longer in the rules still reads in Chinese
    assert problem_number("FIN/retired_check/2024", "2026") == "2026-教育经费-2024年-经费检查"


def test_nothing_a_user_reads_has_latin_letters(first):
    latin = re.compile(r"[A-Za-z]")
    for draft in problems_from_evaluation(first, STANDARD):
        if draft.kind != KIND_FINANCE and not draft.key.startswith("NA/FIN/"):
            continue
        for text in (draft.title, draft.description, draft.item, draft.gap_what):
            assert not latin.search(text), text
        assert not latin.search(problem_number(draft.key, "2026"))
