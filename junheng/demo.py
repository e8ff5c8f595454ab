"""Synthetic data: the demo county 示范县 and national-scale data for benchmarks.

`demo_county` is a hand-designed county of about 60 schools whose evaluation shows the gaps real
counties report in their self-evaluations (short backbone teachers and sports area in rural
schools, large classes in town schools, an unbalanced distribution of backbone teachers) while most
indicators pass. `national_dataset` produces thousands of counties quickly for benchmarks.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.schema import GRADE_LEVELS

DEMO_COUNTY = "示范县"

# The standard's thresholds, used here only to place synthetic values on the intended side of
# each threshold; evaluations take their thresholds from the standard file, not from here.
_THRESHOLDS: dict[str, dict[str, float]] = {
    "primary": {"R1": 4.2, "R2": 1.0, "R3": 0.9, "R4": 4.5, "R5": 7.5, "R6": 2000.0, "R7": 2.3},
    "junior": {"R1": 5.3, "R2": 1.0, "R3": 0.9, "R4": 5.8, "R5": 10.2, "R6": 2500.0, "R7": 2.4},
}
_NEAR = 0.85
_JUNIOR_WEIGHT = 1.1
_CLASS_LIMIT = {"primary": 45, "junior": 50}
_GRADES = {"primary": 6, "junior": 3}
_SURVEY_GROUPS = ("学生", "家长", "教师", "校长", "人大代表", "政协委员", "其他群众")
_FACILITY_COLUMNS = (
    "teaching_aux_area_m2",
    "sports_ground_area_m2",
    "indoor_sports_area_m2",
    "equipment_value_yuan",
    "multimedia_rooms",
)

# ---------------------------------------------------------------------------------------------
# The demo county
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Seg:
    level: str
    students: int
    factors: dict[str, float] = field(default_factory=dict)
    """Designed value of R2–R7 as a multiple of the threshold; indicators not given are drawn."""
    max_class: int | None = None
    music_min: float | None = None
    art_min: float | None = None
    rooms_short: bool = False


@dataclass(frozen=True)
class _School:
    name: str
    kind: str
    area: str
    township: str
    segs: tuple[_Seg, ...]
    ownership: str = "public"
    parent: str | None = None
    shared: bool = False
    """Facilities reported once on the schools row (combined schools only)."""
    comfortable: bool = False
    budget_share: float | None = None


def _p(students: int, **kw: Any) -> _Seg:
    return _seg("primary", students, **kw)


def _j(students: int, **kw: Any) -> _Seg:
    return _seg("junior", students, **kw)


def _seg(
    level: str,
    students: int,
    *,
    max_class: int | None = None,
    music_min: float | None = None,
    art_min: float | None = None,
    rooms_short: bool = False,
    **factors: float,
) -> _Seg:
    return _Seg(level, students, factors, max_class, music_min, art_min, rooms_short)


_TOWNSHIPS: tuple[str, ...] = (
    "城关镇",
    "石桥镇",
    "青龙镇",
    "白马镇",
    "柳河镇",
    "桃源镇",
    "梨园乡",
    "双庙乡",
    "大王庄乡",
    "东岭乡",
    "马营乡",
    "红石乡",
)

_S, _T, _R = "urban", "town", "rural"

# The designed gaps are marked on the segments; everything not marked is drawn from ranges that
# pass. Sizes of rural schools and designed counts are chosen so the intended band is reachable
# with whole teachers (e.g. 3 backbone teachers for 350 students is 0.857 per 100).
_DEMO_SCHOOLS: tuple[_School, ...] = (
    # 城关镇 — the county town
    _School("城关第一小学", "primary", _S, "城关镇", (_p(2260),)),
    _School("城关第二小学", "primary", _S, "城关镇", (_p(1860),), comfortable=True),
    _School("城关第三小学", "primary", _S, "城关镇", (_p(1640),)),
    _School("城关第四小学", "primary", _S, "城关镇", (_p(1420),)),
    _School("城关第五小学", "primary", _S, "城关镇", (_p(1230),)),
    _School("示范县实验小学", "primary", _S, "城关镇", (_p(1960),)),
    _School("示范县博雅小学", "primary", _S, "城关镇", (_p(960),), ownership="private"),
    _School("示范县第一初级中学", "junior", _S, "城关镇", (_j(1750),)),
    _School("示范县第二初级中学", "junior", _S, "城关镇", (_j(1520),)),
    _School("示范县实验中学", "junior", _S, "城关镇", (_j(1280),)),
    _School(
        "育才九年一贯制学校",
        "nine_year",
        _S,
        "城关镇",
        (_p(1120), _j(760)),
        shared=True,
        comfortable=True,
    ),
    _School("示范县特殊教育学校", "special", _S, "城关镇", (_p(96), _j(38))),
    # 石桥镇
    _School("石桥镇中心小学", "primary", _T, "石桥镇", (_p(1380, max_class=56, rooms_short=True),)),
    _School("石桥镇初级中学", "junior", _T, "石桥镇", (_j(980),)),
    _School("石桥镇后营小学", "primary", _R, "石桥镇", (_p(260),)),
    _School("石桥镇西沟小学", "primary", _R, "石桥镇", (_p(180),)),
    _School("石桥镇东关小学", "primary", _R, "石桥镇", (_p(150),)),
    _School("石桥镇张庄教学点", "teaching_point", _R, "石桥镇", (_p(38),), parent="石桥镇中心小学"),
    # 青龙镇
    _School("青龙镇中心小学", "primary", _T, "青龙镇", (_p(1150, max_class=48),)),
    _School("青龙镇初级中学", "junior", _T, "青龙镇", (_j(860, R5=0.92),)),
    _School("青龙镇李家湾小学", "primary", _R, "青龙镇", (_p(310),)),
    _School("青龙镇马坊小学", "primary", _R, "青龙镇", (_p(140),)),
    _School("青龙镇北岗教学点", "teaching_point", _R, "青龙镇", (_p(67),), parent="青龙镇中心小学"),
    # 白马镇
    _School("白马镇中心小学", "primary", _T, "白马镇", (_p(1040),)),
    _School("白马镇初级中学", "junior", _T, "白马镇", (_j(1120, max_class=54),)),
    _School("白马镇南河小学", "primary", _R, "白马镇", (_p(240),)),
    _School("白马镇杏林小学", "primary", _R, "白马镇", (_p(120, music_min=82.0),)),
    _School(
        "白马镇孙家庄教学点", "teaching_point", _R, "白马镇", (_p(50),), parent="白马镇中心小学"
    ),
    # 柳河镇
    _School("柳河镇中心小学", "primary", _T, "柳河镇", (_p(880),)),
    _School("柳河镇九年一贯制学校", "nine_year", _T, "柳河镇", (_p(520), _j(430))),
    _School("柳河镇前屯小学", "primary", _R, "柳河镇", (_p(210, R5=0.92),)),
    _School("柳河镇杨庄小学", "primary", _R, "柳河镇", (_p(160),), budget_share=0.042),
    _School("柳河镇河口教学点", "teaching_point", _R, "柳河镇", (_p(56),), parent="柳河镇中心小学"),
    # 桃源镇
    _School("桃源镇中心小学", "primary", _T, "桃源镇", (_p(760),), comfortable=True),
    _School("桃源镇初级中学", "junior", _T, "桃源镇", (_j(640),)),
    _School("桃源镇河湾小学", "primary", _R, "桃源镇", (_p(200),)),
    _School("桃源镇柿园小学", "primary", _R, "桃源镇", (_p(130),)),
    # 梨园乡
    _School("梨园乡中心小学", "primary", _R, "梨园乡", (_p(320, R2=0.62),)),
    _School("梨园乡初级中学", "junior", _R, "梨园乡", (_j(380, R2=0.53),)),
    _School("梨园乡高庄小学", "primary", _R, "梨园乡", (_p(130, art_min=76.0),)),
    _School("梨园村教学点", "teaching_point", _R, "梨园乡", (_p(49),), parent="梨园乡中心小学"),
    # 双庙乡
    _School("双庙乡中心小学", "primary", _R, "双庙乡", (_p(350, R2=0.86, R5=0.93),)),
    _School("双庙乡初级中学", "junior", _R, "双庙乡", (_j(420),)),
    _School("双庙乡王营小学", "primary", _R, "双庙乡", (_p(95, R5=0.8),)),
    _School("双庙村教学点", "teaching_point", _R, "双庙乡", (_p(23),), parent="双庙乡中心小学"),
    # 大王庄乡
    _School("大王庄乡中心小学", "primary", _R, "大王庄乡", (_p(330, R2=0.91),)),
    _School("大王庄乡九年一贯制学校", "nine_year", _R, "大王庄乡", (_p(280), _j(210))),
    _School(
        "大王庄乡刘庄教学点", "teaching_point", _R, "大王庄乡", (_p(31),), parent="大王庄乡中心小学"
    ),
    # 东岭乡
    _School("东岭乡中心小学", "primary", _R, "东岭乡", (_p(290),)),
    _School(
        "东岭乡九年一贯制学校",
        "nine_year",
        _R,
        "东岭乡",
        # Apportioned by 1 : 1.1 the junior part gets 1.1 × the primary per-student area, so
        # 7.70 m² for primary (passes 7.5) leaves 8.47 m² for junior (83 % of 10.2, fails).
        (_p(240, R5=1.027), _j(190, R5=0.83)),
        shared=True,
    ),
    _School("东岭乡上岭小学", "primary", _R, "东岭乡", (_p(90),)),
    _School("东岭乡石门教学点", "teaching_point", _R, "东岭乡", (_p(44),), parent="东岭乡中心小学"),
    # 马营乡
    _School("马营乡中心小学", "primary", _R, "马营乡", (_p(260),)),
    _School("马营乡初级中学", "junior", _R, "马营乡", (_j(340),)),
    _School("马营乡南庄小学", "primary", _R, "马营乡", (_p(150),)),
    _School("前进村教学点", "teaching_point", _R, "马营乡", (_p(18),), parent="马营乡中心小学"),
    # 红石乡
    _School("红石乡中心小学", "primary", _R, "红石乡", (_p(230),)),
    _School("红石乡初级中学", "junior", _R, "红石乡", (_j(310),)),
    _School("红石乡沟门小学", "primary", _R, "红石乡", (_p(110),)),
    _School("红石乡后沟教学点", "teaching_point", _R, "红石乡", (_p(27),), parent="红石乡中心小学"),
)

# Ranges of R2–R7 (multiples of the threshold) for segments without a designed value. Backbone
# teachers concentrate in the county town's junior schools, which is what makes the county's
# junior R2 coefficient of variation exceed 0.45.
_FACTOR_RANGES: dict[tuple[str, str], dict[str, tuple[float, float]]] = {
    ("urban", "primary"): {
        "R2": (1.6, 2.2),
        "R3": (1.12, 1.35),
        "R4": (1.05, 1.25),
        "R5": (1.03, 1.18),
        "R6": (1.3, 1.8),
        "R7": (1.05, 1.3),
    },
    ("urban", "junior"): {
        "R2": (2.8, 3.4),
        "R3": (1.12, 1.35),
        "R4": (1.05, 1.25),
        "R5": (1.03, 1.18),
        "R6": (1.3, 1.8),
        "R7": (1.05, 1.3),
    },
    ("town", "primary"): {
        "R2": (1.3, 1.8),
        "R3": (1.08, 1.3),
        "R4": (1.1, 1.35),
        "R5": (1.15, 1.6),
        "R6": (1.1, 1.5),
        "R7": (1.05, 1.35),
    },
    ("town", "junior"): {
        "R2": (1.02, 1.15),
        "R3": (1.08, 1.3),
        "R4": (1.1, 1.35),
        "R5": (1.1, 1.45),
        "R6": (1.1, 1.5),
        "R7": (1.05, 1.35),
    },
    ("rural", "primary"): {
        "R2": (1.05, 1.45),
        "R3": (1.1, 1.6),
        "R4": (1.3, 2.0),
        "R5": (1.3, 2.4),
        "R6": (1.05, 1.45),
        "R7": (1.2, 2.0),
    },
    ("rural", "junior"): {
        "R2": (1.0, 1.12),
        "R3": (1.1, 1.5),
        "R4": (1.2, 1.7),
        "R5": (1.15, 1.8),
        "R6": (1.05, 1.4),
        "R7": (1.2, 1.8),
    },
}
_COMFORTABLE_RANGE = (1.3, 1.7)
_COMFORTABLE_R2 = (2.0, 2.6)

# Students per full-time teacher, and teachers per class as a floor for small schools.
_TEACHER_RATIO = {
    ("urban", "primary"): (19.0, 20.5),
    ("town", "primary"): (17.0, 19.0),
    ("rural", "primary"): (13.0, 16.0),
    ("urban", "junior"): (11.8, 12.8),
    ("town", "junior"): (12.0, 13.5),
    ("rural", "junior"): (10.5, 12.5),
}
_TEACHERS_PER_CLASS = {"primary": 1.7, "junior": 3.0}
_AVERAGE_CLASS = {
    ("urban", "primary"): 42,
    ("town", "primary"): 40,
    ("rural", "primary"): 30,
    ("urban", "junior"): 46,
    ("town", "junior"): 45,
    ("rural", "junior"): 40,
}


def _beyond(value: float, bound: float) -> bool:
    # A relative margin keeps synthetic values off the exact threshold, where the result would
    # depend on the order of floating-point operations in the evaluator.
    return value > bound * (1 + 1e-9)


def _below(value: float, bound: float) -> bool:
    return value < bound * (1 - 1e-9)


def _in_band(value: float, threshold: float, factor: float) -> bool:
    """Does `value` fall in the band the design factor asks for: met, within 85 %, or short?"""
    if factor >= 1:
        return _beyond(value, threshold)
    if factor >= _NEAR:
        return _beyond(value, _NEAR * threshold) and _below(value, threshold)
    return _below(value, _NEAR * threshold)


def _count(per: float, threshold: float, factor: float, scale: float = 100.0) -> int:
    """Whole number n with scale·n/per in the band of `factor` (per = students), nearest target."""
    target = factor * threshold * per / scale
    for n in sorted(
        range(max(0, math.floor(target) - 3), math.ceil(target) + 4),
        key=lambda n: (abs(n - target), n),
    ):
        if _in_band(scale * n / per, threshold, factor):
            return n
    raise ValueError(f"no whole count for factor {factor} with {per} students")


def _amount(per: float, threshold: float, factor: float, ndigits: int) -> float:
    value = round(factor * threshold * per, ndigits)
    if not _in_band(value / per, threshold, factor):
        raise ValueError(f"rounding moved factor {factor} out of its band")
    return value


def _split_r5(rng: random.Random, total: float, area: str) -> tuple[float, float]:
    """Sports area as (ground, indoor hall): only town and county-town schools have halls."""
    share = {"urban": rng.uniform(0.08, 0.18), "town": rng.uniform(0.0, 0.08)}.get(area, 0.0)
    indoor = round(total * share, 1)
    return round(total - indoor, 1), indoor


def _degrees(
    rng: random.Random, teachers: int, students: int, level: str, area: str
) -> tuple[int, int, int, int]:
    """(postgraduate, bachelor, associate, below associate), summing to `teachers`, R1 met."""
    # Primary needs 专科 and above, junior 本科 and above; keep the qualified count clear of R1.
    required = math.ceil(1.05 * _THRESHOLDS[level]["R1"] * students / 100)
    if level == "primary":
        below = min(math.floor(teachers * rng.uniform(0.0, 0.05)), teachers - required)
        qualified = teachers - below
        post = math.floor(qualified * (rng.uniform(0.02, 0.06) if area == "urban" else 0.0))
        associate = math.floor(qualified * rng.uniform(0.1, 0.22 if area == "urban" else 0.4))
    else:
        below = min(math.floor(teachers * rng.uniform(0.0, 0.02)), teachers - required)
        associate = min(math.floor(teachers * rng.uniform(0.03, 0.12)), teachers - below - required)
        qualified = teachers - below - associate
        post = math.floor(qualified * rng.uniform(0.03, 0.1 if area == "urban" else 0.03))
    bachelor = teachers - post - associate - below
    return post, bachelor, associate, below


def _rooms(rng: random.Random, seg: _Seg, classes: int, kind: str, area: str) -> dict[str, object]:
    """Music and art rooms: one of each per 12 classes (G3), with their smallest room's area."""
    if kind == "teaching_point" and seg.students < 50:
        return {
            "music_rooms": 0,
            "music_room_min_area_m2": None,
            "art_rooms": 0,
            "art_room_min_area_m2": None,
        }
    needed = max(1, math.ceil(classes / 12))
    extra = 1 if area == "urban" and rng.random() < 0.3 else 0
    music_min = seg.music_min if seg.music_min is not None else round(rng.uniform(98, 128), 1)
    art_min = seg.art_min if seg.art_min is not None else round(rng.uniform(92, 118), 1)
    return {
        "music_rooms": needed + extra - (1 if seg.rooms_short else 0),
        "music_room_min_area_m2": music_min,
        "art_rooms": needed + extra,
        "art_room_min_area_m2": art_min,
    }


