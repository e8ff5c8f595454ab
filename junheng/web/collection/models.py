"""Each school's reported data per school year, the county's facts, and the history of changes.

The measure fields are generated from `junheng.core.schema`, so every column of the canonical
Dataset has exactly one database field (same name, Chinese label with unit) and a new schema
column shows up here, in the forms and in the admin after `makemigrations`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models

from junheng.core.schema import (
    BIRTHS,
    CLASS_TARGETS,
    CLASSES,
    COUNTY_FACTS,
    FINANCE,
    GRADES,
    LEVELS,
    PROJECTS,
    SCHOOL_FACT_DEFS,
    SCHOOLS,
    SEGMENTS,
    SHARED_FACILITY_COLUMNS,
    STAFFING,
    SURVEY,
    SURVEY_ANSWER_COLUMNS,
    Column,
    ColumnType,
    Table,
)
from junheng.web.registry.models import County, School, SchoolYear

SEGMENT_MEASURES: tuple[str, ...] = tuple(
    c.name for c in SEGMENTS.columns if c.name not in {"school_id", "level"}
)
"""Columns of the `segments` table stored on `SegmentData`, in schema order."""

SCHOOL_MEASURES: tuple[str, ...] = (*SHARED_FACILITY_COLUMNS, "senior_students")
"""Year-dependent columns of the `schools` table stored on `SchoolYearData`."""


def _measure_field(column: Column) -> models.Field:
    """A nullable field for one column: null is "not reported", never an empty text, so the
    Dataset read back has the nulls it was loaded with."""
    label = column.header_zh
    if column.type == ColumnType.INT:
        return models.IntegerField(label, null=True, blank=True)
    if column.type == ColumnType.NUMBER:
        return models.FloatField(label, null=True, blank=True)
    if column.type == ColumnType.ENUM:
        width = max(len(value) for value, _ in column.enum)
        return models.CharField(label, max_length=width, choices=column.enum, null=True, blank=True)
    if column.type == ColumnType.TEXT:
        return models.TextField(label, null=True, blank=True)
    raise TypeError(f"{column.name}: no measure field for type {column.type}")


def _abstract_measures(
    name: str, columns: list[Column], names: dict[str, str] | None = None
) -> type[models.Model]:
    """An abstract model with one nullable field per column (null = not reported), named as the
    column unless `names` renames it (a column `year` beside the school year's `year`)."""
    names = names or {}
    attrs: dict[str, object] = {names.get(c.name, c.name): _measure_field(c) for c in columns}
    attrs["__module__"] = __name__
    attrs["Meta"] = type("Meta", (), {"abstract": True})
    return type(name, (models.Model,), attrs)


SegmentMeasures = _abstract_measures(
    "SegmentMeasures", [SEGMENTS.column(n) for n in SEGMENT_MEASURES]
)
SchoolMeasures = _abstract_measures("SchoolMeasures", [SCHOOLS.column(n) for n in SCHOOL_MEASURES])
SurveyAnswers = _abstract_measures(
    "SurveyAnswers", [SURVEY.column(n) for n in SURVEY_ANSWER_COLUMNS]
)


class Status(models.TextChoices):
    DRAFT = "draft", "填报中"
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已审核"
    RETURNED = "returned", "退回"


class SchoolYearData(SchoolMeasures):
    """A school's submission for one year: workflow state and the facilities reported once."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="year_data", verbose_name="学校"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_comment = models.TextField("审核意见", blank=True)
    # Incremented on every write; a form posts the version it was read at, and a write against
    # an older version is refused instead of silently overwriting someone else's changes.
    version = models.PositiveIntegerField("版本", default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
    )
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)

    class Meta:
        verbose_name = "学校年度数据"
        verbose_name_plural = "学校年度数据"
        ordering = ["year", "school"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="school_year_data_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.year}"


class SegmentData(SegmentMeasures):
    """One school segment (小学 or 初中) for one year: a row of the Dataset's `segments` table."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="segments", verbose_name="学校"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    level = models.CharField("学段", max_length=10, choices=LEVELS)

    class Meta:
        verbose_name = "学段数据"
        verbose_name_plural = "学段数据"
        ordering = ["year", "school", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "level"], name="segment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.get_level_display()} {self.year}"


class SchoolFactValue(models.Model):
    """A school-level fact (章程、培训经费占比 …) as text, typed when the Dataset is built."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="facts", verbose_name="学校"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    fact = models.CharField(
        "指标项", max_length=50, choices=[(f.name, f.zh) for f in SCHOOL_FACT_DEFS]
    )
    value = models.TextField("值", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "学校指标值"
        verbose_name_plural = "学校指标值"
        ordering = ["year", "school", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year", "fact"], name="school_fact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.get_fact_display()}"


class CountyFactValue(models.Model):
    """A county-level fact (工资、经费、巩固率 …) as text with its evidence note."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="facts", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    fact = models.CharField("指标项", max_length=50, choices=[(f.name, f.zh) for f in COUNTY_FACTS])
    value = models.TextField("值", null=True, blank=True)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "县级指标值"
        verbose_name_plural = "县级指标值"
        ordering = ["year", "county", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "fact"], name="county_fact_unique")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.get_fact_display()}"


