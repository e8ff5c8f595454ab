"""考核排名 and a meeting in Chromium, at 1366×768 and on a 360-px phone: the county admin opens
the first quarter's ranking with a score's explanation, records a 推进会 with two decisions
through the form and turns the first into a ledger task; the pages never scroll sideways.

The site's clock is fixed at 10:00 on 10 April 2026 in Beijing (the live server runs in this
process), so the quarter and every date the pages show are the same whenever the test runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from junheng.web.accounts.models import Profile, Role
from junheng.web.appraisal.models import Meeting
from junheng.web.rectification import services as ledger
from junheng.web.rectification.models import ProblemSource, Task, Unit, UnitKind
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from tests.browser.browsing import OVERFLOW, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-均衡-2026"


@pytest.fixture
def clock(monkeypatch):
    state = {"now": dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def set_now(instant: dt.datetime) -> None:
        state["now"] = instant

    return set_now


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


@pytest.fixture
def county(django_user_model, clock, settings, tmp_path):
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    city = City.objects.create(province=Province.objects.create(name="示范省"), name="示范市")
    county = County.objects.create(city=city, name="示范县", code="500101")
    year = SchoolYear.objects.create(label="2026")
    for code, name, town in (
        ("3150000001", "石桥镇中心小学", "石桥镇"),
        ("3150000002", "河口镇初级中学", "河口镇"),
        ("3150000003", "城关第一小学", "城关镇"),
    ):
        School.objects.create(school_id=code, name=name, county=county, kind="小学", township=town)
    units = {
        name: Unit.objects.create(county=county, kind=kind, name=name, township=town, order=i)
        for i, (name, kind, town) in enumerate(
            (
                ("县教育局", UnitKind.DEPARTMENT, ""),
                ("县财政局", UnitKind.DEPARTMENT, ""),
                ("县自然资源和规划局", UnitKind.DEPARTMENT, ""),
                ("石桥镇人民政府", UnitKind.TOWN, "石桥镇"),
            )
        )
    }
    admin = django_user_model.objects.create_user(
        "cadmin", password=PASSWORD, first_name="县管理员"
    )
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    problem = ledger.add_problem(
        county,
        year,
        source=ProblemSource.SELF_CHECK,
        title="石桥镇中心小学功能室不足",
        description="",
        found_on=dt.date(2026, 1, 5),
        found_by="",
        item="",
        school_name="石桥镇中心小学",
        school_id="3150000001",
        user=admin,
    )
    t1 = ledger.save_task(
        problem, _fields(units["县教育局"], dt.date(2026, 3, 20), [units["县财政局"]]), admin
    )
    t2 = ledger.save_task(problem, _fields(units["石桥镇人民政府"], dt.date(2026, 3, 31)), admin)
    ledger.save_task(problem, _fields(units["县自然资源和规划局"], dt.date(2026, 2, 28)), admin)
    clock(dt.datetime(2026, 3, 25, 2, 0, tzinfo=dt.UTC))
    for target in ("进行中", "待验收"):
        t1 = ledger.step(t1, target, admin)
    ledger.step(t1, "已销号", admin, approve=True)
    clock(dt.datetime(2026, 3, 31, 2, 0, tzinfo=dt.UTC))
    finding = ledger.add_problem(
        county,
        year,
        source=ProblemSource.INSPECTION,
        title="河口镇初级中学实验室器材不足",
        description="",
        found_on=dt.date(2026, 3, 31),
        found_by="县督导室",
        item="R6",
        school_name="河口镇初级中学",
        school_id="3150000002",
        user=admin,
    )
    ledger.save_task(finding, _fields(units["县教育局"], dt.date(2026, 6, 30)), admin)
    ledger.add_progress(t2, admin, "已完成设计", [])
    clock(dt.datetime(2026, 4, 10, 2, 0, tzinfo=dt.UTC))
    return {"county": county, "year": year}


def _no_sideways(page: Page) -> None:
    assert page.evaluate(OVERFLOW) <= 0


def test_ranking_and_meeting_at_1366_and_360(page: Page, phone: Page, live_server, county):
    base = live_server.url
    c, year = county["county"], county["year"]
    ranking = f"{base}/counties/{c.pk}/{year.label}/appraisal/?period=2026Q1"
    login(page, base, "cadmin", PASSWORD)
    page.goto(ranking)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "示范县 · 2026年第一季度整改工作考核排名"
    )
    page.locator(".ranking details summary").first.click()
    expect(
        page.get_by_text("整改销号率：已销号 1/本期到期任务 1（100.0%），得 40/40 分").first
    ).to_be_visible()
    _no_sideways(page)
    screenshot(page, "appraisal-ranking-1366")

    login(phone, base, "cadmin", PASSWORD)
    phone.goto(ranking)
    phone.locator(".ranking details summary").nth(2).click()
    _no_sideways(phone)
    screenshot(phone, "appraisal-ranking-360")
    # 表彰与问责 has the section's three tabs and leads back to the ledger, like its neighbours
    for viewer, size in ((phone, "360"), (page, "1366")):
        viewer.goto(f"{base}/appraisal/counties/{c.pk}/decisions/")
        expect(viewer.get_by_role("heading", level=1)).to_have_text("示范县 · 表彰与问责")
        expect(viewer.locator(".rect-tabs a")).to_have_text(["考核排名", "表彰与问责", "会议"])
        expect(viewer.locator(".crumbs a")).to_have_text("示范县 · 2026 整改台账")
        _no_sideways(viewer)
        screenshot(viewer, f"appraisal-decisions-{size}")

    # the ledger's bulletin carries the current quarter's ranking
    page.goto(f"{base}/counties/{c.pk}/{year.label}/rectification/bulletin/")
    section = page.locator(".bulletin-ranking")
    expect(section.get_by_role("heading", level=2)).to_have_text("2026年第二季度考核排名")
    # Q2 on 10 April: 县财政局 (its one task closed in Q1) and 县自然资源和规划局 (its task of
    # 28 February still open: overdue, so it stays ranked) — only the first has nothing to appraise
    expect(section.locator("p.apart")).to_contain_text("本期无考核事项，不参与排名：")
    expect(section.locator("p.apart")).to_contain_text("县财政局")
    expect(section.locator("p.apart")).not_to_contain_text("县自然资源和规划局")
    section.scroll_into_view_if_needed()
    _no_sideways(page)
    screenshot(page, "appraisal-bulletin-1366")

    # a 推进会 recorded through the form, its first decision turned into a task
    page.goto(f"{base}/counties/{c.pk}/{year.label}/meetings/")
    page.get_by_label("会议类型").select_option(label="推进会")
    page.get_by_label("会议日期").fill("2026-04-08")
    page.get_by_label("会议名称").fill("优质均衡创建第一季度推进会")
    page.get_by_label("县教育局").check()
    page.get_by_label("石桥镇人民政府").check()
    page.get_by_label("其他参会人员").fill("分管副县长、各学区校长")
    page.get_by_label("会议纪要").fill("通报第一季度考核排名和整改进展，部署第二季度工作。")
    page.get_by_label("会议决定事项").fill(
        "1. 石桥镇中心小学6月底前改建音乐教室\n2. 河口镇初级中学补齐实验室器材"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="登记").click()
    meeting = Meeting.objects.get()
    page.locator("details.decision-task summary").first.click()
    first = meeting.decisions.get(order=1)
    page.locator(f"#id_d{first.pk}-lead_unit").select_option(label="县教育局")
    page.locator(f"#id_d{first.pk}-deadline").fill("2026-06-30")
    with page.expect_navigation():
        page.get_by_role("button", name="转为整改任务").first.click()
    expect(page.get_by_text("决定事项第 1 项已转为整改台账的问题和任务。")).to_be_visible()
    assert Task.objects.filter(problem__source=ProblemSource.MEETING).count() == 1
    expect(page.locator(".badge", has_text="未开始")).to_have_count(1)
    _no_sideways(page)
    screenshot(page, "appraisal-meeting-1366")

    phone.goto(f"{base}/meetings/{meeting.pk}/")
    phone.locator("details.decision-task summary").first.click()
    _no_sideways(phone)
    screenshot(phone, "appraisal-meeting-360")
