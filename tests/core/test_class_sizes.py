"""Class sizes: bands at their edges, sums, dated targets and the classes behind G5, by hand."""

from __future__ import annotations

import copy
import dataclasses
import re
from fractions import Fraction
from pathlib import Path

import polars as pl
import pytest
import yaml

from junheng.core.class_sizes import (
    ClassSizeError,
    Target,
    band_counts,
    class_limits,
    class_sizes_entries,
    class_sizes_to_dict,
    classified,
    county_counts,
    default_rules,
    describe_target,
    g5_explanation,
    judge_targets,
    load_rules,
    rules_from_mapping,
    targets_from_records,
    township_counts,
)
from junheng.core.dataset import Dataset
from junheng.core.standard import Threshold
from junheng.demo import demo_county, national_dataset
from junheng.demo_plans import with_plans
from junheng.standards import load_standard

RULES_FILE = Path(__file__).parents[2] / "junheng" / "core" / "class_sizes.yaml"

# Schools: two primary schools in 城关镇, a junior school in 河口乡, a primary school in 乙县.
SCHOOLS = pl.DataFrame(
    {
        "school_id": ["p1", "p2", "j1", "y1"],
        "name": ["城关一小", "城关二小", "河口中学", "乙县一小"],
        "county": ["甲县", "甲县", "甲县", "乙县"],
        "kind": ["primary", "primary", "junior", "primary"],
        "township": ["城关镇", "城关镇", "河口乡", "某镇"],
    }
)


def dataset(classes: list[tuple[str, int, int, int]], segments: pl.DataFrame | None = None):
    """classes: (school_id, year, grade, students); class names numbered within school-grade."""
    seen: dict[tuple[str, int, int], int] = {}
    rows = []
    for sid, year, grade, students in classes:
        n = seen[(sid, year, grade)] = seen.get((sid, year, grade), 0) + 1
        rows.append((sid, year, grade, str(n), students))
    frame = pl.DataFrame(
        rows, schema=["school_id", "year", "grade", "class_name", "students"], orient="row"
    )
    if segments is None:
        segments = pl.DataFrame(
            {"school_id": ["p1"], "level": ["primary"], "students": [1], "classes": [1]}
        )
    return Dataset.build(SCHOOLS, segments, classes=frame)


def band_of(students: int, grade: int) -> str:
    ds = dataset([("p1" if grade <= 6 else "j1", 2025, grade, students)])
    return classified(ds)["band"].item()


@pytest.mark.parametrize(
    ("students", "band"),
    [
        (45, "standard"),  # 标准班额 ≤ 45 at primary: 45 is the line
        (46, "over_standard"),  # one past it
        (55, "over_standard"),
        (56, "large"),
        (65, "large"),
        (66, "super_large"),
    ],
)
def test_primary_band_edges(students: int, band: str) -> None:
    assert band_of(students, grade=3) == band


@pytest.mark.parametrize(
    ("students", "band"),
    [
        (50, "standard"),  # 标准班额 ≤ 50 at junior
        (51, "over_standard"),
        (55, "over_standard"),
        (56, "large"),
        (65, "large"),
        (66, "super_large"),
    ],
)
def test_junior_band_edges(students: int, band: str) -> None:
    assert band_of(students, grade=8) == band


def test_grade_six_is_primary_and_seven_junior() -> None:
    # 46 students: over the primary standard (45), within the junior one (50).
    assert band_of(46, grade=6) == "over_standard"
    assert band_of(46, grade=7) == "standard"


# 2025: 城关一小 45, 46, 58, 66; 城关二小 56, 57; 河口中学 50, 51, 70; 乙县一小 60.
# 2024: 城关一小 70.
ROWS = [
    ("p1", 2025, 1, 45),
    ("p1", 2025, 1, 46),
    ("p1", 2025, 2, 58),
    ("p1", 2025, 3, 66),
    ("p2", 2025, 1, 56),
    ("p2", 2025, 2, 57),
    ("j1", 2025, 7, 50),
    ("j1", 2025, 8, 51),
    ("j1", 2025, 9, 70),
    ("y1", 2025, 1, 60),
    ("p1", 2024, 1, 70),
]


def counts_of(frame: pl.DataFrame, **where: object) -> dict[str, tuple[int, int]]:
    for column, value in where.items():
        frame = frame.filter(pl.col(column) == value)
    return {b: (c, s) for b, c, s in frame.select("band", "classes", "students").iter_rows()}


