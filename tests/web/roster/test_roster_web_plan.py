"""交流轮岗与教师补充规划 in the web: a tiny roster's plan on hand-checked numbers, the engine's
figures before and after, the workbook (text as text, no ID number), the ledger tasks made once,
approved posts from the staffing table, and who may see any of it."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from junheng.web.rectification.models import Problem, ProblemSource, Task, Unit, UnitKind
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.roster import services
from junheng.web.services import load_dataset

pytestmark = pytest.mark.django_db

SCHOOL = "2152010001"
"""城关第一小学."""
RUN = {"scope": "county", "max_moves": "", "max_hires": "0"}


@pytest.fixture
def tiny(loaded, roster_file, make_teacher):
    """Two counted teachers of 城关第一小学, both eligible (11 years at the school, established,
    age 46, 16 years of service): T1 (本科, 语文) and T2 (研究生, 县级骨干, 体育); T3 on sick
    leave is neither counted nor eligible. G11 asks ⌈10 % × 2⌉ = 1 move, and 5 × backbone ≥
    moves: the one move must be T2, the only backbone teacher."""
    county, year = loaded
    path = roster_file(
        [
            make_teacher(SCHOOL, "T1"),
            make_teacher(
                SCHOOL,
                "T2",
                name="李老师",
                degree="postgraduate",
                backbone="county",
                subject="体育",
                id_number="152201198005172345",
            ),
            make_teacher(SCHOOL, "T3", status="sick_leave", id_number="152201198005173456"),
        ]
    )
    assert services.import_roster(county, year, path, None, path.name).record is not None
    return county, year


def _url(name, county, year):
    return reverse(f"roster:{name}", args=[county.pk, year.label])


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_tiny_plan_moves_the_backbone_teacher_and_is_judged_by_the_engine(client, users, tiny):
    county, year = tiny
    client.force_login(users["admin"])
    form = client.get(_url("plan", county, year))
    assert form.status_code == 200 and "运行规划" in form.content.decode()
    assert "方案：" not in form.content.decode()  # the form alone until it is run

    response = client.get(_url("plan", county, year), RUN)
    assert response.status_code == 200
    text = _text(response)
    assert "方案： 最优" in text
    assert (
        "符合交流条件的教师 2 人，至少应交流 1 人；方案交流 1 人（其中骨干教师 1 人，占 100.0%）"
        in text
    )
    moves = response.context["moves"]
    assert [(m["teacher_id"], m["name"], m["from"], m["subject"]) for m in moves] == [
        ("T2", "李老师", "城关第一小学", "体育")
    ]
    assert moves[0]["to"] != "城关第一小学"
    # G11 of the plan as the engine judges it: 1 / 2 = 50.0 %, backbone 1 / 1 = 100.0 %
    g11 = {r["label"]: r for r in response.context["figures"]["g11"]}
    assert g11["交流轮岗教师比例"]["after"] == "50.0%"
    assert g11["交流轮岗教师中骨干教师比例"]["after"] == "100.0%"
    assert g11["交流轮岗教师中骨干教师比例"]["verdict"] == "达到"
    # the CVs of R1–R3 for both levels, before and after
    balance = response.context["figures"]["balance"]
    assert {(r["level"], r["item"][:2]) for r in balance} == {
        (level, item) for level in ("小学", "初中") for item in ("R1", "R2", "R3")
    }
    # only primary counts moved: the junior CVs stay as they were
    assert all(r["before"] == r["after"] for r in balance if r["level"] == "初中")
    # no full ID number on the page
    assert "152201198005172345" not in response.content.decode()


def test_a_limit_below_g11_is_explained(client, users, tiny):
    county, year = tiny
    client.force_login(users["admin"])
    response = client.get(_url("plan", county, year), RUN | {"max_moves": "0"})
    assert response.status_code == 400
    assert "至少应交流 1 人，多于设定的交流人数上限 0 人" in response.content.decode()
    bad = client.get(_url("plan", county, year), RUN | {"max_hires": "-1"})
    assert bad.status_code == 400 and "field-error" in bad.content.decode()


def test_the_workbook_lists_the_moves_as_text_without_id_numbers(client, users, tiny):
    county, year = tiny
    client.force_login(users["admin"])
    response = client.get(_url("plan_export", county, year), RUN)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["交流名单", "招聘计划"]
    sheet = book["交流名单"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    header = rows.index(
        ["教师编号", "姓名", "学段", "学科", "学历", "骨干", "调出学校", "调入学校", "理由"]
    )
    (move,) = rows[header + 1 :]
    assert move[:7] == ["T2", "李老师", "小学", "体育", "研究生", "是", "城关第一小学"]
    assert all(c.data_type == "s" for c in sheet[header + 2] if c.value is not None)
    everything = " ".join(str(v) for row in rows for v in row if v is not None)
    assert not re.search(r"\d{17}[\dX]", everything)


def test_tasks_are_made_once(client, users, tiny):
    county, year = tiny
    client.force_login(users["admin"])
    response = client.post(_url("plan_tasks", county, year), RUN)
    assert response.status_code == 302
    said = [str(m) for m in client.get(response.url).context["messages"]]
    assert said == [
        "已在整改台账登记问题“教师交流轮岗与补充（2026学年）”，按接收学校生成 1 项任务，"
        "请到整改台账补充责任人和措施。"
    ]
    problem = Problem.objects.get(county=county, year=year)
    assert problem.source == ProblemSource.SELF_CHECK and problem.item == "G11"
    (task,) = Task.objects.filter(problem=problem)
    assert task.lead_unit.name == "县教育局"
    assert "T2（体育，自城关第一小学）" in task.measures
    assert "152201198005172345" not in task.measures and "李老师" not in task.measures

    again = client.post(_url("plan_tasks", county, year), RUN)
    said = [str(m) for m in client.get(again.url).context["messages"]]
    assert said == [
        "本学年的方案已生成过整改任务（问题“教师交流轮岗与补充（2026学年）”，1 项任务），"
        "没有重复生成。"
    ]
    assert Problem.objects.count() == 1 and Task.objects.count() == 1
    page = client.get(_url("plan", county, year), RUN).content.decode()
    assert "再次点击不会重复生成" in page


def test_tasks_name_the_receiving_school_unit_and_need_a_lead(client, users, tiny):
    county, year = tiny
    Unit.objects.filter(county=county).delete()
    client.force_login(users["admin"])
    response = client.post(_url("plan_tasks", county, year), RUN)
    (said,) = [str(m) for m in client.get(response.url).context["messages"]]
    assert said.startswith("整改台账中还没有县教育局")
    assert not Problem.objects.exists()

    lead = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    client.post(_url("plan_tasks", county, year), RUN)
    (task,) = Task.objects.all()
    assert task.lead_unit == lead
    # the receiving school's unit, made for it, is responsible: the school sees its task
    (unit,) = task.responsible_units.all()
    assert unit.kind == UnitKind.SCHOOL and unit.name == unit.school.name
    assert task.measures.startswith(
        f"{unit.school.name}：交流调入 1 人：T2（体育，自城关第一小学）"
    )
    assert unit.school.school_id != SCHOOL


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        # 15:30 UTC on 1 August is 23:30 in Beijing, the day the school year begins: due today;
        # 16:30 UTC is 00:30 on the 2nd: the next start, 1 August 2027.
        (dt.datetime(2026, 8, 1, 15, 30, tzinfo=dt.UTC), dt.date(2026, 8, 1)),
        (dt.datetime(2026, 8, 1, 16, 30, tzinfo=dt.UTC), dt.date(2027, 8, 1)),
    ],
)
def test_tasks_are_due_at_the_next_start_of_a_school_year_in_beijing(
    client, users, tiny, monkeypatch, utc, due
):
    county, year = tiny
    client.force_login(users["admin"])
    monkeypatch.setattr(timezone, "now", lambda: utc)
    client.post(_url("plan_tasks", county, year), RUN)
    (task,) = Task.objects.all()
    assert task.deadline == due
    assert Problem.objects.get().found_on == (utc + dt.timedelta(hours=8)).date()


def test_approved_posts_come_from_the_staffing_table(client, users, tiny, planned_demo):
    county, year = tiny
    client.force_login(users["admin"])
    page = client.get(_url("plan", county, year)).content.decode()
    assert "没有核定编制数" in page and 'name="use_posts"' not in page
    load_dataset(planned_demo, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    page = client.get(_url("plan", county, year)).content.decode()
    assert 'name="use_posts"' in page
    used = client.get(_url("plan", county, year), RUN | {"use_posts": "on"})
    assert "不超过“编制与招聘计划”表中各校的核定编制数" in used.content.decode()
    free = client.get(_url("plan", county, year), RUN)
    assert "不超过“编制与招聘计划”表中各校的核定编制数" not in free.content.decode()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("sysadmin", True),
        ("leader", False),
        ("inspector", False),
        ("far_inspector", False),
        ("other_admin", False),
        ("school", False),
        ("department", False),
        ("nobody", False),
    ],
)
def test_only_administrators_plan(client, users, tiny, role, allowed):
    county, year = tiny
    client.force_login(users[role])
    assert client.get(_url("plan", county, year), RUN).status_code == (200 if allowed else 404)
    export = client.get(_url("plan_export", county, year), RUN)
    assert export.status_code == (200 if allowed else 404)
    tasks = client.post(_url("plan_tasks", county, year), RUN)
    assert tasks.status_code == (302 if allowed else 404)
    assert Problem.objects.exists() is allowed
    roster = client.get(_url("page", county, year))
    if roster.status_code == 200:
        assert (_url("plan", county, year) in roster.content.decode()) is allowed


def test_without_a_roster_the_page_says_so(client, users, loaded):
    county, year = loaded
    client.force_login(users["admin"])
    response = client.get(_url("plan", county, year), RUN)
    assert "还没有导入教师名册，无法规划" in response.content.decode()
