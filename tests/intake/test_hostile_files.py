"""Hostile and oversized files at intake: zip bombs, sheets of a million rows, control characters,
unrecognised 一校一册. Each is refused from the zip directory or the sheet's first bytes before any
XML is parsed, with a Chinese message naming the file, on every reader: the county workbook, the
template checks, the 一校一册, the annotated copy, the CLI import, the ledger and the organisation
table. Limits are `junheng/intake/limits.yaml`; tests lower them to check both sides of each.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from intake_helpers import base_county, base_schools, base_segments, codes, only, write_dataset
from typer.testing import CliRunner

from junheng.cli import app
from junheng.core.dataset import Dataset
from junheng.demo import demo_county
from junheng.intake import guard, read_dataset
from junheng.intake.errors import IntakeError
from junheng.intake.importer import import_sources
from junheng.intake.report import annotate_workbook, write_import_report
from junheng.intake.school_form import FormRefused, read_school_form, write_school_workbook
from junheng.intake.templates import read_template_info, template_problems, write_county_template
from junheng.rectification.ledger_xlsx import LedgerRow, read_ledger, write_ledger
from junheng.rectification.organisation import UnitRow, read_organisation, write_organisation
from tests.hostile_files import dimension, padded, rewrite, sheet_part, worksheet_parts

REAL = guard.limits()
"""The limits of limits.yaml."""
SEGMENTS_PART = "xl/worksheets/sheet2.xml"
"""openpyxl writes the sheets in order: 学校, 学段, 县级指标."""


def limited(monkeypatch: pytest.MonkeyPatch, **changes: Any) -> guard.Limits:
    patched = dataclasses.replace(REAL, **changes)
    monkeypatch.setattr(guard, "limits", lambda: patched)
    return patched


def no_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail if any reader hands the file to openpyxl."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def county_book(path: Path, segments: int = 0) -> Path:
    """A valid county workbook; `segments` extra segment rows of school S1 (for long sheets)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (
        ("学校", base_schools()),
        ("学段", base_segments()),
        ("县级指标", base_county()),
    ):
        sheet = book.create_sheet(title)
        header = list(dict.fromkeys(k for r in rows for k in r))
        sheet.append(header)
        for row in rows:
            sheet.append([row.get(k) for k in header])
        if title == "学段":
            for _ in range(segments):
                sheet.append([rows[0].get(k) for k in header])
    book.save(path)
    return path


def bomb(path: Path, mb: float = 40) -> Path:
    return rewrite(county_book(path), SEGMENTS_PART, padded(mb))


def member_info(path: Path, member: str) -> zipfile.ZipInfo:
    with zipfile.ZipFile(path) as archive:
        return archive.getinfo(member)


# Zip bombs ------------------------------------------------------------------------------------


def test_a_bomb_is_refused_from_the_zip_directory_without_opening_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bomb(tmp_path / "炸弹.xlsx")
    info = member_info(path, SEGMENTS_PART)
    # 40 MB of one repeated byte deflate to about 40 kB: a ratio near 1,000.
    assert info.file_size > 40 * 2**20 and info.file_size / info.compress_size > 500
    no_parsing(monkeypatch)
    result = read_dataset(path)
    assert codes(result) == ["suspicious-workbook"]
    message = result.errors[0].message
    assert message.startswith("炸弹.xlsx：工作簿内容异常")
    assert "“xl/worksheets/sheet2.xml”压缩比为" in message and "超过 200 倍" in message
    with pytest.raises(FormRefused, match=r"^炸弹\.xlsx：工作簿内容异常"):
        template_problems(path)
    with pytest.raises(FormRefused, match=r"^炸弹\.xlsx：工作簿内容异常"):
        read_template_info(path)
    with pytest.raises(FormRefused, match=r"^炸弹\.xlsx：工作簿内容异常"):
        read_school_form(path)


def test_compression_ratio_just_under_the_limit_is_read_and_just_over_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bomb(tmp_path / "数据.xlsx", mb=2)
    info = member_info(path, SEGMENTS_PART)
    ratio = info.file_size / info.compress_size
    limited(monkeypatch, max_compression_ratio=ratio)
    result = read_dataset(path)
    assert result.ok, result.text()
    assert result.dataset is not None and result.dataset.segments.height == 4
    limited(monkeypatch, max_compression_ratio=ratio - 0.01)
    assert codes(read_dataset(path)) == ["suspicious-workbook"]


