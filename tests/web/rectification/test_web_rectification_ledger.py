"""The ledger download reads back through `read_ledger` (what `junheng ledger check` uses) with
the tasks as entered: one row per task, and one per problem without a task, left for the county
to fill in (`read_ledger` names its empty required cells, as for `junheng ledger problems`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.rectification.ledger_xlsx import read_ledger
from junheng.web.rectification.models import Problem

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
    assert (first.problem, first.problem_key, first.lead_unit) == (
        problem.title,
        problem.key,
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
