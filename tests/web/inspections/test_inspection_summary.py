"""The inspection summary per period on hand data, with visits and problems on both sides of
midnight UTC at the turn of November to December (Beijing is UTC+8): 2026-11-30 15:30 UTC is
23:30 on 30 November in Beijing, 16:30 UTC is 00:30 on 1 December."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from junheng.inspections import kinds
from junheng.web.inspections.models import Finding, Visit
from junheng.web.rectification.models import Problem, ProblemStatus
from tests.web.sites import PASSWORD

LAST_MINUTES_OF_NOVEMBER = dt.datetime(2026, 11, 30, 15, 30, tzinfo=dt.UTC)
FIRST_MINUTES_OF_DECEMBER = dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)
TENTH_OF_DECEMBER = dt.datetime(2026, 12, 10, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def freeze(monkeypatch):
    def at(instant: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: instant)

    return at


def _visit(site, who, school, planned_on):
    return Visit.objects.create(
        inspector=site["users"][who],
        school=site["schools"][school],
        planned_on=planned_on,
        kind=kinds.ROUTINE,
    )


def _record_on_site(client, visit, findings: int, convert: int) -> str:
    """Open the visit, save the record with the date the page offers, add findings and convert
    the first `convert` of them; the date offered is returned."""
    page = client.get(reverse("inspections_visit", args=[visit.pk]))
    offered = page.context["record"]["visited_on"].value()
    client.post(reverse("inspections_record", args=[visit.pk]), {"visited_on": offered})
    for n in range(findings):
        client.post(reverse("inspections_finding", args=[visit.pk]), {"title": f"问题{n + 1}"})
    for finding in Finding.objects.filter(visit=visit).order_by("id")[:convert]:
        client.post(reverse("inspections_finding_problem", args=[finding.pk]))
    return str(offered)


@pytest.fixture
def hand(client, site, freeze):
    """A: 王督学 at 一小, planned 11-30, recorded 23:30 local on 11-30, 1 finding → 1 problem.
    B: 王督学 at 一小, planned 12-01, recorded 00:30 local on 12-01 (UTC still says 11-30),
       2 findings → 1 problem, later closed.
    C: duxue2 at 二小, planned 12-03, not done (overdue on 12-10).
    D: duxue2 at 二小, planned 12-31, not done.
    E: at 乙县一小, planned 12-05 (another county: never counted)."""
    assert client.login(username="duxue", password=PASSWORD)
    a = _visit(site, "duxue", "one", dt.date(2026, 11, 30))
    b = _visit(site, "duxue", "one", dt.date(2026, 12, 1))
    _visit(site, "duxue2", "two", dt.date(2026, 12, 3))
    _visit(site, "duxue2", "two", dt.date(2026, 12, 31))
    _visit(site, "other_admin", "other", dt.date(2026, 12, 5))
    freeze(LAST_MINUTES_OF_NOVEMBER)
    offered_a = _record_on_site(client, a, findings=1, convert=1)
    freeze(FIRST_MINUTES_OF_DECEMBER)
    offered_b = _record_on_site(client, b, findings=2, convert=1)
    problem_b = Finding.objects.get(visit=b, problem__isnull=False).problem
    Problem.objects.filter(pk=problem_b.pk).update(status=ProblemStatus.CLOSED)
    freeze(TENTH_OF_DECEMBER)
    client.logout()
    return {"offered": (offered_a, offered_b), "a": a, "b": b}


def _rows(response, key):
    table = next(t for t in response.context["tables"] if t.key == key)
    return {row[0].text: [c.value for c in row[1:]] for row in table.rows}


def test_the_record_offers_the_local_day(hand):
    assert hand["offered"] == ("2026-11-30", "2026-12-01")
    hand["b"].refresh_from_db()
    assert hand["b"].visited_on == dt.date(2026, 12, 1)


def test_december_and_november(client, site, hand):
    assert client.login(username="cadmin", password=PASSWORD)
    url = reverse("inspections_summary", args=[site["county"].pk])
    december = client.get(url, {"period": "month", "day": "2026-12-15"})
    # 计划, 已完成, 完成率, 逾期未检, 发现问题, 转入台账, 已销号, 整改中
    assert _rows(december, "inspectors") == {
        "王督学": [1, 1, 1.0, 0, 2, 1, 1, 0],  # B only
        "duxue2": [2, 0, 0.0, 1, 0, 0, 0, 0],  # C overdue on 12-10, D not yet
        "合计": [3, 1, 1 / 3, 1, 2, 1, 1, 0],
    }
    assert _rows(december, "schools") == {
        "甲县一小": [1, 1, 1.0, 0, 2, 1, 1, 0],
        "甲县二小": [2, 0, 0.0, 1, 0, 0, 0, 0],
        "合计": [3, 1, 1 / 3, 1, 2, 1, 1, 0],
    }
    text = december.content.decode()
    assert "2026年12月" in text and "2026-12-01 至 2026-12-31" in text
    assert "乙县一小" not in text
    november = client.get(url, {"period": "month", "day": "2026-11-01"})
    assert _rows(november, "inspectors") == {
        "王督学": [1, 1, 1.0, 0, 1, 1, 0, 1],  # A: recorded and converted 23:30 on 11-30
        "合计": [1, 1, 1.0, 0, 1, 1, 0, 1],
    }


def test_quarter_and_year_add_up(client, site, hand):
    assert client.login(username="leader", password=PASSWORD)
    url = reverse("inspections_summary", args=[site["county"].pk])
    quarter = _rows(client.get(url, {"period": "quarter", "day": "2026-10-01"}), "inspectors")
    year = _rows(client.get(url, {"period": "year", "day": "2026-06-30"}), "inspectors")
    # A and B both in Q4 and 2026: planned 4, done 2, findings 3, problems 2, one closed
    assert quarter["合计"] == year["合计"] == [4, 2, 0.5, 1, 3, 2, 1, 1]
    page = client.get(url, {"period": "quarter", "day": "2026-10-01"}).content.decode()
    assert "2026年第4季度" in page


def test_the_default_period_is_this_month_in_beijing(client, site, hand, freeze):
    assert client.login(username="cadmin", password=PASSWORD)
    freeze(FIRST_MINUTES_OF_DECEMBER)
    page = client.get(reverse("inspections_summary", args=[site["county"].pk]))
    assert page.context["period"].label == "2026年12月"
    freeze(LAST_MINUTES_OF_NOVEMBER)
    page = client.get(reverse("inspections_summary", args=[site["county"].pk]))
    assert page.context["period"].label == "2026年11月"


def test_the_workbook_keeps_text_as_text(client, site, hand):
    site["users"]["duxue"].first_name = '=HYPERLINK("http://x")'
    site["users"]["duxue"].save()
    assert client.login(username="cadmin", password=PASSWORD)
    url = reverse("inspections_summary_xlsx", args=[site["county"].pk])
    response = client.get(url, {"period": "month", "day": "2026-12-01"})
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "甲县督导检查汇总（2026年12月，2026-12-01 至 2026-12-31）"
    header = rows.index(
        [
            "责任督学",
            "计划督导",
            "已完成",
            "完成率",
            "逾期未检",
            "发现问题",
            "转入台账",
            "已销号",
            "整改中",
        ]
    )
    data = {r[0]: r[1:] for r in rows[header + 1 :]}
    assert data['=HYPERLINK("http://x")'] == [1, 1, 1, 0, 2, 1, 1, 0]
    for row in sheet.iter_rows(min_row=header + 2):
        assert row[0].data_type == "s"
    assert book.worksheets[1].title.startswith("按学校")


def test_a_record_cannot_be_dated_after_today_in_beijing(client, site, freeze):
    """At 16:30 UTC on 30 November it is already 1 December in Beijing: a visit recorded for
    1 December is accepted, one for 2 December refused; at 15:30 UTC 1 December is refused."""
    visit = _visit(site, "duxue", "one", dt.date(2026, 12, 1))
    assert client.login(username="duxue", password=PASSWORD)
    url = reverse("inspections_record", args=[visit.pk])
    freeze(LAST_MINUTES_OF_NOVEMBER)
    refused = client.post(url, {"visited_on": "2026-12-01"})
    assert refused.status_code == 400
    assert "检查日期 2026-12-01 晚于今天（2026-11-30），请填写实际到校检查的日期" in (
        refused.content.decode()
    )
    freeze(FIRST_MINUTES_OF_DECEMBER)
    assert client.post(url, {"visited_on": "2026-12-02"}).status_code == 400
    assert client.post(url, {"visited_on": "2026-12-01"}).status_code == 302
    visit.refresh_from_db()
    assert visit.visited_on == dt.date(2026, 12, 1) and visit.status == kinds.DONE


def _november_finding_registered_in_december(client, site, freeze) -> str:
    """A 督学's visit of 20 November with one finding, turned into a problem at 00:30 on
    1 December in Beijing; the county admin logged in on 10 December. The summary's URL."""
    visit = _visit(site, "duxue", "one", dt.date(2026, 11, 20))
    Visit.objects.filter(pk=visit.pk).update(status=kinds.DONE, visited_on=dt.date(2026, 11, 20))
    finding = Finding.objects.create(visit=visit, title="图书室未开放")
    assert client.login(username="duxue", password=PASSWORD)
    freeze(FIRST_MINUTES_OF_DECEMBER)
    client.post(reverse("inspections_finding_problem", args=[finding.pk]))
    freeze(TENTH_OF_DECEMBER)
    assert client.login(username="cadmin", password=PASSWORD)
    url = reverse("inspections_summary", args=[site["county"].pk])
    return url


