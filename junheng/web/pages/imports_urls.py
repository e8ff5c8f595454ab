"""Routes of the import pages; included by `pages/urls.py`."""

from __future__ import annotations

urlpatterns: list = []
