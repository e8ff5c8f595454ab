"""The forecast verdict: the projected Dataset of a target year, judged by the same evaluate. Pure.

The projected Dataset is the latest year's data with each segment's students replaced by the
projection of the chosen scenario; classes follow the students at the segment's latest average
class size (rounded up), since G3's rooms are counted per class. On top of that, the creation
plan up to the target year (unless `plans=False`, to compare with the data as it stands):

- building and equipment projects that come into use after the latest year and by the target
  year's autumn add their m², rooms and equipment to their schools (`projects.py`);
- the staffing plan of those years adds its hires and takes its leavers (`staffing.py`).

Facts and everything else stay as in the latest year. A forecast is an evaluation, not a second
engine — `Forecast.evaluation` is `evaluate(Forecast.dataset, standard)`, so its verdict, failing
schools and indicators, CVs and gap quantities are those of the projected year. Beside it, the
forecast gives places against projected students per township (`places.py`), approved posts
against teachers, and a timeline of the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.evaluate import Evaluation, evaluate
from junheng.core.formatting import fmt_number
from junheng.core.places import Places, places_table
from junheng.core.projection import (
    SCENARIOS,
    Projection,
    ProjectionError,
    ProjectionPolicy,
    project,
)
from junheng.core.projects import (
    ADDITIONS,
    PLACES,
    apply_projects,
    kind_zh,
    project_schedule,
    status_zh,
)
from junheng.core.schema import PROJECTS, ColumnType
from junheng.core.staffing import apply_staffing, hires_sentence, planned_hires, posts_table
from junheng.core.standard import Standard


@dataclass(frozen=True)
class Forecast:
    target_year: int
    scenario: str
    projection: Projection
    dataset: Dataset
    """The projected Dataset of `target_year`."""
    evaluation: Evaluation
    """`evaluate(dataset, standard)`."""
    unprojected: pl.DataFrame
    """school_id, level, students: segments without grade enrolment, kept at the latest year."""
    plans: bool
    """Whether projects and the staffing plan were applied (False: the data as it stands)."""
    projects: pl.DataFrame
    """Every project with whether it counts (`projects.project_schedule`: county, project_id,
    name, kind, school_id, school, township, level, finish, finish_basis, school_year, status,
    progress_pct, target, counted, note, places and additions)."""
    additions: pl.DataFrame
    """Where the counted projects' additions went: project_id, school_id, level (null = the
    schools row, apportioned by the standard), column, amount."""
    hires: pl.DataFrame
    """Every staffing row with a hire or leaver and whether it counts
    (`staffing.planned_hires`)."""
    places: Places
    """Places against projected students per township and county (`places.places_table`)."""
    posts: pl.DataFrame
    """Approved posts against teachers in post for the latest and the target year
    (`staffing.posts_table`)."""
    timeline: tuple[dict[str, Any], ...]
    """The plan's dated events, by county and school year: county, school_year, date (ISO text
    or None), kind ("project", "new_school", "staffing"), title, text (Chinese), counted."""

    @property
    def method(self) -> str:
        """The projection's method and how the projected Dataset was made, in Chinese."""
        kept = (
            f"另有 {self.unprojected.height} 个学段没有年级在校生数据，按最近一年的在校生数计。"
            if self.unprojected.height
            else ""
        )
        return (
            self.projection.method
            + "预测年的数据以最近一年为准，把各学段在校生数换成预测数，班级数按最近一年的平均班额"
            "折算（向上取整）；" + self._plan_text() + kept
        )

    def _plan_text(self) -> str:
        if not self.plans:
            return "教师、校舍、设备等按现状计，未计入建设项目和招聘计划。"
        base, target = self.projection.base_year, self.target_year
        on_schools = self.projects.filter(pl.col("target") == "school").height
        new = self.projects.filter(pl.col("target") == "new_school").height
        hired = hires_sentence(self.hires)
        if not on_schools and not new and not hired:
            return (
                "教师、校舍、设备等按现状计：没有"
                f"{base + 1}—{target}年秋季投入使用的建设项目，也没有这几年的招聘计划。"
            )
        added = []
        if on_schools:
            added.append(
                f"{target}年秋季前竣工的 {on_schools} 个建设项目"
                "（新增校舍、场地、专用教室和设备加到所在学校，未填学段的按各学段预测在校生数分配；"
                f"{base}年秋季已投入使用的项目已含在现状数据中）"
            )
        if hired:
            years = f"{target}年" if target == base + 1 else f"{base + 1}—{target}年"
            added.append(f"{years}的{hired}")
        text = "教师、校舍、设备等在最近一年的基础上"
        text += f"计入{'、'.join(added)}。" if added else "没有可计入的学校项目和招聘计划。"
        if new:
            text += (
                f"另有 {new} 所新建学校的新增学位计入所在乡镇的学位数；新建学校尚无学段数据，"
                "预测不能逐校评估。"
            )
        return text


