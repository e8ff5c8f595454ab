"""Regions (province → city → county), schools and school years.

Enumerations and their Chinese labels come from `junheng.core.schema`, so a school's kind means
the same thing in the database, in the Excel templates and in the evaluation.
"""

from __future__ import annotations

from django.db import models

from junheng.core.schema import AREA_TYPES, OWNERSHIPS, SCHOOL_KINDS


class Province(models.Model):
    name = models.CharField("名称", max_length=50, unique=True)
    code = models.CharField("行政区划代码", max_length=12, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = "省"
        verbose_name_plural = "省"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class City(models.Model):
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="cities", verbose_name="所属省"
    )
    name = models.CharField("名称", max_length=50)
    code = models.CharField("行政区划代码", max_length=12, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = "市"
        verbose_name_plural = "市"
        ordering = ["province__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["province", "name"], name="city_unique_in_province")
        ]

    def __str__(self) -> str:
        return self.name


class County(models.Model):
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="counties", verbose_name="所属市"
    )
    # The Dataset's `county` column carries this name, so it is what evaluations are keyed by.
    name = models.CharField("名称", max_length=50)
    code = models.CharField("行政区划代码", max_length=12, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = "县区"
        verbose_name_plural = "县区"
        ordering = ["city__province__name", "city__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="county_unique_in_city")
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    school_id = models.CharField("学校标识码", max_length=20, unique=True)
    name = models.CharField("学校名称", max_length=100)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="schools", verbose_name="县区"
    )
    kind = models.CharField("学校类型", max_length=20, choices=SCHOOL_KINDS)
    area_type = models.CharField("城乡类型", max_length=10, choices=AREA_TYPES, blank=True)
    ownership = models.CharField("办学性质", max_length=10, choices=OWNERSHIPS, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teaching_points",
        verbose_name="所属中心校",
    )
    township = models.CharField("乡镇", max_length=50, blank=True)

    class Meta:
        verbose_name = "学校"
        verbose_name_plural = "学校"
        ordering = ["county", "school_id"]

    def __str__(self) -> str:
        return self.name


class SchoolYear(models.Model):
    label = models.CharField("学年", max_length=20, unique=True, help_text="如 2026")

    class Meta:
        verbose_name = "学年"
        verbose_name_plural = "学年"
        ordering = ["-label"]

    def __str__(self) -> str:
        return self.label


class CountyYear(models.Model):
    """Per county and school year: a revision of the data `selectors.dataset_for` reads, and the
    fingerprint of that data as last computed.

    Every write path bumps `data_revision` in its own transaction (see `registry.revisions`), so
    "did the data change since this snapshot?" needs one row instead of rebuilding the Dataset:
    while `fingerprint_revision` equals `data_revision`, `fingerprint` is the current data's.
    """

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    year = models.ForeignKey(
        SchoolYear, on_delete=models.CASCADE, related_name="+", verbose_name="学年"
    )
    data_revision = models.PositiveBigIntegerField("数据修订号", default=0)
    fingerprint = models.CharField("数据指纹", max_length=64, blank=True)
    fingerprint_revision = models.PositiveBigIntegerField("指纹对应的修订号", null=True, blank=True)

    class Meta:
        verbose_name = "县区学年数据修订"
        verbose_name_plural = "县区学年数据修订"
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="county_year_unique")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year} r{self.data_revision}"
