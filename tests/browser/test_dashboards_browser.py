"""Dashboards in Chromium: the county overview draws its CV chart, a click leads to the indicator
page with sorted bars, a re-evaluation after a data change shows the new numbers, an inspector
compares two counties; on a 1366×768 screen and on a 360 px phone, without horizontal overflow."""

from __future__ import annotations

import json
import re

import polars as pl
import pytest
from django.urls import reverse

from junheng.demo import DEMO_COUNTY, demo_county
from junheng.web.accounts.models import Profile, Role
from junheng.web.registry.models import City, County, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import SCREENSHOTS, login, screenshot
from tests.builders import dataset, school, segment

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-均衡-2026"
PROVINCE, CITY = "示范省", "示范市"

# Non-transparent pixels of the chart's canvas, sampled: a chart that drew nothing has none.
CANVAS_INK = """(selector) => {
  const canvas = document.querySelector(selector + ' canvas');
  if (!canvas) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 3; i < data.length; i += 4 * 7) { if (data[i] > 0) ink++; }
  return ink;
}"""
OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"


def _earlier(data):
    """The demo county a year earlier: less teaching space, so the trend has two points."""
    segments = data.segments.with_columns(pl.col("teaching_aux_area_m2") * 0.9)
    return type(data).build(
        data.schools,
        segments,
        data.county_facts,
        data.school_facts,
        data.survey,
        data.notes,
        source="earlier",
    )


