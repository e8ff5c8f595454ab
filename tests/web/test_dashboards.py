"""Dashboard pages over HTTP: the indicator page, the county overview's charts and trend, the
school page's chart, the comparison of counties — role by role, with the numbers of the tiny
county of `test_dashboards_presenters` (checked by hand there), and constant query counts."""

from __future__ import annotations

import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from junheng.web.accounts.models import Profile, Role
from junheng.web.evaluation.models import Snapshot
from junheng.web.registry.models import City, County, School, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.web.test_dashboards_presenters import passing, tiny

pytestmark = pytest.mark.django_db

PROVINCE, CITY = "测试省", "测试市"
PASSWORD = "pw-均衡-2026"


@pytest.fixture(name="site")
def site_fixture(django_user_model):
    load_dataset(tiny(c_area=800.0), "2025", province=PROVINCE, city=CITY)
    load_dataset(tiny(), "2026", province=PROVINCE, city=CITY)
    load_dataset(passing(), "2026", province=PROVINCE, city=CITY)
    jia, yi = County.objects.get(name="甲县"), County.objects.get(name="乙县")
    y2025, y2026 = SchoolYear.objects.get(label="2025"), SchoolYear.objects.get(label="2026")
    run_evaluation(jia, y2025, None)
    run_evaluation(jia, y2026, None)
    run_evaluation(yi, y2026, None)
    bing = County.objects.create(city=City.objects.get(name=CITY), name="丙县")  # never evaluated

    def user(name, role, **scope):
        u = django_user_model.objects.create_user(name, password=PASSWORD)
        Profile.objects.create(user=u, role=role, **scope)
        return u

    users = {
        "school": user("school", Role.SCHOOL_USER, school=School.objects.get(school_id="a")),
        "admin": user("cadmin", Role.COUNTY_ADMIN, county=jia),
        "other_admin": user("oadmin", Role.COUNTY_ADMIN, county=yi),
        "leader": user("leader", Role.LEADER, county=jia),
        "inspector": user("inspector", Role.INSPECTOR),
        "city_inspector": user("cityinspector", Role.INSPECTOR),
        "sysadmin": user("sysadmin", Role.SYSTEM_ADMIN),
    }
    users["inspector"].profile.inspected_counties.add(jia)
    users["city_inspector"].profile.inspected_cities.add(City.objects.get(name=CITY))
    return {"jia": jia, "yi": yi, "bing": bing, "users": users}


def _indicator(site, item="R4", level="primary", year="2026"):
    return reverse("indicator", args=[site["jia"].pk, year, item, level])


def _chart(body: str, chart_id: str) -> dict:
    match = re.search(
        rf'<script id="{chart_id}-options" type="application/json">(.*?)</script>', body, re.S
    )
    assert match, chart_id
    return json.loads(match.group(1))


def _html_rows(body: str, key: str) -> list[str]:
    table = re.search(rf'<table class="data[^"]*" id="table-{key}">(.*?)</table>', body, re.S)
    assert table, key
    return re.findall(r"<tr>(.*?)</tr>", table.group(1).split("<tbody>")[1], re.S)


def _table_rows(body: str, key: str) -> list[str]:
    """Each body row as its cells' texts joined by "|" ("|1|甲县|…|")."""
    rows = []
    for row in _html_rows(body, key):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append("|" + "|".join(re.sub(r"<[^>]+>", "", c).strip() for c in cells) + "|")
    return rows


def test_url_names_of_the_benchmark():
    assert reverse("indicator", args=[3, "2026", "R4", "primary"]) == (
        "/counties/3/2026/indicators/R4/primary/"
    )
    assert reverse("compare", args=["2026"]) == "/compare/2026/"


def test_indicator_page_shows_every_school_sorted_with_lines_and_shares(client, site):
    client.force_login(site["users"]["leader"])
    response = client.get(_indicator(site))
    assert response.status_code == 200
    body = response.content.decode()
    assert "R4 生均教学及辅助用房面积 · 小学" in body
    assert "差异系数 0.414（上限 0.5）" in body
    for text in ("5.80", "2.40", "3.825"):
        assert text in body
    base = _chart(body, "chart-indicator")["baseOption"]
    assert base["xAxis"]["data"] == ["北关小学", "东关小学", "西关小学", "南关小学"]
    lines = {line["name"]: line["yAxis"] for line in base["series"][0]["markLine"]["data"]}
    assert lines["标准"] == 4.5 and lines["85%"] == pytest.approx(3.825)
    rows = _table_rows(body, "schools")
    # largest share of the weighted variance first
    assert rows == [
        "|1|南关小学|10.00|61.3%|✓ 达标|100|4.5|高于均值|",
        "|2|北关小学|3.00|27.2%|✗ 低于标准的 85%|100|4.5|低于均值|",
        "|3|东关小学|4.00|11.2%|✗ 未达标|100|4.5|低于均值|",
        "|4|西关小学|6.00|0.3%|✓ 达标|200|4.5|高于均值|",
    ]
    assert reverse("school", args=["c", "2026"]) in _html_rows(body, "schools")[0]
    assert "城关中学" not in body  # a junior school is not on the primary page
    assert "数据已有变动" not in body


