"""The on-site checklist cites the standard: every item's indicator exists and its clause is the
indicator's `source` in the standard file; a drifting or mistyped file is refused in Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from junheng.inspections.checklist import ChecklistError, load_checklist, load_checklist_file
from junheng.standards import load_standard


def test_every_item_cites_its_indicator_and_clause():
    checklist = load_checklist()
    standard = load_standard(checklist.standard)
    assert len(checklist.items) >= 10
    for item in checklist.items:
        assert item.clause == standard.items[item.item].source
        assert item.name == standard.items[item.item].name
    keys = [i.key for i in checklist.items]
    assert len(keys) == len(set(keys))
    by_key = checklist.by_key()
    assert by_key["G5-classes"].clause == "教督〔2017〕6号 第六条（五）"
    assert by_key["G5-classes"].label.startswith("G5 随机抽查班级点名")


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "清单.yaml"
    path.write_text("standard: national-2017\nitems:\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "body,said",
    [
        (
            "  - {key: a, item: G5, clause: 教督〔2017〕6号 第六条（四）, check: 看班额}\n",
            "第 1 项（a）：条款“教督〔2017〕6号 第六条（四）”与标准中 G5 的出处"
            "“教督〔2017〕6号 第六条（五）”不一致",
        ),
        (
            "  - {key: a, item: G55, clause: x, check: 看班额}\n",
            "第 1 项（a）：标准“县域义务教育优质均衡发展督导评估办法（国家标准）”中没有指标 G55",
        ),
        (
            "  - {key: a, item: G5, clause: 教督〔2017〕6号 第六条（五）, check: 看, extra: 1}\n",
            "第 1 项：未知的键：extra",
        ),
        (
            "  - {key: a, item: G5, clause: 教督〔2017〕6号 第六条（五）, check: 看}\n"
            "  - {key: a, item: G4, clause: 教督〔2017〕6号 第六条（四）, check: 看}\n",
            "第 2 项（a）：key 重复",
        ),
        ("  - {key: a, item: G5, clause: 教督〔2017〕6号 第六条（五）}\n", "缺少“check”"),
    ],
)
def test_a_wrong_file_is_refused_naming_the_entry(tmp_path, body, said):
    with pytest.raises(ChecklistError) as refused:
        load_checklist_file(_write(tmp_path, body))
    assert "现场核查清单 清单.yaml：" in str(refused.value)
    assert said in str(refused.value)


def test_duplicate_yaml_keys_are_refused(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("standard: national-2017\nstandard: x\nitems: []\n", encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"dup\.yaml.*重复"):
        load_checklist_file(path)
