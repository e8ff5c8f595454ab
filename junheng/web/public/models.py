"""The county's choice to show its creation work to the public (公开创建工作进展、接受社会监督)
and the bulletins it published: frozen copies, scrubbed of names and phone numbers
(`scrub.frozen_bulletin`), so a later change of the ledger never changes what was published."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from junheng.rectification.bulletin import PERIODS
from junheng.web.registry.models import County, SchoolYear

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{2,39}$"
# What `services.default_slug` gives: the county's code when it has one, else a generated one.
SLUG_HELP = (
    "公开地址的最后一段：默认为本县行政区划代码（未登记代码时为系统生成的随机地址），"
    "可改为 3–40 个小写字母、数字或短横线"
)


class PublicPage(models.Model):
    """Whether and how the county's progress page is public. Without a row, or unpublished,
    the page answers the same 404 as an unknown address."""

    county = models.OneToOneField(
        County, on_delete=models.CASCADE, related_name="public_page", verbose_name="县区"
    )
    slug = models.CharField(
        "公开地址",
        max_length=40,
        unique=True,
        help_text=SLUG_HELP,
        validators=[
            RegexValidator(
                SLUG_PATTERN,
                "公开地址应为 3–40 个小写字母、数字或短横线，以字母或数字开头。",
            )
        ],
    )
    published = models.BooleanField("公开创建工作进展", default=False)
    show_schools = models.BooleanField("公开各校数据", default=False)
    intro = models.TextField("简介", max_length=500, blank=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )

    class Meta:
        verbose_name = "进展公开设置"
        verbose_name_plural = "进展公开设置"

    def __str__(self) -> str:
        return f"{self.county} 进展公开"


class PublicBulletin(models.Model):
    """A period's bulletin as published: numbers and text frozen at publication."""

    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="public_bulletins", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    period = models.CharField(
        "通报周期", max_length=10, choices=[(k, f"{v}通报") for k, v in PERIODS.items()]
    )
    start = models.DateField("起始日期")
    end = models.DateField("截止日期")
    title = models.CharField("标题", max_length=200)
    summary = models.TextField("摘要")
    content = models.JSONField("通报内容", default=dict)
    """`scrub.frozen_bulletin`: progress by unit, overdue and due tasks, closed problems."""
    published_at = models.DateTimeField("公开时间")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="公开人",
    )

    class Meta:
        verbose_name = "公开的整改通报"
        verbose_name_plural = "公开的整改通报"
        ordering = ["-end", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "period", "start"], name="public_bulletin_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return self.title
