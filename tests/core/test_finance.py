"""County education finance per fiscal year: each check exactly at its line and one fen past it,
year over year (equal passes, one fen less fails), the per-student figure computed or reported,
missing figures named, the province's share unset and set, and the rules file refused when it is
not well formed. Every number is derived in the comment beside it."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from junheng.core.dataset import Dataset
from junheng.core.finance import FinanceError, check_finance, finance_to_dict
from junheng.core.finance_rules import (
    FinanceRulesError,
    load_finance_rules,
    national_rules,
    rules_from_mapping,
)
from tests.builders import dataset, school, segment

NATIONAL = national_rules()
EXAMPLE = load_finance_rules("finance_checks_example.yaml")
NATIONAL_PATH = Path(__file__).parents[2] / "junheng" / "core" / "finance_checks.yaml"


def _rows(*rows: dict) -> pl.DataFrame:
    """Rows of 甲县 conformed to the finance table (absent figures null)."""
    frame = pl.DataFrame([{"county": "甲县", **r} for r in rows], infer_schema_length=None)
    return Dataset.build(pl.DataFrame(), pl.DataFrame(), finance=frame).finance


def _verdict(frame: pl.DataFrame, check: str, year: int, rules=NATIONAL):
    report = check_finance(frame, rules=rules)
    return next(v for v in report.verdicts if v.check.id == check and v.year == year)


# ---- at_least checks: at the line passes, one fen short fails --------------------------------


def test_land_revenue_ten_percent_at_the_line_and_one_fen_short():
    # 1,000,000.00 × 10% = 100,000.00 to set aside for education
    at = _verdict(
        _rows({"year": 2024, "land_revenue_yuan": 1_000_000.0, "land_revenue_education_yuan": 1e5}),
        "land_revenue",
        2024,
    )
    assert at.passes is True and at.required == pytest.approx(100_000.0)
    assert at.shortfall is None
    short = _verdict(
        _rows(
            {
                "year": 2024,
                "land_revenue_yuan": 1_000_000.0,
                "land_revenue_education_yuan": 99_999.99,
            }
        ),
        "land_revenue",
        2024,
    )
    # 100,000.00 − 99,999.99 = 0.01
    assert short.passes is False and short.shortfall == 0.01
    assert "土地出让收益计提教育资金少 0.01 元" in short.reason


def test_land_revenue_shortfall_is_worded_with_the_numbers():
    # 100,000.00 − 87,654.33 = 12,345.67 short; 87,654.33 ÷ 1,000,000.00 = 8.8 %
    v = _verdict(
        _rows(
            {
                "year": 2024,
                "land_revenue_yuan": 1_000_000.0,
                "land_revenue_education_yuan": 87_654.33,
            }
        ),
        "land_revenue",
        2024,
    )
    assert v.passes is False and v.shortfall == 12_345.67
    assert v.reason == (
        "2024年土地出让收益计提教育资金 87,654.33 元，占土地出让收益 1,000,000.00 元的 8.8%"
        "（要求不低于 10%，即 100,000.00 元），土地出让收益计提教育资金少 12,345.67 元，未达到要求"
    )


def test_training_funds_five_percent_of_public_funds():
    # 2,000,000.00 × 5% = 100,000.00
    def v(training: float):
        row = {"year": 2024, "public_funds_yuan": 2_000_000.0, "training_funds_yuan": training}
        return _verdict(_rows(row), "training_funds", 2024)

    assert v(100_000.0).passes is True
    assert v(99_999.99).passes is False and v(99_999.99).shortfall == 0.01


@pytest.mark.parametrize("prefix", ["urban", "local"])
def test_surcharges_allocated_in_full(prefix):
    collected, allocated = (
        f"{prefix}_surcharge_collected_yuan",
        f"{prefix}_surcharge_allocated_yuan",
    )

    def v(amount: float):
        row = {"year": 2024, collected: 500_000.0, allocated: amount}
        return _verdict(_rows(row), f"{prefix}_surcharge", 2024)

    assert v(500_000.0).passes is True
    # a carried-over balance allocated on top withholds nothing
    assert v(500_000.01).passes is True
    # 500,000.00 − 499,999.99 = 0.01 not allocated
    assert v(499_999.99).passes is False and v(499_999.99).shortfall == 0.01
    assert "少拨付 0.01 元" in v(499_999.99).reason


def test_teacher_pay_not_below_civil_servants():
    def v(pay: float):
        row = {"year": 2024, "teacher_avg_pay_yuan": pay, "civil_servant_avg_pay_yuan": 98_000.0}
        return _verdict(_rows(row), "teacher_pay", 2024)

    assert v(98_000.0).passes is True
    assert v(97_999.99).passes is False and v(97_999.99).shortfall == 0.01


# ---- the province's share: a parameter ---------------------------------------------------------


def test_share_without_a_provincial_figure_is_reported_and_undecided():
    # 9,000,000.00 ÷ 50,000,000.00 = 18.0 %
    row = {"year": 2024, "education_expenditure_yuan": 9e6, "public_expenditure_yuan": 5e7}
    v = _verdict(_rows(row), "education_share", 2024)
    assert v.passes is None and v.applicable and v.missing == ()
    assert v.share == pytest.approx(0.18)
    assert v.reason == (
        "2024年一般公共预算教育支出 9,000,000.00 元，占一般公共预算支出 50,000,000.00 元的 18.0%；"
        "未设定省定比例，无法判定"
    )


def test_share_with_the_example_provinces_figure():
    # 50,000,000.00 × 18% = 9,000,000.00
    def v(spent: float):
        row = {"year": 2024, "education_expenditure_yuan": spent, "public_expenditure_yuan": 5e7}
        return _verdict(_rows(row), "education_share", 2024, rules=EXAMPLE)

    assert v(9_000_000.0).passes is True
    assert v(8_999_999.99).passes is False and v(8_999_999.99).shortfall == 0.01
    assert EXAMPLE.check("education_share").factor == 0.18
    # only what the variant changes differs
    assert EXAMPLE.check("land_revenue") == NATIONAL.check("land_revenue")


def test_share_the_county_states_decides_its_year_at_the_line_and_one_fen_short():
    # 50,000,000.00 × 16% = 8,000,000.00 by the 省定教育支出占比 the county wrote for 2024
    def v(spent: float, rules=NATIONAL, stated: float | None = 16.0):
        row = {
            "year": 2024,
            "education_expenditure_yuan": spent,
            "public_expenditure_yuan": 5e7,
            "required_share_pct": stated,
        }
        return _verdict(_rows(row), "education_share", 2024, rules=rules)

    assert v(8_000_000.0).passes is True
    short = v(7_999_999.99)
    assert short.passes is False and short.shortfall == 0.01
    assert "要求不低于本县填报的省定比例 16%，即 8,000,000.00 元" in short.reason
    # The stated share replaces even a province's file (18 % in the example) for that year …
    assert v(8_000_000.0, rules=EXAMPLE).passes is True
    # … and a year without one is judged by the rules: none nationally, 18 % in the example.
    assert v(8_000_000.0, stated=None).passes is None
    assert v(8_000_000.0, rules=EXAMPLE, stated=None).passes is False
    # The year's verdict and the dict carry the factor used.
    report = check_finance(
        _rows(
            {
                "year": 2024,
                "education_expenditure_yuan": 8e6,
                "public_expenditure_yuan": 5e7,
                "required_share_pct": 16.0,
            }
        ),
        rules=NATIONAL,
    )
    checks = finance_to_dict(report, "甲县")["years"][0]["checks"]
    share = next(c for c in checks if c["id"] == "education_share")
    assert share["factor"] == pytest.approx(0.16)


def test_a_factor_from_an_unknown_column_is_refused():
    data = {
        "name": "测试",
        "numeric_tolerance": 1e-12,
        "checks": {
            "share": {
                "name": "占比",
                "kind": "at_least",
                "value": "education_expenditure_yuan",
                "base": "public_expenditure_yuan",
                "factor": None,
                "factor_name": "省定比例",
                "factor_from": "land_revenue_yuan",
                "percent": True,
                "shortfall": "少",
                "source": "测试",
            }
        },
    }
    with pytest.raises(FinanceRulesError, match=r"factor_from.*没有这个比例数据"):
        rules_from_mapping(data, "test.yaml")


# ---- year over year ---------------------------------------------------------------------------


def test_expenditure_equal_to_last_year_passes_one_fen_less_fails():
    frame = _rows(
        {"year": 2022, "education_expenditure_yuan": 10_000_000.0},
        {"year": 2023, "education_expenditure_yuan": 10_000_000.0},
        {"year": 2024, "education_expenditure_yuan": 9_999_999.99},
    )
    first = _verdict(frame, "education_expenditure", 2022)
    assert first.passes is None and first.applicable is False and first.missing == ()
    assert "2022年是所填数据的第一年，没有上年数据可比，不适用" in first.reason
    assert _verdict(frame, "education_expenditure", 2023).passes is True
    down = _verdict(frame, "education_expenditure", 2024)
    # 10,000,000.00 − 9,999,999.99 = 0.01
    assert down.passes is False and down.shortfall == 0.01 and down.base == 10_000_000.0
    assert "比上年减少 0.01 元，未做到逐年只增不减" in down.reason


def test_per_student_computed_from_expenditure_and_students():
    frame = _rows(
        # 12,500,000.00 ÷ 5,000 = 2,500.00
        {"year": 2023, "education_expenditure_yuan": 12_500_000.0, "students": 5000},
        # 12,499,999.99 ÷ 5,000 = 2,499.999998: less than a fen below, still below
        {"year": 2024, "education_expenditure_yuan": 12_499_999.99, "students": 5000},
    )
    v = _verdict(frame, "per_student_expenditure", 2024)
    assert v.computed is True and v.value == pytest.approx(2_499.999998)
    assert v.passes is False and v.shortfall == pytest.approx(0.000002)
    assert "比上年减少 不足 0.01 元" in v.reason
    assert "（一般公共预算教育支出 12,499,999.99 元 ÷ 在校学生数 5,000 人）" in v.reason


def test_per_student_reported_is_used_before_the_computed_one():
    frame = _rows(
        {"year": 2023, "per_student_expenditure_yuan": 2_500.0},
        # computed it would be 12,000,000.00 ÷ 5,000 = 2,400.00, but 2,500.00 is reported
        {
            "year": 2024,
            "per_student_expenditure_yuan": 2_500.0,
            "education_expenditure_yuan": 12_000_000.0,
            "students": 5000,
        },
    )
    v = _verdict(frame, "per_student_expenditure", 2024)
    assert v.computed is False and v.value == 2_500.0 and v.passes is True


# ---- missing figures ---------------------------------------------------------------------------


def test_missing_figures_are_named():
    frame = _rows(
        {"year": 2023, "education_expenditure_yuan": 1e7},
        {"year": 2024, "education_expenditure_yuan": 1e7, "land_revenue_education_yuan": 1e5},
    )
    land = _verdict(frame, "land_revenue", 2024)
    assert land.passes is None and land.missing == ("土地出让收益",)
    assert land.reason == "2024年土地出让收益按10%计提教育资金：缺少数据（土地出让收益），无法判定"
    per_student = _verdict(frame, "per_student_expenditure", 2024)
    # both years lack the students: this year's and last year's are named
    assert per_student.passes is None
    assert per_student.missing == ("在校学生数", "2023年在校学生数")
    assert "或直接填写生均一般公共预算教育支出" in per_student.reason


def test_missing_previous_year_is_named_with_its_year():
    frame = _rows(
        {"year": 2022, "education_expenditure_yuan": 1e7},
        {"year": 2023, "public_expenditure_yuan": 5e7},
        {"year": 2024, "education_expenditure_yuan": 1e7},
        {"year": 2026, "education_expenditure_yuan": 1e7},
    )
    v2024 = _verdict(frame, "education_expenditure", 2024)
    assert v2024.passes is None and v2024.applicable
    assert v2024.missing == ("2023年一般公共预算教育支出",)
    v2026 = _verdict(frame, "education_expenditure", 2026)
    assert v2026.passes is None and v2026.missing == ("2025年的数据",)


def test_students_zero_cannot_give_a_per_student_figure():
    frame = _rows(
        {"year": 2023, "per_student_expenditure_yuan": 2_500.0},
        {"year": 2024, "education_expenditure_yuan": 1e7, "students": 0},
    )
    assert _verdict(frame, "per_student_expenditure", 2024).missing == ("在校学生数（填为 0）",)


# ---- the report as data -----------------------------------------------------------------------


def test_report_from_a_dataset_and_as_json():
    finance = pl.DataFrame(
        [
            {
                "county": "甲县",
                "year": 2023,
                "land_revenue_yuan": 1e6,
                "land_revenue_education_yuan": 1e5,
            },
            {
                "county": "甲县",
                "year": 2024,
                "land_revenue_yuan": 1e6,
                "land_revenue_education_yuan": 9e4,
            },
        ]
    )
    data = Dataset.build(
        pl.DataFrame([school("P1")]), pl.DataFrame([segment("P1")]), finance=finance
    )
    report = check_finance(data, rules=NATIONAL)
    assert report.counties == ("甲县",) and report.years("甲县") == (2023, 2024)
    entry = finance_to_dict(report, "甲县")
    json.dumps(entry, ensure_ascii=False)  # JSON-able
    assert entry["rules"] == "国家规定"
    assert [y["year"] for y in entry["years"]] == [2023, 2024]
    # 2024 fails (90,000.00 < 100,000.00); 2023 is undecided: other figures are missing
    assert [y["passes"] for y in entry["years"]] == [None, False]
    land = next(c for c in entry["years"][1]["checks"] if c["id"] == "land_revenue")
    assert land["passes"] is False and land["shortfall"] == 10_000.0
    assert land["value_name"] == "土地出让收益计提教育资金" and land["base_name"] == "土地出让收益"
    assert land["source"].startswith("《国务院关于进一步加大财政教育投入的意见》")


def test_a_year_passes_when_every_applicable_check_passes():
    row = {
        "education_expenditure_yuan": 1e7,
        "students": 4000,
        "public_expenditure_yuan": 5e7,
        "land_revenue_yuan": 1e6,
        "land_revenue_education_yuan": 1e5,
        "urban_surcharge_collected_yuan": 1e5,
        "urban_surcharge_allocated_yuan": 1e5,
        "local_surcharge_collected_yuan": 5e4,
        "local_surcharge_allocated_yuan": 5e4,
        "public_funds_yuan": 2e6,
        "training_funds_yuan": 1e5,
        "teacher_avg_pay_yuan": 98_000.0,
        "civil_servant_avg_pay_yuan": 98_000.0,
    }
    report = check_finance(_rows({"year": 2023, **row}, {"year": 2024, **row}), rules=EXAMPLE)
    years = finance_to_dict(report, "甲县")["years"]
    # the first year's 只增不减 checks are 不适用 and do not hold the year undecided
    assert [y["passes"] for y in years] == [True, True]
    # with the national rules the share is undecided, and so is the year
    national = check_finance(_rows({"year": 2024, **row}), rules=NATIONAL)
    assert finance_to_dict(national, "甲县")["years"][0]["passes"] is None


def test_empty_table_gives_no_counties_and_a_year_twice_is_refused():
    assert check_finance(dataset([school("P1")], [segment("P1")]), rules=NATIONAL).counties == ()
    with pytest.raises(FinanceError, match="甲县 2024年的教育经费填了不止一行"):
        check_finance(_rows({"year": 2024}, {"year": 2024}), rules=NATIONAL)


# ---- the rules file ---------------------------------------------------------------------------


def _check(**changes) -> dict:
    body = {
        "name": "土地出让收益按10%计提教育资金",
        "kind": "at_least",
        "value": "land_revenue_education_yuan",
        "base": "land_revenue_yuan",
        "factor": 0.1,
        "percent": True,
        "shortfall": "少",
        "source": "财综〔2011〕62号",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def _rules(check: dict | None = None, **top) -> dict:
    data = {"name": "测试", "numeric_tolerance": 1e-12, "checks": {"land": check or _check()}}
    data.update(top)
    return data


@pytest.mark.parametrize(
    ("data", "where", "problem"),
    [
        (_rules(extra=1), "extra", "未知的字段"),
        (_rules(_check(threshold=0.1)), "checks.land.threshold", "未知的字段"),
        (_rules(_check(kind="decrease")), "checks.land.kind", "non_decrease、at_least"),
        (_rules(_check(value="land")), "checks.land.value", "没有这个经费数据“land”"),
        (_rules(_check(base=...)), "checks.land.base", "缺少必填字段"),
        (_rules(_check(source=...)), "checks.land.source", "缺少必填字段"),
        (_rules(_check(factor=-0.1)), "checks.land.factor", "不小于 0 的数"),
        (_rules(_check(factor=None)), "checks.land.factor_name", "非空文字"),
        (_rules(_check(percent="是")), "checks.land.percent", "true 或 false"),
        (_rules(_check(kind="non_decrease")), "checks.land.base", "未知的字段"),
        (_rules(numeric_tolerance=2), "numeric_tolerance", "小于 1 的数"),
        (_rules(checks={}), "checks", "至少一项"),
        ({"name": "测试", "checks": {"land": _check()}}, "numeric_tolerance", "缺少必填字段"),
    ],
)
def test_rules_errors_name_file_and_field(data, where, problem):
    with pytest.raises(FinanceRulesError) as caught:
        rules_from_mapping(data, "测试.yaml")
    assert caught.value.origin == "测试.yaml" and caught.value.where == where
    assert problem in caught.value.problem
    assert str(caught.value).startswith("教育经费检查文件 测试.yaml：")


def test_rules_files_duplicate_keys_and_yaml_errors(tmp_path: Path):
    twice = tmp_path / "twice.yaml"
    twice.write_text("name: 甲\nname: 乙\n", encoding="utf-8")
    with pytest.raises(FinanceRulesError, match=r"twice\.yaml：第 2 行：.*重复的字段“name”"):
        load_finance_rules(twice)
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [\n", encoding="utf-8")
    with pytest.raises(FinanceRulesError, match=r"broken\.yaml：.*YAML 格式错误"):
        load_finance_rules(broken)


def test_variants_refuse_unknown_fields_and_missing_bases(tmp_path: Path):
    base = tmp_path / "base.yaml"
    base.write_text(NATIONAL_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    typo = tmp_path / "typo.yaml"
    typo.write_text("extends: base.yaml\nchecks:\n  land_revenue:\n    facter: 0.2\n", "utf-8")
    with pytest.raises(FinanceRulesError) as caught:
        load_finance_rules(typo)
    assert caught.value.where == "checks.land_revenue.facter"
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text("extends: nowhere.yaml\n", encoding="utf-8")
    with pytest.raises(FinanceRulesError, match=r"找不到被继承的文件“nowhere\.yaml”"):
        load_finance_rules(orphan)
    loop = tmp_path / "loop.yaml"
    loop.write_text("extends: loop.yaml\n", encoding="utf-8")
    with pytest.raises(FinanceRulesError, match="继承关系形成循环"):
        load_finance_rules(loop)
    # a province may add a whole check of its own
    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "extends: base.yaml\nname: 乙省\nchecks:\n  training_8:\n"
        "    name: 教师培训经费不低于公用经费的8%\n    kind: at_least\n"
        "    value: training_funds_yuan\n    base: public_funds_yuan\n    factor: 0.08\n"
        "    percent: true\n    shortfall: 教师培训经费少\n    source: 乙省文件\n",
        encoding="utf-8",
    )
    added = load_finance_rules(extra)
    assert added.name == "乙省" and added.check("training_8").factor == 0.08
    assert len(added.checks) == len(NATIONAL.checks) + 1


def test_sources_read_as_one_line_of_chinese():
    # the YAML breaks long clauses over lines; no space may be left between Chinese characters
    training = NATIONAL.check("training_funds")
    assert training.source == (
        "财教〔2006〕5号、《教育部 财政部关于大力加强中小学教师培训工作的意见》"
        "（教师〔2011〕1号）：中小学校按照年度公用经费预算总额的5%安排教师培训经费"
    )
