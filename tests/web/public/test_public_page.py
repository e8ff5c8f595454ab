"""The public progress page on the hand-made county of conftest.py: what it says (verdicts,
counts, phases on both sides of midnight in Beijing), what it never says (names, phones, other
counties, per-school figures unless published), and its 404 for unpublished counties."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from junheng.web.accounts.models import Role
from junheng.web.public.models import PublicPage
from junheng.web.public.scrub import PHONE
from junheng.web.public.services import county_secrets
from tests.web.public.conftest import NAMES, PHONES
from tests.web.sites import add_user

URL = "/p/qinghe/"


def _text(html: str) -> str:
    """The page's visible text, tags dropped, whitespace collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def at(monkeypatch):
    """Set the site's clock to a UTC instant."""

    def freeze(instant: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return freeze


# 12:00 on 10 March 2026 in Beijing: the deploy phase is over, the implementation phase runs.
MARCH_10 = dt.datetime(2026, 3, 10, 4, 0, tzinfo=dt.UTC)


def test_page_shows_verdicts_counts_and_plan(client, site, at):
    at(MARCH_10)
    response = client.get(URL)
    assert response.status_code == 200
    text = _text(response.content.decode())
    assert "清河县义务教育优质均衡发展创建工作进展" in text
    assert "示例省 示例市 · 2026 学年" in text
    # summary: verdict False; parts R False, G True, Q True, S None, veto True
    assert "评估结论： 未达标" in text
    for part, mark in (
        ("资源配置", "✗ 未达标"),
        ("政府保障程度", "✓ 达标"),
        ("教育质量", "✓ 达标"),
        ("社会认可度", "— 无法判定"),
        ("一票否决", "✓ 无否决情形"),
    ):
        assert f"{part} {mark}" in text
    assert "纳入评估的学校学段 2 个，其中资源配置未达标 1 个" in text
    # 4 problems: 2 closed (体育场馆, 培训经费), 2 not (实验室 open, 功能室 proposed) → 50.0 %
    assert "共发现问题 4 个，已整改销号 2 个，正在整改 2 个（销号率 50.0%）" in text
    # by part: 资源配置 2 found / 1 closed / 1 open; 政府保障程度 1/1/0; no part → 其他 1/0/1
    parts = _text(re.search(r'id="table-parts".*?</table>', response.content.decode(), re.S)[0])
    assert "资源配置 2 1 1" in parts
    assert "政府保障程度 1 1 0" in parts
    assert "其他 1 0 1" in parts
    assert parts.index("资源配置") < parts.index("政府保障程度") < parts.index("其他")
    # by source: 评估 1/1/0, 督导检查 2/0/2, 自查 1/1/0; 会议决定 has none and is not listed
    sources = _text(re.search(r'id="table-sources".*?</table>', response.content.decode(), re.S)[0])
    assert "评估 1 1 0" in sources
    assert "督导检查 2 0 2" in sources
    assert "自查 1 1 0" in sources
    assert "会议决定" not in sources
    assert "目标：2027 年通过国家督导评估，迎检日期 2027-10-15" in text
    assert "动员部署 已结束" in text
    assert "全面整改 进行中" in text
    assert "部署阶段 · 2026-01-01 至 2026-03-01" in text
    assert "2026-01-20 印发创建实施方案 已完成" in text
    # the milestone of 1 March, not done, is overdue on 10 March
    assert "逾期未完成" in text
    assert "邻水" not in text  # nothing of the other county
    assert "national-2017" not in text and "primary" not in text


@pytest.mark.parametrize(
    ("instant", "phase", "milestone"),
    [
        # 23:30 on 1 March in Beijing (15:30 UTC): the phase's last day, the milestone's day
        (dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC), "动员部署 进行中", "待完成"),
        # 00:30 on 2 March in Beijing (16:30 UTC on the 1st): the phase is over
        (dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC), "动员部署 已结束", "逾期未完成"),
    ],
)
def test_phases_follow_the_day_in_beijing(client, site, at, instant, phase, milestone):
    at(instant)
    text = _text(client.get(URL).content.decode())
    assert phase in text
    assert f"各校报送自查报告（联系人×× ××） {milestone}" in text


def test_the_cached_page_turns_over_at_midnight_in_beijing(client, site, at):
    at(dt.datetime(2026, 3, 1, 15, 30, tzinfo=dt.UTC))
    assert "动员部署 进行中" in _text(client.get(URL).content.decode())
    at(dt.datetime(2026, 3, 1, 16, 30, tzinfo=dt.UTC))
    assert "动员部署 已结束" in _text(client.get(URL).content.decode())


