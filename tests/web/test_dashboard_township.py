"""The 乡镇 filter of the county overview and the indicator page, on the demo county (2026).

Hand-checked from the demo's design (`junheng/demo.py`, `_DEMO_SCHOOLS`):

石桥镇 has 6 schools: 中心小学 (1380 pupils), 初级中学 (980), 后营小学 (260), 西沟小学 (180),
东关小学 (150) and 张庄教学点 (38). The teaching point has fewer pupils than the standard's
minimum for a separate teaching point (50), so it is listed but not evaluated: 5 segments in
scope, 4 primary and 1 junior. None of them carries a designed R factor (the 中心小学's large
class and missing music room are G5 and G3, county items), so all 5 meet R1–R7 and none fails.

双庙乡 has 4 schools: 中心小学 (350, R2 = 0.86 and R5 = 0.93 of the threshold), 初级中学 (420),
王营小学 (95, R5 = 0.8) and 双庙村教学点 (23, out of scope). In scope 3 segments (2 primary,
1 junior). The 中心小学 misses two indicators (the rule allows one, at 85 % or more) and 王营小学
is below 85 % on R5: 2 failing segments. R5 小学: 0 met, 2 missed, 1 below 85 %; R2 小学: 1 met
(王营小学), 1 missed (0.86 is above the floor); the junior school meets all.

The whole county: 56 segments in scope, 5 failing (the county's verdict and CVs are the same on
every township's page).
"""

from __future__ import annotations

import io
import json
import re
from urllib.parse import quote

import openpyxl
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from junheng.web.accounts.models import Role
from junheng.web.pages import dashboards
from junheng.web.pages.townships import Township
from junheng.web.registry.models import County, School
from junheng.web.services import run_evaluation
from tests.web.sites import add_user

pytestmark = pytest.mark.django_db

SHIQIAO, SHUANGMIAO = "石桥镇", "双庙乡"


@pytest.fixture
def demo_site(loaded, django_user_model):
    county, year = loaded
    run_evaluation(county, year, None)
    users = {
        "admin": add_user(django_user_model, "tw-admin", Role.COUNTY_ADMIN, county=county),
        "town": add_user(
            django_user_model, "tw-town", Role.TOWNSHIP_USER, county=county, township=SHIQIAO
        ),
    }
    return {"county": county, "year": year, "users": users}


def _overview(site, township: str | None = None) -> str:
    url = reverse("county", args=[site["county"].pk, site["year"].label])
    return url + (f"?township={quote(township)}" if township is not None else "")


def _indicator(site, item: str, level: str, township: str | None = None) -> str:
    url = reverse("indicator", args=[site["county"].pk, site["year"].label, item, level])
    return url + (f"?township={quote(township)}" if township is not None else "")


def _rows(body: str, key: str) -> list[str]:
    """Each body row of a table as its cells' texts joined by "|"."""
    table = re.search(rf'<table class="data[^"]*" id="table-{key}">(.*?)</table>', body, re.S)
    assert table, key
    rows = re.findall(r"<tr>(.*?)</tr>", table.group(1).split("<tbody>")[1], re.S)
    cells = [re.findall(r'<span class="c">(.*?)</span>', row, re.S) for row in rows]
    return ["|".join(re.sub(r"<[^>]+>", "", c) for c in row) for row in cells]


def _names(body: str, key: str = "schools") -> list[str]:
    return [row.split("|")[1] for row in _rows(body, key)]


