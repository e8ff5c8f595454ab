"""Routes of the 待办与提醒 pages; included at the site root."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
