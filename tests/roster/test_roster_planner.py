"""The rotation and recruitment planner against brute force on tiny counties, G11, the limits and
the Chinese explanations when no plan exists."""

from __future__ import annotations

import itertools
import math
import random
import re
from dataclasses import replace
from fractions import Fraction

import polars as pl
import pytest

from junheng.core.evaluate import evaluate
from junheng.roster.planner import (
    OPTIMAL,
    PlanError,
    apply_plan,
    default_limits,
    limits_from_mapping,
    plan_objective,
    plan_rotation,
    planner_segments,
    teacher_shortfall,
)
from junheng.roster.planner_model import pair_moves
from junheng.standards import load_standard
from tests.builders import dataset, school, segment

STANDARD = load_standard()
ITEMS = ("R1", "R2", "R3")
# The test's own reading of who counts (教督〔2017〕6号 第五条): R1 primary 专科及以上, junior
# 本科及以上; R2 backbone; R3 体育、音乐、美术.
R1_DEGREES = {
    "primary": {"postgraduate", "bachelor", "associate"},
    "junior": {"postgraduate", "bachelor"},
}


def _counts_of(teacher: dict) -> dict[str, int]:
    level = teacher["level"]
    return {
        "R1": int(teacher["degree"] in R1_DEGREES[level]),
        "R2": int(teacher["backbone"]),
        "R3": int(teacher["subject"] in {"pe", "music", "fine_art"}),
    }


def _teacher(tid, school_id, degree="bachelor", subject="other", backbone=False, eligible=True):
    return {
        "teacher_id": tid,
        "school_id": school_id,
        "level": "primary",
        "subject": subject,
        "degree": degree,
        "backbone": backbone,
        "eligible": eligible,
    }


