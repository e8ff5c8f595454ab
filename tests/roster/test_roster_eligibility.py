"""Who must rotate: each rule at its line and just past it, by hand.

School year 2026 begins on 1 August 2026 (eligibility.yaml's school_year_begins), so years at
the school are 2026 − joined_year and ages are whole years on 2026-08-01.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from junheng.roster.eligibility import age_on, eligible, school_year_expr
from junheng.roster.rules import ELIGIBILITY_FILE, load_eligibility
from junheng.roster.schema import TEACHER_SCHEMA
from tests.roster.rows import teacher

YEAR = 2026
EXAMPLE = ELIGIBILITY_FILE.with_name("eligibility_example.yaml")


def judge(*rows: dict[str, object], rules_file=None) -> dict[str, tuple[bool, str]]:
    frame = pl.DataFrame(list(rows), schema=TEACHER_SCHEMA)
    result = eligible(frame, YEAR, load_eligibility(rules_file))
    return {r["teacher_id"]: (r["eligible"], r["reason"]) for r in result.iter_rows(named=True)}


def test_six_years_at_the_school_is_eligible_and_five_is_not() -> None:
    # 2026 − 2020 = 6 years: at the line (满 6 年); 2026 − 2021 = 5: just below it.
    result = judge(teacher("six", joined_year=2020), teacher("five", joined_year=2021))
    assert result["six"] == (True, "在本校连续任教 6 年，已满 6 年")
    assert result["five"] == (False, "在本校任教 5 年，未满 6 年")


def test_within_five_years_of_retirement_is_excluded_and_six_years_before_is_not() -> None:
    # Men retire at 60: 55 on 2026-08-01 (born 1971-08-01, birthday that day) is 5 years before
    # retirement, excluded; born a day later he is still 54, 6 years before, eligible.
    # Women retire at 55: 50 (born 1976-08-01) excluded, 49 (born 1976-08-02) eligible.
    result = judge(
        teacher("m55", birth_date=dt.date(1971, 8, 1)),
        teacher("m54", birth_date=dt.date(1971, 8, 2)),
        teacher("f50", gender="female", birth_date=dt.date(1976, 8, 1)),
        teacher("f49", gender="female", birth_date=dt.date(1976, 8, 2)),
    )
    assert result["m55"] == (False, "55 周岁，距 60 周岁退休在 5 年以内")
    assert result["m54"][0] is True
    assert result["f50"] == (False, "50 周岁，距 55 周岁退休在 5 年以内")
    assert result["f49"][0] is True


def test_first_three_years_of_service_are_excluded() -> None:
    # Service is 2026 − career_start_year: 3 years passes, 2 does not; without a start year the
    # year joined counts (2026 − 2020 = 6 years of service).
    result = judge(
        teacher("three", career_start_year=2023),
        teacher("two", career_start_year=2024),
        teacher("unknown", career_start_year=None, joined_year=2020),
    )
    assert result["three"][0] is True
    assert result["two"] == (False, "参加工作 2 年，未满 3 年的新教师不列入交流")
    assert result["unknown"][0] is True


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": "sick_leave"}, "病假，不是在岗教师"),
        ({"status": "maternity_leave"}, "产假，不是在岗教师"),
        ({"status": "seconded"}, "借调，不是在岗教师"),
        ({"post_type": "contract"}, "聘用教师，交流对象是在编教师"),
    ],
)
def test_teachers_not_established_and_in_post_are_excluded(fields, reason) -> None:
    assert judge(teacher(**fields))["T1"] == (False, reason)


def test_the_first_failing_condition_is_the_reason() -> None:
    # On leave, near retirement and new at the school at once: the status is named.
    row = teacher(status="study_leave", birth_date=dt.date(1960, 1, 1), joined_year=2025)
    assert judge(row)["T1"] == (False, "脱产进修，不是在岗教师")


def test_a_provincial_overlay_changes_only_what_it_lists() -> None:
    # The example province: 9 years at the school, women retire at 58 (53 is 5 years before).
    result = judge(
        teacher("nine", joined_year=2017),
        teacher("eight", joined_year=2018),
        teacher("f53", gender="female", joined_year=2010, birth_date=dt.date(1973, 8, 1)),
        teacher("f52", gender="female", joined_year=2010, birth_date=dt.date(1973, 8, 2)),
        rules_file=EXAMPLE,
    )
    assert result["nine"] == (True, "在本校连续任教 9 年，已满 9 年")
    assert result["eight"] == (False, "在本校任教 8 年，未满 9 年")
    assert result["f53"] == (False, "53 周岁，距 58 周岁退休在 5 年以内")
    assert result["f52"][0] is True
    # Unchanged rules come from the national file.
    assert load_eligibility(EXAMPLE).first_years_of_service == 3


def test_school_year_of_a_date_and_age_on_a_day() -> None:
    rules = load_eligibility()
    dates = pl.DataFrame({"d": [dt.date(2026, 7, 31), dt.date(2026, 8, 1), dt.date(2027, 3, 1)]})
    years = dates.select(school_year_expr("d", rules)).to_series().to_list()
    # Before 1 August: the year that began the autumn before; from 1 August: this autumn's.
    assert years == [2025, 2026, 2026]
    births = pl.DataFrame({"b": [dt.date(2000, 8, 1), dt.date(2000, 8, 2), dt.date(2000, 12, 31)]})
    ages = births.select(age_on("b", dt.date(2026, 8, 1))).to_series().to_list()
    assert ages == [26, 25, 25]
