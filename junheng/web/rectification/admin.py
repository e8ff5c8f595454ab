"""The organisation and department users are managed here too (a department user is a login
with a unit); problems, tasks and evidence are read here and changed on the pages, where the
status rules and the evidence checks apply."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from junheng.web.rectification.models import (
    Evidence,
    Person,
    Problem,
    Task,
    Unit,
    UnitMember,
)


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


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Problem)
class ProblemAdmin(_ReadOnly):
    list_display = ["title", "county", "year", "source", "status"]
    list_filter = ["status", "source", "county"]
    search_fields = ["title", "key"]


@admin.register(Task)
class TaskAdmin(_ReadOnly):
    list_display = ["problem", "lead_unit", "deadline", "status"]
    list_filter = ["status"]


@admin.register(Evidence)
class EvidenceAdmin(_ReadOnly):
    list_display = ["name", "kind", "size", "sha256", "uploaded_by", "uploaded_at"]
