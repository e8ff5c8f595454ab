"""Routes of the 主要做法与成效 page; included at the site root."""

from __future__ import annotations

from django.urls import path

from junheng.web.practice import views

app_name = "practice"

urlpatterns = [
    path("counties/<int:county_id>/<str:year>/practice/", views.edit, name="edit"),
]
