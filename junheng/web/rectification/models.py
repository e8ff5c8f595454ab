"""The county's rectification work: its organisation (units, people, department users), the
problem list (问题清单), the ledger of tasks (整改台账) with progress and evidence, closure (销号),
plans and phases, and the policy documents it must issue.

Statuses and rules are `junheng.rectification`'s; these tables only keep what happened.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from junheng.rectification.tasks import Status as TaskStatus
from junheng.web.evaluation.models import Snapshot
from junheng.web.registry.models import County, School, SchoolYear


class UnitKind(models.TextChoices):
    LEADING_GROUP = "leading_group", "领导小组"
    OFFICE = "office", "领导小组办公室"
    DEPARTMENT = "department", "成员单位"
    TOWN = "town", "乡镇"
    SCHOOL = "school", "学校"


class Unit(models.Model):
    """A unit of the county's organisation for this work, with its duties."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="rectification_units", verbose_name="县区"
    )
    kind = models.CharField("单位类型", max_length=20, choices=UnitKind.choices)
    name = models.CharField("单位名称", max_length=100)
    school = models.ForeignKey(
        School,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rectification_units",
        verbose_name="学校",
        help_text="单位类型为“学校”时填写：该校填报员在台账中看到并办理本校任务（一校一案）",
    )
    township = models.CharField(
        "乡镇（学区）",
        max_length=50,
        blank=True,
        help_text="单位类型为“乡镇”时填写，与学校的“乡镇”一致（一镇一册）",
    )
    duties = models.TextField("职责", blank=True)
    order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "整改单位"
        verbose_name_plural = "整改单位"
        ordering = ["county", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["county", "name"], name="rect_unit_unique_name"),
            # A school is one party of the ledger, however its unit is named.
            models.UniqueConstraint(
                fields=["school"],
                condition=models.Q(school__isnull=False),
                name="rect_unit_unique_school",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="people", verbose_name="所属单位"
    )
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)

    class Meta:
        verbose_name = "单位人员"
        verbose_name_plural = "单位人员"
        ordering = ["unit", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.post}）" if self.post else self.name


class UnitMember(models.Model):
    """A department user: a login that works for one unit and updates that unit's tasks."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="rectification_membership",
        verbose_name="用户",
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="members", verbose_name="所属单位"
    )

    class Meta:
        verbose_name = "单位用户"
        verbose_name_plural = "单位用户"

    def __str__(self) -> str:
        return f"{self.user} · {self.unit}"


class ProblemSource(models.TextChoices):
    EVALUATION = "evaluation", "评估"
    INSPECTION = "inspection", "督导检查"
    SELF_CHECK = "self_check", "自查"
    MEETING = "meeting", "会议决定"


class ProblemStatus(models.TextChoices):
    OPEN = "open", "整改中"
    PROPOSED = "proposed", "数据已达标（建议销号）"
    CLOSED = "closed", "已销号"


class Problem(models.Model):
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="rectification_problems", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    key = models.CharField("问题编号", max_length=200, null=True, blank=True)
    source = models.CharField("来源", max_length=20, choices=ProblemSource.choices)
    kind = models.CharField("类别", max_length=20, blank=True)
    category = models.CharField("方面", max_length=50, blank=True)
    item = models.CharField("指标", max_length=50, blank=True)
    level = models.CharField("学段", max_length=20, blank=True)
    school_id = models.CharField("学校标识码", max_length=20, blank=True)
    school_name = models.CharField("学校", max_length=100, blank=True)
    title = models.CharField("问题", max_length=500)
    description = models.TextField("说明", blank=True)
    numbers = models.JSONField("数值与差距", default=dict, blank=True)
    """value, threshold, gap, gap_unit, gap_what, schools: what the snapshot showed."""
    snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发现问题的评估",
    )
    """The snapshot the problem was first drawn from (none for hand-entered problems)."""
    last_snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="最近一次评估",
    )
    status = models.CharField(
        "状态", max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    tolerated = models.BooleanField("单项未达标（不影响学校达标）", default=False)
    """Below standard at a school segment that still passes the per-segment rule (6 of 7)."""
    passing_snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="达标的评估",
    )
    """The newer snapshot in which the indicator passes (closure proposed on it)."""
    found_on = models.DateField("发现日期", null=True, blank=True)
    found_by = models.CharField("检查单位", max_length=100, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="登记人",
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="验收人",
    )

    class Meta:
        verbose_name = "问题"
        verbose_name_plural = "问题清单"
        ordering = ["county", "year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "key"],
                condition=models.Q(key__isnull=False),
                name="rect_problem_unique_key",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def data_backed(self) -> bool:
        return self.source == ProblemSource.EVALUATION and bool(self.key)


class Plan(models.Model):
    """The county's plan towards the target year: phases with dates and milestones."""

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    target_year = models.PositiveIntegerField("目标年份")
    target_date = models.DateField("迎检日期", null=True, blank=True)

    class Meta:
        verbose_name = "整改计划"
        verbose_name_plural = "整改计划"

    def __str__(self) -> str:
        return f"{self.county} 创建计划（目标 {self.target_year} 年）"


