from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from junheng.core.standard import Standard
from junheng.core.wording import policy_text, standard_text
from junheng.standards import available_standards, load_standard
from junheng.web.evaluation.models import Snapshot

MISSING_STANDARD = "评估时所用的标准（该标准文件已不在本系统中）"


def _standard(snapshot: Snapshot) -> Standard | None:
    try:
        return load_standard(snapshot.standard_id)
    except Exception:  # a standard file removed since: the page still shows the snapshot
        return None


class StandardFilter(admin.SimpleListFilter):
    """Snapshots by standard, each named as in the standard file (its id is a file name)."""

    title = "评估标准"
    parameter_name = "standard"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        return [(s.id, s.name) for s in available_standards()]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset.filter(standard_id=value) if value else queryset


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    """Snapshots are made by running an evaluation, never typed in or edited. The stored result
    and the data fingerprint are for the pages and the "changed since" check, not for reading
    here; the standard and its policies are shown in words."""

    list_display = ["county", "year", "created_at", "created_by", "standard", "verdict"]
    list_filter = ["year", "county", StandardFilter]
    fields = [
        "county",
        "year",
        "created_at",
        "created_by",
        "standard",
        "policies_text",
        "scope",
        "verdict",
    ]
    readonly_fields = fields

    @admin.display(description="结论")
    def verdict(self, snapshot: Snapshot) -> str:
        return {True: "达标", False: "未达标", None: "无法判定"}.get(snapshot.passes, "无法判定")

    @admin.display(description="评估数据")
    def scope(self, snapshot: Snapshot) -> str:
        return snapshot.data_scope_line

    @admin.display(description="评估标准")
    def standard(self, snapshot: Snapshot) -> str:
        standard = _standard(snapshot)
        return standard_text(standard) if standard is not None else MISSING_STANDARD

    @admin.display(description="政策选项")
    def policies_text(self, snapshot: Snapshot) -> str:
        standard = _standard(snapshot)
        if standard is None:
            return "—"
        stored = snapshot.policies or {}
        return "；".join(
            policy_text(standard, key, stored[key]) for key in standard.policies if key in stored
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
