"""The demo county's reports contain no internal identifiers or English words.

Every paragraph and table cell of the self-evaluation report, of every school's 一校一册 and of the
rectification bulletin, and every cell of the tables workbook and the results workbook, goes
through the scan of `tests/browser/identifiers.py` (its allow-list: item codes, units, file
names …).
"""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from docx import Document

from junheng.demo import DEMO_COUNTY
from junheng.rectification.bulletin import bulletin
from junheng.reports.bulletin import bulletin_document
from junheng.reports.results_xlsx import write_results_xlsx
from junheng.reports.school_book import write_school_book
from junheng.reports.self_evaluation import write_self_evaluation
from junheng.reports.tables import write_tables_xlsx
from tests.browser.identifiers import unexpected_identifiers
from tests.rectification.test_bulletin import CLOSED, TASKS, TODAY
from tests.reports.docx_reading import all_text

DATE = dt.date(2026, 11, 20)


def workbook_text(path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    cells = [book[name].title for name in book.sheetnames]
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += [str(v) for v in row if isinstance(v, str)]
    return "\n".join(cells)


def test_self_evaluation_report(demo, tmp_path):
    dataset, evaluation = demo
    tasks = [{"problem": "生均体育运动场馆面积不足", "lead_unit": "县教育局", "deadline": DATE}]
    path = write_self_evaluation(
        evaluation, DEMO_COUNTY, tmp_path / "自评报告.docx", dataset=dataset, tasks=tasks, date=DATE
    )
    assert unexpected_identifiers(all_text(Document(str(path)))) == []


def test_every_school_book(demo, tmp_path):
    dataset, evaluation = demo
    schools = evaluation.segments.filter(evaluation.segments["county"] == DEMO_COUNTY)[
        "school_id"
    ].unique(maintain_order=True)
    assert len(schools) > 10
    findings = {}
    for school in schools:
        path = write_school_book(
            evaluation,
            DEMO_COUNTY,
            school,
            tmp_path / f"{school}.docx",
            dataset=dataset,
            history={"2025": evaluation},
            date=DATE,
            charts=False,
        )
        found = unexpected_identifiers(all_text(Document(str(path))))
        if found:
            findings[school] = found
    assert findings == {}


@pytest.mark.parametrize("write", [write_tables_xlsx, write_results_xlsx])
def test_workbooks(demo, tmp_path, write):
    _, evaluation = demo
    path = tmp_path / "表.xlsx"
    write(evaluation, path)
    assert unexpected_identifiers(workbook_text(path)) == []


@pytest.mark.parametrize("period", ["week", "month"])
def test_bulletin(period):
    # tasks keyed R2/junior/1 …: the keys must not reach the document, only titles and units
    b = bulletin("示范县", TASKS, CLOSED, period=period, today=TODAY)
    text = all_text(Document(io.BytesIO(bulletin_document(b))))
    assert "县教育局" in text and "R2/junior/1" not in text
    assert unexpected_identifiers(text) == []