def _classes(rng: random.Random, seg: _Seg, kind: str, area: str) -> tuple[int, int]:
    """(classes, largest class) — large classes only where the design says so."""
    level, students = seg.level, seg.students
    if kind == "teaching_point":
        # Mixed-grade classes (复式班) of the lower grades.
        classes = max(2, math.ceil(students / 20))
    elif kind == "special":
        classes = math.ceil(students / 8)
    else:
        average = seg.max_class - 4 if seg.max_class else _AVERAGE_CLASS[(area, level)]
        grades = _GRADES[level]
        classes = grades * math.ceil(students / (grades * average))
    mean = math.ceil(students / classes)
    if seg.max_class is not None:
        return classes, max(seg.max_class, mean)
    return classes, min(_CLASS_LIMIT[level], mean + rng.randint(1, 4))


def _factors(rng: random.Random, school: _School, seg: _Seg) -> dict[str, float]:
    area = "urban" if school.kind == "special" else school.area
    ranges = _FACTOR_RANGES[(area, seg.level)]
    drawn: dict[str, float] = {}
    for key in ("R2", "R3", "R4", "R5", "R6", "R7"):
        low, high = ranges[key]
        if school.comfortable:
            low, high = _COMFORTABLE_R2 if key == "R2" else _COMFORTABLE_RANGE
        drawn[key] = round(rng.uniform(low, high), 3)
    return drawn | seg.factors


