"""`part_reason`: a part's failing items in one line, named when the caller gives names."""

from __future__ import annotations

from types import SimpleNamespace

from junheng.core.wording import part_reason


def _result(item: str, passes: bool | None) -> SimpleNamespace:
    return SimpleNamespace(item=item, passes=passes)


RESULTS = [_result("G3", False), _result("G4", True), _result("G5", None), _result("Q4", False)]
FAILED = SimpleNamespace(passes=False, reasons=())


def test_without_names_the_ids_alone():
    assert part_reason("G", FAILED, RESULTS) == "G3（不符合）、G5（缺数据）"


def test_with_names_each_item_is_named():
    names = {"G3": "音乐美术专用教室", "G5": "班额"}
    assert part_reason("G", FAILED, RESULTS, names) == (
        "G3 音乐美术专用教室（不符合）、G5 班额（缺数据）"
    )


def test_an_item_without_a_name_keeps_its_id():
    assert part_reason("G", FAILED, RESULTS, {"G3": "音乐美术专用教室"}) == (
        "G3 音乐美术专用教室（不符合）、G5（缺数据）"
    )


def test_a_met_part_has_no_reason_and_part_r_keeps_its_own():
    assert part_reason("G", SimpleNamespace(passes=True, reasons=()), RESULTS, {}) == ""
    r = SimpleNamespace(passes=False, reasons=("甲校 R1 未达标", "乙校 R4 未达标"))
    assert part_reason("R", r, RESULTS, {"R1": "x"}) == "甲校 R1 未达标；乙校 R4 未达标"
