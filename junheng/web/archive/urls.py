"""Routes of the 创建档案 pages; included at the site root."""

from __future__ import annotations

from django.urls import path  # noqa: F401  (the routes follow with the views)

app_name = "archive"

urlpatterns: list = []