def _frames(background: list[dict], teachers: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Segments whose counts are the background teachers (not in the roster, given as counts)
    plus the roster's."""
    rows = []
    for b in background:
        row = {
            "school_id": b["school_id"],
            "level": "primary",
            "name": f"第{b['school_id']}小学",
            "township": b.get("township"),
            "students": b["students"],
            "approved_posts": b.get("approved_posts"),
            "teachers": b["r1"] + b.get("unqualified", 0),
            "teachers_postgraduate": 0,
            "teachers_bachelor": b["r1"],
            "teachers_associate": 0,
            "teachers_below_associate": b.get("unqualified", 0),
            "backbone_teachers": b["r2"],
            "pe_teachers": b["r3"],
            "music_teachers": 0,
            "fine_art_teachers": 0,
        }
        for t in teachers:
            if t["school_id"] == b["school_id"]:
                row["teachers"] += 1
                row[f"teachers_{t['degree']}"] += 1
                row["backbone_teachers"] += int(t["backbone"])
                if t["subject"] != "other":
                    row[f"{t['subject']}_teachers"] += 1
        rows.append(row)
    return pl.DataFrame(teachers), pl.DataFrame(rows, infer_schema_length=None)


def _need(students: int, item: str) -> int:
    # ⌈threshold × students ÷ 100⌉ with the standard's own threshold, exactly.
    return math.ceil(Fraction(repr(STANDARD.items[item].threshold["primary"])) * students / 100)


def _g11() -> tuple[Fraction, Fraction]:
    checks = {c.key: c for c in STANDARD.items["G11"].checks}
    return (
        Fraction(repr(checks["rotation"].threshold.constant)),
        Fraction(repr(checks["backbone"].threshold.constant)),
    )


def brute_force(background, teachers, limits, hire_budget=0) -> float | None:
    """The least objective over every assignment of every eligible teacher (stay, or any other
    school of the pool) and every way to place up to `hire_budget` hires."""
    share, backbone_share = _g11()
    schools = [b["school_id"] for b in background]
    by_id = {b["school_id"]: b for b in background}
    base = {}
    for b in background:
        base[b["school_id"]] = {"R1": b["r1"], "R2": b["r2"], "R3": b["r3"]}
        base[b["school_id"]]["teachers"] = b["r1"] + b.get("unqualified", 0)
    for t in teachers:
        for k, v in _counts_of(t).items():
            base[t["school_id"]][k] += v
        base[t["school_id"]]["teachers"] += 1
    total_students = sum(b["students"] for b in background)
    target = {
        s: {
            k: by_id[s]["students"] * sum(base[r][k] for r in schools) / total_students
            for k in ITEMS
        }
        for s in schools
    }
    movers = [t for t in teachers if t["eligible"]]
    required = math.ceil(share * len(movers))

    def options(t):
        home = by_id[t["school_id"]].get("township")
        if limits.scope == "township":
            return [None] + [
                s
                for s in schools
                if s != t["school_id"] and home is not None and by_id[s].get("township") == home
            ]
        return [None] + [s for s in schools if s != t["school_id"]]

    slots = [(s, subj) for s in schools for subj in ("pe", "music", "fine_art", "other")]
    hire_plans = [()]
    for n in range(1, hire_budget + 1):
        hire_plans += list(itertools.combinations_with_replacement(slots, n))
    # Each subject's cap of the county (none given: only the budget).
    hire_plans = [
        plan
        for plan in hire_plans
        if all(
            sum(subject == capped for _, subject in plan) <= cap
            for capped, cap in limits.hires_by_subject.items()
        )
    ]
    best = None
    for choice in itertools.product(*(options(t) for t in movers)):
        moved = [(t, d) for t, d in zip(movers, choice, strict=True) if d is not None]
        backbone = sum(t["backbone"] for t, _ in moved)
        if limits.max_moves is not None and len(moved) > limits.max_moves:
            continue
        if len(moved) < required or backbone_share.denominator * backbone < (
            backbone_share.numerator * len(moved)
        ):
            continue
        after = {s: dict(base[s]) for s in schools}
        for t, d in moved:
            for k, v in _counts_of(t).items():
                after[t["school_id"]][k] -= v
                after[d][k] += v
            after[t["school_id"]]["teachers"] -= 1
            after[d]["teachers"] += 1
        for hires in hire_plans:
            final = {s: dict(after[s]) for s in schools}
            for s, subject in hires:
                final[s]["teachers"] += 1
                final[s]["R1"] += 1  # hires hold 本科 (planner.yaml)
                final[s]["R3"] += subject != "other"
            if any(
                by_id[s].get("approved_posts") is not None
                and final[s]["teachers"] > max(by_id[s]["approved_posts"], base[s]["teachers"])
                for s in schools
            ):
                continue
            short = sum(
                max(0, _need(by_id[s]["students"], k) - final[s][k]) for s in schools for k in ITEMS
            )
            spread = sum(abs(final[s][k] - target[s][k]) for s in schools for k in ITEMS)
            value = (
                short
                + limits.move_penalty * len(moved)
                + limits.hire_penalty * len(hires)
                + limits.spread_weight * spread
            )
            best = value if best is None else min(best, value)
    return best


# Four primary schools. Needs (4.2, 1.0, 0.9 per 100 students): 400 → R1 17 (16.8), R2 4, R3 4
# (3.6); 300 → 13 (12.6), 3, 3 (2.7); 500 → 21, 5, 5 (4.5); 200 → 9 (8.4), 2, 2 (1.8).
BACKGROUND = [
    {"school_id": "1", "students": 400, "r1": 18, "r2": 3, "r3": 4, "township": "甲镇"},
    {"school_id": "2", "students": 300, "r1": 12, "r2": 2, "r3": 3, "township": "甲镇"},
    {"school_id": "3", "students": 500, "r1": 19, "r2": 4, "r3": 4, "township": "乙镇"},
    {"school_id": "4", "students": 200, "r1": 8, "r2": 1, "r3": 1, "township": "乙镇"},
]
ROSTER = [
    _teacher("t1", "1", subject="pe", backbone=True),
    _teacher("t2", "1"),
    _teacher("t3", "1", degree="associate", subject="music"),
    _teacher("t4", "1", degree="below_associate"),
    _teacher("t5", "3", backbone=True),
    _teacher("t6", "3", subject="fine_art"),
    _teacher("t7", "2", eligible=False),
    _teacher("t8", "4", degree="postgraduate", backbone=True),
]
EXACT = replace(default_limits(), mip_gap=0.0)


def _plan(background, teachers, limits):
    roster, segments = _frames(background, teachers)
    return plan_rotation(roster, segments, STANDARD, limits), roster, segments


def _objective_of(plan, background, teachers, limits) -> float:
    """The objective of the plan's own moves and hires, counted by the test."""
    by_teacher = {t["teacher_id"]: t for t in teachers}
    schools = [b["school_id"] for b in background]
    counts = {
        s: {k: b[f"r{k[1]}"] for k in ITEMS} for s, b in zip(schools, background, strict=True)
    }
    for t in teachers:
        for k, v in _counts_of(t).items():
            counts[t["school_id"]][k] += v
    total = sum(b["students"] for b in background)
    target = {
        b["school_id"]: {
            k: b["students"] * sum(counts[s][k] for s in schools) / total for k in ITEMS
        }
        for b in background
    }
    for move in plan.moves.iter_rows(named=True):
        for k, v in _counts_of(by_teacher[move["teacher_id"]]).items():
            counts[move["from_school_id"]][k] -= v
            counts[move["to_school_id"]][k] += v
    for hire in plan.hires.iter_rows(named=True):
        counts[hire["school_id"]]["R1"] += hire["hires"]
        counts[hire["school_id"]]["R3"] += hire["hires"] * (hire["subject"] != "other")
    students = {b["school_id"]: b["students"] for b in background}
    short = sum(max(0, _need(students[s], k) - counts[s][k]) for s in schools for k in ITEMS)
    spread = sum(abs(counts[s][k] - target[s][k]) for s in schools for k in ITEMS)
    hires = int(plan.hires["hires"].sum()) if plan.hires.height else 0
    return (
        short
        + limits.move_penalty * plan.moves.height
        + limits.hire_penalty * hires
        + limits.spread_weight * spread
    )


@pytest.mark.parametrize(
    ("limits", "hire_budget", "background"),
    [
        (EXACT, 0, BACKGROUND),
        (replace(EXACT, scope="township"), 0, BACKGROUND),
        # Posts full at schools 2 and 4: they receive only as many as they send.
        (
            EXACT,
            0,
            [
                {**BACKGROUND[0]},
                {**BACKGROUND[1], "approved_posts": 13},
                {**BACKGROUND[2]},
                {**BACKGROUND[3], "approved_posts": 9},
            ],
        ),
        # The county rotates at most the one teacher G11 asks (7 eligible: ⌈0.7⌉ = 1).
        (replace(EXACT, max_moves=1), 0, BACKGROUND),
    ],
    ids=["county", "township", "posts", "one-move"],
)
def test_tiny_county_optimum_equals_brute_force(limits, hire_budget, background):
    plan, _, _ = _plan(background, ROSTER, limits)
    expected = brute_force(background, ROSTER, limits, hire_budget)
    assert plan.status == OPTIMAL and plan.gap == 0
    assert plan.objective == pytest.approx(expected, abs=1e-6)
    # The moves and hires handed back achieve that objective, by the test's count and the
    # planner's own measure of any plan.
    assert _objective_of(plan, background, ROSTER, limits) == pytest.approx(expected, abs=1e-6)
    roster, segments = _frames(background, ROSTER)
    measured = plan_objective(roster, segments, STANDARD, plan.moves, plan.hires, limits)
    assert measured == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("caps", "art_hires"),
    [({"music": 0}, 2), ({"pe": 1, "music": 0, "fine_art": 0}, 1)],
    ids=["music-capped", "one-art-hire"],
)
def test_hires_optimum_equals_brute_force(caps, art_hires):
    # Three schools, six eligible teachers, up to two hires within each case's subject caps.
    # School 2 has 1 art teacher for 3 needed (300 × 0.9 ÷ 100 = 2.7) and school 1 exactly its
    # 4 (2 + t1 + t3), so filling school 2 by moves opens a gap elsewhere: art hires close it,
    # two when PE or art may take both, one when only one PE hire is allowed.
    background = [{**BACKGROUND[0], "r3": 2}, {**BACKGROUND[1], "r3": 1}, BACKGROUND[2]]
    roster = [t for t in ROSTER if t["school_id"] in {"1", "2", "3"}]
    limits = replace(EXACT, max_hires=2, hires_by_subject=caps)
    plan, _, _ = _plan(background, roster, limits)

    assert plan.objective == pytest.approx(brute_force(background, roster, limits, 2), abs=1e-6)
    arts = plan.hires.filter(pl.col("subject") != "other")
    assert int(arts["hires"].sum()) == art_hires
    assert "music" not in plan.hires["subject"].to_list()
    assert _objective_of(plan, background, roster, limits) == pytest.approx(plan.objective)


