"""`junheng classes`, `junheng finance` and the plan parts of `junheng forecast`, end to end
through the command line, on the demo county with its plan tables and on files."""

import json
import re
from dataclasses import replace

import openpyxl
import polars as pl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from junheng import cli
from junheng.cli import app
from junheng.demo import demo_county
from junheng.demo_plans import with_plans
from junheng.intake.writer import write_csv_folder

runner = CliRunner()

# Lower-case words are ids and keys (primary, large, median, new_school …), never Chinese text.
ENGLISH_WORD = re.compile(r"[a-z]{3,}")


@pytest.fixture
def wide(monkeypatch):
    """A console wide enough that headers and sentences are not wrapped inside table cells."""
    monkeypatch.setattr(cli, "console", Console(highlight=False, width=240))
    monkeypatch.setattr(cli, "err", Console(stderr=True, highlight=False, width=240))


@pytest.fixture(scope="module")
def plain_folder(tmp_path_factory):
    """The demo county without any plan table, as a CSV folder."""
    folder = tmp_path_factory.mktemp("plain") / "示范县"
    write_csv_folder(demo_county(), folder)
    return folder


@pytest.fixture(scope="module")
def demo():
    full = demo_county(with_grades=True)
    return with_plans(full, 2026)


def _json(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- classes ------------------------------------------------------------------------------------


def test_classes_of_the_demo_print_bands_targets_and_g5(wide):
    result = runner.invoke(app, ["classes"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "未给出数据集，使用内置示范县（含 2022—2026 年班级学生数）" in out
    assert "示范县 班额（2022—2026 年秋季）" in out
    assert "大班额（56—65人）" in out and "超大班额（66人以上）" in out
    # The levels' standard sizes differ (45 and 50), so the range names both.
    assert "超标准班额（小学46—55人，初中51—55人）" in out
    assert "班级数合计" in out and "学生数合计" in out
    assert "目标" in out
    assert "2026年秋季：56人以上大班额 1 个（石桥镇中心小学 1 个），目标为 0 个，未实现" in out
    assert "G5 班额上限" in out and "石桥镇中心小学（小学）20 个，最大 56 人" in out
    assert not ENGLISH_WORD.search(out)


def test_classes_json_counts_the_demos_one_large_class(demo):
    payload = _json(["classes", "--json"])
    assert list(payload) == ["示范县"]
    data = payload["示范县"]
    assert {"bands", "years", "county", "townships", "schools", "targets", "g5"} <= set(data)
    assert data["years"] == [2022, 2023, 2024, 2025, 2026]
    county = {(r["year"], r["level"]): r for r in data["county"]}
    # 石桥镇中心小学 reports 1,380 pupils in 30 classes, the largest of 56: the other 29 share
    # 1,380 − 56 = 1,324 = 29 × 45 + 19, so 19 classes of 46 and 10 of 45. 56 is the first
    # size of 大班额 (56—65), 46 the first past the primary standard of 45.
    school = demo.segments.join(demo.schools, on="school_id").filter(
        pl.col("name") == "石桥镇中心小学"
    )
    assert school.select("students", "classes", "max_class_size").row(0) == (1380, 30, 56)
    # No other segment reports a class of 56 or more, so that class is the county's only one.
    others = demo.segments.filter(pl.col("school_id") != school["school_id"][0])
    assert others["max_class_size"].max() < 56
    primary = county[2026, "primary"]
    assert primary["bands"]["large"] == 1 and primary["bands"]["super_large"] == 0
    assert county[2026, "junior"]["bands"]["large"] == 0
    by_school = {(r["school"], r["year"], r["level"]): r["bands"] for r in data["schools"]}
    assert by_school["石桥镇中心小学", 2026, "primary"] == {
        "standard": 10,
        "over_standard": 19,
        "large": 1,
        "super_large": 0,
    }
    large = [t for t in data["targets"] if t["band"] == "large" and t["year"] == 2026]
    assert large[0]["met"] is False and large[0]["classes"] == 1


def test_classes_of_a_csv_folder_are_banded_at_each_edge(tmp_path):
    base = demo_county()
    ids = dict(zip(base.schools["name"], base.schools["school_id"], strict=True))
    primary, junior = ids["石桥镇中心小学"], ids["梨园乡初级中学"]
    rows = [(primary, 1, n) for n in (45, 46, 55, 56, 65, 66)] + [(junior, 7, n) for n in (50, 51)]
    classes = pl.DataFrame(
        {
            "school_id": [r[0] for r in rows],
            "year": [2026] * len(rows),
            "grade": [r[1] for r in rows],
            "class_name": [f"{i}班" for i in range(1, len(rows) + 1)],
            "students": [r[2] for r in rows],
        }
    )
    folder = tmp_path / "班额"
    write_csv_folder(replace(base, classes=classes), folder)
    data = _json(["classes", str(folder), "--json"])["示范县"]
    county = {r["level"]: r["bands"] for r in data["county"]}
    # Primary: 45 standard (at the line), 46 and 55 over it, 56 and 65 大班额, 66 超大班额.
    assert county["primary"] == {"standard": 1, "over_standard": 2, "large": 2, "super_large": 1}
    # Junior: 50 standard (at the line), 51 over it.
    assert county["junior"] == {"standard": 1, "over_standard": 1, "large": 0, "super_large": 0}


def test_classes_without_class_rows_name_the_sheet(plain_folder, wide):
    result = runner.invoke(app, ["classes", str(plain_folder)])
    assert result.exit_code == 2
    assert "没有班级学生数数据" in result.output and "“班级学生数”工作表" in result.output


def test_classes_of_an_unknown_county_are_refused(wide):
    result = runner.invoke(app, ["classes", "--county", "乙县"])
    assert result.exit_code == 2 and "数据中没有县区“乙县”" in result.output
    payload = _json(["classes", "--county", "示范县", "--json"])
    assert list(payload) == ["示范县"]


# --- finance ------------------------------------------------------------------------------------


def test_finance_json_finds_the_2024_land_revenue_shortfall():
    payload = _json(["finance", "--json"])
    years = {y["year"]: y for y in payload["示范县"]["years"]}
    assert sorted(years) == [2021, 2022, 2023, 2024, 2025]
    checks = {c["id"]: c for c in years[2024]["checks"]}
    land = checks["land_revenue"]
    # demo_plans: land revenue 412,000,000.00 − 3 × 18,500,000.00 = 356,500,000.00 in 2024 (the
    # fourth year); 10 % of it is 35,650,000.00, and 9.2 % went to education: 32,798,000.00;
    # short 35,650,000.00 − 32,798,000.00 = 2,852,000.00.
    assert land["passes"] is False
    assert land["value"] == pytest.approx(32_798_000.00)
    assert land["required"] == pytest.approx(35_650_000.00)
    assert land["shortfall"] == pytest.approx(2_852_000.00)
    # Urban surcharge: 18,640,000.00 + 3 × 520,000.00 = 20,200,000.00 collected, 1,250,000.00
    # kept back.
    assert checks["urban_surcharge"]["shortfall"] == pytest.approx(1_250_000.00)
    assert years[2024]["passes"] is False
    # 2025 allocates exactly 10 %: at the line, met.
    assert {c["id"]: c["passes"] for c in years[2025]["checks"]}["land_revenue"] is True
    first = {c["id"]: c for c in years[2021]["checks"]}
    assert first["education_expenditure"]["applicable"] is False


def test_finance_prints_years_by_checks_and_the_reasons(wide):
    result = runner.invoke(app, ["finance"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "未给出数据集，使用内置示范县（含 2021—2025 年县级教育经费）" in out
    assert "示范县 县级教育经费（2021—2025 年）" in out
    line = next(row for row in out.splitlines() if "土地出让收益按10%计提教育资金" in row)
    assert line.count("达标") == 5 and line.count("未达标") == 1
    first = next(row for row in out.splitlines() if "一般公共预算教育支出逐年只增不减" in row)
    assert "不适用" in first
    # The demo county states the province's share (16 %) every year: nothing is undecided.
    assert "未达标的原因" in out and "无法判定的原因" not in out
    assert "土地出让收益计提教育资金少 2,852,000.00 元，未达到要求" in out
    assert "要求不低于本县填报的省定比例 16%" not in out  # passing reasons are not printed
    assert not ENGLISH_WORD.search(out)


def test_finance_without_rows_or_with_bad_rules_says_why_in_chinese(plain_folder, tmp_path, wide):
    result = runner.invoke(app, ["finance", str(plain_folder)])
    assert result.exit_code == 2
    assert "没有县级教育经费数据" in result.output and "“县级教育经费”工作表" in result.output
    rules = tmp_path / "省规则.yaml"
    rules.write_text("extends: finance_checks.yaml\nnmae: 某省\n", encoding="utf-8")
    result = runner.invoke(app, ["finance", "--rules", str(rules)])
    assert result.exit_code == 2 and "教育经费检查文件" in result.output


# --- forecast -----------------------------------------------------------------------------------


def test_forecast_of_the_demo_prints_the_plan(wide):
    result = runner.invoke(app, ["forecast", "--target-year", "2028"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "建设项目和编制与招聘计划" in out.split("\n")[0]
    plan = out[out.index("创建规划") :]
    # demo_plans: four projects; the 2025 repair is already in the 2026 data, the new school
    # (2027-07-31) and the two 2027-08 projects come into use for autumn 2027 ≤ 2028.
    assert "建设项目 4 个，其中 3 个在 2028 年秋季前投入使用、计入预测（含新建学校 1 所）" in plan
    assert "2028 年学位与学位缺口（个）" in plan and "学位缺口" in plan
    assert "核定编制与在岗专任教师（人）" in plan and "教师招聘与调整计划（人）" in plan
    assert "规划时间线" in plan and "城南新区小学新建工程" in plan
    assert not re.search(r"[A-Za-z]", plan)


def test_forecast_json_keeps_its_keys_and_adds_the_plan(demo, tmp_path):
    workbook = tmp_path / "预测.xlsx"
    payload = _json(["forecast", "-y", "2028", "--json", "--out", str(workbook)])
    # With --json the workbook is still written; where it went is said on standard error.
    assert workbook.exists()
    old = {"target_year", "scenario", "base_year", "method", "projection", "backtest"}
    old |= {"backtest_note", "unprojected", "evaluation"}
    new = {"plans", "projects", "additions", "hires", "places", "posts", "timeline"}
    assert old | new <= set(payload)
    projects = {p["project_id"]: p for p in payload["projects"]}
    assert projects["2026-01"]["finish"] == "2027-07-31"
    assert projects["2025-01"]["counted"] is False and projects["2026-01"]["counted"] is True
    primary = next(r for r in payload["places"]["counties"] if r["level"] == "primary")
    # The new 城南新区小学 adds its 1,620 primary places (demo_plans) in 城关镇.
    assert primary["project_places"] == 1620
    # 梨园乡初级中学: 38 approved posts; 2027 brings 2 hires and no leavers.
    school = demo.schools.filter(pl.col("name") == "梨园乡初级中学")["school_id"][0]
    now = demo.segments.filter(pl.col("school_id") == school)["teachers"][0]
    posts = {(r["school"], r["year"]): r for r in payload["posts"]}
    assert posts["梨园乡初级中学", 2028]["teachers"] == now + 2
    assert posts["梨园乡初级中学", 2028]["vacant"] == max(0, 38 - (now + 2))
    assert [e["kind"] for e in payload["timeline"]][-1] == "staffing"


def test_forecast_out_writes_the_workbook(tmp_path, wide):
    path = tmp_path / "预测" / "示范县2028年预测.xlsx"
    result = runner.invoke(app, ["forecast", "-y", "2028", "--out", str(path)])
    assert result.exit_code == 0, result.output
    assert f"示范县预测工作簿已写入：{path}" in result.output
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames[:2] == ["说明", "在校生预测"]
    result = runner.invoke(app, ["forecast", "-y", "2028", "--out", str(tmp_path / "预测.csv")])
    assert result.exit_code == 2 and "应为 .xlsx 文件" in result.output


@pytest.fixture(scope="module")
def two_counties(tmp_path_factory, demo):
    """The demo with its plan tables and a second county, 乙县, of one school copied from the
    demo's first, without class, finance or grade rows."""
    first = demo.schools.row(0, named=True)
    school = pl.DataFrame([{**first, "school_id": "Y1", "name": "乙县小学", "county": "乙县"}])
    segment = demo.segments.filter(pl.col("school_id") == first["school_id"]).head(1)
    segment = segment.with_columns(pl.lit("Y1").alias("school_id"))
    both = replace(
        demo,
        schools=pl.concat([demo.schools, school.cast(demo.schools.schema)]),
        segments=pl.concat([demo.segments, segment]),
    )
    folder = tmp_path_factory.mktemp("two") / "两县"
    write_csv_folder(both, folder)
    return folder


def test_classes_of_two_counties_say_which_has_no_class_rows(two_counties, wide):
    result = runner.invoke(app, ["classes", str(two_counties)])
    assert result.exit_code == 0, result.output
    assert "示范县 班额（2022—2026 年秋季）" in result.output
    assert "乙县：没有班级学生数数据，未统计班额。" in result.output
    result = runner.invoke(app, ["classes", str(two_counties), "--county", "乙县"])
    assert result.exit_code == 2 and "乙县没有班级学生数数据" in result.output
    result = runner.invoke(app, ["finance", str(two_counties), "--county", "乙县", "--json"])
    assert result.exit_code == 2 and "乙县没有县级教育经费数据" in result.output


def test_forecast_out_of_two_counties_writes_a_workbook_each(two_counties, tmp_path, wide):
    path = tmp_path / "预测.xlsx"
    result = runner.invoke(app, ["forecast", str(two_counties), "-y", "2027", "--out", str(path)])
    assert result.exit_code == 0, result.output
    for county in ("示范县", "乙县"):
        written = tmp_path / f"预测-{county}.xlsx"
        assert f"{county}预测工作簿已写入：{written}" in result.output
        assert openpyxl.load_workbook(written, read_only=True).sheetnames[0] == "说明"
    assert not path.exists()