class PhaseKind(models.TextChoices):
    DEPLOY = "deploy", "部署"
    IMPLEMENT = "implement", "实施"
    INSPECTION = "inspection", "迎检"


class Phase(models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="phases", verbose_name="整改计划"
    )
    kind = models.CharField("阶段", max_length=20, choices=PhaseKind.choices)
    name = models.CharField("名称", max_length=100)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")

    class Meta:
        verbose_name = "计划阶段"
        verbose_name_plural = "计划阶段"
        ordering = ["start", "id"]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    phase = models.ForeignKey(
        Phase, on_delete=models.CASCADE, related_name="milestones", verbose_name="所属阶段"
    )
    name = models.CharField("节点", max_length=200)
    day = models.DateField("日期")
    done = models.BooleanField("已完成", default=False)

    class Meta:
        verbose_name = "计划节点"
        verbose_name_plural = "计划节点"
        ordering = ["day", "id"]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    problem = models.ForeignKey(
        Problem, on_delete=models.CASCADE, related_name="tasks", verbose_name="问题"
    )
    lead_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="led_tasks", verbose_name="牵头单位"
    )
    responsible_units = models.ManyToManyField(
        Unit, blank=True, related_name="shared_tasks", verbose_name="责任单位"
    )
    person = models.CharField("责任人", max_length=100, blank=True)
    leader = models.CharField("包保县级领导", max_length=100, blank=True)
    measures = models.TextField("整改措施")
    deadline = models.DateField("完成时限")
    budget_wan = models.DecimalField(
        "预算（万元）", max_digits=12, decimal_places=4, null=True, blank=True
    )
    status = models.CharField(
        "状态",
        max_length=10,
        choices=[(s.value, s.value) for s in TaskStatus],
        default=TaskStatus.NOT_STARTED.value,
    )
    phase = models.ForeignKey(
        Phase,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name="所属阶段",
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="验收人",
    )
    closed_on = models.DateField("销号日期", null=True, blank=True)
    closing_snapshot = models.ForeignKey(
        Snapshot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="销号依据的评估",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        # not "整改台账", the app's own name: the admin's path read 整改台账 › 整改台账
        verbose_name = "整改任务"
        verbose_name_plural = "整改任务"
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return f"{self.problem.title} · {self.lead_unit}"


class ProgressUpdate(models.Model):
    """A progress report on a task, or a status step (with its comment) — the task's history."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="updates", verbose_name="整改任务"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="填报人",
    )
    created_at = models.DateTimeField("填报时间", auto_now_add=True)
    text = models.TextField("进展", blank=True)
    status_from = models.CharField("原状态", max_length=10, blank=True)
    status_to = models.CharField("新状态", max_length=10, blank=True)

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        if self.status_to:
            return f"{self.status_from or '—'} → {self.status_to}"
        return self.text[:50] or "进展"


class PolicyDocument(models.Model):
    """One document of the policy checklist (item ids from `policy_checklist.yaml`)."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    item_id = models.CharField("清单编号", max_length=50)
    status = models.CharField("状态", max_length=20, default="未印发")
    document_number = models.CharField("文号", max_length=100, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "政策文件"
        verbose_name_plural = "政策文件"
        constraints = [
            models.UniqueConstraint(fields=["county", "item_id"], name="rect_policy_unique_item")
        ]


class StoredFile(models.Model):
    """An uploaded file, stored under var/ by its checksum (`evidence.store_all`); the row
    keeps name, type, size, where it lies and who uploaded it."""

    name = models.CharField("文件名", max_length=200)
    kind = models.CharField("类型", max_length=10)
    size = models.PositiveBigIntegerField("大小")
    sha256 = models.CharField("校验和", max_length=64)
    path = models.CharField("存放位置", max_length=300)
    """Relative to the evidence root (`evidence.evidence_root`)."""
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="上传人",
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        abstract = True


class Evidence(StoredFile):
    """A ledger file: evidence of a progress report or a policy document."""

    update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name="整改进展",
    )
    policy = models.ForeignKey(
        PolicyDocument,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
        verbose_name="政策文件",
    )

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at", "id"]
