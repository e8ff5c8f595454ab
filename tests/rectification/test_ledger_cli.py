"""`junheng ledger problems` and `junheng ledger check`, through files as a county uses them:
list the problems into a workbook, fill it in, check it (overdue on a given day), break a cell.

With only two primary schools, P1's 4 m² per student against P2's 12 also puts the R4 CV over
0.50: mean 6,800 / 900 = 7.5556, weighted SD 3.9752, CV 0.526134.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
from typer.testing import CliRunner

from junheng.cli import app
from junheng.intake.writer import write_csv_folder
from tests.builders import dataset, school, segment

runner = CliRunner()


def _data(tmp_path):
    data = dataset(
        [school("P1"), school("P2")],
        [
            segment("P1", students=500, teaching_aux_area_m2=2000.0),
            segment("P2", students=400, max_class_size=50),
        ],
        facts={"special_ed_funds_per_student_yuan": 5000.0},
    )
    folder = tmp_path / "甲县数据"
    write_csv_folder(data, folder)
    return folder


def test_problems_then_fill_in_and_check(tmp_path):
    out = tmp_path / "问题清单.xlsx"
    command = ["ledger", "problems", str(_data(tmp_path)), "--out", str(out), "--year", "2026"]
    result = runner.invoke(app, command)
    assert result.exit_code == 0, result.output
    assert "甲县 问题清单（4 条）" in result.output
    # numbers people read: year, item, level in Chinese, school name (never the internal keys)
    # (the terminal table folds long numbers over lines; the workbook below holds them whole)
    assert "2026-G7" in result.output and "R4/primary" not in result.output
    book = openpyxl.load_workbook(out)
    sheet = book["整改台账"]
    assert sheet["A1"].value == "甲县问题清单"
    problems = [sheet.cell(r, 2).value for r in range(3, 7)]
    assert problems[0] == (
        "P1学校（小学）R4 生均教学及辅助用房面积未达标：4.00，标准 4.5；需新建教学及辅助用房 250 ㎡"
    )
    assert problems[1] == "小学 R4 生均教学及辅助用房面积校际差异系数超标：0.526134，上限 0.50"
    assert [sheet.cell(r, 14).value for r in range(3, 7)] == [
        "2026-R4-小学-P1学校",
        "2026-R4-小学-校际差异系数",
        "2026-G5-P2学校",
        "2026-G7",
    ]

    # An empty problem list is not yet a ledger: the check names the empty cells.
    unfilled = runner.invoke(app, ["ledger", "check", str(out)])
    assert unfilled.exit_code == 2
    assert "台账有 12 处错误" in unfilled.output

    deadlines = [dt.datetime(2026, 6, 30), dt.datetime(2026, 7, 1), dt.datetime(2026, 12, 31)]
    deadlines.append(dt.datetime(2026, 5, 1))
    for r, deadline in zip(range(3, 7), deadlines, strict=True):
        sheet.cell(r, 5, "县教体局")
        sheet.cell(r, 7, "张三")
        sheet.cell(r, 10, deadline)
    sheet.cell(5, 12, "已销号")  # G5/P2, deadline 2026-12-31
    sheet.cell(6, 12, "已销号")  # G7, closed after its deadline: not overdue
    book.save(out)
    checked = runner.invoke(app, ["ledger", "check", str(out), "--today", "2026-07-01"])
    assert checked.exit_code == 0, checked.output
    assert "共 4 条整改任务（未开始 1 条，逾期 1 条，已销号 2 条）" in checked.output
    assert "逾期 P1学校（小学）R4" in checked.output and "完成时限 2026-06-30" in checked.output

    sheet.cell(4, 10, "尽快")
    book.save(out)
    broken = runner.invoke(app, ["ledger", "check", str(out), "--today", "2026-07-01"])
    assert broken.exit_code == 2
    assert "「完成时限」列（单元格 J4）" in broken.output and "台账有 1 处错误" in broken.output


def test_check_refuses_a_bad_today(tmp_path):
    result = runner.invoke(app, ["ledger", "check", str(tmp_path / "x.xlsx"), "--today", "明天"])
    assert result.exit_code == 2
    assert "--today 应为日期" in result.output


def test_the_year_defaults_to_this_year_in_the_county_time_zone(tmp_path, monkeypatch):
    # 2026-12-31 16:30 UTC is 2027-01-01 00:30 in Beijing: the numbers carry 2027.
    monkeypatch.setattr(
        "junheng.clock.utc_now", lambda: dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)
    )
    result = runner.invoke(app, ["ledger", "problems", str(_data(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "2027-G7" in result.output and "2026-G7" not in result.output
