"""Reading CSV folders: headers, encodings, cell conversion and file-level problems."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from intake_helpers import (
    base_county,
    base_schools,
    base_segments,
    codes,
    only,
    school,
    segment,
    write_csv,
    write_dataset,
)

from junheng.core.schema import SCHOOLS, SEGMENTS
from junheng.intake import read_dataset


def test_valid_dataset_reads_without_problems(tmp_path: Path) -> None:
    result = read_dataset(write_dataset(tmp_path / "data"))
    assert result.errors == [], result.text()
    assert result.ok
    dataset = result.dataset
    assert dataset is not None
    assert dataset.schools.get_column("school_id").to_list() == ["S1", "S2", "S3"]
    assert dataset.schools.get_column("kind").to_list() == ["primary", "junior", "nine_year"]
    assert dataset.segments.schema["students"] == pl.Int64
    assert dataset.segments.schema["teaching_aux_area_m2"] == pl.Float64
    assert dataset.segments.get_column("students").to_list() == [500] * 4
    assert dataset.counties == ["甲县", "乙县"]
    assert dataset.source.endswith("data")


def _chinese(rows: list[dict[str, str]], table: str, style: str) -> list[dict[str, str]]:
    columns = {c.name: c for c in (SCHOOLS if table == "schools" else SEGMENTS).columns}

    def header(name: str) -> str:
        column = columns[name]
        if style == "zh":
            return column.zh
        if style == "unit":
            return column.header_zh
        # Half-width parentheses and stray spaces, as typed by hand.
        return f" {column.header_zh.replace('（', '(').replace('）', ')')} "

    return [{header(k): v for k, v in row.items()} for row in rows]


@pytest.mark.parametrize("style", ["zh", "unit", "loose"])
def test_chinese_headers_give_the_same_dataset(tmp_path: Path, style: str) -> None:
    english = read_dataset(write_dataset(tmp_path / "en")).dataset
    chinese_result = read_dataset(
        write_dataset(
            tmp_path / "zh",
            schools=_chinese(base_schools(), "schools", style),
            segments=_chinese(base_segments(), "segments", style),
            county=[
                {"县区": r["county"], "指标项": r["fact"], "值": r["value"]} for r in base_county()
            ],
        )
    )
    assert chinese_result.errors == [], chinese_result.text()
    chinese = chinese_result.dataset
    assert english is not None and chinese is not None
    assert chinese.schools.equals(english.schools)
    assert chinese.segments.equals(english.segments)
    assert chinese.county_facts.equals(english.county_facts)


def test_chinese_enum_labels_and_chinese_file_names(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    write_csv(
        folder / "学校.csv", [school("S1", "小学"), school("S3", "九年一贯制", county="乙县")]
    )
    write_csv(
        folder / "学段.csv",
        [segment("S1", "小学"), segment("S3", "小学"), segment("S3", "初中")],
    )
    write_csv(folder / "县级指标.csv", base_county())
    result = read_dataset(folder)
    assert result.errors == [], result.text()
    assert result.dataset is not None
    assert result.dataset.schools.get_column("kind").to_list() == ["primary", "nine_year"]
    assert result.dataset.segments.get_column("level").to_list() == ["primary", "primary", "junior"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(tmp_path: Path, encoding: str) -> None:
    schools = [school("S1", "小学", county="城关区", name="第一小学"), *base_schools()[1:]]
    result = read_dataset(write_dataset(tmp_path / "data", encoding=encoding, schools=schools))
    assert result.errors == [], result.text()
    assert result.dataset is not None
    assert result.dataset.schools.row(0, named=True)["name"] == "第一小学"
    assert result.dataset.schools.get_column("county").to_list()[0] == "城关区"


def test_bom_does_not_hide_the_first_header(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data", encoding="utf-8-sig")
    assert (folder / "schools.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = read_dataset(folder)
    assert result.errors == [], result.text()


def test_utf16_tab_separated_export_is_read(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    text = (folder / "schools.csv").read_text(encoding="utf-8").replace(",", "\t")
    (folder / "schools.csv").write_bytes(text.encode("utf-16"))
    result = read_dataset(folder)
    assert result.errors == [], result.text()


def test_undecodable_file_is_an_encoding_error(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    (folder / "county.csv").write_bytes(b"county,fact,value\n\xff\xff,x,1\n")
    error = only(read_dataset(folder), "encoding")
    assert error.file == "county.csv"
    assert "编码" in error.message


def test_empty_cell_is_null_not_zero(tmp_path: Path) -> None:
    segments = base_segments()
    segments[0]["multimedia_rooms"] = ""
    segments[1]["teaching_aux_area_m2"] = "   "
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments))
    assert result.errors == [], result.text()
    assert result.dataset is not None
    rows = result.dataset.segments
    assert rows.get_column("multimedia_rooms").to_list() == [None, 12, 12, 12]
    assert rows.get_column("teaching_aux_area_m2").to_list() == [3000.0, None, 3000.0, 3000.0]


def test_missing_optional_column_is_recorded_not_an_error(tmp_path: Path) -> None:
    result = read_dataset(write_dataset(tmp_path / "data"))
    assert result.dataset is not None
    assert "max_class_size" in result.dataset.missing_columns["segments"]
    assert "students" not in result.dataset.missing_columns["segments"]
    assert result.dataset.segments.get_column("max_class_size").null_count() == 4


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("１２３", 123),
        ("1,234", 1234),
        (" 12 ", 12),
        ("12.0", 12),
        ("１，２３４", 1234),
        ("\u3000７\u3000", 7),
    ],
)
def test_integer_spellings(tmp_path: Path, cell: str, expected: int) -> None:
    segments = base_segments()
    segments[0]["students"] = cell
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments))
    assert result.errors == [], result.text()
    assert result.dataset is not None
    assert result.dataset.segments.get_column("students")[0] == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1,234.5", 1234.5), ("１２３４．５", 1234.5), ("3000", 3000.0), ("0.25", 0.25)],
)
def test_number_spellings(tmp_path: Path, cell: str, expected: float) -> None:
    segments = base_segments()
    segments[0]["teaching_aux_area_m2"] = cell
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments))
    assert result.errors == [], result.text()
    assert result.dataset is not None
    assert result.dataset.segments.get_column("teaching_aux_area_m2")[0] == expected


@pytest.mark.parametrize("cell", ["12a", "12.5", "1,2", "十二", "inf", "1 2"])
def test_bad_integers(tmp_path: Path, cell: str) -> None:
    segments = base_segments()
    segments[2]["classes"] = cell
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments))
    error = only(result, "not-an-integer")
    assert (error.file, error.row, error.column, error.value) == (
        "segments.csv",
        4,
        "classes",
        cell.strip(),
    )
    assert result.dataset is None


@pytest.mark.parametrize("cell", ["约3000", "abc", "nan", "1,23.5", "3000左右"])
def test_bad_numbers(tmp_path: Path, cell: str) -> None:
    segments = base_segments()
    segments[1]["sports_ground_area_m2"] = cell
    error = only(read_dataset(write_dataset(tmp_path / "data", segments=segments)), "not-a-number")
    assert (error.row, error.column, error.value) == (3, "sports_ground_area_m2", cell)
    assert error.expected == "不小于 0 的数值"


def test_message_names_file_row_column_and_value(tmp_path: Path) -> None:
    segments = _chinese(base_segments(), "segments", "zh")
    segments[3]["在校生数"] = "12a"
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments))
    error = only(result, "not-an-integer")
    assert (
        error.message == "segments.csv 第 5 行「在校生数」列：值“12a”不是整数，应为不小于 0 的整数"
    )
    assert error.severity == "error"


def test_negative_value_is_below_minimum(tmp_path: Path) -> None:
    segments = base_segments()
    segments[0]["equipment_value_yuan"] = "-5"
    error = only(read_dataset(write_dataset(tmp_path / "data", segments=segments)), "below-minimum")
    assert (error.row, error.column, error.value) == (2, "equipment_value_yuan", "-5")


def test_bad_enum_lists_the_choices(tmp_path: Path) -> None:
    schools = base_schools()
    schools[1]["kind"] = "高中"
    schools[2]["area_type"] = "郊区"
    schools[0]["area_type"] = "Urban"
    schools[1]["area_type"] = "乡村"
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools))
    enum_errors = [e for e in result.errors if e.code == "bad-enum"]
    assert [(e.row, e.column, e.value) for e in enum_errors] == [
        (3, "kind", "高中"),
        (4, "area_type", "郊区"),
    ]
    assert enum_errors[1].expected == "以下之一：城区（urban）、镇区（town）、乡村（rural）"


def test_identity_cells_must_not_be_empty(tmp_path: Path) -> None:
    schools = base_schools()
    schools[0]["county"] = ""
    segments = base_segments()
    segments[3]["level"] = " "
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools, segments=segments))
    found = [(e.file, e.row, e.column) for e in result.errors if e.code == "missing-value"]
    assert found == [("schools.csv", 2, "county"), ("segments.csv", 5, "level")]
    assert result.dataset is None


def test_unknown_column_is_a_warning_and_kept(tmp_path: Path) -> None:
    schools = [dict(row, 备注="新建") for row in base_schools()]
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools))
    warning = only(result, "unknown-column")
    assert (warning.severity, warning.row, warning.column) == ("warning", 1, "备注")
    assert result.dataset is not None
    assert result.dataset.schools.get_column("备注").to_list() == ["新建"] * 3
    assert result.warnings == [warning] and result.blocking == []


def test_missing_required_column(tmp_path: Path) -> None:
    segments = [{k: v for k, v in row.items() if k != "teachers"} for row in base_segments()]
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments))
    error = only(result, "missing-column")
    assert (error.file, error.row, error.value) == ("segments.csv", 1, "专任教师数")
    assert "teachers" in error.expected
    assert result.dataset is None


def test_same_column_twice(tmp_path: Path) -> None:
    segments = [dict(row, 在校生数=row["students"]) for row in base_segments()]
    error = only(
        read_dataset(write_dataset(tmp_path / "data", segments=segments)), "duplicate-column"
    )
    assert (error.column, error.value) == ("在校生数", "students")


def test_missing_table(tmp_path: Path) -> None:
    result = read_dataset(write_dataset(tmp_path / "data", segments=None))
    error = only(result, "missing-table")
    assert (error.file, error.value) == ("data", "学段")
    assert "segments.csv" in error.expected
    assert result.dataset is None


def test_same_table_twice(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    write_csv(folder / "学校.csv", base_schools())
    error = only(read_dataset(folder), "duplicate-table")
    assert "schools.csv" in error.expected and "学校.csv" in error.expected


def test_header_only_schools_is_empty_table(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    (folder / "schools.csv").write_text("school_id,name,county,kind\n", encoding="utf-8")
    result = read_dataset(folder)
    assert only(result, "empty-table").file == "schools.csv"


def test_blank_first_line_above_the_header_is_skipped(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    text = (folder / "county.csv").read_text(encoding="utf-8")
    (folder / "county.csv").write_text("\n" + text.replace("93%", "93 %%"), encoding="utf-8")
    result = read_dataset(folder)
    error = only(result, "bad-fact-value")
    # The header is on line 2, so the second data row is line 4.
    assert (error.file, error.row, error.cell) == ("county.csv", 4, None)


def test_blank_file_is_no_header(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    (folder / "county.csv").write_text("\n\n,,\n", encoding="utf-8")
    error = only(read_dataset(folder), "no-header")
    assert (error.file, error.row) == ("county.csv", 1)


def test_row_with_more_cells_than_header(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    with (folder / "schools.csv").open("a", encoding="utf-8") as handle:
        handle.write("S4,第四,小学,甲县,primary,多余\n")
    result = read_dataset(folder)
    error = only(result, "ragged-row")
    assert (error.row, error.value) == (5, "6")


def test_blank_rows_are_skipped_but_counted(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "data")
    lines = (folder / "segments.csv").read_text(encoding="utf-8").splitlines()
    lines.insert(2, ",,,,")
    lines.insert(3, "")
    lines[5] = lines[5].replace(",500,", ",5x0,", 1)
    (folder / "segments.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_dataset(folder)
    error = only(result, "not-an-integer")
    assert (error.row, error.value) == (6, "5x0")
    assert result.errors == [error]


def test_path_problems(tmp_path: Path) -> None:
    assert codes(read_dataset(tmp_path / "nowhere")) == ["path-not-found"]
    (tmp_path / "data.pdf").write_bytes(b"%PDF-1.4")
    error = only(read_dataset(tmp_path / "data.pdf"), "unsupported-format")
    assert error.value == ".pdf"
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip file")
    assert codes(read_dataset(tmp_path / "broken.xlsx")) == ["unreadable-file"]


def test_unexpected_failure_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import junheng.intake.reader as reader

    def explode(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(reader, "check_schools", explode)
    result = read_dataset(write_dataset(tmp_path / "data"))
    error = only(result, "internal-error")
    assert "boom" in error.value
    assert result.dataset is None


def test_too_many_errors_are_counted(tmp_path: Path) -> None:
    segments = [segment(f"X{i}", "primary", students="x") for i in range(1200)]
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments), max_errors=1000)
    listed = [e for e in result.errors if e.severity == "error" and e.code != "too-many-errors"]
    assert len(listed) == 1000
    summary = only(result, "too-many-errors")
    # 1200 bad integers and 1200 unknown schools: 2400 errors, 1000 listed.
    assert summary.value == "1400"
    assert summary.severity == "error"
    assert result.errors.index(summary) == 1000
    assert result.dataset is None


def test_errors_come_before_warnings(tmp_path: Path) -> None:
    schools = [dict(row, extra="x") for row in base_schools()]
    segments = base_segments()
    segments[0]["students"] = "bad"
    result = read_dataset(write_dataset(tmp_path / "data", schools=schools, segments=segments))
    assert [e.severity for e in result.errors] == ["error", "warning"]
    assert [e.code for e in result.blocking] == ["not-an-integer"]
    assert [e.code for e in result.warnings] == ["unknown-column"]


def test_result_as_table_and_text(tmp_path: Path) -> None:
    segments = base_segments()
    segments[0]["students"] = "bad"
    result = read_dataset(write_dataset(tmp_path / "data", segments=segments))
    frame = result.frame()
    assert frame.columns == [
        "severity",
        "code",
        "title",
        "file",
        "sheet",
        "row",
        "column",
        "cell",
        "value",
        "expected",
        "message",
        "fix",
    ]
    assert frame.row(0, named=True)["row"] == 2
    assert frame.row(0, named=True)["code"] == "not-an-integer"
    text = result.text()
    assert "不是整数" in text and "共 1 个错误、0 个警告" in text
