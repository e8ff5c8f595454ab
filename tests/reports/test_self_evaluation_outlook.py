"""九、创建规划与目标年预测 of the 自评报告: the plan's checks as the evaluation carries them and
the forecast of the report's dataset, with a sentence for every part without its data."""

from __future__ import annotations

import docx
import pytest

from junheng.core.evaluate import evaluate
from junheng.core.forecast import forecast
from junheng.demo import demo_county
from junheng.demo_plans import with_plans
from junheng.reports.self_evaluation import write_self_evaluation
from junheng.standards import DEFAULT_STANDARD, load_standard
from tests.reports.docx_reading import all_text, body, header


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    dataset = with_plans(demo_county(with_grades=True), 2026)
    evaluation = evaluate(dataset, load_standard(DEFAULT_STANDARD))
    path = tmp_path_factory.mktemp("outlook") / "report.docx"
    write_self_evaluation(
        evaluation, "示范县", path, dataset=dataset, target_year=2027, charts=False
    )
    return dataset, evaluation, docx.Document(str(path))


def _chapter(doc) -> str:
    text = all_text(doc)
    start = text.index("创建规划与目标年预测", text.index("整改措施与计划") + 1)
    return text[start:]


def _table(doc, caption_words: str):
    for table in doc.tables:
        if caption_words in "".join(header(table)):
            return table
    raise AssertionError(caption_words)


def test_the_chapter_follows_the_measures_with_its_five_parts(planned):
    _, _, doc = planned
    chapter = _chapter(doc)
    for part in ("班额", "教育经费保障", "建设项目与学位", "教师编制与招聘", "目标年评估预测"):
        assert part in chapter


def test_class_bands_of_2026_count_the_one_class_of_56(planned):
    _, _, doc = planned
    table = _table(doc, "标准班额")
    rows = {(r[0], r[1]): r for r in body(table)}
    # 石桥镇中心小学's class of 56 is the county's only class in 56–65 (大班额) in 2026.
    columns = list(header(table))
    assert rows[("2026年", "小学")][columns.index("大班额")] == "1"
    assert rows[("2026年", "小学")][columns.index("超大班额")] == "0"


def test_finance_names_the_2024_land_revenue_shortfall(planned):
    _, _, doc = planned
    chapter = _chapter(doc)
    # 356,500,000.00 × 10 % = 35,650,000.00 required; 32,798,000.00 given: 2,852,000.00 short.
    assert "35,650,000.00" in chapter
    assert "少 2,852,000.00 元" in chapter


def test_projects_places_and_the_forecast_verdict(planned):
    dataset, _, doc = planned
    chapter = _chapter(doc)
    projects = _table(doc, "项目名称")
    counted = {r[0]: r[-1] for r in body(projects)}
    assert counted["城南新区小学新建工程"] == "计入"
    # Finished in 2025, before the latest data year (2026): its rooms are already in the 2026
    # figures — the words of the forecast page's timeline, not "不计入".
    assert counted["双庙乡中心小学校舍维修"] == "已含在现状"
    assert "建设项目新增 1,620 个" in chapter
    expected = forecast(dataset, 2027, "median", standard=load_standard(DEFAULT_STANDARD))
    verdict = {True: "达标", False: "未达标", None: "无法判定"}[
        expected.evaluation.verdicts["示范县"].passes
    ]
    assert f"2027年秋季（中方案）全县评估结论为：{verdict}" in chapter


def test_without_plan_tables_or_grades_each_part_says_what_is_missing(tmp_path):
    dataset = demo_county()
    evaluation = evaluate(dataset, load_standard(DEFAULT_STANDARD))
    path = write_self_evaluation(
        evaluation, "示范县", tmp_path / "r.docx", dataset=dataset, charts=False
    )
    chapter = _chapter(docx.Document(str(path)))
    assert "未填报“班级学生数”" in chapter
    assert "未填报“县级教育经费”" in chapter
    assert "未填报近年各校“年级在校生”" in chapter
