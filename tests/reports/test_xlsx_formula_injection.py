"""Text from users and imported files is stored as text in every workbook the system writes.

The demo county is renamed to =HYPERLINK(…) and four of its schools to "+1+1", "-2+3",
"@SUM(A1)" and "\\t=1+1"; every writer that does not need the database then runs on it (the web
downloads are in tests/web/test_xlsx_formula_injection_web.py). Each produced file is opened with
zipfile: the system writes no formula of its own, so no sheet may hold an <f> element, and the
hostile names must be there as text, exactly as typed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from junheng.cli import app
from junheng.core.dataset import Dataset
from junheng.core.evaluate import Evaluation, evaluate
from junheng.demo import DEMO_COUNTY, demo_county
from junheng.intake.importer import import_sources
from junheng.intake.report import write_import_report
from junheng.intake.school_form import write_school_workbook, write_school_workbooks
from junheng.intake.templates import write_county_template
from junheng.intake.writer import write_xlsx
from junheng.rectification.ledger_xlsx import LedgerRow, write_ledger
from junheng.rectification.organisation import PersonRow, UnitRow, write_organisation
from junheng.reports import xlsx_cells
from junheng.reports.results_xlsx import write_results_xlsx
from junheng.reports.tables import write_tables_xlsx
from junheng.standards import load_standard
from junheng.web.pages.exports import workbook_bytes
from junheng.web.pages.presenters import Cell, Table
from tests.reports.xlsx_scan import EVIL, HOSTILE, Scan, scan_workbook

SCHOOL_NAMES = HOSTILE[1:]
"""Given to the first four demo schools; the county is named EVIL."""


def _renamed(dataset: Dataset) -> Dataset:
    def county(frame: pl.DataFrame) -> pl.DataFrame:
        if "county" not in frame.columns:
            return frame
        return frame.with_columns(pl.col("county").replace(DEMO_COUNTY, EVIL))

    ids = dataset.schools["school_id"].head(len(SCHOOL_NAMES)).to_list()
    names = dict(zip(ids, SCHOOL_NAMES, strict=True))
    schools = county(dataset.schools).with_columns(
        pl.col("school_id").replace_strict(names, default=pl.col("name")).alias("name")
    )
    return dataclasses.replace(
        dataset,
        schools=schools,
        county_facts=county(dataset.county_facts),
        survey=county(dataset.survey),
        notes=county(dataset.notes),
    )


@pytest.fixture(scope="module")
def hostile() -> Dataset:
    return _renamed(demo_county())


@pytest.fixture(scope="module")
def evaluation(hostile: Dataset) -> Evaluation:
    return evaluate(hostile, load_standard())


def _scan(path: Path) -> Scan:
    scan = scan_workbook(path.read_bytes())
    assert scan.formulas == [], f"{path.name}: {scan.formulas}"
    return scan


def _has_names(scan: Scan, *, county: bool = True) -> None:
    assert set(SCHOOL_NAMES) <= scan.texts
    if county:
        assert EVIL in scan.texts


# --- the helpers themselves -------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_openpyxl_cell_keeps_text_that_openpyxl_alone_would_make_a_formula(text, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    xlsx_cells.put(sheet, 1, 1, text)
    plain = sheet.cell(2, 1, text)  # what openpyxl does on its own, for contrast
    book.save(tmp_path / "b.xlsx")
    scan = scan_workbook((tmp_path / "b.xlsx").read_bytes())
    # openpyxl itself only turns text starting with "=" into a formula (A2 below)
    expected = [f"xl/worksheets/sheet1.xml!A2: {text[1:]}"] if plain.data_type == "f" else []
    assert scan.formulas == expected
    assert text in scan.texts
    back = openpyxl.load_workbook(tmp_path / "b.xlsx")
    assert back.active["A1"].value == text and back.active["A1"].data_type == "s"


def test_openpyxl_numbers_and_blanks_are_untouched(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    xlsx_cells.put(sheet, 1, 1, 12.5)
    xlsx_cells.put(sheet, 1, 2, None)
    xlsx_cells.put(sheet, 1, 3, dt.date(2026, 9, 1))
    assert (sheet["A1"].data_type, sheet["B1"].value, sheet["C1"].data_type) == ("n", None, "d")


def test_xlsxwriter_helpers_store_text_and_keep_numbers(tmp_path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    sheet = book.add_worksheet()
    fmt = book.add_format({"bold": True})
    xlsx_cells.write_row(sheet, 0, 0, [*HOSTILE, 3, None])
    xlsx_cells.merge_text(sheet, 1, 0, 1, 3, EVIL, fmt)
    sheet.merge_range(2, 0, 2, 3, "=1+1", fmt)  # xlsxwriter on its own: a formula
    book.close()
    scan = scan_workbook((tmp_path / "x.xlsx").read_bytes())
    assert scan.formulas == ["xl/worksheets/sheet1.xml!A3: 1+1"]
    assert set(HOSTILE) <= scan.texts
    back = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert [back.cell(1, c).value for c in range(1, 8)] == [*HOSTILE, 3, None]
    assert back["A2"].value == EVIL and "A2:D2" in {str(r) for r in back.merged_cells.ranges}


# --- every workbook written without the database ----------------------------------------------


def test_results_workbook(evaluation, tmp_path):
    path = write_results_xlsx(evaluation, tmp_path / "评估结果.xlsx")
    scan = _scan(path)
    _has_names(scan)
    # hand-checked: the 县域结论 sheet has one row per county, its name in A2
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet["A2"].value == EVIL and sheet["A2"].data_type == "s"


def test_tables_workbook(evaluation, tmp_path):
    path = write_tables_xlsx(evaluation, tmp_path / "附表.xlsx", EVIL)
    scan = _scan(path)
    _has_names(scan, county=False)
    # the merged title row of every sheet starts with the county's name
    book = openpyxl.load_workbook(path)
    titles = [sheet["A1"].value for sheet in book.worksheets]
    assert titles and all(t.startswith(EVIL) for t in titles)
    assert all(sheet["A1"].data_type == "s" for sheet in book.worksheets)


def test_county_template_and_school_books(hostile, tmp_path):
    template = write_county_template(tmp_path / "template.xlsx", hostile.schools, year="2026")
    _has_names(_scan(template))
    book = write_school_workbook(
        tmp_path / "book.xlsx", hostile.schools.row(0, named=True), year="2026", previous=hostile
    )
    scan = _scan(book)
    assert SCHOOL_NAMES[0] in scan.texts and EVIL in scan.texts
    assert f"{SCHOOL_NAMES[0]} 数据填报表（2026学年）" in scan.texts
    paths = write_school_workbooks(hostile, tmp_path / "books", year="2026", previous=hostile)
    for path in paths:
        _scan(path)
    assert any(SCHOOL_NAMES[3] in _scan(path).texts for path in paths)


def test_dataset_workbook(hostile, tmp_path):
    path = tmp_path / "data.xlsx"
    write_xlsx(hostile, path, chinese_headers=True)
    _has_names(_scan(path))


def test_import_problem_list_and_annotated_copy(hostile, tmp_path):
    source = tmp_path / "填报.xlsx"
    write_xlsx(hostile, source, chinese_headers=True)
    book = openpyxl.load_workbook(source)
    sheet = book["学段"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index("在校生数（人）") + 1)
    xlsx_cells.set_value(cell, EVIL)  # typed as text into a number column
    book.save(source)

    result = import_sources([source], tmp_path / "data", write=False)
    bad = [e for e in result.errors if e.value == EVIL]
    assert bad and bad[0].cell == cell.coordinate
    written = write_import_report(result.errors, result.sources, tmp_path / "report")
    assert [p.name for p in written] == ["导入问题清单.xlsx", "标注_填报.xlsx"]
    problems = _scan(written[0])
    assert EVIL in problems.texts
    row = next(
        r
        for r in openpyxl.load_workbook(written[0]).active.iter_rows(min_row=2)
        if r[3].value == cell.coordinate
    )
    assert row[6].value == EVIL and row[6].data_type == "s"  # 单元格的值
    annotated = _scan(written[1])
    _has_names(annotated)
    again = openpyxl.load_workbook(written[1])["学段"][cell.coordinate]
    assert again.value == EVIL and again.comment is not None


def test_ledger_and_organisation(tmp_path):
    rows = [
        LedgerRow(
            problem=text,
            lead_unit=HOSTILE[(i + 1) % len(HOSTILE)],
            measures=text,
            progress=text,
            deadline=dt.date(2026, 12, 31),
        )
        for i, text in enumerate(HOSTILE)
    ]
    ledger = write_ledger(rows, tmp_path / "台账.xlsx", title=f"{EVIL}问题清单")
    scan = _scan(ledger)
    assert set(HOSTILE) <= scan.texts and f"{EVIL}问题清单" in scan.texts

    units = [
        UnitRow("department", text, duties=text, people=[PersonRow(text, post=text, phone=text)])
        for text in HOSTILE
    ]
    organisation = write_organisation(units, tmp_path / "组织机构.xlsx")
    assert set(HOSTILE) <= _scan(organisation).texts


def test_dashboard_export():
    table = Table(
        key="schools",
        title="学校",
        headers=("学校名称", "在校生数"),
        rows=tuple((Cell(text, text), Cell("3", 3)) for text in HOSTILE),
        note=EVIL,
    )
    scan = scan_workbook(workbook_bytes([table], heading=EVIL))
    assert scan.formulas == []
    assert set(HOSTILE) <= scan.texts


def test_quota_workbook_of_the_command_line(hostile, tmp_path):
    data = tmp_path / "data.xlsx"
    write_xlsx(hostile, data, chinese_headers=True)
    out = tmp_path / "配额.xlsx"
    result = CliRunner().invoke(
        app, ["survey", "plan", str(data), "--population", "352000", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    scan = _scan(out)
    assert scan.starting_with(EVIL)  # 县名 + table title in each sheet's first row
    assert set(SCHOOL_NAMES) & scan.texts


def test_scan_sees_a_formula():
    """The scan would notice an injected formula (guards the tests above against passing
    because nothing was read)."""
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    book.active["B3"] = EVIL
    book.save(buffer)
    assert scan_workbook(buffer.getvalue()).formulas == [
        'xl/worksheets/sheet1.xml!B3: HYPERLINK("http://evil.example","点我")'
    ]


UNGUARDED = re.compile(
    # xlsxwriter's write, write_row, write_column and merge_range store "=…" as a formula;
    # openpyxl's sheet.cell(row, column, value) does the same
    r"\b\w+\.(?:write|write_row|write_column|merge_range)\("
    r"|\.cell\((?:row=)?[^()]+,[^()]+,[^()]+\)"
)


FILE_WRITE = re.compile(r"\b(?:std(?:out|err)|out|handle|archive)\.write\(")
"""Files, zip archives and consoles, which are no workbook sheets."""


def test_no_writer_puts_a_value_in_a_cell_but_through_xlsx_cells():
    """A new writer that forgets the helpers would pass the scans above only while its texts
    happen to be harmless; the source says at once."""
    root = Path(xlsx_cells.__file__).parents[1]
    found = [
        f"{path.relative_to(root)}:{number}: {line.strip()}"
        for path in sorted(root.rglob("*.py"))
        if path.name != "xlsx_cells.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if UNGUARDED.search(line) and not FILE_WRITE.search(line)
    ]
    assert found == []