def test_school_counts_every_band_with_students() -> None:
    counts = band_counts(dataset(ROWS))
    # 城关一小 2025: 45 standard; 46 over; 58 large; 66 super large.
    assert counts_of(counts, school_id="p1", year=2025) == {
        "standard": (1, 45),
        "over_standard": (1, 46),
        "large": (1, 58),
        "super_large": (1, 66),
    }
    # 城关二小 2025: 56 and 57 both large (56–65): 2 classes, 113 students.
    assert counts_of(counts, school_id="p2", year=2025) == {
        "standard": (0, 0),
        "over_standard": (0, 0),
        "large": (2, 113),
        "super_large": (0, 0),
    }
    assert counts.filter(pl.col("school_id") == "p1")["year"].unique().sort().to_list() == [
        2024,
        2025,
    ]


def test_township_and_county_sums() -> None:
    ds = dataset(ROWS)
    town = township_counts(ds)
    # 城关镇 2025 primary = 城关一小 + 城关二小: standard 1 (45), over 1 (46),
    # large 1 + 2 = 3 (58 + 56 + 57 = 171), super large 1 (66).
    assert counts_of(town, township="城关镇", year=2025, level="primary") == {
        "standard": (1, 45),
        "over_standard": (1, 46),
        "large": (3, 171),
        "super_large": (1, 66),
    }
    # 河口乡 is junior only: 50 standard, 51 over, 70 super large.
    assert counts_of(town, township="河口乡", year=2025, level="junior") == {
        "standard": (1, 50),
        "over_standard": (1, 51),
        "large": (0, 0),
        "super_large": (1, 70),
    }
    assert town.filter(pl.col("township") == "河口乡")["level"].unique().to_list() == ["junior"]
    county = county_counts(ds)
    # 甲县 2025 primary is 城关镇's; 乙县 is counted apart (60 → large).
    assert counts_of(county, county="甲县", year=2025, level="primary") == counts_of(
        town, township="城关镇", year=2025, level="primary"
    )
    assert counts_of(county, county="乙县", year=2025)["large"] == (1, 60)
    # Every class once: 11 rows in, 11 classes counted at each level of aggregation.
    for frame in (band_counts(ds), town, county):
        assert frame["classes"].sum() == 11


def test_class_of_unlisted_school_and_empty_table() -> None:
    assert band_counts(dataset([("zz", 2025, 1, 70)])).is_empty()
    empty = Dataset.build(SCHOOLS, pl.DataFrame({"school_id": ["p1"], "level": ["primary"]}))
    assert band_counts(empty).is_empty()
    assert class_sizes_to_dict(empty, "甲县", year=2025, standard=load_standard()) is None


def no_large_from(year: int, **kw: object) -> Target:
    return Target(band="large", year=year, source="县教育局规划", **kw)


def test_target_failed_at_one_met_at_zero() -> None:
    # 乙县 2025 has one 60-student class: one 56+ class against a target of 0 → not met.
    # 乙县 2024 has none at all (no rows): the 2024 target year is undecided.
    counts = band_counts(dataset(ROWS))
    failed = judge_targets(counts, [no_large_from(2025)], counties=["乙县"])
    assert [(r.year, r.met, r.classes, r.allowed) for r in failed] == [(2025, False, 1, 0)]
    assert (
        failed[0].sentence
        == "2025年秋季：56人以上大班额 1 个（乙县一小 1 个），目标为 0 个，未实现"
    )
    # Same county with the 60 brought down to 55: zero 56+ classes → met.
    fixed = band_counts(dataset([("y1", 2025, 1, 55)]))
    met = judge_targets(fixed, [no_large_from(2025)])
    assert [(r.year, r.met, r.classes) for r in met] == [(2025, True, 0)]
    assert met[0].sentence == "2025年秋季：56人以上大班额 0 个，目标为 0 个，已实现"


def test_target_names_schools_and_counts_larger_bands() -> None:
    # 甲县 2025, 56+: 城关一小 58, 66 (2); 城关二小 56, 57 (2); 河口中学 70 (1) → 5.
    results = judge_targets(band_counts(dataset(ROWS)), [no_large_from(2025)], counties=["甲县"])
    (result,) = results
    assert (result.classes, result.total_classes, result.met) == (5, 9, False)
    assert result.schools == (("城关一小", 2), ("城关二小", 2), ("河口中学", 1))
    assert result.sentence == (
        "2025年秋季：56人以上大班额 5 个（城关一小 2 个，城关二小 2 个，河口中学 1 个），"
        "目标为 0 个，未实现"
    )


