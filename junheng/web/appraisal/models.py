"""表彰、问责 decisions and the work's meetings (动员会、推进会、联席会议) with their decisions.

The appraisal score itself is not stored: it is computed from the ledger on each request
(`services.appraisal_for`), so it always reflects the ledger as it is.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from junheng.rectification.appraisal import AppraisalError, parse_period
from junheng.web.rectification.models import Problem, Unit
from junheng.web.registry.models import County, School, SchoolYear


class DecisionKind(models.TextChoices):
    COMMEND = "commend", "表彰"
    ACCOUNT = "account", "问责"


class TargetKind(models.TextChoices):
    UNIT = "unit", "单位"
    TOWNSHIP = "township", "乡镇（学区）"
    SCHOOL = "school", "学校"


class Decision(models.Model):
    """A 表彰 or 问责 decision of the county about a unit, a township or a school."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    kind = models.CharField("类别", max_length=10, choices=DecisionKind.choices)
    target_kind = models.CharField("对象类型", max_length=10, choices=TargetKind.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="单位",
    )
    township = models.CharField("乡镇（学区）", max_length=50, blank=True)
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="学校",
    )
    day = models.DateField("决定日期")
    reason = models.TextField("事由")
    text = models.TextField("决定内容")
    period = models.CharField("考核周期", max_length=10, blank=True)
    """The appraisal period's code (2026Q1, 2026); pages show its label."""
    document_name = models.CharField("文件名", max_length=200, blank=True)
    document_kind = models.CharField("文件类型", max_length=10, blank=True)
    document_size = models.PositiveBigIntegerField("文件大小", null=True, blank=True)
    document_sha256 = models.CharField("校验和", max_length=64, blank=True)
    document_path = models.CharField("存放位置", max_length=300, blank=True)
    """Relative to the evidence root (`rectification.evidence.evidence_root`)."""
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "表彰问责决定"
        verbose_name_plural = "表彰问责决定"
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.target_name}"

    @property
    def period_label(self) -> str:
        if not self.period:
            return ""
        try:
            return parse_period(self.period).label
        except AppraisalError:
            return ""

    @property
    def target_name(self) -> str:
        if self.target_kind == TargetKind.UNIT and self.unit is not None:
            return self.unit.name
        if self.target_kind == TargetKind.SCHOOL and self.school is not None:
            return self.school.name
        return self.township


class MeetingKind(models.TextChoices):
    MOBILISE = "mobilise", "动员会"
    PROGRESS = "progress", "推进会"
    JOINT = "joint", "联席会议"


class Meeting(models.Model):
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    kind = models.CharField("会议类型", max_length=10, choices=MeetingKind.choices)
    day = models.DateField("会议日期")
    title = models.CharField("会议名称", max_length=200)
    units = models.ManyToManyField(Unit, blank=True, related_name="+", verbose_name="参会单位")
    attendees = models.TextField("其他参会人员", blank=True)
    minutes = models.TextField("会议纪要", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "会议"
        verbose_name_plural = "会议"
        ordering = ["-day", "-id"]

    def __str__(self) -> str:
        return self.title


class MeetingDecision(models.Model):
    """One decision of a meeting; once it becomes a ledger problem, `problem` holds it (at
    most one problem per decision)."""

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="decisions", verbose_name="会议"
    )
    order = models.PositiveIntegerField("序号")
    text = models.TextField("决定事项")
    lead_unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="牵头单位",
    )
    """Proposed for the task the decision becomes; the task keeps its own once made."""
    deadline = models.DateField("完成时限", null=True, blank=True)
    problem = models.OneToOneField(
        Problem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_decision",
        verbose_name="台账问题",
    )

    class Meta:
        verbose_name = "会议决定事项"
        verbose_name_plural = "会议决定事项"
        ordering = ["meeting", "order", "id"]

    def __str__(self) -> str:
        return self.text
