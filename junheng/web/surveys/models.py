"""A county's 社会认可度调查: the survey, its questionnaires and quotas, access codes, responses.

Nothing here identifies a respondent: a response keeps the answers, the seconds it took (for
the quality check), the day it came in, and where its code was handed out (school, group,
area). No address, browser, account or exact time is stored. Sampling, scoring and the
questionnaires are `junheng.survey`'s; these tables only keep what was decided and answered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from junheng.core.schema import AREA_TYPES
from junheng.web.registry.models import County, School, SchoolYear


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "准备中"
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"


class Survey(models.Model):
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="surveys", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    title = models.CharField("调查名称", max_length=100)
    opens_at = models.DateTimeField("开始时间")
    closes_at = models.DateTimeField("截止时间")
    status = models.CharField(
        "状态", max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    rules_id = models.CharField("调查规则", max_length=50, default="national")
    population = models.PositiveIntegerField("常住人口")
    area_population = models.JSONField("城乡常住人口", default=dict, blank=True)
    exclude_flags = models.JSONField(
        "不计入的质量问题", default=list, blank=True, help_text="空列表表示全部计入"
    )
    fed_at = models.DateTimeField("写入测评数据时间", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "社会认可度调查"
        verbose_name_plural = "社会认可度调查"
        ordering = ["-year__label", "-created_at"]

    def __str__(self) -> str:
        return f"{self.county} {self.title}"


class SurveyQuestionnaire(models.Model):
    """The exact questionnaire a survey uses: the county copy's YAML and its version."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questionnaires")
    key = models.CharField("问卷", max_length=30)
    version = models.CharField("版本", max_length=20)
    """The content checksum responses point at; never shown to users (`revision` is)."""
    revision = models.PositiveIntegerField("第几版", default=1)
    saved_at = models.DateTimeField("保存时间", default=timezone.now)
    text = models.TextField("问卷内容（YAML）")

    class Meta:
        verbose_name = "调查问卷"
        verbose_name_plural = "调查问卷"
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="survey_questionnaire_key"),
            models.UniqueConstraint(
                fields=["survey", "version"], name="survey_questionnaire_version"
            ),
        ]


class Quota(models.Model):
    """Respondents wanted of one group at one school (school groups) or in one area."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="quotas")
    group = models.CharField("调查对象", max_length=30)
    school = models.ForeignKey(School, on_delete=models.CASCADE, null=True, related_name="+")
    area_type = models.CharField("城乡类型", max_length=10, blank=True)
    count = models.PositiveIntegerField("配额")

    class Meta:
        verbose_name = "调查配额"
        verbose_name_plural = "调查配额"
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "group", "school", "area_type"], name="survey_quota_unique"
            )
        ]


class CodeBatch(models.Model):
    """Codes generated at once for one group at one school (or, for area groups, one area)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="batches")
    group = models.CharField("调查对象", max_length=30)
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, related_name="+")
    area_type = models.CharField("城乡类型", max_length=10, blank=True, choices=AREA_TYPES)
    size = models.PositiveIntegerField("数量")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "访问码批次"
        verbose_name_plural = "访问码批次"
        ordering = ["id"]


class AccessCode(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    batch = models.ForeignKey(CodeBatch, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField("访问码", max_length=20, unique=True)
    used = models.BooleanField("已使用", default=False)

    class Meta:
        verbose_name = "访问码"
        verbose_name_plural = "访问码"
        ordering = ["id"]


class Response(models.Model):
    """One submitted questionnaire. At most one per code (the one-to-one key)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    code = models.OneToOneField(AccessCode, on_delete=models.PROTECT, related_name="response")
    version = models.CharField("问卷版本", max_length=20)
    group = models.CharField("调查对象", max_length=30)
    school = models.ForeignKey(School, on_delete=models.PROTECT, null=True, related_name="+")
    area_type = models.CharField("城乡类型", max_length=10, blank=True)
    answers = models.JSONField("答案")
    seconds = models.PositiveIntegerField("用时（秒）")
    submitted_on = models.DateField("提交日期")
    nonce = models.CharField("提交标识", max_length=40)
    """Random per form view: a repeated POST of the same form is recognised as a retry."""
    excluded = models.BooleanField("审核后不计入", default=False)
    flags = models.CharField("质量问题", max_length=60, blank=True, default="")
    """The quality checks of the survey's rules the response fails, judged when it arrived
    (`junheng.survey.scoring.quality_flags`), comma-separated keys; empty when it passes."""
    tallied = models.BooleanField("已汇总", default=False)
    """Counted into `Tally` already (see `services.bring_tally_up_to_date`)."""

    class Meta:
        verbose_name = "答卷"
        verbose_name_plural = "答卷"
        ordering = ["id"]
        indexes = [
            # the responses not yet tallied are found without reading the others
            models.Index(
                fields=["survey"], condition=models.Q(tallied=False), name="survey_response_new"
            ),
        ]


class Tally(models.Model):
    """Answers (or responses) counted in advance, so results never read every response.

    Three kinds of rows (see `tally.py`): answers per place, flags and option (no question);
    answers per version, question, flags and option (no place); responses per flags (option
    0). Responses are added when results or progress are read (only the ones not yet
    tallied), never on the public form's path. Responses left out after review stay here and
    are taken off when read.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tallies")
    version = models.CharField("问卷版本", max_length=20)
    group = models.CharField("调查对象", max_length=30)
    school_pk = models.PositiveIntegerField("学校", default=0)
    """The response's school (its primary key), 0 for area groups: a key column has to be
    non-null for the database to recognise the same row when adding to it."""
    area_type = models.CharField("城乡类型", max_length=10, blank=True)
    flags = models.CharField("质量问题", max_length=60, blank=True)
    question = models.CharField("题目", max_length=30)
    value = models.PositiveSmallIntegerField("选项")
    count = models.PositiveIntegerField("人次")

    class Meta:
        verbose_name = "答卷汇总"
        verbose_name_plural = "答卷汇总"
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "survey",
                    "version",
                    "group",
                    "school_pk",
                    "area_type",
                    "flags",
                    "question",
                    "value",
                ],
                name="survey_tally_key",
            )
        ]


class RateCount(models.Model):
    """Requests for codes that do not exist, per address and window, shared by all workers.

    The address is kept only as a keyed hash that changes with every window, and the rows of
    past windows are deleted, so nothing here says who answered or from where.
    """

    window = models.BigIntegerField("时段")
    key = models.CharField("地址摘要", max_length=32)
    count = models.PositiveIntegerField("次数")

    class Meta:
        verbose_name = "访问计数"
        verbose_name_plural = "访问计数"
        constraints = [
            models.UniqueConstraint(fields=["window", "key"], name="survey_rate_count_key")
        ]
