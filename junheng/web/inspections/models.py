"""督导检查: visits of 责任督学 to their schools, the on-site checklist answers, findings with
photos, and 回头看 re-checks of closed problems. A finding or a rebound becomes exactly one problem
of the ledger (`rectification.Problem`), linked here one-to-one so the problem page can point back.

Kinds, statuses and answers are `junheng.inspections.kinds`'; these tables keep what happened.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from junheng.inspections import kinds
from junheng.inspections.checklist import load_checklist
from junheng.web.rectification.models import Problem, StoredFile
from junheng.web.registry.models import School


class Visit(models.Model):
    """A planned visit of a 责任督学 to a school, and its record once made."""

    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="inspection_visits",
        verbose_name="责任督学",
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="inspection_visits", verbose_name="学校"
    )
    planned_on = models.DateField("计划日期")
    visited_on = models.DateField("检查日期", null=True, blank=True)
    kind = models.CharField("督导类型", max_length=10, choices=list(kinds.KINDS.items()))
    status = models.CharField(
        "状态", max_length=10, choices=list(kinds.STATUSES.items()), default=kinds.PLANNED
    )
    people_met = models.TextField("访谈人员", blank=True)
    remarks = models.TextField("总体情况", blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="计划人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "督导检查"
        verbose_name_plural = "督导检查"
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["inspector", "status", "planned_on"])]

    def __str__(self) -> str:
        return f"{self.school} {self.get_kind_display()} {self.planned_on:%Y-%m-%d}"


class CheckAnswer(models.Model):
    """One item of the on-site checklist as the visit found it (item keys from
    `junheng/inspections/checklist.yaml`)."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="answers", verbose_name="督导检查"
    )
    key = models.CharField("核查项", max_length=50)
    result = models.CharField(
        "结果", max_length=10, choices=list(kinds.ANSWERS.items()), default=kinds.UNCHECKED
    )
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = "核查结果"
        verbose_name_plural = "核查结果"
        constraints = [
            models.UniqueConstraint(fields=["visit", "key"], name="insp_answer_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.item_label}：{self.get_result_display()}"

    @property
    def item_label(self) -> str:
        """The checklist item as people read it (its key is the checklist file's)."""
        item = load_checklist().by_key().get(self.key)
        return item.label if item is not None else "已不在现场核查清单中的项目"


class Finding(models.Model):
    """A problem seen on a visit; becomes one problem of the ledger at most."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="findings", verbose_name="督导检查"
    )
    item = models.CharField("指标", max_length=20, blank=True)
    title = models.CharField("发现的问题", max_length=200)
    description = models.TextField("具体情况", blank=True)
    problem = models.OneToOneField(
        Problem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspection_finding",
        verbose_name="整改问题",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="登记人",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "发现问题"
        verbose_name_plural = "发现问题"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Photo(StoredFile):
    """A photo of a finding, stored like the ledger's evidence (by checksum under var/)."""

    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="photos", verbose_name="发现问题"
    )

    class Meta:
        verbose_name = "现场照片"
        verbose_name_plural = "现场照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Recheck(models.Model):
    """回头看: a closed problem of the school re-checked on a visit; a rebound opens a new
    problem linked to the old one."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="rechecks", verbose_name="督导检查"
    )
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="inspection_rechecks", verbose_name="原问题"
    )
    result = models.CharField("复查结果", max_length=10, choices=list(kinds.RECHECKS.items()))
    note = models.CharField("说明", max_length=500, blank=True)
    new_problem = models.OneToOneField(
        Problem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspection_rebound",
        verbose_name="反弹后新登记的问题",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="复查人",
    )
    created_at = models.DateTimeField("复查时间", auto_now_add=True)

    class Meta:
        verbose_name = "回头看复查"
        verbose_name_plural = "回头看复查"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "problem"], name="insp_recheck_once")
        ]

    def __str__(self) -> str:
        return f"{self.problem} · {self.get_result_display()}"
