"""The bundled questionnaires, their versions and a county's edited copy."""

from pathlib import Path

import pytest
import yaml

from junheng.survey.loader import (
    QUESTIONNAIRES_DIR,
    bundled_questionnaires,
    load_questionnaire,
    load_rules,
)
from junheng.survey.questionnaire import (
    SCALE_LABELS,
    Question,
    build_questionnaire,
    derive_questionnaire,
    questionnaire_yaml,
)
from junheng.survey.rules import SurveyFileError

RULES = load_rules()


def test_three_questionnaires_cover_every_group_once_and_every_topic():
    found = {q.id: q for q in bundled_questionnaires()}
    assert set(found) == {"public", "staff", "student"}
    answered = [g for q in found.values() for g in q.respondents]
    assert sorted(answered) == sorted(RULES.groups)
    assert found["student"].respondents == ("students",)
    assert set(found["staff"].respondents) == {"principals", "teachers"}
    for q in found.values():
        assert {x.topic for x in q.questions} == set(RULES.topics)
        assert (
            dict(q.scale)
            == SCALE_LABELS
            == {
                5: "非常满意",
                4: "满意",
                3: "一般",
                2: "不满意",
                1: "非常不满意",
            }
        )
        # enough questions for the straight-lining check to apply
        assert len(q.questions) >= RULES.quality.straight_line_min_questions


def test_version_is_a_content_checksum():
    public = load_questionnaire("public")
    again = load_questionnaire(str(QUESTIONNAIRES_DIR / "public.yaml"))
    assert public.version == again.version and len(public.version) == 12
    # the comment lines of the file are not content; the wording is
    data = yaml.safe_load((QUESTIONNAIRES_DIR / "public.yaml").read_text(encoding="utf-8"))
    data["questions"][0]["text"] += "（含学区划分）"
    assert build_questionnaire(data, RULES, "x.yaml").version != public.version


def test_county_copy_has_its_own_version_and_remembers_its_base():
    base = load_questionnaire("public")
    copy = derive_questionnaire(
        base,
        "示范县",
        RULES,
        texts={"P11": "您对孩子所在学校的教学质量是否满意？"},
        remove=["P14"],
        add=[Question("P15", "burden", "您对学校午休和课间安排是否满意？")],
    )
    assert copy.county == "示范县" and copy.based_on == base.version
    assert copy.version != base.version
    assert copy.question("P11").text == "您对孩子所在学校的教学质量是否满意？"
    assert copy.question("P14") is None and copy.question("P15").topic == "burden"
    assert base.question("P14") is not None  # the base is untouched
    # the saved text reads back to the same questionnaire and version
    reread = build_questionnaire(yaml.safe_load(questionnaire_yaml(copy)), RULES, "copy.yaml")
    assert reread == copy and reread.version == copy.version
    # an edit of the same base with the same changes is the same version
    same = derive_questionnaire(
        base,
        "示范县",
        RULES,
        texts={"P11": "您对孩子所在学校的教学质量是否满意？"},
        remove=["P14"],
        add=[Question("P15", "burden", "您对学校午休和课间安排是否满意？")],
    )
    assert same.version == copy.version


def test_county_copy_must_still_cover_every_topic():
    base = load_questionnaire("public")
    with pytest.raises(SurveyFileError, match="没有覆盖调查内容：学生课业负担"):
        derive_questionnaire(base, "示范县", RULES, remove=["P13", "P14"])
    with pytest.raises(SurveyFileError, match="没有这些题号：P99"):
        derive_questionnaire(base, "示范县", RULES, texts={"P99": "？"})


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = (QUESTIONNAIRES_DIR / "staff.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "staff-copy.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("title:", "titel:", "未知字段“titel”"),
        ("topic: burden", "topic: homework", "questions\\[12\\].topic"),
        ("id: T02", "id: T01", "题号“T01”重复"),
        ("{value: 1, label: 非常不满意}", "{value: 0, label: 非常不满意}", "scale"),
        ("respondents: [principals, teachers]", "respondents: [staff]", "respondents\\[0\\]"),
        ("intro:", "intro: x\nintro:", "重复的字段“intro”"),
    ],
)
def test_questionnaire_loader_is_strict(tmp_path, old, new, message):
    path = _edited(tmp_path, old, new)
    with pytest.raises(SurveyFileError, match=message) as info:
        load_questionnaire(str(path))
    assert "staff-copy.yaml" in str(info.value)
