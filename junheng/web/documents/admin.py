"""生成任务 and 生成的文件 are read here (they are made on the 报告 page). The queue's own table
is not shown: it holds internal task names and arguments, and everything a person needs of a
job (who, what, progress, why it failed) is on the job itself."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django_tasks_db.models import DBTaskResult

from junheng.web.documents.models import Document, Job

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(_ReadOnly):
    list_display = [
        "kind",
        "county",
        "year",
        "status",
        "done",
        "total",
        "requested_by",
        "created_at",
    ]
    list_filter = ["kind", "status", "county"]
    fields = [
        "county",
        "year",
        "kind",
        "snapshot",
        "status",
        "step",
        "done",
        "total",
        "message",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
    ]


@admin.register(Document)
class DocumentAdmin(_ReadOnly):
    list_display = ["filename", "label", "county", "year", "created_by", "created_at", "size"]
    list_filter = ["kind", "county"]
    fields = [
        "county",
        "year",
        "kind",
        "label",
        "filename",
        "snapshot",
        "size",
        "created_by",
        "created_at",
    ]
