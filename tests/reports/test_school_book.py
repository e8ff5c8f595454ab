"""一校一册 read back from the .docx, and the booklets of a whole county."""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile

import polars as pl
import pytest
from docx import Document

from junheng.core.evaluate import Evaluation, evaluate
from junheng.demo import DEMO_COUNTY
from junheng.reports.pdf import pdf_available, pdf_to_png, to_pdf
from junheng.reports.school_book import (
    NO_HISTORY,
    NO_TASKS,
    book_filename,
    write_school_book,
    write_school_books,
)
from junheng.reports.self_evaluation import MISSING, VERDICT, fmt_indicator, fmt_mark
from junheng.standards import load_standard
from tests.reports.docx_reading import all_text, body, header

NINE_YEAR = "2152100002"  # 东岭乡九年一贯制学校: 240 primary and 190 junior students
INDICATOR_HEADER = ("指标", "指标名称", "标准值", "85%底线", "本校值", "计算", "达标情况")


@pytest.fixture(scope="module")
def book(demo, tmp_path_factory):
    dataset, evaluation = demo
    path = tmp_path_factory.mktemp("book") / "book.docx"
    write_school_book(
        evaluation,
        DEMO_COUNTY,
        NINE_YEAR,
        path,
        dataset=dataset,
        history={"2024": evaluation, "2025": evaluation},
        tasks=[{"problem": "初中生均体育运动场馆面积不足", "deadline": "2027年8月"}],
        date=dt.date(2026, 11, 20),
    )
    return path


@pytest.fixture(scope="module")
def doc(book):
    return Document(str(book))


def segment(evaluation: Evaluation, level: str) -> dict:
    rows = evaluation.segments.filter(
        (pl.col("school_id") == NINE_YEAR) & (pl.col("level") == level)
    )
    return rows.row(0, named=True)


def test_identity_and_sections(doc):
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、学校基本情况",
        "二、办学条件基础数据",
        "三、资源配置指标达标情况",
        "四、其他评估项目情况",
        "五、差距测算",
        "六、历年指标变化",
        "七、整改任务",
    ]
    identity = {r[0]: r[1] for r in body(doc.tables[0])} | {r[2]: r[3] for r in body(doc.tables[0])}
    assert identity["学校名称"] == "东岭乡九年一贯制学校"
    assert identity["学校类型"] == "九年一贯制"
    assert identity["在校生数"] == "小学240人、初中190人"
    assert identity["纳入评估范围"] == "是"


def test_inputs_are_the_segments_apportioned_data(doc, demo):
    _, evaluation = demo
    table = doc.tables[1]
    assert header(table) == ("项目", "单位", "小学", "初中")
    rows = {r[0]: r for r in body(table)}
    assert rows["在校生数"][2:] == ["240", "190"]
    primary, junior = segment(evaluation, "primary"), segment(evaluation, "junior")
    assert rows["县级及以上骨干教师数"][2:] == [
        str(primary["backbone_teachers"]),
        str(junior["backbone_teachers"]),
    ]
    area = rows["体育运动场地面积"]
    assert float(area[2].replace(",", "")) == pytest.approx(
        primary["sports_ground_area_m2"], abs=0.005
    )


def test_seven_values_per_level_with_marks_and_floor(doc, demo):
    _, evaluation = demo
    tables = [t for t in doc.tables if header(t) == INDICATOR_HEADER]
    assert len(tables) == 2
    for table, level in zip(tables, ("primary", "junior"), strict=True):
        seg = segment(evaluation, level)
        for cells, item in zip(body(table), evaluation.standard.ratio_items, strict=True):
            threshold = item.threshold[level]
            assert cells[0] == item.id
            met = seg[f"{item.id}_met"]
            assert cells[4] == fmt_indicator(item.id, seg[item.id], threshold, met)
            assert abs(float(cells[4]) - seg[item.id]) <= 0.005 or item.id == "R6"
            assert cells[6].startswith("✓" if met else "✗")
    junior = {r[0]: r for r in body(tables[1])}
    # 1,609.81 m² of sports area for 190 junior students: 8.47 m², below 85 % of 10.2 (8.67)
    assert junior["R5"][3] == "8.67㎡"
    assert junior["R5"][4] == "8.47"
    assert junior["R5"][5] == "1,609.81 ÷ 190"
    assert junior["R5"][6] == "✗ 未达标（低于85%）"
    text = all_text(doc)
    assert f"初中学段结论：{VERDICT[False]}。" in text