def _segment_row(rng: random.Random, school: _School, seg: _Seg, sid: str) -> dict[str, object]:
    level, students = seg.level, seg.students
    area = "urban" if school.kind == "special" else school.area
    limits = _THRESHOLDS[level]
    classes, max_class = _classes(rng, seg, school.kind, area)
    factors = _factors(rng, school, seg)

    if school.kind == "teaching_point":
        teachers = classes + 1
    elif school.kind == "special":
        teachers = math.ceil(students / 3.2)
    else:
        ratio = rng.uniform(*_TEACHER_RATIO[(area, level)])
        teachers = max(round(students / ratio), math.ceil(classes * _TEACHERS_PER_CLASS[level]))
    teachers = max(teachers, math.ceil(1.05 * limits["R1"] * students / 100) + 1)
    post, bachelor, associate, below = _degrees(rng, teachers, students, level, area)

    arts = _count(students, limits["R3"], factors["R3"])
    pe = math.ceil(arts * 0.45)
    music = math.ceil((arts - pe) / 2)

    row: dict[str, object] = {
        "school_id": sid,
        "level": level,
        "students": students,
        "classes": classes,
        "max_class_size": max_class,
        "teachers": teachers,
        "teachers_postgraduate": post,
        "teachers_bachelor": bachelor,
        "teachers_associate": associate,
        "teachers_below_associate": below,
        "backbone_teachers": min(teachers, _count(students, limits["R2"], factors["R2"])),
        "pe_teachers": pe,
        "music_teachers": music,
        "fine_art_teachers": arts - pe - music,
    }
    if school.shared:
        row |= dict.fromkeys(_FACILITY_COLUMNS)
    else:
        ground, indoor = _split_r5(rng, _amount(students, limits["R5"], factors["R5"], 1), area)
        row |= {
            "teaching_aux_area_m2": _amount(students, limits["R4"], factors["R4"], 1),
            "sports_ground_area_m2": ground,
            "indoor_sports_area_m2": indoor,
            "equipment_value_yuan": _amount(students, limits["R6"], factors["R6"], -2),
            "multimedia_rooms": _count(students, limits["R7"], factors["R7"]),
        }
    return row | _rooms(rng, seg, classes, school.kind, area)


def _shared_facilities(
    rng: random.Random, school: _School, factors: dict[str, dict[str, float]]
) -> dict[str, object]:
    """Whole-school facilities sized so the 1 : 1.1 apportionment gives the designed values.

    With A primary and B junior students and W = A + 1.1·B, apportionment gives the primary part
    total/W per student and the junior part 1.1·total/W, so one amount per weighted student
    (`unit`) fixes both segments' values.
    """
    students = {seg.level: seg.students for seg in school.segs}
    weighted = students["primary"] + _JUNIOR_WEIGHT * students["junior"]
    p, j = _THRESHOLDS["primary"], _THRESHOLDS["junior"]

    def unit(key: str) -> float:
        return max(
            factors["primary"][key] * p[key], factors["junior"][key] * j[key] / _JUNIOR_WEIGHT
        )

    teaching = round(unit("R4") * weighted, 1)
    sports = round(unit("R5") * weighted, 1)
    equipment = float(math.ceil(unit("R6") * weighted / 100) * 100)
    rooms = math.ceil(unit("R7") * weighted / 100)
    totals = {"R4": teaching, "R5": sports, "R6": equipment, "R7": 100.0 * rooms}
    for key, total in totals.items():
        for level, weight in (("primary", 1.0), ("junior", _JUNIOR_WEIGHT)):
            if not _in_band(
                weight * total / weighted, _THRESHOLDS[level][key], factors[level][key]
            ):
                raise ValueError(f"{school.name} {level} {key}: apportioned value out of band")
    ground, indoor = _split_r5(rng, sports, school.area)
    return {
        "teaching_aux_area_m2": teaching,
        "sports_ground_area_m2": ground,
        "indoor_sports_area_m2": indoor,
        "equipment_value_yuan": equipment,
        "multimedia_rooms": rooms,
    }


def _demo_ids() -> dict[str, str]:
    """School name → 10-digit code in the style of the national school identification code."""
    ids: dict[str, str] = {}
    per_township: dict[str, int] = {}
    for school in _DEMO_SCHOOLS:
        t = _TOWNSHIPS.index(school.township) + 1
        per_township[school.township] = per_township.get(school.township, 0) + 1
        ids[school.name] = f"2152{t:02d}{per_township[school.township]:04d}"
    return ids