def _get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_shiqiao_overview_lists_its_six_schools_and_keeps_the_county_figures(client, demo_site):
    client.force_login(demo_site["users"]["admin"])
    whole = _get(client, _overview(demo_site))
    body = _get(client, _overview(demo_site, SHIQIAO))
    names = _names(body)
    assert len(names) == 6 and all(n.startswith(SHIQIAO) for n in names)
    assert "石桥镇张庄教学点" in names  # listed, not evaluated
    assert "差异系数、评估结论和县级评估项目按全县计算" in body
    assert "学校表和分项统计只列出 石桥镇 的 6 所学校" in body
    assert "石桥镇：学校 6 所，纳入评估的学段 5 个，其中未达到资源配置要求" in body
    assert re.search(r"石桥镇：学校 6 所.*?<strong>0</strong> 个", body)
    assert "全县：纳入评估的学段 56 个" in body and "全县：" not in whole
    # the county's count and CVs are the whole county's on both pages
    county_count = (
        '纳入评估的学段 56 个，其中未达到资源配置要求 <strong class="fail-text">5</strong>'
    )
    assert county_count in whole and county_count in body
    assert _rows(body, "cv") == _rows(whole, "cv")
    # a township's schools come before the county's sections
    assert body.index('id="table-schools"') < body.index('id="table-cv"')
    assert whole.index('id="table-schools"') > whole.index('id="table-cv"')
    assert "校际差异系数（全县）" in body and "校际差异系数（全县）" not in whole
    # the subtotal: 4 primary and 1 junior segment, all meeting every indicator
    township = _rows(body, "township")
    assert [r.split("|")[0] for r in township] == [f"R{i}" for i in range(1, 8)]
    assert all(r.split("|")[2:] == ["4", "0", "0", "1", "0", "0"] for r in township)
    assert "石桥镇纳入评估的小学学段 4 个、初中学段 1 个" in body
    # the filter is offered with the county's townships, 石桥镇 chosen
    assert '<option value="石桥镇" selected>石桥镇</option>' in body
    assert 'id="table-township"' not in whole and "township-note" not in whole
    # the year switcher keeps the township
    years = client.get(_overview(demo_site, SHIQIAO)).context["year_links"]
    assert [y["url"] for y in years] == [_overview(demo_site, SHIQIAO)]


def test_shuangmiao_after_shiqiao_shows_its_own_rows_from_its_own_cache_entry(client, demo_site):
    client.force_login(demo_site["users"]["admin"])
    first = _get(client, _overview(demo_site, SHIQIAO))
    body = _get(client, _overview(demo_site, SHUANGMIAO))
    names = _names(body)
    assert sorted(names) == sorted(
        ["双庙乡中心小学", "双庙乡初级中学", "双庙乡王营小学", "双庙村教学点"]
    )
    assert not any(n.startswith(SHIQIAO) for n in names)
    assert "学校表和分项统计只列出 双庙乡 的 4 所学校" in body
    assert re.search(
        r"双庙乡：学校 4 所，纳入评估的学段 3 个，其中未达到资源配置要求 "
        r'<strong class="fail-text">2</strong> 个',
        body,
    )
    rows = {r.split("|")[0]: r.split("|")[2:] for r in _rows(body, "township")}
    assert rows["R5"] == ["0", "2", "1", "1", "0", "0"]
    assert rows["R2"] == ["1", "1", "0", "1", "0", "0"]
    # back to 石桥镇: the same page as the first time, not 双庙乡's
    again = _get(client, _overview(demo_site, SHIQIAO))
    for key in ("schools", "township"):
        assert _rows(again, key) == _rows(first, key)


def test_an_unknown_township_is_the_whole_county(client, demo_site):
    client.force_login(demo_site["users"]["admin"])
    whole = _get(client, _overview(demo_site))
    for wanted in ("不存在镇", "县级", ""):
        body = _get(client, _overview(demo_site, wanted))
        assert _names(body) == _names(whole)
        assert "township-note" not in body
        assert '<option value="" selected>全县</option>' in body
    indicator = _get(client, _indicator(demo_site, "R5", "primary", "不存在镇"))
    assert _rows(indicator, "schools") == _rows(
        _get(client, _indicator(demo_site, "R5", "primary")), "schools"
    )
    assert len(_rows(indicator, "schools")) > 2 and "township-note" not in indicator


def test_cache_keys_differ_by_township_and_hold_no_chinese(demo_site):
    snapshot = dashboards.latest_snapshot(demo_site["county"], demo_site["year"])
    shiqiao = Township(SHIQIAO, frozenset({"a", "b"}), None)
    moved = Township(SHIQIAO, frozenset({"a"}), None)  # a school moved out of 石桥镇
    shuangmiao = Township(SHUANGMIAO, frozenset({"c"}), None)
    keys = [
        dashboards._key("county", snapshot, *t.variant)
        for t in (dashboards.WHOLE_COUNTY, shiqiao, moved, shuangmiao)
    ]
    assert len(set(keys)) == 4
    assert all(k.isascii() and len(k) < 250 and " " not in k for k in keys)
    # the whole county's key is the one it had before townships were filtered
    assert keys[0] == dashboards._key("county", snapshot)


