"""目标年预测 page (`/counties/<id>/<year>/forecast/`): who may open it, its numbers against
`junheng.core.forecast.forecast` on the same dataset, the message without grade enrolment, and
the Chinese form errors of a bad target year or scenario."""

from __future__ import annotations

import re

import polars as pl
import pytest
from django.urls import reverse

from junheng.core.dataset import Dataset
from junheng.core.forecast import forecast
from junheng.core.formatting import fmt_number
from junheng.demo import DEMO_COUNTY, demo_county
from junheng.web.accounts.models import Role
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.selectors import dataset_for
from junheng.web.services import load_dataset, run_evaluation
from tests.web.sites import add_user, demo_site

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def graded() -> Dataset:
    return demo_county(with_grades=True)


@pytest.fixture(name="site")
def site_fixture(graded, django_user_model):
    site = demo_site(graded, django_user_model)
    run_evaluation(site["county"], site["year"], None)
    inspector = add_user(django_user_model, "oinspector", Role.INSPECTOR)
    inspector.profile.inspected_counties.add(site["other"])
    site["users"]["other_inspector"] = inspector
    return site


def _url(county: County, **query: str) -> str:
    url = reverse("forecast", args=[county.pk, DEMO_YEAR])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _get(client, site, who, **query):
    client.force_login(site["users"][who])
    return client.get(_url(site["county"], **query))


def _text(response) -> str:
    return re.sub(r"<[^>]+>", " ", response.content.decode())


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("leader", 200),
        ("inspector", 200),
        ("sysadmin", 200),
        ("other_admin", 404),
        ("other_inspector", 404),
        ("school", 404),
        ("department", 404),
    ],
)
def test_who_may_open_the_forecast(client, site, who, status):
    response = _get(client, site, who)
    assert response.status_code == status
    if status == 200:
        assert "在校生预测（人）" in response.content.decode()


def test_anonymous_is_sent_to_login(client, site):
    response = client.get(_url(site["county"]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_page_shows_the_forecast_of_the_same_dataset(client, site, graded):
    response = _get(client, site, "leader", target="2029", scenario="high")
    assert response.status_code == 200
    html = response.content.decode()
    page = response.context["page"]
    dataset = dataset_for(site["county"], site["year"])
    from junheng.standards import load_standard

    expected = forecast(dataset, 2029, "high", standard=load_standard("national-2017"))
    levels = expected.projection.levels.sort("level")
    assert page.method == expected.method
    assert page.base_year == 2026
    by_level = {row.cells[0]: row.cells[1:] for row in page.levels}
    for row in levels.iter_rows(named=True):
        zh = {"primary": "小学", "junior": "初中"}[row["level"]]
        assert by_level[zh] == [
            fmt_number(row[k], 0, thousands=True) for k in ("base", "low", "median", "high")
        ]
    # Hand check of one figure: the 2026 actual of 小学 is the sum of grades 1–6 of 2026 in the
    # grade table itself (demo_grades makes the last year add up to the segments' students).
    primary_2026 = graded.grades.filter((pl.col("year") == 2026) & (pl.col("grade") <= 6))[
        "students"
    ].sum()
    assert by_level["小学"][0] == fmt_number(primary_2026, 0, thousands=True)
    assert primary_2026 > 0
    # The verdict and failing segments are the projected year's evaluation.
    verdict = expected.evaluation.verdicts[DEMO_COUNTY].passes
    assert page.verdict == {True: "达标", False: "未达标", None: "无法判定"}[verdict]
    failing = expected.evaluation.segments.filter(
        pl.col("in_scope") & pl.col("passes").ne_missing(True)
    )
    assert len(page.segments) == failing.height
    assert {row.cells[0] for row in page.segments} == set(failing["name"])
    assert "2029 年秋季预测（高方案）" in html
    # Chinese only: no scenario keys, level keys or the standard's id on the page.
    text = _text(response)
    for word in ("median", "primary", "junior", "national-2017", "high", "low"):
        assert word not in text, word


def test_default_target_is_the_year_after_the_data(client, site):
    response = _get(client, site, "admin")
    assert response.context["target"] == 2027
    assert response.context["scenario"] == "median"
    assert response.context["targets"] == [2027, 2028, 2029, 2030, 2031, 2032]
    assert "2027 年秋季预测（中方案）" in response.content.decode()


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("2026", "目标年份应晚于年级在校生数据的最近年份 2026 年"),
        ("2025", "目标年份应晚于年级在校生数据的最近年份 2026 年"),
        ("abc", "目标年份应为四位数的年份，如 2027，实际填写的是“abc”"),
        ("2033", "目标年份最多预测到 2032 年"),
    ],
)
def test_bad_target_year_is_a_chinese_form_error(client, site, target, message):
    response = _get(client, site, "admin", target=target)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="form-errors"' in html
    assert response.context.get("page") is None
    # The form is still there to choose again.
    assert '<select name="target">' in html


