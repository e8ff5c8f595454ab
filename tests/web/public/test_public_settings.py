"""The county admin's settings page, publishing and withdrawing bulletins: who may, what is
saved, what the frozen copy holds, and the button on the ledger's bulletin page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from junheng.web.public.models import PublicBulletin, PublicPage
from junheng.web.rectification.models import Task
from tests.web.public.conftest import NAMES, PHONES

MANAGERS = ("admin", "sysadmin")
OTHERS = (
    "other_admin",
    "leader",
    "inspector",
    "school",
    "township",
    "duxue",
    "department",
    "nobody",
)
MARCH_10 = dt.datetime(2026, 3, 10, 4, 0, tzinfo=dt.UTC)  # 12:00 in Beijing


@pytest.fixture(autouse=True)
def march(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MARCH_10)


def _settings(site) -> str:
    return f"/public/counties/{site['county'].pk}/"


def _publish(site) -> str:
    return f"/counties/{site['county'].pk}/2026/public/bulletin/"


@pytest.mark.parametrize("role", MANAGERS)
def test_managers_open_and_save_the_settings(client, site, role):
    client.force_login(site["users"][role])
    response = client.get(_settings(site))
    assert response.status_code == 200
    text = response.content.decode()
    assert "http://testserver/p/qinghe/" in text
    assert "打开公开页面" in text
    response = client.post(
        _settings(site),
        {"published": "on", "show_schools": "on", "slug": "QingHe-2026", "intro": "简介"},
    )
    assert response.status_code == 302
    page = PublicPage.objects.get(county=site["county"])
    assert (page.published, page.show_schools, page.slug, page.intro) == (
        True,
        True,
        "qinghe-2026",
        "简介",
    )
    assert page.updated_by == site["users"][role]
    assert client.get("/p/qinghe-2026/").status_code == 200
    assert client.get("/p/qinghe/").status_code == 404


@pytest.mark.parametrize("role", OTHERS)
def test_everyone_else_gets_404(client, site, role):
    client.force_login(site["users"][role])
    assert client.get(_settings(site)).status_code == 404
    response = client.post(_settings(site), {"slug": "taken-over", "published": ""})
    assert response.status_code == 404
    assert PublicPage.objects.get(county=site["county"]).slug == "qinghe"
    assert client.post(_publish(site), {"period": "week"}).status_code == 404
    bulletin = PublicBulletin.objects.create(
        county=site["county"],
        year=site["year"],
        period="week",
        start=dt.date(2026, 3, 9),
        end=dt.date(2026, 3, 10),
        title="通报",
        summary="",
        published_at=MARCH_10,
    )
    withdraw = f"/public/counties/{site['county'].pk}/bulletins/{bulletin.pk}/withdraw/"
    assert client.post(withdraw).status_code == 404
    assert PublicBulletin.objects.filter(pk=bulletin.pk).exists()


def test_anonymous_visitors_are_sent_to_login(client, site):
    for response in (client.get(_settings(site)), client.post(_publish(site), {"period": "week"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert not PublicBulletin.objects.exists()


def test_unknown_county_and_other_counties_bulletin_are_404(client, site):
    client.force_login(site["users"]["admin"])
    assert client.get("/public/counties/999999/").status_code == 404
    theirs = PublicBulletin.objects.create(
        county=site["other"],
        year=site["year"],
        period="week",
        start=dt.date(2026, 3, 9),
        end=dt.date(2026, 3, 10),
        title="邻县通报",
        summary="",
        published_at=MARCH_10,
    )
    url = f"/public/counties/{site['county'].pk}/bulletins/{theirs.pk}/withdraw/"
    assert client.post(url).status_code == 404
    assert PublicBulletin.objects.filter(pk=theirs.pk).exists()


def test_a_county_without_settings_starts_unpublished_under_its_code(client, site):
    client.force_login(site["users"]["sysadmin"])
    response = client.get(f"/public/counties/{site['other'].pk}/")
    assert "http://testserver/p/431200/" in response.content.decode()
    assert "未公开" in response.content.decode()
    assert not PublicPage.objects.filter(county=site["other"]).exists()
    assert client.get("/p/431200/").status_code == 404


def test_address_checks_in_chinese(client, site):
    PublicPage.objects.create(county=site["other"], slug="linshui")
    client.force_login(site["users"]["admin"])
    for slug, message in (
        ("linshui", "这个公开地址已被其他县区使用，请换一个。"),
        ("清河", "公开地址应为 3–40 个小写字母、数字或短横线，以字母或数字开头。"),
        ("ab", "公开地址应为 3–40 个小写字母、数字或短横线，以字母或数字开头。"),
    ):
        response = client.post(_settings(site), {"published": "on", "slug": slug})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert PublicPage.objects.get(county=site["county"]).slug == "qinghe"


def test_publishing_freezes_the_bulletin_without_names(client, site):
    client.force_login(site["users"]["admin"])
    response = client.post(_publish(site), {"period": "month"})
    assert response.status_code == 302
    assert response["Location"].endswith("/rectification/bulletin/?period=month")
    bulletin = PublicBulletin.objects.get()
    # month of 10 March 2026: 1–10 March; tasks: 2, closed 1, overdue 1 (deadline 1 Feb)
    assert (bulletin.start, bulletin.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 10))
    assert bulletin.summary.startswith(
        "截至2026年03月10日，全县整改任务 2 项，已销号 1 项（50.0%）"
    )
    content = bulletin.content
    assert content["progress"] == [
        {"unit": "县教育局", "total": 2, "closed": 1, "overdue": 1, "share": "50.0%"}
    ]
    assert content["overdue"] == [
        {
            "problem": "××反映石桥中学实验室不足，电话××",
            "unit": "县教育局",
            "deadline": "2026-02-01",
        }
    ]
    stored = str(content)
    for secret in (*NAMES, *PHONES):
        assert secret not in stored
    # a later change of the ledger leaves the published copy as it was
    Task.objects.update(status="已销号")
    bulletin.refresh_from_db()
    assert bulletin.content["progress"][0]["closed"] == 1
    # publishing the same period again replaces the copy with today's numbers
    client.post(_publish(site), {"period": "month"})
    assert PublicBulletin.objects.get().content["progress"][0]["closed"] == 2
    client.post(_publish(site), {"period": "week"})
    assert PublicBulletin.objects.count() == 2
    assert client.post(_publish(site), {"period": "year"}).status_code == 404


def test_withdrawing_a_bulletin(client, site):
    client.force_login(site["users"]["admin"])
    client.post(_publish(site), {"period": "week"})
    bulletin = PublicBulletin.objects.get()
    assert bulletin.title in client.get("/p/qinghe/").content.decode()
    page = client.get(_settings(site)).content.decode()
    assert bulletin.title in page and "撤下" in page
    url = f"/public/counties/{site['county'].pk}/bulletins/{bulletin.pk}/withdraw/"
    assert client.post(url).status_code == 302
    assert not PublicBulletin.objects.exists()
    assert bulletin.title not in client.get("/p/qinghe/").content.decode()


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("leader", False)])
def test_the_ledger_bulletin_offers_publishing_to_managers(client, site, role, shown):
    client.force_login(site["users"][role])
    url = f"/counties/{site['county'].pk}/2026/rectification/bulletin/?period=month"
    html = client.get(url).content.decode()
    assert ("公开本期全县通报" in html) is shown
    assert (f'action="{_publish(site)}"' in html) is shown


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("leader", False)])
def test_the_county_page_links_the_settings(client, site, role, shown):
    client.force_login(site["users"][role])
    html = client.get(f"/counties/{site['county'].pk}/2026/").content.decode()
    assert (_settings(site) in html) is shown


@pytest.mark.parametrize(
    ("instant", "start"),
    [
        # 23:30 on 31 March in Beijing: March's bulletin
        (dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC), dt.date(2026, 3, 1)),
        # 00:30 on 1 April in Beijing (still 31 March in UTC): April's
        (dt.datetime(2026, 3, 31, 16, 30, tzinfo=dt.UTC), dt.date(2026, 4, 1)),
    ],
)
def test_the_period_published_is_beijings(client, site, monkeypatch, instant, start):
    monkeypatch.setattr(timezone, "now", lambda: instant)
    client.force_login(site["users"]["admin"])
    client.post(_publish(site), {"period": "month"})
    bulletin = PublicBulletin.objects.get()
    assert (bulletin.start, bulletin.end) == (start, timezone.localdate())
    assert bulletin.content["span"].startswith(f"{start:%Y年%m月%d日}至")


def test_a_county_without_a_code_keeps_the_same_proposed_address(client, site):
    client.force_login(site["users"]["sysadmin"])
    site["other"].code = None
    site["other"].save()
    url = f"/public/counties/{site['other'].pk}/"
    first, second = client.get(url), client.get(url)
    assert first.context["page"].slug == second.context["page"].slug
    assert len(first.context["page"].slug) == 10
    assert str(site["other"].pk) != first.context["page"].slug