def test_exports_follow_the_filter(client, demo_site):
    client.force_login(demo_site["users"]["admin"])
    county, label = demo_site["county"], demo_site["year"].label
    url = reverse("county_export", args=[county.pk, label, "schools"])
    book = _book(client.get(f"{url}?township={quote(SHIQIAO)}"))
    names = [r[1] for r in _sheet_rows(book.worksheets[0], "学校标识码")]
    assert len(names) == 6 and all(n.startswith(SHIQIAO) for n in names)
    whole = _book(client.get(url))
    assert len(_sheet_rows(whole.worksheets[0], "学校标识码")) > 6
    everything = _book(
        client.get(reverse("county_export", args=[county.pk, label, "all"]) + "?township=双庙乡")
    )
    titles = [s.title for s in everything.worksheets]
    assert any("双庙乡各指标达标学段数" in t for t in titles), titles
    township = everything.worksheets[titles.index(next(t for t in titles if "双庙乡各指标" in t))]
    r5 = next(r for r in _sheet_rows(township, "指标") if r[0] == "R5")
    assert r5[2:] == [0, 2, 1, 1, 0, 0]
    # the township table is no table of the whole county
    assert (
        client.get(reverse("county_export", args=[county.pk, label, "township"])).status_code == 404
    )
    indicator = reverse("indicator_export", args=[county.pk, label, "R5", "primary"])
    book = _book(client.get(f"{indicator}?township={quote(SHUANGMIAO)}"))
    assert sorted(r[1] for r in _sheet_rows(book.worksheets[0], "序号")) == [
        "双庙乡中心小学",
        "双庙乡王营小学",
    ]


def test_indicator_page_narrows_chart_and_table_and_keeps_the_county_cv(client, demo_site):
    client.force_login(demo_site["users"]["admin"])
    whole = _get(client, _indicator(demo_site, "R5", "primary"))
    body = _get(client, _indicator(demo_site, "R5", "primary", SHUANGMIAO))
    assert sorted(_names(body)) == ["双庙乡中心小学", "双庙乡王营小学"]
    options = json.loads(
        re.search(r'<script id="chart-indicator-options"[^>]*>(.*?)</script>', body, re.S).group(1)
    )
    assert sorted(options["baseOption"]["xAxis"]["data"]) == ["双庙乡中心小学", "双庙乡王营小学"]
    cv = re.search(r"差异系数 ([0-9.]+)（上限", whole).group(1)
    assert f"全县差异系数 {cv}（上限" in body
    for label, value in (
        ("双庙乡未达标学段数", "2"),
        ("双庙乡低于底线学段数", "1"),
        ("双庙乡达标学段数", "0"),
    ):
        assert re.search(rf"<span>{label}</span><strong[^>]*>{value}</strong>", body), label
    assert "图表和各校数值只列出 双庙乡 的 2 个学段" in body
    assert "<span>全县未达标学段数</span>" in body and "全县未达标" not in whole
    # links keep the township: the other indicators, levels and years
    assert f'?township={quote(SHUANGMIAO)}">R1</a>' in body
    response = client.get(_indicator(demo_site, "R5", "primary", SHUANGMIAO))
    assert all("?township=" in y["url"] for y in response.context["year_links"])


