"""The demo county's creation plan over the years: classes, targets, finance, projects, staffing.

示范县 has these optional tables so the plan pages, the forecast and the report have something
to show. The story they tell, on top of `junheng.demo.demo_county`:

- 班额: each year's classes follow that year's grade enrolment and each segment's reported
  largest class, so 石桥镇中心小学 keeps one class of 56 (a 大班额) and the county's target of no
  56+ classes by autumn 2025 is not met. The county's own targets (its 实施方案) replace the
  national ones: no 56+ class from autumn 2025, no class above the standard size from 2026.
- 经费: 2021–2025, education spending rises every year, but in 2024 only 9.2 % of land revenue
  went to education (short of 10 %) and the urban surcharge was not fully allocated.
- 项目: a new primary school (城南新区小学) in 城关镇 for 2027, a sports ground at
  东岭乡九年一贯制学校 (junior), a music room at 石桥镇中心小学, and a finished 2025 renovation
  already in the data.
- 编制: backbone teachers trained for 梨园乡, PE and music teachers recruited for 2027.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.schema import GRADE_LEVELS
from junheng.demo import DEMO_COUNTY

DEMO_FINANCE_YEARS = (2021, 2025)


def _even(students: int, classes: int) -> list[int]:
    """`students` in `classes` classes as even as whole children allow, largest first."""
    base, extra = divmod(students, classes)
    return [base + 1] * extra + [base] * (classes - extra)


def demo_classes(dataset: Dataset, year: int, latest: int | None = None) -> pl.DataFrame:
    """One row per class of `year` (school_id, year, grade, class_name, students): each segment's
    students spread evenly over its classes, the reported largest class made real (the others
    give up the children), and the classes shared over the level's grades by that year's grade
    enrolment. Class sizes add up to the segment's students; a grade's classes need not add up
    to its grade enrolment (the demo only needs plausible bands)."""
    latest = year if latest is None else latest
    grades = dataset.grades.filter(pl.col("year") == year)
    rows: list[tuple[str, int, int, str, int]] = []
    for seg in dataset.segments.iter_rows(named=True):
        students, classes, largest = seg["students"], seg["classes"], seg["max_class_size"]
        if not classes or not students:
            continue
        of_level = grades.filter(
            (pl.col("school_id") == seg["school_id"])
            & pl.col("grade").is_in([g for g, lv in GRADE_LEVELS.items() if lv == seg["level"]])
            & (pl.col("students") > 0)
        ).sort("grade")
        if of_level.is_empty():
            continue
        if year != latest:
            # An earlier year: that year's pupils of the level in classes of the same average
            # size (at least one class), the school's largest class kept as it was.
            before = int(of_level.get_column("students").sum())
            classes = max(1, round(classes * before / students))
            students = before
        sizes = _even(students, classes)
        if largest and classes > 1 and largest > sizes[0] and students - largest >= classes - 1:
            sizes = [largest, *_even(students - largest, classes - 1)]
        numbers = of_level.get_column("grade").to_list()
        weights = of_level.get_column("students").to_list()
        # Classes to grades by their share of the level's students, at least one each while
        # classes last, in grade order.
        shares = [max(1, round(classes * w / sum(weights))) for w in weights]
        while sum(shares) > classes:
            shares[shares.index(max(shares))] -= 1
        while sum(shares) < classes:
            shares[shares.index(min(shares))] += 1
        position = 0
        for grade, count in zip(numbers, shares, strict=True):
            for number in range(1, count + 1):
                rows.append((seg["school_id"], year, grade, f"{number}班", sizes[position]))
                position += 1
    return pl.DataFrame(
        rows,
        schema={
            "school_id": pl.String,
            "year": pl.Int64,
            "grade": pl.Int64,
            "class_name": pl.String,
            "students": pl.Int64,
        },
        orient="row",
    )


DEMO_TARGETS_SOURCE = "《示范县推进义务教育优质均衡发展实施方案》"


def demo_class_targets() -> pl.DataFrame:
    """The county's dated class-size targets: 到2025年秋季消除56人以上大班额、到2026年全部达到
    标准班额 (none above the standard size: 超标准班额 and larger)."""
    return pl.DataFrame(
        [
            (DEMO_COUNTY, 2025, "large", None, 0, None, DEMO_TARGETS_SOURCE),
            (DEMO_COUNTY, 2026, "over_standard", None, 0, None, DEMO_TARGETS_SOURCE),
        ],
        schema={
            "county": pl.String,
            "year": pl.Int64,
            "band": pl.String,
            "level": pl.String,
            "max_classes": pl.Int64,
            "max_share": pl.Float64,
            "source": pl.String,
        },
        orient="row",
    )


def demo_finance(students: dict[int, int]) -> pl.DataFrame:
    """The county's education finance 2021–2025 (yuan to the fen); `students` maps a year to
    the county's pupils (the nearest year's count is used for a year it lacks)."""
    rows = []
    first, last = DEMO_FINANCE_YEARS
    for index, year in enumerate(range(first, last + 1)):
        public = 3_180_000_000.00 + 95_000_000.00 * index
        education = 596_400_000.00 + 21_350_000.00 * index
        land = 412_000_000.00 - 18_500_000.00 * index
        # 2024: 9.2 % of land revenue to education and part of the urban surcharge kept back.
        land_share = 0.092 if year == 2024 else 0.10
        urban = 18_640_000.00 + 520_000.00 * index
        urban_allocated = urban - 1_250_000.00 if year == 2024 else urban
        local = 12_430_000.00 + 310_000.00 * index
        public_funds = 61_200_000.00 + 1_800_000.00 * index
        rows.append(
            {
                "county": DEMO_COUNTY,
                "year": year,
                "education_expenditure_yuan": education,
                "students": students[min(students, key=lambda y: abs(y - year))],
                "public_expenditure_yuan": public,
                # The province's line for education's share of public spending (illustrative).
                "required_share_pct": 16.0,
                "land_revenue_yuan": land,
                "land_revenue_education_yuan": round(land * land_share, 2),
                "urban_surcharge_collected_yuan": urban,
                "urban_surcharge_allocated_yuan": urban_allocated,
                "local_surcharge_collected_yuan": local,
                "local_surcharge_allocated_yuan": local,
                "public_funds_yuan": public_funds,
                "training_funds_yuan": round(public_funds * 0.053, 2),
                "teacher_avg_pay_yuan": 93_600.00 + 2_400.00 * index,
                "civil_servant_avg_pay_yuan": 92_800.00 + 2_300.00 * index,
            }
        )
    return pl.DataFrame(rows)


def _school_id(dataset: Dataset, name: str) -> str:
    return dataset.schools.filter(pl.col("name") == name).get_column("school_id").item()


def demo_projects(dataset: Dataset) -> pl.DataFrame:
    """Building and equipment projects of the plan, one finished and three to come."""
    sid = lambda name: _school_id(dataset, name)  # noqa: E731
    rows = [
        {
            "project_id": "2025-01",
            "name": "双庙乡中心小学校舍维修",
            "kind": "repair",
            "school_id": sid("双庙乡中心小学"),
            "budget_yuan": 1_850_000.00,
            "funding_source": "县级财政",
            "planned_start": "2025-03-01",
            "planned_finish": "2025-08-15",
            "actual_start": "2025-03-10",
            "actual_finish": "2025-08-20",
            "status": "completed",
            "progress_pct": 100.0,
        },
        {
            "project_id": "2026-01",
            "name": "城南新区小学新建工程",
            "kind": "new",
            "new_school_name": "城南新区小学",
            "township": "城关镇",
            "places_primary": 1620,
            "teaching_aux_area_m2": 9_720.00,
            "sports_ground_area_m2": 12_600.00,
            "multimedia_rooms": 40,
            "music_rooms": 3,
            "art_rooms": 3,
            "equipment_value_yuan": 4_860_000.00,
            "budget_yuan": 86_000_000.00,
            "funding_source": "地方政府专项债券、县级财政",
            "planned_start": "2025-10-01",
            "planned_finish": "2027-07-31",
            "actual_start": "2025-10-18",
            "status": "building",
            "progress_pct": 35.0,
        },
        {
            "project_id": "2026-02",
            "name": "东岭乡九年一贯制学校初中部运动场改扩建",
            "kind": "expand",
            "school_id": sid("东岭乡九年一贯制学校"),
            "level": "junior",
            "sports_ground_area_m2": 900.00,
            "budget_yuan": 1_260_000.00,
            "funding_source": "薄弱环节改善与能力提升资金",
            "planned_start": "2027-03-01",
            "planned_finish": "2027-08",
            "status": "planned",
            "progress_pct": 0.0,
        },
        {
            "project_id": "2026-03",
            "name": "石桥镇中心小学音乐专用教室及器材",
            "kind": "equipment",
            "school_id": sid("石桥镇中心小学"),
            "music_rooms": 1,
            "equipment_value_yuan": 186_000.00,
            "budget_yuan": 420_000.00,
            "funding_source": "县级财政",
            "planned_start": "2027-05-01",
            "planned_finish": "2027年8月",
            "status": "planned",
            "progress_pct": 0.0,
        },
    ]
    return pl.DataFrame([{"county": DEMO_COUNTY, **row} for row in rows])


def demo_staffing(dataset: Dataset) -> pl.DataFrame:
    """Approved posts of four schools in 2026 and their 2027 recruitment and backbone plan."""
    sid = lambda name: _school_id(dataset, name)  # noqa: E731
    rows = [
        (2026, "梨园乡中心小学", "primary", 24, 0, 0, 0, 0, 0, 0, 0, 0),
        (2026, "梨园乡初级中学", "junior", 38, 0, 0, 0, 0, 0, 0, 0, 0),
        (2026, "石桥镇中心小学", "primary", 78, 0, 0, 0, 0, 0, 0, 0, 0),
        (2026, "双庙乡中心小学", "primary", 30, 0, 0, 0, 0, 0, 0, 0, 0),
        (2027, "梨园乡中心小学", "primary", 24, 2, 0, 2, 0, 1, 0, 3, 1),
        (2027, "梨园乡初级中学", "junior", 38, 2, 0, 2, 1, 0, 0, 4, 0),
        (2027, "石桥镇中心小学", "primary", 78, 4, 0, 4, 1, 2, 1, 1, 2),
        (2027, "双庙乡中心小学", "primary", 30, 1, 0, 1, 0, 0, 1, 2, 1),
    ]
    return pl.DataFrame(
        [
            {
                "school_id": sid(name),
                "year": year,
                "level": level,
                "approved_posts": posts,
                "hires": hires,
                "hires_postgraduate": post,
                "hires_bachelor": bachelor,
                "hires_pe": pe,
                "hires_music": music,
                "hires_fine_art": art,
                "backbone_new": backbone,
                "leavers": leavers,
            }
            for (
                year,
                name,
                level,
                posts,
                hires,
                post,
                bachelor,
                pe,
                music,
                art,
                backbone,
                leavers,
            ) in rows
        ]
    )


def with_plans(dataset: Dataset, year: int) -> Dataset:
    """`dataset` (the demo county of school year `year`, with its grade enrolment) with the
    classes of every year up to `year` it has grades for, the county's class-size targets, the
    finance of the fiscal years before `year`, and the projects and staffing plan."""
    years = sorted({y for y in dataset.grades.get_column("year").to_list() if y <= year})
    latest = max(years, default=year)
    classes = pl.concat([demo_classes(dataset, y, latest) for y in years], how="vertical").sort(
        "year", "school_id", "grade", "class_name"
    )
    # The per-student figure's pupils: each fiscal year's grade enrolment (the nearest year's
    # where the grade table does not reach back that far).
    totals = dict(dataset.grades.group_by("year").agg(pl.col("students").sum()).iter_rows())
    finance = demo_finance(totals).filter(pl.col("year") < year)
    return replace(
        dataset,
        classes=classes,
        finance=finance,
        projects=demo_projects(dataset),
        staffing=demo_staffing(dataset),
        class_targets=demo_class_targets(),
    )