def test_indicator_page_of_the_other_level_and_unknown_ones(client, site):
    client.force_login(site["users"]["admin"])
    junior = client.get(_indicator(site, "R4", "junior")).content.decode()
    assert "城关中学" in junior and "南关小学" not in junior
    assert client.get(_indicator(site, "R9")).status_code == 404
    assert client.get(_indicator(site, "R4", "senior")).status_code == 404
    assert client.get(_indicator(site, year="1999")).status_code == 404
    no_snapshot = reverse("indicator", args=[site["bing"].pk, "2026", "R4", "primary"])
    client.force_login(site["users"]["sysadmin"])
    assert "尚未评估" in client.get(no_snapshot).content.decode()


def test_indicator_page_refuses_outsiders(client, site):
    url = _indicator(site)
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    for key in ("school", "other_admin"):
        client.force_login(site["users"][key])
        response = client.get(url)
        assert response.status_code == 404, key
        body = response.content.decode()
        assert "甲县" not in body and "南关小学" not in body, key
    for key in ("leader", "inspector", "city_inspector", "sysadmin"):
        client.force_login(site["users"][key])
        assert client.get(url).status_code == 200, key
        assert client.post(url).status_code == 405, key  # the page only reads


def test_overview_has_the_cv_chart_links_and_trend(client, site):
    client.force_login(site["users"]["leader"])
    body = client.get(reverse("county", args=[site["jia"].pk, "2026"])).content.decode()
    options = _chart(body, "chart-cv")
    primary, junior = options["baseOption"]["series"]
    assert [p["value"] for p in primary["data"]][3] == 0.414
    assert primary["markLine"]["data"] == [{"yAxis": 0.5}]
    assert junior["markLine"]["data"] == [{"yAxis": 0.45}]
    for level in ("primary", "junior"):
        assert reverse("indicator", args=[site["jia"].pk, "2026", "R4", level]) in body
    trend = _table_rows(body, "trend")
    assert len(trend) == 2 and "2025" in trend[0] and "2026" in trend[1]
    primary_trend = _chart(body, "chart-trend-primary")["baseOption"]
    assert primary_trend["xAxis"]["data"] == ["2025", "2026"]
    r4 = next(s for s in primary_trend["series"] if s["name"] == "R4")
    assert r4["data"][1] == 0.414 and r4["data"][0] < 0.414
    assert trend[1] == "|2026|✗ 未达标|资源配置|1|0|0.414（R4）|0.000（R1）|"
    assert reverse("county_export", args=[site["jia"].pk, "2026", "all"]) in body
    assert "vendor/echarts.min.js" in body and "junheng/charts.js" in body
    # on a phone the school list is a stack of cards: each value says which column it is
    assert 'class="data stack" id="table-schools"' in body
    assert 'data-label="未达标或不纳入评估的原因"' in _html_rows(body, "schools")[0]
    # so are the CVs and the years (eight and seven columns did not fit beside each other); the
    # row's heading cell (the indicator, the year) names the card and has no label
    for key, label in (("cv", "小学上限"), ("trend", "未通过的方面"), ("trend_primary", "R7")):
        assert f'class="data stack" id="table-{key}"' in body
        row = _html_rows(body, key)[0]
        assert f'data-label="{label}"' in row
        assert "data-label" not in row.split("</th>")[0]


def test_trend_uses_the_latest_snapshot_of_each_year(client, site):
    load_dataset(tiny(c_area=1000.0), "2025", province=PROVINCE, city=CITY)
    run_evaluation(site["jia"], SchoolYear.objects.get(label="2025"), None)
    assert Snapshot.objects.filter(county=site["jia"]).count() == 3
    client.force_login(site["users"]["leader"])
    body = client.get(reverse("county", args=[site["jia"].pk, "2026"])).content.decode()
    r4 = next(
        s for s in _chart(body, "chart-trend-primary")["baseOption"]["series"] if s["name"] == "R4"
    )
    assert r4["data"] == [0.414, 0.414]  # the re-evaluated 2025, not the first run


