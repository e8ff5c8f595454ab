"""Evidence requirements per item are data: every item of the standard has its files, each
with the clause of the standard file, and a misspelt id or key is refused with the file named."""

from __future__ import annotations

import pytest

from junheng.archive.requirements import (
    BALANCE_ITEM,
    SUPPLIERS,
    Requirement,
    RequirementsError,
    known_item_ids,
    load_requirements,
    requirements_file,
    requirements_from_data,
)
from junheng.rectification.policies import load_checklist
from junheng.standards import available_standards, load_standard


@pytest.fixture(scope="module")
def national():
    return load_standard("national-2017")


def test_every_item_of_the_national_standard_has_requirements(national):
    reqs = load_requirements(national)
    # R1–R7 + 校际差异系数, G1–G15, Q1–Q9, S1, V1–V6: 8 + 15 + 9 + 1 + 6 = 39 items
    assert len(reqs.items) == 39
    assert [i for i in reqs.items.values() if not i.requirements] == []
    parts = [(p, name, [i.id for i in items]) for p, name, items in reqs.by_part()]
    assert parts[0] == ("R", "资源配置", ["R1", "R2", "R3", "R4", "R5", "R6", "R7", "CV"])
    assert parts[1][2] == [f"G{n}" for n in range(1, 16)]
    assert parts[2][2] == [f"Q{n}" for n in range(1, 10)]
    assert parts[3] == ("S", "社会认可度", ["S1"])
    assert parts[4][2] == [f"V{n}" for n in range(1, 7)]


def test_clauses_come_from_the_standard_file(national):
    reqs = load_requirements(national)
    g1 = reqs.items["G1"]
    assert g1.source == national.items["G1"].source == "教督〔2017〕6号 第六条（一）"
    plan = g1.requirement("layout-plan")
    assert plan.title == "县域义务教育学校布局规划文件"
    assert plan.source == "教督〔2017〕6号 第六条（一）"
    assert plan.policy == "layout-plan"
    assert g1.folder == "G1 县域学校布局规划"
    assert g1.label == "G1 县级人民政府制定义务教育学校布局规划"
    # the 校际差异系数 answers to the balance rule's clause and is shown without a code
    cv = reqs.items[BALANCE_ITEM]
    assert (cv.source, cv.code, cv.label, cv.folder) == (
        "教督〔2017〕6号 第五条",
        "",
        "校际差异系数",
        "校际差异系数",
    )


def test_system_supplies_statistics_school_books_and_survey(national):
    reqs = load_requirements(national)
    for n in range(1, 8):
        supplied = {r.supplied for r in reqs.items[f"R{n}"].requirements}
        assert {"tables", "school_books"} <= supplied, f"R{n}"
    s1 = reqs.items["S1"].requirement("survey-results")
    assert s1.supplied == "survey"
    assert s1.supplied_text == "系统生成：社会认可度调查结果"
    g8 = {r.key for r in reqs.items["G8"].requirements}
    assert {"salary-policy", "payroll"} <= g8
    # every policy named is a document of the checklist
    ids = {d.id for d in load_checklist().documents}
    named = {r.policy for i in reqs.items.values() for r in i.requirements if r.policy}
    assert named and named <= ids


@pytest.mark.parametrize("sid", ["chongqing-quota-60", "liaoning"])
def test_variants_fall_back_to_the_base_file_with_their_own_clauses(sid):
    standard = load_standard(sid)
    assert requirements_file(standard).name == "national-2017.yaml"
    reqs = load_requirements(standard)
    assert reqs.standard_id == sid
    changed = "G14" if sid == "chongqing-quota-60" else "G7"
    assert reqs.items[changed].name == standard.items[changed].name
    assert reqs.items[changed].requirements[0].source == standard.items[changed].source
    assert "；" in reqs.items[changed].source  # the variant's clause, not the national one


