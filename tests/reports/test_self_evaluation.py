"""The 自评报告 read back from the .docx: every printed number is the evaluation's."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import polars as pl
import pytest
from docx import Document

from junheng.core.evaluate import evaluate
from junheng.core.schema import LEVELS
from junheng.core.wording import policy_text
from junheng.demo import DEMO_COUNTY
from junheng.reports import pdf as pdf_module
from junheng.reports.pdf import PdfUnavailable, pdf_available, pdf_to_png, to_pdf
from junheng.reports.self_evaluation import (
    MISSING,
    VERDICT,
    VETO,
    fmt_cv,
    fmt_mark,
    write_self_evaluation,
)
from junheng.standards import load_standard
from tests.reports.docx_reading import all_text, body, header

HEADINGS = (
    "一、基本情况",
    "二、主要做法与成效",
    "三、资源配置",
    "四、政府保障程度",
    "五、教育质量",
    "六、社会认可度",
    "七、存在的问题",
    "八、整改措施与计划",
)
SEGMENT_HEADER = ("学校名称", "在校生数")
CV_HEADER = ("指标", "指标名称", "学校数", "加权平均值", "加权标准差", "差异系数", "限值", "结论")
ITEM_HEADER = ("编号", "评估内容", "要求", "实际情况", "结论")
VETO_HEADER = ("编号", "情形", "核查结果", "情况说明")
MISSING_SCHOOL = "2152010003"  # 城关第三小学, a plain primary school


@pytest.fixture(scope="module")
def report(demo, tmp_path_factory) -> Path:
    dataset, evaluation = demo
    path = tmp_path_factory.mktemp("report") / "自评报告.docx"
    tasks = [
        {
            "problem": "双庙乡王营小学生均体育运动场馆面积不足",
            "measure": "新建体育运动场馆142.50平方米",
            "lead_unit": "县教育局",
            "responsible": "张三",
            "deadline": dt.date(2027, 8, 31),
        }
    ]
    return write_self_evaluation(
        evaluation, DEMO_COUNTY, path, dataset=dataset, tasks=tasks, date=dt.date(2026, 11, 20)
    )


@pytest.fixture(scope="module")
def doc(report):
    return Document(str(report))


def test_headings_in_order_and_in_outline(doc):
    level1 = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert level1[: len(HEADINGS)] == list(HEADINGS)
    assert "附表" in level1
    level2 = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert "（一）学校和在校生" in level2
    # the styles carry outline levels, which is what puts headings into the TOC
    for level in (1, 2):
        ppr = doc.styles[f"Heading {level}"].element.pPr
        assert ppr.xpath("./w:outlineLvl/@w:val") == [str(level - 1)]


def test_toc_field_and_update_on_open(doc):
    xml = doc.element.body.xml
    assert 'TOC \\o "1-2"' in xml
    settings = doc.settings.element.xml
    assert '<w:updateFields w:val="true"/>' in settings


def test_east_asian_fonts_are_set(doc):
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == (
        "仿宋_GB2312"
    )
    heading = doc.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    ) == ("黑体")


def test_cover_names_county_unit_and_date(doc):
    first = [p.text for p in doc.paragraphs[:8]]
    assert DEMO_COUNTY in first
    assert f"{DEMO_COUNTY}人民政府教育督导室" in first
    assert "二〇二六年十一月" in first


def test_every_r_value_is_the_evaluations(doc, demo):
    _, evaluation = demo
    items = evaluation.standard.ratio_items
    tables = [t for t in doc.tables if header(t)[:2] == SEGMENT_HEADER and "R1" in header(t)[2]]
    assert len(tables) == 2
    scoped = evaluation.segments.filter((pl.col("county") == DEMO_COUNTY) & pl.col("in_scope"))
    for table, (level, _) in zip(tables, LEVELS, strict=True):
        expected = scoped.filter(pl.col("level") == level)
        rows = body(table)
        assert len(rows) == expected.height
        for cells, seg in zip(rows, expected.iter_rows(named=True), strict=True):
            assert cells[0] == seg["name"]
            assert cells[1] == str(seg["students"])
            for k, item in enumerate(items):
                text = cells[2 + k]
                threshold = item.threshold[level]
                assert text == fmt_mark(item.id, seg[item.id], threshold, seg[f"{item.id}_met"])
                # independent of the formatter: the printed number is the value, rounded
                number = float(text.rstrip("✓✗"))
                decimals = len(text.rstrip("✓✗").partition(".")[2])
                assert abs(number - seg[item.id]) <= 0.5 * 10**-decimals + 1e-12
                assert text.endswith("✓" if seg[f"{item.id}_met"] else "✗")
            assert cells[-2] == str(seg["n_met"])
            assert cells[-1] == VERDICT[seg["passes"]]


def test_hand_checked_segment_values(doc):
    rows = {
        r[0]: r
        for t in doc.tables
        if header(t)[:2] == SEGMENT_HEADER and "R1" in header(t)[2]
        for r in body(t)
    }
    # 梨园乡中心小学: 2 backbone teachers for 320 students = 0.625 per 100 → printed 0.62, unmet
    assert rows["梨园乡中心小学"][3] == "0.62✗"
    # 双庙乡王营小学: 570 m² of sports area for 95 students = 6.00 m² per student
    assert rows["双庙乡王营小学"][6] == "6.00✗"
    assert rows["双庙乡王营小学"][-1] == "未达标"


def test_every_cv_is_the_evaluations(doc, demo):
    _, evaluation = demo
    tables = [t for t in doc.tables if header(t) == CV_HEADER]
    assert len(tables) == 2
    for table, (level, _) in zip(tables, LEVELS, strict=True):
        expected = evaluation.balance.filter(
            (pl.col("county") == DEMO_COUNTY) & (pl.col("level") == level)
        )
        rows = body(table)
        assert [r[0] for r in rows] == expected["indicator"].to_list()
        for cells, r in zip(rows, expected.iter_rows(named=True), strict=True):
            assert cells[5] == fmt_cv(r["cv"], r["limit"], r["passes"], evaluation.standard)
            assert len(cells[5].partition(".")[2]) >= 3
            assert abs(float(cells[5]) - r["cv"]) <= 0.0005
            assert abs(float(cells[3]) - r["mean"]) <= 0.0005
            assert abs(float(cells[4]) - r["sd"]) <= 0.0005
            assert cells[2] == str(r["n"])
            assert cells[7] == VERDICT[r["passes"]]
    junior = {r[0]: r for r in body(tables[1])}
    assert junior["R2"][5] == "0.488"  # 0.487550 in the evaluation, over the 0.45 limit
    assert junior["R2"][7] == "未达标"


def test_every_item_verdict_is_the_evaluations(doc, demo):
    _, evaluation = demo
    printed: dict[str, str] = {}
    for table in doc.tables:
        if header(table) == ITEM_HEADER:
            printed.update({r[0]: r[4] for r in body(table)})
        elif header(table) == VETO_HEADER:
            printed.update({r[0]: r[2] for r in body(table)})
    results = evaluation.items[DEMO_COUNTY]
    assert set(printed) == {r.item for r in results}
    for result in results:
        labels = VETO if result.item.startswith("V") else VERDICT
        assert printed[result.item] == labels[result.passes], result.item
    assert printed["G11"] == "未达标"
    assert printed["S1"] == "达标"


def test_item_values_and_evidence(doc):
    rows = {r[0]: r for t in doc.tables if header(t) == ITEM_HEADER for r in body(t)}
    assert "交流轮岗教师中骨干教师比例：17.0%" in rows["G11"][3]
    assert "佐证材料：2024年符合交流条件教师442人，交流轮岗53人；" in rows["G11"][3]
    assert "教师平均工资收入（与当地公务员平均工资收入比较）：98,640元" in rows["G8"][3]
    # S1 from the survey answers: 546 favourable of 620
    assert "社会认可度：88.1%" in rows["S1"][3]


def test_standard_and_policies_are_stated(doc, demo):
    _, evaluation = demo
    text = all_text(doc)
    standard = evaluation.standard
    basis = next(p.text for p in doc.paragraphs if p.text.startswith("评估依据为"))
    # the standard by its name and version; its id is a file name, not for readers
    assert f"《{standard.name}》（版本 {standard.version}）" in basis
    assert standard.id not in text
    stated = next(p.text for p in doc.paragraphs if p.text.startswith("本次评估采用的口径"))
    for key, policy in standard.policies.items():
        assert policy_text(standard, key) in stated
        assert policy.name in text
        assert key not in text
    # choices by their labels, the tolerance of 1e-12 without e-notation
    assert "教学点处理方式：单独作为评估对象（人数不足的不纳入）" in stated
    assert "一贯制学校共享设施分摊方式：按加权在校生数分摊" in stated
    assert "数值比较容差：1×10⁻¹²" in stated
    assert "差异系数舍入规则：四舍五入" in stated
    assert "separate" not in text and "weighted" not in text and "1e-12" not in text
    assert "half_up" not in text
    # the comparison rule in words: exact at the line, CVs at full precision by default
    rule = next(p.text for p in doc.paragraphs if p.text.startswith("各项指标按填报数据"))
    assert "恰好等于标准值的判为达标，差一分钱、0.01 平方米也判为未达到" in rule
    assert rule.endswith("差异系数按完整精度与限值比较。")


def test_basic_facts_come_from_the_data(doc, demo):
    dataset, evaluation = demo
    segments = evaluation.segments.filter(pl.col("county") == DEMO_COUNTY)
    students = int(segments["students"].sum())
    schools = dataset.schools.filter(pl.col("county") == DEMO_COUNTY).height
    intro = next(p.text for p in doc.paragraphs if p.text.startswith("全县共有义务教育阶段学校"))
    assert f"{schools}所" in intro
    assert f"在校生{students}人" in intro
    excluded = next(t for t in doc.tables if header(t)[-1] == "原因")
    reasons = {r[0]: r[-1] for r in body(excluded)}
    assert reasons["梨园村教学点"] == "教学点在校生 49 人，少于 50 人，不纳入评估范围"


def test_problems_and_measures_carry_the_gap_quantities(doc):
    text = all_text(doc)
    # 126.0 + 183.8 + 142.5 m² short at three primary schools
    assert "全县有3所小学生均体育运动场馆面积未达到7.5平方米，合计缺口452.30平方米。" in text
    assert "新建小学体育运动场馆452.30平方米（涉及3所学校）" in text
    assert "培养认定小学县级及以上骨干教师4人（涉及3所学校）" in text
    assert "初中每百名学生拥有县级以上骨干教师数校际差异系数为0.488，超过0.45的限值" in text
    assert "城关第一小学（义务教育阶段在校生数：2260人（要求 ≤ 2000人），未达到要求）" in text


def test_tasks_are_rendered_as_a_table(doc):
    table = next(t for t in doc.tables if header(t)[0] == "存在问题")
    assert header(table) == ("存在问题", "整改措施", "牵头单位", "责任人", "完成时限")
    assert body(table)[0][-1] == "2027年8月31日"


def test_without_tasks_the_missing_ledger_is_named_not_a_placeholder(demo, tmp_path):
    dataset, evaluation = demo
    path = write_self_evaluation(
        evaluation, DEMO_COUNTY, tmp_path / "r.docx", dataset=dataset, charts=False
    )
    text = all_text(Document(str(path)))
    assert "整改台账尚未建立任务：" in text
    assert "【" not in text and "待填写" not in text


def test_charts_are_embedded(doc):
    # parts chart, two CV charts and one chart per failing indicator
    assert len(doc.inline_shapes) >= 4


@pytest.fixture(scope="module")
def missing_doc(demo, tmp_path_factory):
    dataset, _ = demo
    segments = dataset.segments.with_columns(
        pl.when(pl.col("school_id") == MISSING_SCHOOL)
        .then(None)
        .otherwise(pl.col("multimedia_rooms"))
        .alias("multimedia_rooms")
    )
    facts = dataset.county_facts.with_columns(
        pl.lit(None, pl.Float64).alias("special_ed_funds_per_student_yuan")
    )
    broken = dataclasses.replace(dataset, segments=segments, county_facts=facts)
    evaluation = evaluate(broken, load_standard())
    path = tmp_path_factory.mktemp("missing") / "r.docx"
    write_self_evaluation(evaluation, DEMO_COUNTY, path, dataset=broken, charts=False)
    return Document(str(path))


def test_missing_data_is_named_not_printed_as_numbers(missing_doc):
    text = all_text(missing_doc)
    rows = {
        r[0]: r
        for t in missing_doc.tables
        if header(t)[:2] == SEGMENT_HEADER and "R1" in header(t)[2]
        for r in body(t)
    }
    assert rows["城关第三小学"][8] == MISSING  # R7
    assert rows["城关第三小学"][-1] == "无法判定"
    assert (
        "城关第三小学（小学）R7 每百名学生拥有网络多媒体教室数无法计算：缺少网络多媒体教室数"
        in text
    )
    primary_cv = next(t for t in missing_doc.tables if header(t) == CV_HEADER)
    cv = {r[0]: r for r in body(primary_cv)}
    assert cv["R7"][5] == MISSING
    assert "小学有 1 所学校的 R7 无法计算，差异系数无法判定" in text
    items = {r[0]: r for t in missing_doc.tables if header(t) == ITEM_HEADER for r in body(t)}
    assert items["G7"][4] == "无法判定"
    assert f"特殊教育学校生均公用经费：{MISSING}" in items["G7"][3]
    assert (
        "G7 特殊教育学校生均公用经费不低于6000元无法判定：缺少特殊教育学校生均公用经费数据" in text
    )


def test_pdf_unavailable_message(monkeypatch, report, tmp_path):
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    with pytest.raises(PdfUnavailable) as raised:
        to_pdf(report, tmp_path)
    assert str(raised.value) == (
        "未找到 LibreOffice（soffice），无法导出 PDF；"
        "请安装 LibreOffice 后重试，或直接使用 .docx 文件"
    )


@pytest.mark.skipif(not pdf_available(), reason="LibreOffice（soffice）未安装，跳过 PDF 导出")
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm 未安装，跳过转图")
def test_renders_to_pdf_and_png(report, tmp_path):
    pdf = to_pdf(report, tmp_path)
    assert pdf.name == "自评报告.pdf" and pdf.stat().st_size > 0
    pages = pdf_to_png(pdf, tmp_path / "png", dpi=30)
    assert len(pages) >= 5
    assert [p.name for p in pages[:2]] == ["自评报告-01.png", "自评报告-02.png"] or all(
        re.fullmatch(r"自评报告-\d+\.png", p.name) for p in pages
    )