def test_school_page_has_its_chart(client, site):
    client.force_login(site["users"]["school"])
    body = client.get(reverse("school", args=["a", "2026"])).content.decode()
    base = _chart(body, "chart-school-primary")["baseOption"]
    by_name = {s["name"]: s["data"] for s in base["series"]}
    assert by_name["未达标"][3] == 88.9
    assert "88.9%" in body  # the same number in the table
    assert reverse("school_export", args=["a", "2026"]) in body


def test_comparison_ranks_counties_for_a_city_inspector(client, site):
    client.force_login(site["users"]["city_inspector"])
    response = client.get(reverse("compare", args=["2026"]))
    assert response.status_code == 200
    body = response.content.decode()
    rows = _table_rows(body, "compare")
    assert len(rows) == 3
    assert rows[0].startswith("|1|") and "乙县" in rows[0]
    assert rows[1].startswith("|2|") and "甲县" in rows[1] and "0.414（R4）" in rows[1]
    assert "丙县" in rows[2] and "尚未评估" in rows[2]
    assert "排名规则" in body
    chart = _chart(body, "chart-compare")["baseOption"]
    assert chart["yAxis"]["data"] == ["乙县", "甲县"]
    assert chart["series"][0]["data"][1] == 82.8  # 0.413793 / 0.5


def test_comparison_scope_by_role(client, site):
    url = reverse("compare", args=["2026"])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(site["users"]["school"])
    response = client.get(url)
    assert response.status_code == 404 and "甲县" not in response.content.decode()
    assert client.get(reverse("compare_latest")).status_code == 404
    for key, seen, unseen in (
        ("admin", {"甲县"}, {"乙县", "丙县"}),
        ("leader", {"甲县"}, {"乙县", "丙县"}),
        ("inspector", {"甲县"}, {"乙县", "丙县"}),
        ("other_admin", {"乙县"}, {"甲县", "丙县"}),
        ("sysadmin", {"甲县", "乙县", "丙县"}, set()),
    ):
        client.force_login(site["users"][key])
        body = client.get(url).content.decode()
        rows = "".join(_table_rows(body, "compare"))
        assert all(name in rows for name in seen), key
        assert not any(name in rows for name in unseen), key
        assert client.post(url).status_code == 405, key


def test_comparison_latest_year_and_year_switch(client, site):
    client.force_login(site["users"]["sysadmin"])
    response = client.get(reverse("compare_latest"))
    assert response.status_code == 302 and response.url == reverse("compare", args=["2026"])
    body = client.get(reverse("compare", args=["2025"])).content.decode()
    rows = _table_rows(body, "compare")
    assert "甲县" in rows[0] and rows[0].startswith("|1|")
    assert sum("尚未评估" in r for r in rows) == 2
    assert reverse("compare", args=["2026"]) in body
    assert client.get(reverse("compare", args=["1999"])).status_code == 404


def test_snapshot_keeps_a_summary_and_the_migration_fills_old_ones(site):
    from importlib import import_module

    from django.apps import apps

    snapshot = Snapshot.objects.filter(county=site["jia"]).order_by("-id").first()
    assert snapshot.summary["segments_failing"] == 1
    assert snapshot.summary == snapshot.result["summary"]
    Snapshot.objects.update(summary={})
    import_module("junheng.web.evaluation.migrations.0002_summary").fill_summaries(apps, None)
    snapshot = Snapshot.objects.get(pk=snapshot.pk)
    assert snapshot.summary["worst_cv"]["primary"]["item"] == "R4"
    assert all(s.summary for s in Snapshot.objects.all())


def _queries(client, url) -> int:
    client.get(url)  # warm: the first reader after a write may compute the data fingerprint
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_county(
    client, site, demo, django_assert_max_num_queries
):
    """A county of 52 schools needs as many queries per page as one of five."""
    from junheng.demo import DEMO_COUNTY

    load_dataset(demo, "2026", province=PROVINCE, city=CITY)
    big = County.objects.get(name=DEMO_COUNTY)
    run_evaluation(big, SchoolYear.objects.get(label="2026"), None)
    client.force_login(site["users"]["sysadmin"])
    for name, small_url, big_url in (
        (
            "county",
            reverse("county", args=[site["jia"].pk, "2026"]),
            reverse("county", args=[big.pk, "2026"]),
        ),
        (
            "indicator",
            _indicator(site),
            reverse("indicator", args=[big.pk, "2026", "R4", "primary"]),
        ),
        ("school", reverse("school", args=["a", "2026"]), None),
        ("compare", reverse("compare", args=["2026"]), None),
    ):
        small = _queries(client, small_url)
        if big_url:
            assert _queries(client, big_url) == small, name
        with django_assert_max_num_queries(15):
            client.get(small_url)


