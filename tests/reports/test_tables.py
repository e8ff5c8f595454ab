"""Print-ready tables: numbers equal the evaluation's, verdicts match, print settings set."""

import dataclasses
import os

import openpyxl
import polars as pl
import pytest

from junheng.core.evaluate import evaluate
from junheng.core.schema import LEVEL_ZH
from junheng.demo import demo_county
from junheng.reports.tables import (
    MISSING_VALUE,
    NOT_COMPUTED,
    VERDICT,
    VETO,
    requirement_text,
    text_width,
    write_tables_xlsx,
)
from junheng.standards import load_standard

COUNTY = "示范县"
MISSING_SCHOOL = "2152010002"  # 城关第二小学: every indicator met in the demo
HEADER_ROW = 3  # 1-based: title, standard, header
SHEETS = [
    "学校指标表",
    "差异系数表",
    "政府保障程度",
    "教育质量",
    "社会认可度与一票否决",
    "差距测算",
]
R_IDS = [f"R{i}" for i in range(1, 8)]


@pytest.fixture(scope="module")
def evaluation():
    return evaluate(demo_county(), load_standard())


@pytest.fixture(scope="module")
def workbook(evaluation, tmp_path_factory):
    path = write_tables_xlsx(evaluation, tmp_path_factory.mktemp("tables") / "附表.xlsx")
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def gap_workbook(tmp_path_factory):
    """The demo county with one primary segment's multimedia rooms not reported."""
    data = demo_county()
    hit = (pl.col("school_id") == MISSING_SCHOOL) & (pl.col("level") == "primary")
    segments = data.segments.with_columns(
        pl.when(hit).then(None).otherwise(pl.col("multimedia_rooms")).alias("multimedia_rooms")
    )
    evaluation = evaluate(dataclasses.replace(data, segments=segments), load_standard())
    path = write_tables_xlsx(evaluation, tmp_path_factory.mktemp("gap") / "附表.xlsx", COUNTY)
    return evaluation, openpyxl.load_workbook(path)


def _rows(sheet):
    """Data rows as dicts keyed by header; merged note rows (only column A filled) skipped."""
    header = [c.value for c in sheet[HEADER_ROW]]
    rows = []
    for cells in sheet.iter_rows(min_row=HEADER_ROW + 1):
        values = [c.value for c in cells]
        if sum(v is not None for v in values) <= 1:
            continue
        rows.append(
            (
                {h: v for h, v in zip(header, values, strict=True)},
                {h: c for h, c in zip(header, cells, strict=True)},
            )
        )
    return rows


def _column(header, prefix):
    return next(h for h in header if h and h.startswith(prefix))


def test_the_workbook_has_the_tables_counties_attach(workbook):
    assert workbook.sheetnames[: len(SHEETS)] == SHEETS
    for name in SHEETS:
        title = workbook[name]["A1"].value
        assert title.startswith(COUNTY)
        assert "县域义务教育优质均衡发展督导评估办法" in workbook[name]["A2"].value
        assert "2017.1" in workbook[name]["A2"].value


def test_every_r_value_equals_the_evaluation(workbook, evaluation):
    sheet = workbook["学校指标表"]
    header = [c.value for c in sheet[HEADER_ROW]]
    columns = {r: _column(header, f"{r} ") for r in R_IDS}
    segments = evaluation.segments.filter(pl.col("in_scope"))
    expected = {(r["school_id"], LEVEL_ZH[r["level"]]): r for r in segments.iter_rows(named=True)}
    seen = set()
    for values, cells in _rows(sheet):
        if not isinstance(values["序号"], int):
            continue
        key = (values["学校标识码"], values["学段"])
        segment = expected[key]
        seen.add(key)
        assert values["学校名称"] == segment["name"]
        assert values["在校生数"] == segment["students"]
        for r in R_IDS:
            assert values[columns[r]] == pytest.approx(segment[r], rel=0, abs=1e-9)
            assert cells[columns[r]].number_format == "0.00"
        assert values["达标项数"] == segment["n_met"]
        assert values["是否达标"] == VERDICT[segment["passes"]]
    assert seen == set(expected)


