"""A roster of the demo county (示范县) whose counts are the demo segments' teacher columns.

Every segment's teachers are generated with exactly its degree, backbone and PE/music/art
counts, all in post, certified and with their 360 hours (the demo county reports 100 % for G9
and G12). The rotation facts of the demo (符合交流条件教师442人，交流轮岗53人，其中县级及以上骨干
教师9人) hold too: 389 teachers are eligible without having moved, 53 (9 of them backbone) start a
three-year rotation this year, and everyone else is ineligible for a stated reason (fewer than 6
years at the school, within 5 years of retirement, or on contract). A few teachers on leave
are added; they count nowhere. In the nine-year schools some PE, music and art teachers teach
both levels and are counted at the level of their segment. Identical for equal seeds.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import NamedTuple

import polars as pl

from junheng.core.dataset import Dataset
from junheng.demo import DEMO_GRADE_YEARS, demo_county
from junheng.roster.aggregate import DEGREE_COLUMNS
from junheng.roster.rules import EligibilityRules, load_counting, load_eligibility
from junheng.roster.schema import BOTH_LEVELS, ROTATION_SCHEMA, TEACHER_SCHEMA

DEMO_ROSTER_YEAR = DEMO_GRADE_YEARS[1]
"""The demo's school year (its latest grade year)."""
DEMO_ELIGIBLE = 442
DEMO_ROTATED = 53
DEMO_ROTATED_BACKBONE = 9
"""The demo county's notes: 符合交流条件教师442人，交流轮岗53人，其中县级及以上骨干教师9人."""
_ON_LEAVE_SHARE = 0.015
_REGION = "152201"
_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅鹏辉建国志文晓雪燕海波宁"
_OTHER_SUBJECTS = {
    "primary": ("语文", "数学", "英语", "道德与法治", "科学", "信息科技", "综合实践"),
    "junior": ("语文", "数学", "英语", "道德与法治", "物理", "化学", "生物", "历史", "地理"),
}
_LEAVE = ("seconded", "sick_leave", "maternity_leave", "study_leave")


class DemoRoster(NamedTuple):
    teachers: pl.DataFrame
    """TEACHER_SCHEMA."""
    rotations: pl.DataFrame
    """ROTATION_SCHEMA."""
    year: int


def _check_digit(body: str) -> str:
    """GB 11643 check character of the first 17 digits of a national ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    return "10X98765432"[total % 11]


def _birth(rng: random.Random, year: int, age: int) -> dt.date:
    """A birth date giving exactly `age` on 1 August of `year` (birthday already passed)."""
    return dt.date(year - age, rng.randint(1, 7), rng.randint(1, 28))


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(_SURNAMES) + given


def _segment_teachers(rng: random.Random, row: dict, both: bool) -> list[dict]:
    """The segment's counted teachers with its exact degree, backbone and subject counts."""
    n = row["teachers"]
    degrees = [d for d, c in DEGREE_COLUMNS.items() for _ in range(row[c])]
    rng.shuffle(degrees)
    backbone = [
        rng.choice(("county", "county", "county", "city", "city", "province"))
        for _ in range(row["backbone_teachers"])
    ] + ["none"] * (n - row["backbone_teachers"])
    rng.shuffle(backbone)
    special = (
        ["体育与健康"] * row["pe_teachers"]
        + ["音乐"] * row["music_teachers"]
        + ["美术"] * row["fine_art_teachers"]
    )
    subjects = special + [
        rng.choice(_OTHER_SUBJECTS[row["level"]]) for _ in range(n - len(special))
    ]
    rng.shuffle(subjects)
    teachers = []
    for degree, level, subject in zip(degrees, backbone, subjects, strict=True):
        teaches_both = both and subject in ("体育与健康", "音乐", "美术") and rng.random() < 0.5
        teachers.append(
            {
                "school_id": row["school_id"],
                "levels": BOTH_LEVELS if teaches_both else row["level"],
                "level": row["level"],
                "subject": subject,
                "degree": degree,
                "backbone": level,
                "status": "in_post",
            }
        )
    return teachers