def test_comparison_reads_only_summaries_whatever_the_number_of_counties(client, site):
    client.force_login(site["users"]["sysadmin"])
    url = reverse("compare", args=["2026"])
    few = _queries(client, url)
    source = Snapshot.objects.get(county=site["yi"])
    city, year = City.objects.get(name=CITY), SchoolYear.objects.get(label="2026")
    for i in range(20):
        Snapshot.objects.create(
            county=County.objects.create(city=city, name=f"新县{i:02d}"),
            year=year,
            standard_id=source.standard_id,
            standard_version=source.standard_version,
            policies=source.policies,
            data_fingerprint=source.data_fingerprint,
            result=source.result,
        )
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).content.decode()
    assert len(queries) == few
    # the per-segment results are never read for a comparison
    assert not any('"result"' in q["sql"] for q in queries.captured_queries)
    rows = _table_rows(body, "compare")
    assert len(rows) == 23 and sum("尚未评估" in r for r in rows) == 1


# ---- the cached boards ------------------------------------------------------------------------


def _board(body: str, start: str) -> str:
    """The snapshot part of a page: from its first section to the end of the content."""
    assert start in body
    return body[body.index(start) : body.index("</main>")]


OVERVIEW_BOARD, INDICATOR_BOARD = '<div class="dash-top">', '<nav class="tabs"'
RESULT_COLUMN = '"result"'
"""In every query that reads a snapshot's result: the whole (SQLite) or an excerpt (PostgreSQL)."""


@pytest.mark.parametrize("page", ["overview", "indicator"])
def test_second_request_takes_the_board_from_the_cache(client, site, page):
    client.force_login(site["users"]["admin"])
    if page == "overview":
        url, start = reverse("county", args=[site["jia"].pk, "2026"]), OVERVIEW_BOARD
    else:
        url, start = _indicator(site), INDICATOR_BOARD
    with CaptureQueriesContext(connection) as first:
        cold = client.get(url)
    with CaptureQueriesContext(connection) as second:
        warm = client.get(url)
    assert cold.status_code == warm.status_code == 200
    assert _board(warm.content.decode(), start) == _board(cold.content.decode(), start)
    assert len(second) < len(first)
    assert [q["sql"] for q in first if RESULT_COLUMN in q["sql"]] != []
    # Not even the excerpt: no query names the result column (the snapshot row defers it).
    assert [q["sql"] for q in second if RESULT_COLUMN in q["sql"]] == []


def test_a_new_snapshot_shows_its_numbers_at_once(client, site):
    client.force_login(site["users"]["admin"])
    url = reverse("county", args=[site["jia"].pk, "2026"])
    before = _board(client.get(url).content.decode(), OVERVIEW_BOARD)
    # The 2025 data (another C area) as 2026's, evaluated: the cached board is of the old snapshot.
    load_dataset(tiny(c_area=800.0), "2026", province=PROVINCE, city=CITY)
    response = client.post(reverse("evaluate", args=[site["jia"].pk, "2026"]), {"data": "all"})
    assert response.status_code == 302
    after = _board(client.get(url).content.decode(), OVERVIEW_BOARD)
    assert after != before
    cache.clear()
    assert _board(client.get(url).content.decode(), OVERVIEW_BOARD) == after


def test_a_new_snapshot_of_another_year_renews_the_trend(client, site):
    client.force_login(site["users"]["admin"])
    url = reverse("county", args=[site["jia"].pk, "2026"])
    client.get(url)
    run_evaluation(site["jia"], SchoolYear.objects.get(label="2025"), None)
    # The trend shows the latest snapshot of every year, so the board is built again.
    with CaptureQueriesContext(connection) as captured:
        after = _board(client.get(url).content.decode(), OVERVIEW_BOARD)
    assert [q["sql"] for q in captured if RESULT_COLUMN in q["sql"]] != []
    cache.clear()
    assert _board(client.get(url).content.decode(), OVERVIEW_BOARD) == after


