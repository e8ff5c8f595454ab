"""Routes of the dashboard pages; included by `pages/urls.py`."""

from __future__ import annotations

urlpatterns: list = []
