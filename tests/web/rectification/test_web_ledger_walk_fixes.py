"""What a new user's walk through the ledger found: 考核与会议 is a tab of the ledger and its pages
mark 整改台账 in the header; links to pages are not marked as downloads (only files are); a
task's page is headed by the work, not by its lead unit; the admin names a task 整改任务."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse

from junheng.web.rectification.models import Task

pytestmark = pytest.mark.django_db

TAB = re.compile(r'<nav class="rect-tabs" aria-label="整改台账">(.*?)</nav>', re.S)
CURRENT = re.compile(r'<nav class="site-nav"[^>]*>.*?aria-current="page">([^<]+)</a>', re.S)


def _get(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("who", ["admin", "leader", "inspector", "sysadmin", "edu"])
def test_the_ledgers_tabs_lead_to_the_appraisal_for_its_readers(client, ledger, who):
    county, year = ledger["county"], ledger["year"]
    page = _get(client, ledger["users"][who], reverse("rectification", args=[county.pk, "2026"]))
    tabs = TAB.search(page).group(1)
    # every reader of the ledger may read the ranking (appraisal.permissions.can_view_appraisal)
    assert f'<a href="{reverse("appraisal", args=[county.pk, year.label])}">考核与会议</a>' in tabs


def test_a_school_reading_its_task_gets_no_appraisal_tab(client, parties_site):
    task = parties_site["own_task"]
    page = _get(
        client, parties_site["users"]["school"], reverse("rectification_task", args=[task.pk])
    )
    assert "考核与会议" not in page and 'class="rect-tabs"' not in page


@pytest.mark.parametrize(
    "name",
    ["appraisal", "appraisal_meetings", "appraisal_decisions"],
)
@pytest.mark.parametrize("who", ["admin", "leader"])
def test_the_appraisal_pages_mark_the_ledger_in_the_header(client, ledger, name, who):
    county = ledger["county"]
    args = [county.pk] if name == "appraisal_decisions" else [county.pk, "2026"]
    page = _get(client, ledger["users"][who], reverse(name, args=args))
    assert CURRENT.search(page).group(1) == "整改台账"
    # the other side: the county's overview under the same /counties/ prefix stays 县区列表
    overview = _get(client, ledger["users"][who], reverse("county", args=[county.pk, "2026"]))
    assert CURRENT.search(overview).group(1) == "县区列表"


def test_only_file_links_are_export_links_on_the_problem_list(client, ledger):
    county = ledger["county"]
    url = reverse("rectification", args=[county.pk, "2026"]) + "?township=石桥镇"
    page = _get(client, ledger["users"]["admin"], url)
    exports = re.findall(r'<p class="export">(.*?)</p>', page, re.S)
    # the ledger's workbook is the one file here; the appraisal's links are pages
    ledger_xlsx = reverse("rectification_ledger_xlsx", args=[county.pk, "2026"])
    assert f'<a href="{ledger_xlsx}">下载整改台账（Excel）</a>' in exports[0]
    assert '<p class="links">考核与会议：' in page
    assert not any("考核与会议" in e for e in exports)
    book = reverse("rectification_township", args=[county.pk, "2026", "石桥镇"])
    assert f'<p class="links"><a href="{book}">石桥镇一镇一册</a></p>' in page
    assert not any("一镇一册" in e for e in exports)


def test_the_township_book_marks_only_its_word_file(client, ledger):
    county = ledger["county"]
    url = reverse("rectification_township", args=[county.pk, "2026", "石桥镇"])
    page = _get(client, ledger["users"]["admin"], url)
    exports = re.findall(r'<p class="export">(.*?)</p>', page, re.S)
    docx = reverse("rectification_township_docx", args=[county.pk, "2026", "石桥镇"])
    assert exports == [f'<a href="{docx}">下载一镇一册（Word）</a>']
    overview = reverse("township_overview", args=[county.pk, "2026", "石桥镇"])
    assert (
        f'<p class="links"><a href="{overview}">本乡镇学校的评估结果（各指标达标情况）</a></p>'
        in page
    )


def test_a_tasks_page_is_headed_by_its_problem(client, parties_site):
    task = parties_site["own_task"]
    title = parties_site["school_problem"].title
    url = reverse("rectification_task", args=[task.pk])
    # the school leads it: before, the heading read 整改任务：<the school's unit>
    school_page = _get(client, parties_site["users"]["school"], url)
    assert f"<h1>整改任务：{title}</h1>" in school_page
    assert f"<dt>牵头单位</dt><dd>{task.lead_unit.name}</dd>" in school_page
    problem_url = reverse("rectification_problem", args=[task.problem_id])
    assert f'<a href="{problem_url}">查看所属问题及其全部任务</a>' in school_page
    # the township's task the school is responsible for: the county's problem names it, but
    # the school may not open that problem, so there is no link to it
    town_task = parties_site["town_task"]
    town_page = _get(
        client, parties_site["users"]["school"], reverse("rectification_task", args=[town_task.pk])
    )
    assert "<h1>整改任务：城关镇学校布局需调整</h1>" in town_page
    assert reverse("rectification_problem", args=[town_task.problem_id]) not in town_page
    assert "查看所属问题" not in town_page


def test_the_admin_calls_a_task_a_task(client, ledger, django_user_model):
    assert Task._meta.verbose_name == Task._meta.verbose_name_plural == "整改任务"
    assert Task in admin_site._registry
    root = django_user_model.objects.create_superuser("root", "", "pw-均衡-2026")
    client.force_login(root)
    page = client.get(reverse("admin:rectification_task_changelist")).content.decode()
    # the path reads 首页 › 整改台账 (the app) › 整改任务, no longer 整改台账 › 整改台账
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>|\s", "", crumbs) == "首页&rsaquo;整改台账&rsaquo;整改任务"
