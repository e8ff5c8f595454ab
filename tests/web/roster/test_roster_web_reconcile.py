"""名册与填报人数核对: the demo roster agrees with the demo segments everywhere; a roster with
hand-made changes shows exactly those differences by school, level and column; G9, G11 and
G12 from the roster beside the county's reported facts."""

from __future__ import annotations

import polars as pl
import pytest
from django.urls import reverse

from junheng.intake.roster import write_roster_xlsx
from junheng.roster.aggregate import TEACHER_COLUMNS
from junheng.web.roster import services

pytestmark = pytest.mark.django_db

SCHOOL = "2152010001"
"""城关第一小学, a primary school of the demo county (no junior segment)."""


def _page(client, user, county, year) -> str:
    client.force_login(user)
    response = client.get(reverse("roster:reconcile", args=[county.pk, year.label]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_demo_roster_agrees_with_the_demo_segments(client, users, loaded, demo_roster_file):
    county, year = loaded
    path, _ = demo_roster_file
    assert services.import_roster(county, year, path, None, path.name).record is not None
    result = services.reconciliation(county, year)
    assert result.differences.is_empty()
    text = _page(client, users["leader"], county, year)
    assert "<strong>全部一致</strong>" in text
    # The demo's notes: 符合交流条件教师442人，交流轮岗53人，其中骨干教师9人.
    # 53 / 442 = 0.11991 → 12.0 % against the reported 12 %: (0.11991 − 0.12) × 100 = −0.01 points
    # 9 / 53 = 0.16981 → 17.0 % against the reported 17 %, short of 20 %: −0.02 points
    assert "53 / 442" in text and "12.0%" in text and "-0.01 个百分点" in text
    assert "9 / 53" in text and "17.0%" in text and "-0.02 个百分点" in text
    rates = {r["fact"]: r for r in result.rates.iter_rows(named=True)}
    assert rates["rotation_backbone_share"]["met"] is False
    assert rates["rotation_rate"]["met"] is True
    assert rates["rotation_rate"]["reported"] == pytest.approx(0.12)


def test_hand_made_changes_are_the_only_differences(
    client, users, loaded, demo, demo_roster_file, tmp_path, make_teacher
):
    county, year = loaded
    _, roster = demo_roster_file
    teachers = roster.teachers
    plain = teachers.filter(
        (pl.col("school_id") == SCHOOL)
        & (pl.col("status") == "in_post")
        & (pl.col("degree") == "bachelor")
        & (pl.col("backbone") == "none")
        & pl.col("subject").is_in(["语文", "数学"])
    ).get_column("teacher_id")
    on_leave, promoted = plain[0], plain[1]
    changed = teachers.with_columns(
        pl.when(pl.col("teacher_id") == on_leave)
        .then(pl.lit("sick_leave"))
        .otherwise(pl.col("status"))
        .alias("status"),
        pl.when(pl.col("teacher_id") == promoted)
        .then(pl.lit("postgraduate"))
        .otherwise(pl.col("degree"))
        .alias("degree"),
    )
    extra = make_teacher(SCHOOL, "NEW1", levels="junior", level="junior", subject="数学")
    changed = pl.concat([changed, pl.DataFrame([extra], schema=changed.schema)])
    path = write_roster_xlsx(tmp_path / "名册.xlsx", changed, roster.rotations, full_ids=True)
    assert services.import_roster(county, year, path, None, path.name).record is not None

    reported = demo.segments.filter(
        (pl.col("school_id") == SCHOOL) & (pl.col("level") == "primary")
    ).row(0, named=True)
    rows = services.reconciliation(county, year).differences.select(
        "school_id", "level", "column", "reported", "roster", "difference"
    )
    # One teacher on sick leave no longer counts: 专任教师 and 本科 one fewer; one 本科 teacher
    # became 研究生: 本科 one fewer again, 研究生 one more. The junior teacher of a primary school
    # is a segment the school did not report: every column listed with reported null, the
    # roster's count (1 in 专任教师 and 本科, else 0) as the difference.
    p, b, n = (
        reported["teachers_postgraduate"],
        reported["teachers_bachelor"],
        reported["teachers"],
    )
    junior = [
        (SCHOOL, "junior", c, None, 1 if c in ("teachers", "teachers_bachelor") else 0)
        for c in TEACHER_COLUMNS
    ]
    assert rows.rows() == [
        *((*row, row[-1]) for row in junior),
        (SCHOOL, "primary", "teachers", n, n - 1, -1),
        (SCHOOL, "primary", "teachers_postgraduate", p, p + 1, 1),
        (SCHOOL, "primary", "teachers_bachelor", b, b - 2, -2),
    ]
    text = _page(client, users["admin"], county, year)
    assert "城关第一小学" in text and "未填报" in text
    assert "<strong>2 个学段</strong>有差异，涉及 1 所学校" in text
    assert f'<td data-label="填报" class="num">{b}</td>' in text
    assert '<td data-label="相差" class="num">-2</td>' in text
    # the unreported segment's columns without a teacher are left off the page
    assert text.count('<td data-label="填报" class="num">未填报</td>') == 2


def test_without_a_roster_the_page_says_so(client, users, loaded):
    county, year = loaded
    assert "还没有导入教师名册" in _page(client, users["inspector"], county, year)
