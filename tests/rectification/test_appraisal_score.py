"""The appraisal score on a hand-computed ledger, both sides of a quarter's boundary, the
formula's weights and a county's overlay."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from junheng.rectification.appraisal import (
    FORMULA_FILE,
    AppraisalError,
    FindingRecord,
    Party,
    Period,
    TaskRecord,
    appraise,
    counts,
    load_formula,
    parse_period,
    period_of,
    periods_between,
)
from junheng.standards import read_yaml

A, B = "unit:a", "unit:b"
SHIQIAO, HEKOU = "town:石桥镇", "town:河口镇"
PARTIES = [
    Party(A, "县教育局", "unit", "成员单位"),
    Party(B, "县财政局", "unit", "成员单位"),
    Party(SHIQIAO, "石桥镇", "township", "乡镇（学区）"),
    Party(HEKOU, "河口镇", "township", "乡镇（学区）"),
]


def _task(parties, deadline, created, closed=None, reports=()):
    return TaskRecord(frozenset(parties), deadline, created, closed, tuple(reports))


TASKS = [
    # T1: due in Q1 and closed in it; reported on 20 January
    _task(
        {A, SHIQIAO}, date(2026, 2, 15), date(2026, 1, 5), date(2026, 2, 10), [date(2026, 1, 20)]
    ),
    # T2: due on Q1's last day (not overdue that day), open; reported on 31 March
    _task({A}, date(2026, 3, 31), date(2026, 1, 5), None, [date(2026, 3, 31)]),
    # T3: overdue since 2025, closed and reported on 1 April (second quarter)
    _task({A, B}, date(2025, 12, 20), date(2025, 11, 1), date(2026, 4, 1), [date(2026, 4, 1)]),
    # T4: due in Q2, created in March, never reported
    _task({B, HEKOU}, date(2026, 4, 30), date(2026, 3, 1)),
    # T5: closed on 31 December, before Q1 begins: counts in no Q1 component
    _task({B}, date(2025, 10, 1), date(2025, 9, 1), date(2025, 12, 31)),
    # T6: created on 1 April: not in Q1 at all
    _task({A}, date(2026, 6, 30), date(2026, 4, 1)),
]
FINDINGS = [
    FindingRecord(frozenset({SHIQIAO, A}), date(2026, 3, 31)),  # F1: last day of Q1
    FindingRecord(frozenset({SHIQIAO}), date(2026, 4, 1)),  # F2: first day of Q2
    FindingRecord(frozenset({HEKOU, B}), date(2026, 1, 1)),  # F3: first day of Q1
]
TODAY = date(2026, 5, 10)


def _scores(period: Period, formula=None):
    result = appraise(PARTIES, TASKS, FINDINGS, formula or load_formula(), period, TODAY)
    return result, {s.party.key: s for s in [*result.units, *result.townships]}


def test_first_quarter_hand_computed():
    result, by = _scores(parse_period("2026Q1"))
    assert result.as_of == date(2026, 3, 31)  # the quarter is over on 10 May
    # 县教育局 (T1, T2, T3; T6 created after the quarter):
    #   closure: due in Q1 = T1 (15 Feb), T2 (31 Mar) = 2; closed by 31 Mar = T1 → 40 × 1/2 = 20
    #   overdue: past due at 31 Mar and not closed before 1 Jan = T1 (15 Feb), T3 (2025-12-20)
    #            (T2's deadline is that very day: still on time) = 2; still open = T3 → 25 × 1/2
    #            = 12.5
    #   findings: F1 (31 Mar) → 20 − 5 × 1 = 15
    #   timeliness: worked on in Q1 = T1, T2, T3 = 3; reported in Q1 = T1 (20 Jan), T2 (31 Mar);
    #               T3's report is on 1 Apr → 15 × 2/3 = 10
    #   total 20 + 12.5 + 15 + 10 = 57.5
    a = by[A]
    assert [(c.numerator, c.denominator) for c in a.components] == [
        (1, 2),
        (1, 2),
        (1, None),
        (2, 3),
    ]
    assert [round(c.points, 2) for c in a.components] == [20, 12.5, 15, 10]
    assert a.total == 57.5
    assert (
        a.components[0].explanation == "整改销号率：已销号 1/本期到期任务 2（50.0%），得 20/40 分"
    )
    assert (
        a.components[2].explanation == "督导检查发现问题：发现问题 1 个，每个扣 5 分，得 15/20 分"
    )
    # 县财政局 (T3, T4, T5): nothing due in Q1 → closure full 40; past due = T3 (T5 closed on
    # 31 Dec, before the quarter) and still open → 25 × 0 = 0; F3 on 1 Jan → 15; worked on =
    # T3, T4, none reported in Q1 → 0. Total 55.
    b = by[B]
    assert [(c.numerator, c.denominator) for c in b.components] == [
        (0, 0),
        (1, 1),
        (1, None),
        (0, 2),
    ]
    assert b.total == 55
    assert b.components[0].explanation == "整改销号率：无本期到期任务，得满分 40 分"
    # 石桥镇 (T1; F1 in Q1, F2 on 1 Apr not): 40 + 25 + 15 + 15 = 95
    assert by[SHIQIAO].total == 95
    # 河口镇 (T4; F3): 40 + 25 (nothing past due) + 15 + 0 (T4 never reported) = 80
    assert by[HEKOU].total == 80
    assert [(s.rank, s.party.name) for s in result.units] == [(1, "县教育局"), (2, "县财政局")]
    assert [(s.rank, s.party.name) for s in result.townships] == [(1, "石桥镇"), (2, "河口镇")]


def test_second_quarter_takes_what_falls_on_the_first_of_april():
    result, by = _scores(parse_period("2026Q2"))
    assert result.as_of == TODAY  # the quarter runs: judged on 10 May
    # 县教育局: T1 was closed before 1 April → left out. Due in [1 Apr, 10 May]: none → 40.
    # Past due at 10 May: T2 (31 Mar, open), T3 (closed 1 Apr ≤ 10 May) = 2, open 1 → 12.5.
    # Worked on: T2, T3, T6 = 3; reported in Q2: T3 (1 Apr) = 1 → 5. No finding → 20.
    # Total 40 + 12.5 + 20 + 5 = 77.5
    a = by[A]
    assert [(c.numerator, c.denominator) for c in a.components] == [
        (0, 0),
        (1, 2),
        (0, None),
        (1, 3),
    ]
    assert a.total == 77.5
    # 石桥镇: F2 (1 Apr) counts now; T1 closed in Q1 is gone → 40 + 25 + 15 + 15 = 95
    assert by[SHIQIAO].components[2].numerator == 1


def test_a_task_due_tomorrow_is_not_due_today():
    # the same quarter judged on 14 Feb and on 15 Feb: T1 (due 15 Feb) enters closure's
    # denominator on its deadline day, and is closed (10 Feb) → 1/1
    t1 = [TASKS[0]]
    before = counts(t1, [], parse_period("2026Q1"), date(2026, 2, 14))
    on = counts(t1, [], parse_period("2026Q1"), date(2026, 2, 15))
    assert (before.due, before.closed) == (0, 0)
    assert (on.due, on.closed) == (1, 1)


def test_ties_share_a_rank():
    # every party ranked (min_items 0), so the two without records tie at the top
    formula = replace(load_formula(), min_items=0)
    same = [
        Party("unit:x", "乙单位", "unit"),
        Party("unit:y", "甲单位", "unit"),
        Party("unit:z", "丙单位", "unit"),
    ]
    # 丙单位: one task due 10 Jan, never closed nor reported: closure 0/1 → 0, overdue 1/1 → 0,
    # no finding → 20, timeliness 0/1 → 0: 20. The two others have no records: 100 each.
    tasks = [_task({"unit:z"}, date(2026, 1, 10), date(2026, 1, 1))]
    result = appraise(same, tasks, [], formula, parse_period("2026Q1"), TODAY)
    assert [(s.rank, s.party.name, s.total) for s in result.units] == [
        (1, "乙单位", 100.0),
        (1, "甲单位", 100.0),
        (3, "丙单位", 20.0),
    ]


def test_periods():
    q1 = parse_period("2026q1")
    assert (q1.start, q1.end, q1.label) == (date(2026, 1, 1), date(2026, 3, 31), "2026年第一季度")
    assert parse_period("2026Q4").end == date(2026, 12, 31)
    year = parse_period("2026")
    assert (year.start, year.end, year.label) == (date(2026, 1, 1), date(2026, 12, 31), "2026年度")
    assert period_of(date(2026, 3, 31), "quarter").code == "2026Q1"
    assert period_of(date(2026, 4, 1), "quarter").code == "2026Q2"
    assert [p.code for p in periods_between(date(2025, 11, 3), date(2026, 4, 1), "quarter")] == [
        "2026Q2",
        "2026Q1",
        "2025Q4",
    ]
    with pytest.raises(AppraisalError, match="考核周期“2026Q5”无法识别"):
        parse_period("2026Q5")


def test_weights_add_up_to_the_total_as_documented():
    formula = load_formula()
    raw = read_yaml(FORMULA_FILE)
    # the file says each component's weight and that they add up to `total` (100)
    assert formula.total == raw["total"] == 100
    assert {c.key: c.weight for c in formula.components} == {
        "closure": 40,
        "overdue": 25,
        "findings": 20,
        "timeliness": 15,
    }
    assert formula.weight_sum == 100
    assert all(c.source.startswith("县域创建方案通行做法") for c in formula.components)


def _county_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "county.yaml"
    path.write_text(f"extends: appraisal.yaml\n{body}", encoding="utf-8")
    return path


def test_county_overlay_changes_a_weight(tmp_path):
    # one weight changed alone breaks the total: refused, naming the file and the sum
    alone = _county_file(tmp_path, "components:\n  findings:\n    weight: 30\n")
    with pytest.raises(
        AppraisalError, match=re.escape("county.yaml：各分项权重之和为 110 分，应等于总分 100 分")
    ):
        load_formula(alone)
    # findings 30 and closure 30: the rest is the national-practice file's
    path = _county_file(
        tmp_path,
        "name: 某县考核办法\ncomponents:\n"
        "  findings:\n    weight: 30\n  closure:\n    weight: 30\n",
    )
    formula = load_formula(path)
    assert formula.name == "某县考核办法"
    assert {c.key: c.weight for c in formula.components} == {
        "closure": 30,
        "overdue": 25,
        "findings": 30,
        "timeliness": 15,
    }
    # 县教育局 in Q1 under it: closure 30 × 1/2 = 15, overdue 12.5, findings 30 − 5 = 25,
    # timeliness 10 → 62.5 (57.5 under the default)
    _, by = _scores(parse_period("2026Q1"), formula)
    assert by[A].total == 62.5


def test_overlay_refuses_a_misspelt_field(tmp_path):
    path = _county_file(tmp_path, "components:\n  findings:\n    wieght: 30\n")
    with pytest.raises(AppraisalError, match=re.escape("components.findings.wieght")):
        load_formula(path)


def test_a_party_with_nothing_to_appraise_is_listed_apart():
    """The file's `min_items` (1): a party with no task and no finding in the period is scored
    but not ranked; one task or one finding is enough to be ranked."""
    formula = load_formula()
    assert formula.min_items == read_yaml(FORMULA_FILE)["min_items"] == 1
    parties = [
        Party("unit:none", "甲单位", "unit"),
        Party("unit:before", "乙单位", "unit"),
        Party("unit:found", "丙单位", "unit"),
        Party("unit:task", "丁单位", "unit"),
        Party("town:x", "某镇", "township"),
    ]
    tasks = [
        # 乙单位: closed on 31 Dec, before Q1 begins: in no Q1 component → 0 items
        _task({"unit:before"}, date(2025, 12, 20), date(2025, 11, 1), date(2025, 12, 31)),
        # 丁单位: created 5 Jan, due 30 Jun, not reported: worked on in Q1 → 1 item
        _task({"unit:task"}, date(2026, 6, 30), date(2026, 1, 5)),
    ]
    findings = [
        FindingRecord(frozenset({"unit:before"}), date(2025, 12, 31)),  # the day before Q1
        FindingRecord(frozenset({"unit:found"}), date(2026, 1, 1)),  # Q1's first day
    ]
    result = appraise(parties, tasks, findings, formula, parse_period("2026Q1"), TODAY)
    # 丙单位: its finding → 40 + 25 + 15 + 15 = 95; 丁单位: timeliness 0/1 → 40 + 25 + 20 = 85
    assert [(s.rank, s.party.name, s.total, s.items) for s in result.units] == [
        (1, "丙单位", 95.0, 1),
        (2, "丁单位", 85.0, 1),
    ]
    # 甲单位 (nothing) and 乙单位 (a task closed and a finding made before the quarter) would
    # score 100 on full marks alone: apart, by name, no rank
    assert [(s.rank, s.party.name, s.total, s.items) for s in result.units_apart] == [
        (0, "乙单位", 100.0, 0),
        (0, "甲单位", 100.0, 0),
    ]
    assert result.townships == [] and [s.party.name for s in result.townships_apart] == ["某镇"]
    # the same ledger in Q4 2025: 乙单位's task (due 20 Dec, closed 31 Dec) and finding count
    q4 = appraise(parties, tasks, findings, formula, parse_period("2025Q4"), TODAY)
    assert [(s.party.name, s.items) for s in q4.units] == [("乙单位", 2)]


def test_a_countys_min_items_is_read_and_checked(tmp_path):
    # two items needed: 丙单位's one finding is not enough any more, 县教育局's four are
    formula = load_formula(_county_file(tmp_path, "min_items: 2\n"))
    assert formula.min_items == 2
    assert formula.apart_label == "本期考核事项不足 2 项，不参与排名"
    assert load_formula().apart_label == "本期无考核事项，不参与排名"  # min_items 1
    parties = [Party("unit:found", "丙单位", "unit"), Party(A, "县教育局", "unit")]
    findings = [FindingRecord(frozenset({"unit:found"}), date(2026, 1, 1))]
    result = appraise(parties, TASKS, findings, formula, parse_period("2026Q1"), TODAY)
    # 县教育局 in Q1: T1, T2, T3 (see the first test) → 3 items
    assert [(s.party.name, s.items) for s in result.units] == [("县教育局", 3)]
    assert [(s.party.name, s.items) for s in result.units_apart] == [("丙单位", 1)]
    with pytest.raises(AppraisalError, match=re.escape("county.yaml：min_items：应为整数")):
        load_formula(_county_file(tmp_path, "min_items: 1.5\n"))
    with pytest.raises(AppraisalError, match=re.escape("min_items：不能为负数")):
        load_formula(_county_file(tmp_path, "min_items: -1\n"))
