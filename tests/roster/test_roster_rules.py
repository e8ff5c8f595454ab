"""The roster's rules files load strictly; a provincial overlay changes only what it lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from junheng.roster.rules import (
    ELIGIBILITY_FILE,
    RosterRulesError,
    load_counting,
    load_eligibility,
)


def test_bundled_rules_carry_their_clauses() -> None:
    rules = load_eligibility()
    assert rules.min_years_at_school == 6
    assert rules.min_rotation_years == 3
    assert (rules.rotation_rate, rules.backbone_share) == (0.10, 0.20)
    assert "教师〔2014〕4号" in rules.sources["rotation_rate"]
    # A folded YAML line leaves no space between Chinese characters.
    assert "具体年限由各省确定；多数省份" in rules.sources["min_years_at_school"]
    counting = load_counting()
    assert counting.training_hours == 360
    assert counting.in_post_statuses == frozenset({"in_post"})


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "province.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_overlay_key_the_base_lacks_is_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "id: p\nname: 某省\nsource: 某文件\nextends: national\n"
        "eligibility:\n  min_years_at_shcool:\n    value: 5\n    source: 某条\n",
    )
    with pytest.raises(RosterRulesError, match="min_years_at_shcool"):
        load_eligibility(path)


def test_an_overlay_of_an_unknown_base_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "id: p\nname: 某省\nsource: 某文件\nextends: nowhere\n")
    with pytest.raises(RosterRulesError, match="找不到被继承的规则文件"):
        load_eligibility(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    value: 6\n", "    value: 6.5\n", "min_years_at_school"),
        ("    value: 0.10\n", "    value: 10\n", "rotation_rate"),
        ("    value: [established]\n", "    value: [在编]\n", "post_types"),
        ('school_year_begins: "08-01"', 'school_year_begins: "08-32"', "school_year_begins"),
        ("    value: {male: 60, female: 55}", "    value: {male: 60}", "retirement_age"),
        ("id: national\n", "id: national\nid: again\n", "重复的字段"),
    ],
)
def test_bad_values_are_refused_naming_the_field(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = ELIGIBILITY_FILE.read_text(encoding="utf-8")
    assert old in text
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(RosterRulesError, match=message):
        load_eligibility(path)


def test_a_rule_without_its_source_is_refused(tmp_path: Path) -> None:
    text = ELIGIBILITY_FILE.read_text(encoding="utf-8")
    old = "  first_years_of_service:\n    value: 3\n"
    assert old in text
    path = _write(
        tmp_path, text.replace(old, "  first_years_of_service: 3\n  unused:\n    value: 3\n")
    )
    with pytest.raises(RosterRulesError):
        load_eligibility(path)
