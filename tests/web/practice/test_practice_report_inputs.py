"""report_inputs(snapshot): the ledger, the survey, the county's sections and which evaluation
the report rests on, read from the database; and the web report made with them."""

from __future__ import annotations

import datetime as dt
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from junheng.core.evaluate import evaluate
from junheng.demo import DEMO_COUNTY
from junheng.reports.report_format import fmt_cv
from junheng.reports.self_evaluation import write_self_evaluation
from junheng.standards import load_standard
from junheng.web import clock
from junheng.web.documents.generate import snapshot_evaluation
from junheng.web.practice.inputs import report_inputs
from junheng.web.practice.models import PracticeText
from junheng.web.rectification.models import Problem, ProblemSource, Task, Unit, UnitKind
from junheng.web.registry.models import School
from junheng.web.surveys import services as surveys
from junheng.web.surveys.models import SurveyStatus
from tests.reports.docx_reading import all_text, body, header

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 7)
TASK_HEADER = ("序号", "问题", "整改措施", "牵头单位", "责任单位", "完成时限", "状态")


@pytest.fixture
def ledger(evaluated):
    county, year, snapshot = evaluated
    edu = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局", order=1)
    fin = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县财政局", order=2)
    big = Problem.objects.create(
        county=county, year=year, source=ProblemSource.SELF_CHECK, title="城关第一小学规模过大"
    )
    Problem.objects.create(
        county=county, year=year, source=ProblemSource.SELF_CHECK, title="白马镇初级中学大班额"
    )
    later = Task.objects.create(
        problem=big,
        lead_unit=fin,
        measures="追加改扩建经费",
        deadline=dt.date(2027, 6, 30),
        status="进行中",
    )
    closed = Task.objects.create(
        problem=big,
        lead_unit=edu,
        measures="分流新生至城关第三小学",
        deadline=dt.date(2026, 9, 1),
        status="已销号",
        closed_on=dt.date(2026, 9, 5),
        closing_snapshot=snapshot,
    )
    # the lead unit listed among the responsible ones too is printed once, as lead
    closed.responsible_units.set([fin, edu])
    late = Task.objects.create(
        problem=big, lead_unit=edu, measures="调整招生片区", deadline=dt.date(2026, 11, 30)
    )
    return closed, late, later


def test_report_inputs_read_the_ledger_sections_and_the_snapshot(evaluated, ledger):
    county, year, snapshot = evaluated
    PracticeText.objects.create(county=county, year=year, key="leadership", text="成立领导小组。")
    inputs = report_inputs(snapshot)
    assert set(inputs) == {"ledger", "survey", "practice", "fingerprint", "snapshot_label"}
    problems = inputs["ledger"].problems
    assert [p.title for p in problems] == ["城关第一小学规模过大", "白马镇初级中学大班额"]
    assert problems[0].number == "" and problems[0].status == "整改中"
    tasks = problems[0].tasks
    # by deadline: 2026-09-01, 2026-11-30, 2027-06-30
    assert [t.measures for t in tasks] == [
        "分流新生至城关第三小学",
        "调整招生片区",
        "追加改扩建经费",
    ]
    assert tasks[0].units == ("县财政局",) and tasks[0].lead_unit == "县教育局"
    assert tasks[0].closed_on == dt.date(2026, 9, 5)
    made = clock.local_date(snapshot.created_at)
    assert (
        tasks[0].closing_evidence == f"{made.year}年{made.month}月{made.day}日的评估结果显示已达标"
    )
    assert tasks[1].status == "未开始" and tasks[1].closing_evidence == ""
    assert problems[1].tasks == ()
    assert inputs["survey"] is None  # no survey run
    assert [(s.heading, s.text) for s in inputs["practice"]][:2] == [
        ("组织领导", "成立领导小组。"),
        ("经费投入", ""),
    ]
    assert inputs["fingerprint"] == snapshot.data_fingerprint
    at = clock.local(snapshot.created_at)
    assert inputs["snapshot_label"] == (
        f"{at.year}年{at.month}月{at.day}日 {at:%H:%M} 的评估结果（全部数据）"
    )


