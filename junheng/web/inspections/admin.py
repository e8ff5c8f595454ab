"""督导检查 in the administration site. Visits are planned and recorded on the pages, which check
the 督学's schools and the checklist: here a planned visit's date, kind or 督学 may be corrected,
a recorded one only read. A finding already in the ledger, its photos and 回头看 records are
read only: the ledger's problem is linked one-to-one and must not lose its origin."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from junheng.inspections import kinds
from junheng.rectification.filetypes import BY_KIND
from junheng.web.inspections.models import CheckAnswer, Finding, Photo, Recheck, Visit
from junheng.web.inspections.services import person_name


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CheckAnswerInline(_ReadOnlyInline):
    model = CheckAnswer
    fields = ["item", "result", "note"]
    readonly_fields = fields

    @admin.display(description="核查项")
    def item(self, answer: CheckAnswer) -> str:
        return answer.item_label


class FindingInline(_ReadOnlyInline):
    model = Finding
    fields = ["title", "item", "problem"]
    show_change_link = True


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["school", "inspector_name", "kind", "planned_on", "visited_on", "status"]
    list_filter = ["status", "kind", "school__county"]
    search_fields = ["school__name", "inspector__username", "inspector__first_name"]
    date_hierarchy = "planned_on"
    inlines = [CheckAnswerInline, FindingInline]
    fields = [
        "school",
        "inspector",
        "kind",
        "planned_on",
        "status",
        "visited_on",
        "people_met",
        "remarks",
        "planned_by",
        "created_at",
        "updated_at",
    ]
    raw_id_fields = ["school", "inspector"]
    RECORD = [
        "status",
        "visited_on",
        "people_met",
        "remarks",
        "planned_by",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # planned on the 督导检查 pages, which check the 督学's schools

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.status == kinds.DONE:
            return list(self.fields)
        return self.RECORD

    @admin.display(description="责任督学", ordering="inspector__username")
    def inspector_name(self, visit: Visit) -> str:
        return person_name(visit.inspector)


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["title", "school", "item", "in_ledger", "created_at"]
    list_filter = ["visit__school__county", "item"]
    search_fields = ["title", "description", "visit__school__name"]
    fields = ["visit", "title", "item", "description", "problem", "created_by", "created_at"]
    readonly_fields = ["visit", "problem", "created_by", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # a finding in the ledger is the origin of its problem: read only from then on
        return obj is None or obj.problem_id is None

    @admin.display(description="学校", ordering="visit__school__name")
    def school(self, finding: Finding) -> str:
        return finding.visit.school.name

    @admin.display(description="已转入整改台账", boolean=True)
    def in_ledger(self, finding: Finding) -> bool:
        return finding.problem_id is not None

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("visit__school")


@admin.register(Photo)
class PhotoAdmin(_ReadOnlyAdmin):
    """Photos by name, type and size; where and under which checksum they are stored is the
    evidence store's business."""

    list_display = ["name", "kind_text", "size", "finding", "uploaded_at"]
    fields = ["name", "kind_text", "size", "finding", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description="类型")
    def kind_text(self, photo: Photo) -> str:
        known = BY_KIND.get(photo.kind)
        return known.label if known is not None else "其他文件"


@admin.register(Recheck)
class RecheckAdmin(_ReadOnlyAdmin):
    list_display = ["problem", "visit", "result", "new_problem", "created_at"]
    list_filter = ["result"]
    fields = ["visit", "problem", "result", "note", "new_problem", "created_by", "created_at"]
    readonly_fields = fields
