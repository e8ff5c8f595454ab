"""创建进展公开 in the administration site: a county's public-page settings may be corrected
(its address, whether it is public); a published bulletin is a frozen copy and only read —
its content is shown on the public page, not as stored data."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from junheng.web.public.models import PublicBulletin, PublicPage


@admin.register(PublicPage)
class PublicPageAdmin(admin.ModelAdmin):
    list_display = ["county", "slug", "published", "show_schools", "updated_at"]
    list_filter = ["published", "show_schools"]
    search_fields = ["county__name", "slug"]
    fields = ["county", "slug", "published", "show_schools", "intro", "updated_by", "updated_at"]
    readonly_fields = ["updated_by", "updated_at"]

    def save_model(self, request: HttpRequest, obj: PublicPage, form: Any, change: bool) -> None:
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(PublicBulletin)
class PublicBulletinAdmin(admin.ModelAdmin):
    list_display = ["title", "county", "period", "start", "end", "published_at"]
    list_filter = ["period", "county"]
    search_fields = ["title", "summary"]
    fields = [
        "title",
        "county",
        "year",
        "period",
        "start",
        "end",
        "summary",
        "published_at",
        "published_by",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
