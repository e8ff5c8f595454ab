"""考核与会议 in the administration site: 表彰/问责 decisions and meetings may be corrected here
as on their pages; a decision's document is kept by the evidence store (its name, type and size
shown, never its path or checksum), and a meeting decision's link to the ledger problem it
became is read only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from junheng.rectification.filetypes import BY_KIND
from junheng.web.appraisal.models import Decision, Meeting, MeetingDecision


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["kind", "target", "target_kind", "county", "day", "period_text"]
    list_filter = ["kind", "target_kind", "county"]
    search_fields = ["reason", "text", "township", "unit__name", "school__name"]
    date_hierarchy = "day"
    fields = [
        "county",
        "kind",
        "target_kind",
        "unit",
        "township",
        "school",
        "day",
        "reason",
        "text",
        "period",
        "document_name",
        "document_type",
        "document_size",
        "created_by",
        "created_at",
    ]
    readonly_fields = [
        "document_name",
        "document_type",
        "document_size",
        "created_by",
        "created_at",
    ]
    autocomplete_fields = ["unit"]
    raw_id_fields = ["school"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded on the county's page, with its document checked

    @admin.display(description="对象")
    def target(self, decision: Decision) -> str:
        return decision.target_name

    @admin.display(description="考核周期")
    def period_text(self, decision: Decision) -> str:
        return decision.period_label or "—"

    @admin.display(description="文件类型")
    def document_type(self, decision: Decision) -> str:
        if not decision.document_kind:
            return "—"
        known = BY_KIND.get(decision.document_kind)
        return known.label if known is not None else "其他文件"


class MeetingDecisionInline(admin.StackedInline):
    # stacked: a decision's text is a paragraph, which a table's narrow cell squeezes into a
    # column one character wide
    model = MeetingDecision
    extra = 0
    fields = ["order", "text", "lead_unit", "deadline", "problem"]
    readonly_fields = ["problem"]
    autocomplete_fields = ["lead_unit"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleted on the meeting's page, which keeps those in the ledger


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "day", "county", "year", "decision_count"]
    list_filter = ["kind", "county", "year"]
    search_fields = ["title", "attendees", "minutes"]
    date_hierarchy = "day"
    fields = [
        "county",
        "year",
        "kind",
        "day",
        "title",
        "units",
        "attendees",
        "minutes",
        "created_by",
        "created_at",
    ]
    readonly_fields = ["created_by", "created_at"]
    autocomplete_fields = ["units"]
    inlines = [MeetingDecisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # recorded on the county's meetings page

    @admin.display(description="决定事项")
    def decision_count(self, meeting: Meeting) -> str:
        return f"{meeting.decisions.count()} 项"
