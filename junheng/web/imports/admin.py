from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from junheng.web.imports.models import ImportRun


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    """Import runs are made by uploading files on the import page, never typed in or edited."""

    list_display = ["created_at", "user", "county_name", "year", "status", "error_count"]
    list_filter = ["status", "year"]
    readonly_fields = [f.name for f in ImportRun._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
