"""What a new user's walk through 考核与会议 found, on the appraisal conftest's county: a finding
at a school counts against the township's 乡镇 unit (not another township's), units and
townships with nothing to appraise are named apart in the page and the .xlsx, and the 表彰与问责
page has the section's three tabs and a breadcrumb back to the ledger."""

from __future__ import annotations

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from junheng.rectification import appraisal as core
from junheng.web.appraisal import services
from junheng.web.rectification import services as ledger
from junheng.web.rectification.models import ProblemSource, Unit, UnitKind
from junheng.web.registry.models import SchoolYear

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _finding_led_by_the_school(site) -> None:
    """An inspection finding at 石桥小学 (石桥镇) found 31 March, its task led by the school's
    own 学校 unit (as the demo's visit), due 30 June: no 乡镇 unit is named by the task."""
    admin = site["users"]["admin"]
    problem = ledger.add_problem(
        site["county"],
        site["year"],
        source=ProblemSource.INSPECTION,
        title="石桥小学音乐教室被挪作储物间",
        description="",
        found_on=dt.date(2026, 3, 31),
        found_by="责任督学",
        item="R4",
        school_name="石桥小学",
        school_id="3150000001",
        user=admin,
    )
    school_unit = Unit.objects.create(
        county=site["county"], kind=UnitKind.SCHOOL, name="石桥小学", school=site["school"]
    )
    ledger.save_task(
        problem,
        ledger.TaskFields(
            lead_unit=school_unit,
            responsible_units=[],
            person="",
            leader="",
            measures="清理音乐教室",
            deadline=dt.date(2026, 6, 30),
            budget_wan=None,
        ),
        admin,
    )


def _scores(site, code: str) -> dict[str, core.PartyScore]:
    result = services.appraisal_for(site["county"], site["year"], core.parse_period(code)).appraisal
    everyone = [*result.units, *result.townships, *result.units_apart, *result.townships_apart]
    return {s.party.name: s for s in everyone}


def test_a_finding_counts_against_its_townships_unit_and_no_other(site):
    Unit.objects.create(
        county=site["county"], kind=UnitKind.TOWN, name="河口镇人民政府", township="河口镇", order=4
    )
    _finding_led_by_the_school(site)
    q1 = _scores(site, "2026Q1")
    # The task (created 10 April by the clock) is not in Q1; the finding of 31 March is.
    # 石桥镇 (the school's township) and 石桥镇人民政府 (its 乡镇 unit): 1 finding → 20 − 5 = 15,
    # nothing else → 40 + 25 + 15 + 15 = 95, ranked. 河口镇人民政府 and 县教育局: nothing → apart.
    for name in ("石桥镇", "石桥镇人民政府"):
        findings = q1[name].components[2]
        assert (findings.numerator, findings.points, q1[name].total) == (1, 15.0, 95.0), name
        assert q1[name].rank == 1
    for name in ("河口镇人民政府", "县教育局", "河口镇"):
        assert (q1[name].components[2].numerator, q1[name].rank) == (0, 0), name
    # Q2 (judged 10 April): the finding (31 March) is of Q1 → 0; the task is worked on in Q2
    # and counts for 石桥镇 (its school's township) but not for 石桥镇人民政府 (not named by it)
    q2 = _scores(site, "2026Q2")
    assert q2["石桥镇"].components[2].numerator == 0 and q2["石桥镇"].items == 1
    assert q2["石桥镇人民政府"].items == 0 and q2["石桥镇人民政府"].rank == 0


def test_the_page_and_workbook_name_units_without_work_apart(client, site):
    _finding_led_by_the_school(site)
    client.force_login(site["users"]["admin"])
    county, year = site["county"].pk, site["year"].label
    page = client.get(reverse("appraisal", args=[county, year]) + "?period=2026Q1")
    text = page.content.decode()
    units = text[text.index("单位排名（成员单位、乡镇）") : text.index("乡镇（学区）排名")]
    # ranked: 石桥镇人民政府 95 alone; apart: 县教育局, 县财政局 (no task, no finding in Q1)
    ranked, apart = units.split("本期无考核事项，不参与排名")
    assert "第 1 名" in ranked and "石桥镇人民政府" in ranked and "95.00 分" in ranked
    assert "县教育局" not in ranked and "100.00 分" not in ranked
    assert "县教育局" in apart and "县财政局" in apart
    assert "第 " not in apart and 'class="score"' not in apart
    book = openpyxl.load_workbook(
        io.BytesIO(
            client.get(reverse("appraisal_xlsx", args=[county, year]) + "?period=2026Q1").content
        )
    )
    rows = list(book["单位排名"].iter_rows(values_only=True))[3:]
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (1, "石桥镇人民政府", 95.0),
        ("本期无考核事项，不参与排名", "县教育局", 100.0),
        ("本期无考核事项，不参与排名", "县财政局", 100.0),
    ]
    towns = list(book["乡镇排名"].iter_rows(values_only=True))[3:]
    assert [(r[0], r[1]) for r in towns] == [
        (1, "石桥镇"),
        ("本期无考核事项，不参与排名", "河口镇"),
    ]


def _tabs(page: str) -> list[str]:
    nav = page[page.index('aria-label="考核与会议"') :]
    return re.findall(r">([^<>]+)</a>", nav[: nav.index("</nav>")])


@pytest.mark.parametrize("role", ["leader", "admin"])
def test_the_decisions_page_has_the_sections_tabs(client, site, role):
    client.force_login(site["users"][role])
    county = site["county"].pk
    page = client.get(reverse("appraisal_decisions", args=[county])).content.decode()
    assert _tabs(page) == ["考核排名", "表彰与问责", "会议"]
    ledger_url = reverse("rectification", args=[county, "2026"])
    assert f'<nav class="crumbs"><a href="{ledger_url}">示范县 · 2026 整改台账</a></nav>' in page
    assert f'href="{reverse("appraisal", args=[county, "2026"])}"' in page
    assert f'href="{reverse("appraisal_meetings", args=[county, "2026"])}"' in page
    here = reverse("appraisal_decisions", args=[county])
    assert f'<a href="{here}?year=2026" aria-current="page">表彰与问责</a>' in page
    if role == "leader":  # a reader with no decisions: the sentence stays, with the tabs
        assert "还没有表彰或问责决定。" in page and "登记决定" not in page


def test_the_decisions_page_keeps_the_year_it_was_opened_from(client, site):
    SchoolYear.objects.create(label="2025")
    client.force_login(site["users"]["leader"])
    county = site["county"].pk
    # from the 2025 meetings page, the tab carries 2025 and the page leads back to 2025
    meetings = client.get(reverse("appraisal_meetings", args=[county, "2025"])).content.decode()
    assert f'href="/appraisal/counties/{county}/decisions/?year=2025"' in meetings
    page = client.get(reverse("appraisal_decisions", args=[county]), {"year": "2025"})
    assert f'href="{reverse("appraisal_meetings", args=[county, "2025"])}"' in page.content.decode()
    # without a year (or an unknown one) the ledger's own year, the latest: 2026
    for query in ({}, {"year": "1999"}):
        page = client.get(reverse("appraisal_decisions", args=[county]), query).content.decode()
        assert f'href="{reverse("appraisal_meetings", args=[county, "2026"])}"' in page
