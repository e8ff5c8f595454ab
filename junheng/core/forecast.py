"""The forecast verdict: the projected Dataset of a target year, judged by the same evaluate. Pure.

The projected Dataset is the latest year's data with each segment's students replaced by the
projection of the chosen scenario; classes follow the students at the segment's latest average
class size (rounded up), since G3's rooms are counted per class. Everything else (teachers,
areas, equipment, facts) stays as in the latest year: this slice knows no building projects,
hires or purchases yet. A forecast is an evaluation, not a second engine — `Forecast.evaluation`
is `evaluate(Forecast.dataset, standard)`, so its verdict, failing schools and indicators, CVs
and gap quantities are those of the projected year.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from junheng.core.dataset import Dataset
from junheng.core.evaluate import Evaluation, evaluate
from junheng.core.projection import (
    SCENARIOS,
    Projection,
    ProjectionError,
    ProjectionPolicy,
    project,
)
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
            + "预测年的数据以最近一年为准，只把各学段在校生数换成预测数，班级数按最近一年的平均班额"
            "折算（向上取整）；教师、校舍、设备等按现状计，尚未计入在建项目、招聘和采购计划。"
            + kept
        )


def projected_dataset(dataset: Dataset, projection: Projection, scenario: str) -> Dataset:
    """`dataset` with the students of every projected segment replaced by the scenario's."""
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
    return replace(dataset, segments=segments.select(dataset.segments.columns))


def forecast(
    dataset: Dataset,
    target_year: int,
    scenario: str = "median",
    *,
    standard: Standard,
    policy: ProjectionPolicy | None = None,
    births: pl.DataFrame | None = None,
) -> Forecast:
    """Project `dataset`'s enrolment to `target_year` and evaluate the projected Dataset.

    Raises `ProjectionError` (Chinese message) when the projection cannot be made.
    """
    if scenario not in SCENARIOS:
        raise ProjectionError(f"方案应为 low（低）、median（中）或 high（高），实际为“{scenario}”")
    projection = project(dataset, target_year, policy=policy, births=births)
    future = projected_dataset(dataset, projection, scenario)
    unprojected = dataset.segments.join(
        projection.schools.select("school_id", "level"), on=["school_id", "level"], how="anti"
    ).select("school_id", "level", "students")
    return Forecast(
        target_year=target_year,
        scenario=scenario,
        projection=projection,
        dataset=future,
        evaluation=evaluate(future, standard),
        unprojected=unprojected,
    )
