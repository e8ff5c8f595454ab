from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from junheng.web.collection.models import (
    SCHOOL_MEASURES,
    SEGMENT_MEASURES,
    BirthCount,
    BuildingProject,
    ChangeLog,
    ClassCount,
    ClassTarget,
    CountyFactValue,
    CountyFinance,
    GradeCount,
    SchoolFactValue,
    SchoolYearData,
    SegmentData,
    StaffingPlan,
    SurveyCount,
)


@admin.register(SchoolYearData)
class SchoolYearDataAdmin(admin.ModelAdmin):
    list_display = ["school", "year", "status", "version", "updated_by", "updated_at"]
    list_filter = ["year", "status", "school__county"]
    search_fields = ["school__name", "school__school_id"]
    readonly_fields = ["version", "updated_by", "updated_at"]
    fieldsets = [
        (None, {"fields": ["school", "year", "status", "review_comment"]}),
        ("整校填报的设施", {"fields": list(SCHOOL_MEASURES)}),
        ("修改信息", {"fields": ["version", "updated_by", "updated_at"]}),
    ]


@admin.register(SegmentData)
class SegmentDataAdmin(admin.ModelAdmin):
    list_display = ["school", "level", "year", "students", "classes", "teachers"]
    list_filter = ["year", "level", "school__county"]
    search_fields = ["school__name", "school__school_id"]
    fieldsets = [
        (None, {"fields": ["school", "year", "level"]}),
        ("填报数据", {"fields": list(SEGMENT_MEASURES)}),
    ]


@admin.register(SchoolFactValue)
class SchoolFactValueAdmin(admin.ModelAdmin):
    list_display = ["school", "fact", "value", "year"]
    list_filter = ["year", "fact"]
    search_fields = ["school__name", "school__school_id"]


@admin.register(CountyFactValue)
class CountyFactValueAdmin(admin.ModelAdmin):
    list_display = ["county", "fact", "value", "year"]
    list_filter = ["year", "county"]


@admin.register(SurveyCount)
class SurveyCountAdmin(admin.ModelAdmin):
    list_display = ["county", "group", "year"]
    list_filter = ["year", "county"]


@admin.register(GradeCount)
class GradeCountAdmin(admin.ModelAdmin):
    list_display = ["school", "grade_year", "grade", "students", "year"]
    list_filter = ["year", "grade_year", "grade", "school__county"]
    search_fields = ["school__name", "school__school_id"]


@admin.register(BirthCount)
class BirthCountAdmin(admin.ModelAdmin):
    list_display = ["county", "birth_year", "births", "year"]
    list_filter = ["year", "county"]


@admin.register(ClassCount)
class ClassCountAdmin(admin.ModelAdmin):
    list_display = ["school", "plan_year", "grade", "class_name", "students", "year"]
    list_filter = ["year", "plan_year", "grade", "school__county"]
    search_fields = ["school__name", "school__school_id"]


@admin.register(CountyFinance)
class CountyFinanceAdmin(admin.ModelAdmin):
    list_display = ["county", "plan_year", "education_expenditure_yuan", "year"]
    list_filter = ["year", "county"]


@admin.register(BuildingProject)
class BuildingProjectAdmin(admin.ModelAdmin):
    list_display = ["county", "project_id", "name", "kind", "school", "status", "year"]
    list_filter = ["year", "county", "kind", "status"]
    search_fields = ["project_id", "name", "new_school_name", "school__name"]


@admin.register(StaffingPlan)
class StaffingPlanAdmin(admin.ModelAdmin):
    list_display = ["school", "plan_year", "level", "approved_posts", "hires", "year"]
    list_filter = ["year", "plan_year", "level", "school__county"]
    search_fields = ["school__name", "school__school_id"]


@admin.register(ClassTarget)
class ClassTargetAdmin(admin.ModelAdmin):
    list_display = ["county", "plan_year", "band", "level", "max_classes", "max_share", "year"]
    list_filter = ["year", "county", "band"]


@admin.register(ChangeLog)
class ChangeLogAdmin(admin.ModelAdmin):
    """The history is evidence: it can be read and searched, never edited."""

    list_display = ["at", "user", "school", "county", "model", "field", "old_value", "new_value"]
    list_filter = ["year", "model"]
    search_fields = ["school__name", "field", "object_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