@pytest.mark.parametrize("page", ["overview", "indicator"])
def test_users_share_the_board_but_see_their_own_buttons(client, site, page):
    jia = site["jia"]
    if page == "overview":
        url, start = reverse("county", args=[jia.pk, "2026"]), OVERVIEW_BOARD
    else:
        url, start = _indicator(site), INDICATOR_BOARD
    client.force_login(site["users"]["admin"])
    admin = client.get(url).content.decode()
    client.force_login(site["users"]["leader"])
    with CaptureQueriesContext(connection) as captured:
        leader = client.get(url).content.decode()
    assert [q["sql"] for q in captured if RESULT_COLUMN in q["sql"]] == []  # shared, not rebuilt
    assert _board(leader, start) == _board(admin, start)
    # Each user's own rights and name around it, computed per request.
    assert "cadmin" in admin and "cadmin" not in leader
    if page == "overview":
        assert "重新评估" in admin and "导入数据" in admin
        assert "重新评估" not in leader and "导入数据" not in leader


def test_an_evaluation_renders_the_pages_it_changes_before_anyone_asks(client, site):
    jia = site["jia"]
    client.force_login(site["users"]["admin"])
    load_dataset(tiny(c_area=800.0), "2026", province=PROVINCE, city=CITY)
    cache.clear()
    evaluated = client.post(reverse("evaluate", args=[jia.pk, "2026"]), {"data": "all"})
    assert evaluated.status_code == 302
    snapshot = Snapshot.objects.filter(county=jia, year__label="2026").latest("created_at")
    indicators = [
        (item, level) for level, cells in snapshot.summary["balance"].items() for item in cells
    ]
    assert len(indicators) == 14  # R1–R7 for 小学 and 初中
    urls = [reverse("county", args=[jia.pk, year]) for year in ("2025", "2026")]
    urls += [_indicator(site, item, level) for item, level in indicators]
    for url in urls:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        assert [q["sql"] for q in captured if RESULT_COLUMN in q["sql"]] == [], url


def _main_table(sql: str) -> str:
    """The table after a query's own FROM, its subqueries left out."""
    while (inner := re.sub(r"\([^()]*\)", "", sql)) != sql:
        sql = inner
    return re.search(r'FROM "(\w+)"', sql).group(1)


@pytest.mark.parametrize("page", ["overview", "indicator"])
def test_a_rendered_board_is_served_with_three_queries(client, site, page):
    """The user with their role, the county within the user's scope, and the year's latest
    snapshot with the data revision (and, for the trend, every year's latest summary); the
    session comes from the cache."""
    client.force_login(site["users"]["admin"])
    if page == "overview":
        url = reverse("county", args=[site["jia"].pk, "2026"])
    else:
        url = _indicator(site)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    tables = [_main_table(q["sql"]) for q in captured]
    assert tables == ["auth_user", "registry_county", "evaluation_snapshot"]
    # The change check still sees a write made after the page was last shown.
    changed = "评估之后数据已有变动"
    assert changed not in response.content.decode()
    load_dataset(tiny(c_area=800.0), "2026", province=PROVINCE, city=CITY)
    assert changed in client.get(url).content.decode()


def test_county_page_reads_what_the_orm_selectors_read(client, site, django_user_model):
    from junheng.web.selectors import (
        county_page,
        data_changed_since,
        latest_snapshot,
        yearly_summaries,
    )

    jia, yi = site["jia"], site["yi"]
    y2026 = SchoolYear.objects.get(label="2026")
    evaluator = django_user_model.objects.create_user("pinggu", first_name="王", last_name="")
    run_evaluation(jia, y2026, evaluator)
    expected = latest_snapshot(jia, y2026)
    fields = ("pk", "created_at", "standard_id", "standard_version", "policies")
    fields += ("data_fingerprint", "summary", "county_id", "year_id", "created_by_id")
    for with_years in (True, False):
        page = county_page(jia, "2026", with_years=with_years)
        assert page.year == y2026
        assert [getattr(page.snapshot, f) for f in fields] == [getattr(expected, f) for f in fields]
        assert page.snapshot.created_by.get_full_name() == "王"
        assert page.years == (yearly_summaries(jia) if with_years else None)
        assert data_changed_since(page.snapshot) is False
    assert [y["year"] for y in county_page(jia, "2026", with_years=True).years] == ["2025", "2026"]
    assert county_page(yi, "2025").snapshot is None  # a year without a snapshot of the county
    assert county_page(yi, "2025").year.label == "2025"
    assert county_page(jia, "1999") is None
    client.force_login(site["users"]["admin"])
    assert "评估人 王" in client.get(reverse("county", args=[jia.pk, "2026"])).content.decode()