def _demo_frames(rng: random.Random) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    ids = _demo_ids()
    school_rows: list[dict[str, object]] = []
    segment_rows: list[dict[str, object]] = []
    in_scope: list[str] = []
    for school in _DEMO_SCHOOLS:
        sid = ids[school.name]
        rows = [_segment_row(rng, school, seg, sid) for seg in school.segs]
        shared: dict[str, object] = dict.fromkeys(_FACILITY_COLUMNS)
        if school.shared:
            factors = {seg.level: _factors(rng, school, seg) for seg in school.segs}
            shared = _shared_facilities(rng, school, factors)
        school_rows.append(
            {
                "school_id": sid,
                "name": school.name,
                "county": DEMO_COUNTY,
                "kind": school.kind,
                "parent_id": ids[school.parent] if school.parent else None,
                "area_type": school.area,
                "ownership": school.ownership,
                "township": school.township,
                **shared,
            }
        )
        segment_rows.extend(rows)
        small_point = school.kind == "teaching_point" and school.segs[0].students < 50
        if school.kind != "special" and not small_point:
            in_scope.append(sid)
    schools = pl.DataFrame(school_rows, infer_schema_length=None)
    segments = pl.DataFrame(segment_rows, infer_schema_length=None)
    return schools, segments, in_scope


def _demo_county_facts() -> tuple[pl.DataFrame, pl.DataFrame]:
    facts: dict[str, object] = {
        "county": DEMO_COUNTY,
        "layout_plan_ok": True,
        "unified_standards_ok": True,
        "staffing_allocation_ok": True,
        "small_school_funding_ok": True,
        "special_ed_funds_per_student_yuan": 6500.0,
        "teacher_avg_pay_yuan": 98640.0,
        "civil_servant_avg_pay_yuan": 96210.0,
        "performance_pay_full": True,
        "training_360h_rate": 1.0,
        "rotation_rate": 0.12,
        # Fewer backbone teachers rotate than the required 20 % — a common finding (G11 fails).
        "rotation_backbone_share": 0.17,
        "certified_teacher_rate": 1.0,
        "nearby_admission_rate_primary": 1.0,
        "nearby_admission_rate_junior": 0.97,
        "quota_allocation_rate": 0.55,
        "migrant_public_rate": 0.91,
        "left_behind_care_ok": True,
        "junior_retention_rate": 0.973,
        "disabled_enrolment_rate": 0.962,
        "ict_use_ok": True,
        "curriculum_ok": True,
        "burden_ok": True,
        "monitoring_level_min": 3,
        "monitoring_school_diff_rate": 0.12,
        "recognition_rate": 0.89,
        "veto_exam_admission": False,
        "veto_school_choice": False,
        "veto_key_classes": False,
        "veto_unfilled_posts": False,
        "veto_major_accident": False,
        "veto_falsification": False,
    }
    notes = [
        ("layout_plan_ok", "《示范县义务教育学校布局规划（2021—2025年）》，县政府常务会议审议通过"),
        (
            "unified_standards_ok",
            "《示范县城乡义务教育学校建设、编制、公用经费和装备配备统一标准》（示政办〔2022〕15号）",
        ),
        (
            "staffing_allocation_ok",
            "县教育局会同县委编办统筹核定各校编制和岗位，2024年调剂编制46名",
        ),
        ("special_ed_funds_per_student_yuan", "特殊教育学校生均公用经费按6500元标准拨付"),
        ("rotation_rate", "2024年符合交流条件教师442人，交流轮岗53人"),
        ("rotation_backbone_share", "交流轮岗53人中县级及以上骨干教师9人"),
        ("monitoring_level_min", "《2024年国家义务教育质量监测示范县报告》"),
        ("recognition_rate", "社会认可度调查有效问卷620份"),
    ]
    notes_frame = pl.DataFrame(
        {
            "county": [DEMO_COUNTY] * len(notes),
            "fact": [fact for fact, _ in notes],
            "note": [note for _, note in notes],
        }
    )
    return pl.DataFrame([facts]), notes_frame


def _demo_school_facts(rng: random.Random, in_scope: list[str]) -> pl.DataFrame:
    ids = _demo_ids()
    designed = {ids[s.name]: s.budget_share for s in _DEMO_SCHOOLS if s.budget_share is not None}
    rows = [
        {
            "school_id": sid,
            "has_charter": True,
            "digitised_ok": True,
            "training_budget_share": designed.get(sid, round(rng.uniform(0.052, 0.08), 3)),
            "moral_education_rating": "优秀" if rng.random() < 0.45 else "良好",
        }
        for sid in in_scope
    ]
    return pl.DataFrame(rows)


def _demo_survey(rng: random.Random) -> pl.DataFrame:
    # Respondents per group (parents at least half, 620 in all) and each group's favourable rate.
    plan = {
        "学生": (92, 0.91),
        "家长": (316, 0.86),
        "教师": (88, 0.90),
        "校长": (40, 0.95),
        "人大代表": (22, 0.91),
        "政协委员": (20, 0.90),
        "其他群众": (42, 0.83),
    }
    rows = []
    for group in _SURVEY_GROUPS:
        total, rate = plan[group]
        favourable = round(total * rate)
        very = round(favourable * rng.uniform(0.5, 0.65))
        rest = total - favourable
        neutral = math.ceil(rest * rng.uniform(0.55, 0.7))
        unhappy = math.ceil((rest - neutral) * 0.7)
        rows.append(
            {
                "county": DEMO_COUNTY,
                "group": group,
                "answers_5": very,
                "answers_4": favourable - very,
                "answers_3": neutral,
                "answers_2": unhappy,
                "answers_1": rest - neutral - unhappy,
            }
        )
    return pl.DataFrame(rows)


def demo_county(seed: int = 2026, *, with_grades: bool = False) -> Dataset:
    """The demo county 示范县: 60 schools with realistic gaps, identical for equal seeds.

    Designed results (the seed only moves values within their bands):

    - R per segment, failing: 梨园乡中心小学 (R2 0.62), 梨园乡初级中学 (R2 0.53),
      双庙乡王营小学 (R5 80 %), 双庙乡中心小学 (R2 and R5 both in 85–100 %),
      东岭乡九年一贯制学校 junior (R5 83 % after apportioning the whole-school sports area).
    - R per segment, passing with one indicator in 85–100 %: 大王庄乡中心小学 (R2),
      柳河镇前屯小学 (R5), 青龙镇初级中学 (R5).
    - R balance: the junior R2 coefficient of variation exceeds 0.45, because backbone
      teachers concentrate in the county town's junior schools; all other CVs pass.
    - G3: 石桥镇中心小学 one music room short, 白马镇杏林小学 music room 82 m²,
      梨园乡高庄小学 art room 76 m². G4: 城关第一小学 has 2,260 students.
    - G5: largest class 56 at 石桥镇中心小学, 48 at 青龙镇中心小学, 54 at 白马镇初级中学.
    - G11: backbone teachers are 17 % of rotated teachers. Q4: 柳河镇杨庄小学 budgets 4.2 %.
    - Everything passes comfortably at 城关第二小学, 育才九年一贯制学校 and 桃源镇中心小学.

    `with_grades` adds grade enrolment for 2022–2026 (`demo_grades`) and births for 2014–2025
    (`demo_births`) for the enrolment projection; without it the dataset is exactly as it
    always was.
    """
    rng = random.Random(seed)
    schools, segments, in_scope = _demo_frames(rng)
    county_facts, notes = _demo_county_facts()
    dataset = Dataset.build(
        schools,
        segments,
        county_facts,
        _demo_school_facts(rng, in_scope),
        _demo_survey(rng),
        notes,
        source=f"demo:{DEMO_COUNTY}:{seed}",
    )
    if with_grades:
        grades = demo_grades(dataset, seed=seed)
        dataset = replace(dataset, grades=grades, births=demo_births(grades, seed=seed))
    return dataset