def test_sentence_names_at_most_the_configured_schools() -> None:
    rules = dataclasses.replace(default_rules(), schools_in_sentence=1)
    (result,) = judge_targets(
        band_counts(dataset(ROWS)), [no_large_from(2025)], rules=rules, counties=["甲县"]
    )
    # Two schools after the first: 城关二小 2 + 河口中学 1 = 3 classes.
    assert "（城关一小 2 个，另 2 所学校共 3 个）" in result.sentence


def test_target_years_span_and_missing_years() -> None:
    # 甲县 has rows in 2024 and 2025 only.
    counts = band_counts(dataset(ROWS))
    # A target from 2020: judged from the first year with rows (2024) to the last (2025).
    # 2024: 城关一小's 70 → 1 class, not met.
    early = judge_targets(counts, [no_large_from(2020)], counties=["甲县"])
    assert [(r.year, r.met, r.classes) for r in early] == [(2024, False, 1), (2025, False, 5)]
    # A target from 2026, beyond the data: the year is undecided, with its sentence.
    late = judge_targets(counts, [no_large_from(2026)], counties=["甲县"])
    assert [(r.year, r.met, r.classes) for r in late] == [(2026, None, None)]
    assert late[0].sentence == "2026年秋季：没有班级学生数，56人以上大班额目标为 0 个，无法判断"
    # A gap inside the span (2023 and 2025, no 2024) is undecided too.
    gap = band_counts(dataset([("p1", 2023, 1, 40), ("p1", 2025, 1, 40)]))
    assert [(r.year, r.met) for r in judge_targets(gap, [no_large_from(2023)])] == [
        (2023, True),
        (2024, None),
        (2025, True),
    ]
    # A county without any class rows: None in the target's year.
    none = judge_targets(counts, [no_large_from(2025)], counties=["丙县"])
    assert [(r.county, r.year, r.met) for r in none] == [("丙县", 2025, None)]


def test_level_target_and_share() -> None:
    counts = band_counts(dataset(ROWS))
    # Junior only, 超过标准班额 (51+): 河口中学 51 and 70 → 2 of its 3 classes.
    junior = Target(band="over_standard", year=2025, level="junior", source="规划")
    (result,) = judge_targets(counts, [junior], counties=["甲县"])
    assert (result.classes, result.total_classes, result.met) == (2, 3, False)
    assert result.label == "初中51人以上超过标准班额"
    # A share: 5 of 甲县's 9 classes in 2025 are 56+. 50 % of 9 = 4.5 → 4 allowed: not met;
    # 5/9 ≈ 55.6 %, so 0.56 × 9 = 5.04 → 5 allowed: met (at the line).
    half = no_large_from(2025, max_share=Fraction("0.5"))
    at_line = no_large_from(2025, max_share=Fraction("0.56"))
    results = judge_targets(counts, [half, at_line], counties=["甲县"])
    assert [(r.allowed, r.met) for r in results] == [(4, False), (5, True)]
    assert results[0].sentence.endswith("目标为不超过 4 个（总班数 9 个的 50%），未实现")
    # Allowing a count: 5 allowed → met at 5; 4 allowed → not met.
    counted = [no_large_from(2025, max_classes=5), no_large_from(2025, max_classes=4)]
    assert [r.met for r in judge_targets(counts, counted, counties=["甲县"])] == [True, False]


def test_share_is_exact_decimal() -> None:
    # 0.29 × 100 classes is 29 exactly (as a float product it would floor to 28).
    records = [{"band": "large", "year": 2025, "max_share": 0.29, "source": "规划"}]
    (target,) = targets_from_records(records, default_rules().bands)
    counts = band_counts(dataset([("y1", 2025, 1, 60)] * 29 + [("y1", 2025, 2, 40)] * 71))
    (result,) = judge_targets(counts, [target])
    assert (result.classes, result.allowed, result.met) == (29, 29, True)


def test_default_targets_and_descriptions() -> None:
    rules = default_rules()
    assert [(t.band, t.year, t.max_classes) for t in rules.targets] == [
        ("super_large", 2018, 0),
        ("large", 2020, 0),
    ]
    assert describe_target(rules.targets[1]) == "到2020年秋季，56人以上大班额为 0 个"
    assert rules.label("over_standard") == "超过标准班额（小学46人以上、初中51人以上）"
    assert rules.ranges("primary") == ["45人以下", "46—55人", "56—65人", "66人以上"]


