"""A 责任督学 records a visit on a 360-px phone in Chromium: opens their planned visit from the
督导检查 list, marks the checklist (one item 不符合 with a note), saves the record, registers a
finding with a photo and turns it into a problem of the ledger; the county admin reads the month's
summary at 1366 px. No page scrolls sideways; screenshots of each step."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from junheng.inspections import kinds
from junheng.web.accounts.models import Profile, Role
from junheng.web.inspections.models import Finding, Photo, Visit
from junheng.web.rectification.models import Problem, ProblemSource
from junheng.web.registry.models import City, County, Province, School, SchoolYear
from tests.browser.browsing import OVERFLOW, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pw-均衡-2026"
MORNING = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)  # 09:30 on 7 December in Beijing


@pytest.fixture
def morning(monkeypatch):
    real = timezone.now
    offset = MORNING - real()
    monkeypatch.setattr(timezone, "now", lambda: real() + offset)


@pytest.fixture
def visit(django_user_model, settings, tmp_path, morning):
    settings.JUNHENG_EVIDENCE_DIR = str(tmp_path / "evidence")
    city = City.objects.create(province=Province.objects.create(name="示范省"), name="示范市")
    county = County.objects.create(city=city, name="示范县")
    SchoolYear.objects.create(label="2026")
    school = School.objects.create(
        school_id="2152100001",
        name="石桥镇中心小学",
        county=county,
        kind="primary",
        township="石桥镇",
    )
    duxue = django_user_model.objects.create_user("duxue", password=PASSWORD, first_name="王督学")
    Profile.objects.create(user=duxue, role=Role.SCHOOL_INSPECTOR, county=county)
    duxue.profile.supervised_schools.add(school)
    admin = django_user_model.objects.create_user(
        "cadmin", password=PASSWORD, first_name="县管理员"
    )
    Profile.objects.create(user=admin, role=Role.COUNTY_ADMIN, county=county)
    return Visit.objects.create(
        inspector=duxue, school=school, planned_on=dt.date(2026, 12, 7), kind=kinds.ROUTINE
    )


def _photo(tmp_path) -> str:
    path = tmp_path / "音乐教室.jpg"
    image = Image.new("RGB", (640, 480), (180, 140, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _no_sideways(page: Page) -> None:
    assert page.evaluate(OVERFLOW) <= 0


def test_a_duxue_records_a_visit_on_a_phone(phone: Page, page: Page, live_server, visit, tmp_path):
    base = live_server.url
    login(phone, base, "duxue", PASSWORD)
    phone.goto(f"{base}/inspections/")
    expect(phone.get_by_role("heading", name="我的督导")).to_be_visible()
    expect(phone.locator(".badge", has_text="今日")).to_be_visible()
    screenshot(phone, "inspection-phone-1-list")
    _no_sideways(phone)

    phone.get_by_role("link", name="石桥镇中心小学").click()
    expect(phone.get_by_role("heading", name="现场记录")).to_be_visible()
    expect(phone.get_by_label("检查日期")).to_have_value("2026-12-07")
    phone.get_by_label("访谈人员").fill("校长李某、教务主任、四年级学生 5 名")
    classes = phone.locator("fieldset", has_text="G5 随机抽查班级点名")
    classes.get_by_text("不符合").click()
    classes.get_by_placeholder("说明（选填）").fill("四(2)班 52 人，超过 45 人")
    phone.locator("fieldset", has_text="R4 普通教室").get_by_text("符合", exact=True).click()
    screenshot(phone, "inspection-phone-2-checklist")
    _no_sideways(phone)
    phone.get_by_role("button", name="保存检查记录").click()
    expect(phone.locator(".message.success")).to_have_text("已保存检查记录。")
    visit.refresh_from_db()
    assert visit.status == kinds.DONE and visit.visited_on == dt.date(2026, 12, 7)
    answers = {a.key: a.result for a in visit.answers.all()}
    assert answers["G5-classes"] == kinds.NOT_MET and answers["R4-rooms"] == kinds.MET

    phone.get_by_label("发现的问题").fill("音乐专用教室被占作仓库")
    phone.get_by_label("对应指标").select_option("G3")
    phone.get_by_label("具体情况").fill("三楼音乐教室堆放课桌椅，音乐课在普通教室上")
    phone.locator("#id_photos").set_input_files(_photo(tmp_path))
    screenshot(phone, "inspection-phone-3-finding")
    phone.get_by_role("button", name="登记问题").click()
    expect(phone.locator(".message.success")).to_have_text("已登记发现的问题。")
    photo = Photo.objects.get()
    assert photo.kind == "jpeg" and photo.name == "音乐教室.jpg"
    expect(phone.locator(".insp-photos img")).to_have_count(1)
    # the thumbnail is the stored photo, served to the 督学 (once loaded: the page may be shown
    # before the image has arrived, when its width is still 0)
    thumbnail = phone.locator(".insp-photos img")
    phone.wait_for_function("img => img.complete", arg=thumbnail.element_handle())
    assert thumbnail.evaluate("img => img.naturalWidth") == 640

    phone.get_by_role("button", name="转为整改问题").click()
    expect(phone.locator(".message.success")).to_contain_text("已登记到整改台账")
    problem = Problem.objects.get()
    assert problem.source == ProblemSource.INSPECTION and problem.title == "音乐专用教室被占作仓库"
    assert Finding.objects.get().problem == problem
    expect(phone.get_by_role("button", name="转为整改问题")).to_have_count(0)
    screenshot(phone, "inspection-phone-4-done")
    _no_sideways(phone)

    login(page, base, "cadmin", PASSWORD)
    page.goto(f"{base}/counties/{visit.school.county_id}/inspections/summary/")
    expect(page.locator("#table-inspectors")).to_contain_text("王督学")
    assert "本期计划督导 1 次，完成 1 次" in page.inner_text("main")
    screenshot(page, "inspection-office-summary")
    _no_sideways(page)
    page.set_viewport_size({"width": 360, "height": 740})
    screenshot(page, "inspection-phone-5-summary")
    _no_sideways(page)