DEMO_GRADE_YEARS = (2022, 2026)
"""First and last year of the demo's grade enrolment (the last is the demo's school year)."""
# Yearly change of entrants: the county town grows, townships and villages shrink.
_ENTRY_TREND = {"urban": (0.0, 0.05), "town": (-0.03, 0.02), "rural": (-0.08, -0.01)}
# Share of a cohort still in the school a grade later (transfers in and out, repeaters).
_PROGRESSION = (0.96, 1.02)
_GRADE_NOISE = 0.03
_LEVEL_GRADES = {
    level: tuple(g for g, of in sorted(GRADE_LEVELS.items()) if of == level) for level in _GRADES
}


DEMO_BIRTH_YEARS = (2014, 2025)
# Births fall by about this share a year (as they did in most counties after 2017), and the
# share of a cohort entering the county's own schools varies a little from year to year.
_BIRTH_TREND = -0.04
_ENTRY_SHARE = (0.93, 0.99)


def demo_births(
    grades: pl.DataFrame,
    first_year: int = DEMO_BIRTH_YEARS[0],
    last_year: int = DEMO_BIRTH_YEARS[1],
    seed: int = 2026,
) -> pl.DataFrame:
    """Plausible births of the demo county (county, year, births): the size of the latest
    entry cohort carried back and forward by a falling birth rate."""
    rng = random.Random(seed + 6)
    entrants = (
        grades.filter((pl.col("year") == pl.col("year").max()) & (pl.col("grade") == 1))
        .get_column("students")
        .sum()
    )
    share = (_ENTRY_SHARE[0] + _ENTRY_SHARE[1]) / 2
    # Children entering in the latest year were born mostly six years before it.
    anchor = grades.get_column("year").max() - 6
    rows = []
    for year in range(first_year, last_year + 1):
        drawn = rng.uniform(*_ENTRY_SHARE) / share
        births = entrants / share * (1 + _BIRTH_TREND) ** (year - anchor) / drawn
        rows.append((DEMO_COUNTY, year, round(births)))
    return pl.DataFrame(rows, schema=["county", "year", "births"], orient="row")


def demo_grades(
    dataset: Dataset,
    first_year: int = DEMO_GRADE_YEARS[0],
    last_year: int = DEMO_GRADE_YEARS[1],
    seed: int = 2026,
) -> pl.DataFrame:
    """Plausible grade enrolment (school_id, year, grade, students) for every segment with
    students, vectorised so it also serves the national dataset.

    Each school has an entry trend by its area type and a progression ratio per grade; a
    grade's students are its cohort's entrants carried up by those ratios, with a little noise.
    The last year's grades add up exactly to the segment's students (grade 1 takes the rounding),
    so the projection starts from the dataset's own figures.
    """

    def uniform(*parts: pl.Expr | str, salt: int) -> pl.Expr:
        key = pl.concat_str([pl.col(p) if isinstance(p, str) else p for p in parts], separator="|")
        return (key.hash(seed + salt) % 1_000_000).cast(pl.Float64) / 1_000_000

    area = dataset.schools.select(
        "school_id", pl.col("area_type").fill_null("town").alias("__area")
    )
    grades_of = pl.DataFrame(
        [(level, g, i) for level, gs in _LEVEL_GRADES.items() for i, g in enumerate(gs)],
        schema={"level": pl.String, "grade": pl.Int64, "position": pl.Int64},
        orient="row",
    )
    years = pl.DataFrame({"year": list(range(first_year, last_year + 1))})
    low = pl.col("__area").replace_strict({k: v[0] for k, v in _ENTRY_TREND.items()}, default=0.0)
    high = pl.col("__area").replace_strict({k: v[1] for k, v in _ENTRY_TREND.items()}, default=0.0)
    frame = (
        dataset.segments.filter(pl.col("students") > 0)
        .select("school_id", "level", "students")
        .join(area, on="school_id", how="left")
        .with_columns((low + (high - low) * uniform("school_id", salt=1)).alias("__trend"))
        .join(grades_of, on="level", how="inner")
        .with_columns(
            (
                _PROGRESSION[0]
                + (_PROGRESSION[1] - _PROGRESSION[0])
                * uniform("school_id", pl.col("grade").cast(pl.String), salt=2)
            ).alias("__p")
        )
        .sort("school_id", "level", "grade")
        .with_columns(
            # Survival from the level's first grade: the product of the ratios below this grade.
            (pl.col("__p").log().cum_sum().over("school_id", "level") - pl.col("__p").log())
            .exp()
            .alias("__survival")
        )
        .join(years, how="cross")
        .with_columns(
            (
                (1 + pl.col("__trend")).pow(pl.col("year") - pl.col("position") - last_year)
                * pl.col("__survival")
                * (
                    1
                    + _GRADE_NOISE
                    * (
                        2
                        * uniform(
                            "school_id",
                            pl.col("grade").cast(pl.String),
                            pl.col("year").cast(pl.String),
                            salt=3,
                        )
                        - 1
                    )
                )
            ).alias("__weight")
        )
    )
    last = pl.col("year") == last_year
    scale = pl.col("students") / pl.col("__weight").filter(last).sum().over("school_id", "level")
    frame = frame.with_columns(
        (pl.col("__weight") * scale.over("school_id", "level") + 0.5)
        .floor()
        .cast(pl.Int64)
        .alias("__count")
    )
    first_grade = pl.col("position") == 0
    rest = pl.col("__count").filter(last & ~first_grade).sum().over("school_id", "level")
    frame = frame.with_columns(
        pl.when(last & first_grade)
        .then(pl.max_horizontal(pl.col("students") - rest, pl.lit(0)))
        .otherwise(pl.col("__count"))
        .alias("students")
    )
    return frame.select("school_id", "year", "grade", "students").sort("school_id", "year", "grade")


# What the county has built, bought and hired per year, as the share of today's amount that was
# not there yet a year earlier. The county's catching-up happened in the townships, so backbone
# teachers and sports grounds grow only outside the county town; equipment grows everywhere.
_YEARLY_GROWTH = {
    "backbone_teachers": 0.12,
    "sports_ground_area_m2": 0.08,
    "equipment_value_yuan": 0.05,
}
_CATCHING_UP = ("town", "rural")
# Per year, the share of junior teachers with a bachelor's degree who then had an associate one.
_DEGREE_UPGRADES = 0.04
# Per year, the share of respondents who were less content a year earlier (answers 4 → 3).
_SURVEY_GAIN = 0.02
# County facts a year earlier: this much lower per year.
_COUNTY_FACT_GAIN = {
    "rotation_backbone_share": 0.02,
    "quota_allocation_rate": 0.03,
    "migrant_public_rate": 0.02,
    "junior_retention_rate": 0.003,
    "recognition_rate": 0.02,
}


