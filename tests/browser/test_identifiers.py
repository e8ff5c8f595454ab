"""The scan for internal identifiers and English in what users read, on hand-made examples."""

from __future__ import annotations

import pytest

from tests.browser.identifiers import unexpected_identifiers


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # the problem report's examples: a standard id, a problem key, policy keys and values,
        # a checksum shown as a version, a number in programmer's notation
        ("评估标准 national-2017（版本 2017.1）", ["national-2017"]),
        ("问题编号 R5/primary/2152080001", ["R5/primary/2152080001"]),
        ("教学点处理方式：separate；分摊方式：weighted", ["separate", "weighted"]),
        ("questionnaire 版本 81c8969d6092", ["questionnaire", "81c8969d6092"]),
        ("政策 survey_favourable_options", ["survey_favourable_options"]),
        ("数值比较容差：1e-09。", ["1e-09"]),
        ("分摊份额 = A ÷ (A + 1.1B)", ["A", "1.1B"]),
        # each token once, in the order it first appears
        ("separate、merge、separate", ["separate", "merge"]),
        ("Can add 学校", ["Can", "add"]),
    ],
)
def test_flagged(text, found):
    assert unexpected_identifiers(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "R5 生均体育运动场馆面积",
        "R1–R7 七项指标；G1-G15；Q1 至 Q9；S1；V1、V6",
        "下载 评估结果.xlsx、一校一册.zip、自评报告.docx 或 .pdf",
        "新建体育运动场馆 452.30 ㎡，即 452.30 m²；达标率 85%",
        "2026-11-20 14:05，学校代码 2152080001，版本 2017.1",
        "均衡 Junheng；用 Excel 或 WPS 打开；A4 横向；GB/T 9704；与 Excel 的 ROUND 函数一致",
        "演示账号 admin、county_admin、school、leader、inspector",
        "在手机上打开 http://127.0.0.1:8000/s/ 或输入 /s/ 的访问码",
        "",
    ],
)
def test_allowed(text):
    assert unexpected_identifiers(text) == []


def test_codes_are_exact_and_case_sensitive():
    # item codes, part letters, worksheet cells and access codes as the pages print them
    assert unexpected_identifiers("R7 G15 Q9 S1 V6 G 政府保障程度 单元格 C2、AB17") == []
    assert unexpected_identifiers("访问码 3WUU3-HT7TT") == []
    # the same letters otherwise are not codes
    assert unexpected_identifiers("r5 R5a G3x") == ["r5", "R5a", "G3x"]
    assert unexpected_identifiers("3wuu3-ht7tt ABC-12") == ["3wuu3-ht7tt", "ABC-12"]


def test_a_range_is_allowed_only_when_every_part_is():
    assert unexpected_identifiers("G1-G15") == []
    assert unexpected_identifiers("G1-primary") == ["G1-primary"]


def test_extra_allowed_tokens():
    assert unexpected_identifiers("用户 cadmin 已登录") == ["cadmin"]
    assert unexpected_identifiers("用户 cadmin 已登录", allowed={"cadmin"}) == []