def test_the_web_report_lists_the_ledgers_tasks_and_names_what_is_missing(
    evaluated, ledger, tmp_path
):
    county, year, snapshot = evaluated
    PracticeText.objects.create(county=county, year=year, key="leadership", text="成立领导小组。")
    dataset, evaluation = snapshot_evaluation(snapshot)
    path = write_self_evaluation(
        evaluation,
        county.name,
        tmp_path / "r.docx",
        dataset=dataset,
        date=DAY,
        charts=False,
        **report_inputs(snapshot),
    )
    doc = Document(str(path))
    text = all_text(doc)
    table = next(t for t in doc.tables if header(t) == TASK_HEADER)
    assert body(table) == [
        [
            "1",
            "城关第一小学规模过大",
            "分流新生至城关第三小学",
            "县教育局",
            "县财政局",
            "2026年9月1日",
            "已销号（2026年9月5日）",
        ],
        [
            "2",
            "城关第一小学规模过大",
            "调整招生片区",
            "县教育局",
            "—",
            "2026年11月30日",
            "未开始（逾期）",
        ],
        ["3", "城关第一小学规模过大", "追加改扩建经费", "县财政局", "—", "2027年6月30日", "进行中"],
    ]
    assert "整改任务共3项，其中未开始1项、进行中1项、已销号1项；已过完成时限尚未销号的1项。" in text
    assert "2. 白马镇初级中学大班额，整改中。\n尚未分解整改任务。" in text
    assert "成立领导小组。" in text and "（经费投入）尚未填写。" in text
    assert f"数据指纹 {snapshot.data_fingerprint[:8]}。" in text
    assert "【" not in text and "待填写" not in text


def test_every_number_of_the_web_report_is_the_snapshots(evaluated, tmp_path):
    county, _, snapshot = evaluated
    dataset, evaluation = snapshot_evaluation(snapshot)
    path = write_self_evaluation(
        evaluation,
        county.name,
        tmp_path / "r.docx",
        dataset=dataset,
        date=DAY,
        charts=False,
        **report_inputs(snapshot),
    )
    doc = Document(str(path))
    standard = load_standard(snapshot.standard_id)
    cv_tables = [t for t in doc.tables if header(t)[:2] == ("指标", "指标名称")]
    assert len(cv_tables) == 2
    for level, table in zip(("primary", "junior"), cv_tables, strict=True):
        for row in body(table):
            stored = snapshot.result["balance"][level][row[0]]
            assert row[5] == fmt_cv(stored["cv"], stored["limit"], stored["passes"], standard)
            assert int(row[2]) == stored["schools"]
    verdict = next(t for t in doc.tables if header(t) == ("评估方面", "结论", "主要情况"))
    parts = {r[0]: r[1] for r in body(verdict)}
    assert parts["资源配置"] == ("达标" if snapshot.result["parts"]["R"] else "未达标")
    assert f"数据指纹 {snapshot.data_fingerprint[:8]}" in all_text(doc)


def test_the_web_and_the_command_line_reports_of_the_same_data_agree(evaluated, demo, tmp_path):
    county, _, snapshot = evaluated
    dataset, evaluation = snapshot_evaluation(snapshot)
    web = Document(
        str(
            write_self_evaluation(
                evaluation,
                county.name,
                tmp_path / "web.docx",
                dataset=dataset,
                date=DAY,
                charts=False,
                **report_inputs(snapshot),
            )
        )
    )
    cli = Document(
        str(
            write_self_evaluation(
                evaluate(demo, load_standard()),
                DEMO_COUNTY,
                tmp_path / "cli.docx",
                dataset=demo,
                date=DAY,
                charts=False,
            )
        )
    )
    assert [body(t) for t in web.tables] == [body(t) for t in cli.tables]
    web_lines = [p.text for p in web.paragraphs]
    cli_lines = [p.text for p in cli.paragraphs]
    only_web = [line for line in web_lines if line not in cli_lines]
    only_cli = [line for line in cli_lines if line not in web_lines]
    # the web names its snapshot; its empty ledger is worded as the ledger it is
    assert len(only_web) == 2 and only_web[0].startswith("本报告的评估依据：")
    assert only_web[1].startswith("整改台账尚未建立任务：台账中没有登记问题")
    assert len(only_cli) == 1 and only_cli[0].startswith("整改台账尚未建立任务：")