def test_township_user_sees_their_own_township_only(client, demo_site, django_user_model):
    county, label = demo_site["county"], demo_site["year"].label
    client.force_login(demo_site["users"]["town"])
    own = reverse("township_overview", args=[county.pk, label, SHIQIAO])
    response = client.get(_overview(demo_site, SHUANGMIAO))
    assert response.status_code == 302 and response.url == own
    body = _get(client, own)
    names = _names(body)
    assert len(names) == 6 and all(n.startswith(SHIQIAO) for n in names)
    assert "township-select" not in body  # no other township to choose
    assert "一镇一册" in body
    # another township's name in the address changes nothing
    indicator = _get(client, _indicator(demo_site, "R5", "primary", SHUANGMIAO))
    assert not any("双庙" in n for n in _names(indicator))
    assert len(_names(indicator)) == 4  # 石桥镇's four primary segments in scope
    assert f'<a href="{own}">' in indicator  # the crumb leads to the township's page
    url = reverse("county_export", args=[county.pk, label, "schools"])
    for query in ("", f"?township={quote(SHUANGMIAO)}"):
        book = _book(client.get(url + query))
        assert all(r[1].startswith(SHIQIAO) for r in _sheet_rows(book.worksheets[0], "学校标识码"))
    # other townships' pages, other counties and a township without schools: 404
    other = reverse("township_overview", args=[county.pk, label, SHUANGMIAO])
    assert client.get(other).status_code == 404
    elsewhere = County.objects.create(city=county.city, name="邻县")
    assert client.get(reverse("county", args=[elsewhere.pk, label])).status_code == 404
    nowhere = add_user(
        django_user_model, "tw-none", Role.TOWNSHIP_USER, county=county, township="无此乡"
    )
    client.force_login(nowhere)
    assert client.get(_overview(demo_site)).status_code == 404
    # a school user has no county-wide page, filtered or not
    school = add_user(
        django_user_model,
        "tw-school",
        Role.SCHOOL_USER,
        school=School.objects.get(name="石桥镇中心小学"),
    )
    client.force_login(school)
    assert client.get(_overview(demo_site, SHIQIAO)).status_code == 404
    assert client.get(own).status_code == 404


def test_the_ledger_reader_reaches_the_township_page_and_the_book_links_it(client, demo_site):
    county, label = demo_site["county"], demo_site["year"].label
    client.force_login(demo_site["users"]["admin"])
    body = _get(client, reverse("township_overview", args=[county.pk, label, SHUANGMIAO]))
    assert len(_names(body)) == 4
    assert "双庙乡一镇一册" in body
    book = _get(client, reverse("rectification_township", args=[county.pk, label, SHUANGMIAO]))
    assert reverse("township_overview", args=[county.pk, label, SHUANGMIAO]) in book


def _main_table(sql: str) -> str:
    while (inner := re.sub(r"\([^()]*\)", "", sql)) != sql:
        sql = inner
    return re.search(r'FROM "(\w+)"', sql).group(1)


@pytest.mark.parametrize("township", [SHIQIAO, SHUANGMIAO])
def test_a_cached_township_board_is_served_with_four_queries(client, demo_site, township):
    """The user, the county, the county's schools' townships (to check the choice and know its
    schools) and the year's snapshot: the same for every township, whatever its size."""
    client.force_login(demo_site["users"]["admin"])
    for url in (_overview(demo_site, township), _indicator(demo_site, "R1", "primary", township)):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        tables = [_main_table(q["sql"]) for q in captured]
        assert tables == ["auth_user", "registry_county", "registry_school", "evaluation_snapshot"]


def test_the_whole_county_keeps_three_queries_and_its_township_choices(client, demo_site):
    client.force_login(demo_site["users"]["admin"])
    url = _overview(demo_site)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        body = _get(client, url)
    assert len(captured) == 3
    offered = re.findall(r'<option value="([^"]*)"', body)
    assert offered[0] == "" and len(offered) == 13  # 全县 and the demo's 12 townships
    assert SHIQIAO in offered and "县级" not in offered


def test_warming_renders_the_whole_county_only(demo_site):
    county, year = demo_site["county"], demo_site["year"]
    cache.clear()
    snapshot = dashboards.latest_snapshot(county, year)
    dashboards.warm_boards(county, year, snapshot)
    years = dashboards.yearly_summaries(county)
    stamps = [f"{y['id']}@{y['created_at'].isoformat()}" for y in years]
    assert cache.get(dashboards._key("county", snapshot, *stamps)) is not None
    ids = School.objects.filter(county=county, township=SHIQIAO).values_list("school_id", flat=True)
    town = Township(SHIQIAO, frozenset(ids), None)
    assert cache.get(dashboards._key("county", snapshot, *stamps, *town.variant)) is None


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _book(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _sheet_rows(sheet, first_header: str) -> list[list]:
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    start = next(i for i, r in enumerate(rows) if r[0] == first_header)
    return [r for r in rows[start + 1 :] if any(v is not None for v in r)]
