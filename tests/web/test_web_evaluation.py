"""Evaluation snapshots: the stored result is the engine's, with its inputs' fingerprint; 重新评估
with the choice of data (all, or approved only) and the changes against the previous snapshot."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from junheng.core.evaluate import evaluate
from junheng.core.output import evaluation_to_dict
from junheng.standards import load_standard
from junheng.web.accounts.models import Profile, Role
from junheng.web.collection.models import SchoolYearData, SegmentData, Status
from junheng.web.evaluation.models import Snapshot, SnapshotImmutableError
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import data_changed_since, fingerprint, latest_snapshot
from junheng.web.services import load_dataset, run_evaluation
from tests import builders

pytestmark = pytest.mark.django_db


def test_snapshot_stores_the_engine_result(loaded, demo, django_user_model):
    county, year = loaded
    user = django_user_model.objects.create_user("evaluator")
    snapshot = run_evaluation(county, year, user)

    standard = load_standard()
    expected = evaluation_to_dict(evaluate(demo, standard))
    stored = Snapshot.objects.get(pk=snapshot.pk)
    # Compared as JSON, the form in which pages and reports read it.
    assert stored.result == json.loads(json.dumps(expected["counties"][0]))
    assert stored.policies == json.loads(json.dumps(expected["policies"]))
    assert stored.standard_id == standard.id
    assert stored.standard_version == standard.version
    assert stored.data_fingerprint == fingerprint(demo)
    assert stored.created_by == user
    assert stored.passes is False
    assert latest_snapshot(county, year) == stored


def test_snapshot_cannot_be_changed(loaded):
    snapshot = run_evaluation(*loaded, None)
    snapshot.standard_version = "edited"
    with pytest.raises(SnapshotImmutableError, match="不可修改"):
        snapshot.save()
    assert Snapshot.objects.get(pk=snapshot.pk).standard_version != "edited"


def test_snapshot_knows_when_data_changed_after_it(loaded):
    county, year = loaded
    snapshot = run_evaluation(county, year, None)
    assert not data_changed_since(snapshot)
    segment = SegmentData.objects.filter(school__county=county).first()
    segment.students += 1
    segment.save()
    assert data_changed_since(snapshot)
    newer = run_evaluation(county, year, None)
    assert newer.data_fingerprint != snapshot.data_fingerprint
    assert latest_snapshot(county, year) == newer
    assert Snapshot.objects.count() == 2


# ---------------------------------------------------------------------------------------------
# 重新评估 with the choice of data, and what changed
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def three_schools(django_user_model):
    """甲县 2026: 甲一学校 (九年一贯制, approved), 甲二小学 (submitted), 甲三小学 (draft).

    Every segment is at twice every threshold (tests/builders.py) except 甲三小学's 教学及辅助用房:
    1,500 m² for 500 pupils = 3.0 m² each, under 85 % of the 4.5 m² threshold (3.825), so that
    segment fails and with it part R and the county. The primary R4 values are 12, 12 and 3 m² for
    500 pupils each: mean 9, population variance (9 + 9 + 36) / 3 = 18, CV √18 / 9 = 0.471405.
    """
    schools = [
        builders.school("S1", kind="nine_year", name="甲一学校"),
        builders.school("S2", name="甲二小学"),
        builders.school("S3", name="甲三小学"),
    ]
    segments = [
        builders.segment("S1"),
        builders.segment("S1", "junior"),
        builders.segment("S2"),
        builders.segment("S3", teaching_aux_area_m2=1500.0),
    ]
    load_dataset(builders.dataset(schools, segments), "2026", province="测试省", city="测试市")
    county, year = County.objects.get(name="甲县"), SchoolYear.objects.get(label="2026")
    SchoolYearData.objects.filter(school__school_id="S1").update(status=Status.APPROVED)
    SchoolYearData.objects.filter(school__school_id="S2").update(status=Status.SUBMITTED)
    admin = django_user_model.objects.create_user("jia-admin")
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    return county, year, admin


def test_the_confirmation_names_the_schools_not_approved(client, three_schools):
    county, year, admin = three_schools
    client.force_login(admin)
    page = client.get(reverse("evaluate", args=[county.pk, year.label])).content.decode()
    assert "已审核 1 所" in page and "已提交 1 所" in page and "填报中 1 所" in page
    assert "2 所学校的数据未审核" in page
    # by state, with names; the approved school is not among them
    assert '<span class="badge submitted">已提交</span> 1 所</dt><dd>甲二小学</dd>' in page
    assert '<span class="badge draft">填报中</span> 1 所</dt><dd>甲三小学</dd>' in page
    assert "甲一学校" not in page
    assert 'value="approved"' in page and 'value="all"' in page
    assert "只用已审核的数据" in page and "使用全部数据" in page
    assert Snapshot.objects.count() == 0  # looking is not evaluating


def test_without_a_choice_nothing_is_evaluated(client, three_schools):
    county, year, admin = three_schools
    client.force_login(admin)
    response = client.post(reverse("evaluate", args=[county.pk, year.label]))
    assert response.status_code == 400
    assert "请选择本次评估使用的数据" in response.content.decode()
    assert Snapshot.objects.count() == 0


def test_approved_only_leaves_the_others_out_and_says_so(client, three_schools):
    county, year, admin = three_schools
    client.force_login(admin)
    url = reverse("evaluate", args=[county.pk, year.label])
    response = client.post(url, {"data": "all"})
    first = Snapshot.objects.get()
    assert response.url == reverse("evaluation_changes", args=[county.pk, year.label, first.pk])
    assert first.data_scope == "all" and first.passes is False  # 甲三小学's segment fails
    assert [s["name"] for s in first.unapproved] == ["甲二小学", "甲三小学"]
    page = client.get(response.url).content.decode()
    assert "这是本学年的第一次评估" in page
    assert "评估数据：全部数据，其中 2 所学校的数据尚未审核：甲二小学、甲三小学。" in page

    response = client.post(url, {"data": "approved"})
    second = Snapshot.objects.latest("id")
    assert second.data_scope == "approved"
    assert {s["school_id"] for s in second.result["segments"]} == {"S1"}
    assert [(s["name"], s["status"]) for s in second.unapproved] == [
        ("甲二小学", "submitted"),
        ("甲三小学", "draft"),
    ]
    assert second.passes is True  # only 甲一学校, which meets everything
    # the fingerprint is of all the data, so the overview does not call the data changed
    assert not data_changed_since(second)

    page = client.get(response.url).content.decode()
    line = "评估数据：只用已审核的数据，2 所学校未参加本次评估"
    assert line in page and "：甲二小学、甲三小学。" in page
    # against the first run: the verdict and part R turned, two segments left, R4's CV moved
    assert 'class="verdict-change">县域结论：<span class="badge fail">未达标</span> → ' in page
    assert '<span class="badge ok">达标</span></p>' in page
    assert '<th scope="row" data-label="评估部分">资源配置</th>' in page
    for name, old in (("甲二小学", 'ok">达标'), ("甲三小学", 'fail">未达标')):
        row = f'<th scope="row" data-label="学段（每所学校资源配置）">{name}（小学）</th>'
        assert row + f'<td data-label="上一次"><span class="badge {old}</span></td>' in page
    assert page.count("未参加评估</span>") == 2
    # √18 / 9 = 0.471 with three schools; one school alone has no spread: 0.000
    assert '<td data-label="上一次">0.471</td><td data-label="本次">0.000</td>' in page
    assert "限值 ≤ 0.5；仍达标" in page

    overview = client.get(reverse("county", args=[county.pk, year.label])).content.decode()
    assert line in overview
    assert "数据已有变动" not in overview
    assert reverse("evaluate", args=[county.pk, year.label]) in overview


def test_approved_only_with_nothing_approved_is_refused(client, three_schools):
    county, year, admin = three_schools
    SchoolYearData.objects.update(status=Status.DRAFT)
    client.force_login(admin)
    response = client.post(reverse("evaluate", args=[county.pk, year.label]), {"data": "approved"})
    assert response.status_code == 400
    assert "没有可以单独评估的已审核学校数据" in response.content.decode()
    assert Snapshot.objects.count() == 0


def test_readers_see_no_confirmation(client, three_schools, django_user_model):
    county, year, _ = three_schools
    leader = django_user_model.objects.create_user("jia-leader")
    Profile.objects.create(user=leader, role=Role.LEADER, county=county)
    client.force_login(leader)
    assert client.get(reverse("evaluate", args=[county.pk, year.label])).status_code == 403
    response = client.post(reverse("evaluate", args=[county.pk, year.label]), {"data": "all"})
    assert response.status_code == 403
    assert Snapshot.objects.count() == 0


def test_pages_about_one_school_say_which_data_without_the_names(client, three_schools):
    county, year, admin = three_schools
    client.force_login(admin)
    client.post(reverse("evaluate", args=[county.pk, year.label]), {"data": "approved"})
    page = client.get(reverse("school", args=["S1", year.label])).content.decode()
    assert (
        "评估数据：只用已审核的数据，2 所学校未参加本次评估"
        "（数据未审核，或与其中心校、教学点一并未纳入）。" in page
    )
    assert "甲二小学" not in page
