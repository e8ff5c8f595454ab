"""Evaluation snapshots: what the engine decided for a county and year, frozen with its inputs'
fingerprint, so a page can always say which run it shows and whether the data changed since."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from junheng.core.output import county_summary
from junheng.web import clock
from junheng.web.registry.models import County, SchoolYear


class SnapshotImmutableError(Exception):
    """Raised when code tries to change a stored snapshot."""


class DataScope(models.TextChoices):
    ALL = "all", "全部数据"
    APPROVED = "approved", "只用已审核的数据"


class Snapshot(models.Model):
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="snapshots", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    created_at = models.DateTimeField("评估时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="评估人",
    )
    standard_id = models.CharField("评估标准", max_length=100)
    standard_version = models.CharField("标准版本", max_length=50)
    policies = models.JSONField("政策选项", encoder=DjangoJSONEncoder)
    data_fingerprint = models.CharField("数据指纹", max_length=64, db_index=True)
    result = models.JSONField("评估结果", encoder=DjangoJSONEncoder)
    # Comparisons and trends read this instead of `result`: a few hundred bytes per county
    # rather than the whole per-segment record (see `junheng.core.output.county_summary`).
    summary = models.JSONField("结论摘要", encoder=DjangoJSONEncoder, default=dict, blank=True)
    # Which data the run used (see junheng.core.subset): every school's, or only the schools
    # whose data were approved, the others left out. Older snapshots used every school's.
    data_scope = models.CharField(
        "评估数据范围", max_length=10, choices=DataScope.choices, default=DataScope.ALL
    )
    unapproved = models.JSONField(
        "未审核的学校", encoder=DjangoJSONEncoder, default=list, blank=True
    )
    """The schools whose data were not approved at the run, each {school_id, name, status,
    held_back_by}: used in an `all` run, left out of an `approved` one (`held_back_by` names the
    school of its group that kept an approved school out)."""

    class Meta:
        verbose_name = "评估快照"
        verbose_name_plural = "评估快照"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["county", "year", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.county} {self.year} {clock.stamp(self.created_at)}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A snapshot is evidence of what was shown and reported; a new run makes a new snapshot.
        if not self._state.adding:
            raise SnapshotImmutableError("评估快照一经保存不可修改；请重新运行评估生成新的快照。")
        if not self.summary:
            self.summary = self.result.get("summary") or county_summary(self.result)
        super().save(*args, **kwargs)

    @property
    def data_scope_line(self) -> str:
        """Which data the run used, as one sentence naming the schools not approved."""
        from junheng.web.evaluation.presenters import scope_line  # presenters import this model

        return scope_line(self)

    @property
    def data_scope_short(self) -> str:
        """The same sentence without the schools' names, for pages about one level or school."""
        from junheng.web.evaluation.presenters import scope_line

        return scope_line(self, names=False)

    @property
    def passes(self) -> bool | None:
        """The county verdict recorded in the result (three-valued)."""
        return self.result.get("verdict", {}).get("passes")