class CountyFactsVersion(models.Model):
    """The optimistic-locking version of a county's facts for one year (see SchoolYearData).

    No row means the facts were never changed since they were first stored (version 0).
    """

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    version = models.PositiveIntegerField("版本", default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最后修改人",
    )
    updated_at = models.DateTimeField("最后修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "县级指标版本"
        verbose_name_plural = "县级指标版本"
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="county_facts_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year} v{self.version}"


class SurveyCount(SurveyAnswers):
    """Aggregated social-recognition answers of one respondent group in a county."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="survey_counts", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    group = models.CharField("调查对象", max_length=50)

    class Meta:
        verbose_name = "满意度调查汇总"
        verbose_name_plural = "满意度调查汇总"
        ordering = ["year", "county", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year", "group"], name="survey_unique")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.group}"


class GradeCount(models.Model):
    """Students of one grade of a school in one year: a row of the Dataset's `grades` table.

    Grade enrolment covers several past years, but it arrives with a school year's data and is
    kept with it (`year`, the school year it was loaded for), so `dataset_for` gives back exactly
    the table that was loaded; `grade_year` is the table's own `year` column.
    """

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="grade_counts", verbose_name="学校"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    grade_year = models.IntegerField(GRADES.column("year").header_zh)
    grade = models.PositiveSmallIntegerField(GRADES.column("grade").zh)
    students = models.IntegerField(GRADES.column("students").header_zh, null=True, blank=True)

    class Meta:
        verbose_name = "年级在校生"
        verbose_name_plural = "年级在校生"
        ordering = ["year", "school", "grade_year", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year", "grade_year", "grade"], name="grade_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.grade_year} 年 {self.grade} 年级"


class BirthCount(models.Model):
    """Births of one year in a county: a row of the Dataset's `births` table, kept with the
    school year it was loaded for (`birth_year` is the table's own `year` column)."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="birth_counts", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    birth_year = models.IntegerField(BIRTHS.column("year").header_zh)
    births = models.IntegerField(BIRTHS.column("births").header_zh, null=True, blank=True)

    class Meta:
        verbose_name = "出生人口"
        verbose_name_plural = "出生人口"
        ordering = ["year", "county", "birth_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "birth_year"], name="birth_count_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.birth_year} 年"


PLAN_YEAR_FIELD = "plan_year"
"""The field of a plan table's own `year` column (the model's `year` is the school year loaded)."""


def _plan_measures(name: str, table: Table) -> type[models.Model]:
    columns = [c for c in table.columns if c.name not in ("school_id", "county")]
    return _abstract_measures(name, columns, {"year": PLAN_YEAR_FIELD})


ClassMeasures = _plan_measures("ClassMeasures", CLASSES)
FinanceMeasures = _plan_measures("FinanceMeasures", FINANCE)
ProjectMeasures = _plan_measures("ProjectMeasures", PROJECTS)
StaffingMeasures = _plan_measures("StaffingMeasures", STAFFING)
ClassTargetMeasures = _plan_measures("ClassTargetMeasures", CLASS_TARGETS)


class ClassCount(ClassMeasures):
    """One teaching class of a school: a row of the Dataset's `classes` table, kept with the
    school year it was loaded for, as grade enrolment is."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="class_counts", verbose_name="学校"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")

    class Meta:
        verbose_name = CLASSES.zh
        verbose_name_plural = CLASSES.zh
        ordering = ["year", "id"]
        indexes = [models.Index(fields=["school", "year"], name="class_count_school_year")]

    def __str__(self) -> str:
        return f"{self.school} {self.plan_year} 年 {self.grade} 年级 {self.class_name or ''}"


class CountyFinance(FinanceMeasures):
    """A county's education finance of one fiscal year: a row of the Dataset's `finance` table,
    kept with the school year it was loaded for."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="finance_years", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")

    class Meta:
        verbose_name = FINANCE.zh
        verbose_name_plural = FINANCE.zh
        ordering = ["year", "id"]
        indexes = [models.Index(fields=["county", "year"], name="county_finance_county_year")]

    def __str__(self) -> str:
        return f"{self.county} {self.plan_year} 年"


class BuildingProject(ProjectMeasures):
    """A building or equipment project of a county: a row of the Dataset's `projects` table.

    `school` is empty for a new school that has no school id yet (`new_school_name` names it).
    """

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="projects", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name="学校",
    )

    class Meta:
        verbose_name = PROJECTS.zh
        verbose_name_plural = PROJECTS.zh
        ordering = ["year", "id"]
        indexes = [models.Index(fields=["county", "year"], name="project_county_year")]

    def __str__(self) -> str:
        return f"{self.county} {self.name or self.project_id}"


