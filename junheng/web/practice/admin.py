"""The sections are read here; they are written on the county's page, where the version check
keeps two writers from overwriting each other."""

from __future__ import annotations

from django.contrib import admin

from junheng.web.practice.models import PracticeText
from junheng.web.rectification.admin import ReadOnlyAdmin


@admin.register(PracticeText)
class PracticeTextAdmin(ReadOnlyAdmin):
    list_display = ["county", "year", "heading", "updated_by", "updated_at"]
    list_filter = ["year", "county"]
    search_fields = ["text", "county__name"]
    fields = ["county", "year", "heading", "text", "updated_by", "updated_at"]
    readonly_fields = fields

    @admin.display(description="小节")
    def heading(self, obj: PracticeText) -> str:
        return obj.heading