def test_last_year_of_the_horizon_is_accepted(client, site):
    # 2032 = 2026 + 6, the last year offered; 2033 is refused above.
    response = _get(client, site, "admin", target="2032")
    assert response.status_code == 200
    assert response.context["page"] is not None


def test_unknown_scenario_is_a_chinese_form_error(client, site):
    response = _get(client, site, "admin", scenario="extreme")
    assert response.status_code == 400
    assert "预测方案只能选低、中、高三者之一。" in response.content.decode()


def test_without_grades_the_page_names_the_missing_table(client, loaded, django_user_model):
    county, _year = loaded
    admin = add_user(django_user_model, "cadmin", Role.COUNTY_ADMIN, county=county)
    leader = add_user(django_user_model, "leader", Role.LEADER, county=county)
    client.force_login(admin)
    response = client.get(_url(county))
    assert response.status_code == 200
    html = response.content.decode()
    assert "缺少“年级在校生”数据，无法预测" in html
    assert "“年级在校生”工作表" in html
    # The county admin gets the way out: the template and the import.
    assert reverse("import_county_template", args=[county.pk, DEMO_YEAR]) in html
    assert reverse("import_county", args=[county.pk, DEMO_YEAR]) in html
    client.force_login(leader)
    html = client.get(_url(county)).content.decode()
    assert "请联系本县管理员补充并导入这些数据。" in html
    assert reverse("import_county", args=[county.pk, DEMO_YEAR]) not in html


def test_county_overview_links_to_the_forecast(client, site):
    client.force_login(site["users"]["leader"])
    html = client.get(reverse("county", args=[site["county"].pk, DEMO_YEAR])).content.decode()
    assert f'href="{_url(site["county"])}">目标年预测</a>' in html


def test_the_demo_years_carry_the_grades_and_births_known_by_then(graded):
    from junheng.demo import demo_county_before
    from junheng.web.registry.management.commands.junheng_demo import with_history

    earlier = with_history(demo_county_before(2), "2024", graded)
    # 2024 knows grades of 2022–2024 (3 of the demo's 5 years) and births of 2014–2023.
    assert sorted(earlier.grades["year"].unique().to_list()) == [2022, 2023, 2024]
    assert earlier.births["year"].min() == 2014
    assert earlier.births["year"].max() == 2023
    assert earlier.grades.height == graded.grades.filter(pl.col("year") <= 2024).height
    # The current year is the demo county with grades exactly (births up to 2025).
    current = with_history(demo_county_before(0), DEMO_YEAR, graded)
    assert current.grades.equals(graded.grades)
    assert current.births.equals(graded.births)


