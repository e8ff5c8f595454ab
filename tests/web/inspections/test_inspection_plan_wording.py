"""计划督导's selects start with 请选择, as the site's other forms, not Django's "---------"; the
choice is still required and refused with a Chinese message."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _first_option(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    return re.search(r"<option[^>]*>[^<]*</option>", select).group(0)


@pytest.mark.parametrize(
    ("who", "selects"), [("admin", ["school", "inspector"]), ("duxue", ["school"])]
)
def test_the_plan_forms_selects_say_please_choose(client, site, who, selects):
    client.force_login(site["users"][who])
    page = client.get(reverse("inspections_plan")).content.decode()
    assert "---------" not in page
    for name in selects:
        assert _first_option(page, name) == '<option value="" selected>请选择</option>'
    # a 责任督学 plans their own visits: no select of 督学 at all
    assert ('name="inspector"' in page) == ("inspector" in selects)
    response = client.post(reverse("inspections_plan"), {"planned_on": "2026-12-08"})
    assert "请选择学校" in response.content.decode()
