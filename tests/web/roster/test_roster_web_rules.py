"""A county chooses its eligibility rules (the national file or a province's overlay): the roster
page shows which apply with their clauses, and the same teacher is eligible under one file and
not under the other, in the reconciliation's G11 and in the planner."""

from __future__ import annotations

import pytest
from django.urls import reverse

from junheng.roster.planner_input import planner_teachers
from junheng.roster.rules import ELIGIBILITY_FILE, eligibility_files, eligibility_path
from junheng.web.roster import services
from junheng.web.roster.models import RosterRules

pytestmark = pytest.mark.django_db

SCHOOL = "2152010001"
EXAMPLE = "eligibility_example.yaml"


@pytest.fixture
def seven_years(loaded, roster_file, make_teacher):
    """One teacher at 城关第一小学 since 2019: 2026 − 2019 = 7 years at the school, past the
    national 6 years (eligible) and short of the example province's 9 (not eligible); otherwise
    eligible (established, in post, 46, 16 years of service)."""
    county, year = loaded
    path = roster_file([make_teacher(SCHOOL, "T7", joined_year=2019)])
    assert services.import_roster(county, year, path, None, path.name).record is not None
    return county, year


def _eligible(county, year) -> bool:
    teachers = planner_teachers(
        services.teachers_frame(county, year), 2026, eligibility=services.eligibility_for(county)
    )
    return teachers.row(0, named=True)["eligible"]


def _g11_pool(county, year) -> int:
    rates = services.reconciliation(county, year).rates
    return rates.filter(rates["fact"] == "rotation_rate").row(0, named=True)["denominator"]


def test_the_bundled_files_are_offered_national_first():
    files = eligibility_files()
    assert (
        next(iter(files)) == "eligibility.yaml"
        and files["eligibility.yaml"] == "交流轮岗条件（国家文件）"
    )
    assert files[EXAMPLE] == "交流轮岗条件（省级示例）"
    assert eligibility_path(None) == ELIGIBILITY_FILE
    assert eligibility_path("../settings.py") == ELIGIBILITY_FILE


def test_the_same_teacher_is_eligible_under_one_file_and_not_the_other(client, users, seven_years):
    county, year = seven_years
    client.force_login(users["admin"])
    url = reverse("roster:page", args=[county.pk, year.label])
    page = client.get(url).content.decode()
    assert "本县按“<strong>交流轮岗条件（国家文件）</strong>”判断" in page
    assert "在同一所学校任教满 6 年" in page and "多数省份的实施意见定为 6 年" in page
    assert _eligible(county, year) is True and _g11_pool(county, year) == 1

    response = client.post(
        reverse("roster:rules", args=[county.pk, year.label]), {"eligibility_file": EXAMPLE}
    )
    assert response.status_code == 302
    assert RosterRules.objects.get(county=county).eligibility_file == EXAMPLE
    page = client.get(url)
    text = page.content.decode()
    assert [str(m) for m in page.context["messages"]] == [
        "本县教师名册改按“交流轮岗条件（省级示例）”判断谁符合交流条件。"
    ]
    assert "本县按“<strong>交流轮岗条件（省级示例）</strong>”判断" in text
    assert "在同一所学校任教满 9 年" in text
    assert "示例：在同一所学校连续任教满 9 年的教师应交流轮岗。" in text
    # clauses the province does not change still come from the national file
    assert "一般不少于 3 年" in text and "交流轮岗时间一般不少于 3 年" in text
    assert _eligible(county, year) is False and _g11_pool(county, year) == 0

    client.post(
        reverse("roster:rules", args=[county.pk, year.label]),
        {"eligibility_file": "eligibility.yaml"},
    )
    assert _eligible(county, year) is True


def test_an_unknown_file_is_refused(client, users, seven_years):
    county, year = seven_years
    client.force_login(users["admin"])
    response = client.post(
        reverse("roster:rules", args=[county.pk, year.label]), {"eligibility_file": "planner.yaml"}
    )
    said = [str(m) for m in client.get(response.url).context["messages"]]
    assert said == ["请从列表中选择交流轮岗条件规则。"]
    assert not RosterRules.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin", True),
        ("sysadmin", True),
        ("leader", False),
        ("inspector", False),
        ("other_admin", False),
        ("school", False),
        ("department", False),
        ("nobody", False),
    ],
)
def test_only_administrators_choose(client, users, seven_years, role, allowed):
    county, year = seven_years
    client.force_login(users[role])
    response = client.post(
        reverse("roster:rules", args=[county.pk, year.label]), {"eligibility_file": EXAMPLE}
    )
    assert response.status_code == (302 if allowed else 404)
    assert RosterRules.objects.exists() is allowed
    page = client.get(reverse("roster:page", args=[county.pk, year.label]))
    if page.status_code == 200:
        text = page.content.decode()
        assert "交流轮岗条件" in text  # every reader sees which rules apply
        assert ('name="eligibility_file"' in text) is allowed