def test_values_below_the_threshold_are_highlighted(workbook, evaluation):
    sheet = workbook["学校指标表"]
    header = [c.value for c in sheet[HEADER_ROW]]
    column = _column(header, "R2 ")
    fills = {}
    for values, cells in _rows(sheet):
        if isinstance(values["序号"], int):
            fills[values["学校名称"], values["学段"]] = cells[column].fill.fgColor.rgb
    assert fills["梨园乡中心小学", "小学"].endswith("F8CBAD")  # below 85 %: red
    assert fills["双庙乡中心小学", "小学"].endswith("FCE4D6")  # below threshold: orange
    assert fills["城关第一小学", "小学"] in (None, "00000000")


def test_threshold_and_85_percent_rows_close_the_school_table(workbook, evaluation):
    sheet = workbook["学校指标表"]
    header = [c.value for c in sheet[HEADER_ROW]]
    rows = {v["学校名称"]: v for v, _ in _rows(sheet)}
    items = {item.id: item for item in evaluation.standard.ratio_items}
    for level, level_zh in (("primary", "小学"), ("junior", "初中")):
        for r in R_IDS:
            column = _column(header, f"{r} ")
            threshold = items[r].threshold[level]
            assert rows[f"{level_zh}标准值"][column] == pytest.approx(threshold)
            assert rows[f"{level_zh}85%线"][column] == pytest.approx(threshold * 0.85)


def test_every_cv_equals_the_evaluation(workbook, evaluation):
    rows = _rows(workbook["差异系数表"])
    expected = {
        (LEVEL_ZH[r["level"]], r["indicator"]): r
        for r in evaluation.balance.filter(pl.col("county") == COUNTY).iter_rows(named=True)
    }
    assert len(rows) == len(expected)
    for values, cells in rows:
        row = expected[values["学段"], values["指标"]]
        for column, key in (("平均值", "mean"), ("标准差", "sd"), ("差异系数", "cv")):
            assert values[column] == pytest.approx(row[key], rel=0, abs=1e-9)
        assert cells["差异系数"].number_format == "0.000000"
        assert values["限值"] == row["limit"]
        assert values["结论"] == VERDICT[row["passes"]]
    failing = [v for v, _ in rows if v["结论"] == "未达标"]
    assert [(v["学段"], v["指标"]) for v in failing] == [("初中", "R2")]


@pytest.mark.parametrize(
    ("sheet", "parts"),
    [("政府保障程度", "G"), ("教育质量", "Q"), ("社会认可度与一票否决", "SV")],
)
def test_every_item_appears_with_its_verdict(workbook, evaluation, sheet, parts):
    rows = {v["编号"]: v for v, _ in _rows(workbook[sheet])}
    results = [r for r in evaluation.items[COUNTY] if r.item[0] in parts]
    assert results
    assert set(rows) == {r.item for r in results}
    for result in results:
        row = rows[result.item]
        labels = VETO if result.item.startswith("V") else VERDICT
        assert row["结论"] == labels[result.passes]
        assert row["实际情况"] == result.reason
        item = evaluation.standard.items[result.item]
        assert row["评估内容"] == item.name
        assert row["依据"] == item.source
        assert row["要求"] == requirement_text(item)


def test_requirements_read_as_chinese_not_formulas(evaluation):
    items = evaluation.standard.items
    assert "班级数 ÷ 12（向上取整），且不少于 1" in requirement_text(items["G3"])
    assert requirement_text(items["G5"]) == "最大班额：小学 ≤ 45，初中 ≤ 50"
    assert requirement_text(items["G1"]).endswith("：是")
    for item in items.values():
        if item.ratio is None:
            assert "classes" not in requirement_text(item)


def test_part_summaries_follow_the_part_verdicts(workbook, evaluation):
    notes = [
        cells[0].value
        for cells in workbook["政府保障程度"].iter_rows(min_row=HEADER_ROW + 1)
        if cells[0].value and sum(c.value is not None for c in cells) == 1
    ]
    assert any(n.startswith("政府保障程度结论：未达标（15 项中 11 项达标") for n in notes)


