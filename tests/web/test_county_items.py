"""The county overview's item tables, scope reasons, year switcher and standard name, over HTTP on
the demo county (示范县, `junheng.demo`): its facts and schools are written out in the demo module,
so every expected value below can be read there."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse

from junheng.demo import demo_county_before
from junheng.web.accounts.models import Profile, Role
from junheng.web.evaluation.models import Snapshot
from junheng.web.pages import charts, presenters
from junheng.web.registry.management.commands.junheng_demo import DEMO_CITY, DEMO_PROVINCE
from junheng.web.registry.models import SchoolYear
from junheng.web.selectors import county_year_labels, latest_snapshot, result_excerpt
from junheng.web.services import load_dataset, run_evaluation
from tests.web.test_dashboards import _html_rows, _table_rows

pytestmark = pytest.mark.django_db

STANDARD_NAME = "《县域义务教育优质均衡发展督导评估办法（国家标准）》（版本 2017.1）"


@pytest.fixture
def site(loaded, django_user_model):
    """2026 evaluated; 2025 evaluated; 2024 loaded but never evaluated."""
    county, year = loaded
    load_dataset(demo_county_before(1), "2025", province=DEMO_PROVINCE, city=DEMO_CITY)
    load_dataset(demo_county_before(2), "2024", province=DEMO_PROVINCE, city=DEMO_CITY)
    run_evaluation(county, SchoolYear.objects.get(label="2025"), None)
    run_evaluation(county, year, None)
    leader = django_user_model.objects.create_user("leader", password="pw-均衡-2026")
    Profile.objects.create(user=leader, role=Role.LEADER, county=county)
    return {"county": county, "year": year, "leader": leader}


def _overview(client, site, year="2026") -> str:
    client.force_login(site["leader"])
    response = client.get(reverse("county", args=[site["county"].pk, year]))
    assert response.status_code == 200
    return response.content.decode()


def _row(rows: list[str], item_id: str) -> list[str]:
    row = next(r for r in rows if r.startswith(f"|{item_id}|"))
    return row.strip("|").split("|")


def test_every_item_of_the_standard_has_its_row(client, site):
    body = _overview(client, site)
    counts = {letter: len(_html_rows(body, f"items-{letter}")) for letter in "GQSV"}
    assert counts == {"G": 15, "Q": 9, "S": 1, "V": 6}
    g = _table_rows(body, "items-G")
    assert [r.split("|")[1] for r in g] == [f"G{i}" for i in range(1, 16)]
    headers = re.search(r'id="table-items-G">.*?<thead><tr>(.*?)</tr>', body, re.S).group(1)
    assert re.findall(r">([^<]+)</th>", headers) == list(presenters.ITEM_HEADERS)


def test_a_failing_county_item_with_its_values_evidence_and_clause(client, site):
    # The demo county's facts: rotation_rate 0.12 (≥ 10 % met) and rotation_backbone_share 0.17,
    # under the 20 % G11 asks for, so G11 fails on its second check only.
    cells = _row(_table_rows(_overview(client, site), "items-G"), "G11")
    _, name, requirement, value, verdict, note, clause = cells
    assert name.startswith("全县每年交流轮岗教师的比例不低于")
    assert requirement == "交流轮岗教师比例 ≥ 10%；交流轮岗教师中骨干教师比例 ≥ 20%"
    assert value == "交流轮岗教师比例 12.0%；交流轮岗教师中骨干教师比例 17.0%"
    assert verdict == "✗ 未达标"
    assert "交流轮岗教师中骨干教师比例：17.0%（要求 ≥ 20.0%），未达到要求" in note
    # both evidence notes of the demo county's facts, in the order of the item's checks
    assert note.endswith(
        "佐证材料：2024年符合交流条件教师442人，交流轮岗53人；交流轮岗53人中县级及以上骨干教师9人"
    )
    assert clause == "教督〔2017〕6号 第六条（十一）"


def test_a_passing_county_item_shows_its_value_and_evidence_without_repeating_it(client, site):
    # special_ed_funds_per_student_yuan 6500 against G7's 6000
    _, _, requirement, value, verdict, note, _ = _row(
        _table_rows(_overview(client, site), "items-G"), "G7"
    )
    assert (requirement, value, verdict) == (
        "特殊教育学校生均公用经费 ≥ 6000元",
        "6500元",
        "✓ 达标",
    )
    assert note == "佐证材料：特殊教育学校生均公用经费按6500元标准拨付"


def test_school_items_count_the_failing_schools(client, site):
    body = _overview(client, site)
    # 城关第一小学 has 2,260 pupils, over G4's 2,000 for a primary school; no other school is
    _, _, _, value, verdict, note, _ = _row(_table_rows(body, "items-G"), "G4")
    assert (value, verdict) == ("1 所学校不符合要求", "✗ 未达标")
    assert "城关第一小学（义务教育阶段在校生数：2260人（要求 ≤ 2000人）" in note
    _, _, _, value, verdict, note, _ = _row(_table_rows(body, "items-Q"), "Q3")
    assert (value, verdict) == ("全部学校符合要求", "✓ 达标")
    assert note == "52 所学校全部符合要求"


def test_vetoes_read_as_cases_that_exist_or_not(client, site):
    body = _overview(client, site)
    for row in _table_rows(body, "items-V"):
        _, _, requirement, value, verdict, _, _ = row.strip("|").split("|")
        assert requirement.endswith("：否") and value == "否"
        assert verdict == "✓ 无否决情形"
    assert re.search(r"<strong>一票否决</strong><span>✓ 无否决情形</span>", body)
    assert "6 种一票否决情形均不存在" in body
    assert "一票否决</strong><span>✓ 达标" not in body


def test_part_boxes_and_verdict_lines_link_to_their_details(client, site):
    body = _overview(client, site)
    for anchor, label in (
        ("cv", "资源配置"),
        ("part-G", "政府保障程度"),
        ("part-Q", "教育质量"),
        ("part-S", "社会认可度"),
        ("part-V", "一票否决"),
    ):
        assert re.search(rf'<a class="part \w+" href="#{anchor}"><strong>{label}</strong>', body)
        assert f'id="{anchor}"' in body
    # 2026 fails G3, G4, G5 and G11 of 15 and Q4 of 9; each line leads to its table
    assert "政府保障程度未达到要求（15 项中 G3、G4、G5、G11 未达到要求）" in body
    assert "教育质量未达到要求（9 项中 Q4 未达到要求）" in body
    assert body.count('<a href="#part-G">查看明细</a>') == 1


def test_out_of_scope_schools_say_why(client, site):
    rows = _table_rows(_overview(client, site), "schools")

    def row_of(name: str) -> str:
        return next(r for r in rows if f"|{name}|" in r)

    # 梨园村教学点 has 49 pupils, one under the 50 of teaching_point_min_students ...
    assert row_of("梨园村教学点").endswith(
        "|不纳入评估|—|小学：教学点在校生 49 人，少于 50 人，不纳入评估范围|"
    )
    # ... 白马镇孙家庄教学点 has exactly 50 and is evaluated
    assert "不纳入评估" not in row_of("白马镇孙家庄教学点")
    assert row_of("示范县特殊教育学校").endswith(
        "|不纳入评估|不纳入评估|小学：特殊教育学校不纳入评估范围；初中：特殊教育学校不纳入评估范围|"
    )


def test_the_standard_is_named_never_by_its_id(client, site):
    body = _overview(client, site)
    county = site["county"]
    indicator = client.get(reverse("indicator", args=[county.pk, "2026", "R4", "primary"]))
    for page in (body, indicator.content.decode()):
        assert f"评估标准 {STANDARD_NAME}" in page
        assert "national-2017" not in page
    assert presenters.standard_text("no-such-standard", "1.0") == "（标准文件已停用，版本 1.0）"


def _year_tabs(body: str) -> list[tuple[str, str]]:
    """(label, href or "current") of each entry of the year switcher."""
    nav = re.search(r'<nav class="tabs year-tabs" aria-label="切换学年">(.*?)</nav>', body, re.S)
    assert nav, "no year switcher"
    out = []
    for tag in re.findall(r"<(?:a href=\"[^\"]*\"|strong aria-current=\"page\")>[^<]*<", nav[1]):
        label = re.search(r">([^<]*)<", tag).group(1)
        href = re.search(r'href="([^"]*)"', tag)
        out.append((label, href.group(1) if href else "current"))
    return out


def test_year_switcher_on_the_overview_indicator_and_review_pages(client, site):
    county = site["county"]
    # the overview and the indicator page: the years with an evaluation (2024 has none),
    # newest first as on the comparison of counties
    assert _year_tabs(_overview(client, site)) == [
        ("2026", "current"),
        ("2025", reverse("county", args=[county.pk, "2025"])),
    ]
    body = client.get(reverse("indicator", args=[county.pk, "2025", "R4", "junior"]))
    assert _year_tabs(body.content.decode()) == [
        ("2026", reverse("indicator", args=[county.pk, "2026", "R4", "junior"])),
        ("2025", "current"),
    ]
    # a year loaded but not evaluated is shown with the evaluated ones, itself marked
    assert _year_tabs(_overview(client, site, "2024")) == [
        ("2026", reverse("county", args=[county.pk, "2026"])),
        ("2025", reverse("county", args=[county.pk, "2025"])),
        ("2024", "current"),
    ]
    # the review page lists every year with data, evaluated or not
    review = client.get(reverse("county_review", args=[county.pk, "2025"])).content.decode()
    assert _year_tabs(review) == [
        ("2026", reverse("county_review", args=[county.pk, "2026"])),
        ("2025", "current"),
        ("2024", reverse("county_review", args=[county.pk, "2024"])),
    ]
    assert county_year_labels(county) == ["2024", "2025", "2026"]


def test_a_single_year_has_no_switcher(client, loaded, django_user_model):
    county, year = loaded
    run_evaluation(county, year, None)
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    body = client.get(reverse("county", args=[county.pk, year.label])).content.decode()
    assert 'aria-label="切换学年"' not in body


def test_the_excerpt_carries_the_items_without_their_failing_lists(site):
    snapshot = latest_snapshot(site["county"], site["year"])
    full = Snapshot.objects.get(pk=snapshot.pk).result
    excerpt = result_excerpt(snapshot, ("school_id",), items=True)
    assert list(excerpt["items"]) == list(full["items"]) or connection.vendor == "postgresql"
    assert excerpt["items"] == {
        key: {k: v for k, v in record.items() if k != "failing"}
        for key, record in full["items"].items()
    }
    assert full["items"]["G4"]["failing"][0]["name"] == "城关第一小学"
    assert "items" not in result_excerpt(snapshot, ("school_id",))


def test_school_names_on_the_indicator_axis_fit_or_are_shown_in_a_tooltip():
    rows = [
        {"school_id": "a", "name": "大王庄乡九年一贯制学校", "students": 300, "value": 4.0},
        {"school_id": "b", "name": "城关第一小学", "students": 300, "value": 5.0},
    ]
    rows = [{**r, "threshold": 4.5, "met": None, "floor_ok": None, "share": None} for r in rows]
    summary = {"short": "R4 教学及辅助用房", "level_label": "小学", "unit": "㎡"}
    base = charts.indicator_chart(rows, summary).options["baseOption"]
    axis = base["xAxis"]
    assert axis["data"] == ["大王庄乡九年一贯制学校", "城关第一小学"]
    # 11 characters of 12 px: 132 px, within the label's width; a longer name ends in "…" and
    # the axis tooltip shows it whole
    assert axis["axisLabel"]["width"] >= 12 * 12 and axis["axisLabel"]["overflow"] == "truncate"
    assert axis["tooltip"] == {"show": True}


def test_a_chart_drawn_narrow_gets_its_wide_labels_back():
    # ECharts merges nothing when the phone query stops matching; the default media entry
    # (one without a query) must put back every value the phone variant changed.
    rows = [
        {"school_id": "a", "name": "城关第一小学", "students": 300, "value": 4.0, "threshold": 4.5}
    ]
    rows = [{**r, "met": False, "floor_ok": True, "share": None} for r in rows]
    summary = {"short": "R4 教学及辅助用房", "level_label": "小学", "unit": "㎡"}
    series = {
        "items": ["R1"],
        "short": ["R1 高于规定学历的专任教师"],
        "levels": [
            {"level": "primary", "label": "小学", "cv": [0.2], "limit": [0.5], "passes": [True]}
        ],
    }
    for chart in (charts.indicator_chart(rows, summary), charts.cv_chart(series)):
        narrow, default = chart.options["media"]
        assert narrow["query"] == charts.NARROW and "query" not in default
        base = chart.options["baseOption"]
        assert set(default["option"]) == set(narrow["option"])
        for key, changed in narrow["option"].items():
            for sub in changed:
                if sub == "axisLabel":
                    assert default["option"][key][sub] == {"show": True}
                else:
                    assert default["option"][key][sub] == base[key][sub]
    assert charts.cv_chart(series).options["media"][1]["option"]["xAxis"]["data"] == [
        "R1\n高于规定学历的专任教师"
    ]


def test_a_board_rendered_by_an_older_board_version_is_not_served(client, site):
    """Boards rendered before the item tables were added lack them: the version in the key
    keeps such HTML, still in a cache folder shared across upgrades, from being served."""
    import hashlib

    from django.core.cache import cache

    from junheng.web.pages import dashboards
    from junheng.web.selectors import yearly_summaries

    county = site["county"]
    snapshot = latest_snapshot(county, site["year"])
    years = yearly_summaries(county)
    variant = [f"{y['id']}@{y['created_at'].isoformat()}" for y in years]
    current = dashboards._key("county", snapshot, *variant)
    older = hashlib.sha256(
        f"{dashboards.BOARD_VERSION - 1}:{dashboards._package_version()}".encode()
    ).hexdigest()[:12]
    cache.set(current.replace(dashboards._PREFIX, f"board:{older}"), "<p>旧版本的概况</p>")
    body = _overview(client, site)
    assert "旧版本的概况" not in body and 'id="table-items-G"' in body
    assert cache.get(current) is not None  # rendered now, under the current version


def test_item_tables_of_undecided_items_an_existing_veto_and_an_old_snapshot():
    standard = presenters.standard_of("national-2017")
    result = {
        "parts": {"G": None, "veto": False},
        "items": {
            "G7": {
                "value": None,
                "passes": None,
                "reason": "特殊教育学校生均公用经费：缺少数据（特殊教育学校生均公用经费）",
                "checks": [{"key": "funds", "label": "特殊教育学校生均公用经费", "value": None}],
            },
            "V3": {
                "value": True,
                "passes": False,
                "reason": "存在重点学校或重点班：是（不符合要求）",
                "checks": [{"key": "veto", "label": "存在重点学校或重点班", "value": True}],
            },
        },
    }
    sections = {s["letter"]: s for s in presenters.item_tables(result, standard)}
    g7 = next(r for r in sections["G"]["table"].rows if r[0].text == "G7")
    assert [c.text for c in g7[3:6]] == [
        "缺少数据",
        "— 无法判定",
        "特殊教育学校生均公用经费：缺少数据（特殊教育学校生均公用经费）",
    ]
    # G1 is not in this (older) result at all: said so, not shown as passing
    g1 = sections["G"]["table"].rows[0]
    assert (g1[4].text, g1[5].text) == ("— 无法判定", "本次评估结果中没有该项")
    assert sections["G"]["summary"] == "15 项中 0 项达标，15 项无法判定"
    assert sections["G"]["mark"].text == "— 无法判定"
    v3 = next(r for r in sections["V"]["table"].rows if r[0].text == "V3")
    assert (v3[3].text, v3[4].text) == ("是", "✗ 存在否决情形")
    assert sections["V"]["summary"] == "6 种一票否决情形中存在 1 种，5 种无法判定"
    assert sections["V"]["mark"].text == "✗ 存在否决情形"
    lines = presenters.verdict_lines({**result, "verdict": {"passes": False}}, standard)
    assert [line["text"] for line in lines] == [
        "政府保障程度无法判定（15 项中 G7 无法判定）",
        "一票否决：存在否决情形：V3",
    ]
