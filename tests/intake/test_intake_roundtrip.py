"""Writing CSV folders and workbooks, reading workbooks, and the write→read round trip."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from intake_helpers import (
    base_county,
    base_schools,
    base_segments,
    fact,
    only,
    school,
    segment,
    write_dataset,
)

from junheng.core.dataset import Dataset
from junheng.core.schema import SEGMENTS
from junheng.intake import read_dataset, write_csv_folder, write_xlsx

TABLES = ("schools", "segments", "county_facts", "school_facts", "survey", "notes", "grades")


def assert_frames_equal(name: str, a: pl.DataFrame, b: pl.DataFrame) -> None:
    assert a.schema == b.schema, name
    differing = {
        c: (a.get_column(c).to_list(), b.get_column(c).to_list())
        for c in a.columns
        if not a.get_column(c).equals(b.get_column(c))
    }
    assert a.height == b.height and not differing, (name, differing)


def assert_same(left: Dataset, right: Dataset) -> None:
    for name in TABLES:
        assert_frames_equal(name, getattr(left, name), getattr(right, name))
    assert dict(left.missing_columns) == dict(right.missing_columns)


def rich_dataset(tmp_path: Path) -> Dataset:
    schools = [
        *base_schools(),
        school("T1", "teaching_point", parent_id="S1", area_type="rural", 备注="山区"),
        school("0042", "special", county="乙县", ownership="民办"),
    ]
    schools[2]["teaching_aux_area_m2"] = "9000.25"
    segments = [
        *base_segments(),
        segment("T1", "primary", students="8", max_class_size="9"),
        segment("0042", "junior", students="0", max_class_size=""),
    ]
    segments[2]["teaching_aux_area_m2"] = ""
    segments[3]["teaching_aux_area_m2"] = ""
    segments[0]["equipment_value_yuan"] = "1234567.89"
    county = [
        *base_county(),
        fact("乙县", "monitoring_level_min", "Ⅲ", "2023 年"),
        fact("乙县", "teacher_avg_pay_yuan", "98,000.5"),
        fact("甲县", "veto_falsification", "否"),
        fact("甲县", "rotation_rate", "", "数据待补"),
    ]
    school_facts = [
        {"school_id": "S1", "fact": "has_charter", "value": "是", "note": "章程"},
        {"school_id": "S3", "fact": "moral_education_rating", "value": "合格", "note": ""},
        {"school_id": "S3", "fact": "training_budget_share", "value": "5.5%", "note": ""},
    ]
    survey = [
        {
            "county": "甲县",
            "group": "家长",
            "answers_5": "10",
            "answers_4": "5",
            "answers_3": "",
            "answers_2": "1",
            "answers_1": "0",
        }
    ]
    result = read_dataset(
        write_dataset(
            tmp_path / "source",
            schools=schools,
            segments=segments,
            county=county,
            school_facts=school_facts,
            survey=survey,
        )
    )
    assert result.blocking == [], result.text()
    assert result.dataset is not None
    return result.dataset


@pytest.mark.parametrize("chinese", [False, True])
def test_csv_round_trip(tmp_path: Path, chinese: bool) -> None:
    original = rich_dataset(tmp_path)
    write_csv_folder(original, tmp_path / "out", chinese_headers=chinese)
    again = read_dataset(tmp_path / "out")
    assert again.blocking == [], again.text()
    assert again.dataset is not None
    assert_same(original, again.dataset)
    header = (tmp_path / "out" / "segments.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("学校标识码,学段,在校生数" if chinese else "school_id,level,students")


@pytest.mark.parametrize("chinese", [False, True])
def test_xlsx_round_trip(tmp_path: Path, chinese: bool) -> None:
    original = rich_dataset(tmp_path)
    write_xlsx(original, tmp_path / "out.xlsx", chinese_headers=chinese)
    workbook = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)
    expected_sheets = ["学校", "学段", "县级指标", "学校指标", "满意度调查"]
    assert workbook.sheetnames == (
        expected_sheets if chinese else ["schools", "segments", "county", "school_facts", "survey"]
    )
    workbook.close()
    again = read_dataset(tmp_path / "out.xlsx")
    assert again.blocking == [], again.text()
    assert again.dataset is not None
    assert_same(original, again.dataset)


def test_county_facts_written_back_in_long_form(tmp_path: Path) -> None:
    write_csv_folder(rich_dataset(tmp_path), tmp_path / "out")
    county = pl.read_csv(tmp_path / "out" / "county.csv", infer_schema=False)
    assert county.columns == ["county", "fact", "value", "note"]
    rows = {(r[0], r[1]): (r[2], r[3]) for r in county.rows()}
    assert rows[("甲县", "layout_plan_ok")] == ("yes", "县政府文件")
    assert rows[("乙县", "training_360h_rate")] == ("0.93", None)
    assert rows[("乙县", "monitoring_level_min")] == ("3", "2023 年")
    assert rows[("甲县", "rotation_rate")] == (None, "数据待补")
    # Reported facts appear for every county, empty where that county did not give a value.
    assert rows[("甲县", "monitoring_level_min")] == (None, None)


def test_writing_into_an_existing_folder_replaces_the_dataset(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_dataset(out, school_facts=[{"school_id": "S1", "fact": "has_charter", "value": "是"}])
    (out / "学校.csv").write_text("stale", encoding="utf-8")
    (out / "readme.txt").write_text("keep me", encoding="utf-8")
    original = read_dataset(write_dataset(tmp_path / "source")).dataset
    assert original is not None
    write_csv_folder(original, out)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["county.csv", "readme.txt", "schools.csv", "segments.csv"]
    again = read_dataset(out).dataset
    assert again is not None
    assert_same(original, again)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "source"]


def test_xlsx_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    original = read_dataset(write_dataset(tmp_path / "source")).dataset
    assert original is not None
    write_xlsx(original, tmp_path / "book.xlsx")
    write_xlsx(original, tmp_path / "book.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.xlsx", "source"]


def _workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def _rows(dicts: list[dict[str, str]]) -> list[list[object]]:
    header = list(dict.fromkeys(k for d in dicts for k in d))
    return [header, *[[d.get(k) for k in header] for d in dicts]]


def test_workbook_with_chinese_sheet_names_and_native_cells(tmp_path: Path) -> None:
    schools = _rows(base_schools())
    schools[1][0] = 4201000001  # an id typed as a number
    segments = _rows(base_segments())
    segments[1][0] = 4201000001.0
    for row in segments[1:]:
        row[2] = int(row[2])  # students as a number cell
        row[13] = 3000.5  # teaching_aux_area_m2 as a float cell
    segments.insert(2, [None] * len(segments[0]))  # a blank row in the sheet
    county = _rows(base_county())
    county[2][2] = 0.93  # a percentage-formatted cell holds the fraction
    path = _workbook(
        tmp_path / "数据.xlsx", {"学校": schools, "学段": segments, "县级指标": county}
    )
    result = read_dataset(path)
    assert result.errors == [], result.text()
    dataset = result.dataset
    assert dataset is not None
    assert dataset.schools.get_column("school_id").to_list()[0] == "4201000001"
    assert dataset.segments.get_column("school_id").to_list()[0] == "4201000001"
    assert dataset.segments.get_column("teaching_aux_area_m2").to_list() == [3000.5] * 4
    assert dataset.county_facts.get_column("training_360h_rate").to_list() == [None, 0.93]


def test_workbook_errors_name_the_sheet_and_row(tmp_path: Path) -> None:
    segments = _rows(base_segments())
    segments.insert(2, [None] * len(segments[0]))
    segments[4][2] = "很多"  # sheet row 5: the blank sheet row 3 still counts
    segments[1][12] = dt.date(2024, 1, 1)  # a date typed into fine_art_teachers
    path = _workbook(
        tmp_path / "book.xlsx",
        {"schools": _rows(base_schools()), "segments": segments, "county": _rows(base_county())},
    )
    result = read_dataset(path)
    bad = [e for e in result.errors if e.code == "not-an-integer"]
    assert [(e.sheet, e.row, e.column, e.cell, e.value) for e in bad] == [
        ("segments", 2, "fine_art_teachers", "M2", "2024-01-01"),
        ("segments", 5, "students", "C5", "很多"),
    ]
    assert bad[1].message.startswith(
        "book.xlsx 工作表「segments」第 5 行「students」列（单元格 C5）："
    )


def test_workbook_missing_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "book.xlsx", {"学校": _rows(base_schools()), "说明": [["x"]]})
    result = read_dataset(path)
    missing = [e.value for e in result.errors if e.code == "missing-table"]
    assert missing == ["学段", "县级指标"]


def test_workbook_same_table_twice(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "book.xlsx",
        {
            "schools": _rows(base_schools()),
            "学校": _rows(base_schools()),
            "segments": _rows(base_segments()),
            "county": _rows(base_county()),
        },
    )
    assert only(read_dataset(path), "duplicate-table").value == "学校"


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S")), min_size=1, max_size=8
)
_COUNT = st.integers(min_value=0, max_value=10**6)
_AMOUNT = st.floats(min_value=0, max_value=1e15, allow_nan=False, allow_infinity=False)
_RATIO = st.floats(min_value=0, max_value=1)


@pytest.mark.parametrize(
    "awkward",
    [
        [0.1 + 0.2, 1 / 3, 1e-300, 5e-324],
        [1.7976931348623157e308, 100000000000.90625, 2.5e-7, 123456789.123456789],
    ],
)
@pytest.mark.parametrize("writer", ["csv", "xlsx"])
def test_every_bit_of_a_float_is_kept(tmp_path: Path, awkward: list[float], writer: str) -> None:
    base = read_dataset(write_dataset(tmp_path / "source")).dataset
    assert base is not None
    dataset = replace(
        base,
        segments=base.segments.with_columns(pl.Series("teaching_aux_area_m2", awkward)),
        county_facts=base.county_facts.with_columns(pl.Series("training_360h_rate", [1 / 3, None])),
    )
    out = tmp_path / ("out" if writer == "csv" else "out.xlsx")
    if writer == "csv":
        write_csv_folder(dataset, out)
    else:
        write_xlsx(dataset, out)
    again = read_dataset(out)
    assert again.dataset is not None, again.text()
    assert again.dataset.segments.get_column("teaching_aux_area_m2").to_list() == awkward
    assert again.dataset.county_facts.get_column("training_360h_rate")[0] == 1 / 3


@st.composite
def _segment_frame(draw: st.DrawFn, ids: list[str]) -> pl.DataFrame:
    rows = []
    for school_id in ids:
        degrees = [draw(_COUNT) for _ in range(4)]
        teachers = sum(degrees)
        row: dict[str, object] = {
            "school_id": school_id,
            "level": "primary",
            "students": draw(st.integers(min_value=1, max_value=10**6)),
            "classes": draw(_COUNT),
            "teachers": teachers,
            "teachers_postgraduate": degrees[0],
            "teachers_bachelor": degrees[1],
            "teachers_associate": degrees[2],
            "teachers_below_associate": degrees[3],
        }
        for name in (
            "backbone_teachers",
            "pe_teachers",
            "music_teachers",
            "fine_art_teachers",
            "arts_teachers",
        ):
            row[name] = draw(st.none() | st.integers(min_value=0, max_value=teachers))
        for column in SEGMENTS.columns:
            if column.name in row:
                continue
            if column.type == "int":
                row[column.name] = draw(st.none() | _COUNT)
            else:
                row[column.name] = draw(st.none() | _AMOUNT)
        rows.append(row)
    return pl.DataFrame(rows)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_round_trip_of_random_valid_datasets(
    tmp_path_factory: pytest.TempPathFactory, data: st.DataObject
) -> None:
    ids = data.draw(st.lists(_TEXT, min_size=1, max_size=5, unique=True))
    names = data.draw(st.lists(_TEXT, min_size=len(ids), max_size=len(ids)))
    counties = data.draw(
        st.lists(st.sampled_from(["甲县", "乙县", "Ward 9"]), min_size=len(ids), max_size=len(ids))
    )
    schools = pl.DataFrame(
        {"school_id": ids, "name": names, "county": counties, "kind": ["primary"] * len(ids)}
    )
    county_facts = pl.DataFrame(
        {
            "county": sorted(set(counties)),
            "training_360h_rate": [data.draw(st.none() | _RATIO) for _ in set(counties)],
            "burden_ok": [data.draw(st.none() | st.booleans()) for _ in set(counties)],
        }
    )
    dataset = Dataset.build(
        schools=schools, segments=data.draw(_segment_frame(ids)), county_facts=county_facts
    )
    root = tmp_path_factory.mktemp("roundtrip")
    write_csv_folder(dataset, root / "csv")
    write_xlsx(dataset, root / "book.xlsx", chinese_headers=True)
    for path in (root / "csv", root / "book.xlsx"):
        result = read_dataset(path)
        assert result.errors == [], result.text()
        assert result.dataset is not None
        for name in ("schools", "segments", "county_facts"):
            assert_frames_equal(name, getattr(result.dataset, name), getattr(dataset, name))
