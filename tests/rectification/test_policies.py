"""The policy checklist is data: every document names items of the national standard."""

from __future__ import annotations

import pytest

from junheng.rectification.policies import ChecklistError, checklist_from_data, load_checklist
from junheng.standards import load_standard


def test_bundled_checklist_names_known_items():
    checklist = load_checklist(known_items=load_standard().items)
    assert checklist.statuses == ("未印发", "起草中", "已印发")
    assert checklist.done_status == "已印发"
    by_item = checklist.by_item()
    assert [d.id for d in by_item["G1"]] == ["layout-plan"]
    assert [d.id for d in by_item["G11"]] == ["teacher-rotation"]
    assert {"G2", "G5", "G9", "G10", "G15"} <= set(by_item)


def test_unknown_item_and_keys_are_refused():
    base = {
        "statuses": ["未印发", "已印发"],
        "documents": [{"id": "a", "name": "甲", "feeds": ["G99"]}],
    }
    with pytest.raises(ChecklistError, match=r"清单\.yaml 第 1 个文件：标准中没有指标 G99"):
        checklist_from_data(base, "清单.yaml", known_items=["G1"])
    base["documents"][0] = {"id": "a", "name": "甲", "feeds": ["G1"], "feed": ["G2"]}
    with pytest.raises(ChecklistError, match="未知的键 feed"):
        checklist_from_data(base, "清单.yaml")
    base["documents"] = [
        {"id": "a", "name": "甲", "feeds": []},
        {"id": "a", "name": "乙", "feeds": []},
    ]
    with pytest.raises(ChecklistError, match="第 2 个文件：id “a” 重复"):
        checklist_from_data(base, "清单.yaml")