def test_ratio_of_small_members_is_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Just under 1 MB of padding: ratio far above the limit, but too small to matter.
    path = bomb(tmp_path / "数据.xlsx", mb=0.99)
    assert member_info(path, SEGMENTS_PART).file_size < 2**20
    assert read_dataset(path).ok
    path = bomb(tmp_path / "数据.xlsx", mb=1)
    assert codes(read_dataset(path)) == ["suspicious-workbook"]


def test_total_unpacked_size_on_both_sides_of_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = county_book(tmp_path / "数据.xlsx")
    with zipfile.ZipFile(path) as archive:
        total = sum(m.file_size for m in archive.infolist())
    limited(monkeypatch, max_unpacked_mb=total / 2**20)
    assert read_dataset(path).ok
    limited(monkeypatch, max_unpacked_mb=(total - 1) / 2**20)
    error = only(read_dataset(path), "suspicious-workbook")
    assert "解压后共" in error.value and "上限为" in error.value


def test_member_count_on_both_sides_of_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = county_book(tmp_path / "数据.xlsx")
    with zipfile.ZipFile(path) as archive:
        members = len(archive.infolist())
    limited(monkeypatch, max_members=members)
    assert read_dataset(path).ok
    limited(monkeypatch, max_members=members - 1)
    error = only(read_dataset(path), "suspicious-workbook")
    assert error.value == f"压缩包中有 {members} 个部件，上限为 {members - 1} 个"


def test_a_refused_bomb_is_never_annotated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = bomb(tmp_path / "炸弹.xlsx")
    result = import_sources([path], tmp_path / "数据集", write=False)
    assert codes(result) == ["suspicious-workbook"]
    no_parsing(monkeypatch)
    written = write_import_report(result.errors, result.sources, tmp_path / "报告")
    assert [p.name for p in written] == ["导入问题清单.xlsx"]
    # Even called with an unrelated error, the copy is not made of a file past the limits.
    other = IntakeError("missing-value", "炸弹.xlsx", "学段", 2, "在校生数", cell="C2")
    assert annotate_workbook(path, [other], tmp_path / "标注.xlsx") is None


def test_a_workbook_too_large_to_load_whole_gets_only_the_problem_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = county_book(tmp_path / "数据.xlsx")
    with zipfile.ZipFile(path) as archive:
        total = sum(m.file_size for m in archive.infolist())
    error = IntakeError("missing-value", "数据.xlsx", "学段", 2, "在校生数", cell="C2")
    limited(monkeypatch, annotate_max_unpacked_mb=(total - 1) / 2**20)
    assert annotate_workbook(path, [error], tmp_path / "标注1.xlsx") is None
    limited(monkeypatch, annotate_max_unpacked_mb=total / 2**20)
    assert annotate_workbook(path, [error], tmp_path / "标注2.xlsx") == tmp_path / "标注2.xlsx"


def test_the_cli_import_refuses_a_bomb_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = bomb(tmp_path / "炸弹.xlsx")
    no_parsing(monkeypatch)
    report = tmp_path / "报告"
    outcome = CliRunner().invoke(
        app, ["import", str(path), "--into", str(tmp_path / "数据集"), "--report", str(report)]
    )
    assert outcome.exit_code == 2, outcome.output
    assert "炸弹.xlsx：工作簿内容异常" in outcome.output
    assert sorted(p.name for p in report.iterdir()) == ["导入问题清单.xlsx"]
    assert not (tmp_path / "数据集").exists()


# Sheets of too many rows -----------------------------------------------------------------------


