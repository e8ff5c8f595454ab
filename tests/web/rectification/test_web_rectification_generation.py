"""Problems generated from two snapshots: the demo county a year behind (27 problems, among them
six schools' junior R2, one primary R5 and one primary R7), then its current data, in which those
eight pass. Generating twice adds nothing; the eight are proposed for closure on the newer
snapshot and the other nineteen stay open; closing one needs that snapshot."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from junheng.demo import demo_county, demo_county_before
from junheng.web.rectification import services
from junheng.web.rectification.models import Problem, Unit, UnitKind
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.services import load_dataset, run_evaluation

pytestmark = pytest.mark.django_db

RESOLVED = {
    "R2/junior/2152020002",
    "R2/junior/2152030002",
    "R2/junior/2152040002",
    "R2/junior/2152050002",
    "R2/junior/2152060002",
    "R2/junior/2152080002",
    "R5/primary/2152100002",
    "R7/primary/2152120003",
}


def _load(dataset):
    load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=dataset.schools["county"][0])
    return county, SchoolYear.objects.get(label=DEMO_YEAR)


def test_two_snapshots_no_duplicates_and_resolved_ones_proposed(client, django_user_model):
    county, year = _load(demo_county_before(1))
    first = run_evaluation(county, year, None)
    result = services.generate_problems(county, year, first, None)
    assert (result.created, result.proposed) == (27, 0)
    assert Problem.objects.filter(county=county).count() == 27
    again = services.generate_problems(county, year, first, None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 27)
    assert Problem.objects.filter(county=county).count() == 27

    county, year = _load(demo_county())
    second = run_evaluation(county, year, None)
    result = services.generate_problems(county, year, second, None)
    assert (result.created, result.proposed) == (0, 8)
    problems = Problem.objects.filter(county=county)
    assert problems.count() == 27
    proposed = problems.filter(status="proposed")
    assert set(proposed.values_list("key", flat=True)) == RESOLVED
    assert {p.passing_snapshot_id for p in proposed} == {second.pk}
    assert problems.filter(status="open").count() == 19
    # a third run on the same snapshot changes nothing
    assert services.generate_problems(county, year, second, None).created == 0
    assert problems.filter(status="proposed").count() == 8

    # the page shows the proposal and the approval shows the passing snapshot
    admin = django_user_model.objects.create_user("cadmin")
    from junheng.web.accounts.models import Profile, Role

    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    client.force_login(admin)
    page = client.get(reverse("rectification", args=[county.pk, year.label]) + "?status=proposed")
    assert page.content.decode().count("数据已达标（建议销号）") >= 8
    problem = proposed.get(key="R5/primary/2152100002")
    unit = Unit.objects.create(county=county, kind=UnitKind.DEPARTMENT, name="县教育局")
    task = services.save_task(
        problem,
        services.TaskFields(unit, [], "王五", "", "购置设备", dt.date(2026, 6, 30), None),
        admin,
    )
    for target in ("进行中", "待验收"):
        services.step(task, target, admin)
    approval = client.get(reverse("rectification_approve", args=[task.pk])).content.decode()
    assert "该评估结果显示此项已达标，可以销号" in approval
    client.post(reverse("rectification_step", args=[task.pk]), {"target": "已销号"})
    task.refresh_from_db()
    problem.refresh_from_db()
    assert task.status == "已销号" and task.closing_snapshot_id == second.pk
    assert problem.status == "closed"

    # a proposed problem without a task is closed as a whole on the newer snapshot
    other = proposed.get(key="R7/primary/2152120003")
    page = client.get(reverse("rectification_problem", args=[other.pk])).content.decode()
    assert "该评估结果显示此项已达标，可以销号" in page and "问题验收销号" in page
    client.post(reverse("rectification_problem_close", args=[other.pk]))
    other.refresh_from_db()
    assert (other.status, other.closed_by, other.passing_snapshot_id) == (
        "closed",
        admin,
        second.pk,
    )
    # one still failing cannot be closed, whatever is posted
    failing = problems.filter(status="open").first()
    page = client.get(reverse("rectification_problem", args=[failing.pk])).content.decode()
    assert "问题验收销号" not in page
    response = client.post(reverse("rectification_problem_close", args=[failing.pk]), follow=True)
    assert "显示该指标仍未达标，不能销号" in response.content.decode()
    assert Problem.objects.get(pk=failing.pk).status == "open"

    # the older data again: the closed problems are reopened, the proposed ones are open again
    county, year = _load(demo_county_before(1))
    third = run_evaluation(county, year, None)
    result = services.generate_problems(county, year, third, None)
    assert (result.created, result.reopened) == (0, 2)
    assert problems.count() == 27
    assert problems.filter(status="open").count() == 27


def test_missing_data_listed_apart_from_the_problems(client, django_user_model):
    from tests.builders import dataset, school, segment

    data = dataset(
        [school("P1"), school("P2")],
        [segment("P1", multimedia_rooms=None), segment("P2")],
    )
    load_dataset(data, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county, year = County.objects.get(name="甲县"), SchoolYear.objects.get(label=DEMO_YEAR)
    snapshot = run_evaluation(county, year, None)
    result = services.generate_problems(county, year, snapshot, None)
    assert [d.key for d in result.missing] == ["NA/primary/P1", "NA/CV/primary/R7"]
    assert not Problem.objects.filter(key__startswith="NA/").exists()
    from junheng.web.accounts.models import Profile, Role

    admin = django_user_model.objects.create_user("cadmin")
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    client.force_login(admin)
    page = client.get(reverse("rectification", args=[county.pk, year.label])).content.decode()
    assert "数据缺失，无法判定的 2 处" in page
    assert "R7 无法判定：数据缺失" in page


def test_a_concurrent_first_generation_is_reported(client, loaded, django_user_model, monkeypatch):
    from django.db import IntegrityError

    from junheng.web.accounts.models import Profile, Role

    county, year = loaded
    run_evaluation(county, year, None)
    admin = django_user_model.objects.create_user("cadmin")
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    client.force_login(admin)

    def clash(*args, **kwargs):
        raise IntegrityError("rect_problem_unique_key")

    monkeypatch.setattr(services, "generate_problems", clash)
    response = client.post(
        reverse("rectification_generate", args=[county.pk, year.label]), follow=True
    )
    assert response.status_code == 200
    assert "另一位用户刚刚生成了问题清单，请刷新后查看" in response.content.decode()