def _students(dataset: Dataset, projection: Projection, scenario: str) -> pl.DataFrame:
    """The segments with the scenario's students and classes at the latest average size."""
    projected = projection.students(scenario).rename({"students": "__projected"})
    segments = dataset.segments.join(projected, on=["school_id", "level"], how="left")
    students = pl.col("students")
    new = pl.col("__projected")
    # Whole classes at the latest average size, in integers so no float noise moves a class:
    # ceil(new × classes ÷ students).
    classes = (
        pl.when(new.is_null() | students.is_null() | pl.col("classes").is_null())
        .then(pl.col("classes"))
        .when(students > 0)
        .then((new * pl.col("classes") + students - 1) // students)
        .otherwise(pl.col("classes"))
    )
    segments = segments.with_columns(
        pl.coalesce(new, students).alias("students"), classes.alias("classes")
    ).drop("__projected")
    return segments.select(dataset.segments.columns)


@dataclass(frozen=True)
class _Plan:
    dataset: Dataset
    projects: pl.DataFrame
    additions: pl.DataFrame
    hires: pl.DataFrame


def _whole_school(standard: Standard | None) -> bool:
    """Whether facilities reported on the schools row are apportioned (the default policy)."""
    return standard is None or standard.policy("apportionment") != "none"


def _plan(
    dataset: Dataset,
    projection: Projection,
    scenario: str,
    plans: bool,
    standard: Standard | None,
) -> _Plan:
    segments = _students(dataset, projection, scenario)
    base, target = projection.base_year, projection.target_year
    schedule = project_schedule(dataset, base, target)
    hires = planned_hires(dataset, base, target)
    schools = dataset.schools
    if plans:
        segments, schools, additions = apply_projects(
            segments, schools, schedule, whole_school=_whole_school(standard)
        )
        segments = apply_staffing(segments, hires)
    else:
        additions = apply_projects(segments, schools, schedule.clear())[2]
        schedule = schedule.with_columns(
            pl.lit(None, pl.String).alias("target"), pl.lit(False).alias("counted")
        )
        hires = hires.with_columns(pl.lit(False).alias("counted"))
    # Class lists, finance and the class-size targets describe observed years, not the projected
    # one: left in, `evaluate()` would judge them again and the projected year's entry would
    # carry the latest year's class sizes as its own.
    future = replace(
        dataset,
        segments=segments,
        schools=schools,
        classes=dataset.classes.clear(),
        finance=dataset.finance.clear(),
        class_targets=dataset.class_targets.clear(),
    )
    return _Plan(future, schedule, additions, hires)


def projected_dataset(
    dataset: Dataset,
    projection: Projection,
    scenario: str,
    *,
    plans: bool = True,
    standard: Standard | None = None,
) -> Dataset:
    """`dataset` with the students of every projected segment replaced by the scenario's and,
    with `plans`, the projects and staffing plan up to the projection's target year applied.

    `standard` only says whether facilities reported on the schools row are apportioned (its
    apportionment policy); without it they are, as in every packaged standard.
    """
    return _plan(dataset, projection, scenario, plans, standard).dataset


def _additions_text(row: dict[str, Any]) -> str:
    parts = []
    for column in (*PLACES.values(), *ADDITIONS):
        if row[column]:
            spec = PROJECTS.column(column)
            decimals = 2 if spec.type == ColumnType.NUMBER else 0
            parts.append(
                f"{spec.zh} {fmt_number(row[column], decimals, thousands=True)} {spec.unit}"
            )
    return "、".join(parts)


def timeline(projects: pl.DataFrame, hires: pl.DataFrame) -> tuple[dict[str, Any], ...]:
    """The plan's dated events: each project's coming into use and each county's staffing plan
    per school year, in order of county, school year and date."""
    events: list[dict[str, Any]] = []
    for row in projects.iter_rows(named=True):
        finish = row["finish"]
        progress = (
            f"，形象进度 {fmt_number(row['progress_pct'], 0)}%"
            if row["progress_pct"] is not None
            else ""
        )
        head = f"{row['school'] or '—'}「{row['name']}」（{kind_zh(row['kind'])}，"
        head += f"{status_zh(row['status'])}{progress}）"
        when = f"{row['finish_basis']} {finish.isoformat()}" if finish is not None else ""
        added = _additions_text(row)
        text = "，".join(p for p in (head + when, added, row["note"]) if p)
        events.append(
            {
                "county": row["county"],
                "school_year": row["school_year"],
                "date": finish.isoformat() if finish is not None else None,
                "kind": "new_school" if row["school_id"] is None else "project",
                "title": row["name"],
                "text": text + "。",
                "counted": bool(row["counted"]),
            }
        )
    known = hires.filter(pl.col("known"))
    for (county, year), rows in known.group_by("county", "year", maintain_order=True):
        counted = bool(rows.get_column("counted").any())
        said = hires_sentence(rows.with_columns(pl.lit(True).alias("counted")))
        schools = "、".join(dict.fromkeys(rows.get_column("school").to_list()))
        events.append(
            {
                "county": county,
                "school_year": year,
                "date": None,
                "kind": "staffing",
                "title": f"{year}年秋季教师招聘与调整",
                "text": f"{year}年秋季：{said}（{schools}）"
                + ("，计入预测。" if counted else f"；{rows.get_column('note')[0]}。"),
                "counted": counted,
            }
        )
    order = {"project": 0, "new_school": 1, "staffing": 2}
    return tuple(
        sorted(
            events,
            key=lambda e: (
                e["county"] or "",
                e["school_year"] is None,
                e["school_year"] or 0,
                # A year's hires arrive for the autumn term, after that summer's projects.
                e["date"] or "~",
                order[e["kind"]],
            ),
        )
    )


def forecast(
    dataset: Dataset,
    target_year: int,
    scenario: str = "median",
    *,
    standard: Standard,
    policy: ProjectionPolicy | None = None,
    births: pl.DataFrame | None = None,
    plans: bool = True,
) -> Forecast:
    """Project `dataset`'s enrolment to `target_year`, apply the projects and staffing plan up
    to it (unless `plans` is False) and evaluate the projected Dataset.

    Raises `ProjectionError` (Chinese message) when the projection cannot be made.
    """
    if scenario not in SCENARIOS:
        raise ProjectionError(f"方案应为 low（低）、median（中）或 high（高），实际为“{scenario}”")
    projection = project(dataset, target_year, policy=policy, births=births)
    run = _plan(dataset, projection, scenario, plans, standard)
    future = run.dataset
    unprojected = dataset.segments.join(
        projection.schools.select("school_id", "level"), on=["school_id", "level"], how="anti"
    ).select("school_id", "level", "students")
    base = projection.base_year
    return Forecast(
        target_year=target_year,
        scenario=scenario,
        projection=projection,
        dataset=future,
        evaluation=evaluate(future, standard),
        unprojected=unprojected,
        plans=plans,
        projects=run.projects,
        additions=run.additions,
        hires=run.hires,
        places=places_table(
            dataset.schools,
            dataset.segments,
            future.segments,
            run.projects,
            standard,
            target_year,
        ),
        posts=posts_table(
            dataset.schools, dataset.segments, future.segments, dataset.staffing, base, target_year
        ),
        timeline=timeline(run.projects, run.hires),
    )


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-able dicts (dates as ISO text)."""
    dates = [c for c, t in frame.schema.items() if t == pl.Date]
    return frame.with_columns(pl.col(c).dt.to_string("%Y-%m-%d") for c in dates).to_dicts()


def plan_to_dict(result: Forecast, county: str) -> dict[str, Any]:
    """One county's plan in the forecast, JSON-able: `plans` (applied or not), `method` (the
    places' method sentence), `projects` (schedule rows, `finish` as ISO text), `additions`,
    `hires`, `places` ({"counties": rows, "townships": rows, "new_schools": rows,
    "sentences": […]}), `posts` and `timeline` — the column names of the frames they come from."""
    of_county = pl.col("county") == county
    schools = result.dataset.schools.filter(of_county).get_column("school_id").implode()
    places = result.places
    return {
        "plans": result.plans,
        "method": places.method,
        "projects": _records(result.projects.filter(of_county)),
        "additions": _records(result.additions.filter(pl.col("school_id").is_in(schools))),
        "hires": _records(result.hires.filter(of_county)),
        "places": {
            "counties": _records(places.counties.filter(of_county)),
            "townships": _records(places.townships.filter(of_county)),
            "new_schools": _records(places.new_schools.filter(of_county)),
            "sentences": places.sentences(county),
        },
        "posts": _records(result.posts.filter(of_county)),
        "timeline": [e for e in result.timeline if e["county"] == county],
    }
