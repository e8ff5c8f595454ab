"""Standards as data: the bundled files, variants, policies and strict loading."""

from pathlib import Path

import pytest

from junheng.core.schema import COUNTY_FACTS_BY_NAME
from junheng.core.standard import StandardError
from junheng.standards import available_standards, load_standard, load_standard_file

EXPECTED_ITEMS = (
    [f"R{i}" for i in range(1, 8)]
    + [f"G{i}" for i in range(1, 16)]
    + [f"Q{i}" for i in range(1, 10)]
    + ["S1"]
    + [f"V{i}" for i in range(1, 7)]
)


def test_national_standard_has_every_item_with_name_and_source():
    standard = load_standard("national-2017")
    assert list(standard.items) == EXPECTED_ITEMS
    for item in standard.items.values():
        assert item.name and item.source.startswith("教督〔2017〕6号"), item.id
    assert standard.items["R1"].threshold == {"primary": 4.2, "junior": 5.3}
    assert standard.items["R5"].cv_limit == {"primary": 0.5, "junior": 0.45}
    assert standard.segment_rule.min_met == 6 and standard.segment_rule.floor_ratio == 0.85


def test_policies_and_their_defaults():
    standard = load_standard()
    assert standard.policy("exclude_private") is False
    assert standard.policy("teaching_point_min_students") == 50
    assert standard.policy("teaching_point_mode") == "separate"
    assert standard.policy("apportionment") == "weighted"
    assert standard.policy("apportionment_weights") == {
        "primary": 1.0,
        "junior": 1.1,
        "senior": 1.32,
    }
    assert standard.policy("comparison_decimals") is None
    assert standard.policy("survey_favourable_options") == 2


def test_variants_extend_the_national_standard():
    ids = [s.id for s in available_standards()]
    assert ids[0] == "national-2017"
    assert {"chongqing-quota-60", "liaoning"} <= set(ids)
    chongqing = load_standard("chongqing-quota-60")
    assert chongqing.extends == "national-2017"
    assert chongqing.items["G14"].checks[0].threshold.constant == 0.6
    assert chongqing.items["G7"].checks[0].threshold.constant == 6000
    assert chongqing.items["R1"] == load_standard().items["R1"]
    liaoning = load_standard("liaoning")
    assert liaoning.items["G7"].checks[0].threshold.constant == 8000


def test_policy_overrides_are_checked():
    standard = load_standard()
    assert (
        standard.with_policies({"teaching_point_mode": "merge"}).policy("teaching_point_mode")
        == "merge"
    )
    assert standard.with_policies({"apportionment_weights": "1:1:1"}).policy(
        "apportionment_weights"
    ) == {"primary": 1.0, "junior": 1.0, "senior": 1.0}
    with pytest.raises(StandardError, match=r"teaching_point_mode.*无效"):
        standard.with_policies({"teaching_point_mode": "together"})
    with pytest.raises(StandardError, match="没有这个政策"):
        standard.with_policies({"no_such_policy": "1"})


def test_every_county_fact_used_by_the_standard_exists():
    for item in load_standard().items.values():
        if item.scope == "county":
            for check in item.checks:
                assert check.value.columns() <= set(COUNTY_FACTS_BY_NAME), item.id


VARIANT_HEADER = "id: broken\nextends: national-2017\nname: 测试\nversion: '1'\n"


def _load(tmp_path: Path, body: str, header: str = VARIANT_HEADER):
    path = tmp_path / "broken.yaml"
    path.write_text(header + body, encoding="utf-8")
    return load_standard_file(path)


@pytest.mark.parametrize(
    ("body", "where", "problem"),
    [
        (
            "items:\n  G14:\n    checks:\n      rate: {treshold: 0.6}\n",
            "items.G14.checks.rate.treshold",
            "没有该字段",
        ),
        (
            "items:\n  G7:\n    checks:\n      funds: {op: '=>'}\n",
            "指标 G7.checks.funds.op",
            "比较方式",
        ),
        ("items:\n  R1:\n    threshold: {primary: abc}\n", "指标 R1.threshold.primary", "应为数字"),
        (
            "items:\n  R2:\n    ratio: {numerator: backbone_teacher}\n",
            "指标 R2.ratio.numerator",
            "backbone_teacher",
        ),
        (
            "items:\n  R2:\n    ratio: {numerator: __import__('os')}\n",
            "指标 R2.ratio.numerator",
            "不支持的函数",
        ),
        (
            "items:\n  R2:\n    ratio: {numerator: students.real}\n",
            "指标 R2.ratio.numerator",
            "不允许",
        ),
        ("items:\n  X1:\n    part: R\n    name: 新指标\n", "指标 X1.source", "缺少必填字段"),
        (
            "items:\n  X1:\n    part: Z\n    name: 新\n    source: s\n"
            "    scope: county\n    checks: {}\n",
            "指标 X1.part",
            "不是本标准的组成部分",
        ),
        (
            "policies:\n  comparison_decimals: {value: two}\n",
            "政策 comparison_decimals.value",
            "与类型",
        ),
        ("rules:\n  segment: {min_met: 8}\n", "rules.segment.min_met", "0 到 7"),
    ],
)
def test_malformed_standard_names_file_item_and_field(tmp_path, body, where, problem):
    with pytest.raises(StandardError) as caught:
        _load(tmp_path, body)
    message = str(caught.value)
    assert message.startswith("标准文件 broken.yaml：")
    assert where in message
    assert problem in message


def test_duplicate_keys_and_yaml_syntax_errors_are_refused(tmp_path):
    with pytest.raises(StandardError, match=r"broken\.yaml：第 \d+ 行.*重复的字段“G7”"):
        _load(tmp_path, "items:\n  G7: {name: a}\n  G7: {name: b}\n")
    with pytest.raises(StandardError, match=r"broken\.yaml：第 \d+ 行：YAML 格式错误"):
        _load(tmp_path, "items:\n  G7: [unclosed\n")


def test_unknown_base_and_unknown_top_level_field(tmp_path):
    with pytest.raises(StandardError, match="找不到被继承的标准“nowhere”"):
        _load(tmp_path, "", header="id: broken\nextends: nowhere\nname: a\nversion: '1'\n")
    with pytest.raises(StandardError, match=r"顶层\.colour.*未知字段"):
        _load(tmp_path, "colour: red\n", header="id: broken\nname: a\nversion: '1'\n")


def test_a_variant_may_add_a_new_item(tmp_path):
    body = (
        "items:\n  G16:\n    part: G\n    name: 示例新增指标\n    source: 某省细则\n"
        "    scope: county\n    checks:\n      rate: {label: 比例, value: training_360h_rate,"
        " op: '>=', threshold: 0.9, percent: true}\n"
    )
    standard = _load(tmp_path, body)
    assert "G16" in standard.items and standard.items["G16"].checks[0].threshold.constant == 0.9