def test_no_name_or_phone_of_anyone(client, site, at):
    """Organisation people, task persons and leaders, users' names: in the intro, milestones,
    problem titles and task text of the fixture; none reaches the page, bulletin included."""
    at(MARCH_10)
    site["page"].show_schools = True
    site["page"].save()
    client.force_login(site["users"]["admin"])
    client.post(f"/counties/{site['county'].pk}/2026/public/bulletin/", {"period": "month"})
    client.logout()
    html = client.get(URL).content.decode()
    assert "本月" in html or "月通报" in html  # the bulletin is there
    assert "实验室不足" in html  # the overdue task's problem, its reporter's name removed
    for secret in (*NAMES, *PHONES, NAMES[5][:2], NAMES[5][2:], "88886666"):
        assert secret not in html, secret
    assert PHONE.search(_text(html)) is None
    assert "欢迎监督。联系人：××，电话 ××。" in html
    # the logged-in admin's name never shows either (the page is the same for everyone)
    client.force_login(site["users"]["admin"])
    assert NAMES[3] not in client.get(URL).content.decode()


def test_schools_only_when_the_county_publishes_them(client, site):
    assert "各校情况" not in client.get(URL).content.decode()
    assert "清河一小" not in _text(client.get(URL).content.decode())
    site["page"].show_schools = True
    site["page"].save()
    html = client.get(URL).content.decode()
    rows = _text(re.search(r'id="table-schools".*?</table>', html, re.S)[0])
    # by township: 城关镇 before 石桥镇; 清河一小 primary passes, 1 problem (proposed) not closed;
    # 石桥中学 junior fails, 2 problems, 1 closed; the school out of scope is not listed
    assert "清河一小 城关镇 小学 达标 1 0" in rows
    assert "石桥中学 石桥镇 初中 未达标 2 1" in rows
    assert rows.index("清河一小") < rows.index("石桥中学")
    assert "停办小学" not in rows


def test_unpublished_county_answers_as_an_unknown_address(client, site):
    unknown = client.get("/p/no-such-county/")
    PublicPage.objects.create(county=site["other"], slug="linshui", published=False)
    unpublished = client.get("/p/linshui/")
    assert unknown.status_code == unpublished.status_code == 404
    assert unknown.content == unpublished.content
    assert "邻水" not in unpublished.content.decode()
    site["page"].published = False
    site["page"].save()
    assert client.get(URL).content == unknown.content


def test_headers(client, site):
    response = client.get(URL)
    assert "public" in response["Cache-Control"]
    assert "max-age=60" in response["Cache-Control"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "Set-Cookie" not in response
    assert client.get("/p/no-such-county/").get("Cache-Control") is None


def test_an_impossible_address_is_refused_without_a_query(client, site, django_assert_num_queries):
    unknown = client.get("/p/no-such-county/")
    with django_assert_num_queries(0):
        for path in ("/p/Qinghe/", "/p/q%20h/", "/p/qh/", f"/p/{'a' * 41}/"):
            response = client.get(path)
            assert response.status_code == 404
            assert response.content == unknown.content


def test_head_and_post(client, site):
    assert client.head(URL).status_code == 200
    assert client.post(URL).status_code == 405


def test_an_office_account_does_not_mask_its_own_unit(client, site, at, django_user_model):
    """A shared account named after its office (as counties name them: 县教育局, 责任督学)
    is no person: the unit's row of the bulletin keeps its name, people are still masked."""
    at(MARCH_10)
    office = add_user(django_user_model, "edu_office", Role.COUNTY_ADMIN, county=site["county"])
    office.first_name = "县教育局"
    office.save()
    duxue = add_user(django_user_model, "duxue2", Role.SCHOOL_INSPECTOR, county=site["county"])
    duxue.first_name = "责任督学"
    duxue.save()
    secrets = county_secrets(site["county"])
    assert "县教育局" not in secrets.names and "责任督学" not in secrets.names
    assert NAMES[0] in secrets.names
    client.force_login(site["users"]["admin"])
    client.post(f"/counties/{site['county'].pk}/2026/public/bulletin/", {"period": "month"})
    client.logout()
    html = client.get(URL).content.decode()
    assert "县教育局" in html
    for secret in NAMES:
        assert secret not in html, secret
