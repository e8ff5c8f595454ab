"""The administration site in Chromium, at 1366×768 and 360 px: the index, the users with a
school user's role and school, a snapshot, a problem and the permission list all read in
Chinese (every screenshot is scanned, and these pages strictly: `browsing.STRICT_PAGES`)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from junheng.demo import DEMO_COUNTY, demo_county
from junheng.web.accounts.models import Profile, Role
from junheng.web.evaluation.models import Snapshot
from junheng.web.rectification import services as rectification
from junheng.web.rectification.models import Problem
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, School, SchoolYear
from junheng.web.services import load_dataset, run_evaluation
from tests.browser.browsing import FINDINGS, login, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-均衡-2026"


@pytest.fixture
def site():
    load_dataset(demo_county(), DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=DEMO_COUNTY)
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    User.objects.create_superuser("root", password=PASSWORD)
    school = School.objects.filter(county=county).order_by("school_id").first()
    teacher = User.objects.create_user("xiaoxue", password=PASSWORD)
    Profile.objects.create(user=teacher, role=Role.SCHOOL_USER, school=school)
    snapshot = run_evaluation(county, year, None)
    rectification.generate_problems(county, year, snapshot, None)
    problem = Problem.objects.filter(county=county, level="junior").order_by("id").first()
    return {"school": school, "teacher": teacher, "snapshot": snapshot, "problem": problem}


def test_admin_pages_read_in_chinese(page, phone, live_server, site):
    base = live_server.url
    for viewer, size in ((page, "office"), (phone, "phone")):
        login(viewer, base, "root", PASSWORD)
        viewer.goto(f"{base}/admin/")
        assert "站点管理" in viewer.title() or "系统管理" in viewer.content()
        screenshot(viewer, f"admin-site-index-{size}")

        viewer.goto(f"{base}/admin/auth/user/{site['teacher'].pk}/change/")
        # the role's school is shown by its name, chosen in a search box, not typed as an id
        inline = viewer.locator("#profile-group")
        assert site["school"].name in inline.inner_text()
        assert "已设置密码" in viewer.locator(".field-password").inner_text()
        screenshot(viewer, f"admin-site-user-{size}")

        viewer.goto(f"{base}/admin/evaluation/snapshot/{site['snapshot'].pk}/change/")
        text = viewer.locator("#content").inner_text()
        assert "县域义务教育优质均衡发展督导评估办法（国家标准）" in text
        assert "教学点处理方式：单独作为评估对象（人数不足的不纳入）" in text
        screenshot(viewer, f"admin-site-snapshot-{size}")

        viewer.goto(f"{base}/admin/rectification/problem/{site['problem'].pk}/change/")
        text = viewer.locator("#content").inner_text()
        assert "初中" in text and site["problem"].key not in text
        screenshot(viewer, f"admin-site-problem-{size}")

        viewer.goto(f"{base}/admin/auth/group/add/")
        assert (
            "可以添加学校"
            in viewer.locator("#id_permissions_from, #id_permissions").first.inner_text()
        )
        screenshot(viewer, f"admin-site-group-{size}")
    assert not [name for name in FINDINGS if name.startswith("admin-site-")]
    assert Snapshot.objects.count() == 1
