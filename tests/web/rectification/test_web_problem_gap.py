"""A problem's 差距 and title as people read them: the demo county's 2024 land-revenue shortfall
to the fen with thousands separators, and its title carrying the figure and the line."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from junheng.web.accounts.models import Role
from junheng.web.rectification.views import gap_text
from tests.web.sites import add_user

pytestmark = pytest.mark.django_db


def test_the_finance_problem_shows_its_shortfall_to_the_fen(
    client, land_revenue, django_user_model
):
    county, problem = land_revenue["county"], land_revenue["problem"]
    # 2024: 10 % of 356,500,000.00 = 35,650,000.00 required, 32,798,000.00 given.
    assert problem.title == (
        "2024年土地出让收益按10%计提教育资金未达到要求：32,798,000.00 元，应不低于 35,650,000.00 元"
    )
    admin = add_user(django_user_model, "cadmin", Role.COUNTY_ADMIN, county=county)
    client.force_login(admin)
    response = client.get(reverse("rectification_problem", args=[problem.pk]))
    assert response.status_code == 200
    text = html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))
    # 35,650,000.00 − 32,798,000.00 = 2,852,000.00
    assert "差距 土地出让收益计提教育资金少 2,852,000.00 元" in re.sub(r"\s+", " ", text)
    assert "2852000" not in text


@pytest.mark.parametrize(
    ("numbers", "text"),
    [
        # money: always to the fen, with separators, whole or not
        ({"gap": 2852000, "gap_unit": "元", "gap_what": "少"}, "少 2,852,000.00 元"),
        ({"gap": 0.01, "gap_unit": "元", "gap_what": "少"}, "少 0.01 元"),
        # rooms and teachers: whole numbers without decimals
        ({"gap": 3, "gap_unit": "间", "gap_what": "缺"}, "缺 3 间"),
        ({"gap": 1234.0, "gap_unit": "人", "gap_what": "缺"}, "缺 1,234 人"),
        # an area with a fraction keeps two decimals
        ({"gap": 1234.5, "gap_unit": "平方米", "gap_what": "缺"}, "缺 1,234.50 平方米"),
        # no gap, nothing to show
        ({"gap": None}, ""),
        ({}, ""),
    ],
)
def test_gap_text(numbers, text):
    assert gap_text(numbers) == text
