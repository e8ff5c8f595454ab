"""The command line, end to end through files, as a county's IT person uses it."""

import json

import openpyxl
import pytest
from typer.testing import CliRunner

from junheng.cli import app
from junheng.core.evaluate import evaluate
from junheng.demo import demo_county
from junheng.standards import load_standard

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = runner.invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_demo_prints_the_verdict_and_writes_json_xlsx_and_data(demo_out):
    out, output = demo_out
    assert "示范县" in output and "评估结论" in output
    assert "✗ 未达标" in output
    assert "初中（≤ 0.45）" in output
    assert "培养认定小学县级及以上骨干教师" in output
    payload = json.loads((out / "evaluation.json").read_text(encoding="utf-8"))
    assert payload["counties"][0]["county"] == "示范县"
    workbook = openpyxl.load_workbook(out / "评估结果.xlsx", read_only=True)
    assert workbook.sheetnames[:3] == ["总体结论", "学段指标", "差异系数"]
    first = next(workbook["总体结论"].iter_rows(min_row=2, values_only=True))
    assert first[:2] == ("示范县", "未达标")
    assert (out / "示范县数据" / "segments.csv").exists()


def test_evaluating_the_written_demo_data_gives_the_same_json(demo_out):
    out, _ = demo_out
    result = runner.invoke(app, ["evaluate", str(out / "示范县数据"), "--json"])
    assert result.exit_code == 0, result.output
    from_files = json.loads(result.stdout)
    in_memory = json.loads(
        json.dumps(evaluate(demo_county(), load_standard()).to_dict(), ensure_ascii=False)
    )
    assert from_files == in_memory


def test_xlsx_cv_values_equal_the_engine(demo_out):
    out, _ = demo_out
    evaluation = evaluate(demo_county(), load_standard())
    expected = {
        (r["level"], r["indicator"]): r["cv"] for r in evaluation.balance.iter_rows(named=True)
    }
    sheet = openpyxl.load_workbook(out / "评估结果.xlsx", read_only=True)["差异系数"]
    level = {"小学": "primary", "初中": "junior"}
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 14
    for row in rows:
        assert row[7] == pytest.approx(expected[level[row[1]], row[2]], abs=1e-12)


def test_policy_and_standard_options(demo_out):
    out, _ = demo_out
    data = str(out / "示范县数据")
    result = runner.invoke(app, ["evaluate", data, "--json", "-p", "comparison_decimals=2"])
    assert json.loads(result.stdout)["policies"]["comparison_decimals"] == 2
    result = runner.invoke(app, ["evaluate", data, "--json", "--standard", "liaoning"])
    payload = json.loads(result.stdout)
    assert payload["standard"] == "liaoning"
    assert payload["counties"][0]["items"]["G7"]["passes"] is False  # 6500 < 8000


def test_bad_policy_and_unknown_standard_give_chinese_errors(demo_out):
    out, _ = demo_out
    data = str(out / "示范县数据")
    result = runner.invoke(app, ["evaluate", data, "-p", "teaching_point_mode=sometimes"])
    assert result.exit_code == 2
    assert "teaching_point_mode" in result.output and "无效" in result.output
    result = runner.invoke(app, ["evaluate", data, "--standard", "mars-2099"])
    assert result.exit_code == 2 and "没有这个标准" in result.output
    result = runner.invoke(app, ["evaluate", data, "-p", "comparison_decimals"])
    assert result.exit_code == 2 and "名称=取值" in result.output


def test_a_dataset_with_errors_is_not_evaluated(tmp_path, demo_out):
    out, _ = demo_out
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in (out / "示范县数据").iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    segments = (broken / "segments.csv").read_text(encoding="utf-8").splitlines()
    header = segments[0].split(",")
    cells = segments[1].split(",")
    cells[header.index("students")] = "12a"
    segments[1] = ",".join(cells)
    (broken / "segments.csv").write_text("\n".join(segments) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(broken)])
    assert result.exit_code == 2
    assert "未进行评估" in result.output
    assert "segments.csv" in result.output and "12a" in result.output
    assert "评估结论" not in result.output


