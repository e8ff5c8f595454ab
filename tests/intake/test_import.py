"""`junheng import`: merging sources, all-or-nothing writes, problem reports, kill safety."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import polars as pl

from junheng.core.dataset import Dataset
from junheng.demo import demo_county, national_dataset
from junheng.intake.importer import import_sources
from junheng.intake.reader import read_dataset
from junheng.intake.report import write_import_report
from junheng.intake.writer import write_csv_folder, write_xlsx


def _same(a: Dataset, b: Dataset) -> None:
    assert a.schools.select(b.schools.columns).equals(b.schools)
    assert a.segments.equals(b.segments)
    assert a.county_facts.equals(b.county_facts)


def _subset(dataset: Dataset, school_ids: set[str]) -> Dataset:
    keep = pl.col("school_id").is_in(sorted(school_ids))
    return Dataset.build(
        dataset.schools.filter(keep),
        dataset.segments.filter(keep),
        county_facts=dataset.county_facts,
        school_facts=dataset.school_facts.filter(keep),
        survey=dataset.survey,
        notes=dataset.notes,
    )


def test_importing_a_workbook_into_a_new_folder_writes_the_dataset(tmp_path):
    demo = demo_county()
    workbook = tmp_path / "全县.xlsx"
    write_xlsx(demo, workbook, chinese_headers=True)
    result = import_sources([workbook], tmp_path / "数据集")
    assert result.ok, [e.message for e in result.blocking]
    written = read_dataset(tmp_path / "数据集")
    assert written.ok
    _same(written.dataset, demo)


def test_imported_schools_replace_their_rows_and_others_are_kept(tmp_path):
    demo = demo_county()
    ids = demo.schools["school_id"].to_list()
    write_csv_folder(demo, tmp_path / "数据集")
    changed = demo.segments.with_columns(
        pl.when(pl.col("school_id") == ids[0])
        .then(pl.col("students") + 1)
        .otherwise(pl.col("students"))
        .alias("students")
    )
    part = _subset(
        Dataset.build(
            demo.schools, changed, demo.county_facts, demo.school_facts, demo.survey, demo.notes
        ),
        {ids[0], ids[1]},
    )
    write_xlsx(part, tmp_path / "两校.xlsx")
    result = import_sources([tmp_path / "两校.xlsx"], tmp_path / "数据集")
    assert result.ok, [e.message for e in result.blocking]
    after = read_dataset(tmp_path / "数据集").dataset
    assert after.schools.height == demo.schools.height
    before_students = demo.segments.filter(pl.col("school_id") == ids[0])["students"].to_list()
    after_students = after.segments.filter(pl.col("school_id") == ids[0])["students"].to_list()
    assert after_students == [s + 1 for s in before_students]
    untouched = pl.col("school_id") == ids[5]
    assert after.segments.filter(untouched).equals(demo.segments.filter(untouched))


def test_an_error_writes_nothing_and_the_report_points_at_the_cell(tmp_path):
    demo = demo_county()
    write_csv_folder(demo, tmp_path / "数据集")
    before = {p.name: p.read_bytes() for p in (tmp_path / "数据集").iterdir()}
    workbook = tmp_path / "全县.xlsx"
    write_xlsx(demo, workbook, chinese_headers=True)
    book = openpyxl.load_workbook(workbook)
    sheet = book["学段"]
    header = [c.value for c in sheet[1]]
    column = header.index("在校生数（人）") + 1
    sheet.cell(row=4, column=column, value="三百")
    book.save(workbook)

    result = import_sources([workbook], tmp_path / "数据集")
    assert not result.ok
    (error,) = result.blocking
    assert error.file == "全县.xlsx" and error.sheet == "学段" and error.row == 4
    assert error.column == "在校生数（人）" and error.value == "三百"
    assert error.cell == f"{openpyxl.utils.get_column_letter(column)}4"
    after = {p.name: p.read_bytes() for p in (tmp_path / "数据集").iterdir()}
    assert after == before

    paths = write_import_report(result.errors, result.sources, tmp_path / "报告")
    listing = openpyxl.load_workbook(paths[0])["导入问题清单"]
    rows = list(listing.iter_rows(values_only=True))
    assert rows[1][:6] == ("错误", "全县.xlsx", "学段", error.cell, 4, "在校生数（人）")
    annotated = openpyxl.load_workbook(tmp_path / "报告" / "标注_全县.xlsx")["学段"][error.cell]
    assert annotated.value == "三百"
    assert annotated.fill.start_color.rgb.endswith("F4B6B6")
    assert "整数" in annotated.comment.text


def test_a_school_in_two_files_is_reported_once_naming_both(tmp_path):
    demo = demo_county()
    ids = demo.schools["school_id"].to_list()
    write_xlsx(_subset(demo, set(ids[:3])), tmp_path / "a.xlsx")
    write_xlsx(_subset(demo, set(ids[2:5])), tmp_path / "b.xlsx")
    result = import_sources([tmp_path / "a.xlsx", tmp_path / "b.xlsx"], tmp_path / "数据集")
    assert not result.ok
    dup = [e for e in result.blocking if e.code == "duplicate-school-files"]
    assert len(dup) == 1
    assert dup[0].value == ids[2] and "a.xlsx" in dup[0].expected and dup[0].file == "b.xlsx"
    assert not (tmp_path / "数据集").exists()


def test_year_over_year_changes_are_warnings_not_errors(tmp_path):
    demo = demo_county()
    write_csv_folder(demo, tmp_path / "上年")
    sid = demo.segments["school_id"][0]
    level = demo.segments["level"][0]
    bigger = demo.segments.with_columns(
        pl.when((pl.col("school_id") == sid) & (pl.col("level") == level))
        .then(pl.col("students") * 2)
        .otherwise(pl.col("students"))
        .alias("students")
    )
    now = Dataset.build(
        demo.schools, bigger, demo.county_facts, demo.school_facts, demo.survey, demo.notes
    )
    write_xlsx(now, tmp_path / "本年.xlsx", chinese_headers=True)
    result = import_sources(
        [tmp_path / "本年.xlsx"], tmp_path / "数据集", previous=tmp_path / "上年"
    )
    assert result.ok
    (warning,) = [e for e in result.warnings if e.code == "implausible-change"]
    assert warning.sheet == "学段" and warning.column == "在校生数（人）"
    assert "+100%" in warning.value and "40%" in warning.expected


SCRIPT = """
import sys
from pathlib import Path
from junheng.intake.importer import import_sources
result = import_sources([Path(sys.argv[1])], Path(sys.argv[2]))
sys.exit(0 if result.ok else 1)
"""


def test_killing_an_import_midway_leaves_the_old_dataset_intact(tmp_path):
    old = national_dataset(counties=2, segments_per_county=30, seed=3)
    new = national_dataset(counties=60, segments_per_county=67, seed=4)
    target = tmp_path / "数据集"
    write_csv_folder(old, target)
    source = tmp_path / "新数据"
    write_csv_folder(new, source)
    outcomes = set()
    for delay in (0.3, 0.8, 1.3, 1.8, 2.5):
        process = subprocess.Popen([sys.executable, "-c", SCRIPT, str(source), str(target)])
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait()
        current = read_dataset(target)
        assert current.ok, current.text()
        if current.dataset.schools.height == old.schools.height:
            _same(current.dataset, old)
            outcomes.add("old")
        else:
            _same(current.dataset, new)
            outcomes.add("new")
            write_csv_folder(old, target)  # start the next round from the old dataset again
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".数据集.incoming")]
    result = import_sources([source], target)  # recovers and completes
    assert result.ok
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".数据集.incoming")]
    assert "old" in outcomes, (outcomes, leftovers)


def _county_only(dataset: Dataset, path: Path) -> Path:
    """A workbook holding only the 县级指标 sheet of `dataset`."""
    write_xlsx(dataset, path, chinese_headers=True)
    book = openpyxl.load_workbook(path)
    for name in book.sheetnames:
        if name != "县级指标":
            del book[name]
    book.save(path)
    return path


def test_round_trip_forms_filled_then_imported_then_evaluated(tmp_path):
    from junheng.core.evaluate import evaluate
    from junheng.intake.school_form import write_school_workbooks
    from junheng.standards import load_standard

    demo = demo_county()
    forms = write_school_workbooks(demo, tmp_path / "一校一册", current=demo, year="2026")
    county = _county_only(demo, tmp_path / "县级指标.xlsx")
    result = import_sources([*forms, county], tmp_path / "数据集")
    assert result.ok, [e.message for e in result.blocking][:5]
    imported = read_dataset(tmp_path / "数据集").dataset
    in_forms = demo.schools.filter(~pl.col("kind").is_in(["special", "vocational"]))
    order = in_forms["school_id"].to_list()
    assert sorted(imported.schools["school_id"].to_list()) == sorted(order)
    key = ["school_id", "level"]
    expected = demo.segments.filter(pl.col("school_id").is_in(order)).sort(key)
    assert imported.segments.sort(key).equals(expected)
    ours = evaluate(imported, load_standard()).to_dict()["counties"][0]
    theirs = evaluate(_subset(demo, set(order)), load_standard()).to_dict()["counties"][0]
    assert ours["balance"] == theirs["balance"]
    assert ours["verdict"] == theirs["verdict"]


def test_a_blank_form_filled_cell_by_cell_is_read_from_those_cells(tmp_path):
    from junheng.intake.school_form import write_school_workbook

    demo = demo_county()
    school = demo.schools.filter(pl.col("kind") == "primary").row(0, named=True)
    path = write_school_workbook(tmp_path / "一校.xlsx", school, year="2026")
    book = openpyxl.load_workbook(path)
    sheet = book["学段数据"]
    labels = {sheet.cell(row=r, column=1).value: r for r in range(2, sheet.max_row + 1)}
    values = demo.segments.filter(pl.col("school_id") == school["school_id"]).row(0, named=True)
    from junheng.core.schema import SEGMENTS

    for column in SEGMENTS.columns:
        if column.name in ("school_id", "level") or values[column.name] is None:
            continue
        sheet.cell(row=labels[column.zh], column=3, value=values[column.name])
    sheet.cell(row=labels["在校生数"], column=3, value="五百")
    book.save(path)
    county = _county_only(demo, tmp_path / "县级指标.xlsx")
    result = import_sources([path, county], tmp_path / "数据集")
    (error,) = result.blocking
    assert error.file == "一校.xlsx" and error.sheet == "学段数据"
    assert error.cell == f"C{labels['在校生数']}" and error.value == "五百"
    assert not (tmp_path / "数据集").exists()
    sheet.cell(row=labels["在校生数"], column=3, value=values["students"])
    book.save(path)
    result = import_sources([path, county], tmp_path / "数据集")
    assert result.ok, [e.message for e in result.blocking]


def test_form_problems_template_versions_and_missing_county_facts(tmp_path):
    from junheng.intake.school_form import write_school_workbook
    from junheng.intake.templates import INFO_SHEET

    demo = demo_county()
    school = demo.schools.filter(pl.col("kind") == "primary").row(0, named=True)
    path = write_school_workbook(tmp_path / "一校.xlsx", school, current=demo)
    book = openpyxl.load_workbook(path)
    book["学段数据"]["A3"] = "班数"  # a renamed row label
    info = book[INFO_SHEET]
    for row in info.iter_rows():
        if row[0].value == "模板版本":
            row[1].value = "2020.1"
    book.save(path)
    result = import_sources([path], tmp_path / "数据集")
    codes = {e.code for e in result.errors}
    assert "form-structure" in codes
    assert "outdated-template" in codes
    assert "no-county-facts" in codes


def test_an_altered_county_template_is_flagged(tmp_path):
    from junheng.intake.templates import write_county_template

    path = write_county_template(tmp_path / "全县.xlsx", demo_county().schools)
    book = openpyxl.load_workbook(path)
    book["学校"]["H1"] = "所在乡镇"
    book.save(path)
    result = import_sources([path], tmp_path / "数据集", write=False)
    assert "altered-template" in {e.code for e in result.errors}


def test_rows_outside_the_scope_are_refused_at_their_cells(tmp_path):
    from junheng.intake.importer import Scope, validate_sources

    data = national_dataset(counties=2, segments_per_county=8, seed=3)
    counties = sorted(data.schools["county"].unique().to_list())
    workbook = tmp_path / "两县.xlsx"
    write_xlsx(data, workbook)
    own = set(data.schools.filter(pl.col("county") == counties[0])["school_id"].to_list())
    scope = Scope(
        counties=frozenset(counties[:1]),
        schools=frozenset(own),
        county_expected=f"「{counties[0]}」",
        school_expected="本县学校的标识码",
    )
    result = validate_sources([workbook], scope=scope)
    assert not result.ok
    outside = [e for e in result.blocking if e.code == "out-of-scope"]
    assert outside and all(e.code == "out-of-scope" for e in result.blocking)
    other = set(data.schools.filter(pl.col("county") == counties[1])["school_id"].to_list())
    # Every school row of the other county names its county cell and its id cell.
    assert {e.value for e in outside} == {counties[1], *other}
    assert all(e.sheet and e.cell for e in outside)
    assert f"不在本次导入的范围内，应为「{counties[0]}」" in next(
        e.message for e in outside if e.value == counties[1]
    )
    # Within the scope the same workbook's rows of the first county pass.
    assert validate_sources([workbook], scope=Scope(counties=frozenset(counties))).ok
