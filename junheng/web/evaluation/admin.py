from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from junheng.web.evaluation.models import Snapshot


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Snapshots are made by running an evaluation, never typed in or edited."""

    list_display = ["county", "year", "created_at", "created_by", "standard_id", "verdict"]
    list_filter = ["year", "county", "standard_id"]
    readonly_fields = [f.name for f in Snapshot._meta.fields]

    @admin.display(description="结论")
    def verdict(self, snapshot: Snapshot) -> str:
        return {True: "达标", False: "未达标", None: "无法判定"}.get(snapshot.passes, "无法判定")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