def demo_county_before(years: int, seed: int = 2026) -> Dataset:
    """The demo county `years` school years before `demo_county(seed)`: fewer backbone teachers
    and smaller sports grounds in the townships, less equipment, fewer rural multimedia rooms,
    fewer junior teachers with a bachelor's degree, lower county facts and survey answers.

    The same schools and enrolments, so pages comparing years show the county catching up: more
    segments fail the earlier the year. Deterministic: equal arguments give equal data.
    """
    if years < 0:
        raise ValueError("years must be 0 or more")
    current = demo_county(seed)
    if years == 0:
        return current
    area = dict(zip(current.schools["school_id"], current.schools["area_type"], strict=True))

    def earlier(value: float | None, key: str, sid: str) -> float | None:
        if value is None or (key != "equipment_value_yuan" and area[sid] not in _CATCHING_UP):
            return value
        return value * (1 - _YEARLY_GROWTH[key]) ** years

    segments = []
    for row in current.segments.to_dicts():
        sid = row["school_id"]
        # The same segments whatever `years`, so a school's rooms only grow from year to year.
        rng = random.Random(f"{seed}:{sid}:{row['level']}")
        backbone = earlier(row["backbone_teachers"], "backbone_teachers", sid)
        row["backbone_teachers"] = round(backbone) if backbone is not None else None
        ground = earlier(row["sports_ground_area_m2"], "sports_ground_area_m2", sid)
        row["sports_ground_area_m2"] = round(ground, 1) if ground is not None else None
        equipment = earlier(row["equipment_value_yuan"], "equipment_value_yuan", sid)
        row["equipment_value_yuan"] = round(equipment) if equipment is not None else None
        rooms = row["multimedia_rooms"]
        # Half of the rural segments got one room a year; the other half already had theirs.
        if area[sid] == "rural" and rooms is not None and rng.random() < 0.5:
            row["multimedia_rooms"] = max(rooms - years, 1)
        if row["level"] == "junior" and row["teachers_bachelor"] is not None:
            moved = math.floor(row["teachers_bachelor"] * _DEGREE_UPGRADES * years)
            row["teachers_bachelor"] -= moved
            row["teachers_associate"] = (row["teachers_associate"] or 0) + moved
        segments.append(row)

    schools = []
    for row in current.schools.to_dicts():
        sid = row["school_id"]
        # Shared facilities of combined schools are reported on the school row.
        ground = earlier(row["sports_ground_area_m2"], "sports_ground_area_m2", sid)
        row["sports_ground_area_m2"] = round(ground, 1) if ground is not None else None
        equipment = earlier(row["equipment_value_yuan"], "equipment_value_yuan", sid)
        row["equipment_value_yuan"] = round(equipment) if equipment is not None else None
        schools.append(row)

    county_facts = current.county_facts.with_columns(
        (pl.col(fact) - gain * years).round(3).alias(fact)
        for fact, gain in _COUNTY_FACT_GAIN.items()
    )
    survey = current.survey.with_columns(
        moved=(
            (pl.sum_horizontal(f"answers_{n}" for n in range(1, 6)) * _SURVEY_GAIN * years)
            .round(0)
            .cast(pl.Int64)
        )
    ).with_columns(
        answers_4=pl.col("answers_4") - pl.col("moved"),
        answers_3=pl.col("answers_3") + pl.col("moved"),
    )
    return Dataset.build(
        pl.DataFrame(schools, schema=current.schools.schema),
        pl.DataFrame(segments, schema=current.segments.schema),
        county_facts,
        current.school_facts,
        survey.drop("moved"),
        current.notes,
        source=f"demo:{DEMO_COUNTY}:{seed}:-{years}",
    )


# ---------------------------------------------------------------------------------------------
# National-scale data for benchmarks
# ---------------------------------------------------------------------------------------------

_PARAM_SCHEMA = {
    "kind": pl.String,
    "level": pl.String,
    "area_type": pl.String,
    "stu_lo": pl.Int64,
    "stu_hi": pl.Int64,
    "avg_class": pl.Float64,
    "ratio": pl.Float64,
    "r2_lo": pl.Float64,
    "r2_hi": pl.Float64,
    "fac_lo": pl.Float64,
    "fac_hi": pl.Float64,
}
# Per kind, level and area: enrolment range, average class, students per teacher, backbone teachers
# per 100 students, and the facility indicators as multiples of their thresholds. The low ends
# sit below the thresholds so a realistic minority of segments fails.
_NATIONAL_PARAMS: tuple[tuple[object, ...], ...] = (
    ("primary", "primary", "urban", 1200, 2400, 42, 19.5, 1.2, 2.4, 0.95, 1.5),
    ("primary", "primary", "town", 500, 1500, 41, 18.0, 0.95, 1.9, 0.95, 1.6),
    ("primary", "primary", "rural", 60, 400, 30, 14.5, 0.7, 1.5, 0.85, 2.2),
    ("junior", "junior", "urban", 900, 2000, 46, 12.3, 1.5, 3.4, 0.95, 1.5),
    ("junior", "junior", "town", 500, 1300, 45, 12.8, 0.95, 1.6, 0.95, 1.5),
    ("junior", "junior", "rural", 200, 600, 40, 11.5, 0.7, 1.4, 0.85, 1.9),
    ("nine_year", "primary", "urban", 700, 1200, 42, 19.0, 1.1, 2.2, 1.0, 1.5),
    ("nine_year", "junior", "urban", 500, 900, 45, 12.5, 1.3, 3.0, 1.0, 1.5),
    ("nine_year", "primary", "town", 300, 800, 40, 17.5, 0.95, 1.8, 0.95, 1.6),
    ("nine_year", "junior", "town", 200, 600, 44, 12.5, 0.95, 1.6, 0.95, 1.6),
    ("nine_year", "primary", "rural", 120, 450, 32, 14.5, 0.75, 1.5, 0.85, 2.0),
    ("nine_year", "junior", "rural", 90, 350, 38, 11.5, 0.75, 1.4, 0.85, 1.9),
    ("teaching_point", "primary", "rural", 12, 90, 20, 10.0, 1.0, 2.5, 1.0, 2.5),
    ("special", "primary", "urban", 40, 160, 8, 3.2, 1.0, 3.0, 1.2, 2.5),
)


def _uniform(key: str | pl.Expr, salt: int, seed: int) -> pl.Expr:
    """A reproducible uniform number in [0, 1) per row, independent for each salt."""
    col = pl.col(key) if isinstance(key, str) else key
    return ((col * 1_000_003 + salt).hash(seed) % 1_000_000).cast(pl.Float64) / 1_000_000


def _between(low: str | float, high: str | float, u: pl.Expr) -> pl.Expr:
    lo = pl.col(low) if isinstance(low, str) else pl.lit(low)
    hi = pl.col(high) if isinstance(high, str) else pl.lit(high)
    return lo + u * (hi - lo)


def _ceil(expr: pl.Expr) -> pl.Expr:
    return expr.ceil().cast(pl.Int64)


def _floor(expr: pl.Expr) -> pl.Expr:
    return expr.floor().cast(pl.Int64)


def _tens(expr: pl.Expr) -> pl.Expr:
    return (expr / 10).round() * 10


def _padded(expr: pl.Expr, width: int) -> pl.Expr:
    return expr.cast(pl.String).str.pad_start(width, "0")