def test_missing_path(tmp_path):
    result = runner.invoke(app, ["evaluate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2 and "找不到数据" in result.output


def test_gaps_command_lists_school_gaps_totals_and_cv_contributors(demo_out):
    out, _ = demo_out
    result = runner.invoke(app, ["gaps", str(out / "示范县数据")])
    assert result.exit_code == 0, result.output
    assert "梨园乡中心小学" in result.output
    assert "全县合计" in result.output
    assert "差异系数超限" in result.output
    result = runner.invoke(app, ["gaps", str(out / "示范县数据"), "--json"])
    payload = json.loads(result.stdout)
    assert {"gaps", "totals", "cv_contributors"} <= set(payload)
    assert payload["cv_contributors"][0]["indicator"] == "R2"


def test_standards_list_and_show():
    result = runner.invoke(app, ["standards"])
    assert result.exit_code == 0
    for sid in ("national-2017", "chongqing-quota-60", "liaoning"):
        assert sid in result.output
    result = runner.invoke(app, ["standards", "chongqing-quota-60"])
    assert result.exit_code == 0
    assert "≥ 60%" in result.output
    assert "comparison_decimals" in result.output


def test_generate_writes_a_synthetic_dataset_that_evaluates(tmp_path):
    result = runner.invoke(app, ["generate", str(tmp_path / "big"), "--counties", "3"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["evaluate", str(tmp_path / "big"), "--json"])
    assert result.exit_code == 0, result.output
    assert [c["county"] for c in json.loads(result.stdout)["counties"]] == [
        "县0001",
        "县0002",
        "县0003",
    ]


def test_templates_then_import_then_evaluate(tmp_path, demo_out):
    out, _ = demo_out
    data = str(out / "示范县数据")
    result = runner.invoke(
        app, ["template", "county", str(tmp_path / "全县.xlsx"), "--schools", data]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "全县.xlsx", read_only=True)
    assert {"填报说明", "学校", "学段", "县级指标", "学校指标"} <= set(book.sheetnames)
    result = runner.invoke(
        app, ["template", "schools", data, "--out", str(tmp_path / "册"), "--previous", data]
    )
    assert result.exit_code == 0, result.output
    forms = sorted((tmp_path / "册").glob("*.xlsx"))
    assert len(forms) == 59  # every school but the special-education one
    # Blank forms carry no data yet: importing them is refused, nothing is written.
    result = runner.invoke(app, ["import", *map(str, forms[:3]), "--into", str(tmp_path / "集")])
    assert result.exit_code == 2
    assert "未写入任何数据" in result.output
    assert (tmp_path / "导入报告" / "导入问题清单.xlsx").exists()
    assert not (tmp_path / "集").exists()


def test_import_command_writes_the_dataset(tmp_path):
    from junheng.intake.writer import write_xlsx

    write_xlsx(demo_county(), tmp_path / "全县.xlsx", chinese_headers=True)
    result = runner.invoke(
        app, ["import", str(tmp_path / "全县.xlsx"), "--into", str(tmp_path / "集")]
    )
    assert result.exit_code == 0, result.output
    assert "导入完成" in result.output
    result = runner.invoke(app, ["evaluate", str(tmp_path / "集"), "--json"])
    assert json.loads(result.stdout)["counties"][0]["county"] == "示范县"


def test_report_command_writes_the_self_evaluation_and_tables(tmp_path, demo_out):
    out, _ = demo_out
    data = str(out / "示范县数据")
    for kind in ("self-evaluation", "tables"):
        result = runner.invoke(app, ["report", data, "--kind", kind, "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
    assert (tmp_path / "示范县" / "示范县自评报告.docx").stat().st_size > 50_000
    tables = openpyxl.load_workbook(tmp_path / "示范县" / "示范县评估附表.xlsx", read_only=True)
    assert "差异系数表" in tables.sheetnames
    result = runner.invoke(app, ["report", data, "--kind", "poster"])
    assert result.exit_code == 2 and "报告类型" in result.output
    result = runner.invoke(app, ["report", data, "--county", "别县", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "示范县" in result.output
