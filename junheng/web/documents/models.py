"""Documents a county hands in (自评报告, 一校一册, 附表, 整改通报, 创建档案) and the background
jobs that make them.

A job is one request to produce one kind of document for a county and year; it runs in the
worker process (`junheng_worker`), reports its progress here and, when it succeeds, publishes its
files as `Document` rows. A failed job publishes nothing. At most one job of a kind is waiting or
running per county (a partial unique constraint, so two clicks cannot start two).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from junheng.web.evaluation.models import Snapshot
from junheng.web.registry.models import County, SchoolYear


class JobKind(models.TextChoices):
    SELF_EVALUATION = "self_evaluation", "自评报告"
    SCHOOL_BOOKS = "school_books", "一校一册"
    TABLES = "tables", "评估附表"
    BULLETIN = "bulletin", "整改通报"
    ARCHIVE = "archive", "创建档案"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "正在生成"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    county = models.ForeignKey(County, on_delete=models.CASCADE, verbose_name="县区")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    kind = models.CharField("类型", max_length=20, choices=JobKind.choices)
    snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="评估结果",
    )
    params = models.JSONField("选项", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", default=0)
    step = models.CharField("当前步骤", max_length=200, blank=True)
    message = models.TextField("说明", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发起人",
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    worker = models.CharField("处理进程", max_length=200, blank=True)

    class Meta:
        verbose_name = "生成任务"
        verbose_name_plural = "生成任务"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "kind"],
                condition=Q(status__in=["queued", "running"]),
                name="documents_one_active_job_per_county_and_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year} {self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class Document(models.Model):
    county = models.ForeignKey(County, on_delete=models.CASCADE, verbose_name="县区")
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    kind = models.CharField("类型", max_length=20, choices=JobKind.choices)
    job = models.ForeignKey(
        Job, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="生成任务"
    )
    snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="评估结果",
    )
    data_fingerprint = models.CharField("数据指纹", max_length=64, blank=True)
    filename = models.CharField("文件名", max_length=255)
    label = models.CharField("内容", max_length=100)
    path = models.CharField("存放位置", max_length=255)
    size = models.PositiveBigIntegerField("大小（字节）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成人",
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "生成的文件"
        verbose_name_plural = "生成的文件"
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.filename
