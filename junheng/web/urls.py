"""URL configuration: the administration site, login and logout, and the pages."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "均衡 · 县域义务教育优质均衡发展管理系统"
admin.site.site_title = "均衡"
admin.site.index_title = "系统管理"

urlpatterns = [
    # First: the public survey form answers bursts of phones, and every pattern before it is
    # tried on each request.
    path("", include("junheng.web.surveys.urls")),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("junheng.web.pages.urls")),
    path("", include("junheng.web.rectification.urls")),
    path("", include("junheng.web.documents.urls")),
    path("", include("junheng.web.practice.urls")),
    path("", include("junheng.web.archive.urls")),
    path("", include("junheng.web.roster.urls")),
    path("", include("junheng.web.inspections.urls")),
    path("", include("junheng.web.appraisal.urls")),
    path("", include("junheng.web.notifications.urls")),
    path("", include("junheng.web.public.urls")),
]
