"""URL configuration. Only the administration site exists so far; pages come with their apps."""

from __future__ import annotations

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

admin.site.site_header = "均衡 · 县域义务教育优质均衡发展管理系统"
admin.site.site_title = "均衡"
admin.site.index_title = "系统管理"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
]
