"""Finance problems through the web ledger: the demo county's 2024 land-revenue shortfall
becomes a problem from its snapshot, and the problem's closure excerpt reads the same check."""

from __future__ import annotations

import pytest

from junheng.web.rectification import reports
from junheng.web.rectification.models import Problem

pytestmark = pytest.mark.django_db


def test_the_land_revenue_shortfall_is_a_problem_with_its_excerpt(land_revenue):
    county = land_revenue["county"]
    excerpt = reports.closure_excerpt(land_revenue["snapshot"], land_revenue["problem"])
    assert excerpt is not None
    # 2024: land revenue 356,500,000.00 yuan; 10 % of it is 35,650,000.00, and 9.2 % of it,
    # 32,798,000.00, went to education: 2,852,000.00 short.
    assert excerpt["what"].startswith("2024年")
    assert excerpt["value"] == "32,798,000.00 元"
    assert excerpt["threshold"] == "≥ 35,650,000.00 元"
    assert excerpt["passes"] is False
    assert "2,852,000.00" in excerpt["reason"]
    # The other years gave 10 % exactly: no problem for them.
    assert not Problem.objects.filter(county=county, key="FIN/land_revenue/2023").exists()
    # The urban surcharge of 2024 was 1,250,000.00 short of what was collected.
    assert Problem.objects.filter(county=county, key="FIN/urban_surcharge/2024").exists()