@pytest.mark.parametrize("standard", available_standards(), ids=lambda s: s.id)
def test_every_item_of_every_bundled_standard_has_requirements(standard):
    reqs = load_requirements(standard)
    assert set(reqs.items) == set(standard.items) | {BALANCE_ITEM}
    assert [i.id for i in reqs.items.values() if not i.requirements] == []


def test_the_file_names_its_standard(tmp_path, national):
    (tmp_path / "national-2017.yaml").write_text("standard: liaoning\nitems: {}\n", "utf-8")
    with pytest.raises(RequirementsError, match="standard 应为“national-2017”（与文件名一致）"):
        load_requirements(national, tmp_path)


def test_balance_id_follows_part_r(national):
    ids = known_item_ids(national)
    assert ids.index(BALANCE_ITEM) == ids.index("R7") + 1 == ids.index("G1") - 1


def _data(**item):
    return {"standard": "national-2017", "items": {"G1": item}}


def test_unknown_items_keys_suppliers_and_policies_are_refused(national):
    policies = ["layout-plan"]
    good = {"key": "a", "title": "甲", "shows": "乙"}
    with pytest.raises(RequirementsError, match=r"要求\.yaml：标准中没有指标 G99"):
        requirements_from_data(
            {"standard": "x", "items": {"G99": {}}}, "要求.yaml", national, policies
        )
    with pytest.raises(RequirementsError, match="指标 G1：未知的键 shortname"):
        requirements_from_data(_data(shortname="x"), "要求.yaml", national, policies)
    with pytest.raises(RequirementsError, match="第 1 项材料：未知的键 titel"):
        requirements_from_data(
            _data(requirements=[{**good, "titel": "x"}]), "要求.yaml", national, policies
        )
    with pytest.raises(RequirementsError, match="supplied 应为"):
        requirements_from_data(
            _data(requirements=[{**good, "supplied": "photos"}]), "要求.yaml", national, policies
        )
    with pytest.raises(RequirementsError, match="政策文件清单中没有“plan”"):
        requirements_from_data(
            _data(requirements=[{**good, "policy": "plan"}]), "要求.yaml", national, policies
        )
    with pytest.raises(RequirementsError, match="第 2 项材料：key “a” 重复"):
        requirements_from_data(_data(requirements=[good, good]), "要求.yaml", national, policies)
    with pytest.raises(RequirementsError, match="第 1 项材料：缺少 title"):
        requirements_from_data(
            _data(requirements=[{"key": "a", "shows": "乙"}]), "要求.yaml", national, policies
        )
    with pytest.raises(RequirementsError, match="不能含有 /"):
        requirements_from_data(_data(short="a/b"), "要求.yaml", national, policies)
    with pytest.raises(RequirementsError, match="缺少 standard"):
        requirements_from_data({"items": {}}, "要求.yaml", national, policies)
    assert set(SUPPLIERS) == {"tables", "school_books", "survey"}


def test_requirement_source_override_and_missing_items(national):
    reqs = requirements_from_data(
        _data(
            short="布局",
            requirements=[{"key": "a", "title": "甲", "shows": "乙", "source": "某省细则第三条"}],
        ),
        "要求.yaml",
        national,
    )
    assert reqs.items["G1"].requirements[0].source == "某省细则第三条"
    # an item the file does not name is still listed, without requirements, named as in the standard
    assert reqs.items["G2"].requirements == ()
    assert reqs.items["G2"].folder.startswith("G2 县域内城乡义务教育学校建设标准")


def test_county_requirements_are_appended(national):
    reqs = load_requirements(national)
    own = Requirement("county-7", "乡镇学校布局调整会议纪要", "调整的学校", "县定", county=True)
    extended = reqs.with_extra({"G1": [own], "G99": [own]})
    assert extended.items["G1"].requirements[-1] == own
    assert len(extended.items["G1"].requirements) == len(reqs.items["G1"].requirements) + 1
    assert "G99" not in extended.items
    assert reqs.items["G1"].requirements[-1] != own  # the original is unchanged
