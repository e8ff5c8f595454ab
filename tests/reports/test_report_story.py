"""The 自评报告's story beyond the evaluation: 主要做法与成效, the ledger's measures and task
list, the survey, the basis line; the figures offered to writers; no placeholder anywhere."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from docx import Document

from junheng.core.output import evaluation_to_dict
from junheng.demo import DEMO_COUNTY
from junheng.reports.figures import _percent_against, figures_for
from junheng.reports.self_evaluation import write_self_evaluation
from junheng.reports.story import (
    GroupRate,
    LedgerProblem,
    LedgerStory,
    LedgerTask,
    SectionsFileError,
    SurveyStory,
    load_sections,
    practice_sections,
)
from tests.reports.docx_reading import all_text, body, header

DAY = dt.date(2026, 12, 7)
TASK_HEADER = ("序号", "问题", "整改措施", "牵头单位", "责任单位", "完成时限", "状态")
HEADINGS = [
    "一、基本情况",
    "二、主要做法与成效",
    "三、资源配置",
    "四、政府保障程度",
    "五、教育质量",
    "六、社会认可度",
    "七、存在的问题",
    "八、整改措施与计划",
    "九、创建规划与目标年预测",
    "附表",
]

LEDGER = LedgerStory(
    (
        LedgerProblem(
            "2026-R5-小学-石桥镇中心小学",
            "石桥镇中心小学生均体育运动场馆面积不足",
            "资源配置",
            "整改中",
            (
                LedgerTask(
                    "新建风雨操场一座",
                    "县教育局",
                    dt.date(2027, 8, 31),
                    "进行中",
                    ("县财政局", "石桥镇人民政府"),
                ),
                # deadline passed on the report's day, not closed: 逾期
                LedgerTask("改造原有操场", "县教育局", dt.date(2026, 12, 6), "未开始"),
                # due on the report's day itself: not yet late
                LedgerTask("平整场地", "石桥镇人民政府", DAY, "待验收"),
            ),
        ),
        LedgerProblem(
            "",
            "城关第一小学规模超过2000人",
            "政府保障程度",
            "已销号",
            (
                LedgerTask(
                    "分流新生",
                    "县教育局",
                    dt.date(2026, 9, 1),
                    "已销号",
                    closed_on=dt.date(2026, 9, 5),
                    closing_evidence="2026年9月5日的评估结果显示已达标",
                ),
            ),
        ),
        LedgerProblem("", "青龙镇中心小学大班额", "政府保障程度", "整改中"),
    )
)
SURVEY = SurveyStory(
    "2026年社会认可度调查",
    dt.date(2026, 10, 8),
    dt.date(2026, 10, 20),
    rate=11536 / 12800,
    responses=640,
    required=600,
    valid=12800,
    favourable=11536,
    groups=(GroupRate("家长", 6400, 5800, 5800 / 6400), GroupRate("教师", 6400, 5736, 5736 / 6400)),
)


@pytest.fixture(scope="module")
def entry(demo):
    _, evaluation = demo
    document = json.loads(json.dumps(evaluation_to_dict(evaluation), default=str))
    return next(c for c in document["counties"] if c["county"] == DEMO_COUNTY)


@pytest.fixture(scope="module")
def told(demo, tmp_path_factory):
    dataset, evaluation = demo
    practice = practice_sections(
        {"leadership": "县委县政府成立领导小组。\n\n  实行月调度。  ", "funding": "经费逐年增长。"}
    )
    path = write_self_evaluation(
        evaluation,
        DEMO_COUNTY,
        tmp_path_factory.mktemp("told") / "r.docx",
        dataset=dataset,
        date=DAY,
        charts=False,
        ledger=LEDGER,
        survey=SURVEY,
        practice=practice,
        fingerprint="ab12cd34ef56" * 5,
        snapshot_label="2026年12月7日 10:32 的评估结果（只用已审核的数据）",
    )
    return Document(str(path))


@pytest.fixture(scope="module")
def bare(demo, tmp_path_factory):
    dataset, evaluation = demo
    path = tmp_path_factory.mktemp("bare") / "r.docx"
    write_self_evaluation(evaluation, DEMO_COUNTY, path, dataset=dataset, date=DAY, charts=False)
    return Document(str(path))


def body_lines(doc):
    """The paragraphs after the table of contents (which repeats the headings)."""
    lines = [p.text for p in doc.paragraphs]
    first = next(i for i, p in enumerate(doc.paragraphs) if p.style.name == "Heading 1")
    return lines[first:]


def level1(doc):
    return [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]


def test_chapters_are_numbered_alike_with_and_without_the_countys_records(told, bare):
    assert level1(told) == HEADINGS
    assert level1(bare) == HEADINGS


def test_no_placeholder_anywhere(told, bare):
    for doc in (told, bare):
        text = all_text(doc)
        assert "【" not in text and "待填写" not in text
        for p in doc.paragraphs:
            for run in p.runs:
                assert run.font.highlight_color is None
                assert not run._r.xpath("./w:rPr/w:shd")


def test_the_sections_are_the_countys_text_and_the_unwritten_ones_are_named(told, bare):
    lines = body_lines(told)
    start = lines.index("二、主要做法与成效")
    chapter = lines[start : lines.index("三、资源配置")]
    assert chapter == [
        "二、主要做法与成效",
        "（一）组织领导",
        "县委县政府成立领导小组。",
        "实行月调度。",
        "（二）经费投入",
        "经费逐年增长。",
        "（三）学校建设",
        "（学校建设）尚未填写。",
        "（四）教师队伍",
        "（教师队伍）尚未填写。",
        "（五）教育质量",
        "（教育质量）尚未填写。",
        "（六）社会认可",
        "（社会认可）尚未填写。",
    ]
    text = all_text(bare)
    assert "本部分各节由县级撰写，目前均尚未填写。" in text
    assert all(f"（{s.heading}）尚未填写。" in text for s in load_sections())


def test_the_ledgers_tasks_are_the_task_list(told):
    table = next(t for t in told.tables if header(t) == TASK_HEADER)
    assert body(table) == [
        ["1", "石桥镇中心小学生均体育运动场馆面积不足", "新建风雨操场一座", "县教育局",
         "县财政局、石桥镇人民政府", "2027年8月31日", "进行中"],
        ["2", "石桥镇中心小学生均体育运动场馆面积不足", "改造原有操场", "县教育局", "—",
         "2026年12月6日", "未开始（逾期）"],
        ["3", "石桥镇中心小学生均体育运动场馆面积不足", "平整场地", "石桥镇人民政府", "—",
         "2026年12月7日", "待验收"],
        ["4", "城关第一小学规模超过2000人", "分流新生", "县教育局", "—", "2026年9月1日",
         "已销号（2026年9月5日）"],
    ]  # fmt: skip
    text = all_text(told)
    assert (
        "整改任务共4项，其中未开始1项、进行中1项、待验收1项、已销号1项；"
        "已过完成时限尚未销号的1项。" in text
    )


def test_the_measures_are_listed_by_problem(told):
    lines = body_lines(told)
    start = lines.index("（四）整改台账中的整改措施")
    assert lines[start + 1 : start + 9] == [
        "县整改台账登记问题3项，各项问题的整改措施如下。",
        "1. 石桥镇中心小学生均体育运动场馆面积不足"
        "（问题编号2026-R5-小学-石桥镇中心小学），整改中。",
        "（1）新建风雨操场一座。牵头单位：县教育局；责任单位：县财政局、石桥镇人民政府；"
        "完成时限：2027年8月31日；进行中。",
        "（2）改造原有操场。牵头单位：县教育局；完成时限：2026年12月6日；未开始（逾期）。",
        "（3）平整场地。牵头单位：石桥镇人民政府；完成时限：2026年12月7日；待验收。",
        "2. 城关第一小学规模超过2000人，已销号。",
        "（1）分流新生。牵头单位：县教育局；完成时限：2026年9月1日；已于2026年9月5日销号，"
        "销号依据：2026年9月5日的评估结果显示已达标。",
        "3. 青龙镇中心小学大班额，整改中。",
    ]
    assert lines[start + 9] == "尚未分解整改任务。"


def test_without_a_ledger_the_missing_ledger_is_named(bare):
    text = all_text(bare)
    assert "整改台账尚未建立任务：" in text
    assert not any(header(t) == TASK_HEADER for t in bare.tables)


def test_a_ledger_without_tasks_names_its_problems(demo, tmp_path):
    dataset, evaluation = demo
    ledger = LedgerStory((LedgerProblem("", "青龙镇中心小学大班额"),))
    path = write_self_evaluation(
        evaluation, DEMO_COUNTY, tmp_path / "r.docx", dataset=dataset, charts=False, ledger=ledger
    )
    text = all_text(Document(str(path)))
    assert "整改台账尚未建立任务：台账中登记的1项问题均未分解整改措施" in text


def test_the_survey_tells_the_recognition_chapter(told):
    text = all_text(told)
    # 11,536 ÷ 12,800 = 90.125 % → 90.1 %; the evaluation's S1 is the demo data's 88.1 %
    assert (
        "示范县于2026年10月8日至2026年10月20日开展“2026年社会认可度调查”，面向家长、教师"
        "采用匿名问卷方式调查，共收回计入统计的问卷640份（抽样方案要求600份）。"
        "认可度按选择“非常满意、满意”的答案数占有效答案数的比例计算：有效答案12800个，"
        "其中认可11536个，全县社会认可度为90.1%。" in text
    )
    assert "样本量不足" not in text  # 640 ≥ 600
    assert "评估采用的社会认可度为88.1%（见下表），与本次调查结果不同" in text
    groups = next(t for t in told.tables if header(t)[0] == "调查对象")
    # 5,800 ÷ 6,400 = 90.625 % → 90.6 %; 5,736 ÷ 6,400 = 89.625 % → 89.6 %
    assert body(groups) == [
        ["家长", "6400", "5800", "90.6%"],
        ["教师", "6400", "5736", "89.6%"],
        ["合计", "12800", "11536", "90.1%"],
    ]


def test_the_basis_names_the_snapshot_and_a_short_fingerprint(told, bare):
    assert (
        "本报告的评估依据：2026年12月7日 10:32 的评估结果（只用已审核的数据），"
        "数据指纹 ab12cd34。" in all_text(told)
    )
    assert "数据指纹" not in all_text(bare)


# -- figures offered to the writer ----------------------------------------------------------


def sentences(key, entry):
    from junheng.standards import load_standard

    spec = next(s for s in load_sections() if s.key == key)
    return figures_for(spec, entry, load_standard())


def test_school_building_figures(entry):
    figures = sentences("schools", entry)
    # 41 primary segments, three short of 7.5 m² per student: 126.0 + 183.8 + 142.5 = 452.30
    assert (
        "小学生均体育运动场馆面积：纳入评估的41个学段中38个达到7.5平方米的标准；"
        "校际差异系数为0.253（限值0.50，达到要求）；"
        "尚需新建小学体育运动场馆452.30平方米（涉及3所学校）。" in figures
    )
    # G5: 56 segments, three classes over 45 (primary) or 50 (junior)
    assert (
        "小学、初中所有班级学生数分别不超过45人、50人：纳入评估的56个学段中3个学段未达到要求"
        "（石桥镇中心小学、青龙镇中心小学、白马镇初级中学）。" in figures
    )


def test_teacher_figures_say_the_cv_over_its_limit(entry):
    figures = sentences("teachers", entry)
    # junior R2: CV 0.48755 over 0.45; 2 backbone teachers short at one school
    assert (
        "初中每百名学生拥有县级以上骨干教师数：纳入评估的15个学段中14个达到1人的标准；"
        "校际差异系数为0.488（限值0.45，未达到要求）；"
        "尚需培养认定初中县级及以上骨干教师2人（涉及1所学校）。" in figures
    )
    assert (
        "交流轮岗教师比例12.0%（要求不低于10.0%），达到要求；"
        "交流轮岗教师中骨干教师比例17.0%（要求不低于20.0%），未达到要求。" in figures
    )


def test_funding_and_leadership_figures(entry):
    funding = sentences("funding", entry)
    assert "特殊教育学校生均公用经费6500元（要求不低于6000元），达到要求。" in funding
    assert (
        "所有学校按照不低于学校年度公用经费预算总额的5%安排教师培训经费："
        "纳入评估的52所学校中1所学校未达到要求（柳河镇杨庄小学）。" in funding
    )
    leadership = sentences("leadership", entry)
    assert leadership[0] == (
        "经自评，示范县尚未达到县域义务教育优质均衡发展评估认定标准：资源配置未达到要求，"
        "政府保障程度未达到要求，教育质量未达到要求，社会认可度达到要求，无一票否决情形。"
    )
    assert sentences("recognition", entry) == ["社会认可度88.1%（要求不低于85.0%），达到要求。"]


def test_a_percentage_just_under_the_line_does_not_read_as_the_line():
    # 84.96 % with one decimal would read 85.0 %, the requirement it fails
    assert _percent_against(0.8496, 0.85, False, ">=") == "84.96%"
    assert _percent_against(0.85, 0.85, True, ">=") == "85.0%"
    assert _percent_against(0.851, 0.85, True, ">=") == "85.1%"


def test_the_sections_file_is_strict(tmp_path):
    bad = tmp_path / "s.yaml"
    bad.write_text("sections:\n  - {key: a, heading: 甲, hint: 提示, colour: red}\n", "utf-8")
    with pytest.raises(SectionsFileError, match="未知的键：colour"):
        load_sections(bad)
    bad.write_text(
        "sections:\n  - {key: a, heading: 甲, hint: 提示}\n  - {key: a, heading: 乙, hint: 提示}\n",
        "utf-8",
    )
    with pytest.raises(SectionsFileError, match="key 重复"):
        load_sections(bad)
    bad.write_text("sections:\n  - {key: a, heading: 甲}\n", "utf-8")
    with pytest.raises(SectionsFileError, match="缺少 hint"):
        load_sections(bad)


def test_every_section_offers_only_what_the_standard_has(entry):
    from junheng.standards import load_standard

    standard = load_standard()
    for spec in load_sections():
        assert set(spec.items) <= set(standard.items)
        assert all(standard.items[i].ratio is not None for i in spec.indicators)
        assert sentences(spec.key, entry)


def test_a_survey_still_open_on_the_reports_day_says_so(demo, tmp_path):
    dataset, evaluation = demo
    running = SurveyStory(
        "2026年社会认可度调查", dt.date(2026, 12, 1), dt.date(2026, 12, 8), 0.9, 10, 600, 140, 126
    )
    for closes, said in ((dt.date(2026, 12, 8), True), (DAY, False)):
        story = SurveyStory(**{**running.__dict__, "closes_on": closes})
        path = write_self_evaluation(
            evaluation, DEMO_COUNTY, tmp_path / "r.docx", dataset=dataset, date=DAY,
            charts=False, survey=story,
        )  # fmt: skip
        text = all_text(Document(str(path)))
        sentence = "调查至2026年12月8日截止，尚未结束，以上为截至2026年12月7日收回的问卷。"
        assert (sentence in text) is said
        # 10 of the 600 the plan asked for
        assert "计入统计的问卷比抽样方案要求少590份，样本量不足。" in text
