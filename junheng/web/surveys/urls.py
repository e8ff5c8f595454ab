"""Routes of the 社会认可度调查 pages; included at the site root."""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