def test_row_limit_from_the_recorded_dimension_on_both_sides(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real limit (100,000 rows), read from the dimension alone: the body has five rows.
    at = rewrite(county_book(tmp_path / "满.xlsx"), SEGMENTS_PART, dimension("A1:AB100000"))
    assert guard.check_archive(at) is None
    assert read_dataset(at).ok
    over = rewrite(county_book(tmp_path / "超.xlsx"), SEGMENTS_PART, dimension("A1:AB100001"))
    no_parsing(monkeypatch)
    result = read_dataset(over)
    error = only(result, "too-many-rows")
    assert codes(result) == ["too-many-rows"]
    assert error.message == (
        "超.xlsx 工作表「学段」：工作表行数过多（100,001 行），每张工作表不能超过 100,000 行"
        "（一个省约 2 万所学校，用不到这么多行）；"
        "请删除表格下方多余的空行（包括只设了格式的空行），数据确实更多时拆成几个文件分别导入"
    )


def test_row_limit_while_streaming_when_the_dimension_lies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Header + 4 segments + 20 more = 25 rows in 学段, its dimension rewritten to say A1.
    path = rewrite(county_book(tmp_path / "数据.xlsx", segments=20), SEGMENTS_PART, dimension("A1"))
    limited(monkeypatch, max_rows=25)
    assert guard.check_archive(path) is None
    assert "too-many-rows" not in codes(read_dataset(path))
    limited(monkeypatch, max_rows=24)
    assert guard.check_archive(path) is None  # the dimension says one row
    error = only(read_dataset(path), "too-many-rows")
    assert (error.file, error.sheet, error.value) == ("数据.xlsx", "学段", "超过 24 行")


def test_a_long_sheet_is_refused_in_the_cli_without_an_annotated_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = rewrite(county_book(tmp_path / "长表.xlsx", segments=30), SEGMENTS_PART, dimension("A1"))
    limited(monkeypatch, max_rows=10)
    result = import_sources([path], tmp_path / "数据集", write=False)
    assert "too-many-rows" in codes(result) and result.dataset is None
    written = write_import_report(result.errors, result.sources, tmp_path / "报告")
    assert [p.name for p in written] == ["导入问题清单.xlsx"]


# 一校一册 -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> Dataset:
    return demo_county()


def form(demo: Dataset, path: Path) -> Path:
    school = demo.schools.filter(demo.schools["school_id"] == "2152010001").row(0, named=True)
    return write_school_workbook(path, school, year="2025", previous=demo)


def test_a_school_form_bomb_is_refused_by_the_form_reader_and_the_import(
    tmp_path: Path, demo: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = form(demo, tmp_path / "一校一册.xlsx")
    rewrite(path, sheet_part(path, "学段数据"), padded(40))
    no_parsing(monkeypatch)
    with pytest.raises(FormRefused) as refused:
        read_school_form(path)
    assert refused.value.error.code == "suspicious-workbook"
    result = import_sources([path], tmp_path / "数据集", write=False)
    error = only(result, "suspicious-workbook")
    assert error.message.startswith("一校一册.xlsx：工作簿内容异常")


def test_a_school_form_with_too_many_rows_is_refused(
    tmp_path: Path, demo: Dataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = form(demo, tmp_path / "一校一册.xlsx")
    book = openpyxl.load_workbook(path, read_only=True)
    longest = max(book[s].max_row for s in ("学校信息", "学段数据", "学校指标"))
    assert longest == book["学段数据"].max_row
    book.close()
    # Every sheet's dimension says one row, so only the count while streaming can stop it.
    for part in worksheet_parts(path):
        rewrite(path, part, dimension("A1"))
    limited(monkeypatch, max_rows=longest)
    assert read_school_form(path).rows["schools"]
    limited(monkeypatch, max_rows=longest - 1)
    with pytest.raises(FormRefused) as refused:
        read_school_form(path)
    assert (refused.value.error.file, refused.value.error.sheet) == ("一校一册.xlsx", "学段数据")
    assert "too-many-rows" in codes(import_sources([path], tmp_path / "d", write=False))


def test_an_unrecognised_school_form_is_named_in_the_refusal(tmp_path: Path, demo: Dataset) -> None:
    # Its 学段数据 sheet renamed: still read as a form, which says what is missing.
    path = form(demo, tmp_path / "改过的一校一册.xlsx")
    book = openpyxl.load_workbook(path)
    book["学段数据"].title = "Sheet1"
    book.save(path)
    result = import_sources([path], tmp_path / "数据集", write=False)
    structure = [e for e in result.errors if e.code == "form-structure"]
    assert structure and all(e.file == "改过的一校一册.xlsx" for e in structure)
    assert any("缺少工作表“学段数据”" in e.message for e in structure)
    # Every sheet renamed: nothing is recognised, and the missing tables name the file.
    for sheet in book.worksheets:
        sheet.title = f"表{sheet.title}"
    book.save(path)
    result = import_sources([path], tmp_path / "数据集", write=False)
    missing = [e for e in result.errors if e.code == "missing-table"]
    assert missing and all(e.message.startswith("改过的一校一册.xlsx：缺少「") for e in missing)


# Control characters ---------------------------------------------------------------------------


def test_a_nul_byte_in_a_gbk_csv_is_a_cell_error(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "数据", encoding="gbk")
    text = (folder / "schools.csv").read_bytes().decode("gbk")
    lines = text.split("\n")
    # Row 3 is school S2; its name becomes 第二\x00中学.
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("name")] = "第二\x00中学"
    lines[2] = ",".join(cells)
    (folder / "schools.csv").write_bytes("\n".join(lines).encode("gbk"))
    result = read_dataset(folder)
    error = only(result, "control-character")
    assert result.dataset is None
    assert error.message == (
        "schools.csv 第 3 行「name」列：单元格含不可见的控制字符（第二[U+0000]中学），"
        "应为只含可见文字的值：删除单元格中的不可见字符（[U+0000] 等标出的位置）后保存再导入"
    )
    assert all("\x00" not in e.message for e in result.errors)


def test_tab_and_line_breaks_are_not_control_characters(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "数据")
    text = (folder / "schools.csv").read_text(encoding="utf-8")
    (folder / "schools.csv").write_text(text.replace("S2,", 'S2,"第二\t中学\n分部"X', 1))
    assert "control-character" not in codes(read_dataset(folder))
    assert guard.show_control("a\tb\nc\x7f\x01") == "a\tb\nc[U+007F][U+0001]"


# Ledger and organisation tables ---------------------------------------------------------------


def ledger(path: Path, rows: int = 3) -> Path:
    return write_ledger(
        [
            LedgerRow(
                problem=f"问题{i}",
                lead_unit="县教育局",
                person="张三",
                deadline=dt.date(2026, 6, 30),
            )
            for i in range(rows)
        ],
        path,
    )


def test_ledger_bomb_and_long_ledger_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = ledger(tmp_path / "整改台账.xlsx")
    assert read_ledger(path).ok
    rewrite(path, "xl/worksheets/sheet1.xml", padded(40))
    result = read_ledger(path)
    assert [e.code for e in result.errors] == ["suspicious-workbook"]
    assert result.errors[0].message.startswith("整改台账.xlsx：工作簿内容异常")

    path = rewrite(
        ledger(tmp_path / "长台账.xlsx", rows=20), "xl/worksheets/sheet1.xml", dimension("A1")
    )
    total = 22  # a title row, the header, 20 tasks
    limited(monkeypatch, max_rows=total)
    assert read_ledger(path).ok
    limited(monkeypatch, max_rows=total - 1)
    errors = read_ledger(path).errors
    assert [(e.code, e.file, e.sheet) for e in errors] == [
        ("too-many-rows", "长台账.xlsx", "整改台账")
    ]


def test_organisation_bomb_and_long_table_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    units = [UnitRow(kind="department", name="县教育局", duties="牵头")]
    path = write_organisation(units, tmp_path / "组织机构.xlsx")
    assert read_organisation(path).units
    with zipfile.ZipFile(path) as archive:
        rows = openpyxl.load_workbook(path, read_only=True).worksheets[0].max_row
        part = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))
    rewrite(path, part, dimension("A1"))
    limited(monkeypatch, max_rows=rows)
    assert read_organisation(path, "上传.xlsx").units
    limited(monkeypatch, max_rows=rows - 1)
    errors = read_organisation(path, "上传.xlsx").errors
    assert [(e.code, e.file) for e in errors] == [("too-many-rows", "上传.xlsx")]
    monkeypatch.undo()
    rewrite(path, part, padded(40))
    errors = read_organisation(path, "上传.xlsx").errors
    assert [e.code for e in errors] == ["suspicious-workbook"]
    assert errors[0].message.startswith("上传.xlsx：工作簿内容异常")


def test_the_county_template_is_not_refused(tmp_path: Path) -> None:
    path = write_county_template(tmp_path / "模板.xlsx", year="2025")
    assert guard.check_archive(path) is None
    assert template_problems(path) == []
