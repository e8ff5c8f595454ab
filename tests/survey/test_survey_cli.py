"""`junheng survey plan` on a small written dataset."""

import openpyxl
from typer.testing import CliRunner

from junheng import cli
from junheng.cli import app
from junheng.intake.writer import write_csv_folder
from tests.builders import dataset, school, segment

runner = CliRunner()


def _data(tmp_path, counties=("甲县",)):
    schools, segments = [], []
    for n, county in enumerate(counties):
        schools += [
            school(f"a{n}", county=county, area_type="urban"),
            school(f"b{n}", county=county, area_type="rural"),
        ]
        segments += [segment(f"a{n}", students=900), segment(f"b{n}", students=300)]
    folder = tmp_path / "data"
    write_csv_folder(dataset(schools, segments), folder)
    return folder


def test_plan_prints_quotas_and_writes_the_workbook(tmp_path, monkeypatch):
    # The console is created at import, so COLUMNS given to one invocation does not widen it;
    # a wide console keeps each explanation on one line of its table cell.
    monkeypatch.setattr(cli.console, "width", 200)
    out = tmp_path / "抽样方案.xlsx"
    args = ["survey", "plan", str(_data(tmp_path)), "--population", "352000", "--out", str(out)]
    result = runner.invoke(app, [*args, "--area-population", "城区=200000"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "常住人口 352,000 × 1.5‰ = 528，低于 600，取 600" in result.output
    assert "甲县各校调查配额" in result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["样本构成", "各校配额", "城乡配额", "年级配额"]
    rows = list(book["各校配额"].iter_rows(min_row=4, values_only=True))
    # parents 300 by enrolment 900 : 300 → 225 and 75
    assert [r[5] for r in rows] == [225, 75, 300]
    # only urban population given: the area-based groups all go to the urban area (50 each)
    areas = {r[0]: r for r in book["城乡配额"].iter_rows(min_row=4, values_only=True)}
    assert areas["城区"][5:8] == (50, 50, 50)
    assert areas["合计"][-1] == 600


def test_plan_messages(tmp_path):
    two = _data(tmp_path, ("甲县", "乙县"))
    result = runner.invoke(app, ["survey", "plan", str(two), "--population", "500000"])
    assert result.exit_code == 2
    assert "数据含 2 个县区，请用 --county 指定：甲县、乙县" in result.output
    result = runner.invoke(
        app, ["survey", "plan", str(two), "--population", "500000", "--county", "乙县"]
    )
    assert result.exit_code == 0 and "常住人口 500,000 × 1.5‰ = 750" in result.output
    args = ["survey", "plan", str(two), "--population", "1", "--county", "甲县"]
    result = runner.invoke(app, [*args, "--area-population", "县城=5"])
    assert result.exit_code == 2 and "城乡人口写法应为 城区=150000" in result.output
    result = runner.invoke(
        app, ["survey", "plan", str(two), "--population", "1", "--county", "甲县", "--rules", "x"]
    )
    assert result.exit_code == 2 and "没有这个调查规则；可用的有：national" in result.output