class StaffingPlan(StaffingMeasures):
    """Approved posts and planned recruitment of a school's level in one year: a row of the
    Dataset's `staffing` table, kept with the school year it was loaded for."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="staffing_plans", verbose_name="学校"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")

    class Meta:
        verbose_name = STAFFING.zh
        verbose_name_plural = STAFFING.zh
        ordering = ["year", "id"]
        indexes = [models.Index(fields=["school", "year"], name="staffing_plan_school_year")]

    def __str__(self) -> str:
        return f"{self.school} {self.plan_year} 年 {self.get_level_display()}"


class ClassTarget(ClassTargetMeasures):
    """A county's own dated class-size target: a row of the Dataset's `class_targets` table,
    kept with the school year it was loaded for."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="class_targets", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")

    class Meta:
        verbose_name = CLASS_TARGETS.zh
        verbose_name_plural = CLASS_TARGETS.zh
        ordering = ["year", "id"]
        indexes = [models.Index(fields=["county", "year"], name="class_target_county_year")]

    def __str__(self) -> str:
        return f"{self.county} {self.plan_year} 年 {self.get_band_display()}"


@dataclass(frozen=True)
class StoredTable:
    """How one optional table of the Dataset is kept in the database."""

    table: Table
    model: type[models.Model]
    owner: str
    """The column whose school (`school_id`) or county (`county`) the rows belong to."""
    fields: dict[str, str]
    """Every other column → its model field (`school` for a project's optional school)."""
    keys: tuple[str, ...]
    """The columns that name a row to a person in the history (not necessarily unique)."""

    @property
    def by_school(self) -> bool:
        return self.owner == "school_id"


def _fields(table: Table, renamed: dict[str, str]) -> dict[str, str]:
    return {c.name: renamed.get(c.name, c.name) for c in table.columns if c.name != _owner(table)}


def _owner(table: Table) -> str:
    return "county" if "county" in table.names else "school_id"


STORED_TABLES: dict[str, StoredTable] = {
    spec.table.name: spec
    for spec in (
        StoredTable(
            GRADES,
            GradeCount,
            "school_id",
            _fields(GRADES, {"year": "grade_year"}),
            ("school_id", "year", "grade"),
        ),
        StoredTable(
            BIRTHS, BirthCount, "county", _fields(BIRTHS, {"year": "birth_year"}), ("year",)
        ),
        StoredTable(
            CLASSES,
            ClassCount,
            "school_id",
            _fields(CLASSES, {"year": PLAN_YEAR_FIELD}),
            ("school_id", "year", "grade", "class_name"),
        ),
        StoredTable(
            FINANCE, CountyFinance, "county", _fields(FINANCE, {"year": PLAN_YEAR_FIELD}), ("year",)
        ),
        StoredTable(
            PROJECTS,
            BuildingProject,
            "county",
            _fields(PROJECTS, {"school_id": "school"}),
            ("project_id",),
        ),
        StoredTable(
            STAFFING,
            StaffingPlan,
            "school_id",
            _fields(STAFFING, {"year": PLAN_YEAR_FIELD}),
            ("school_id", "year", "level"),
        ),
        StoredTable(
            CLASS_TARGETS,
            ClassTarget,
            "county",
            _fields(CLASS_TARGETS, {"year": PLAN_YEAR_FIELD}),
            # The target year alone: the history prints these parts as they are, and the band
            # and level are stored keys (the changed field itself shows them in Chinese).
            ("year",),
        ),
    )
}
"""The optional tables kept per county and loaded school year, in the order pages list them:
年级在校生, 出生人口 and the plan tables (the county's class-size targets last)."""


class ChangeLog(models.Model):
    """One changed field: who, when, which record, old → new (values as text)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )
    at = models.DateTimeField("时间", auto_now_add=True)
    model = models.CharField("数据表", max_length=50)
    object_id = models.CharField("记录", max_length=50)
    field = models.CharField("字段", max_length=50)
    old_value = models.TextField("原值", null=True, blank=True)
    new_value = models.TextField("新值", null=True, blank=True)
    # A workflow step (submit, return, approve, unlock) carries the reviewer's comment or reason.
    comment = models.TextField("意见", blank=True, default="")
    # Denormalised so a school's or county's history is one indexed query.
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, verbose_name="学校"
    )
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, null=True, blank=True, verbose_name="县区"
    )
    year = models.ForeignKey(
        SchoolYear, on_delete=models.PROTECT, null=True, blank=True, verbose_name="学年"
    )

    class Meta:
        verbose_name = "修改记录"
        verbose_name_plural = "修改记录"
        ordering = ["-at", "-id"]
        # A school page pages through its history newest first.
        indexes = [models.Index(fields=["school", "year", "-at"], name="changelog_school_year_at")]

    def __str__(self) -> str:
        return f"{self.model} {self.object_id} {self.field}"
