"""The teacher roster (教师名册) of a county and school year, kept as the last import left it.

An import replaces the county's roster of that year all or nothing, so the rows of one county and
year always come from one `RosterImport`. ID numbers are stored because the county needs them,
but no page shows them in full (`junheng.roster.privacy`); the models are not in the
administration site, which would show them whole.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from junheng.roster.schema import (
    BACKBONE_LEVELS,
    DEGREES,
    GENDERS,
    POST_TYPES,
    STATUSES,
    YES_NO,
)
from junheng.web import clock
from junheng.web.registry.models import County, School, SchoolYear


class RosterImport(models.Model):
    """One accepted upload: who, when, which file and how many rows it brought."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="导入人",
    )
    created_at = models.DateTimeField("导入时间", auto_now_add=True)
    file_name = models.CharField("文件名", max_length=200)
    teachers = models.PositiveIntegerField("教师人数")
    rotations = models.PositiveIntegerField("交流记录条数")

    class Meta:
        verbose_name = "教师名册导入记录"
        verbose_name_plural = "教师名册导入记录"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.county} {self.year} {self.file_name}"


class Teacher(models.Model):
    """One row of 教师名册; fields are the columns of `junheng.roster.schema.TEACHER_SCHEMA`."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name="学校"
    )
    teacher_id = models.CharField("教师编号", max_length=50)
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=30, blank=True)
    levels = models.CharField("任教学段", max_length=20)
    level = models.CharField("计入学段", max_length=10)
    subject = models.CharField("任教学科", max_length=50)
    degree = models.CharField("最高学历", max_length=20, choices=DEGREES)
    backbone = models.CharField("骨干教师级别", max_length=20, choices=BACKBONE_LEVELS)
    certificate = models.CharField("教师资格证", max_length=5, choices=YES_NO)
    training_hours = models.FloatField("本周期培训学时")
    joined_year = models.PositiveIntegerField("调入本校年份")
    career_start_year = models.PositiveIntegerField("参加工作年份", null=True, blank=True)
    birth_date = models.DateField("出生日期")
    gender = models.CharField("性别", max_length=10, choices=GENDERS)
    post_type = models.CharField("用工类型", max_length=20, choices=POST_TYPES)
    status = models.CharField("在岗状态", max_length=20, choices=STATUSES)

    class Meta:
        verbose_name = "教师"
        verbose_name_plural = "教师"
        ordering = ["school_id", "teacher_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "teacher_id"], name="roster_teacher_unique"
            )
        ]
        indexes = [models.Index(fields=["county", "year", "school"], name="roster_by_school")]

    def __str__(self) -> str:
        return self.name


class Rotation(models.Model):
    """One row of 交流轮岗记录 (schools by their 学校标识码, as in the file)."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    teacher_id = models.CharField("教师编号", max_length=50)
    from_school = models.CharField("交流前学校", max_length=20)
    to_school = models.CharField("交流后学校", max_length=20)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "交流轮岗记录"
        verbose_name_plural = "交流轮岗记录"
        ordering = ["teacher_id", "start"]

    def __str__(self) -> str:
        return f"{self.teacher_id} {self.start}"


class FullExport(models.Model):
    """A county administrator's export of the roster with full ID numbers (who and when), the
    only way the numbers leave the system."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="导出人",
    )
    created_at = models.DateTimeField("导出时间", auto_now_add=True)
    teachers = models.PositiveIntegerField("教师人数")

    class Meta:
        verbose_name = "教师名册完整导出记录"
        verbose_name_plural = "教师名册完整导出记录"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.county} {self.year} {clock.local_date(self.created_at):%Y-%m-%d}"


class RosterRules(models.Model):
    """Which eligibility rules file (`junheng/roster/eligibility*.yaml`) a county's roster is
    judged by: the national file unless the county chose a province's."""

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    eligibility_file = models.CharField("交流轮岗条件规则文件", max_length=100)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="设置人",
    )
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "教师名册适用规则"
        verbose_name_plural = "教师名册适用规则"

    def __str__(self) -> str:
        return f"{self.county} {self.eligibility_file}"