def test_gap_sheet_has_school_gaps_and_county_totals(workbook, evaluation):
    rows = [v for v, _ in _rows(workbook["差距测算"])]
    schools = [v for v in rows if not str(v["学校名称"]).startswith("全县合计")]
    totals = [v for v in rows if str(v["学校名称"]).startswith("全县合计")]
    assert len(schools) == evaluation.gaps.height
    assert len(totals) == evaluation.totals.height
    for row, expected in zip(schools, evaluation.gaps.iter_rows(named=True), strict=True):
        assert row["学校名称"] == expected["name"]
        assert row["达到标准值的缺口"] == pytest.approx(expected["shortfall"], abs=1e-9)
    sentences = {v["内容"] for v in totals}
    assert sentences == set(evaluation.totals["sentence"])
    for row, expected in zip(totals, evaluation.totals.iter_rows(named=True), strict=True):
        assert row["达到标准值的缺口"] == pytest.approx(expected["total"], abs=1e-9)


def test_print_settings_on_every_sheet(workbook):
    for name in workbook.sheetnames:
        sheet = workbook[name]
        assert sheet.page_setup.orientation == "landscape", name
        assert int(sheet.page_setup.paperSize) == 9, name  # A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert sheet.page_setup.fitToWidth in (None, 1), name  # 1 is the default, omitted
        assert sheet.page_setup.fitToHeight == 0, name
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}", name
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}", name
        assert "第 &P 页 共 &N 页" in sheet.oddFooter.center.text, name
        header = sheet[HEADER_ROW]
        assert all(c.border.top.style == "thin" for c in header), name
        assert all(c.alignment.wrap_text for c in header), name


def test_columns_are_wide_enough_for_chinese_names(workbook, evaluation):
    sheet = workbook["学校指标表"]
    longest = max(text_width(n) for n in evaluation.segments["name"])
    assert sheet.column_dimensions["B"].width >= longest
    assert text_width("学段") == 4 and text_width("R1") == 2


def test_a_missing_value_is_shown_as_missing_and_its_verdicts_undecided(gap_workbook):
    _, workbook = gap_workbook
    sheet = workbook["学校指标表"]
    header = [c.value for c in sheet[HEADER_ROW]]
    r7 = _column(header, "R7 ")
    row = next(
        v for v, _ in _rows(sheet) if v["学校标识码"] == MISSING_SCHOOL and v["学段"] == "小学"
    )
    assert row[r7] == MISSING_VALUE
    assert row["是否达标"] == "无法判定"
    cv = next(
        v for v, _ in _rows(workbook["差异系数表"]) if (v["学段"], v["指标"]) == ("小学", "R7")
    )
    assert cv["差异系数"] == NOT_COMPUTED
    assert cv["结论"] == "无法判定"
    # only that cell: every other value of the table is still a number
    texts = [
        v[c]
        for v, _ in _rows(sheet)
        if isinstance(v["序号"], int)
        for c in header
        if c and c[:2] in R_IDS and isinstance(v[c], str)
    ]
    assert texts == [MISSING_VALUE]


def test_the_file_is_replaced_atomically_and_readable_by_others(evaluation, tmp_path):
    target = tmp_path / "out" / "附表.xlsx"
    target.parent.mkdir()
    target.write_text("old")
    write_tables_xlsx(evaluation, target, COUNTY)
    assert openpyxl.load_workbook(target).sheetnames[0] == "学校指标表"
    assert os.stat(target).st_mode & 0o777 == 0o644
    assert [p.name for p in target.parent.iterdir()] == ["附表.xlsx"]


def test_an_unknown_county_is_refused(evaluation, tmp_path):
    with pytest.raises(KeyError, match="某县"):
        write_tables_xlsx(evaluation, tmp_path / "x.xlsx", "某县")
    assert not (tmp_path / "x.xlsx").exists()
