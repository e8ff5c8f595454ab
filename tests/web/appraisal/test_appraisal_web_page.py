"""The appraisal page on a hand-computed ledger built through the ledger's own services, with
a progress report on either side of midnight in Beijing at the end of March (16:00 UTC); its
.xlsx; the ranking in the ledger's bulletin; a county's own formula file."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from junheng.rectification import appraisal as core
from junheng.web.appraisal import services
from junheng.web.rectification import services as ledger
from junheng.web.rectification.models import ProblemSource, Unit, UnitKind

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def _at(day: str, hour: int, minute: int = 0) -> dt.datetime:
    y, m, d = map(int, day.split("-"))
    return dt.datetime(y, m, d, hour, minute, tzinfo=UTC)


def _fields(unit, deadline, responsible=()):
    return ledger.TaskFields(
        lead_unit=unit,
        responsible_units=list(responsible),
        person="",
        leader="",
        measures="整改措施",
        deadline=deadline,
        budget_wan=None,
    )


def _build(site, clock, report_at: dt.datetime) -> None:
    """P1 (自查, 石桥小学): T1 led by 县教育局 with 县财政局, due 20 Mar, closed 25 Mar; T2 led
    by 石桥镇人民政府, due 31 Mar, one progress report at `report_at`. P2 (督导检查, 石桥小学,
    found 31 Mar): T3 led by 县教育局, due 30 Jun, never reported."""
    admin, units = site["users"]["admin"], site["units"]
    clock(_at("2026-01-05", 2))  # 10:00 in Beijing
    p1 = ledger.add_problem(
        site["county"],
        site["year"],
        source=ProblemSource.SELF_CHECK,
        title="石桥小学功能室不足",
        description="",
        found_on=dt.date(2026, 1, 5),
        found_by="",
        item="",
        school_name="石桥小学",
        school_id="3150000001",
        user=admin,
    )
    t1 = ledger.save_task(p1, _fields(units["edu"], dt.date(2026, 3, 20), [units["fin"]]), admin)
    t2 = ledger.save_task(p1, _fields(units["town"], dt.date(2026, 3, 31)), admin)
    clock(_at("2026-03-25", 2))
    for target in ("进行中", "待验收"):
        t1 = ledger.step(t1, target, admin)
    t1 = ledger.step(t1, "已销号", admin, approve=True)
    assert t1.closed_on == dt.date(2026, 3, 25)
    clock(_at("2026-03-31", 2))
    p2 = ledger.add_problem(
        site["county"],
        site["year"],
        source=ProblemSource.INSPECTION,
        title="石桥小学音乐教室不足",
        description="",
        found_on=dt.date(2026, 3, 31),
        found_by="县督导室",
        item="R4",
        school_name="石桥小学",
        school_id="3150000001",
        user=admin,
    )
    ledger.save_task(p2, _fields(units["edu"], dt.date(2026, 6, 30)), admin)
    clock(report_at)
    ledger.add_progress(t2, admin, "已完成设计", [])
    clock(_at("2026-04-10", 2))  # today: 10 April in Beijing


def _totals(result):
    """Every party's total, those listed apart (not ranked) included."""
    everyone = [*result.units, *result.townships, *result.units_apart, *result.townships_apart]
    return {s.party.name: s.total for s in everyone}