@pytest.fixture
def site(django_user_model):
    demo = demo_county()
    load_dataset(_earlier(demo), "2025", province=PROVINCE, city=CITY)
    load_dataset(demo, "2026", province=PROVINCE, city=CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    for label in ("2025", "2026"):
        run_evaluation(county, SchoolYear.objects.get(label=label), None)
    small = dataset(
        [
            school("y1", county="乙县", name="乙县第一小学"),
            school("y2", county="乙县", name="乙县第二小学"),
        ],
        [segment("y1"), segment("y2", students=300)],
    )
    load_dataset(small, "2026", province=PROVINCE, city=CITY)
    other = County.objects.get(name="乙县")
    run_evaluation(other, SchoolYear.objects.get(label="2026"), None)

    def user(name, role, **scope):
        u = django_user_model.objects.create_user(name, password=PASSWORD)
        Profile.objects.create(user=u, role=role, **scope)
        return u

    user("cadmin", Role.COUNTY_ADMIN, county=county)
    inspector = user("inspector", Role.INSPECTOR)
    inspector.profile.inspected_cities.add(City.objects.get(name=CITY))
    return {"county": county, "other": other}


def _options(page, chart_id):
    return json.loads(page.locator(f"#{chart_id}-options").text_content())


def _wait_chart(page, chart_id):
    page.wait_for_selector(f"#{chart_id}[data-chart-ready='true'] canvas")
    assert page.evaluate(CANVAS_INK, f"#{chart_id}") > 100, chart_id


def test_overview_chart_then_indicator_page_with_sorted_bars(page, live_server, site):
    login(page, live_server.url, "cadmin", PASSWORD)
    county = site["county"]
    page.goto(live_server.url + reverse("county", args=[county.pk, "2026"]))
    _wait_chart(page, "chart-cv")
    _wait_chart(page, "chart-trend-primary")
    assert page.evaluate(OVERFLOW) <= 0
    options = _options(page, "chart-cv")["baseOption"]
    assert len(options["series"]) == 2 and all(len(s["data"]) == 7 for s in options["series"])
    trend = page.locator("#table-trend tbody tr")
    assert trend.count() == 2
    screenshot(page, "dashboard-county")

    page.locator("#table-cv a", has_text="0.").first.click()  # the primary R1 CV links onward
    page.wait_for_url("**/indicators/R1/primary/")
    _wait_chart(page, "chart-indicator")
    base = _options(page, "chart-indicator")["baseOption"]
    stacked = [
        [v for v in values if v != "-"]
        for values in zip(*(s["data"] for s in base["series"]), strict=True)
    ]
    values = [v[0] for v in stacked]
    assert len(values) == len(base["xAxis"]["data"]) and values == sorted(values)
    rows = page.locator("#table-schools tbody tr")
    assert rows.count() == len(values)
    screenshot(page, "dashboard-indicator")

    page.locator("nav.tabs a", has_text="R5").click()
    page.wait_for_url("**/indicators/R5/primary/")
    _wait_chart(page, "chart-indicator")
    assert "低于 85%" in page.content()
    # a school below the floor: its page shows the gap beside its chart
    page.locator("#table-schools tbody tr", has_text="低于标准的 85%").first.locator("a").click()
    page.wait_for_url("**/schools/**")
    page.wait_for_selector("[data-chart-ready='true'] canvas")
    assert "新建" in page.locator("#table-school-primary").text_content()
    screenshot(page, "dashboard-school")


def test_reevaluation_after_a_data_change_updates_the_dashboard(page, live_server, site):
    county = site["county"]
    login(page, live_server.url, "cadmin", PASSWORD)
    url = live_server.url + reverse("indicator", args=[county.pk, "2026", "R4", "primary"])
    page.goto(url)
    assert "数据已有变动" not in page.content()

    # a plain primary school (a combined school's shared space is apportioned, not its own)
    # gets 40 ㎡ per student, far above everyone else, through the ordinary load path
    demo = demo_county()
    kinds = dict(zip(demo.schools["school_id"], demo.schools["kind"], strict=True))
    target = next(sid for sid in demo.segments["school_id"] if kinds[sid] == "primary")
    name = County.objects.get(pk=county.pk).schools.get(school_id=target).name
    bigger = pl.col("students").cast(pl.Float64) * 40.0
    segments = demo.segments.with_columns(
        pl.when(pl.col("school_id") == target)
        .then(bigger)
        .otherwise(pl.col("teaching_aux_area_m2"))
        .alias("teaching_aux_area_m2")
    )
    changed = type(demo).build(
        demo.schools, segments, demo.county_facts, demo.school_facts, demo.survey, demo.notes
    )
    load_dataset(changed, "2026", province=PROVINCE, city=CITY)
    page.goto(url)
    assert "数据已有变动" in page.content()

    page.goto(live_server.url + reverse("county", args=[county.pk, "2026"]))
    with page.expect_navigation():
        page.get_by_role("link", name="重新评估").click()
    page.get_by_label("使用全部数据").check()
    with page.expect_navigation():
        page.get_by_role("button", name="开始评估").click()
    with page.expect_navigation():
        page.get_by_role("link", name="查看评估概况").click()
    assert "数据已有变动" not in page.content()
    page.goto(url)
    _wait_chart(page, "chart-indicator")
    row = page.locator("#table-schools tbody tr").first
    # now the school with 40 ㎡ per student drives the CV
    assert row.locator("a").text_content() == name
    assert "40.00" in row.text_content()


def test_inspector_compares_two_counties(page, live_server, site):
    login(page, live_server.url, "inspector", PASSWORD)
    page.goto(live_server.url + reverse("compare_latest"))
    page.wait_for_url("**/compare/2026/")
    _wait_chart(page, "chart-compare")
    rows = page.locator("#table-compare tbody tr")
    assert rows.count() == 2
    assert "乙县" in rows.nth(0).text_content() and "1" in rows.nth(0).locator("th").text_content()
    assert DEMO_COUNTY in rows.nth(1).text_content()
    assert "排名规则" in page.content()
    screenshot(page, "dashboard-compare")


def test_phone_layout_has_no_horizontal_overflow(phone, live_server, site):
    county = site["county"]
    login(phone, live_server.url, "cadmin", PASSWORD)
    pages = {
        "dashboard-county-phone": (reverse("county", args=[county.pk, "2026"]), "chart-cv"),
        "dashboard-indicator-phone": (
            reverse("indicator", args=[county.pk, "2026", "R4", "primary"]),
            "chart-indicator",
        ),
        "dashboard-compare-phone": (reverse("compare", args=["2026"]), "chart-compare"),
    }
    school_id = county.schools.order_by("school_id").first().school_id
    for name, (url, chart) in pages.items():
        phone.goto(live_server.url + url)
        _wait_chart(phone, chart)
        assert phone.evaluate(OVERFLOW) <= 0, name
        width = phone.evaluate(f"() => document.getElementById('{chart}').clientWidth")
        assert 250 < width <= 360, name
        screenshot(phone, name)
    phone.goto(live_server.url + reverse("school", args=[school_id, "2026"]))
    phone.wait_for_selector("[data-chart-ready='true'] canvas")
    assert phone.evaluate(OVERFLOW) <= 0
    screenshot(phone, "dashboard-school-phone")


WORDS = re.compile(r"[A-Za-z][A-Za-z_-]{2,}")
"""A run of Latin letters a user would read as an English word or an internal name (R4, G11 are
the standard's own item numbers and pass)."""


def test_overview_items_part_links_and_year_switch(page, live_server, site):
    county = site["county"]
    login(page, live_server.url, "cadmin", PASSWORD)
    page.goto(live_server.url + reverse("county", args=[county.pk, "2026"]))
    _wait_chart(page, "chart-cv")
    rows = {k: page.locator(f"#table-items-{k} tbody tr").count() for k in "GQSV"}
    assert rows == {"G": 15, "Q": 9, "S": 1, "V": 6}
    text = page.locator("main").inner_text()
    assert set(WORDS.findall(text)) <= {"Excel"}, set(WORDS.findall(text))
    assert "无否决情形" in page.locator("a.part", has_text="一票否决").inner_text()

    page.locator("a.part", has_text="政府保障程度").click()
    page.wait_for_url("**#part-G")
    top = page.evaluate("() => document.getElementById('part-G').getBoundingClientRect().top")
    assert 0 <= top < 100
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#part-G").screenshot(path=str(SCREENSHOTS / "dashboard-county-items.png"))
    # no column of the item table is squeezed to a character's width
    widths = page.evaluate(
        "() => [...document.querySelectorAll('#table-items-G thead th')].map(th => th.offsetWidth)"
    )
    assert min(widths) >= 40, widths

    with page.expect_navigation(wait_until="load"):
        page.locator("nav.year-tabs a", has_text="2025").click()
    assert page.url.endswith(reverse("county", args=[county.pk, "2025"]))
    assert page.locator("nav.year-tabs strong[aria-current='page']").inner_text() == "2025"

    page.goto(live_server.url + reverse("indicator", args=[county.pk, "2026", "R5", "junior"]))
    _wait_chart(page, "chart-indicator")
    with page.expect_navigation(wait_until="load"):
        page.locator("nav.year-tabs a", has_text="2025").click()
    assert page.url.endswith(reverse("indicator", args=[county.pk, "2025", "R5", "junior"]))
    _wait_chart(page, "chart-indicator")
    assert "national" not in page.content()

    # a window narrowed to a phone's width and widened again gets the school names back
    labels = (
        "() => echarts.getInstanceByDom(document.getElementById('chart-indicator'))"
        ".getOption().xAxis[0].axisLabel.show"
    )
    page.set_viewport_size({"width": 360, "height": 740})
    page.wait_for_function(f"() => ({labels})() === false")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.wait_for_function(f"() => ({labels})() === true")


def test_phone_item_tables_are_cards(phone, live_server, site):
    county = site["county"]
    login(phone, live_server.url, "cadmin", PASSWORD)
    phone.goto(live_server.url + reverse("county", args=[county.pk, "2026"]))
    _wait_chart(phone, "chart-cv")
    assert phone.evaluate(OVERFLOW) <= 0
    first = phone.locator("#table-items-G tbody tr").first
    labels = first.locator("td").evaluate_all("(tds) => tds.map(td => td.dataset.label)")
    assert labels == ["评估内容", "要求", "实际情况", "结论", "说明", "依据"]
    # each cell a line of the card, its column's name before it
    assert first.locator("td").first.evaluate("(td) => getComputedStyle(td).display") == "block"
    assert first.bounding_box()["width"] <= 360
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.locator("#part-G").screenshot(path=str(SCREENSHOTS / "dashboard-county-items-phone.png"))