def test_plan_meets_g11_and_never_moves_an_ineligible_teacher():
    roster = [
        _teacher(f"t{i}", str(1 + i % 4), backbone=i % 3 == 0, eligible=i % 5 != 0)
        for i in range(40)
    ]
    plan, frame, _ = _plan(BACKGROUND, roster, EXACT)
    eligible = frame.filter("eligible")
    # 32 eligible (i % 5 != 0 for 40 − 8): at least ⌈3.2⌉ = 4 move; backbone ≥ 20 % of them.
    assert eligible.height == 32 and plan.required_moves == 4
    assert plan.moves.height >= 4
    assert 5 * plan.backbone_moved >= plan.moves.height
    assert set(plan.moves["teacher_id"]) <= set(eligible["teacher_id"])
    assert plan.moves["teacher_id"].is_unique().all()
    assert (plan.moves["from_school_id"] != plan.moves["to_school_id"]).all()


@pytest.mark.parametrize(("eligible", "required"), [(10, 1), (11, 2), (20, 2), (21, 3)])
def test_required_rotation_rounds_up_at_the_line(eligible, required):
    # 10 % of 10 is exactly 1; of 11 is 1.1, so 2 teachers.
    roster = [_teacher(f"t{i}", str(1 + i % 4), backbone=True) for i in range(eligible)]
    plan, _, _ = _plan(BACKGROUND, roster, EXACT)
    assert plan.required_moves == required
    assert plan.moves.height >= required


