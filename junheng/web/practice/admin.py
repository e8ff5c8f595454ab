"""The sections are read here; they are written on the county's page, where the version check
keeps two writers from overwriting each other."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from junheng.web.practice.models import PracticeText


@admin.register(PracticeText)
class PracticeTextAdmin(admin.ModelAdmin):
    list_display = ["county", "year", "heading", "updated_by", "updated_at"]
    list_filter = ["year", "county"]
    search_fields = ["text", "county__name"]
    fields = ["county", "year", "heading", "text", "updated_by", "updated_at"]
    readonly_fields = fields

    @admin.display(description="小节")
    def heading(self, obj: PracticeText) -> str:
        return obj.heading

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # read here, written on the page (the version check lives there)
        return False
