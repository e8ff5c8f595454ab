"""Routes of the data-entry and review pages; included by `pages/urls.py`."""

from __future__ import annotations

from django.urls import path

from junheng.web.pages import entry

urlpatterns = [
    path("schools/<str:school_id>/<str:year>/edit/", entry.school_edit, name="school_edit"),
    path(
        "schools/<str:school_id>/<str:year>/workflow/",
        entry.school_workflow,
        name="school_workflow",
    ),
    path(
        "schools/<str:school_id>/<str:year>/history/",
        entry.school_history_page,
        name="school_history",
    ),
    path("counties/<int:county_id>/<str:year>/review/", entry.county_review, name="county_review"),
    path(
        "counties/<int:county_id>/<str:year>/facts/",
        entry.county_facts_edit,
        name="county_facts",
    ),
]
