"""Routes of the 待办与提醒 pages; included at the site root."""

from __future__ import annotations

from django.urls import URLPattern, path

from junheng.web.notifications import views

app_name = "notifications"

urlpatterns: list[URLPattern] = [
    path("todo/", views.todo, name="todo"),
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/<int:pk>/read/", views.mark_read, name="read"),
    path("notifications/read-all/", views.mark_all_read, name="read_all"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/counties/<int:county_id>/", views.county_channel, name="county"),
]
