"""The organisation and department users are managed here too (a department user is a login
with a unit); problems, tasks and evidence are read here and changed on the pages, where the
status rules and the evidence checks apply."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from junheng.core.schema import LEVEL_ZH
from junheng.rectification.filetypes import BY_KIND
from junheng.web.rectification.models import (
    Evidence,
    Milestone,
    Person,
    Phase,
    Plan,
    Problem,
    ProgressUpdate,
    Task,
    Unit,
    UnitMember,
)
from junheng.web.rectification.services import number_of


class PersonInline(admin.TabularInline):
    model = Person
    extra = 1


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "county"]
    list_filter = ["kind", "county"]
    search_fields = ["name"]
    inlines = [PersonInline]


@admin.register(UnitMember)
class UnitMemberAdmin(admin.ModelAdmin):
    list_display = ["user", "unit"]
    list_filter = ["unit__county"]
    autocomplete_fields = ["unit"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records made on the site's pages: read here, never added or changed."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    """The problem as the ledger shows it: its number in words, not the key it is matched by,
    and no raw numbers record (the problem page words them)."""

    list_display = ["title", "number", "county", "year", "source", "status"]
    list_filter = ["status", "source", "county"]
    search_fields = ["title", "school_name"]
    fields = [
        "title",
        "number",
        "county",
        "year",
        "source",
        "status",
        "tolerated",
        "category",
        "item",
        "level_text",
        "school_name",
        "school_id",
        "description",
        "found_on",
        "found_by",
        "snapshot",
        "last_snapshot",
        "passing_snapshot",
        "created_at",
        "created_by",
        "closed_at",
        "closed_by",
    ]
    readonly_fields = fields

    @admin.display(description="问题编号")
    def number(self, problem: Problem) -> str:
        return number_of(problem) or "—"

    @admin.display(description="学段")
    def level_text(self, problem: Problem) -> str:
        return LEVEL_ZH.get(problem.level, problem.level) or "—"


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["problem", "lead_unit", "deadline", "status"]
    list_filter = ["status"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Files by name, type and size; where and under which checksum they are stored is the
    evidence store's business."""

    list_display = ["name", "kind_text", "size", "uploaded_by", "uploaded_at"]
    fields = ["name", "kind_text", "size", "update", "policy", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description="类型")
    def kind_text(self, evidence: Evidence) -> str:
        known = BY_KIND.get(evidence.kind)
        return known.label if known is not None else "其他文件"


class PhaseInline(admin.TabularInline):
    model = Phase
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """The county's target and phases, as on the ledger's 计划与进度 page."""

    list_display = ["county", "target_year", "target_date"]
    search_fields = ["county__name"]
    inlines = [PhaseInline]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "plan", "start", "end"]
    list_filter = ["kind", "plan__county"]
    search_fields = ["name"]
    inlines = [MilestoneInline]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ReadOnlyAdmin):
    """A task's history (progress reports and status steps): written on the task page only."""

    list_display = ["task", "entry", "author", "created_at"]
    list_filter = ["status_to"]
    search_fields = ["text", "task__problem__title"]
    fields = ["task", "author", "created_at", "text", "status_from", "status_to"]
    readonly_fields = fields

    @admin.display(description="进展或状态变化")
    def entry(self, update: ProgressUpdate) -> str:
        return str(update)