def test_backbone_share_at_the_line():
    # Ten eligible, one of them backbone: 1 move needs ⌈0.2⌉ = 1 backbone, so the backbone
    # teacher moves; five moves would still be allowed by 5 × 1 ≥ 5, six would not.
    roster = [_teacher(f"t{i}", str(1 + i % 4), backbone=i == 0) for i in range(10)]
    plan, _, _ = _plan(BACKGROUND, roster, EXACT)
    assert "t0" in plan.moves["teacher_id"].to_list()
    assert plan.moves.height <= 5


def test_no_eligible_backbone_teacher_is_explained_in_chinese():
    roster = [_teacher(f"t{i}", str(1 + i % 4)) for i in range(10)]
    _, frame, segments = _plan(BACKGROUND, [*roster, _teacher("b", "1", backbone=True)], EXACT)
    with pytest.raises(PlanError) as error:
        plan_rotation(frame.filter(pl.col("teacher_id") != "b"), segments, STANDARD, EXACT)
    message = str(error.value)
    assert "骨干教师" in message and "20%" in message and "至少 1 人" in message
    assert not re.search(r"[A-Za-z]", message)


def test_township_without_a_second_school_is_explained():
    # Every eligible teacher in a township of one school (the others' townships differ).
    background = [{**b, "township": f"{b['school_id']}镇"} for b in BACKGROUND]
    with pytest.raises(PlanError) as error:
        _plan(background, ROSTER, replace(EXACT, scope="township"))
    assert "同一乡镇内" in str(error.value) and "其他学校" in str(error.value)


def test_full_posts_are_explained():
    # Only school 1 has eligible teachers, and every other school is at its approved posts, so
    # no teacher can be received.
    roster = [_teacher(f"t{i}", "1", backbone=i < 2) for i in range(10)]
    background = [
        BACKGROUND[0],
        *[{**b, "approved_posts": b["r1"]} for b in BACKGROUND[1:]],
    ]
    with pytest.raises(PlanError) as error:
        _plan(background, roster, EXACT)
    message = str(error.value)
    assert "核定编制" in message and "3 个学校学段" in message
    assert not re.search(r"[A-Za-z]", message)


def test_moves_and_hires_carry_chinese_reasons():
    limits = replace(EXACT, max_hires=2)
    plan, _, _ = _plan(BACKGROUND, ROSTER, limits)
    reasons = [*plan.moves["reason"].to_list(), *plan.hires["reason"].to_list()]
    assert reasons and all(reasons)
    for reason in reasons:
        assert not re.search(r"[A-Za-z]", reason), reason
    assert "最优" in plan.summary


@pytest.mark.parametrize(
    ("students", "count", "need", "short"),
    # 4.2 × 1000 ÷ 100 = 42 exactly: 42 meets, 41 is one short; 1001 → 42.042 → 43.
    [(1000, 42, 42, 0), (1000, 41, 42, 1), (1001, 42, 43, 1), (1001, 43, 43, 0)],
)
def test_teacher_shortfall_is_exact_at_the_line(students, count, need, short):
    _, segments = _frames(
        [{"school_id": "1", "students": students, "r1": count, "r2": 100, "r3": 100}], []
    )
    frame = teacher_shortfall(segments, STANDARD)
    assert frame["R1_need"].item() == need
    assert frame["R1_short"].item() == short


