"""The public page from the cache: a second request reads no table; a change of what the page
shows (settings, bulletins, plan, milestones, problems, snapshots) is seen at the next request."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from junheng.web.evaluation.models import Snapshot
from junheng.web.public import services
from junheng.web.public.models import PublicBulletin
from junheng.web.rectification.models import Milestone, Person, ProblemStatus

URL = "/p/qinghe/"


def _get(client) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    return response.content.decode(), len(queries)


def test_second_request_reads_no_table(client, site, django_assert_num_queries):
    first, queries = _get(client)
    assert queries > 0
    with django_assert_num_queries(0):
        second = client.get(URL).content.decode()
    assert second == first


def test_a_logged_in_visitor_gets_the_same_cached_page(client, site):
    anonymous, _ = _get(client)
    client.force_login(site["users"]["leader"])
    html, queries = _get(client)
    assert html == anonymous
    # the session is read by the site's middleware; the page itself reads no table
    assert queries <= 2


def test_closing_a_problem_is_seen_at_once(client, site):
    assert '已整改销号 <strong class="ok">2</strong>' in _get(client)[0]
    problem = site["problems"][1]
    problem.status = ProblemStatus.CLOSED
    problem.save()
    html, queries = _get(client)
    assert queries > 0
    assert '已整改销号 <strong class="ok">3</strong>' in html


def test_milestone_and_settings_changes_are_seen_at_once(client, site):
    assert "印发创建实施方案" in _get(client)[0]
    Milestone.objects.filter(name="印发创建实施方案").get().delete()
    assert "印发创建实施方案" not in _get(client)[0]
    site["page"].intro = "新的简介"
    site["page"].save()
    assert "新的简介" in _get(client)[0]
    site["page"].published = False
    site["page"].save()
    assert client.get(URL).status_code == 404


def test_a_new_evaluation_and_a_withdrawn_bulletin_are_seen_at_once(client, site):
    assert '评估结论：<span class="badge big fail">未达标' in _get(client)[0]
    Snapshot.objects.create(
        county=site["county"],
        year=site["year"],
        standard_id="national-2017",
        standard_version="2017",
        policies={},
        data_fingerprint="a" * 64,
        result={"segments": []},
        summary={"verdict": True, "parts": {"R": True}},
    )
    assert '评估结论：<span class="badge big ok">达标' in _get(client)[0]
    bulletin = PublicBulletin.objects.create(
        county=site["county"],
        year=site["year"],
        period="week",
        start=dt.date(2026, 3, 9),
        end=dt.date(2026, 3, 10),
        title="第十周通报",
        summary="本周销号 1 个",
        content={"span": "3月9日至10日"},
        published_at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
    )
    assert "第十周通报" in _get(client)[0]
    bulletin.delete()
    assert "第十周通报" not in _get(client)[0]


def test_writes_without_signals_expire_with_the_entry(client, site):
    """A bulk update sends no signal: the entry's lifetime bounds how long it stays unseen."""
    _get(client)
    entry = cache.get(services.page_key("qinghe"))
    assert entry["county"] == site["county"].pk
    assert services.CACHE_SECONDS <= 600
    site["problems"][0].__class__.objects.filter(county=site["county"]).update(title="改")
    # the cached copy is still served …
    assert _get(client)[1] == 0
    # … until it expires (deleted here as the cache would)
    cache.delete(services.page_key("qinghe"))
    assert _get(client)[1] > 0


def test_a_lost_generation_token_renders_anew(client, site):
    _get(client)
    cache.delete(services.generation_key(site["county"].pk))
    assert _get(client)[1] > 0
    assert _get(client)[1] == 0


def test_a_name_recorded_later_is_hidden_at_once(client, site):
    """The page hides the names known when it renders; a person or a user's name recorded
    afterwards makes it render anew, and published bulletins are scrubbed again."""
    site["page"].intro = "感谢皇甫新人和闻人雅的监督。"
    site["page"].save()
    PublicBulletin.objects.create(
        county=site["county"],
        year=site["year"],
        period="week",
        start=dt.date(2026, 3, 9),
        end=dt.date(2026, 3, 10),
        title="第十周通报",
        summary="闻人雅所在单位本周销号 1 个",
        content={
            "span": "3月9日至10日",
            "closed": [{"title": "皇甫新人反映的问题", "units": "县教育局", "closed_on": ""}],
        },
        published_at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
    )
    assert "皇甫新人" in _get(client)[0]
    Person.objects.create(unit=site["unit"], name="皇甫新人", phone="")
    html = _get(client)[0]
    assert "皇甫新人" not in html
    assert "感谢××和闻人雅的监督" in html
    assert "××反映的问题" in html
    school_user = site["users"]["school"]
    school_user.first_name = "闻人雅"
    school_user.save()
    html = _get(client)[0]
    assert "闻人雅" not in html
    assert "××所在单位本周销号 1 个" in html
    # a login's save of last_login only leaves the cached page alone
    school_user.save(update_fields=["last_login"])
    assert _get(client)[1] == 0
