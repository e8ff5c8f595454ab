"""The workflow of a school year (submit, return, approve, unlock), the review list, the history
on the school page and the county facts form: the rules in `workflow`, and over HTTP for every
role."""

from __future__ import annotations

import polars as pl
import pytest
from django.test import Client
from django.urls import reverse

from junheng.web.collection.models import (
    ChangeLog,
    CountyFactsVersion,
    CountyFactValue,
    SchoolYearData,
    SegmentData,
    Status,
)
from junheng.web.registry.management.commands.junheng_demo import DEMO_CITY, DEMO_PROVINCE
from junheng.web.services import DataLockedError, load_dataset
from junheng.web.workflow import (
    HISTORY_PAGE,
    Action,
    DataLocked,
    NotPermitted,
    WorkflowError,
    allowed_actions,
    save_school_data,
    school_history,
    transition,
)
from tests.web import test_entry_fixtures as fixtures
from tests.web.test_entry_fixtures import (
    OWN,
    county_form,
    edit_url,
    school_url,
    stored_form,
    workflow_url,
)

site = fixtures.site
pytestmark = pytest.mark.django_db


def _status(site, school="own"):
    return SchoolYearData.objects.get(school=site[school], year=site["year"]).status


def _steps(site, school="own"):
    return list(
        ChangeLog.objects.filter(school=site[school], field="status")
        .order_by("id")
        .values_list("user__username", "old_value", "new_value", "comment")
    )


# Rules --------------------------------------------------------------------------------------


def test_full_cycle_with_every_step_in_the_history(site):
    users, school, year = site["users"], site["own"], site["year"]
    assert allowed_actions(users["school"], school, _data(site)) == [Action.SUBMIT]
    transition(school, year, Action.SUBMIT, users["school"])
    assert _status(site) == Status.SUBMITTED
    assert allowed_actions(users["school"], school, _data(site)) == []
    assert allowed_actions(users["admin"], school, _data(site)) == [Action.APPROVE, Action.RETURN]

    transition(school, year, Action.RETURN, users["admin"], "  小学专任教师数与统计年报不一致  ")
    data = _data(site)
    assert (data.status, data.review_comment) == (Status.RETURNED, "小学专任教师数与统计年报不一致")
    transition(school, year, Action.SUBMIT, users["school"])
    transition(school, year, Action.APPROVE, users["admin"])
    assert _status(site) == Status.APPROVED
    assert allowed_actions(users["admin"], school, _data(site)) == [Action.UNLOCK]
    transition(school, year, Action.UNLOCK, users["admin"], "统计年报更正")
    assert _status(site) == Status.DRAFT

    assert _steps(site) == [
        ("school", "draft", "submitted", ""),
        ("cadmin", "submitted", "returned", "小学专任教师数与统计年报不一致"),
        ("school", "returned", "submitted", ""),
        ("cadmin", "submitted", "approved", ""),
        ("cadmin", "approved", "draft", "统计年报更正"),
    ]
    history, more = school_history(school, year)
    assert more is None
    assert [(h.field, h.old, h.new) for h in history][:2] == [
        ("状态", "已审核", "填报中"),
        ("状态", "已提交", "已审核"),
    ]
    assert history[0].comment == "统计年报更正" and history[0].who == "王管理"
    # Workflow steps are not data changes: the version and the data revision stay.
    assert _data(site).version == 1


def _data(site, school="own"):
    return SchoolYearData.objects.get(school=site[school], year=site["year"])


@pytest.mark.parametrize(
    ("status", "action", "words"),
    [
        (Status.DRAFT, Action.APPROVE, "当前为“填报中”，不能审核通过"),
        (Status.DRAFT, Action.UNLOCK, "当前为“填报中”，不能解除锁定"),
        (Status.APPROVED, Action.SUBMIT, "当前为“已审核”，不能提交审核"),
        (Status.RETURNED, Action.RETURN, "当前为“退回”，不能退回修改"),
    ],
)
def test_illegal_transitions_say_why(site, status, action, words):
    SchoolYearData.objects.filter(school=site["own"]).update(status=status)
    with pytest.raises(WorkflowError, match=words):
        transition(site["own"], site["year"], action, site["users"]["admin"], "意见")
    assert _status(site) == status
    assert not ChangeLog.objects.exists()