def test_the_workbook_holds_the_forecast_the_page_shows(client, site, tmp_path):
    import openpyxl

    from junheng.standards import load_standard
    from tests.reports.xlsx_scan import scan_workbook

    client.force_login(site["users"]["leader"])
    url = reverse("forecast_export", args=[site["county"].pk, DEMO_YEAR])
    response = client.get(url + "?target=2028&scenario=low")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    path = tmp_path / "forecast.xlsx"
    path.write_bytes(response.content)
    scan = scan_workbook(response.content)
    assert scan.formulas == []
    for word in ("median", "primary", "junior", "national-2017", "low"):
        assert not any(word in text for text in scan.texts), word
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[:3] == ["说明", "在校生预测", "各校在校生预测"]
    dataset = dataset_for(site["county"], site["year"])
    expected = forecast(dataset, 2028, "low", standard=load_standard("national-2017"))
    levels = {r["level"]: r for r in expected.projection.levels.iter_rows(named=True)}
    rows = {r[0]: r[1:] for r in book["在校生预测"].iter_rows(min_row=2, values_only=True)}
    # Numbers, not text: the 小学 row is base, low, median, high of the projection itself.
    assert list(rows["小学"]) == [levels["primary"][k] for k in ("base", "low", "median", "high")]
    summary = {r[0]: r[1] for r in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert summary["目标年份"] == "2028 年秋季学期"
    assert summary["预测方案"] == "低方案"
    # One row per projected segment, by school name (never the identifier).
    schools = list(book["各校在校生预测"].iter_rows(min_row=2, values_only=True))
    assert len(schools) == expected.projection.schools.height
    assert all(not str(row[0]).isdigit() for row in schools)


def test_the_workbook_of_a_bad_choice_is_the_pages_chinese_error(client, site):
    client.force_login(site["users"]["admin"])
    url = reverse("forecast_export", args=[site["county"].pk, DEMO_YEAR])
    response = client.get(url + "?target=2020")
    assert response.status_code == 400
    assert "目标年份应晚于" in response.content.decode()
    client.force_login(site["users"]["school"])
    assert client.get(url).status_code == 404


@pytest.fixture(name="planned")
def planned_fixture(planned_demo, django_user_model):
    dataset = planned_demo
    load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    run_evaluation(county, SchoolYear.objects.get(label=DEMO_YEAR), None)
    user = add_user(django_user_model, "planner", Role.COUNTY_ADMIN, county=county)
    return {"county": county, "user": user, "dataset": dataset}


def test_the_page_shows_the_plan_timeline_places_and_posts(client, planned):
    client.force_login(planned["user"])
    response = client.get(_url(planned["county"], target="2027"))
    assert response.status_code == 200
    page = response.context["page"]
    events = {row.cells[1]: row.cells[3] for row in page.timeline}
    # Finishing by 31 July and 31 August 2027, the new school and the two school projects are
    # in use in the autumn of 2027; the 2025 renovation is already in the 2026 data.
    assert events["城南新区小学新建工程"] == "计入"
    assert events["石桥镇中心小学音乐专用教室及器材"] == "计入"
    assert events["双庙乡中心小学校舍维修"] == "已含在现状"
    assert events["2027年秋季教师招聘与调整"] == "计入"
    # The county's 56+ target (by autumn 2020) stands failed: 石桥镇中心小学 has a class of 56.
    targets = [row for row in page.timeline if row.cells[3] == "目标"]
    assert any("56人以上" in row.cells[1] and row.state == "fail" for row in targets)
    # Places of the county's primary level: the latest year's primary classes × 45 (the
    # standard's G5 limit) plus the new school's 1,620 places.
    dataset = planned["dataset"]
    kinds = dataset.schools.select("school_id", "kind")
    primary = dataset.segments.join(kinds, on="school_id").filter(
        (pl.col("level") == "primary") & ~pl.col("kind").is_in(["special", "vocational"])
    )
    capacity = int(primary["classes"].sum()) * 45
    county_primary = next(r for r in page.places if r.cells[:2] == ["全县", "小学"])
    assert county_primary.cells[2] == fmt_number(capacity, 0, thousands=True)
    assert county_primary.cells[3] == "1,620"
    assert county_primary.cells[4] == fmt_number(capacity + 1620, 0, thousands=True)
    # Posts: 石桥镇中心小学 has 78 approved posts; in 2027 its 75 teachers + 4 hires − 2
    # leavers = 77, one post vacant.
    posts = {(r.cells[0], r.cells[2]): r.cells[3:] for r in page.posts}
    assert posts[("石桥镇中心小学", "2027年")] == ["78", "77", "1", "0"]
    html = response.content.decode()
    assert "创建规划时间线" in html and "学位缺口" in html and "核定编制与在岗专任教师" in html


def test_county_overview_links_every_page_of_the_plan(client, site):
    client.force_login(site["users"]["leader"])
    html = client.get(reverse("county", args=[site["county"].pk, DEMO_YEAR])).content.decode()
    args = [site["county"].pk, DEMO_YEAR]
    for name, label in (
        ("class_sizes", "班额"),
        ("finance", "教育经费保障"),
        ("plan_data", "规划数据"),
    ):
        assert f'href="{reverse(name, args=args)}">{label}</a>' in html


def test_the_workbook_names_the_scenario_once_and_stores_numbers(client, planned, tmp_path):
    from urllib.parse import unquote

    import openpyxl

    from junheng.standards import load_standard

    client.force_login(planned["user"])
    url = reverse("forecast_export", args=[planned["county"].pk, DEMO_YEAR])
    response = client.get(url + "?target=2027&scenario=median")
    assert response.status_code == 200
    # SCENARIO_ZH's "中方案" already ends in 方案: the name says it once.
    name = unquote(response["Content-Disposition"].split("UTF-8''")[1])
    assert name == f"{DEMO_COUNTY}2027年预测（中方案）.xlsx"
    path = tmp_path / "forecast.xlsx"
    path.write_bytes(response.content)
    book = openpyxl.load_workbook(path)
    headers = [c.value for c in book["在校生预测"][1]]
    assert headers[2:] == ["2027 年低方案", "2027 年中方案", "2027 年高方案"]
    assert not any("方案方案" in str(h) for h in headers)
    expected = forecast(planned["dataset"], 2027, "median", standard=load_standard("national-2017"))
    # 回测: numbers as the projection has them, the per cent with the error's sign.
    backtest = {r["level"]: r for r in expected.projection.backtest.iter_rows(named=True)}
    rows = {r[0]: r[1:] for r in book["回测"].iter_rows(min_row=2, values_only=True)}
    primary = backtest["primary"]
    actual, projected, error, pct = rows["小学"]
    assert (actual, projected, error) == (
        primary["actual"],
        primary["projected"],
        primary["projected"] - primary["actual"],
    )
    assert all(isinstance(v, int) for v in (actual, projected, error))
    assert isinstance(pct, float)
    # Same sign as the error in pupils, size |error| / actual in per cent to one decimal.
    assert pct == pytest.approx(round(abs(error) / actual * 100, 1) * (1 if error >= 0 else -1))
    # 编制: 石桥镇中心小学 has 78 approved posts; in 2027 its 75 teachers + 4 hires − 2
    # leavers = 77, one post vacant — stored as numbers, the year too.
    posts = {(r[0], r[2]): r[3:] for r in book["编制"].iter_rows(min_row=2, values_only=True)}
    assert posts[("石桥镇中心小学", 2027)] == (78, 77, 1, 0)


def test_backtest_errors_carry_one_sign_convention():
    from junheng.reports.forecast_tables import signed_percent

    # 449 pupils too few of 23,654: 449 / 23,654 = 1.898…% → −1.9 (error = projected − actual).
    assert signed_percent(-449, 1.898) == -1.9
    assert signed_percent(449, 1.898) == 1.9
    # A signed per cent from the projection gives the same (taken as a size).
    assert signed_percent(-449, -1.898) == -1.9
    # No error, and a tiny negative error rounding to zero: 0.0, never −0.0.
    assert signed_percent(0, 0.0) == 0.0
    assert str(signed_percent(-1, 0.004)) == "0.0"
    assert signed_percent(5, None) is None


def test_the_page_names_items_reasons_and_signs(client, planned):
    client.force_login(planned["user"])
    response = client.get(_url(planned["county"], target="2027"))
    assert response.status_code == 200
    page = response.context["page"]
    html = response.content.decode()
    # 主要原因 names each item by its short name, never a bare "G3（不符合）".
    guarantee = next(row for row in page.parts if row.cells[0] == "政府保障程度")
    assert "G3 音乐美术专用教室（不符合）" in guarantee.cells[2]
    assert "G3（" not in guarantee.cells[2]
    # 白马镇孙家庄教学点 leaves the scope in 2027: the row says why (the teaching point's
    # projected pupils below the standard's minimum of 50 for a separately judged point).
    changes = {row.cells[0]: row.cells[1:] for row in page.changes}
    before, after = changes["白马镇孙家庄教学点（小学）"]
    assert before == "达标"
    assert after.startswith("不在评估范围内（预测：教学点在校生 ")
    assert after.endswith("少于 50 人）")
    # Places leave out special and vocational schools, and the caption says so.
    assert "学位与预测在校生（不含特殊教育学校、职业学校）" in html
    # Backtest: the error in pupils and in per cent have the same sign.
    for row in page.backtest:
        pupils, percent = row.cells[3], row.cells[4]
        assert pupils[0] == percent[0], row.cells


def test_the_scope_reason_words_a_segment_leaving_the_scope():
    from junheng.reports.forecast_tables import _out_of_scope

    reason = "教学点在校生 42 人，少于 50 人，不纳入评估范围"
    assert (
        _out_of_scope(reason, "预测：") == "不在评估范围内（预测：教学点在校生 42 人，少于 50 人）"
    )
    # A reason of another form is kept whole; no reason at all leaves the bare words.
    assert (
        _out_of_scope("特殊教育学校不纳入评估范围")
        == "不在评估范围内（特殊教育学校不纳入评估范围）"
    )
    assert _out_of_scope(None) == "不在评估范围内"


def test_the_timeline_runs_in_school_year_order(client, planned):
    client.force_login(planned["user"])
    page = client.get(_url(planned["county"], target="2027")).context["page"]
    years = [row.cells[0] for row in page.timeline]
    # The demo: its 2025 target, the renovation in use from autumn 2025, its 2026 target, then
    # the 2027 projects and hires — years never go back.
    assert years == sorted(years)
    assert [r.cells[3] for r in page.timeline[:3]] == ["目标", "已含在现状", "目标"]
