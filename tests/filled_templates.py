"""A county template filled in the way a clerk types a dataset's values into it, for the tests of
the template reader and of the web import."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.schema import COUNTY_FACTS, SCHOOL_FACT_DEFS, SCHOOLS, SEGMENTS, FactType

LEVEL_ZH = {"primary": "小学", "junior": "初中"}


def fill_county_template(path: Path, data: Dataset) -> None:
    """Fill a downloaded county template with `data` the way a clerk types it in."""
    book = openpyxl.load_workbook(path)
    shared = [c for c in SCHOOLS.columns if c.name not in {"school_id", "name", "county", "kind"}]
    ws = book["学校"]
    header = [c.value for c in ws[1]]
    row_of = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    for school in data.schools.iter_rows(named=True):
        row = row_of[school["school_id"]]
        for column in shared:
            if column.header_zh in header and school[column.name] is not None:
                ws.cell(row, header.index(column.header_zh) + 1, school[column.name])
    ws = book["学段"]
    header = [c.value for c in ws[1]]
    row_of = {(ws.cell(r, 1).value, ws.cell(r, 2).value): r for r in range(2, ws.max_row + 1)}
    for segment in data.segments.iter_rows(named=True):
        key = (segment["school_id"], LEVEL_ZH[segment["level"]])
        row = row_of.get(key) or ws.max_row + 1
        ws.cell(row, 1, key[0])
        ws.cell(row, 2, key[1])
        for column in SEGMENTS.columns[2:]:
            ws.cell(row, header.index(column.header_zh) + 1, segment[column.name])

    def fill_facts(ws, key: str, wide: pl.DataFrame, facts, notes: dict) -> None:
        values = {r[key]: r for r in wide.iter_rows(named=True)}
        by_zh = {f.zh: f for f in facts}
        for row in range(2, ws.max_row + 1):
            owner, fact = ws.cell(row, 1).value, by_zh[ws.cell(row, 2).value]
            value = values.get(owner, {}).get(fact.name)
            if fact.type == FactType.BOOL and value is not None:
                value = "是" if value else "否"
            ws.cell(row, 3, value)
            ws.cell(row, 4, notes.get((owner, fact.name)))

    notes = {(r["county"], r["fact"]): r["note"] for r in data.notes.iter_rows(named=True)}
    fill_facts(book["县级指标"], "county", data.county_facts, COUNTY_FACTS, notes)
    fill_facts(book["学校指标"], "school_id", data.school_facts, SCHOOL_FACT_DEFS, {})
    book.save(path)