def test_yaml_standard_band_is_the_g5_limit() -> None:
    # The band table and the standard must agree on what 标准班额 is.
    standard_band = default_rules().bands[0]
    assert dict(standard_band.maxima) == class_limits(load_standard("national-2017"))


def segments(rows: list[tuple[str, str, int | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"school_id": pl.String, "level": pl.String, "max_class_size": pl.Int64},
        orient="row",
    )


def test_g5_explanation_names_the_classes_over_the_limit() -> None:
    # Reported 最大班额: 城关一小 66 (agrees with its rows), 城关二小 55 (its rows say 57),
    # 河口中学 not reported (its rows say 70).
    seg = segments([("p1", "primary", 66), ("p2", "primary", 55), ("j1", "junior", None)])
    ds = dataset(ROWS, seg)
    g5 = g5_explanation(ds, 2025, "甲县", load_standard("national-2017"))
    # Over 45 at primary: 城关一小 46, 58, 66; 城关二小 56, 57. Over 50 at junior: 河口中学
    # 51, 70 (50 itself is at the line and not listed).
    assert [(s["school"], s["level"], s["classes"], s["largest"]) for s in g5.schools] == [
        ("城关一小", "primary", 3, 66),
        ("河口中学", "junior", 2, 70),
        ("城关二小", "primary", 2, 57),
    ]
    assert [r["students"] for r in g5.schools[0]["rows"]] == [66, 58, 46]
    assert g5.sentence == (
        "2025年秋季超过 G5 班额上限（小学 45 人、初中 50 人）的班级 7 个："
        "城关一小（小学）3 个，最大 66 人，河口中学（初中）2 个，最大 70 人，"
        "城关二小（小学）2 个，最大 57 人"
    )
    assert [(n["school"], n["reported"], n["largest"]) for n in g5.notes] == [
        ("城关二小", 55, 57),
        ("河口中学", None, 70),
    ]
    assert (
        g5.notes[1]["sentence"]
        == "河口中学（初中）：学段表未填最大班额，班级学生数中最大的班 70 人"
    )


def test_g5_limit_is_read_from_the_standard() -> None:
    # A variant allowing 60 at primary: only 城关一小's 66 is over it.
    standard = load_standard("national-2017")
    item = standard.items["G5"]
    check = dataclasses.replace(
        item.checks[0], threshold=Threshold(by="level", values={"primary": 60, "junior": 70})
    )
    variant = dataclasses.replace(
        standard,
        items={**standard.items, "G5": dataclasses.replace(item, checks=(check,))},
    )
    g5 = g5_explanation(dataset(ROWS), 2025, "甲县", variant)
    assert [(s["school"], s["classes"]) for s in g5.schools] == [("城关一小", 1)]
    without = dataclasses.replace(
        standard, items={k: v for k, v in standard.items.items() if k != "G5"}
    )
    assert g5_explanation(dataset(ROWS), 2025, "甲县", without).schools == ()


def test_g5_explanation_without_rows_and_within_limit() -> None:
    standard = load_standard("national-2017")
    none = g5_explanation(dataset(ROWS), 2023, "甲县", standard)
    assert (none.has_data, none.sentence) == (
        False,
        "2023年秋季没有班级学生数，无法列出超过 G5 班额上限的班级",
    )
    fine = g5_explanation(dataset([("p1", 2025, 1, 45)]), 2025, "甲县", standard)
    assert fine.sentence == "2025年秋季所有班级均不超过 G5 班额上限（小学 45 人、初中 50 人）"


def test_class_sizes_to_dict() -> None:
    out = class_sizes_to_dict(dataset(ROWS), "甲县", year=2025, standard=load_standard())
    assert out is not None
    assert out["years"] == [2024, 2025]
    # 甲县 2025 primary: 45 | 46 | 58, 56, 57 | 66 → 6 classes, 328 students.
    primary = next(r for r in out["county"] if r["year"] == 2025 and r["level"] == "primary")
    assert primary["bands"] == {"standard": 1, "over_standard": 1, "large": 3, "super_large": 1}
    assert (primary["classes"], primary["students"]) == (6, 328)
    assert {r["township"] for r in out["townships"]} == {"城关镇", "河口乡"}
    assert {r["school"] for r in out["schools"]} == {"城关一小", "城关二小", "河口中学"}
    # Default targets from 2018 and 2020, judged over 2024 and 2025.
    assert [(t["target_year"], t["year"], t["met"]) for t in out["targets"]] == [
        (2018, 2024, False),
        (2018, 2025, False),
        (2020, 2024, False),
        (2020, 2025, False),
    ]
    assert (out["g5"]["year"], out["g5"]["classes"]) == (2025, 7)
    # Without a year, G5 is explained with the latest year of class rows (2025 here).
    latest = class_sizes_to_dict(dataset(ROWS), "甲县", standard=load_standard())
    assert latest is not None and latest["g5"] == out["g5"]
    # 2024 has only 城关一小's 70: one class over 45.
    older = class_sizes_to_dict(dataset(ROWS), "甲县", year=2024, standard=load_standard())
    assert older is not None and older["g5"]["classes"] == 1
    assert [b["name"] for b in out["bands"]] == ["标准班额", "超标准班额", "大班额", "超大班额"]


def raw_rules() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra=1), "class_sizes.yaml：未知的字段“extra”"),
        (lambda d: d.pop("targets"), "class_sizes.yaml：缺少字段“targets”"),
        (lambda d: d["bands"][1].update(colour="红"), "bands[2]：未知的字段“colour”"),
        (lambda d: d["bands"][1]["max"].update(junior=50), "bands[2].max.junior：应大于前一个"),
        (
            lambda d: d["bands"][3].update(max={"primary": 80, "junior": 80}),
            "最后一个班额段没有上限",
        ),
        (lambda d: d["bands"][1]["max"].pop("primary"), "bands[2].max：缺少字段“primary”"),
        (lambda d: d["targets"][0].update(band="huge"), "targets[1].band：应为"),
        (lambda d: d["targets"][0].update(band="standard"), "targets[1].band：应为"),
        (lambda d: d["targets"][0].update(max_classes=-1), "targets[1].max_classes"),
        (lambda d: d["targets"][0].update(max_share=1), "targets[1].max_share"),
        (lambda d: d["targets"][1].update(level="senior"), "targets[2].level"),
        (lambda d: d["targets"][1].update(deadline=2020), "targets[2]：未知的字段“deadline”"),
        (lambda d: d.update(schools_in_sentence=0), "schools_in_sentence"),
    ],
)
def test_rules_refused_with_file_and_key(change, message: str) -> None:
    data = copy.deepcopy(raw_rules())
    change(data)
    with pytest.raises(ClassSizeError, match=re.escape(message)):
        rules_from_mapping(data)


