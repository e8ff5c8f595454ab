"""Dashboard presenters and chart options on a tiny county whose numbers are checked by hand.

甲县 has four primary schools (R4 teaching space per student 4.0, 6.0, 10.0, 3.0 with 100, 200,
100, 100 students) and one junior school. For R4 primary:
    P = 500, X̄ = (400 + 1200 + 1000 + 300) / 500 = 5.8,
    deviations −1.8, 0.2, 4.2, −2.8; weighted variance 0.2·3.24 + 0.4·0.04 + 0.2·17.64 + 0.2·7.84
    = 0.648 + 0.016 + 3.528 + 1.568 = 5.76, S = 2.4, CV = 2.4 / 5.8 = 0.413793 (≤ 0.50).
    Shares of the variance: 0.648/5.76 = 0.1125, 0.016/5.76 = 0.002778, 3.528/5.76 = 0.6125,
    1.568/5.76 = 0.272222 (sum 1).
The threshold is 4.5 and the 85 % floor 3.825: 4.0 misses the threshold but not the floor (the
school still passes with 6 of 7), 3.0 is below the floor (the school fails).
"""

from __future__ import annotations

import pytest

from junheng.core.evaluate import evaluate
from junheng.core.output import county_summary
from junheng.standards import load_standard
from junheng.web.pages import charts, presenters
from tests.builders import dataset, school, segment

R4_VALUES = {"a": 4.0, "b": 6.0, "c": 10.0, "d": 3.0}
SHARES = {"a": 0.1125, "b": 0.016 / 5.76, "c": 0.6125, "d": 1.568 / 5.76}
NAMES = {"a": "东关小学", "b": "西关小学", "c": "南关小学", "d": "北关小学", "j": "城关中学"}
STUDENTS = {"a": 100, "b": 200, "c": 100, "d": 100}


def tiny(county: str = "甲县", c_area: float = 1000.0):
    """甲县 as described above; `c_area` changes school c's teaching space (another year)."""
    areas = {"a": 400.0, "b": 1200.0, "c": c_area, "d": 300.0}
    schools = [school(sid, county=county, name=NAMES[sid]) for sid in "abcd"]
    schools.append(school("j", kind="junior", county=county, name=NAMES["j"]))
    segments = [
        segment(sid, students=STUDENTS[sid], teaching_aux_area_m2=areas[sid]) for sid in "abcd"
    ]
    segments.append(segment("j", "junior", students=300))
    return dataset(schools, segments)


def passing(county: str = "乙县", prefix: str = "y"):
    """A county where every school is alike: every CV is 0 and everything passes."""
    return dataset(
        [
            school(f"{prefix}1", county=county, name=f"{county}小学"),
            school(f"{prefix}2", kind="junior", county=county, name=f"{county}中学"),
        ],
        [segment(f"{prefix}1"), segment(f"{prefix}2", "junior")],
    )


@pytest.fixture(scope="module")
def result():
    return evaluate(tiny(), load_standard()).to_dict()["counties"][0]


@pytest.fixture(scope="module")
def standard():
    return load_standard()


def test_json_carries_each_schools_share_of_the_weighted_variance(result):
    primary = {s["school_id"]: s for s in result["segments"] if s["level"] == "primary"}
    for sid, share in SHARES.items():
        assert primary[sid]["shares"]["R4"] == pytest.approx(share, abs=1e-9)
    assert sum(s["shares"]["R4"] for s in primary.values()) == pytest.approx(1.0)
    # one junior school: no spread, so no share of it (0 / 0), never a made-up number
    junior = next(s for s in result["segments"] if s["level"] == "junior")
    assert junior["shares"]["R4"] is None
    assert primary["a"]["floor_ok"]["R4"] is True and primary["d"]["floor_ok"]["R4"] is False
    assert result["segment_rule"] == {"min_met": 6, "floor_ratio": 0.85}


def test_county_summary_counts_and_worst_cv(result):
    summary = result["summary"]
    assert summary == county_summary(result)
    assert summary["verdict"] is False
    assert summary["parts"] == {"R": False, "G": True, "Q": True, "S": True, "veto": True}
    assert (summary["segments_total"], summary["segments_failing"]) == (5, 1)
    assert summary["cv_over_limit"] == 0
    worst = summary["worst_cv"]["primary"]
    assert worst["item"] == "R4"
    assert worst["ratio"] == pytest.approx(0.413793 / 0.5, abs=1e-6)
    assert summary["worst_ratio"] == pytest.approx(0.827586, abs=1e-6)