def test_return_and_unlock_need_a_comment(site):
    admin, school, year = site["users"]["admin"], site["own"], site["year"]
    SchoolYearData.objects.filter(school=school).update(status=Status.SUBMITTED)
    with pytest.raises(WorkflowError, match="请填写退回意见后再退回修改"):
        transition(school, year, Action.RETURN, admin, "   ")
    SchoolYearData.objects.filter(school=school).update(status=Status.APPROVED)
    with pytest.raises(WorkflowError, match="请填写解除锁定原因后再解除锁定"):
        transition(school, year, Action.UNLOCK, admin)
    assert _status(site) == Status.APPROVED


@pytest.mark.parametrize(
    ("who", "status", "action"),
    [
        ("school", Status.SUBMITTED, Action.APPROVE),
        ("school", Status.APPROVED, Action.UNLOCK),
        ("leader", Status.DRAFT, Action.SUBMIT),
        ("leader", Status.SUBMITTED, Action.APPROVE),
        ("inspector", Status.SUBMITTED, Action.RETURN),
        ("other_admin", Status.SUBMITTED, Action.APPROVE),
        ("other_admin", Status.APPROVED, Action.UNLOCK),
    ],
)
def test_roles_that_may_not_take_a_step(site, who, status, action):
    SchoolYearData.objects.filter(school=site["own"]).update(status=status)
    with pytest.raises(NotPermitted):
        transition(site["own"], site["year"], action, site["users"][who], "意见")
    assert _status(site) == status


def test_approved_data_is_locked_against_the_form_and_imports(site, demo):
    users, school, year = site["users"], site["own"], site["year"]
    SchoolYearData.objects.filter(school=school).update(status=Status.SUBMITTED)
    transition(school, year, Action.APPROVE, users["sysadmin"])
    with pytest.raises(DataLocked, match="已审核锁定"):
        save_school_data(school, year, demo, users["school"], 1)
    changed = demo.segments.with_columns(pl.col("students") + 1)
    with pytest.raises(DataLockedError, match="城关第一小学"):
        load_dataset(
            type(demo).build(
                demo.schools, changed, demo.county_facts, demo.school_facts, demo.survey, demo.notes
            ),
            year.label,
            province=DEMO_PROVINCE,
            city=DEMO_CITY,
        )
    assert SegmentData.objects.get(school=school, level="primary").students == 2260


# Workflow over HTTP -------------------------------------------------------------------------