def test_rules_file_read_errors(tmp_path: Path) -> None:
    bad = tmp_path / "班额.yaml"
    bad.write_text("bands: [", encoding="utf-8")
    with pytest.raises(ClassSizeError, match=re.escape("班额.yaml：第 1 行：YAML 格式错误")):
        load_rules(bad)
    with pytest.raises(ClassSizeError, match=re.escape("没有.yaml：文件：不存在或无法读取")):
        load_rules(tmp_path / "没有.yaml")
    twice = tmp_path / "twice.yaml"
    twice.write_text(RULES_FILE.read_text(encoding="utf-8") + "\nschools_in_sentence: 3\n")
    with pytest.raises(
        ClassSizeError, match=r"twice\.yaml：第 \d+ 行：.*重复的字段“schools_in_sentence”"
    ):
        load_rules(twice)
    assert load_rules(RULES_FILE) == default_rules()


def test_county_targets_refused_under_their_own_name() -> None:
    with pytest.raises(ClassSizeError, match=re.escape("县级目标：targets[1]：缺少字段“source”")):
        targets_from_records([{"band": "large", "year": 2025}], default_rules().bands)


# --- class_sizes_entries: every county at once ---------------------------------------------------


def synthetic_counties() -> Dataset:
    """Three counties of `national_dataset`, each segment's classes in 2024 and 2025 spread
    around its average size (-10 … +30, so every band and the G5 limit are crossed), a class of a
    school no county lists and a class without students."""
    ds = national_dataset(counties=3, segments_per_county=20)
    segs = ds.segments.with_row_index("n").filter(pl.col("classes") > 0)
    primary = pl.col("level") == "primary"
    rows = (
        segs.select("n", "school_id", "level", "students", "classes", year=pl.lit([2024, 2025]))
        .explode("year")
        .with_columns(i=pl.int_ranges(0, pl.col("classes")))
        .explode("i")
        .select(
            "school_id",
            "year",
            grade=pl.when(primary).then(1).otherwise(7)
            + pl.col("i") % pl.when(primary).then(6).otherwise(3),
            class_name=(pl.col("i") + 1).cast(pl.String),
            students=(
                pl.col("students") // pl.col("classes")
                + (pl.col("i") * 13 + pl.col("n") * 7 + pl.col("year")) % 41
                - 10
            ).clip(1),
        )
    )
    extra = pl.DataFrame(
        {
            "school_id": ["nowhere", ds.schools["school_id"][0]],
            "year": [2025, 2025],
            "grade": [1, 2],
            "class_name": ["1", "99"],
            "students": [80, None],
        },
        schema=rows.schema,
    )
    return dataclasses.replace(ds, classes=pl.concat([rows, extra]))