def _tenure(rng: random.Random, teacher: dict, kind: str, year: int, rules: EligibilityRules):
    """Post type, years, birth date and gender giving the teacher's eligibility `kind`."""
    gender = rng.choice(("male", "female"))
    retire = rules.retirement_age[gender]
    young_limit = retire - rules.years_before_retirement - 1
    minimum = rules.min_years_at_school
    post = "established"
    if kind in ("eligible", "rotated"):
        at_school = 0 if kind == "rotated" else rng.randint(minimum, min(minimum + 14, 24))
        earlier = rng.randint(minimum, 12) if kind == "rotated" else rng.randint(0, 8)
        service = at_school + earlier
        age = rng.randint(max(23 + service, 30), max(23 + service, young_limit))
        age = min(age, young_limit)
    elif kind == "near_retirement":
        age = rng.randint(retire - rules.years_before_retirement, retire - 1)
        service = rng.randint(20, age - 22)
        at_school = rng.randint(1, service)
    elif kind == "recent":
        at_school = rng.randint(0, minimum - 1)
        service = at_school + rng.randint(0, 10)
        age = rng.randint(22 + service, max(22 + service, young_limit))
    else:  # contract
        post = "contract"
        at_school = rng.randint(0, 12)
        service = at_school
        age = rng.randint(22 + service, max(22 + service, young_limit))
    teacher.update(
        post_type=post,
        gender=gender,
        joined_year=year - at_school,
        career_start_year=year - service,
        birth_date=_birth(rng, year, age),
    )


def demo_roster(
    dataset: Dataset | None = None, *, year: int = DEMO_ROSTER_YEAR, seed: int = 2026
) -> DemoRoster:
    """The roster and rotation history of the demo county for school year `year`."""
    rng = random.Random(seed)
    dataset = dataset if dataset is not None else demo_county()
    rules = load_eligibility()
    counting = load_counting()
    kinds = dict(dataset.schools.select("school_id", "kind").iter_rows())
    segments = dataset.segments.sort("school_id", "level")
    teachers: list[dict] = []
    for row in segments.iter_rows(named=True):
        teachers.extend(_segment_teachers(rng, row, kinds[row["school_id"]] == "nine_year"))
    backbone = [t for t in teachers if t["backbone"] in rules.backbone_levels]
    others = [t for t in teachers if t["backbone"] not in rules.backbone_levels]
    rotated = rng.sample(backbone, DEMO_ROTATED_BACKBONE) + rng.sample(
        others, DEMO_ROTATED - DEMO_ROTATED_BACKBONE
    )
    moved = {id(t) for t in rotated}
    rest = [t for t in teachers if id(t) not in moved]
    rng.shuffle(rest)
    stay = DEMO_ELIGIBLE - DEMO_ROTATED
    kinds_left = ["eligible"] * stay
    for _ in range(len(rest) - stay):
        kinds_left.append(rng.choice(("recent", "recent", "recent", "near_retirement", "contract")))
    for teacher in rotated:
        _tenure(rng, teacher, "rotated", year, rules)
    for teacher, kind in zip(rest, kinds_left, strict=True):
        _tenure(rng, teacher, kind, year, rules)
    on_leave = []
    for school_id in sorted({t["school_id"] for t in teachers}):
        mates = [t for t in teachers if t["school_id"] == school_id]
        for _ in range(round(len(mates) * _ON_LEAVE_SHARE)):
            extra = dict(rng.choice(mates), status=rng.choice(_LEAVE), backbone="none")
            _tenure(rng, extra, rng.choice(("eligible", "recent")), year, rules)
            on_leave.append(extra)
    everyone = teachers + on_leave
    hours = counting.training_hours
    for number, teacher in enumerate(everyone, start=1):
        born = teacher["birth_date"]
        body = f"{_REGION}{born:%Y%m%d}{number % 1000:03d}"
        teacher.update(
            teacher_id=f"JS{number:05d}",
            name=_name(rng),
            id_number=body + _check_digit(body),
            certificate="yes",
            training_hours=float(rng.randint(int(hours), int(hours) + 120)),
        )
    levels = segments.group_by("level").agg("school_id")
    schools_of = {level: sorted(ids) for level, ids in levels.iter_rows()}
    history = []
    for teacher in rotated:
        choices = [s for s in schools_of[teacher["level"]] if s != teacher["school_id"]]
        history.append(
            {
                "teacher_id": teacher["teacher_id"],
                "from_school": rng.choice(choices),
                "to_school": teacher["school_id"],
                "start": dt.date(year, 8, 25),
                "end": dt.date(year + rules.min_rotation_years, 7, 10),
            }
        )
    rows = [{k: t.get(k) for k in TEACHER_SCHEMA} for t in everyone]
    frame = pl.DataFrame(rows, schema=TEACHER_SCHEMA)
    return DemoRoster(frame, pl.DataFrame(history, schema=ROTATION_SCHEMA), year)
