"""The evidence of a county's inspection archive (创建档案): files uploaded per item and
requirement of the standard, and the requirements a county adds to the standard's own
(`junheng/archive/requirements/`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from junheng.web.registry.models import County, SchoolYear

COUNTY_KEY_PREFIX = "county-"
"""Requirement keys of a county's own requirements: "county-<id>"."""
OTHER_KEY = ""
"""The requirement key of a file uploaded to an item without naming a requirement (其他材料)."""


class CountyRequirement(models.Model):
    """A requirement the county adds to an item (a document its province or city asks for)."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    item = models.CharField("指标", max_length=20)
    title = models.CharField("材料名称", max_length=200)
    shows = models.CharField("须说明的内容", max_length=500, blank=True)
    source = models.CharField("依据", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="添加人",
    )
    created_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "县定材料要求"
        verbose_name_plural = "县定材料要求"
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def key(self) -> str:
        return f"{COUNTY_KEY_PREFIX}{self.pk}"


class ArchiveFile(models.Model):
    """One uploaded evidence file, stored under var/evidence by its checksum
    (`rectification.evidence`); the row keeps where it belongs and who uploaded it."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    item = models.CharField("指标", max_length=20)
    requirement = models.CharField("材料要求", max_length=100, blank=True)
    """The requirement's key within the item (the requirements file's, or county-<id>)."""
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField("校验和", max_length=64)
    path = models.CharField("存放位置", max_length=300)
    """Relative to the evidence root (`rectification.evidence.evidence_root`)."""
    note = models.CharField("说明", max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "档案材料"
        verbose_name_plural = "档案材料"
        ordering = ["item", "requirement", "uploaded_at", "id"]
        indexes = [models.Index(fields=["county", "year", "item"], name="archive_file_item")]

    def __str__(self) -> str:
        return self.name