@pytest.mark.parametrize(
    ("report_at", "town_q1", "shiqiao_q1", "town_q2"),
    [
        # 23:30 on 31 March in Beijing: T2 reported in Q1
        (_at("2026-03-31", 15, 30), 55.0, 70.0, 60.0),
        # 00:30 on 1 April in Beijing (still 31 March in UTC): T2 reported in Q2
        (_at("2026-03-31", 16, 30), 40.0, 65.0, 75.0),
    ],
)
def test_scores_on_both_sides_of_midnight(site, clock, report_at, town_q1, shiqiao_q1, town_q2):
    _build(site, clock, report_at)
    q1 = services.appraisal_for(site["county"], site["year"], core.parse_period("2026Q1"))
    # Q1, judged at 31 March:
    # 县教育局 (T1, T3): closure T1 due 20 Mar closed 25 Mar 1/1 → 40; overdue: past due T1,
    #   closed → 0/1 → 25; findings P2 (its task's lead) 1 → 20 − 5 = 15; timeliness: worked on
    #   T1, T3; reported T1 (steps on 25 Mar) → 1/2 → 7.5. Total 87.5
    # 县财政局 (T1 as responsible unit): 40 + 25 + 20 (no finding) + 15 (1/1) = 100
    # 石桥镇人民政府 (T2; the 乡镇 unit of 石桥镇, so P2 at 石桥小学 counts against it although
    #   no task of P2 names it): due 31 Mar not closed 0/1 → 0; not yet past due → 25;
    #   P2 → 20 − 5 = 15; timeliness 1/1 → 15 (report on 31 Mar) or 0/1 → 0 (on 1 Apr): 55 or 40
    # 石桥镇 (T1, T2, T3 — all at 石桥小学): closure T1, T2 → 1/2 → 20; overdue T1 0/1 → 25;
    #   P2 → 15; timeliness T1, T2?, T3 → 2/3 → 10 or 1/3 → 5: 70 or 65
    # 河口镇: no records → 100 on paper, but no 考核事项 (0 < min_items 1): listed apart, unranked
    totals = _totals(q1.appraisal)
    assert totals == {
        "县教育局": 87.5,
        "县财政局": 100.0,
        "石桥镇人民政府": town_q1,
        "石桥镇": shiqiao_q1,
        "河口镇": 100.0,
    }
    assert [s.party.name for s in q1.appraisal.townships] == ["石桥镇"]
    assert [(s.party.name, s.rank, s.items) for s in q1.appraisal.townships_apart] == [
        ("河口镇", 0, 0)
    ]
    assert q1.appraisal.units_apart == []
    edu = next(s for s in q1.appraisal.units if s.party.name == "县教育局")
    assert [(c.numerator, c.denominator) for c in edu.components] == [
        (1, 1),
        (0, 1),
        (1, None),
        (1, 2),
    ]
    # Q2, judged on 10 April: 石桥镇人民政府's T2 is past due and open → overdue 1/1 → 0;
    #   nothing due in [1 Apr, 10 Apr] → 40; P2 (31 Mar) not in Q2 → 20; reported in Q2 → 15
    #   or 0: 75 or 60
    q2 = services.appraisal_for(site["county"], site["year"], core.parse_period("2026Q2"))
    assert _totals(q2.appraisal)["石桥镇人民政府"] == town_q2
    assert [p.code for p in q2.periods] == ["2026Q2", "2026Q1"]


def test_the_page_ranks_and_explains(client, site, clock):
    _build(site, clock, _at("2026-03-31", 15, 30))
    client.force_login(site["users"]["leader"])
    url = reverse("appraisal", args=[site["county"].pk, site["year"].label])
    page = client.get(url + "?period=2026Q1").content.decode()
    assert "示范县 · 2026年第一季度整改工作考核排名" in page
    assert "考核期 2026年1月1日至2026年3月31日" in page and "尚未结束" not in page
    units = page[page.index("单位排名（成员单位、乡镇）") : page.index("乡镇（学区）排名")]
    order = [units.index(n) for n in ("县财政局", "县教育局", "石桥镇人民政府")]
    assert order == sorted(order)
    assert "第 1 名" in units and "100.00 分" in units and "87.50 分" in units
    assert "整改销号率：已销号 1/本期到期任务 1（100.0%），得 40/40 分" in units
    assert "进展报送及时性：按时报送 1/本期整改中任务 2（50.0%），得 7.5/15 分" in units
    assert "督导检查发现问题：发现问题 1 个，每个扣 5 分，得 15/20 分" in units
    assert "计入单位牵头和作为责任单位参与的任务" in units
    assert "本期无考核事项，不参与排名" not in units
    towns = page[page.index("乡镇（学区）排名") : page.index("计分办法")]
    # 石桥镇 70 is the only township ranked; 河口镇 has nothing to appraise: named apart, no place
    ranked, apart = towns.split("本期无考核事项，不参与排名")
    assert "第 1 名" in ranked and "石桥镇" in ranked and "河口镇" not in ranked
    assert "河口镇" in apart and "第 " not in apart and 'class="score"' not in apart
    assert "县域创建方案通行做法" in page
    # the current quarter by default, judged today; the years by kind
    page = client.get(url).content.decode()
    assert "2026年第二季度" in page and "本期尚未结束，按截至 2026年4月10日 的台账计算" in page
    page = client.get(url + "?kind=year").content.decode()
    assert "2026年度整改工作考核排名" in page