def _answers(prefix, *values):
    return {f"q_{prefix}{i:02d}": str(v) for i, v in enumerate(values, start=1)}


def test_the_survey_run_in_the_web_tells_the_recognition_chapter(evaluated, tmp_path):
    county, year, snapshot = evaluated
    now = timezone.now()
    survey = surveys.create_survey(
        county,
        year,
        None,
        title="2026年社会认可度调查",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=7),
        population=352_000,
    )
    surveys.set_status(survey, SurveyStatus.OPEN)
    a, b = School.objects.filter(county=county, kind="primary").order_by("school_id")[:2]

    def code(group, school):
        return surveys.generate_codes(survey, group, 1, school=school).codes.get().code

    # parent at A: 7 × 5 and 7 × 4 → 14 of 14; parent at B: 3s and 2s → 0 of 14;
    # teacher at A: 5 and 1 alternating → 7 of 14. Pooled 21 of 42 = 50.0 %.
    surveys.submit(code("parents", a), "1", _answers("P", *[5, 4] * 7), 100, now)
    surveys.submit(code("parents", b), "2", _answers("P", *[3, 2] * 7), 100, now)
    surveys.submit(code("teachers", a), "3", _answers("T", *[5, 1] * 7), 100, now)
    story = report_inputs(snapshot)["survey"]
    assert (story.responses, story.required, story.valid, story.favourable) == (3, 600, 42, 21)
    assert story.rate == pytest.approx(0.5)
    assert [(g.group, g.valid, g.favourable) for g in story.groups] == [
        ("家长", 28, 14),
        ("教师", 14, 7),
    ]
    dataset, evaluation = snapshot_evaluation(snapshot)
    path = write_self_evaluation(
        evaluation,
        county.name,
        tmp_path / "r.docx",
        dataset=dataset,
        date=DAY,
        charts=False,
        **report_inputs(snapshot),
    )
    doc = Document(str(path))
    text = all_text(doc)
    opened = clock.local_date(survey.opens_at)
    assert f"{county.name}于{opened.year}年{opened.month}月{opened.day}日至" in text
    assert "共收回计入统计的问卷3份（抽样方案要求600份）" in text
    assert "有效答案42个，其中认可21个，全县社会认可度为50.0%。" in text
    assert "计入统计的问卷比抽样方案要求少597份，样本量不足。" in text
    # the evaluation still uses the demo data's 88.1 %: the difference is said, not hidden
    assert "评估采用的社会认可度为88.1%（见下表），与本次调查结果不同" in text
    groups = next(t for t in doc.tables if header(t)[0] == "调查对象")
    assert body(groups) == [
        ["家长", "28", "14", "50.0%"],
        ["教师", "14", "7", "50.0%"],
        ["合计", "42", "21", "50.0%"],
    ]
    assert re.search(r"【|待填写", text) is None


def test_the_documents_generator_writes_the_ledger_and_the_sections(evaluated, ledger, tmp_path):
    from junheng.web.documents.generate import write_self_evaluation_files

    county, year, snapshot = evaluated
    PracticeText.objects.create(county=county, year=year, key="quality", text="课程开齐开足。")
    produced = write_self_evaluation_files(snapshot, tmp_path)
    doc = Document(str(produced[0].path))
    table = next(t for t in doc.tables if header(t) == TASK_HEADER)
    assert [row[2] for row in body(table)] == [
        "分流新生至城关第三小学",
        "调整招生片区",
        "追加改扩建经费",
    ]
    text = all_text(doc)
    assert "课程开齐开足。" in text and "（组织领导）尚未填写。" in text
    assert "【" not in text and "待填写" not in text