def test_cv_table_rows_and_links(result, standard):
    series = presenters.cv_series(result, standard)
    table = presenters.cv_table(series, lambda item, level: f"/{item}/{level}/")
    assert table.headers[:5] == ("指标", "指标名称", "小学差异系数", "小学上限", "小学结论")
    r4 = next(row for row in table.rows if row[0].text == "R4")
    assert r4[0].href == "/R4/primary/"
    assert (r4[2].text, r4[2].value, r4[2].href) == (
        "0.414",
        pytest.approx(0.413793, abs=1e-6),
        "/R4/primary/",
    )
    assert (r4[3].text, r4[3].value) == ("≤ 0.5", 0.5)
    assert r4[4].text == "✓ 达标" and r4[4].value == "达标"
    assert r4[5].href == "/R4/junior/" and r4[5].value == 0.0


def test_indicator_rows_sorted_and_table_sorted_by_share(result, standard):
    rows = presenters.indicator_rows(result, "R4", "primary")
    assert [r["school_id"] for r in rows] == ["d", "a", "b", "c"]  # 3.0, 4.0, 6.0, 10.0
    summary = presenters.indicator_summary(result, standard, "R4", "primary")
    assert summary["threshold"] == 4.5
    assert summary["floor"] == pytest.approx(3.825)
    assert (summary["cv_text"], summary["mean"], summary["sd"]) == ("0.414", 5.8, 2.4)
    assert (summary["schools"], summary["met"], summary["unmet"], summary["below_floor"]) == (
        4,
        2,
        2,
        1,
    )
    table = presenters.indicator_table(rows, summary, lambda sid: f"/s/{sid}/")
    assert [row[1].text for row in table.rows] == ["南关小学", "北关小学", "东关小学", "西关小学"]
    c, d, a, b = table.rows
    assert c[1].href == "/s/c/"
    assert (c[3].text, c[3].value) == ("61.3%", pytest.approx(0.6125))
    assert (d[3].text, a[3].text, b[3].text) == ("27.2%", "11.2%", "0.3%")
    assert c[3].excel_format == "0.0%"
    assert (c[7].text, d[7].text) == ("高于均值", "低于均值")
    assert d[4].text == "✗ 低于标准的 85%" and d[4].css.startswith("fail")
    assert a[4].text == "✗ 未达标" and a[4].css.startswith("warn")
    assert c[4].text == "✓ 达标"
    assert (a[2].value, a[5].value, a[6].value) == (4.0, 100, 4.5)
    assert presenters.indicator_summary(result, standard, "R9", "primary") is None


def test_indicator_chart_bars_lines_and_colours(result, standard):
    rows = presenters.indicator_rows(result, "R4", "primary")
    summary = presenters.indicator_summary(result, standard, "R4", "primary")
    base = charts.indicator_chart(rows, summary).options["baseOption"]
    assert base["xAxis"]["data"] == ["北关小学", "东关小学", "西关小学", "南关小学"]
    by_name = {s["name"]: s["data"] for s in base["series"]}
    assert by_name == {
        "达标": ["-", "-", 6.0, 10.0],
        "未达标": ["-", 4.0, "-", "-"],
        "低于 85%": [3.0, "-", "-", "-"],
    }
    lines = {line["name"]: line["yAxis"] for line in base["series"][0]["markLine"]["data"]}
    assert lines == {"标准": 4.5, "85%": pytest.approx(3.825), "加权平均值": 5.8}
    assert "dataZoom" not in base


def test_cv_chart_marks_the_cv_over_its_limit():
    series = {
        "items": ["R1", "R2"],
        "names": ["a", "b"],
        "short": ["R1 甲", "R2 乙"],
        "levels": [
            {
                "level": "primary",
                "label": "小学",
                "cv": [0.2, 0.6],
                "limit": [0.5, 0.5],
                "passes": [True, False],
                "schools": [3, 3],
            }
        ],
    }
    options = charts.cv_chart(series).options
    bar = options["baseOption"]["series"][0]
    assert [p["value"] for p in bar["data"]] == [0.2, 0.6]
    assert "itemStyle" not in bar["data"][0] and bar["data"][1]["itemStyle"]["color"] == charts.FAIL
    assert bar["markLine"]["data"] == [{"yAxis": 0.5}]
    assert options["baseOption"]["yAxis"]["max"] == 0.7  # the limit and the bar stay in view
    assert options["media"][0]["option"]["xAxis"]["data"] == ["R1", "R2"]


