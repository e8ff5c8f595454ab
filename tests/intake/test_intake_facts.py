"""County facts, school facts and the survey: long form to typed wide tables, notes, checks."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from intake_helpers import base_schools, base_segments, fact, only, school, segment, write_dataset

from junheng.core.schema import COUNTY_FACTS
from junheng.intake import read_dataset


def _county_value(tmp_path: Path, name: str, value: str, column: str = "") -> object:
    result = read_dataset(write_dataset(tmp_path / "data", county=[fact("甲县", name, value)]))
    assert result.blocking == [], result.text()
    assert result.dataset is not None
    return result.dataset.county_facts.row(0, named=True)[column or name]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0.93", 0.93), ("93%", 0.93), ("93％", 0.93), (" ９３ % ", 0.93), ("1", 1.0), ("0", 0.0)],
)
def test_ratio_spellings(tmp_path: Path, value: str, expected: float) -> None:
    assert _county_value(tmp_path, "training_360h_rate", value) == pytest.approx(expected)


@pytest.mark.parametrize("value", ["93", "1.5", "-0.1", "九成", "-5%"])
def test_bad_ratio(tmp_path: Path, value: str) -> None:
    result = read_dataset(
        write_dataset(tmp_path / "data", county=[fact("甲县", "training_360h_rate", value)])
    )
    error = only(result, "bad-fact-value")
    assert (error.file, error.row, error.column, error.value) == ("county.csv", 2, "value", value)
    assert error.expected.endswith("0 到 1 之间的小数或百分数（如 0.93 或 93%）")
    assert result.dataset is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("是", True), ("否", False), ("YES", True), ("no", False), ("√", True), ("×", False)],
)
def test_bool_spellings(tmp_path: Path, value: str, expected: bool) -> None:
    assert _county_value(tmp_path, "veto_key_classes", value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), ("4", 4), ("Ⅲ", 3), ("III", 3), ("iv", 4), ("Ⅱ级", 2), ("2.0", 2)],
)
def test_level_spellings(tmp_path: Path, value: str, expected: int) -> None:
    assert _county_value(tmp_path, "monitoring_level_min", value) == expected


@pytest.mark.parametrize("value", ["5", "0", "V", "优"])
def test_bad_level(tmp_path: Path, value: str) -> None:
    result = read_dataset(
        write_dataset(tmp_path / "data", county=[fact("甲县", "monitoring_level_min", value)])
    )
    assert only(result, "bad-fact-value").value == value


def test_number_fact_accepts_separators(tmp_path: Path) -> None:
    assert _county_value(tmp_path, "teacher_avg_pay_yuan", "98,765.5") == 98765.5


def test_fact_by_chinese_name(tmp_path: Path) -> None:
    zh = next(f.zh for f in COUNTY_FACTS if f.name == "quota_allocation_rate")
    assert _county_value(tmp_path, zh, "55%", "quota_allocation_rate") == pytest.approx(0.55)


def test_county_facts_are_wide_and_typed(tmp_path: Path) -> None:
    county = [
        fact("甲县", "layout_plan_ok", "是", "县政府文件"),
        fact("甲县", "training_360h_rate", "0.97"),
        fact("乙县", "training_360h_rate", ""),
        fact("乙县", "monitoring_level_min", "Ⅱ", "2023 年监测"),
    ]
    result = read_dataset(write_dataset(tmp_path / "data", county=county))
    assert result.errors == [], result.text()
    dataset = result.dataset
    assert dataset is not None
    facts = dataset.county_facts
    assert facts.get_column("county").to_list() == ["甲县", "乙县"]
    assert facts.schema["layout_plan_ok"] == pl.Boolean
    assert facts.schema["monitoring_level_min"] == pl.Int64
    assert facts.get_column("training_360h_rate").to_list() == [0.97, None]
    assert facts.get_column("layout_plan_ok").to_list() == [True, None]
    assert "layout_plan_ok" not in dataset.missing_columns["county"]
    assert "burden_ok" in dataset.missing_columns["county"]
    assert dataset.notes.select("county", "fact", "note").rows() == [
        ("甲县", "layout_plan_ok", "县政府文件"),
        ("乙县", "monitoring_level_min", "2023 年监测"),
    ]


def test_chinese_county_headers(tmp_path: Path) -> None:
    county = [{"县区": "甲县", "指标项": "burden_ok", "值": "是", "说明": "抽查"}]
    result = read_dataset(write_dataset(tmp_path / "data", county=county))
    assert result.errors == [], result.text()
    assert result.dataset is not None
    assert result.dataset.county_facts.get_column("burden_ok").to_list() == [True]


def test_unknown_fact_is_a_warning_and_ignored(tmp_path: Path) -> None:
    county = [fact("甲县", "layout_plan_ok", "是"), fact("甲县", "lunch_quality", "好")]
    result = read_dataset(write_dataset(tmp_path / "data", county=county))
    warning = only(result, "unknown-fact")
    assert (warning.row, warning.column, warning.value, warning.severity) == (
        3,
        "fact",
        "lunch_quality",
        "warning",
    )
    assert result.dataset is not None
    assert "lunch_quality" not in result.dataset.county_facts.columns


def test_same_county_fact_twice(tmp_path: Path) -> None:
    zh = next(f.zh for f in COUNTY_FACTS if f.name == "burden_ok")
    county = [
        fact("甲县", "burden_ok", "是"),
        fact("乙县", "burden_ok", "是"),
        fact("甲县", zh, "否"),
    ]
    error = only(read_dataset(write_dataset(tmp_path / "data", county=county)), "duplicate-fact")
    assert (error.row, error.column, error.value) == (4, "fact", zh)
    assert "第 2 行" in error.expected


def test_county_not_in_schools_is_a_warning(tmp_path: Path) -> None:
    county = [
        fact("甲县", "burden_ok", "是"),
        fact("丙县", "burden_ok", "是"),
        fact("丙县", "ict_use_ok", "是"),
    ]
    result = read_dataset(write_dataset(tmp_path / "data", county=county))
    warning = only(result, "unknown-county")
    assert (warning.row, warning.value) == (3, "丙县")
    assert result.dataset is not None


def test_many_counties(tmp_path: Path) -> None:
    names = [f"第{i}县" for i in range(40)]
    schools = [school(f"S{i}", "primary", county=name) for i, name in enumerate(names)]
    segments = [segment(f"S{i}", "primary") for i in range(len(names))]
    county = [fact(name, "rotation_rate", f"{10 + i}%") for i, name in enumerate(names)]
    result = read_dataset(
        write_dataset(tmp_path / "data", schools=schools, segments=segments, county=county)
    )
    assert result.errors == [], result.text()
    dataset = result.dataset
    assert dataset is not None
    assert dataset.counties == names
    assert dataset.county_facts.get_column("county").to_list() == names
    assert dataset.county_facts.get_column("rotation_rate").to_list() == pytest.approx(
        [(10 + i) / 100 for i in range(40)]
    )


def test_school_facts(tmp_path: Path) -> None:
    school_facts = [
        {"school_id": "S1", "fact": "has_charter", "value": "是", "note": "章程文本"},
        {"school_id": "S1", "fact": "德育工作与校园文化建设评价", "value": "良好", "note": ""},
        {"school_id": "S3", "fact": "training_budget_share", "value": "6%", "note": ""},
    ]
    result = read_dataset(write_dataset(tmp_path / "data", school_facts=school_facts))
    assert result.errors == [], result.text()
    dataset = result.dataset
    assert dataset is not None
    facts = dataset.school_facts
    assert facts.get_column("school_id").to_list() == ["S1", "S3"]
    assert facts.get_column("moral_education_rating").to_list() == ["良好", None]
    assert facts.get_column("training_budget_share").to_list() == pytest.approx([None, 0.06])
    school_notes = dataset.notes.filter(pl.col("school_id").is_not_null())
    assert school_notes.rows() == [("甲县", "has_charter", "章程文本", "S1")]


def test_school_facts_problems(tmp_path: Path) -> None:
    school_facts = [
        {"school_id": "S9", "fact": "has_charter", "value": "是"},
        {"school_id": "S1", "fact": "moral_education_rating", "value": "很好"},
    ]
    result = read_dataset(write_dataset(tmp_path / "data", school_facts=school_facts))
    unknown = only(result, "unknown-school")
    assert (unknown.file, unknown.row, unknown.value) == ("school_facts.csv", 2, "S9")
    bad = only(result, "bad-fact-value")
    assert (bad.row, bad.value) == (3, "很好")
    assert "优秀、良好、合格、不合格" in bad.expected


def test_survey(tmp_path: Path) -> None:
    survey = [
        {
            "county": "甲县",
            "group": "家长",
            "answers_5": "120",
            "answers_4": "30",
            "answers_3": "5",
            "answers_2": "1",
            "answers_1": "0",
        },
        {
            "县区": "乙县",
            "调查对象": "学生",
            "非常满意人次": "1,000",
            "满意人次": "10",
            "一般人次": "",
            "不满意人次": "0",
            "非常不满意人次": "0",
        },
    ]
    english = [survey[0]]
    chinese = [survey[1]]
    result = read_dataset(write_dataset(tmp_path / "en", survey=english))
    assert result.errors == [], result.text()
    assert result.dataset is not None
    assert result.dataset.survey.row(0) == ("甲县", "家长", 120, 30, 5, 1, 0)
    result = read_dataset(write_dataset(tmp_path / "zh", survey=chinese))
    assert result.errors == [], result.text()
    assert result.dataset is not None
    assert result.dataset.survey.row(0) == ("乙县", "学生", 1000, 10, None, 0, 0)


def test_survey_problems(tmp_path: Path) -> None:
    row = {
        "county": "甲县",
        "group": "家长",
        "answers_5": "1",
        "answers_4": "1",
        "answers_3": "1",
        "answers_2": "1",
        "answers_1": "1",
    }
    survey = [row, dict(row), dict(row, county="丁县"), dict(row, group="教师", answers_1="-1")]
    result = read_dataset(write_dataset(tmp_path / "data", survey=survey))
    duplicate = only(result, "duplicate-survey")
    assert (duplicate.file, duplicate.row, duplicate.value) == ("survey.csv", 3, "甲县 家长")
    assert only(result, "below-minimum").row == 5
    assert only(result, "unknown-county").value == "丁县"


def test_optional_tables_absent(tmp_path: Path) -> None:
    result = read_dataset(write_dataset(tmp_path / "data"))
    dataset = result.dataset
    assert dataset is not None
    assert dataset.survey.height == 0
    assert dataset.school_facts.height == 0
    assert "school_id" in dataset.missing_columns["school_facts"]
    assert "county" in dataset.missing_columns["survey"]


def test_schools_and_segments_defaults_are_unchanged(tmp_path: Path) -> None:
    # Sanity check of the helpers the other tests rely on.
    assert len(base_schools()) == 3 and len(base_segments()) == 4
