"""Who may see and change the ledger, over HTTP: anonymous users go to the login page; unknown
and forbidden answer 404 alike; a department edits only its own tasks; only approvers close."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from junheng.web.rectification.models import Problem, ProgressUpdate, Task

pytestmark = pytest.mark.django_db


def _pages(ledger):
    county, year = ledger["county"].pk, ledger["year"].label
    task = ledger["edu_task"].pk
    return [
        reverse("rectification", args=[county, year]),
        reverse("rectification_organisation", args=[county, year]),
        reverse("rectification_due", args=[county, year]),
        reverse("rectification_bulletin", args=[county, year]),
        reverse("rectification_bulletin_docx", args=[county, year]),
        reverse("rectification_problem", args=[ledger["problem"].pk]),
        reverse("rectification_task", args=[task]),
    ]


def test_anonymous_is_sent_to_login(client, ledger):
    for url in [*_pages(ledger), reverse("rectification_start")]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    response = client.post(
        reverse("rectification_step", args=[ledger["edu_task"].pk]), {"target": "进行中"}
    )
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert Task.objects.get(pk=ledger["edu_task"].pk).status == "未开始"


@pytest.mark.parametrize("role", ["admin", "sysadmin", "leader", "inspector", "edu", "fin"])
def test_readers_of_the_county_see_every_page(client, ledger, role):
    client.force_login(ledger["users"][role])
    for url in _pages(ledger):
        assert client.get(url).status_code == 200, (role, url)


@pytest.mark.parametrize("role", ["other_admin", "school", "foreign", "nobody"])
def test_outsiders_get_404_without_the_countys_name(client, ledger, role):
    client.force_login(ledger["users"][role])
    for url in _pages(ledger):
        response = client.get(url)
        assert response.status_code == 404, (role, url)
        assert ledger["problem"].title not in response.content.decode()
    # an id that does not exist answers the same
    assert client.get(reverse("rectification_task", args=[999999])).status_code == 404


def test_department_edits_its_own_task_only(client, ledger):
    edu_task, fin_task = ledger["edu_task"], ledger["fin_task"]
    client.force_login(ledger["users"]["fin"])
    assert client.get(reverse("rectification_task_edit", args=[edu_task.pk])).status_code == 404
    response = client.post(
        reverse("rectification_progress", args=[edu_task.pk]), {"text": "财政局越权填写"}
    )
    assert response.status_code == 404
    response = client.post(reverse("rectification_step", args=[edu_task.pk]), {"target": "进行中"})
    assert response.status_code == 404
    assert not ProgressUpdate.objects.filter(text="财政局越权填写").exists()
    assert Task.objects.get(pk=edu_task.pk).status == "未开始"
    # its own task: progress and the step forward are accepted
    response = client.post(
        reverse("rectification_progress", args=[fin_task.pk]), {"text": "已拨付首批资金"}
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=fin_task.pk).status == "进行中"
    page = client.get(reverse("rectification_task", args=[fin_task.pk])).content.decode()
    assert "已拨付首批资金" in page and "提交验收" in page


def test_a_responsible_unit_may_update_the_task(client, ledger):
    client.force_login(ledger["users"]["hr"])
    task = ledger["edu_task"]
    assert client.get(reverse("rectification_task_edit", args=[task.pk])).status_code == 200
    client.post(reverse("rectification_step", args=[task.pk]), {"target": "进行中"})
    assert Task.objects.get(pk=task.pk).status == "进行中"


@pytest.mark.parametrize("role", ["leader", "inspector"])
def test_read_only_roles_cannot_change_anything(client, ledger, role):
    client.force_login(ledger["users"][role])
    county, year = ledger["county"].pk, ledger["year"].label
    task = ledger["edu_task"]
    posts = [
        (reverse("rectification_generate", args=[county, year]), {}),
        (reverse("rectification_problem_new", args=[county, year]), {"title": "x"}),
        (reverse("rectification_task_new", args=[ledger["problem"].pk]), {}),
        (reverse("rectification_progress", args=[task.pk]), {"text": "读者写入"}),
        (reverse("rectification_step", args=[task.pk]), {"target": "进行中"}),
        (reverse("rectification_organisation", args=[county, year]), {"action": "unit"}),
    ]
    problems = Problem.objects.count()
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert Problem.objects.count() == problems
    assert Task.objects.get(pk=task.pk).status == "未开始"
    page = client.get(reverse("rectification", args=[county, year])).content.decode()
    assert "根据最新评估结果生成问题" not in page


def _to_awaiting(client, task):
    client.post(reverse("rectification_step", args=[task.pk]), {"target": "进行中"})
    client.post(reverse("rectification_step", args=[task.pk]), {"target": "待验收"})
    assert Task.objects.get(pk=task.pk).status == "待验收"


def test_closure_only_by_approvers(client, ledger):
    task = ledger["fin_task"]
    client.force_login(ledger["users"]["fin"])
    _to_awaiting(client, task)
    assert client.get(reverse("rectification_approve", args=[task.pk])).status_code == 404
    client.post(reverse("rectification_step", args=[task.pk]), {"target": "已销号"})
    assert Task.objects.get(pk=task.pk).status == "待验收"
    # returning it for more work is the approver's step too
    response = client.post(
        reverse("rectification_step", args=[task.pk]), {"target": "进行中", "comment": "自行撤回"}
    )
    assert response.status_code == 404
    assert Task.objects.get(pk=task.pk).status == "待验收"
    page = client.get(reverse("rectification_task", args=[task.pk])).content.decode()
    assert "退回整改" not in page and "验收销号" not in page
    client.force_login(ledger["users"]["leader"])
    assert (
        client.post(reverse("rectification_step", args=[task.pk]), {"target": "已销号"}).status_code
        == 404
    )
    # The county admin may approve, but the latest snapshot still shows the problem failing.
    client.force_login(ledger["users"]["admin"])
    page = client.get(reverse("rectification_approve", args=[task.pk])).content.decode()
    assert "该评估结果显示此项仍未达标，不能销号" in page
    response = client.post(
        reverse("rectification_step", args=[task.pk]), {"target": "已销号"}, follow=True
    )
    assert "显示该指标仍未达标，不能销号" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == "待验收"


def test_inspection_problem_is_closed_by_the_admin(client, ledger):
    county, year = ledger["county"], ledger["year"]
    client.force_login(ledger["users"]["admin"])
    response = client.post(
        reverse("rectification_problem_new", args=[county.pk, year.label]),
        {
            "source": "inspection",
            "title": "城关小学食堂卫生不达标",
            "found_on": "2026-05-20",
            "found_by": "市督导室",
        },
    )
    problem = Problem.objects.get(title="城关小学食堂卫生不达标")
    assert response.url == reverse("rectification_problem", args=[problem.pk])
    assert problem.key is None and problem.source == "inspection"
    response = client.post(
        reverse("rectification_task_new", args=[problem.pk]),
        {
            "lead_unit": ledger["units"]["edu"].pk,
            "measures": "更换设施并培训",
            "deadline": "2026-06-30",
        },
    )
    task = Task.objects.get(problem=problem)
    _to_awaiting(client, task)
    client.post(reverse("rectification_step", args=[task.pk]), {"target": "已销号"})
    task.refresh_from_db()
    problem.refresh_from_db()
    assert task.status == "已销号" and task.approver == ledger["users"]["admin"]
    assert task.closing_snapshot is None and problem.status == "closed"
    assert problem.closed_by == ledger["users"]["admin"]
    # revoking needs a reason and reopens the problem
    client.post(reverse("rectification_step", args=[task.pk]), {"target": "进行中"})
    assert Task.objects.get(pk=task.pk).status == "已销号"
    client.post(
        reverse("rectification_step", args=[task.pk]), {"target": "进行中", "comment": "复查未过"}
    )
    problem.refresh_from_db()
    assert Task.objects.get(pk=task.pk).status == "进行中" and problem.status == "open"


def test_task_form_refuses_another_countys_unit(client, ledger):
    client.force_login(ledger["users"]["admin"])
    foreign = ledger["users"]["foreign"].rectification_membership.unit
    response = client.post(
        reverse("rectification_task_new", args=[ledger["problem"].pk]),
        {"lead_unit": foreign.pk, "measures": "x", "deadline": "2026-06-30"},
    )
    assert response.status_code == 200
    assert "请从列表中选择本县的单位或学校" in response.content.decode()
    assert not Task.objects.filter(lead_unit=foreign).exists()


def test_posts_need_the_csrf_token(ledger):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ledger["users"]["admin"])
    task = ledger["edu_task"]
    response = client.post(reverse("rectification_step", args=[task.pk]), {"target": "进行中"})
    assert response.status_code == 403
    assert Task.objects.get(pk=task.pk).status == "未开始"


def test_a_department_filters_the_list_to_its_own_tasks(client, ledger):
    county, year = ledger["county"], ledger["year"]
    client.force_login(ledger["users"]["hr"])
    url = reverse("rectification", args=[county.pk, year.label])
    everything = client.get(url).content.decode()
    mine = client.get(url + "?mine=1").content.decode()
    title = ledger["problem"].title
    assert "只看本单位的任务" in mine
    assert everything.count('data-label="问题"') == Problem.objects.filter(county=county).count()
    # the one problem with the unit's task (as responsible unit), its two tasks counted once each
    assert mine.count('data-label="问题"') == 1 and title in mine
    assert "0/2 已销号" in mine


def test_start_page_leads_to_the_users_ledger(client, ledger):
    county, year = ledger["county"], ledger["year"]
    own = reverse("rectification", args=[county.pk, year.label])
    for role in ("admin", "leader", "inspector", "edu"):
        client.force_login(ledger["users"][role])
        assert client.get(reverse("rectification_start")).url == own, role
    client.force_login(ledger["users"]["sysadmin"])
    page = client.get(reverse("rectification_start")).content.decode()
    assert county.name in page and "邻县" in page
    # a school's clerk starts at the school's 一校一案
    client.force_login(ledger["users"]["school"])
    school = ledger["users"]["school"].profile.school
    assert client.get(reverse("rectification_start")).url == reverse(
        "rectification_school", args=[school.school_id, year.label]
    )
    client.force_login(ledger["users"]["nobody"])
    assert client.get(reverse("rectification_start")).status_code == 404


def test_problem_closure_is_the_approvers(client, ledger):
    county, year = ledger["county"], ledger["year"]
    client.force_login(ledger["users"]["admin"])
    client.post(
        reverse("rectification_problem_new", args=[county.pk, year.label]),
        {"source": "self_check", "title": "操场围栏松动", "found_on": "2026-05-02"},
    )
    problem = Problem.objects.get(title="操场围栏松动")
    for role in ("edu", "leader", "inspector"):
        client.force_login(ledger["users"][role])
        url = reverse("rectification_problem_close", args=[problem.pk])
        assert client.post(url).status_code == 404
        assert (
            "问题验收销号"
            not in client.get(reverse("rectification_problem", args=[problem.pk])).content.decode()
        )
    assert Problem.objects.get(pk=problem.pk).status == "open"
    client.force_login(ledger["users"]["admin"])
    # a hand-entered problem put right at once is closed without a task
    client.post(reverse("rectification_problem_close", args=[problem.pk]))
    assert Problem.objects.get(pk=problem.pk).status == "closed"
    # the data-backed problem still has open tasks
    response = client.post(
        reverse("rectification_problem_close", args=[ledger["problem"].pk]), follow=True
    )
    assert "该问题还有 2 项整改任务未销号，请先逐项验收销号" in response.content.decode()


def _every_route(ledger):
    """Every route of the app with arguments naming this county's objects."""
    from junheng.web.rectification import urls
    from junheng.web.rectification.models import Evidence, Person

    task = ledger["edu_task"]
    stored = Evidence.objects.create(
        update=task.updates.first(), name="a.pdf", kind="pdf", size=1, sha256="0" * 64, path="x"
    )
    person = Person.objects.create(unit=ledger["units"]["hr"], name="周五", post="科长")
    county, year = ledger["county"].pk, ledger["year"].label
    # a school and a township none of the outsiders may read (the school user's is 城关镇)
    args = {
        "county_id": county,
        "year": year,
        "pk": None,
        "school_id": ledger["stone"].school_id,
        "township": ledger["stone"].township,
    }
    by_name = {
        "rectification_problem": ledger["problem"].pk,
        "rectification_problem_close": ledger["problem"].pk,
        "rectification_task_new": ledger["problem"].pk,
        "rectification_evidence": stored.pk,
        "rectification_unit_edit": ledger["units"]["hr"].pk,
        "rectification_unit_delete": ledger["units"]["hr"].pk,
        "rectification_person_edit": person.pk,
        "rectification_person_delete": person.pk,
    }
    routes = []
    for pattern in urls.urlpatterns:
        names = pattern.pattern.converters
        kwargs = {k: args[k] for k in names}
        if "pk" in kwargs:
            kwargs["pk"] = by_name.get(pattern.name, task.pk)
        routes.append(reverse(pattern.name, kwargs=kwargs))
    return routes


def test_every_route_refuses_anonymous_and_outsiders(client, ledger):
    routes = _every_route(ledger)
    assert len(routes) == 31
    for url in routes:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url
    for role in ("other_admin", "school", "foreign", "nobody"):
        client.force_login(ledger["users"][role])
        for url in routes:
            if url == reverse("rectification_start"):
                continue
            for method in (client.get, client.post):
                assert method(url).status_code in (404, 405), (role, url)


@pytest.mark.parametrize("role", ["leader", "inspector"])
def test_no_route_takes_a_post_from_a_reader(client, ledger, role):
    routes = _every_route(ledger)
    client.force_login(ledger["users"][role])
    for url in routes:
        assert client.post(url, {"action": "unit", "target": "进行中"}).status_code in (404, 405)
    assert Task.objects.filter(status="未开始").count() == 2
    assert ProgressUpdate.objects.filter(author=ledger["users"][role]).count() == 0
