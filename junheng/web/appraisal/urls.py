"""Routes of the 考核与会议 pages; included at the site root."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