def test_school_segments_and_chart_as_share_of_threshold(result, standard):
    (seg,) = presenters.school_segments(result, "a", standard)
    r4 = next(i for i in seg["indicators"] if i["id"] == "R4")
    assert r4["ratio"] == "88.9%" and r4["raw"]["ratio"] == pytest.approx(4.0 / 4.5)
    assert r4["floor"] == "3.825"
    chart = charts.school_chart(seg, "chart-school-primary")
    base = chart.options["baseOption"]
    by_name = {s["name"]: s["data"] for s in base["series"]}
    assert by_name["未达标"][3] == 88.9
    assert by_name["达标"][0] == 238.1  # R1: 10 teachers per 100 students against 4.2
    lines = [line["xAxis"] for line in base["series"][0]["markLine"]["data"]]
    assert lines == [100, pytest.approx(85.0)]
    table = presenters.school_table([seg])
    row = next(r for r in table.rows if r[1].text == "R4")
    assert (row[0].text, row[3].value, row[4].value, row[6].value) == (
        "小学",
        4.0,
        4.5,
        pytest.approx(4.0 / 4.5),
    )
    assert table.headers[5] == "85% 底线" and row[7].value == "未达标"


def test_gaps_and_schools_tables(result):
    gaps = presenters.gaps_table(result)
    ((level, item, sentence, total, unit, schools),) = gaps.rows
    assert (level.text, item.text, total.value, total.text, unit.text, schools.value) == (
        "小学",
        "R4",
        200.0,
        "200",
        "㎡",
        2,
    )
    assert sentence.text == "新建小学教学及辅助用房 200 ㎡（涉及 2 所学校）"
    table = presenters.schools_table(result, lambda sid: f"/s/{sid}/")
    first = table.rows[0]
    assert first[1].text == "北关小学" and first[2].text == "✗ 未达标" and first[3].text == "—"
    assert "R4" in first[4].text
    assert {row[1].text for row in table.rows} == set(NAMES.values())


def test_trend_tables_follow_the_years(standard):
    earlier = evaluate(tiny(c_area=800.0), standard).to_dict()["counties"][0]
    later = evaluate(tiny(), standard).to_dict()["counties"][0]
    years = [
        {"year": "2025", "summary": earlier["summary"]},
        {"year": "2026", "summary": later["summary"]},
    ]
    table = presenters.trend_table(years)
    assert [r[0].text for r in table.rows] == ["2025", "2026"]
    assert table.rows[1][2].text == "资源配置" and table.rows[1][3].value == 1
    series = presenters.trend_cv_series(years, "primary", ["R1", "R4"])
    assert series["values"]["R4"][1] == pytest.approx(0.413793, abs=1e-6)
    assert series["values"]["R4"][0] < series["values"]["R4"][1]  # c had less space: less spread
    cv_table = presenters.trend_cv_table(series)
    assert cv_table.headers == ("学年", "R1", "R4") and cv_table.rows[1][2].text == "0.414"
    chart = charts.trend_chart(series, "chart-trend-primary").options["baseOption"]
    assert [s["name"] for s in chart["series"]] == ["R1", "R4"]
    assert chart["series"][0]["markLine"]["data"] == [{"yAxis": 0.5}]


def _summary(parts_failing: int, segments: int, ratio: float | None) -> dict:
    keys = ["R", "G", "Q", "S", "veto"]
    return {
        "verdict": parts_failing == 0,
        "parts": {k: i >= parts_failing for i, k in enumerate(keys)},
        "segments_failing": segments,
        "cv_over_limit": 0,
        "worst_cv": {},
        "worst_ratio": ratio,
    }


def test_readiness_ranking_follows_the_stated_rule():
    entries = [
        {"county_id": 1, "name": "甲", "summary": _summary(1, 0, 0.9)},
        {"county_id": 2, "name": "乙", "summary": _summary(0, 3, 0.5)},
        {"county_id": 3, "name": "丙", "summary": _summary(1, 0, 0.4)},
        {"county_id": 4, "name": "丁", "summary": _summary(1, 2, 0.1)},
        {"county_id": 5, "name": "戊", "summary": None},
        {"county_id": 6, "name": "己", "summary": _summary(1, 0, None)},
    ]
    rows = presenters.compare_rows(entries)
    # no failing part first; then fewer failing segments; then the smaller worst ratio
    # (unknown ratio last among equals); unevaluated counties unranked at the end
    assert [r["name"] for r in rows] == ["乙", "丙", "甲", "己", "丁", "戊"]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5, None]
    undecided = _summary(0, 0, 0.1)
    undecided["parts"]["S"] = None  # cannot be decided counts as not passed
    assert presenters.readiness_key(undecided)[0] == 1
    table = presenters.compare_table(rows, lambda cid: f"/c/{cid}/")
    assert table.rows[0][0].value == 1 and table.rows[0][1].href == "/c/2/"
    assert table.rows[-1][3].text == "尚未评估" and table.rows[-1][1].href == ""
    assert "排名规则" in table.note
    chart = charts.compare_chart(rows).options["baseOption"]
    assert chart["yAxis"]["data"] == ["乙", "丙", "甲", "己", "丁"]
