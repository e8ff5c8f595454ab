"""The text of each section of 主要做法与成效 a county writes for a school year."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from junheng.reports.story import load_sections
from junheng.web.registry.models import County, SchoolYear


class PracticeText(models.Model):
    county = models.ForeignKey(
        County, on_delete=models.CASCADE, related_name="+", verbose_name="县区"
    )
    year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, verbose_name="学年")
    key = models.CharField("小节", max_length=30)
    """The section's key in `junheng/reports/practice_sections.yaml`."""
    text = models.TextField("内容", blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="修改人",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    # Incremented on every save; the page posts the version it showed, and a save against an
    # older version is refused instead of silently overwriting a colleague's text.
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = "主要做法与成效"
        verbose_name_plural = "主要做法与成效"
        ordering = ["county", "-year__label", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "key"], name="practice_text_unique_section"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year} {self.heading}"

    @property
    def heading(self) -> str:
        """The section's heading in the report (its key is for the files, not for people)."""
        headings = {s.key: s.heading for s in load_sections()}
        return headings.get(self.key, "已不在报告中的小节")
