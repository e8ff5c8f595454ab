"""Routes of the data-entry and review pages; included by `pages/urls.py`."""

from __future__ import annotations

urlpatterns: list = []
