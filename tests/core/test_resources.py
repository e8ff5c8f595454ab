"""Part R values and 每所学校资源配置达标规则 (6 of 7, the rest ≥ 85 %)."""

import polars as pl
import pytest

from junheng.core.evaluate import evaluate
from junheng.standards import load_standard
from tests.builders import dataset, school, segment


def _one(**changes):
    changes.setdefault("students", 400)
    data = dataset([school("a")], [segment("a", **changes)])
    evaluation = evaluate(data, load_standard())
    return evaluation.segments.row(0, named=True), evaluation


def test_values_keep_numerator_and_denominator():
    row, _ = _one(
        teachers=20, teachers_bachelor=17, teachers_associate=2, teachers_below_associate=1
    )
    # primary counts 专科 and above: (0 + 17 + 2) / 400 × 100 = 4.75
    assert row["R1_num"] == 19 and row["R1_den"] == 400
    assert row["R1"] == pytest.approx(4.75)
    assert row["R1_met"] is True


def test_junior_required_degree_is_bachelor():
    data = dataset(
        [school("j", kind="junior")],
        [segment("j", "junior", 400, teachers=20, teachers_bachelor=17, teachers_associate=3)],
    )
    row = evaluate(data, load_standard()).segments.row(0, named=True)
    assert row["R1"] == pytest.approx(4.25)  # 17 / 400 × 100; 专科 does not count for junior
    assert row["R1_met"] is False  # junior threshold 5.3


def test_r6_at_85_percent_passes_and_one_yuan_less_fails():
    row, _ = _one(equipment_value_yuan=1700.0 * 400)
    assert row["R6"] == pytest.approx(1700.0)
    assert row["R6_met"] is False and row["R6_floor_ok"] is True
    assert row["passes"] is True
    assert "85.0%" in " ".join(row["reasons"])

    row, _ = _one(equipment_value_yuan=1699.0 * 400)
    assert row["R6_floor_ok"] is False
    assert row["passes"] is False
    assert any("R6" in r and "低于 85%" in r for r in row["reasons"])


def test_two_indicators_short_fails_even_above_85_percent():
    row, _ = _one(equipment_value_yuan=1900.0 * 400, sports_ground_area_m2=7.0 * 400)
    assert row["R6_floor_ok"] and row["R5_floor_ok"]
    assert row["n_met"] == 5
    assert row["passes"] is False
    assert row["reasons"][0].startswith("7 项指标中 5 项达标")


def test_optional_indoor_area_and_arts_teachers_add_when_given():
    row, _ = _one(sports_ground_area_m2=2000.0, indoor_sports_area_m2=1200.0)
    assert row["R5"] == pytest.approx(8.0)  # (2000 + 1200) / 400
    row, _ = _one(pe_teachers=2, arts_teachers=2)
    assert row["R3"] == pytest.approx(1.0)  # (2 + 0 + 0 + 2) / 400 × 100


def test_empty_cell_gives_missing_value_with_reason_and_no_pass():
    row, evaluation = _one(multimedia_rooms=None)
    assert row["R7"] is None and row["R7_met"] is None
    assert row["passes"] is None
    assert any("R7" in r and "网络多媒体教室数" in r for r in row["reasons"])
    verdict = evaluation.verdicts["甲县"]
    assert verdict.parts["R"].passes is None
    assert verdict.passes is None


def test_missing_value_does_not_hide_a_decided_failure():
    row, _ = _one(multimedia_rooms=None, backbone_teachers=1, sports_ground_area_m2=100.0)
    assert row["passes"] is False  # two indicators below 85 %: failing whatever R7 is


def test_missing_column_gives_null_and_county_does_not_pass():
    schools = pl.DataFrame([school("a")])
    segs = pl.DataFrame([segment("a")]).drop("equipment_value_yuan")
    from junheng.core.dataset import Dataset

    data = Dataset.build(schools, segs)
    assert "equipment_value_yuan" in data.missing_columns["segments"]
    evaluation = evaluate(data, load_standard())
    row = evaluation.segments.row(0, named=True)
    assert row["R6"] is None
    assert "教学仪器设备值" in " ".join(row["reasons"])
    assert evaluation.verdicts["甲县"].passes is None


def test_zero_students_in_scope_is_missing_not_infinite():
    row, _ = _one(students=0)
    assert row["R1"] is None
    assert any("在校生数为 0" in r for r in row["reasons"])
