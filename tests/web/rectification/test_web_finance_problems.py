"""Finance problems through the web ledger: the demo county's 2024 land-revenue shortfall
becomes a problem from its snapshot, and the problem's closure excerpt reads the same check."""

from __future__ import annotations

import pytest

from junheng.demo import demo_county
from junheng.demo_plans import with_plans
from junheng.web.rectification import reports, services
from junheng.web.rectification.models import Problem
from junheng.web.registry.management.commands.junheng_demo import (
    DEMO_CITY,
    DEMO_PROVINCE,
    DEMO_YEAR,
)
from junheng.web.registry.models import County, SchoolYear
from junheng.web.services import load_dataset, run_evaluation

pytestmark = pytest.mark.django_db


def test_the_land_revenue_shortfall_is_a_problem_with_its_excerpt():
    dataset = with_plans(demo_county(with_grades=True), int(DEMO_YEAR))
    load_dataset(dataset, DEMO_YEAR, province=DEMO_PROVINCE, city=DEMO_CITY)
    county = County.objects.get(name=dataset.schools["county"][0])
    year = SchoolYear.objects.get(label=DEMO_YEAR)
    snapshot = run_evaluation(county, year, None)
    services.generate_problems(county, year, snapshot, None)
    problem = Problem.objects.get(county=county, key="FIN/land_revenue/2024")
    excerpt = reports.closure_excerpt(snapshot, problem)
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
