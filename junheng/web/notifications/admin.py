from __future__ import annotations

from django.contrib import admin
from django.db import models

from junheng.web.notifications.models import CountyChannel, Delivery, Preference


@admin.register(CountyChannel)
class CountyChannelAdmin(admin.ModelAdmin):
    list_display = ("county", "webhook_url", "escalate_after_days")
    # a robot's address typed without its scheme is an https one, as on the county's own page
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "in_app", "email", "robot", "digest")
    search_fields = ("user__username", "user__first_name")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "channel", "subject", "status", "attempts", "last_error")
    list_filter = ("status", "channel", "kind")
    search_fields = ("user__username", "subject")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