def test_pairing_never_returns_a_teacher_to_their_school():
    rng = random.Random(7)
    for _ in range(300):
        schools = rng.randint(2, 6)
        outs = {s: rng.randint(0, 4) for s in range(schools)}
        total = sum(outs.values())
        if not total:
            continue
        # Random in-counts with the same total, kept only when o + i ≤ total everywhere.
        ins = dict.fromkeys(range(schools), 0)
        for _ in range(total):
            ins[rng.randrange(schools)] += 1
        if any(outs[s] + ins[s] > total for s in range(schools)):
            continue
        pairs = pair_moves(
            {s: n for s, n in outs.items() if n}, {s: n for s, n in ins.items() if n}
        )
        assert all(a != b for a, b, _ in pairs)
        for s in range(schools):
            assert sum(n for a, _, n in pairs if a == s) == outs[s]
            assert sum(n for _, b, n in pairs if b == s) == ins[s]


def test_applied_plan_is_evaluated_by_the_engine():
    schools = [school(str(i), name=f"第{i}小学", township="甲镇") for i in range(1, 4)]
    # 500 students: R3 needs 4.5 → 5 art teachers; school 3 has 3 (10 pe at 1 and 2).
    segments = [
        segment("1", pe_teachers=10),
        segment("2", pe_teachers=10),
        segment("3", pe_teachers=3),
    ]
    data = dataset(schools, segments)
    frame = planner_segments(data)
    roster = pl.DataFrame(
        [
            {
                **_teacher(f"p{i}", str(1 + i % 2), subject="pe", backbone=i == 9),
                "years_at_school": i,
            }
            for i in range(10)
        ]
    )
    plan = plan_rotation(roster, frame, STANDARD, EXACT)
    # 10 eligible → at least 1 move; two pe teachers fill school 3's gap of 2.
    assert plan.shortfall_before == 2 and plan.shortfall_after == 0
    assert plan.moves["to_school_id"].to_list() == ["3", "3"]
    after = apply_plan(data, plan)
    before_r3 = evaluate(data, STANDARD).segments.filter(pl.col("school_id") == "3")["R3"].item()
    after_r3 = evaluate(after, STANDARD).segments.filter(pl.col("school_id") == "3")["R3"].item()
    # 3 ÷ 500 × 100 = 0.6 → 5 ÷ 500 × 100 = 1.0.
    assert before_r3 == pytest.approx(0.6) and after_r3 == pytest.approx(1.0)
    assert after.segments["pe_teachers"].sum() == data.segments["pe_teachers"].sum()
    # Two moves need a backbone teacher (5 × 1 ≥ 2): p9. The other is the longest at its
    # school among the non-backbone pe teachers: p8 (school 1) or p7 (school 2).
    moved = set(plan.moves["teacher_id"])
    assert "p9" in moved and moved - {"p9"} <= {"p8", "p7"}
    # Both fill school 3's R3 (3 ÷ 500 × 100 = 0.60 against 0.9); their schools keep 9 of the
    # 5 PE teachers they need.
    assert set(plan.moves["reason"]) == {
        "调入学校“每百名学生拥有体育、艺术（美术、音乐）专任教师数”为 0.60，低于标准 0.9，"
        "调入可缩小缺口；调出学校调出后相关指标仍达标"
    }
    assert set(plan.moves["to_school"]) == {"第3小学"}


def test_limits_file_is_read_strictly():
    with pytest.raises(PlanError, match="未知的字段“budget”"):
        limits_from_mapping({"budget": 3})
    assert default_limits().scope == "county" and default_limits().max_hires == 0


def test_a_county_share_above_the_standard_raises_the_required_moves():
    plan, _, _ = _plan(BACKGROUND, ROSTER, replace(EXACT, rotation_share=0.3))
    # 7 eligible × 30 % = 2.1 → 3.
    assert plan.required_moves == 3 and plan.moves.height >= 3


def _one_gap_county(approved_posts):
    # School 2 (300 students) has 1 art teacher for ⌈2.7⌉ = 3; the others meet everything and
    # their eligible teachers are not art teachers, so only hires close that gap.
    background = [
        {**BACKGROUND[0], "r2": 5, "r3": 4},
        {**BACKGROUND[1], "r1": 13, "r2": 3, "r3": 1, "approved_posts": approved_posts},
        {**BACKGROUND[2], "r1": 21, "r2": 5, "r3": 5},
    ]
    roster = [
        _teacher("a", "1", backbone=True),
        _teacher("b", "3"),
        _teacher("c", "3"),
    ]
    return background, roster