def national_dataset(counties: int = 3000, segments_per_county: int = 67, seed: int = 1) -> Dataset:
    """National-scale synthetic data for benchmarks, built with vectorised Polars expressions.

    Every county ("县0001", …) has exactly `segments_per_county` segment rows: a few 九年一贯制
    schools (two segments each, half of them reporting shared facilities on the schools row),
    junior schools, primary schools (about 4 % private), teaching points attached to primary
    schools, and one special-education school. Values follow the demo county's magnitudes with
    a realistic minority of failures; the same arguments give the same data.
    """
    spc = segments_per_county
    if counties < 1 or counties > 99_999:
        raise ValueError("counties must be between 1 and 99,999")
    if spc < 8 or spc > 9_999:
        raise ValueError("segments_per_county must be between 8 and 9,999")
    n_nine = max(1, spc // 20)
    n_junior = max(1, spc // 6)
    n_point = max(1, spc // 10)
    n_primary = spc - 2 * n_nine - n_junior - n_point - 1
    b_junior = 2 * n_nine
    b_primary = b_junior + n_junior
    b_point = b_primary + n_primary
    b_special = b_point + n_point

    def u(key: str, salt: int) -> pl.Expr:
        return _uniform(key, salt, seed)

    slot = pl.col("slot")
    kind = (
        pl.when(slot < b_junior)
        .then(pl.lit("nine_year"))
        .when(slot < b_primary)
        .then(pl.lit("junior"))
        .when(slot < b_point)
        .then(pl.lit("primary"))
        .when(slot < b_special)
        .then(pl.lit("teaching_point"))
        .otherwise(pl.lit("special"))
    )
    level = (
        pl.when((pl.col("kind") == "junior") | ((pl.col("kind") == "nine_year") & (slot % 2 == 1)))
        .then(pl.lit("junior"))
        .otherwise(pl.lit("primary"))
    )
    ordinal = (
        pl.when(slot < b_junior)
        .then(slot // 2)
        .when(slot < b_primary)
        .then(slot - b_junior)
        .when(slot < b_point)
        .then(slot - b_primary)
        .otherwise(slot - b_point)
        + 1
    )
    area = (
        pl.when(pl.col("kind") == "teaching_point")
        .then(pl.lit("rural"))
        .when(pl.col("kind") == "special")
        .then(pl.lit("urban"))
        .when(u("skey", 1) < 0.22)
        .then(pl.lit("urban"))
        .when(u("skey", 1) < 0.55)
        .then(pl.lit("town"))
        .otherwise(pl.lit("rural"))
    )
    county_name = pl.format("县{}", _padded(pl.col("c") + 1, 4))

    def school_id(school_no: pl.Expr) -> pl.Expr:
        return pl.format("2{}{}", _padded(pl.col("c") + 1, 5), _padded(school_no + 1, 4))

    name = (
        pl.when(pl.col("kind") == "nine_year")
        .then(pl.format("{}第{}九年一贯制学校", "county", "ordinal"))
        .when(pl.col("kind") == "junior")
        .then(pl.format("{}第{}初级中学", "county", "ordinal"))
        .when(pl.col("kind") == "primary")
        .then(pl.format("{}第{}小学", "county", "ordinal"))
        .when(pl.col("kind") == "teaching_point")
        .then(pl.format("{}第{}教学点", "county", "ordinal"))
        .otherwise(pl.format("{}特殊教育学校", "county"))
    )
    # Teaching points hang off the county's primary schools in turn.
    parent_no = n_nine + n_junior + (slot - b_point) % n_primary

    frame = (
        pl.select(pl.int_range(0, counties * spc, dtype=pl.Int64).alias("i"))
        .with_columns(c=pl.col("i") // spc, slot=pl.col("i") % spc)
        .with_columns(
            kind=kind,
            school_no=pl.when(slot < b_junior).then(slot // 2).otherwise(slot - n_nine),
            ordinal=ordinal,
            county=county_name,
        )
        .with_columns(level=level, skey=pl.col("c") * spc + pl.col("school_no"))
        .with_columns(
            area_type=area,
            school_id=school_id(pl.col("school_no")),
            name=name,
            parent_id=pl.when(pl.col("kind") == "teaching_point").then(school_id(parent_no)),
            ownership=pl.when((pl.col("kind") == "primary") & (u("skey", 2) < 0.04))
            .then(pl.lit("private"))
            .otherwise(pl.lit("public")),
            township=pl.format("第{}乡镇", pl.col("school_no") % 12 + 1),
        )
        .join(
            pl.DataFrame(list(_NATIONAL_PARAMS), schema=_PARAM_SCHEMA, orient="row"),
            on=["kind", "level", "area_type"],
            how="left",
        )
    )

    students = pl.col("students")
    primary = pl.col("level") == "primary"
    grades = pl.when(primary).then(6).otherwise(3)

    def threshold(key: str) -> pl.Expr:
        return (
            pl.when(primary).then(_THRESHOLDS["primary"][key]).otherwise(_THRESHOLDS["junior"][key])
        )

    def factor(salt: int) -> pl.Expr:
        return _between("fac_lo", "fac_hi", u("i", salt))

    frame = (
        frame.with_columns(
            students=pl.col("stu_lo")
            + _floor(u("i", 3) * (pl.col("stu_hi") - pl.col("stu_lo") + 1))
        )
        .with_columns(
            classes=pl.when(pl.col("kind").is_in(["teaching_point", "special"]))
            .then(_ceil(students / pl.col("avg_class")))
            .otherwise(grades * _ceil(students / (grades * pl.col("avg_class"))))
        )
        .with_columns(
            max_class_size=_ceil(students / pl.col("classes")) + _floor(u("i", 4).pow(3) * 12),
            teachers=pl.max_horizontal(
                _ceil(students / (pl.col("ratio") * _between(0.9, 1.1, u("i", 5)))),
                _ceil(pl.col("classes") * pl.when(primary).then(1.7).otherwise(3.0)),
            ),
        )
        .with_columns(
            teachers_below_associate=_floor(pl.col("teachers") * 0.05 * u("i", 6)),
            teachers_postgraduate=_floor(pl.col("teachers") * 0.06 * u("i", 7)),
        )
        .with_columns(
            teachers_associate=_floor(
                (
                    pl.col("teachers")
                    - pl.col("teachers_below_associate")
                    - pl.col("teachers_postgraduate")
                )
                * pl.when(primary)
                .then(_between(0.1, 0.4, u("i", 8)))
                .otherwise(_between(0.02, 0.12, u("i", 8)))
            )
        )
        .with_columns(
            teachers_bachelor=pl.col("teachers")
            - pl.col("teachers_below_associate")
            - pl.col("teachers_postgraduate")
            - pl.col("teachers_associate"),
            backbone_teachers=pl.min_horizontal(
                pl.col("teachers"),
                (students * _between("r2_lo", "r2_hi", u("i", 9)) / 100).round().cast(pl.Int64),
            ),
            arts=pl.min_horizontal(
                pl.col("teachers"),
                (students * 0.9 * _between(0.85, 1.6, u("i", 10)) / 100).round().cast(pl.Int64),
            ),
            teaching_aux_area_m2=(students * threshold("R4") * factor(11)).round(1),
            r5=students * threshold("R5") * factor(12),
            indoor_share=pl.when(pl.col("area_type") == "urban")
            .then(_between(0.08, 0.18, u("i", 13)))
            .when(pl.col("area_type") == "town")
            .then(_between(0.0, 0.08, u("i", 13)))
            .otherwise(0.0),
            equipment_value_yuan=(students * threshold("R6") * factor(14) / 100).round() * 100,
            multimedia_rooms=_ceil(students * threshold("R7") * factor(15) / 100),
            rooms=pl.when((pl.col("kind") == "teaching_point") & (students < 50))
            .then(0)
            .otherwise(pl.max_horizontal(1, _ceil(pl.col("classes") / 12))),
        )
        .with_columns(
            pe_teachers=_ceil(pl.col("arts") * 0.45),
            indoor_sports_area_m2=(pl.col("r5") * pl.col("indoor_share")).round(1),
            music_rooms=pl.max_horizontal(0, pl.col("rooms") - (u("i", 16) < 0.04).cast(pl.Int64)),
            art_rooms=pl.col("rooms"),
            music_room_min_area_m2=pl.when(pl.col("rooms") > 0).then(
                _between(92.0, 132.0, u("i", 17)).round(1)
            ),
            art_room_min_area_m2=pl.when(pl.col("rooms") > 0).then(
                _between(86.0, 126.0, u("i", 18)).round(1)
            ),
        )
        .with_columns(
            music_teachers=_ceil((pl.col("arts") - pl.col("pe_teachers")) / 2),
            sports_ground_area_m2=(pl.col("r5") - pl.col("indoor_sports_area_m2")).round(1),
            shared=(pl.col("kind") == "nine_year") & (u("skey", 19) < 0.5),
        )
        .with_columns(
            fine_art_teachers=pl.col("arts") - pl.col("pe_teachers") - pl.col("music_teachers")
        )
    )

    shared = (
        frame.filter("shared").group_by("school_id").agg(pl.col(c).sum() for c in _FACILITY_COLUMNS)
    )
    # Segment rows of one school are adjacent, so a school's first row carries its attributes.
    schools = (
        frame.filter(pl.col("school_id") != pl.col("school_id").shift(1).fill_null(""))
        .select(
            "school_id", "name", "county", "kind", "parent_id", "area_type", "ownership", "township"
        )
        .join(shared, on="school_id", how="left", maintain_order="left")
    )
    segments = frame.with_columns(
        pl.when(~pl.col("shared")).then(pl.col(c)).alias(c) for c in _FACILITY_COLUMNS
    ).select(
        "school_id",
        "level",
        "students",
        "classes",
        "max_class_size",
        "teachers",
        "teachers_postgraduate",
        "teachers_bachelor",
        "teachers_associate",
        "teachers_below_associate",
        "backbone_teachers",
        "pe_teachers",
        "music_teachers",
        "fine_art_teachers",
        *_FACILITY_COLUMNS,
        "music_rooms",
        "music_room_min_area_m2",
        "art_rooms",
        "art_room_min_area_m2",
    )
    return Dataset.build(
        schools,
        segments,
        _national_county_facts(counties, seed),
        _national_school_facts(schools, seed),
        _national_survey(counties, seed),
        source=f"national:{counties}x{spc}:{seed}",
    )


def _national_county_facts(counties: int, seed: int) -> pl.DataFrame:
    def u(salt: int) -> pl.Expr:
        return _uniform("c", 100 + salt, seed)

    def mostly(salt: int, share_true: float) -> pl.Expr:
        return u(salt) < share_true

    def rate(salt: int, low: float, high: float) -> pl.Expr:
        return _between(low, high, u(salt)).round(3)

    civil = _tens(_between(70_000.0, 120_000.0, u(6)))
    return (
        pl.select(pl.int_range(0, counties, dtype=pl.Int64).alias("c"))
        .with_columns(civil_servant_avg_pay_yuan=civil)
        .select(
            county=pl.format("县{}", _padded(pl.col("c") + 1, 4)),
            layout_plan_ok=mostly(1, 0.98),
            unified_standards_ok=mostly(2, 0.97),
            staffing_allocation_ok=mostly(3, 0.97),
            small_school_funding_ok=mostly(4, 0.96),
            special_ed_funds_per_student_yuan=_tens(_between(5_500.0, 9_000.0, u(5))),
            teacher_avg_pay_yuan=_tens(
                pl.col("civil_servant_avg_pay_yuan") * _between(0.97, 1.08, u(7))
            ),
            civil_servant_avg_pay_yuan=pl.col("civil_servant_avg_pay_yuan"),
            performance_pay_full=mostly(8, 0.97),
            training_360h_rate=pl.when(u(9) < 0.9).then(1.0).otherwise(rate(10, 0.97, 0.999)),
            rotation_rate=rate(11, 0.09, 0.2),
            rotation_backbone_share=rate(12, 0.18, 0.38),
            certified_teacher_rate=pl.when(u(13) < 0.93).then(1.0).otherwise(rate(14, 0.99, 0.999)),
            nearby_admission_rate_primary=pl.when(u(15) < 0.95)
            .then(1.0)
            .otherwise(rate(16, 0.97, 0.999)),
            nearby_admission_rate_junior=rate(17, 0.945, 1.0),
            quota_allocation_rate=rate(18, 0.48, 0.72),
            migrant_public_rate=rate(19, 0.84, 0.98),
            left_behind_care_ok=mostly(20, 0.98),
            junior_retention_rate=rate(21, 0.947, 0.995),
            disabled_enrolment_rate=rate(22, 0.945, 0.99),
            ict_use_ok=mostly(23, 0.98),
            curriculum_ok=mostly(24, 0.98),
            burden_ok=mostly(25, 0.96),
            monitoring_level_min=pl.when(u(26) < 0.06)
            .then(2)
            .when(u(26) < 0.75)
            .then(3)
            .otherwise(4)
            .cast(pl.Int64),
            monitoring_school_diff_rate=rate(27, 0.05, 0.16),
            recognition_rate=rate(28, 0.83, 0.96),
            veto_exam_admission=~mostly(29, 0.995),
            veto_school_choice=~mostly(30, 0.99),
            veto_key_classes=~mostly(31, 0.995),
            veto_unfilled_posts=~mostly(32, 0.99),
            veto_major_accident=~mostly(33, 0.998),
            veto_falsification=~mostly(34, 0.998),
        )
    )


def _national_school_facts(schools: pl.DataFrame, seed: int) -> pl.DataFrame:
    def u(salt: int) -> pl.Expr:
        return _uniform("n", 200 + salt, seed)

    return (
        schools.select("school_id")
        .with_row_index("n")
        .with_columns(pl.col("n").cast(pl.Int64))
        .select(
            "school_id",
            has_charter=u(1) < 0.999,
            digitised_ok=u(2) < 0.998,
            training_budget_share=pl.when(u(3) < 0.002)
            .then(_between(0.035, 0.049, u(4)))
            .otherwise(_between(0.051, 0.09, u(4)))
            .round(3),
            moral_education_rating=pl.when(u(5) < 0.4)
            .then(pl.lit("优秀"))
            .when(u(5) < 0.998)
            .then(pl.lit("良好"))
            .when(u(5) < 0.9995)
            .then(pl.lit("合格"))
            .otherwise(pl.lit("不合格")),
        )
    )


def _national_survey(counties: int, seed: int) -> pl.DataFrame:
    # Respondents per group (parents about half) and each group's typical favourable rate.
    groups = pl.DataFrame(
        {
            "group": list(_SURVEY_GROUPS),
            "base": [90, 310, 85, 40, 22, 20, 45],
            "rate": [0.9, 0.86, 0.89, 0.94, 0.9, 0.9, 0.82],
            "g": list(range(len(_SURVEY_GROUPS))),
        }
    )

    def u(salt: int) -> pl.Expr:
        return _uniform("k", 300 + salt, seed)

    total = pl.col("base") + _floor(u(1) * 20)
    favourable = pl.min_horizontal(
        pl.col("total"), (pl.col("total") * pl.col("rate") * _between(0.94, 1.06, u(2))).round()
    ).cast(pl.Int64)
    return (
        pl.select(pl.int_range(0, counties, dtype=pl.Int64).alias("c"))
        .join(groups, how="cross")
        .with_columns(
            county=pl.format("县{}", _padded(pl.col("c") + 1, 4)),
            k=pl.col("c") * len(_SURVEY_GROUPS) + pl.col("g"),
        )
        .with_columns(total=total)
        .with_columns(favourable=favourable)
        .with_columns(
            answers_5=_floor(pl.col("favourable") * _between(0.5, 0.65, u(3))),
            rest=pl.col("total") - pl.col("favourable"),
        )
        .with_columns(
            answers_4=pl.col("favourable") - pl.col("answers_5"),
            answers_3=_ceil(pl.col("rest") * 0.6),
        )
        .with_columns(answers_2=_floor((pl.col("rest") - pl.col("answers_3")) * 0.7))
        .with_columns(answers_1=pl.col("rest") - pl.col("answers_3") - pl.col("answers_2"))
        .select("county", "group", "answers_5", "answers_4", "answers_3", "answers_2", "answers_1")
    )
