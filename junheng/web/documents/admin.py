"""生成任务 and 生成的文件 are read here (they are made on the 报告 page). The queue's own table
is not shown: it holds internal task names and arguments, and everything a person needs of a
job (who, what, progress, why it failed) is on the job itself."""

from __future__ import annotations

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from junheng.web.documents.models import Document, Job
from junheng.web.rectification.admin import ReadOnlyAdmin

if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
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
class DocumentAdmin(ReadOnlyAdmin):
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