def test_a_problem_counts_in_the_month_it_entered_the_ledger(client, site, freeze):
    """A visit of 20 November whose finding is turned into a problem at 00:30 on 1 December in
    Beijing: the finding counts in November, the problem in December."""
    url = _november_finding_registered_in_december(client, site, freeze)
    november = _rows(client.get(url, {"period": "month", "day": "2026-11-01"}), "inspectors")
    december = _rows(client.get(url, {"period": "month", "day": "2026-12-01"}), "inspectors")
    assert november["王督学"] == [1, 1, 1.0, 0, 1, 0, 0, 0]
    assert december["王督学"] == [0, 0, None, 0, 0, 1, 0, 1]


def test_the_sentence_says_a_registration_may_be_of_an_earlier_finding(client, site, freeze):
    """The same visit of 20 November, its finding registered at 00:30 on 1 December: the
    December sentence has 0 findings and 1 registration, and says the registration is counted by
    its own day and may be of an earlier period's finding, so the two cannot be read as one
    contradicting the other; November has the finding and no registration."""
    url = _november_finding_registered_in_december(client, site, freeze)
    december = client.get(url, {"period": "month", "day": "2026-12-01"}).content.decode()
    assert (
        "本期计划督导 0 次，完成 0 次，逾期未检 0 次；本期督导发现问题 0 个。"
        "本期登记到整改台账 1 个（按登记日期计，含以前各期督导发现的问题和回头看反弹），"
        "其中已销号 0 个。"
    ) in december
    november = client.get(url, {"period": "month", "day": "2026-11-01"}).content.decode()
    assert "本期督导发现问题 1 个。本期登记到整改台账 0 个（按登记日期计" in november
    # the workbook's note says the same of its 转入台账 column
    book = load_workbook(
        io.BytesIO(
            client.get(
                reverse("inspections_summary_xlsx", args=[site["county"].pk]),
                {"period": "month", "day": "2026-12-01"},
            ).content
        )
    )
    cells = [c.value for row in book.worksheets[0].iter_rows() for c in row if c.value]
    assert any(
        "转入台账：登记日期在本期的整改台账问题（含以前各期督导发现的问题" in str(v) for v in cells
    )
