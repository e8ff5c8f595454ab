"""The sections are read here; they are written on the county's page, where the version check
keeps two writers from overwriting each other."""

from __future__ import annotations

from django.contrib import admin

from junheng.reports.story import load_sections
from junheng.web.practice.models import PracticeText


@admin.register(PracticeText)
class PracticeTextAdmin(admin.ModelAdmin):
    list_display = ["county", "year", "heading", "updated_by", "updated_at"]
    list_filter = ["year", "county"]
    search_fields = ["text", "county__name"]
    readonly_fields = ["county", "year", "key", "text", "updated_by", "updated_at", "version"]

    @admin.display(description="小节")
    def heading(self, obj: PracticeText) -> str:
        headings = {s.key: s.heading for s in load_sections()}
        return headings.get(obj.key, "（已不在报告中的小节）")