def test_workflow_post_needs_login_csrf_and_scope(client, site):
    url = workflow_url(site["own"], site["year"])
    response = client.post(url, {"action": "submit"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(site["users"]["school"])
    assert strict.post(url, {"action": "submit"}).status_code == 403
    client.force_login(site["users"]["school"])
    other = client.post(workflow_url(site["other"], site["year"]), {"action": "submit"})
    assert other.status_code == 404
    assert site["other"].name not in other.content.decode()
    assert client.get(url).status_code == 405
    assert _status(site) == Status.DRAFT and _status(site, "other") == Status.DRAFT


@pytest.mark.parametrize("role", ["leader", "inspector"])
def test_readers_are_refused_every_step(client, site, role):
    client.force_login(site["users"][role])
    SchoolYearData.objects.filter(school=site["own"]).update(status=Status.SUBMITTED)
    for action in ("submit", "approve", "return", "unlock"):
        response = client.post(
            workflow_url(site["own"], site["year"]), {"action": action, "comment": "x"}
        )
        assert response.status_code == 403, action
    assert _status(site) == Status.SUBMITTED


def test_other_county_admin_gets_404(client, site):
    SchoolYearData.objects.filter(school=site["own"]).update(status=Status.SUBMITTED)
    client.force_login(site["users"]["other_admin"])
    response = client.post(workflow_url(site["own"], site["year"]), {"action": "approve"})
    assert response.status_code == 404
    assert _status(site) == Status.SUBMITTED


def test_school_page_shows_status_actions_comment_and_history(client, site):
    users, school, year = site["users"], site["own"], site["year"]
    client.force_login(users["school"])
    page = client.get(school_url(school, year)).content.decode()
    assert 'class="badge draft">填报中' in page
    assert edit_url(school, year) in page
    assert 'value="submit"' in page and 'value="approve"' not in page
    response = client.post(workflow_url(school, year), {"action": "submit"})
    assert response.status_code == 302 and response.url == school_url(school, year)
    page = client.get(response.url).content.decode()
    assert "已提交审核" in page and 'class="badge submitted">已提交' in page
    assert "填报 / 修改数据" not in page

    admin = Client()
    admin.force_login(users["admin"])
    page = admin.get(school_url(school, year)).content.decode()
    assert 'value="approve"' in page and 'value="return"' in page
    admin.post(workflow_url(school, year), {"action": "return", "comment": "请核对体育教师数"})

    page = client.get(school_url(school, year)).content.decode()
    assert "退回意见：</strong>请核对体育教师数" in page
    assert 'class="badge fail">退回' in page
    assert "填报 / 修改数据" in page
    assert "意见：请核对体育教师数" in page
    assert page.index('已提交</span> → <span class="new">退回') < page.index(
        '填报中</span> → <span class="new">已提交'
    )


def test_an_illegal_step_over_http_shows_the_reason(client, site):
    client.force_login(site["users"]["admin"])
    response = client.post(workflow_url(site["own"], site["year"]), {"action": "approve"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "城关第一小学：本校数据当前为“填报中”，不能审核通过" in page
    assert _status(site) == Status.DRAFT
    response = client.post(
        workflow_url(site["own"], site["year"]), {"action": "return", "comment": ""}
    )
    assert _status(site) == Status.DRAFT


def test_next_may_not_leave_the_site(client, site):
    client.force_login(site["users"]["school"])
    response = client.post(
        workflow_url(site["own"], site["year"]),
        {"action": "submit", "next": "https://example.com/"},
    )
    assert response.url == school_url(site["own"], site["year"])


# History paging -----------------------------------------------------------------------------


def test_history_is_paged_newest_first(client, site):
    school, year, user = site["own"], site["year"], site["users"]["school"]
    ChangeLog.objects.bulk_create(
        ChangeLog(
            user=user,
            model="SegmentData",
            object_id=f"{OWN}/小学",
            field="students",
            old_value=str(2000 + i),
            new_value=str(2001 + i),
            school=school,
            county=site["county"],
            year=year,
        )
        for i in range(HISTORY_PAGE + 5)
    )
    client.force_login(user)
    page = client.get(school_url(school, year)).content.decode()
    assert page.count('class="history-entry') == HISTORY_PAGE
    assert "2055" in page and "2005" in page and ">2004<" not in page
    first, more = school_history(school, year)
    assert more == first[-1].id
    url = reverse("school_history", args=[OWN, year.label]) + f"?before={more}"
    assert f'hx-get="{url}"' in page
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<ol" not in fragment and "<html" not in fragment
    assert fragment.count('class="history-entry') == 5
    assert "2000" in fragment and "更早的修改记录" not in fragment
    full = client.get(url).content.decode()
    assert "<html" in full and full.count('class="history-entry') == 5


def test_history_page_scope(client, site):
    url = reverse("school_history", args=[site["other"].school_id, site["year"].label])
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(site["users"]["school"])
    assert client.get(url).status_code == 404
    client.force_login(site["users"]["other_admin"])
    assert client.get(url).status_code == 404
    client.force_login(site["users"]["leader"])
    assert client.get(url).status_code == 200


# Review list --------------------------------------------------------------------------------


def _review_url(site, status=None):
    url = reverse("county_review", args=[site["county"].pk, site["year"].label])
    return url if status is None else f"{url}?status={status}"


def test_review_list_scope(client, site):
    url = _review_url(site)
    assert client.get(url).url.startswith(reverse("login"))
    client.force_login(site["users"]["school"])
    assert client.get(url).status_code == 404
    client.force_login(site["users"]["other_admin"])
    response = client.get(url)
    assert response.status_code == 404 and site["own"].name not in response.content.decode()


def test_review_list_shows_every_school_and_filters_by_status(client, site, demo):
    users = site["users"]
    transition(site["own"], site["year"], Action.SUBMIT, users["school"])
    client.force_login(users["admin"])
    page = client.get(_review_url(site)).content.decode()
    assert page.count("<tr>") == demo.schools.height + 1
    assert f'全部 <span class="count">{demo.schools.height}</span>' in page
    assert '已提交 <span class="count">1</span>' in page
    assert f'填报中 <span class="count">{demo.schools.height - 1}</span>' in page
    submitted = client.get(_review_url(site, "submitted")).content.decode()
    assert submitted.count("<tr>") == 2
    assert site["own"].name in submitted and site["other"].name not in submitted
    assert 'value="approve"' in submitted and 'value="return"' in submitted
    assert "李填报" in submitted  # who made the last change
    assert client.get(_review_url(site, "bogus")).status_code == 200


def test_review_buttons_only_for_reviewers_and_approval_returns_to_the_list(client, site):
    transition(site["own"], site["year"], Action.SUBMIT, site["users"]["school"])
    for role in ("leader", "inspector"):
        client.force_login(site["users"][role])
        page = client.get(_review_url(site, "submitted")).content.decode()
        assert site["own"].name in page
        assert 'value="approve"' not in page and "填报县级指标" not in page
    client.force_login(site["users"]["admin"])
    here = _review_url(site, "submitted")
    response = client.post(
        workflow_url(site["own"], site["year"]), {"action": "approve", "next": here}
    )
    assert response.url == here
    page = client.get(here).content.decode()
    assert "城关第一小学：已审核通过" in page
    assert _status(site) == Status.APPROVED
    assert client.get(_review_url(site, "approved")).content.decode().count('value="unlock"') == 1


def test_review_list_query_count_does_not_grow_with_schools(
    client, site, django_assert_max_num_queries
):
    client.force_login(site["users"]["admin"])
    # the header's 待办 count is computed on a user's first page and kept for two minutes
    # (notifications/badge.py): the page's own queries are what is counted here
    client.get(_review_url(site))
    with django_assert_max_num_queries(12):
        client.get(_review_url(site))


# County facts form --------------------------------------------------------------------------


def _facts_url(site):
    return reverse("county_facts", args=[site["county"].pk, site["year"].label])


def test_county_facts_form_scope(client, site):
    url = _facts_url(site)
    assert client.get(url).url.startswith(reverse("login"))
    for who, code in (("school", 404), ("other_admin", 404), ("leader", 403), ("inspector", 403)):
        client.force_login(site["users"][who])
        assert client.get(url).status_code == code, who
        form = county_form(site["county"], site["year"]) | {"fact__rotation_rate": "0.5"}
        assert client.post(url, form).status_code == code, who
    assert CountyFactValue.objects.get(fact="rotation_rate").value == "0.12"
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(site["users"]["admin"])
    assert strict.post(url, county_form(site["county"], site["year"])).status_code == 403


def test_county_facts_form_groups_by_part_with_choices_from_the_schema(client, site):
    client.force_login(site["users"]["admin"])
    page = client.get(_facts_url(site)).content.decode()
    for title in ("G 政府保障程度", "Q 教育质量", "S 社会认可度", "V 一票否决"):
        assert title in page
    assert "G8 教师平均工资收入" in page and '<span class="unit">元</span>' in page
    assert 'name="fact__teacher_avg_pay_yuan" value="98640"' in page
    assert '<option value="是" selected>是</option>' in page
    assert '<option value="3" selected>Ⅲ级</option>' in page
    assert "县政府常务会议审议通过" in page  # the evidence note


def test_county_facts_save_validate_and_log(client, site):
    admin = site["users"]["admin"]
    client.force_login(admin)
    url = _facts_url(site)
    bad = county_form(site["county"], site["year"]) | {
        "fact__rotation_rate": "12",
        "fact__teacher_avg_pay_yuan": "9万元",
    }
    page = client.post(url, bad).content.decode()
    assert "值“12”无效，「符合交流条件教师年交流轮岗比例」应填 0 到 1 之间的小数或百分数" in page
    assert "值“9万元”带了单位" in page and "90000" in page
    assert not ChangeLog.objects.exists()

    good = county_form(site["county"], site["year"]) | {
        "fact__rotation_rate": "13%",
        "note__rotation_rate": "2025年交流轮岗58人",
        "fact__veto_key_classes": "",
    }
    response = client.post(url, good)
    assert response.status_code == 302
    assert CountyFactValue.objects.get(fact="rotation_rate").value == "0.13"
    assert not CountyFactValue.objects.filter(fact="veto_key_classes").exists()
    logs = {
        (log.object_id, log.field): (log.old_value, log.new_value)
        for log in ChangeLog.objects.filter(model="CountyFactValue")
    }
    assert logs == {
        ("示范县/rotation_rate", "value"): ("0.12", "0.13"),
        ("示范县/rotation_rate", "note"): (
            "2024年符合交流条件教师442人，交流轮岗53人",
            "2025年交流轮岗58人",
        ),
        ("示范县/veto_key_classes", "value"): ("否", None),
    }
    assert ChangeLog.objects.filter(user=admin).count() == 3
    # Version 1 was the first load; the form's save is version 2.
    assert CountyFactsVersion.objects.get(county=site["county"]).version == 2
    page = client.get(response.url).content.decode()
    assert "县级指标已保存，共修改 3 项" in page
    assert '符合交流条件教师年交流轮岗比例</span>：<span class="old">0.12</span>' in page


def test_county_facts_two_editors(site):
    url = _facts_url(site)
    first, second = Client(), Client()
    first.force_login(site["users"]["admin"])
    second.force_login(site["users"]["admin2"])
    opened = county_form(site["county"], site["year"])
    assert first.post(url, opened | {"fact__rotation_rate": "0.13"}).status_code == 302
    refused = second.post(url, opened | {"fact__rotation_rate": "0.15"})
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "王管理于" in body and "本县县级指标" in body
    assert 'name="fact__rotation_rate" value="0.15"' in body and "当前值：0.13" in body
    assert CountyFactValue.objects.get(fact="rotation_rate").value == "0.13"


def test_an_import_moves_the_county_facts_version_on(site, demo):
    stale = county_form(site["county"], site["year"]) | {"fact__burden_ok": "否"}
    facts = demo.county_facts.with_columns(pl.lit(0.2).alias("rotation_rate"))
    load_dataset(
        type(demo).build(
            demo.schools, demo.segments, facts, demo.school_facts, demo.survey, demo.notes
        ),
        site["year"].label,
        province=DEMO_PROVINCE,
        city=DEMO_CITY,
    )
    client = Client()
    client.force_login(site["users"]["admin"])
    assert client.post(_facts_url(site), stale).status_code == 409
    assert CountyFactValue.objects.get(fact="burden_ok").value == "是"


def test_a_returned_school_edits_and_resubmits(client, site):
    users, school, year = site["users"], site["own"], site["year"]
    transition(school, year, Action.SUBMIT, users["school"])
    transition(school, year, Action.RETURN, users["admin"], "在校生数有误")
    client.force_login(users["school"])
    page = client.get(edit_url(school, year)).content.decode()
    assert "退回意见：</strong>在校生数有误" in page
    response = client.post(
        edit_url(school, year), stored_form(school, year) | {"primary__students": "2250"}
    )
    assert response.status_code == 302
    client.post(workflow_url(school, year), {"action": "submit"})
    assert _status(site) == Status.SUBMITTED
