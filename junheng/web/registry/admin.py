from __future__ import annotations

from django.contrib import admin

from junheng.web.registry.models import City, County, Province, School, SchoolYear


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "province"]
    list_filter = ["province"]
    search_fields = ["name", "code"]


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "city"]
    list_filter = ["city__province", "city"]
    search_fields = ["name", "code"]


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["school_id", "name", "county", "kind", "area_type", "ownership", "township"]
    list_filter = ["county", "kind", "area_type", "ownership"]
    search_fields = ["school_id", "name", "township"]
    raw_id_fields = ["parent"]


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ["label"]
