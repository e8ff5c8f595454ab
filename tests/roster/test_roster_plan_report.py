"""The plan judged by the engine (`plan_report`): approved posts from the staffing table, the
dataset after a plan, and the figures before and after on a two-school county by hand."""

from __future__ import annotations

from dataclasses import replace

import polars as pl
import pytest

from junheng.core.evaluate import evaluate
from junheng.roster.plan_report import approved_posts, plan_figures, planned_dataset
from junheng.roster.planner import default_limits, plan_rotation, planner_segments
from junheng.standards import load_standard
from tests.builders import dataset, school, segment

STANDARD = load_standard()


def _staffing(rows: list[tuple[str, int, str, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "school_id": pl.String,
            "year": pl.Int64,
            "level": pl.String,
            "approved_posts": pl.Int64,
        },
        orient="row",
    )


def test_approved_posts_are_the_latest_up_to_the_year():
    base = dataset([school("A"), school("B")], [segment("A"), segment("B")])
    assert approved_posts(base, 2026) is None  # no staffing table
    staffing = _staffing(
        [
            ("A", 2025, "primary", 20),
            ("A", 2026, "primary", 22),
            ("A", 2027, "primary", 30),
            ("B", 2027, "primary", 15),
            ("B", 2026, "primary", None),
        ]
    )
    data = replace(base, staffing=staffing)
    # A: 2026's 22 (2027's 30 is later); B has no count up to 2026
    assert approved_posts(data, 2026).rows() == [("A", "primary", 22)]
    assert approved_posts(data, 2025).rows() == [("A", "primary", 20)]
    assert approved_posts(data, 2024) is None


def _county():
    """Two primary schools of 500 students. R2 (backbone per 100 students) needs
    ⌈1.0 × 500 ÷ 100⌉ = 5: A has 12, B has 3 (2 short). A's roster: 10 eligible teachers, two
    of them backbone. G11 asks ⌈10 % × 10⌉ = 1 move; moving A's two backbone teachers to B closes
    B's gap (A keeps 10 ≥ 5), so the plan is those two moves."""
    data = dataset(
        [school("A", name="甲小学"), school("B", name="乙小学")],
        [segment("A"), segment("B", backbone_teachers=3)],
    )
    teachers = pl.DataFrame(
        [
            {
                "teacher_id": f"t{i}",
                "school_id": "A",
                "level": "primary",
                "subject": "other",
                "degree": "bachelor",
                "backbone": i < 2,
                "eligible": True,
            }
            for i in range(10)
        ]
    )
    plan = plan_rotation(teachers, planner_segments(data), STANDARD, default_limits())
    return data, plan


def test_the_dataset_after_the_plan_and_its_figures():
    data, plan = _county()
    assert sorted(plan.moves["teacher_id"].to_list()) == ["t0", "t1"]
    assert set(plan.moves["to_school_id"].to_list()) == {"B"}
    after = planned_dataset(data, plan, "甲县")
    backbone = dict(after.segments.select("school_id", "backbone_teachers").iter_rows())
    teachers = dict(after.segments.select("school_id", "teachers").iter_rows())
    assert backbone == {"A": 10, "B": 5} and teachers == {"A": 48, "B": 52}
    facts = after.county_facts.row(0, named=True)
    # G11 of the plan: 2 moved of 10 eligible, both backbone
    assert facts["rotation_rate"] == pytest.approx(0.2)
    assert facts["rotation_backbone_share"] == pytest.approx(1.0)

    figures = plan_figures(evaluate(data, STANDARD), evaluate(after, STANDARD), "甲县")
    r2 = next(b for b in figures.balance if b.item == "R2")
    # R2 per 100 students: before 2.4 and 0.6 (mean 1.5, sd 0.9, CV 0.6); after 2.0 and 1.0
    # (mean 1.5, sd 0.5, CV 1/3), equal weights as both have 500 students
    assert r2.before == pytest.approx(0.6, abs=1e-3)
    assert r2.after == pytest.approx(1 / 3, abs=1e-3)
    below = {(b.level, b.item): (b.before, b.after) for b in figures.below}
    assert below[("primary", "R2")] == (1, 0)
    assert below[("primary", "R1")] == (0, 0)
    assert figures.schools_below_before == ["乙小学"] and figures.schools_below_after == []
    g11 = {g.key: g for g in figures.g11}
    # before: the builder's reported 12 % and 25 %; after: the plan's 20 % and 100 %
    assert (g11["rotation"].before, g11["rotation"].after) == (0.12, pytest.approx(0.2))
    assert g11["backbone"].after == pytest.approx(1.0) and g11["backbone"].passes_after
