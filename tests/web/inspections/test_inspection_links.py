"""How people reach 督导检查: the header's section, a line on the school page, a line on the
county page — each only for those who may open what it links."""

from __future__ import annotations

from django.urls import reverse

from junheng.web.registry.models import SchoolYear
from tests.web.sites import PASSWORD


def _login(client, site, role):
    assert client.login(username=site["users"][role].username, password=PASSWORD)


def test_the_header_links_the_section(client, site):
    for role, shown in [
        ("duxue", True),
        ("admin", True),
        ("leader", True),
        ("inspector", True),
        ("school", False),
        ("township", False),
    ]:
        _login(client, site, role)
        page = client.get(reverse("inspections_plan") if role in ("duxue", "admin") else "/")
        if page.status_code == 302:
            page = client.get(page["Location"], follow=True)
        text = page.content.decode()
        assert ('href="/inspections/"' in text) == shown, role


def test_the_school_page_links_its_visits(client, site):
    SchoolYear.objects.get_or_create(label="2026")
    one = site["schools"]["one"]
    url = reverse("school", args=[one.school_id, "2026"])
    link = f'<a href="/inspections/schools/{one.school_id}/">督导检查记录</a>'
    for role, shown in [("duxue", True), ("admin", True), ("school", False)]:
        _login(client, site, role)
        page = client.get(url)
        assert page.status_code == 200, role
        assert (link in page.content.decode()) == shown, role


def test_the_county_page_links_summary_and_assignment(client, site):
    county = site["county"]
    url = reverse("county", args=[county.pk, "2026"])
    summary = f'<a href="/counties/{county.pk}/inspections/summary/">督导检查汇总</a>'
    assign = f'<a href="/counties/{county.pk}/inspections/assign/">责任督学分配</a>'
    for role, links in [("admin", (True, True)), ("leader", (True, False))]:
        _login(client, site, role)
        text = client.get(url).content.decode()
        assert (summary in text, assign in text) == links, role
