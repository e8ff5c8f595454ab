"""The history of web imports: who imported which files into which county and year, and what
came of it (problems found, or what was loaded)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from junheng.web.registry.models import County, School


class RunStatus(models.TextChoices):
    CHECKING = "checking", "正在校验"
    BLOCKED = "blocked", "有错误，未导入"
    PENDING = "pending", "有提示，待确认"
    LOADED = "loaded", "已导入"
    REFUSED = "refused", "被拒绝，未导入"
    EXPIRED = "expired", "已过期，未导入"
    FAILED = "failed", "处理中断，未导入"


class ImportRun(models.Model):
    """One upload and what became of it. Its files live in a private folder until they expire."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="导入人",
    )
    # The county is empty until a system administrator's import creates a new county; the
    # names below say where its data go (load_dataset creates the regions by name).
    county = models.ForeignKey(
        County, on_delete=models.SET_NULL, null=True, blank=True, verbose_name="县区"
    )
    school = models.ForeignKey(
        School,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name="学校",
        help_text="只导入一所学校的一校一册时填写",
    )
    province = models.CharField("省", max_length=50)
    city = models.CharField("市", max_length=50)
    county_name = models.CharField("县区名称", max_length=50)
    year = models.CharField("学年", max_length=20)
    status = models.CharField(
        "结果", max_length=10, choices=RunStatus.choices, default=RunStatus.CHECKING
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    files = models.JSONField("上传的文件", default=list)
    sources = models.JSONField("导入的数据源", default=list, help_text="相对于私有文件夹的路径")
    folder = models.CharField("私有文件夹", max_length=64, blank=True)
    problems = models.JSONField("问题", default=list)
    error_count = models.PositiveIntegerField("错误数", default=0)
    warning_count = models.PositiveIntegerField("提示数", default=0)
    reports = models.JSONField("问题报告文件", default=list)
    counts = models.JSONField("导入数量", default=dict)
    message = models.TextField("说明", blank=True)
    # Which server process is checking the run ("host:pid:start"), so that a run whose process
    # died (a timeout, a restart) is marked failed instead of showing 正在校验 forever.
    worker = models.CharField("处理进程", max_length=100, blank=True, editable=False)

    class Meta:
        verbose_name = "导入记录"
        verbose_name_plural = "导入记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["county", "-created_at"], name="importrun_county_at")]

    def __str__(self) -> str:
        return f"{self.county_name} {self.year} {self.get_status_display()}"