def test_gaps_in_quantities(doc):
    table = next(t for t in doc.tables if header(t)[0] == "学段" and "缺口" in header(t))
    rows = body(table)
    assert rows == [
        [
            "初中",
            "R5",
            "生均体育运动场馆面积",
            "8.47",
            "10.2",
            "328.19平方米",
            "37.49平方米",
            "新建体育运动场馆",
        ]
    ]
    assert "需新建体育运动场馆328.19平方米" in all_text(doc)


def test_trend_table_by_year(doc, demo):
    _, evaluation = demo
    tables = [t for t in doc.tables if header(t)[0] == "年度"]
    assert len(tables) == 2
    junior = body(tables[1])
    assert [r[0] for r in junior] == ["2024", "2025"]
    seg = segment(evaluation, "junior")
    r5 = evaluation.standard.items["R5"]
    assert junior[0][5] == fmt_mark("R5", seg["R5"], r5.threshold["junior"], seg["R5_met"])
    assert junior[0][-1] == "未达标"


def test_tasks_and_their_absence(doc, demo, tmp_path):
    table = next(t for t in doc.tables if header(t)[0] == "存在问题")
    assert body(table) == [["初中生均体育运动场馆面积不足", "2027年8月"]]
    dataset, evaluation = demo
    path = write_school_book(
        evaluation, DEMO_COUNTY, NINE_YEAR, tmp_path / "b.docx", dataset=dataset, charts=False
    )
    text = all_text(Document(str(path)))
    assert NO_TASKS in text
    assert NO_HISTORY in text


def test_school_items_of_this_school(doc):
    table = next(
        t for t in doc.tables if header(t) == ("编号", "检查内容", "要求", "本校情况", "结论")
    )
    rows = body(table)
    assert ["G4", "义务教育阶段在校生数", "≤ 2500人", "430人", "达标"] in rows
    assert any(r[0] == "G5" and r[1] == "最大班额（初中）" for r in rows)


def test_missing_values_print_as_missing(demo, tmp_path):
    dataset, _ = demo
    segments = dataset.segments.with_columns(
        pl.when(pl.col("school_id") == "2152010003")
        .then(None)
        .otherwise(pl.col("multimedia_rooms"))
        .alias("multimedia_rooms")
    )
    broken = type(dataset)(**{**dataset.__dict__, "segments": segments})
    evaluation = evaluate(broken, load_standard())
    path = write_school_book(
        evaluation, DEMO_COUNTY, "2152010003", tmp_path / "m.docx", charts=False
    )
    doc = Document(str(path))
    table = next(t for t in doc.tables if header(t) == INDICATOR_HEADER)
    r7 = body(table)[6]
    assert r7[4] == MISSING
    assert r7[6] == "无法计算（缺少网络多媒体教室数）"


def test_unknown_school_is_refused(demo, tmp_path):
    _, evaluation = demo
    with pytest.raises(KeyError):
        write_school_book(evaluation, DEMO_COUNTY, "nope", tmp_path / "x.docx", charts=False)


def test_books_for_every_in_scope_school(demo, tmp_path):
    dataset, evaluation = demo
    scoped = (
        evaluation.segments.filter((pl.col("county") == DEMO_COUNTY) & pl.col("in_scope"))
        .select("school_id", "name")
        .unique(maintain_order=True)
    )
    assert scoped.height == 52
    zip_path = tmp_path / "一校一册.zip"
    paths = write_school_books(
        evaluation,
        DEMO_COUNTY,
        tmp_path / "books",
        dataset=dataset,
        workers=2,
        zip_path=zip_path,
        charts=False,
    )
    assert len(paths) == scoped.height
    assert [p.name for p in paths] == [book_filename(s, n) for s, n in scoped.iter_rows()]
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == sorted(p.name for p in paths)
    # a booklet written by a worker is the same as one written here
    one = Document(str(paths[0]))
    assert one.paragraphs[1].text.startswith(scoped["name"][0])


@pytest.mark.skipif(not pdf_available(), reason="LibreOffice（soffice）未安装，跳过 PDF 导出")
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm 未安装，跳过转图")
def test_book_renders_to_pdf(book, tmp_path):
    pdf = to_pdf(book, tmp_path)
    pages = pdf_to_png(pdf, tmp_path / "png", dpi=30)
    assert len(pages) >= 3