def test_the_workbook_holds_numbers_and_text(client, site, clock):
    _build(site, clock, _at("2026-03-31", 15, 30))
    Unit.objects.create(county=site["county"], kind=UnitKind.DEPARTMENT, name="=1+1局", order=9)
    client.force_login(site["users"]["admin"])
    url = reverse("appraisal_xlsx", args=[site["county"].pk, site["year"].label])
    response = client.get(url + "?period=2026Q1")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["单位排名", "乡镇排名", "计分办法"]
    sheet = book["单位排名"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("示范县2026年第一季度整改工作考核排名")
    header = rows[2]
    assert header[:4] == ("名次", "名称", "类型", "总分")
    assert "整改销号率·已销号" in header and "整改销号率·本期到期任务" in header
    body = {r[1]: r for r in rows[3:]}
    edu = body["县教育局"]
    assert edu[3] == 87.5 and edu[header.index("进展报送及时性·本期整改中任务")] == 2
    # a name that looks like a formula is stored as text
    cell = next(c for c in sheet["B"] if c.value == "=1+1局")
    assert cell.data_type == "s"
    formula = list(book["计分办法"].iter_rows(values_only=True))
    assert formula[3][:2] == ("分项", "权重（分）")
    assert formula[4][:3] == ("整改销号率", 40, "越高越好")


def test_the_bulletin_shows_the_quarters_ranking(client, site, clock):
    _build(site, clock, _at("2026-03-31", 15, 30))
    client.force_login(site["users"]["dept"])
    url = reverse("rectification_bulletin", args=[site["county"].pk, site["year"].label])
    page = client.get(url).content.decode()
    section = page[page.index("2026年第二季度考核排名") :]
    assert "按截至 2026年4月10日 的台账计算" in section
    assert "查看得分说明与历次排名" in section
    # Q2 on 10 April: 县财政局 (T1 closed in Q1: nothing left, no 考核事项) apart, unranked;
    # 县教育局: T3 only, not reported → 40 + 25 + 20 + 0 = 85; 石桥镇人民政府 60 (see above);
    # 河口镇 has no records either
    assert section.index("县教育局 · 85.00 分") < section.index("石桥镇人民政府 · 60.00 分")
    assert '<li value="1">县教育局' in section and '<li value="2">石桥镇人民政府' in section
    assert "县财政局 · " not in section
    assert "本期无考核事项，不参与排名：县财政局、河口镇。" in section
    assert "与上面只计牵头任务的进展表口径不同" in section


def test_a_countys_own_formula(site, clock, settings, tmp_path):
    _build(site, clock, _at("2026-03-31", 15, 30))
    settings.JUNHENG_APPRAISAL_DIR = str(tmp_path)
    (tmp_path / "500101.yaml").write_text(
        "extends: appraisal.yaml\ncomponents:\n  findings:\n    weight: 30\n"
        "  closure:\n    weight: 30\n",
        encoding="utf-8",
    )
    q1 = services.appraisal_for(site["county"], site["year"], core.parse_period("2026Q1"))
    # 县教育局 under it: closure 30 × 1/1 + 25 + (30 − 5) + 7.5 = 87.5 → 30 + 25 + 25 + 7.5
    assert _totals(q1.appraisal)["县教育局"] == 87.5
    # 石桥镇人民政府 (P2 at a 石桥镇 school counts against it): 0 + 25 + (30 − 5) + 15 = 65
    # (55 under the default)
    assert _totals(q1.appraisal)["石桥镇人民政府"] == 65.0
    # the neighbouring county keeps the default
    assert services.formula_for(site["other"]).weight_sum == 100
    assert {c.weight for c in services.formula_for(site["other"]).components} == {40, 25, 20, 15}


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("admin", ["考核排名", "表彰与问责", "会议"]),
        ("leader", ["考核排名", "表彰与问责", "会议"]),
        ("inspector", ["考核排名"]),
        ("dept", ["考核排名", "会议"]),
    ],
)
def test_the_ledger_links_what_the_reader_may_open(client, site, clock, role, links):
    client.force_login(site["users"][role])
    county, year = site["county"].pk, site["year"].label
    page = client.get(reverse("rectification", args=[county, year])).content.decode()
    hrefs = {
        "考核排名": reverse("appraisal", args=[county, year]),
        # the decisions page is not of one year: the link carries the ledger's
        "表彰与问责": reverse("appraisal_decisions", args=[county]) + f"?year={year}",
        "会议": reverse("appraisal_meetings", args=[county, year]),
    }
    for name, href in hrefs.items():
        assert (f'href="{href}">{name}</a>' in page) == (name in links), (role, name)


def test_a_broken_county_file_is_explained(client, site, clock, settings, tmp_path):
    settings.JUNHENG_APPRAISAL_DIR = str(tmp_path)
    (tmp_path / "500101.yaml").write_text(
        "extends: appraisal.yaml\ncomponents:\n  findings:\n    weight: 30\n", encoding="utf-8"
    )
    client.force_login(site["users"]["admin"])
    county, year = site["county"].pk, site["year"].label
    for url in (
        reverse("appraisal", args=[county, year]),
        reverse("rectification_bulletin", args=[county, year]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "本县的考核计分办法文件有误" in response.content.decode()
        assert "各分项权重之和为 110 分，应等于总分 100 分" in response.content.decode()
    response = client.get(reverse("appraisal_xlsx", args=[county, year]) + "?period=2026Q1")
    assert response.status_code == 302
    assert response.url == reverse("appraisal", args=[county, year]) + "?period=2026Q1"
