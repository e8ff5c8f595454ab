"""The evaluation JSON follows the contract in shared DATASET.md exactly."""

import json

import pytest

from junheng.core.evaluate import evaluate
from junheng.demo import demo_county
from junheng.standards import load_standard
from tests.builders import ALL_YES_FACTS, dataset, school, segment
from tests.core.test_standards import EXPECTED_ITEMS


@pytest.fixture(scope="module")
def demo_json():
    return evaluate(demo_county(), load_standard()).to_dict()


def test_top_level_keys(demo_json):
    assert {"standard", "policies", "counties"} <= set(demo_json)
    assert demo_json["standard"] == "national-2017"
    assert demo_json["policies"]["comparison_decimals"] is None
    json.dumps(demo_json, allow_nan=False)  # strictly valid JSON: no NaN or infinity


def test_county_entry_shape(demo_json):
    county = demo_json["counties"][0]
    assert {"county", "segments", "balance", "items", "parts", "verdict"} <= set(county)
    assert set(county["parts"]) == {"R", "G", "Q", "S", "veto"}
    assert set(county["verdict"]) >= {"passes", "reasons"}
    non_ratio = [i for i in EXPECTED_ITEMS if not i.startswith("R")]
    assert list(county["items"]) == non_ratio
    for item in county["items"].values():
        assert {"value", "passes", "reason"} <= set(item)
        assert item["passes"] in (True, False, None)
    for level in ("primary", "junior"):
        assert list(county["balance"][level]) == [f"R{i}" for i in range(1, 8)]
        for entry in county["balance"][level].values():
            assert {"cv", "mean", "sd", "limit", "passes"} <= set(entry)


def test_segment_entries(demo_json):
    segments = demo_json["counties"][0]["segments"]
    keys = {"school_id", "level", "students", "in_scope", "values", "met", "passes", "reasons"}
    for seg in segments:
        assert keys <= set(seg)
        assert list(seg["values"]) == [f"R{i}" for i in range(1, 8)]
        assert list(seg["met"]) == [f"R{i}" for i in range(1, 8)]
        assert seg["level"] in ("primary", "junior")
        if not seg["in_scope"]:
            assert seg["passes"] is None and seg["reasons"]


def test_json_numbers_equal_the_frames():
    evaluation = evaluate(demo_county(), load_standard())
    out = evaluation.to_dict()["counties"][0]
    by_key = {(s["school_id"], s["level"]): s for s in out["segments"]}
    for row in evaluation.segments.iter_rows(named=True):
        assert by_key[row["school_id"], row["level"]]["values"]["R4"] == row["R4"]
    r2 = evaluation.balance.filter(
        (evaluation.balance["level"] == "junior") & (evaluation.balance["indicator"] == "R2")
    ).row(0, named=True)
    assert out["balance"]["junior"]["R2"]["cv"] == r2["cv"]


def _failing_value(check):
    threshold = check.threshold.constant
    if isinstance(threshold, bool):
        return not threshold
    if check.op in (">=", ">"):
        return threshold - 0.01 if isinstance(threshold, float) else threshold - 1
    if check.op in ("<", "<="):
        return threshold + 0.01
    raise AssertionError(check.op)


COUNTY_CHECKS = [
    (item.id, check)
    for item in load_standard().items.values()
    if item.scope == "county"
    for check in item.checks
    if check.threshold.formula is None
]


@pytest.mark.parametrize(("item_id", "check"), COUNTY_CHECKS, ids=lambda x: getattr(x, "key", x))
def test_every_county_check_decides_its_item(item_id, check):
    (fact,) = check.value.columns()
    value = _failing_value(check)
    if isinstance(ALL_YES_FACTS[fact], int) and not isinstance(ALL_YES_FACTS[fact], bool):
        value = int(value)
    data = dataset(
        [school("a"), school("j", kind="junior")],
        [segment("a"), segment("j", "junior")],
        facts={fact: value},
    )
    evaluation = evaluate(data, load_standard())
    failing = [r.item for r in evaluation.items["甲县"] if r.passes is not True]
    assert failing == [item_id]
    assert evaluation.verdicts["甲县"].passes is False
    data = dataset(
        [school("a"), school("j", kind="junior")],
        [segment("a"), segment("j", "junior")],
        facts={fact: None},
    )
    result = evaluate(data, load_standard()).item("甲县", item_id)
    assert result.passes is None


def test_items_carry_the_countys_evidence_notes_on_the_facts_they_read():
    import polars as pl

    from junheng.core.dataset import Dataset

    base = dataset(
        [school("a", county="甲县"), school("b", county="乙县")],
        [segment("a"), segment("b")],
    )
    notes = pl.DataFrame(
        {
            "county": ["甲县", "甲县", "甲县", "乙县", "甲县"],
            "fact": [
                "rotation_backbone_share",
                "rotation_rate",
                "layout_plan_ok",
                "rotation_rate",
                "training_budget_share",
            ],
            "note": [
                "骨干教师9人",
                "交流轮岗53人",
                "布局规划（2021—2025年）",
                "乙县的记录",
                "学校的记录",
            ],
            "school_id": [None, None, None, None, "a"],
        }
    )
    with_notes = Dataset.build(
        base.schools, base.segments, base.county_facts, base.school_facts, notes=notes
    )
    out = {c["county"]: c for c in evaluate(with_notes, load_standard()).to_dict()["counties"]}
    items = out["甲县"]["items"]
    # G11's checks read rotation_rate, then rotation_backbone_share: the notes in that order,
    # not in the order they were given; 乙县's note stays with 乙县
    assert items["G11"]["evidence"] == ["交流轮岗53人", "骨干教师9人"]
    assert out["乙县"]["items"]["G11"]["evidence"] == ["乙县的记录"]
    assert items["G1"]["evidence"] == ["布局规划（2021—2025年）"]
    # a school's note belongs to its school, not to the county's Q4
    assert items["Q4"]["evidence"] == []
    assert items["V1"]["evidence"] == []
