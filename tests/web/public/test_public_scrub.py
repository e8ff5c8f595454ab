"""Names and phone numbers out of public text; the figures of the page from plain rows."""

from __future__ import annotations

import datetime as dt

import pytest

from junheng.web.public import progress
from junheng.web.public.scrub import MASK, PHONE, Secrets, scrub

SECRETS = Secrets.of(["王明", "王明明", "李四、赵五", "", "钱"], ["8123456"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请王明明联系", f"请{MASK}联系"),  # the longer name first, not "××明"
        ("王明负责", f"{MASK}负责"),
        ("责任人：李四、赵五", f"责任人：{MASK}"),  # the whole field first
        ("李四到场", f"{MASK}到场"),  # and each name of it
        ("钱款到位", "钱款到位"),  # a one-character "name" would mask ordinary words
        ("电话 13800138000。", f"电话 {MASK}。"),
        ("电话 138 0013 8000", f"电话 {MASK}"),
        ("+86 13800138000", MASK),
        ("0731-88886666 转 12", f"{MASK} 转 12"),
        ("(0731)88886666", MASK),
        ("本地 8123456", f"本地 {MASK}"),  # a local number stated in the organisation table
        ("时限 2026-06-30，差 452.30 ㎡，1,234,567 元，任务 12 项", None),
        ("标识码 2152100002", None),  # ten digits starting with 2: not a mobile number
    ],
)
def test_scrub(text, expected):
    assert scrub(text, SECRETS) == (text if expected is None else expected)


def test_an_office_account_name_is_not_masked_but_a_person_beside_it_is():
    # a shared account named after its unit (石桥镇中心校) and one after its role (责任督学):
    # both are offices the page names anyway; 王明 on the same list is still a person
    secrets = Secrets.of(
        ["石桥镇中心校", "责任督学", "王明"], public=["石桥镇中心校", "责任督学", "示范县"]
    )
    assert scrub("石桥镇中心校牵头，王明负责", secrets) == f"石桥镇中心校牵头，{MASK}负责"
    assert scrub("责任督学到校", secrets) == "责任督学到校"
    # without the offices the same list masks the unit (what the public page did)
    assert scrub("石桥镇中心校牵头", Secrets.of(["石桥镇中心校"])) == f"{MASK}牵头"


def test_phone_pattern_leaves_longer_numbers():
    assert PHONE.search("学校标识码 213800138000") is None


def test_phase_and_milestone_stages_on_both_sides_of_their_days():
    start, end = dt.date(2026, 1, 1), dt.date(2026, 3, 1)
    assert progress.phase_stage(start, end, dt.date(2025, 12, 31)).text == "未开始"
    assert progress.phase_stage(start, end, start).text == "进行中"
    assert progress.phase_stage(start, end, end).text == "进行中"
    assert progress.phase_stage(start, end, dt.date(2026, 3, 2)).text == "已结束"
    assert progress.milestone_stage(end, False, end).text == "待完成"
    assert progress.milestone_stage(end, False, dt.date(2026, 3, 2)).text == "逾期未完成"
    assert progress.milestone_stage(end, True, dt.date(2026, 3, 2)).text == "已完成"


def test_problem_counts():
    rows = [
        {"category": "政府保障程度", "source": "evaluation", "status": "closed", "n": 2},
        {"category": "资源配置", "source": "evaluation", "status": "open", "n": 3},
        {"category": "资源配置", "source": "inspection", "status": "closed", "n": 1},
        {"category": "", "source": "meeting", "status": "proposed", "n": 1},
    ]
    labels = {"evaluation": "评估", "inspection": "督导检查", "meeting": "会议决定"}
    counts = progress.problem_counts(rows, labels, ["资源配置", "政府保障程度"])
    # 资源配置 3 + 1 = 4 found, 1 closed; 政府保障程度 2/2; 其他 1/0; total 7 found, 3 closed
    assert [(c.label, c.found, c.closed, c.open) for c in counts.by_part] == [
        ("资源配置", 4, 1, 3),
        ("政府保障程度", 2, 2, 0),
        ("其他", 1, 0, 1),
    ]
    assert [(c.label, c.found, c.closed) for c in counts.by_source] == [
        ("评估", 5, 2),
        ("督导检查", 1, 1),
        ("会议决定", 1, 0),
    ]
    assert (counts.total.found, counts.total.closed, counts.total.closed_share) == (7, 3, "42.9%")
    assert progress.Count("空").closed_share == "—"


def test_school_rows():
    segments = [
        {"school_id": "b", "name": "乙校", "level": "junior", "in_scope": True, "passes": None},
        {"school_id": "b", "name": "乙校", "level": "primary", "in_scope": True, "passes": False},
        {"school_id": "a", "name": "甲校", "level": "primary", "in_scope": True, "passes": True},
        {"school_id": "c", "name": "丙校", "level": "primary", "in_scope": False, "passes": None},
        {"school_id": "d", "name": "丁校", "level": "primary", "in_scope": True, "passes": True},
    ]
    problems = [
        {"school_id": "b", "status": "closed", "n": 2},
        {"school_id": "b", "status": "open", "n": 1},
        {"school_id": "", "status": "open", "n": 5},
    ]
    rows = progress.school_rows(
        segments, {"a": "北镇", "b": "东镇"}, problems, {"primary": "小学", "junior": "初中"}
    )
    # townships by name (东镇 before 北镇 in code-point order), schools without one last
    assert [(r.name, r.township, r.levels, r.found, r.closed) for r in rows] == [
        ("乙校", "东镇", (("小学", False), ("初中", None)), 3, 2),
        ("甲校", "北镇", (("小学", True),), 0, 0),
        ("丁校", "", (("小学", True),), 0, 0),
    ]
