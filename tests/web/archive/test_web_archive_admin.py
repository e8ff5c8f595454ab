"""The archive's administration pages read in Chinese: item labels and requirement titles, never
item ids such as the 校际差异系数's, requirement keys or storage paths."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.web.archive.models import ArchiveFile, CountyRequirement
from junheng.web.registry.models import County, SchoolYear
from tests.browser.identifiers import unexpected_identifiers
from tests.web.test_admin_wording import USERNAMES, page_text, site  # noqa: F401

pytestmark = pytest.mark.django_db


def test_archive_admin_pages_read_in_chinese(site):  # noqa: F811
    county, year = County.objects.first(), SchoolYear.objects.first()
    row = ArchiveFile.objects.create(
        county=county,
        year=year,
        item="CV",
        requirement="cv-table",
        name="差异系数.pdf",
        kind="pdf",
        size=1,
        sha256="0" * 64,
        path="00/0000",
        uploaded_by=site["root"],
    )
    own = CountyRequirement.objects.create(county=county, item="CV", title="差异系数说明")
    client = site["client"]
    urls = [
        reverse("admin:app_list", args=["archive"]),
        reverse("admin:archive_archivefile_changelist"),
        reverse("admin:archive_archivefile_change", args=[row.pk]),
        reverse("admin:archive_countyrequirement_changelist"),
        reverse("admin:archive_countyrequirement_add"),
        reverse("admin:archive_countyrequirement_change", args=[own.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        # the page's own content; the sidebar lists every app of the site
        html = response.content.decode().split('id="content-start"', 1)
        assert len(html) == 2, url
        text = page_text(html[1].split(">", 1)[1].encode())
        assert unexpected_identifiers(text, allowed=USERNAMES) == [], url
    listing = page_text(client.get(urls[1]).content)
    assert "校际差异系数" in listing
    assert "校际差异系数计算表" in listing and "00/0000" not in listing
    assert "差异系数说明" in page_text(client.get(urls[3]).content)
