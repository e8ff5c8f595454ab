"""教育经费保障 page (`/counties/<id>/<year>/finance/`): who may open it, its figures against
`junheng.core.finance.finance_to_dict` on the same dataset, the demo's land-revenue shortfall
checked by hand, the unset provincial share, missing figures, the ledger link, and the message
without finance rows."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import polars as pl
import pytest
from django.urls import reverse

from junheng.core.finance import check_finance, finance_to_dict
from junheng.core.finance_rules import national_rules
from junheng.demo import DEMO_COUNTY
from junheng.web.rectification.services import generate_problems
from junheng.web.registry.management.commands.junheng_demo import DEMO_YEAR
from junheng.web.selectors import dataset_for
from junheng.web.services import run_evaluation
from tests.browser.identifiers import unexpected_identifiers
from tests.web.sites import demo_site

pytestmark = pytest.mark.django_db


@pytest.fixture(name="site")
def site_fixture(planned_demo, django_user_model):
    return demo_site(planned_demo, django_user_model)


def _get(client, site, who):
    client.force_login(site["users"][who])
    return client.get(reverse("finance", args=[site["county"].pk, DEMO_YEAR]))


def _text(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def _row(response, name: str) -> dict:
    return next(r for r in response.context["rows"] if r["name"] == name)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("leader", 200),
        ("inspector", 200),
        ("other_admin", 404),
        ("school", 404),
        ("department", 404),
    ],
)
def test_who_may_open_the_page(client, site, who, status):
    response = _get(client, site, who)
    assert response.status_code == status
    if status == 200:
        assert "各财政年度检查结果" in response.content.decode()


def test_anonymous_is_sent_to_login(client, site):
    response = client.get(reverse("finance", args=[site["county"].pk, DEMO_YEAR]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_an_unknown_year_is_not_found(client, site):
    client.force_login(site["users"]["admin"])
    response = client.get(reverse("finance", args=[site["county"].pk, "1999"]))
    assert response.status_code == 404


def test_the_page_shows_the_checks_of_the_same_dataset(client, site):
    response = _get(client, site, "leader")
    assert response.status_code == 200
    dataset = dataset_for(site["county"], site["year"])
    expected = finance_to_dict(check_finance(dataset, rules=national_rules()), DEMO_COUNTY)
    text = _text(response)
    assert f"按{expected['rules']}检查" in text
    # A column per fiscal year, in the core's order, with the year's verdict.
    years = response.context["years"]
    assert [y["label"] for y in years] == [f"{y['year']}年" for y in expected["years"]]
    verdicts = {True: "达标", False: "未达标", None: "无法判定"}
    assert [y["verdict"] for y in years] == [verdicts[y["passes"]] for y in expected["years"]]
    # A row per check, each cell the core's reason sentence; every clause shown once per row.
    rows = response.context["rows"]
    checks = expected["years"][0]["checks"]
    assert [r["name"] for r in rows] == [c["name"] for c in checks]
    for row, check in zip(rows, checks, strict=True):
        assert row["source"] == check["source"]
        assert f"依据：{check['source']}" in text
    for index, year in enumerate(expected["years"]):
        for row, check in zip(rows, year["checks"], strict=True):
            assert row["cells"][index]["reason"] == check["reason"]
            assert check["reason"] in text
    assert unexpected_identifiers(text, allowed={"leader"}) == []


def test_the_demo_land_revenue_shortfall_of_2024(client, site):
    response = _get(client, site, "leader")
    # By hand: the demo's 2024 land revenue 356,500,000.00 yuan × 10 % = 35,650,000.00 yuan
    # required; education got 32,798,000.00, so 35,650,000.00 − 32,798,000.00 = 2,852,000.00
    # short; 32,798,000 ÷ 356,500,000 = 9.2 %.
    cells = {c["year"]: c for c in _row(response, "土地出让收益按10%计提教育资金")["cells"]}
    cell = cells["2024年"]
    assert cell["verdict"] == "未达标"
    assert cell["css"] == "fail"
    assert cell["figure"] == "9.2%（应不低于 10%）"
    assert cell["shortfall"] == "少 2,852,000.00 元"
    # Just past the line the other way: 2025 gave exactly 10 % (33,800,000 of 338,000,000).
    assert cells["2025年"]["verdict"] == "达标"
    assert cells["2025年"]["shortfall"] == ""
    # The year fails as a whole, and the failure is listed with its amount.
    years = {y["label"]: y for y in response.context["years"]}
    assert years["2024年"]["verdict"] == "未达标"
    text = _text(response)
    assert "土地出让收益计提教育资金少 2,852,000.00 元" in text
    assert "1 个年度有未达标项" in text


def test_first_year_and_computed_figures_are_marked(client, site):
    response = _get(client, site, "leader")
    row = _row(response, "按在校学生人数平均的一般公共预算教育支出逐年只增不减")
    first, second = row["cells"][0], row["cells"][1]
    # The first year has nothing to compare with; the demo gives students, not the figure.
    assert (first["year"], first["verdict"]) == ("2021年", "不适用")
    assert second["computed"] is True
    # 2022: 617,750,000.00 yuan ÷ 34,958 students (the demo's 2022 grade enrolment) =
    # 17,671.21 yuan per student (17,671.2054…).
    assert second["figure"] == "17,671.21 元"
    assert "计算值" in response.content.decode()


def test_the_unset_provincial_share_is_explained(client, planned_demo, django_user_model):
    # The demo county states the province's share (16 %) every year; without it the national
    # rules have no line for the share.
    finance = planned_demo.finance.with_columns(required_share_pct=pl.lit(None, pl.Float64))
    site = demo_site(replace(planned_demo, finance=finance), django_user_model)
    response = _get(client, site, "leader")
    text = _text(response)
    assert "未设定省定比例" in text
    assert "省定教育支出占比" in text
    cells = _row(response, "一般公共预算教育支出占一般公共预算支出的比例不低于省定比例")["cells"]
    # 2024: 660,450,000 ÷ 3,465,000,000 = 19.06 % → 19.1 %, reported, not judged.
    assert cells[3]["figure"] == "实际 19.1%"
    assert cells[3]["verdict"] == "无法判定"
    # No file name of the rules on the page.
    assert ".yaml" not in text


def test_the_share_the_county_states_decides_each_year(client, site):
    response = _get(client, site, "leader")
    cells = _row(response, "一般公共预算教育支出占一般公共预算支出的比例不低于省定比例")["cells"]
    # 2024: 19.06 % against the 16 % the demo county states: 达标, and no unset note.
    assert cells[3]["figure"] == "19.1%（应不低于 16%）"
    assert cells[3]["verdict"] == "达标"
    assert "未设定省定比例" not in _text(response)
    years = {y["label"]: y["verdict"] for y in response.context["years"]}
    # Every year passes but 2024 (land revenue and the urban surcharge).
    assert years == {
        "2021年": "达标",
        "2022年": "达标",
        "2023年": "达标",
        "2024年": "未达标",
        "2025年": "达标",
    }


def test_missing_figures_are_listed_with_where_to_enter_them(
    client, planned_demo, django_user_model
):
    finance = planned_demo.finance.with_columns(
        training_funds_yuan=pl.when(pl.col("year") == 2023)
        .then(None)
        .otherwise(pl.col("training_funds_yuan"))
    )
    site = demo_site(replace(planned_demo, finance=finance), django_user_model)
    response = _get(client, site, "admin")
    assert response.context["missing"] == [{"year": "2023年", "figures": "教师培训经费"}]
    text = _text(response)
    assert "缺少的数据" in text
    assert "2023年：教师培训经费" in text
    entry = reverse("plan_table", args=[site["county"].pk, DEMO_YEAR, "finance"])
    assert entry in response.content.decode()
    # A reader is told whom to ask, not given the editing link.
    leader = _get(client, site, "leader")
    assert "请联系本县管理员补充" in _text(leader)


def test_failures_link_to_the_ledger_and_say_when_they_are_listed(client, site):
    response = _get(client, site, "admin")
    ledger = reverse("rectification", args=[site["county"].pk, DEMO_YEAR])
    assert f'href="{ledger}?category=' in response.content.decode()
    assert "这些未达标项已列入整改台账" not in _text(response)
    snapshot = run_evaluation(site["county"], site["year"], None)
    generate_problems(site["county"], site["year"], snapshot, None)
    assert "这些未达标项已列入整改台账" in _text(_get(client, site, "admin"))


def test_without_finance_rows_the_page_says_what_is_missing(
    client, planned_demo, django_user_model
):
    site = demo_site(replace(planned_demo, finance=planned_demo.finance.clear()), django_user_model)
    response = _get(client, site, "admin")
    assert response.status_code == 200
    text = _text(response)
    assert "缺少“县级教育经费”数据，无法检查教育经费保障" in text
    assert "下载县级填报模板" in text
    assert "在规划数据中填写" in text
    assert unexpected_identifiers(text, allowed={"cadmin"}) == []