@pytest.mark.parametrize(("cap", "hired"), [(1, 1), (2, 2), (3, 2)])
def test_hires_stop_at_the_subject_cap(cap, hired):
    # Two art teachers short at school 2; PE is the only subject allowed, up to `cap`.
    background, roster = _one_gap_county(None)
    caps = {"pe": cap, "music": 0, "fine_art": 0, "other": 0}
    plan, _, _ = _plan(background, roster, replace(EXACT, max_hires=5, hires_by_subject=caps))
    assert plan.hires["subject"].to_list() == ["pe"]
    assert plan.hires["hires"].sum() == hired
    assert plan.hires["subject_name"].to_list() == ["体育"]


@pytest.mark.parametrize(("room", "hired"), [(0, 0), (1, 1), (2, 2)])
def test_hires_stop_at_the_approved_posts(room, hired):
    # School 2 has 13 teachers (all 本科, none in the roster); approved posts 13 + room.
    background, roster = _one_gap_county(13 + room)
    plan, _, _ = _plan(background, roster, replace(EXACT, max_hires=5))
    assert (plan.hires["hires"].sum() if plan.hires.height else 0) == hired


def test_a_county_without_eligible_teachers_only_hires():
    background, roster = _one_gap_county(None)
    roster = [{**t, "eligible": False} for t in roster]
    plan, _, _ = _plan(background, roster, replace(EXACT, max_hires=1))
    assert plan.eligible == 0 and plan.required_moves == 0
    assert plan.moves.height == 0 and plan.hires["hires"].sum() == 1
    assert plan.shortfall_before == 2 and plan.shortfall_after == 1


def test_a_forced_move_says_what_the_sending_school_loses():
    # The only eligible teacher (本科, backbone, PE) makes school 1 meet R2 (3 + 1 = 4 of 4) and
    # R3 (3 + 1 = 4 of ⌈3.6⌉ = 4); G11 sends them to school 2, short of R1 (12 ÷ 300 × 100 =
    # 4.00 against 4.2) and R2 (2 ÷ 300 × 100 = 0.67 against 1).
    background = [{**BACKGROUND[0], "r3": 3}, BACKGROUND[1]]
    roster = [_teacher("t", "1", subject="pe", backbone=True)]
    plan, _, _ = _plan(background, roster, EXACT)
    assert plan.moves["reason"].to_list() == [
        "调入学校“每百名学生拥有高于规定学历教师数”为 4.00，低于标准 4.2；"
        "“每百名学生拥有县级以上骨干教师数”为 0.67，低于标准 1，调入可缩小缺口；"
        "调出学校调出后“每百名学生拥有县级以上骨干教师数”"
        "“每百名学生拥有体育、艺术（美术、音乐）专任教师数”将低于标准"
    ]


def test_limits_out_of_range_are_refused_in_chinese():
    bad = replace(EXACT, scope="district", max_hires=-1, hires_by_subject={"dance": 1})
    with pytest.raises(PlanError) as error:
        plan_rotation(*_frames(BACKGROUND, ROSTER), STANDARD, bad)
    message = str(error.value)
    assert "全县范围内或同一乡镇内" in message and "招聘总数" in message and "体育" in message
    assert not re.search(r"[A-Za-z]", message)


def test_a_move_cap_below_g11_is_explained_and_a_cap_is_kept():
    # 7 eligible teachers in ROSTER: ⌈10 % × 7⌉ = 1 must move, so a cap of 0 cannot be met.
    with pytest.raises(PlanError, match="至少应交流 1 人，多于设定的交流人数上限 0 人"):
        _plan(BACKGROUND, ROSTER, replace(EXACT, max_moves=0))
    unlimited, _, _ = _plan(BACKGROUND, ROSTER, EXACT)
    capped, _, _ = _plan(BACKGROUND, ROSTER, replace(EXACT, max_moves=1))
    assert unlimited.moves.height >= 1 and capped.moves.height == 1
    with pytest.raises(PlanError, match="交流人数上限应为不小于 0 的整数"):
        _plan(BACKGROUND, ROSTER, replace(EXACT, max_moves=-1))