def demo_with_classes() -> Dataset:
    return with_plans(demo_county(with_grades=True), 2026)


@pytest.mark.parametrize("make", [demo_with_classes, synthetic_counties])
@pytest.mark.parametrize("year", [None, 2024])
def test_all_counties_at_once_are_each_county_alone(make, year) -> None:
    ds = make()
    standard = load_standard()
    entries = class_sizes_entries(ds, year=year, standard=standard)
    assert list(entries) == ds.counties
    for county in ds.counties:
        assert entries[county] == class_sizes_to_dict(ds, county, year=year, standard=standard)


def test_the_synthetic_counties_cross_every_line() -> None:
    # So the comparison above covers schools over G5, notes, unmet targets and both years.
    entries = class_sizes_entries(synthetic_counties(), standard=load_standard())
    assert len(entries) == 3
    for entry in entries.values():
        assert entry["years"] == [2024, 2025]
        assert entry["g5"]["schools"] and entry["g5"]["notes"]
        assert False in {t["met"] for t in entry["targets"]}
        for band in ("standard", "over_standard", "large", "super_large"):
            assert sum(r["bands"][band] for r in entry["county"]) > 0
    # The class of the school no county lists (80 students) is nowhere.
    assert all(r["school_id"] != "nowhere" for e in entries.values() for r in e["schools"])


def test_entries_by_hand_for_two_counties() -> None:
    entries = class_sizes_entries(dataset(ROWS), standard=load_standard())
    assert list(entries) == ["甲县", "乙县"]
    # 乙县 2025: one class of 60 → 大班额 (56–65); G5 lists it (over 45) and targets fail.
    (record,) = entries["乙县"]["county"]
    assert (record["year"], record["bands"]["large"], record["students"]) == (2025, 1, 60)
    assert entries["乙县"]["g5"]["classes"] == 1
    assert [(t["target_year"], t["year"], t["met"]) for t in entries["乙县"]["targets"]] == [
        (2018, 2025, True),  # no 66+ class
        (2020, 2025, False),  # the 60
    ]
    empty = Dataset.build(SCHOOLS, pl.DataFrame({"school_id": ["p1"], "level": ["primary"]}))
    assert class_sizes_entries(empty, standard=load_standard()) == {}


# --- class_limits: the one reading of the standard's 最大班额 limit -------------------------------


def with_g5(standard, **change):
    item = standard.items["G5"]
    check = dataclasses.replace(item.checks[0], **change)
    return dataclasses.replace(
        standard, items={**standard.items, "G5": dataclasses.replace(item, checks=(check,))}
    )


def test_class_limits_per_level_constant_and_none() -> None:
    national = load_standard("national-2017")
    assert class_limits(national) == {"primary": 45.0, "junior": 50.0}
    # One limit for both levels.
    assert class_limits(with_g5(national, threshold=Threshold(constant=48))) == {
        "primary": 48.0,
        "junior": 48.0,
    }
    # A check that is not an upper limit is no class limit.
    assert class_limits(with_g5(national, op=">=")) == {}


def test_class_limits_found_under_another_item() -> None:
    # A province numbering the check differently still has its limit read.
    national = load_standard("national-2017")
    items = {("G5x" if k == "G5" else k): v for k, v in national.items.items()}
    renamed = dataclasses.replace(
        national, items={**items, "G5x": dataclasses.replace(items["G5x"], id="G5x")}
    )
    assert class_limits(renamed) == {"primary": 45.0, "junior": 50.0}
