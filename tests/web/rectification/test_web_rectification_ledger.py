"""The ledger download reads back through `read_ledger` (what `junheng ledger check` uses) with
the tasks as entered: one row per task, and one per problem without a task, left for the county
to fill in (`read_ledger` names its empty required cells, as for `junheng ledger problems`).
And a county's own ledger moved in: once, all of it or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from junheng.rectification.ledger_xlsx import LedgerRow, read_ledger, write_ledger
from junheng.rectification.tasks import Status
from junheng.web.rectification.models import Problem, Task, Unit

pytestmark = pytest.mark.django_db


def test_ledger_download_reads_back(client, ledger, tmp_path):
    county, year = ledger["county"], ledger["year"]
    client.force_login(ledger["users"]["edu"])
    client.post(
        reverse("rectification_progress", args=[ledger["edu_task"].pk]), {"text": "已招聘 1 名"}
    )
    response = client.get(reverse("rectification_ledger_xlsx", args=[county.pk, year.label]))
    assert response.status_code == 200
    problems = Problem.objects.filter(county=county, year=year).count()
    path = tmp_path / "台账.xlsx"
    path.write_bytes(response.content)
    # the rows of problems without a task (from row 5 on) are the ones still to fill in
    assert {e.row for e in read_ledger(path).errors} == set(range(5, 5 + problems - 1))
    Problem.objects.filter(county=county, year=year).exclude(pk=ledger["problem"].pk).delete()
    response = client.get(reverse("rectification_ledger_xlsx", args=[county.pk, year.label]))
    path.write_bytes(response.content)
    result = read_ledger(path)
    assert result.errors == []
    assert len(result.rows) == 2
    first, second = result.rows[0], result.rows[1]
    problem = ledger["problem"]
    # the number people read, not the key "R5/junior/2152030002" it stands for
    assert (first.problem, first.problem_key, first.lead_unit) == (
        problem.title,
        "2026-R5-初中-青龙镇初级中学",
        "县教育局",
    )
    assert first.responsible_units == ("县人社局",)
    assert (first.deadline, first.status.value, first.progress) == (
        dt.date(2026, 6, 30),
        "进行中",
        "已招聘 1 名",
    )
    assert (second.lead_unit, second.measures, second.leader) == (
        "县财政局",
        "落实经费",
        "李副县长",
    )
    client.force_login(ledger["users"]["other_admin"])
    url = reverse("rectification_ledger_xlsx", args=[county.pk, year.label])
    assert client.get(url).status_code == 404


def _workbook(tmp_path, rows):
    path = write_ledger(rows, tmp_path / "县台账.xlsx", title="示范县整改台账")
    return SimpleUploadedFile("县台账.xlsx", path.read_bytes())


def test_a_countys_ledger_moves_in_once(client, ledger, tmp_path):
    county, year = ledger["county"], ledger["year"]
    problem = ledger["problem"]
    rows = [
        LedgerRow(
            problem=problem.title,
            problem_key=problem.key,
            lead_unit="县教育局",
            responsible_units=("县人社局", "县编办"),
            person="张三",
            deadline=dt.date(2026, 8, 31),
            status=Status.IN_PROGRESS,
            measures="补充骨干教师",
            budget_wan=3.25,
        ),
        LedgerRow(
            problem="城关小学围墙破损（县自查）",
            lead_unit="县住建局",
            person="王五",
            deadline=dt.date(2026, 5, 31),
            status=Status.CLOSED,
            measures="修缮围墙",
        ),
    ]
    url = reverse("rectification_ledger_import", args=[county.pk, year.label])
    client.force_login(ledger["users"]["admin"])
    problems, tasks = Problem.objects.count(), Task.objects.count()
    response = client.post(url, {"ledger": _workbook(tmp_path, rows)}, follow=True)
    assert (
        "已导入台账：新增问题 1 个，新增任务 1 项，更新任务 1 项；"
        "新登记单位 2 个：县编办、县住建局；台账中已销号的 1 项导入为“待验收”，须由验收人确认销号。"
        in response.content.decode()
    )
    assert (Problem.objects.count(), Task.objects.count()) == (problems + 1, tasks + 1)
    edu_task = Task.objects.get(pk=ledger["edu_task"].pk)
    assert (edu_task.deadline, edu_task.status, str(edu_task.budget_wan)) == (
        dt.date(2026, 8, 31),
        "进行中",
        "3.2500",
    )
    assert sorted(u.name for u in edu_task.responsible_units.all()) == ["县人社局", "县编办"]
    walls = Task.objects.get(measures="修缮围墙")
    assert walls.status == "待验收" and walls.problem.source == "self_check"
    assert Unit.objects.get(county=county, name="县住建局").kind == "department"
    # the same workbook again: updated, nothing added
    response = client.post(url, {"ledger": _workbook(tmp_path, rows)}, follow=True)
    assert "新增问题 0 个，新增任务 0 项，更新任务 2 项" in response.content.decode()
    assert (Problem.objects.count(), Task.objects.count()) == (problems + 1, tasks + 1)


def test_a_bad_ledger_writes_nothing(client, ledger, tmp_path):
    county, year = ledger["county"], ledger["year"]
    path = write_ledger(
        [LedgerRow(problem="甲", lead_unit="", person="张三", deadline=dt.date(2026, 5, 31))],
        tmp_path / "坏台账.xlsx",
    )
    client.force_login(ledger["users"]["admin"])
    problems = Problem.objects.count()
    response = client.post(
        reverse("rectification_ledger_import", args=[county.pk, year.label]),
        {"ledger": SimpleUploadedFile("坏台账.xlsx", path.read_bytes())},
    )
    page = response.content.decode()
    assert "台账有 1 处错误，未导入任何内容" in page
    assert "坏台账.xlsx 工作表「整改台账」第 3 行「牵头单位」列（单元格 E3）" in page
    assert Problem.objects.count() == problems
    for role in ("leader", "edu"):
        client.force_login(ledger["users"][role])
        url = reverse("rectification_ledger_import", args=[county.pk, year.label])
        assert client.get(url).status_code == 404
